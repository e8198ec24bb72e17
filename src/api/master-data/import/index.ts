// POST /api/import/{kind}: CSV import of customers, contacts, contracts or assets from an ERP (admin).
import { ImportRejected, importCsv } from '../../../services/master-data/import.js';
import { createRouter } from '../../context.js';
import { problem } from '../../problem.js';
import { importRoute } from './routes.js';

export const importRouter = createRouter();

importRouter.openapi(importRoute, async (c) => {
  const { kind } = c.req.valid('param');
  const text = await c.req.text();
  try {
    return c.json(await importCsv(c.var.services.db, kind, text, { dryRun: c.req.valid('query').dryRun === 'true' }), 200);
  } catch (err) {
    // The row errors go into the problem's `errors` list, which the single error path cannot carry for a list.
    if (err instanceof ImportRejected) return problem(c, 400, err.message, { errors: err.rowErrors }) as never;
    throw err;
  }
});
