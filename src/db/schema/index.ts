export * from './customers.js';
export * from './sla.js';
export * from './contracts.js';
export * from './users.js';
export * from './incidents.js';
export * from './outbox.js';
export * from './mail.js';
export * from './billing.js';
