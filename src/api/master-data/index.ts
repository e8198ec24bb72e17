// Master data: customers, contacts, contracts, assets and the CSV import (agents read, admins write).
export { assetsRouter } from './assets.js';
export { contactsRouter } from './contacts.js';
export { contractsRouter } from './contracts.js';
export { customersRouter } from './customers.js';
export { importRouter } from './import.js';
