// Zod schemas of the master data API: request bodies (create, replace, change) and views.
import { z } from '@hono/zod-openapi';
import { activityTypes, contractTiers, languages, portalSharingModes, projectKinds, quotaPeriods } from '../../domain/enums.js';
import { maxRateCents } from '../../services/master-data/rules.js';
import { calendarDay, changes, line, paging, queryText, text } from '../common-schemas.js';

const businessNumber = (example: string) => line(64).openapi({ example });
const day = calendarDay.openapi({ example: '2026-01-01' });
const cents = z.number().int().min(0).max(2_000_000_000);
/** At most 100,000.00 per hour: a day's work (1,440 minutes) then still fits a line amount. */
const rateCents = z.number().int().min(0).max(maxRateCents);
const instant = z.string().openapi({ example: '2026-11-26T09:00:00.000Z' });

export const PagingQuery = z.strictObject({
  ...paging(50, 500),
});
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export const CustomerNumberParam = z.object({ customerNumber: businessNumber('K-10001').openapi({ param: { name: 'customerNumber', in: 'path' } }) });
export const ContractNumberParam = z.object({ contractNumber: businessNumber('V-2026-0001').openapi({ param: { name: 'contractNumber', in: 'path' } }) });
export const SerialNumberParam = z.object({ serialNumber: businessNumber('FW-FG100F-0042').openapi({ param: { name: 'serialNumber', in: 'path' } }) });
export const ContactIdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

// Customers
const customerFields = {
  name: line(200).openapi({ example: 'Müller Maschinenbau GmbH' }),
  mailDomains: z.array(line(253)).max(50).openapi({ example: ['mueller-maschinenbau.example'], description: 'Mail from these domains is matched to the customer.' }),
  language: z.enum(languages),
  creditHold: z.boolean().openapi({ description: 'On credit hold: support is blocked until accounting releases it.' }),
  portalSharing: z.enum(portalSharingModes).openapi({
    description:
      "Which of the organisation's requests its contacts see in the customer portal: own (default: those they opened), organisation_read (all, answering only their own), organisation_reply (all, and may answer them). A contact with portalAdmin sees and answers all.",
  }),
  accountManagerEmail: z.email().nullable().openapi({ description: 'An existing user with role agent, manager or admin; gets quota notices.' }),
};
export const CustomerChanges = changes(customerFields).openapi('CustomerChanges');
export const CustomerReplace = z
  .strictObject({ ...customerFields, mailDomains: customerFields.mailDomains.default([]), language: customerFields.language.default('de'), creditHold: customerFields.creditHold.default(false), portalSharing: customerFields.portalSharing.default('own'), accountManagerEmail: customerFields.accountManagerEmail.default(null) })
  .openapi('CustomerReplace');
