// Master data: customers, contacts, contracts, assets and the CSV import (agents read, admins write).
import { createRouter } from '../context.js';

export const customersRouter = createRouter();
export const contactsRouter = createRouter();
export const contractsRouter = createRouter();
export const assetsRouter = createRouter();
export const importRouter = createRouter();
