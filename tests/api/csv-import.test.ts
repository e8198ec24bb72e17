// POST /api/import/{kind}: CSV from an ERP, all rows or none, every bad row reported with its line.
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assets, contacts, contracts, customers, projects, timeEntries } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { type TestUser } from '../support/users.js';

const api = apiOnTestDatabase({ agent: 'agent', admin: 'admin' }, { seed: seedDemoData });
const { agent, admin } = api.users;

async function importCsv(kind: string, csv: string | Uint8Array, options: { user?: TestUser; dryRun?: boolean; contentType?: string } = {}) {
  const res = await api.app.request(`/api/import/${kind}${options.dryRun ? '?dryRun=true' : ''}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${(options.user ?? admin).token}`, 'Content-Type': options.contentType ?? 'text/csv; charset=utf-8' },
    body: csv,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('Content-Type'), body: text ? JSON.parse(text) : undefined };
}

const customerCount = async () => (await api.database.db.select({ n: count() }).from(customers))[0]!.n;

const customersCsv = [
  'customerNumber,name,mailDomains,language,creditHold,accountManagerEmail',
  'K-50001,Alpha GmbH,alpha.example|alpha-gruppe.example,de,no,max.manager@helpdesk.example',
  'K-50002,"Beta, Gamma & Co. KG",beta.example,en,yes,',
].join('\n');

describe('customers', () => {
  it('creates customers, and a re-import of the same file changes nothing', async () => {
    const first = await importCsv('customers', customersCsv);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ kind: 'customers', rows: 2, created: 2, updated: 0, unchanged: 0, dryRun: false });
    const beta = await api.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-50002'));
    expect(beta[0]).toMatchObject({ name: 'Beta, Gamma & Co. KG', language: 'en', creditHold: true, accountManagerId: null });
    const alpha = await api.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-50001'));
    expect(alpha[0]!.mailDomains).toEqual(['alpha.example', 'alpha-gruppe.example']);

    const again = await importCsv('customers', customersCsv);
    expect(again.body).toEqual({ kind: 'customers', rows: 2, created: 0, updated: 0, unchanged: 2, dryRun: false });
  });

  it('updates by customer number and leaves columns the file does not have untouched', async () => {
    const res = await importCsv('customers', 'customerNumber,creditHold\nK-50001,ja\n');
    expect(res.body).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const [alpha] = await api.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-50001'));
    expect(alpha).toMatchObject({ name: 'Alpha GmbH', creditHold: true, mailDomains: ['alpha.example', 'alpha-gruppe.example'] });
  });

  it('reads semicolon files with a BOM, as German Excel writes them', async () => {
    const csv = '\uFEFFcustomerNumber;name;mailDomains;language;creditHold;accountManagerEmail\r\nK-50003;Delta Öl GmbH;delta.example;de;0;\r\n';
    const res = await importCsv('customers', new TextEncoder().encode(csv));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1 });
    const [delta] = await api.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-50003'));
    expect(delta!.name).toBe('Delta Öl GmbH');
  });

  it('counts lines from the file, also with CRLF, quoted line breaks and empty lines', async () => {
    const csv = 'customerNumber;name;language\r\nK-50040;"Zwei\r\nZeilen GmbH";de\r\n\r\nK-50041;Bad;xx\r\n';
    const res = await importCsv('customers', csv);
    // A name is one line; the row after the quoted line break and the empty line is still line 5.
    expect(res.body.errors).toEqual([
      { field: 'line 2: name', message: 'name: must be 1-200 characters without control characters.' },
      { field: 'line 5: language', message: 'language: "xx" is not one of de, en.' },
    ]);
  });

  it('with dryRun checks and counts but writes nothing', async () => {
    const before = await customerCount();
    const res = await importCsv('customers', 'customerNumber,name\nK-50010,Dry Run AG\nK-50001,Alpha GmbH\n', { dryRun: true });
    expect(res.body).toEqual({ kind: 'customers', rows: 2, created: 1, updated: 0, unchanged: 1, dryRun: true });
    expect(await customerCount()).toBe(before);
  });

  it('writes nothing when one row is bad, and reports every bad row with its line and column', async () => {
    const before = await customerCount();
    const csv = [
      'customerNumber,name,language,creditHold,accountManagerEmail',
      'K-50020,Good One AG,de,no,',
      'K-50021,Bad Language AG,fr,maybe,',
      'K-50022,Good Two AG,de,no,',
      'K-50023,Unknown Manager AG,de,no,nobody@helpdesk.example',
      'K-50024,,de,no,',
    ].join('\n');
    const res = await importCsv('customers', csv);
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.errors).toEqual([
      { field: 'line 3: language', message: 'language: "fr" is not one of de, en.' },
      { field: 'line 3: creditHold', message: 'creditHold: "maybe" is not a yes/no value (true/false, yes/no, 1/0).' },
      { field: 'line 5: accountManagerEmail', message: 'accountManagerEmail: no user with e-mail nobody@helpdesk.example.' },
      { field: 'line 6: name', message: 'name: must be 1-200 characters without control characters.' },
    ]);
    expect(res.body.detail).toContain('nothing was written: 4 error(s)');
    expect(await customerCount()).toBe(before);
  });

  it('refuses unknown and missing columns, and files that are not CSV', async () => {
    const unknown = await importCsv('customers', 'customerNumber,name,colour\nK-50030,X,red\n');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('line 1: colour');
    const missing = await importCsv('customers', 'name\nX\n');
    expect(missing.body.errors).toEqual([{ field: 'line 1: customerNumber', message: 'The column customerNumber is required.' }]);
    const broken = await importCsv('customers', 'customerNumber,name\nK-50031,"unclosed\n');
    expect(broken.status).toBe(400);
    expect(broken.body.detail).toContain('not valid CSV');
    const json = await importCsv('customers', '{}', { contentType: 'application/json' });
    expect(json.status, JSON.stringify(json.body)).toBe(415);
    expect(json.body.errors).toEqual([{ field: 'Content-Type', message: 'send text/csv (got application/json)' }]);
  });

  it('refuses files over 10 MB with 413', async () => {
    const big = 'customerNumber,name\n' + 'K-1,x\n'.repeat(2_000_000);
    const res = await importCsv('customers', big);
    expect(res.status).toBe(413);
  });

  it('is for admins only', async () => {
    const res = await importCsv('customers', customersCsv, { user: agent });
    expect(res.status).toBe(403);
  });
});

