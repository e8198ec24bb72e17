// OpenAPI route specs for /api/contracts (agents read, admins write); handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../auth.js';
import { json, line, problemResponses } from '../../common-schemas.js';
import { Contract, ContractChanges, ContractCreate, ContractListQuery, ContractNumberParam, ContractPage, ContractReplace } from '../schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Master data'];

const rules =
  'Rules: validTo on or after validFrom (400, field validTo); listed assets must exist and belong to the contract\'s customer (400); no asset may be listed by two contracts whose validity overlaps, and no two whole-customer contracts of a customer may overlap (409 naming both contracts); quotaMinutes and quotaPeriod together or neither; once time entries drew from the quota, its period type (and the validFrom of a prepaid contract, where its block starts) cannot change (409 naming the minutes drawn), its size can; money in non-negative integer cents.';

export const listContractsRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'List contracts',
  description: 'Ordered by contract number; filter by `customerNumber`.',
  request: { query: ContractListQuery },
  responses: { 200: { description: 'A page of contracts.', content: json(ContractPage) }, ...problemResponses(400, 401, 403) },
});

export const getContractRoute = createRoute({ method: 'get', path: '/{contractNumber}', middleware: [requireRole('agent')], tags, security, summary: 'Get a contract', request: { params: ContractNumberParam }, responses: { 200: { description: 'The contract with its project.', content: json(Contract) }, ...problemResponses(400, 401, 403, 404) } });

export const createContractRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Create a contract and its project (admin)',
  description: `Creates the contract and, in the same transaction, its project P-<contractNumber> ("Support …" or "Maintenance …" by projectKind). ${rules}`,
  request: { body: { required: true, content: json(ContractCreate) } },
  responses: { 201: { description: 'Created.', content: json(Contract) }, ...problemResponses(400, 401, 403, 409) },
});

export const replaceContractRoute = createRoute({
  method: 'put',
  path: '/{contractNumber}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Replace a contract (admin)',
  description: `The contract number and customer cannot change; coveredSerialNumbers replaces the cover list. ${rules}`,
  request: { params: ContractNumberParam, body: { required: true, content: json(z.strictObject({ ...ContractReplace.shape, customerNumber: line(64).optional().openapi({ description: 'Must be the contract\'s customer if given.' }) })) } },
  responses: { 200: { description: 'Replaced.', content: json(Contract) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const changeContractRoute = createRoute({
  method: 'patch',
  path: '/{contractNumber}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Change some fields of a contract (admin)',
  description: `E.g. \`{"validTo": "2027-12-31"}\`. ${rules}`,
  request: { params: ContractNumberParam, body: { required: true, content: json(ContractChanges) } },
  responses: { 200: { description: 'Changed.', content: json(Contract) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const deleteContractRoute = createRoute({
  method: 'delete',
  path: '/{contractNumber}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Delete a contract (admin)',
  description: 'Refused with 409 once incidents, time entries, invoices or quota events refer to it; end it with validTo instead. The project and cover list go with it.',
  request: { params: ContractNumberParam },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
});
