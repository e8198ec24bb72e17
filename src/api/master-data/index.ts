// Master data: customers, contacts, contracts, assets, support groups and the CSV import (agents read, admins write).
export { assetsRouter } from './assets/index.js';
export { contactsRouter } from './contacts/index.js';
export { contractsRouter } from './contracts/index.js';
export { customersRouter } from './customers/index.js';
export { groupsRouter } from './groups/index.js';
export { importRouter } from './import/index.js';
