// GET /api/entitlement: is this caller entitled to free, quota or paid support? (agents and sales)
import type { z } from '@hono/zod-openapi';
import { businessDate, defaultBusinessTimezone } from '../../domain/ticket-number.js';
import { checkEntitlement } from '../../services/entitlement.js';
import { createRouter } from '../context.js';
import { entitlementRoute } from './routes.js';
import { type EntitlementAnswer, entitlementView } from './schemas.js';

export const entitlementRouter = createRouter();

entitlementRouter.openapi(entitlementRoute, async (c) => {
  const query = c.req.valid('query');
  const { db, timezone, defaultRates } = c.var.services;
  const day = query.date ?? businessDate(new Date(), timezone ?? defaultBusinessTimezone);
  const check = await checkEntitlement(db, query, day, { defaultRates });
  const answer: z.infer<typeof EntitlementAnswer> = {
    customer: check.customer ? { number: check.customer.customerNumber, name: check.customer.name, creditHold: check.customer.creditHold } : null,
    asset: check.asset ? { serialNumber: check.asset.serialNumber, identNumber: check.asset.identNumber, product: check.asset.product } : null,
    entitlement: entitlementView(check.entitlement),
    slaPolicy: check.sla ? { name: check.sla.name, version: check.sla.version, targets: check.sla.targets } : null,
    project: check.project ? { number: check.project.number } : null,
  };
  return c.json(answer, 200);
});
