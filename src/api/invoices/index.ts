// Invoice runs, draft and final invoices, JSON and CSV export for the ERP.
import { createRouter } from '../context.js';

export const invoicesRouter = createRouter();