describe('contacts, contracts and assets', () => {
  it('imports contacts by e-mail regardless of case', async () => {
    const res = await importCsv('contacts', 'email,customerNumber,name,phone,language\nanna@alpha.example,K-50001,Anna Alpha,+49 1,en\nPETRA.MUELLER@mueller-maschinenbau.example,K-10001,Petra Müller-Lang,,\n');
    expect(res.body).toMatchObject({ created: 1, updated: 1 });
    const [petra] = await api.database.db.select().from(contacts).where(eq(contacts.email, 'petra.mueller@mueller-maschinenbau.example'));
    expect(petra).toMatchObject({ name: 'Petra Müller-Lang', phone: null });
  });

  it('imports the portal settings: a customer\'s sharing mode and its customer admins', async () => {
    const sharing = await importCsv('customers', 'customerNumber,name,portalSharing\nK-50101,Portal AG,organisation_reply\nK-50102,Portal Zwei AG,\n');
    expect(sharing.status).toBe(200);
    const rows = await api.database.db.select().from(customers).where(eq(customers.name, 'Portal AG'));
    expect(rows[0]).toMatchObject({ portalSharing: 'organisation_reply' });
    expect((await api.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-50102')))[0]).toMatchObject({ portalSharing: 'own' });
    const bad = await importCsv('customers', 'customerNumber,name,portalSharing\nK-50103,Portal Drei AG,all\n');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'line 2: portalSharing' })]);

    const admins = await importCsv('contacts', 'email;customerNumber;name;portalAdmin\nchefin@portal.example;K-50101;Chefin;ja\nteam@portal.example;K-50101;Team;\n');
    expect(admins.body).toMatchObject({ created: 2 });
    const [chefin] = await api.database.db.select().from(contacts).where(eq(contacts.email, 'chefin@portal.example'));
    const [team] = await api.database.db.select().from(contacts).where(eq(contacts.email, 'team@portal.example'));
    expect([chefin?.portalAdmin, team?.portalAdmin]).toEqual([true, false]);
  });

  it('imports assets and contracts, creates the project with each contract, and is idempotent', async () => {
    const assetsCsv = 'serialNumber;identNumber;product;customerNumber;contractNumber\nALPHA-SRV-1;ID-500001;Server;K-50001;\nALPHA-SRV-2;;NAS;K-50001;\n';
    expect((await importCsv('assets', assetsCsv)).body).toMatchObject({ created: 2 });

    const contractsCsv = [
      'contractNumber;customerNumber;tier;validFrom;validTo;coversAllAssets;coveredSerialNumbers;slaPolicy;monthlyFeeCents;rateRemoteCents;rateOnsiteCents;rateTravelCents;quotaMinutes;quotaPeriod;projectKind',
      'V-5000-0001;K-50001;gold;2026-01-01;2026-12-31;no;ALPHA-SRV-1|ALPHA-SRV-2;Gold;39000;9000;;6000;600;quarter;maintenance',
      'V-5000-0002;K-50002;silver;2026-01-01;;yes;;;0;;;;;;',
    ].join('\n');
    const first = await importCsv('contracts', contractsCsv);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 2, updated: 0 });
    const [alpha] = await api.database.db.select().from(contracts).where(eq(contracts.contractNumber, 'V-5000-0001'));
    expect(alpha).toMatchObject({ monthlyFeeCents: 39_000, hourlyRates: { remote: 9000, travel: 6000 }, quotaMinutes: 600, quotaPeriod: 'quarter', validTo: '2026-12-31' });
    expect(alpha!.slaPolicyId).not.toBeNull();
    const [project] = await api.database.db.select().from(projects).where(eq(projects.contractId, alpha!.id));
    expect(project).toMatchObject({ projectNumber: 'P-V-5000-0001', kind: 'maintenance', name: 'Maintenance V-5000-0001' });
    const view = await api.app.request('/api/assets/ALPHA-SRV-2', { headers: { Authorization: `Bearer ${agent.token}` } });
    expect(((await view.json()) as { contracts: unknown }).contracts).toEqual([{ contractNumber: 'V-5000-0001', tier: 'gold', validFrom: '2026-01-01', validTo: '2026-12-31' }]);

    expect((await importCsv('contracts', contractsCsv)).body).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect((await importCsv('assets', assetsCsv)).body).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it('applies the API rules to each row: overlapping cover, other customer\'s serial numbers, validity', async () => {
    const contractsCsv = [
      'contractNumber,customerNumber,tier,validFrom,validTo,coveredSerialNumbers,slaPolicy,monthlyFeeCents',
      'V-5000-0010,K-50001,silver,2026-06-01,2027-05-31,ALPHA-SRV-1,,0',
      'V-5000-0011,K-50001,silver,2026-06-01,2026-05-01,,,0',
      'V-5000-0012,K-50001,silver,2026-06-01,,,Diamond,12.50',
      'V-5000-0013,K-50001,silver,2030-01-01,,FW-FG100F-0042,,0',
      'V-5000-0014,K-50001,silver,2031-01-01,,,,9999999999',
    ].join('\n');
    const res = await importCsv('contracts', contractsCsv);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'line 2: contractNumber', message: 'Asset ALPHA-SRV-1 is already covered by contract V-5000-0001 (2026-01-01 to 2026-12-31); contract V-5000-0010 (2026-06-01 to 2027-05-31) overlaps it.' },
      { field: 'line 3: validTo', message: 'validTo: the validity ends (2026-05-01) before it starts (2026-06-01).' },
      { field: 'line 4: monthlyFeeCents', message: 'monthlyFeeCents: "12.50" is not a non-negative whole number.' },
      { field: 'line 5: coveredSerialNumbers', message: 'coveredSerialNumbers: asset FW-FG100F-0042 belongs to customer K-10002; a contract may only list assets of its own customer.' },
      { field: 'line 6: monthlyFeeCents', message: 'monthlyFeeCents: must be a non-negative whole number of cents up to 2000000000, got 9999999999.' },
    ]);
    expect(await api.database.db.select().from(contracts).where(eq(contracts.contractNumber, 'V-5000-0010'))).toEqual([]);

    const policy = await importCsv('contracts', 'contractNumber,customerNumber,tier,validFrom,slaPolicy\nV-5000-0012,K-50001,silver,2030-01-01,Diamond\n');
    expect(policy.body.errors).toEqual([{ field: 'line 2: slaPolicy', message: 'slaPolicy: no SLA policy named "Diamond".' }]);

    const serial = await importCsv('assets', 'serialNumber,product,customerNumber\nALPHA-SRV-3,Server,K-50001\nFW-FG100F-0042,Firewall,K-50001\n');
    expect(serial.body.errors).toEqual([{ field: 'line 3: serialNumber', message: 'Serial number FW-FG100F-0042 is registered to customer K-10002.' }]);
    expect(await api.database.db.select().from(assets).where(eq(assets.serialNumber, 'ALPHA-SRV-3'))).toEqual([]);
  });

  it('refuses dates that do not exist or precede 1900, naming the line and column', async () => {
    const res = await importCsv('contracts', 'contractNumber,customerNumber,tier,validFrom,validTo\nV-5000-0030,K-50001,silver,0000-01-01,\nV-5000-0031,K-50001,silver,2031-01-01,2031-02-30\n');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'line 2: validFrom', message: 'validFrom: "0000-01-01" is not a date (YYYY-MM-DD).' },
      { field: 'line 3: validTo', message: 'validTo: "2031-02-30" is not a date (YYYY-MM-DD).' },
    ]);
  });

  it('refuses a new quota period type once time entries drew from the quota, and takes a new quota size', async () => {
    const header = 'contractNumber,customerNumber,tier,validFrom,validTo,quotaMinutes,quotaPeriod';
    expect((await importCsv('contracts', `${header}\nV-5000-0040,K-50002,silver,2032-01-01,2032-12-31,600,month\n`)).body).toMatchObject({ created: 1 });
    const [row] = await api.database.db.select().from(contracts).where(eq(contracts.contractNumber, 'V-5000-0040'));
    await api.database.db.insert(timeEntries).values({
      incidentNumber: 'INC-2032-000001',
      customerId: row!.customerId,
      contractId: row!.id,
      agentId: agent.id,
      workDate: '2032-03-02',
      minutes: 300,
      activityType: 'remote',
      description: 'work',
      decision: 'quota',
      quotaMinutes: 300,
      quotaPeriodStart: '2032-03-01',
      billingReason: 'drawn from the quota',
      createdBy: 'test',
    });

    const yearly = await importCsv('contracts', `${header}\nV-5000-0040,K-50002,silver,2032-01-01,2032-12-31,600,year\n`);
    expect(yearly.status).toBe(400);
    expect(yearly.body.errors).toEqual([{ field: 'line 2: contractNumber', message: expect.stringContaining('Contract V-5000-0040 has 300 minutes drawn from its quota by time entries; changing quotaPeriod from month to year') }]);
    const [unchanged] = await api.database.db.select().from(contracts).where(eq(contracts.id, row!.id));
    expect(unchanged!.quotaPeriod).toBe('month');

    expect((await importCsv('contracts', `${header}\nV-5000-0040,K-50002,silver,2032-01-01,2032-12-31,900,month\n`)).body).toMatchObject({ updated: 1 });
  });
});