export const CustomerCreate = z.strictObject({ ...CustomerReplace.shape, customerNumber: businessNumber('K-10001').openapi({ description: 'The debtor number.' }) }).openapi('CustomerInput');
export const Customer = z
  .object({
    customerNumber: z.string(),
    name: z.string(),
    mailDomains: z.array(z.string()),
    language: z.enum(languages),
    creditHold: z.boolean(),
    portalSharing: z.enum(portalSharingModes),
    accountManager: z.object({ name: z.string(), email: z.string() }).nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('Customer');
export const CustomerPage = page(Customer).openapi('CustomerPage');
export const CustomerListQuery = PagingQuery.extend({ q: queryText(100).optional().openapi({ description: 'Part of the number or name.' }) });

// Contacts
const contactFields = {
  customerNumber: businessNumber('K-10001'),
  name: line(200).openapi({ example: 'Petra Müller' }),
  email: z.email().max(254).openapi({ example: 'petra.mueller@mueller-maschinenbau.example', description: 'Unique regardless of case.' }),
  phone: line(50).nullable(),
  language: z.enum(languages).nullable().openapi({ description: 'Null: the customer\'s language.' }),
  portalAdmin: z.boolean().openapi({ description: "Customer admin in the portal: sees and answers all the customer's requests and sees the quota." }),
};
export const ContactChanges = changes(contactFields).openapi('ContactChanges');
export const ContactCreate = z.strictObject({ ...contactFields, phone: contactFields.phone.default(null), language: contactFields.language.default(null), portalAdmin: contactFields.portalAdmin.default(false) }).openapi('ContactInput');
export const Contact = z
  .object({ id: z.uuid(), customerNumber: z.string(), name: z.string(), email: z.string(), phone: z.string().nullable(), language: z.enum(languages).nullable(), portalAdmin: z.boolean(), createdAt: instant, updatedAt: instant })
  .openapi('Contact');
export const ContactPage = page(Contact).openapi('ContactPage');
export const ContactListQuery = PagingQuery.extend({ customerNumber: queryText(64).optional(), q: queryText(100).optional() });

// Contracts
const rates = z
  .object(Object.fromEntries(activityTypes.map((t) => [t, rateCents.optional()])) as Record<(typeof activityTypes)[number], z.ZodOptional<typeof rateCents>>)
  .strict()
  .openapi({ example: { remote: 9500, onsite: 11500, travel: 6500 }, description: 'Net cents per hour by activity type; a missing type uses the house default rate.' });
const contractFields = {
  tier: z.enum(contractTiers),
  validFrom: day,
  validTo: day.nullable().openapi({ description: 'Inclusive last day; null for open-ended.' }),
  coversAllAssets: z.boolean().openapi({ description: 'Covers every asset of the customer, not only the listed ones.' }),
  coveredSerialNumbers: z.array(line(64)).max(10_000).openapi({ example: ['FW-FG100F-0042'], description: 'Assets of the same customer that the contract lists.' }),
  slaPolicyId: z.uuid().nullable().openapi({ description: 'A contract-specific SLA policy; null: the tier\'s default policy.' }),
  monthlyFeeCents: cents.openapi({ example: 49000 }),
  hourlyRates: rates,
  quotaMinutes: z.number().int().min(1).max(10_000_000).nullable().openapi({ example: 600, description: 'Included minutes per quota period; give it with quotaPeriod, or neither.' }),
  quotaPeriod: z.enum(quotaPeriods).nullable().openapi({ description: 'month, quarter, year, or prepaid (one block over the validity).' }),
  projectKind: z.enum(projectKinds),
};
export const ContractChanges = changes({ ...contractFields, customerNumber: businessNumber('K-10001').openapi({ description: "Must be the contract's customer if given." }) }).openapi('ContractChanges');
export const ContractReplace = z
  .strictObject({
    ...contractFields,
    validTo: contractFields.validTo.default(null),
    coversAllAssets: contractFields.coversAllAssets.default(false),
    coveredSerialNumbers: contractFields.coveredSerialNumbers.default([]),
    slaPolicyId: contractFields.slaPolicyId.default(null),
    monthlyFeeCents: contractFields.monthlyFeeCents.default(0),
    hourlyRates: rates.default({}),
    quotaMinutes: contractFields.quotaMinutes.default(null),
    quotaPeriod: contractFields.quotaPeriod.default(null),
    projectKind: contractFields.projectKind.default('support'),
  })
  .openapi('ContractReplace');
export const ContractCreate = z.strictObject({ ...ContractReplace.shape, contractNumber: businessNumber('V-2026-0001'), customerNumber: businessNumber('K-10001') }).openapi('ContractInput');
export const Contract = z
  .object({
    contractNumber: z.string(),
    customerNumber: z.string(),
    tier: z.enum(contractTiers),
    validFrom: z.string(),
    validTo: z.string().nullable(),
    coversAllAssets: z.boolean(),
    coveredSerialNumbers: z.array(z.string()),
    slaPolicyId: z.string().nullable(),
    monthlyFeeCents: z.number().int(),
    hourlyRates: z.record(z.string(), z.number().int()),
    quotaMinutes: z.number().int().nullable(),
    quotaPeriod: z.enum(quotaPeriods).nullable(),
    project: z.object({ number: z.string(), kind: z.enum(projectKinds), name: z.string() }).nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('Contract');
export const ContractPage = page(Contract).openapi('ContractPage');
export const ContractListQuery = PagingQuery.extend({ customerNumber: queryText(64).optional() });

// Assets
const assetFields = {
  identNumber: line(64).nullable().openapi({ example: 'ID-200001' }),
  product: line(200).openapi({ example: 'FortiGate 100F firewall' }),
  customerNumber: businessNumber('K-10002'),
  contractNumber: line(64).nullable().openapi({ description: 'Also list the asset on this contract of the same customer (adds; never removes).' }),
};
export const AssetChanges = changes(assetFields).openapi('AssetChanges');
export const AssetReplace = z
  .strictObject({ ...assetFields, identNumber: assetFields.identNumber.default(null), contractNumber: assetFields.contractNumber.optional() })
  .openapi('AssetReplace');
export const AssetCreate = z.strictObject({ ...AssetReplace.shape, serialNumber: businessNumber('FW-FG100F-0042') }).openapi('AssetInput');
export const Asset = z
  .object({
    serialNumber: z.string(),
    identNumber: z.string().nullable(),
    product: z.string(),
    customerNumber: z.string(),
    retiredOn: z.string().nullable().openapi({ description: 'The day a hardware change took the device out of service; no contract covers it from then on.' }),
    retiredBy: z.string().nullable().openapi({ description: 'The change that did, e.g. its workflow id.' }),
    contracts: z.array(z.object({ contractNumber: z.string(), tier: z.enum(contractTiers), validFrom: z.string(), validTo: z.string().nullable() })),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('Asset');
export const AssetPage = page(Asset).openapi('AssetPage');
export const AssetListQuery = PagingQuery.extend({ customerNumber: queryText(64).optional(), q: queryText(100).optional() });

/** Instants as ISO strings in views. */
export function withInstants<T extends { createdAt: Date; updatedAt: Date }>(value: T): Omit<T, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string } {
  return { ...value, createdAt: value.createdAt.toISOString(), updatedAt: value.updatedAt.toISOString() };
}

// Support groups
export const GroupName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a group name: letters, digits, ".", "_" or "-", at most 64, e.g. 1st-level')
  .openapi({ example: '1st-level' });
export const GroupNameParam = z.object({ name: GroupName.openapi({ param: { name: 'name', in: 'path' } }) });
export const GroupCreate = z.strictObject({ name: GroupName, description: text(500).optional().openapi({ example: 'First-line support: phone and mail, 7-19' }) }).openapi('GroupCreate');
export const GroupChanges = changes({ description: text(500) }).openapi('GroupChanges');
export const Group = z
  .object({ name: z.string(), description: z.string(), members: z.number().int().openapi({ description: 'Users in the group, active or not.' }), createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() })
  .openapi('Group');
