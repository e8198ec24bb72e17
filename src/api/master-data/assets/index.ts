// /api/assets: the customers' devices by serial number (agents read, admins write).
import { createAsset, deleteAsset, getAsset, listAssets, updateAsset } from '../../../services/master-data/assets.js';
import { createRouter } from '../../context.js';
import { withInstants } from '../schemas.js';
import { changeAssetRoute, createAssetRoute, deleteAssetRoute, getAssetRoute, listAssetsRoute, replaceAssetRoute } from './routes.js';

export const assetsRouter = createRouter();

assetsRouter.openapi(listAssetsRoute, async (c) => {
  const page = await listAssets(c.var.services.db, c.req.valid('query'));
  return c.json({ ...page, items: page.items.map(withInstants) }, 200);
});

assetsRouter.openapi(getAssetRoute, async (c) => c.json(withInstants(await getAsset(c.var.services.db, c.req.valid('param').serialNumber)), 200));

assetsRouter.openapi(createAssetRoute, async (c) => c.json(withInstants(await createAsset(c.var.services.db, c.req.valid('json'))), 201));

assetsRouter.openapi(replaceAssetRoute, async (c) => c.json(withInstants(await updateAsset(c.var.services.db, c.req.valid('param').serialNumber, c.req.valid('json'))), 200));

assetsRouter.openapi(changeAssetRoute, async (c) => c.json(withInstants(await updateAsset(c.var.services.db, c.req.valid('param').serialNumber, c.req.valid('json'))), 200));

assetsRouter.openapi(deleteAssetRoute, async (c) => {
  await deleteAsset(c.var.services.db, c.req.valid('param').serialNumber);
  return c.body(null, 204);
});
