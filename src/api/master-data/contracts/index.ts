// /api/contracts: tier, validity, cover, SLA policy, fees, rates, quota and the project (agents read, admins write).
import { createContract, deleteContract, getContract, listContracts, updateContract, type ContractRecord } from '../../../services/master-data/contracts.js';
import { createRouter } from '../../context.js';
import { withInstants } from '../schemas.js';
import { changeContractRoute, createContractRoute, deleteContractRoute, getContractRoute, listContractsRoute, replaceContractRoute } from './routes.js';

const view = (contract: ContractRecord) => withInstants(contract);

export const contractsRouter = createRouter();

contractsRouter.openapi(listContractsRoute, async (c) => {
  const page = await listContracts(c.var.services.db, c.req.valid('query'));
  return c.json({ ...page, items: page.items.map(view) }, 200);
});

contractsRouter.openapi(getContractRoute, async (c) => c.json(view(await getContract(c.var.services.db, c.req.valid('param').contractNumber)), 200));

contractsRouter.openapi(createContractRoute, async (c) => c.json(view(await createContract(c.var.services.db, c.req.valid('json'))), 201));

contractsRouter.openapi(replaceContractRoute, async (c) => c.json(view(await updateContract(c.var.services.db, c.req.valid('param').contractNumber, c.req.valid('json'))), 200));

contractsRouter.openapi(changeContractRoute, async (c) => c.json(view(await updateContract(c.var.services.db, c.req.valid('param').contractNumber, c.req.valid('json'))), 200));

contractsRouter.openapi(deleteContractRoute, async (c) => {
  await deleteContract(c.var.services.db, c.req.valid('param').contractNumber);
  return c.body(null, 204);
});
