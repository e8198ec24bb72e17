// /api/assets: the customers' devices by serial number (agents read, admins write).
import { createRoute } from '@hono/zod-openapi';
import { createAsset, deleteAsset, getAsset, listAssets, updateAsset } from '../../services/master-data/assets.js';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { createRouter } from '../context.js';
import { Asset, AssetChanges, AssetCreate, AssetListQuery, AssetPage, AssetReplace, SerialNumberParam, withInstants } from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Master data'];

export const assetsRouter = createRouter();
assetsRouter.use('*', requireRole('agent'));
for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) assetsRouter.on(method, '*', requireRole('admin'));

const rules =
  'A serial or ident number registered to another customer is refused with 409 ("Serial number X is registered to customer K-…"); to move a device, delete and register it again. With contractNumber the asset is added to that contract\'s cover list (same customer, no overlapping cover: 409).';

assetsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    security,
    summary: 'List assets',
    description: 'Filter by `customerNumber`; `q` searches serial number, ident number and product. Each asset shows the contracts that list it.',
    request: { query: AssetListQuery },
    responses: { 200: { description: 'A page of assets.', content: json(AssetPage) }, ...problemResponses(400, 401, 403) },
  }),
  async (c) => {
    const page = await listAssets(c.var.services.db, c.req.valid('query'));
    return c.json({ ...page, items: page.items.map(withInstants) }, 200);
  },
);

assetsRouter.openapi(
  createRoute({ method: 'get', path: '/{serialNumber}', tags, security, summary: 'Get an asset', request: { params: SerialNumberParam }, responses: { 200: { description: 'The asset and the contracts that list it.', content: json(Asset) }, ...problemResponses(400, 401, 403, 404) } }),
  async (c) => c.json(withInstants(await getAsset(c.var.services.db, c.req.valid('param').serialNumber)), 200),
);

assetsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    security,
    summary: 'Register an asset (admin)',
    description: rules,
    request: { body: { required: true, content: json(AssetCreate) } },
    responses: { 201: { description: 'Created.', content: json(Asset) }, ...problemResponses(400, 401, 403, 409) },
  }),
  async (c) => c.json(withInstants(await createAsset(c.var.services.db, c.req.valid('json'))), 201),
);

assetsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{serialNumber}',
    tags,
    security,
    summary: 'Replace an asset (admin)',
    description: rules,
    request: { params: SerialNumberParam, body: { required: true, content: json(AssetReplace) } },
    responses: { 200: { description: 'Replaced.', content: json(Asset) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => c.json(withInstants(await updateAsset(c.var.services.db, c.req.valid('param').serialNumber, c.req.valid('json'))), 200),
);

assetsRouter.openapi(
  createRoute({
    method: 'patch',
    path: '/{serialNumber}',
    tags,
    security,
    summary: 'Change some fields of an asset (admin)',
    description: rules,
    request: { params: SerialNumberParam, body: { required: true, content: json(AssetChanges) } },
    responses: { 200: { description: 'Changed.', content: json(Asset) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => c.json(withInstants(await updateAsset(c.var.services.db, c.req.valid('param').serialNumber, c.req.valid('json'))), 200),
);

assetsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{serialNumber}',
    tags,
    security,
    summary: 'Delete an asset (admin)',
    description: 'Refused with 409 while an incident names the asset.',
    request: { params: SerialNumberParam },
    responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => {
    await deleteAsset(c.var.services.db, c.req.valid('param').serialNumber);
    return c.body(null, 204);
  },
);
