// OpenAPI route specs for /api/assets (agents read, admins write); handlers live in index.ts.
import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../../auth.js';
import { json, problemResponses } from '../../common-schemas.js';
import { Asset, AssetChanges, AssetCreate, AssetListQuery, AssetPage, AssetReplace, SerialNumberParam } from '../schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Master data'];

const rules =
  'A serial or ident number registered to another customer is refused with 409 ("Serial number X is registered to customer K-…"); to move a device, delete and register it again. With contractNumber the asset is added to that contract\'s cover list (same customer, no overlapping cover: 409).';

export const listAssetsRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'List assets',
  description: 'Filter by `customerNumber`; `q` searches serial number, ident number and product. Each asset shows the contracts that list it.',
  request: { query: AssetListQuery },
  responses: { 200: { description: 'A page of assets.', content: json(AssetPage) }, ...problemResponses(400, 401, 403) },
});

export const getAssetRoute = createRoute({ method: 'get', path: '/{serialNumber}', middleware: [requireRole('agent')], tags, security, summary: 'Get an asset', request: { params: SerialNumberParam }, responses: { 200: { description: 'The asset and the contracts that list it.', content: json(Asset) }, ...problemResponses(400, 401, 403, 404) } });

export const createAssetRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Register an asset (admin)',
  description: rules,
  request: { body: { required: true, content: json(AssetCreate) } },
  responses: { 201: { description: 'Created.', content: json(Asset) }, ...problemResponses(400, 401, 403, 409) },
});

export const replaceAssetRoute = createRoute({
  method: 'put',
  path: '/{serialNumber}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Replace an asset (admin)',
  description: rules,
  request: { params: SerialNumberParam, body: { required: true, content: json(AssetReplace) } },
  responses: { 200: { description: 'Replaced.', content: json(Asset) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const changeAssetRoute = createRoute({
  method: 'patch',
  path: '/{serialNumber}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Change some fields of an asset (admin)',
  description: rules,
  request: { params: SerialNumberParam, body: { required: true, content: json(AssetChanges) } },
  responses: { 200: { description: 'Changed.', content: json(Asset) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const deleteAssetRoute = createRoute({
  method: 'delete',
  path: '/{serialNumber}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Delete an asset (admin)',
  description: 'Refused with 409 while an incident names the asset.',
  request: { params: SerialNumberParam },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
});
