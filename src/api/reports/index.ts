// Reports: profitability per customer, and the sales insight before calling a customer.
import { createRouter } from '../context.js';

/** Mounted at /api/reports. */
export const reportsRouter = createRouter();
/** Mounted at /api/customers: /{customerNumber}/insight. */
export const customerInsightRouter = createRouter();
