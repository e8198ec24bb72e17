// Customers and contacts through the API on a real database with the demo data: lists, writes, their rules.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts } from '../../../src/db/schema/index.js';
import { masterDataApi } from '../../support/master-data.js';

const { api, incidentNaming } = masterDataApi();
const { call, users: { agent, admin, sales } } = api;

describe('customers', () => {
  it('lists with search and paging, and shows the account manager by name and e-mail', async () => {
    const page = await call('GET', '/api/customers?limit=2&offset=1', agent);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.body.items.map((c: { customerNumber: string }) => c.customerNumber)).toEqual(['K-10002', 'K-10003']);

    const search = await call('GET', '/api/customers?q=b%C3%A4ckerei', agent);
    expect(search.body.items).toHaveLength(1);
    expect(search.body.items[0]).toMatchObject({ customerNumber: 'K-10003', accountManager: { name: 'Max Manager', email: 'max.manager@helpdesk.example' } });

    const one = await call('GET', '/api/customers/K-10004', agent);
    expect(one.body).toMatchObject({ customerNumber: 'K-10004', creditHold: true, language: 'en', mailDomains: ['weber-partner.example'] });
    expect((await call('GET', '/api/customers/K-99999', agent)).status).toBe(404);
  });

  it('creates, changes and deletes a customer', async () => {
    const created = await call('POST', '/api/customers', admin, {
      customerNumber: 'K-20001',
      name: 'Neue Kunde AG',
      mailDomains: ['Neue-Kunde.EXAMPLE'],
      accountManagerEmail: 'MAX.MANAGER@helpdesk.example',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customerNumber: 'K-20001', mailDomains: ['neue-kunde.example'], language: 'de', creditHold: false, accountManager: { name: 'Max Manager' } });

    const held = await call('PATCH', '/api/customers/K-20001', admin, { creditHold: true });
    expect(held.body).toMatchObject({ creditHold: true, name: 'Neue Kunde AG', accountManager: { name: 'Max Manager' } });
    const replaced = await call('PUT', '/api/customers/K-20001', admin, { name: 'Neue Kunde AG & Co. KG', mailDomains: ['neue-kunde.example'] });
    expect(replaced.body).toMatchObject({ name: 'Neue Kunde AG & Co. KG', creditHold: false, accountManager: null });

    await call('POST', '/api/customers', admin, { customerNumber: 'K-20999', name: 'Short-lived' });
    expect((await call('DELETE', '/api/customers/K-20999', admin)).status).toBe(204);
    expect((await call('GET', '/api/customers/K-20999', agent)).status).toBe(404);
  });

  it('refuses duplicates, unknown or unfit account managers, and a mail domain of another customer', async () => {
    const duplicate = await call('POST', '/api/customers', admin, { customerNumber: 'K-10001', name: 'Again' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.detail).toBe('Customer K-10001 already exists.');

    const unknown = await call('POST', '/api/customers', admin, { customerNumber: 'K-20002', name: 'X', accountManagerEmail: 'nobody@helpdesk.example' });
    expect(unknown.status).toBe(400);
    expect(unknown.type).toContain('application/problem+json');
    expect(unknown.body.errors).toEqual([{ field: 'accountManagerEmail', message: 'accountManagerEmail: no user with e-mail nobody@helpdesk.example.' }]);

    const salesManager = await call('POST', '/api/customers', admin, { customerNumber: 'K-20002', name: 'X', accountManagerEmail: 'sven.sales@helpdesk.example' });
    expect(salesManager.status).toBe(400);
    expect(salesManager.body.detail).toContain('has role sales; an account manager must be an agent, manager or admin');

    const domain = await call('POST', '/api/customers', admin, { customerNumber: 'K-20002', name: 'X', mailDomains: ['weber-partner.example'] });
    expect(domain.status).toBe(409);
    expect(domain.body.detail).toContain('Mail domain weber-partner.example already belongs to customer K-10004');
  });

  it('refuses to delete a customer that contracts, contacts or assets still refer to', async () => {
    const res = await call('DELETE', '/api/customers/K-10002', admin);
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Customer K-10002 is still referenced by 1 contracts, 1 contacts, 3 assets; it cannot be deleted.');
  });

  it('leaves GET /api/customers/{number}/insight to the sales insight router', async () => {
    const res = await call('GET', '/api/customers/K-10001/insight', sales);
    expect(res.status).not.toBe(403);
    expect((await call('GET', '/api/customers/K-10001', sales)).status).toBe(403);
  });
});

