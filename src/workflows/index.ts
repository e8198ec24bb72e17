// The workflow bundle's entry point: every workflow type the worker registers.
export { incidentWorkflow } from './incident/workflow.js';
export { inboundMailWorkflow, mailboxWorkflow } from './mailbox/workflows.js';
export { changeWorkflow } from './change/workflow.js';
export { callbackWorkflow } from './callback/workflow.js';
export { serviceOrderWorkflow } from './service-order/workflow.js';
export { weeklyReportWorkflow } from './weekly-report/workflow.js';