describe('contacts', () => {
  it('creates, filters by customer, changes and deletes a contact', async () => {
    const created = await call('POST', '/api/contacts', admin, { customerNumber: 'K-10003', name: 'Eva Schmidt', email: 'eva@baeckerei-schmidt.example', phone: '+49 231 555 0302' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customerNumber: 'K-10003', name: 'Eva Schmidt', language: null });

    const list = await call('GET', '/api/contacts?customerNumber=K-10003', agent);
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((c: { email: string }) => c.email).sort()).toEqual(['eva@baeckerei-schmidt.example', 'info@baeckerei-schmidt.example']);

    const changed = await call('PATCH', `/api/contacts/${created.body.id}`, admin, { language: 'en' });
    expect(changed.body).toMatchObject({ language: 'en', name: 'Eva Schmidt' });
    expect((await call('DELETE', `/api/contacts/${created.body.id}`, admin)).status).toBe(204);
    expect((await call('GET', `/api/contacts/${created.body.id}`, agent)).status).toBe(404);
  });

  it('refuses an e-mail address that exists in another case, and an unknown customer', async () => {
    const duplicate = await call('POST', '/api/contacts', admin, { customerNumber: 'K-10001', name: 'Petra', email: 'Petra.Mueller@Mueller-Maschinenbau.example' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.detail).toContain('A contact with e-mail petra.mueller@mueller-maschinenbau.example already exists (customer K-10001)');

    const unknown = await call('POST', '/api/contacts', admin, { customerNumber: 'K-77777', name: 'X', email: 'x@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('customerNumber');
  });

  it('refuses to delete a contact an incident names', async () => {
    const list = await call('GET', '/api/contacts?q=jens', agent);
    const jens = list.body.items[0];
    await incidentNaming({ customerNumber: 'K-10001', contactId: jens.id });
    const res = await call('DELETE', `/api/contacts/${jens.id}`, admin);
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Contact jens.kraft@mueller-maschinenbau.example is named on 1 incident(s); it cannot be deleted.');
  });
});

describe('the portal settings', () => {
  it('sets which requests a customer\'s contacts see in the portal, and refuses an unknown mode', async () => {
    await call('POST', '/api/customers', admin, { customerNumber: 'K-20101', name: 'Portal Kunde GmbH' });
    expect((await call('GET', '/api/customers/K-20101', agent)).body).toMatchObject({ portalSharing: 'own' });
    const shared = await call('PATCH', '/api/customers/K-20101', admin, { portalSharing: 'organisation_read' });
    expect(shared.status).toBe(200);
    expect(shared.body).toMatchObject({ portalSharing: 'organisation_read', name: 'Portal Kunde GmbH' });
    const bad = await call('PATCH', '/api/customers/K-20101', admin, { portalSharing: 'everyone' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'portalSharing' })]);
    // A PUT replaces the customer: without the field the mode is back to the default.
    const replaced = await call('PUT', '/api/customers/K-20101', admin, { name: 'Portal Kunde GmbH' });
    expect(replaced.body).toMatchObject({ portalSharing: 'own' });
  });

  it('makes a contact the customer admin, and never shows a password hash', async () => {
    const created = await call('POST', '/api/contacts', admin, { customerNumber: 'K-10003', name: 'Paula Portal', email: 'paula@baeckerei-schmidt.example' });
    expect(created.body).toMatchObject({ portalAdmin: false });
    const promoted = await call('PATCH', `/api/contacts/${created.body.id}`, admin, { portalAdmin: true });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ portalAdmin: true, name: 'Paula Portal' });
    const bad = await call('PATCH', `/api/contacts/${created.body.id}`, admin, { portalAdmin: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'portalAdmin' })]);
    // A contact with a portal password (set in the portal, here straight in the table): no answer shows it.
    await api.database.db.update(contacts).set({ passwordHash: 'scrypt$test-salt$test-hash' }).where(eq(contacts.id, created.body.id));
    const answers = [
      promoted.body,
      (await call('GET', `/api/contacts/${created.body.id}`, agent)).body,
      (await call('GET', '/api/contacts?customerNumber=K-10003&limit=100', agent)).body,
      (await call('PATCH', `/api/contacts/${created.body.id}`, admin, { phone: '+49 30 1234' })).body,
      (await call('PUT', `/api/contacts/${created.body.id}`, admin, { customerNumber: 'K-10003', name: 'Paula Portal', email: 'paula@baeckerei-schmidt.example', portalAdmin: true })).body,
    ];
    expect(answers[2].items).toContainEqual(expect.objectContaining({ id: created.body.id, portalAdmin: true }));
    expect(answers[4]).toMatchObject({ portalAdmin: true, phone: null });
    for (const answer of answers) expect(JSON.stringify(answer)).not.toMatch(/password|test-hash/i);
    // A password-only write is no field of the API.
    expect((await call('PATCH', `/api/contacts/${created.body.id}`, admin, { passwordHash: 'x' })).status).toBe(400);
    const [stored] = await api.database.db.select({ passwordHash: contacts.passwordHash }).from(contacts).where(eq(contacts.id, created.body.id));
    expect(stored?.passwordHash).toBe('scrypt$test-salt$test-hash');
    expect((await call('DELETE', `/api/contacts/${created.body.id}`, admin)).status).toBe(204);
  });
});
