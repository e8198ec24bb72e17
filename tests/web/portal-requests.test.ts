// The portal's requests end to end, on a real Temporal dev server and Postgres: a new request with
// the entitlement shown before sending, the request page, an agent's reply through the API, the
// customer's reply with a file through the workflow (it restarts the next-response clock),
// "problem solved" and reopening, a callback, the contracts, and what the pages never show.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followUps, incidentEvents, incidentIntakes, incidents, portalUploads, users } from '../../src/db/schema/index.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { getStateQuery } from '../../src/workflows/incident/messages.js';
import { appVisitor, portalContact, type PortalVisitor } from '../support/portal.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let stack: TestStack;
let agent: TestUser;
let agentEmail: string;
let visitor: PortalVisitor;
const password = 'correct horse battery';

beforeAll(async () => {
  stack = await startTestStack({ worker: { portalUrl: 'https://portal.example.com' }, api: { portal: { baseUrl: 'https://portal.example.com' } } });
  await seedDemoData(stack.database.db);
  agent = await createUserWithToken(stack.database.db, 'agent', 'Anna Agent');
  agentEmail = (await stack.database.db.select({ email: users.email }).from(users).where(eq(users.id, agent.id)))[0]!.email;
  // Stadtwerke: a Platinum contract that covers the firewall and the switch, not the NAS.
  const contact = await portalContact(stack.database.db, { customerNumber: 'K-10002', name: 'Sabine Portal', password });
  visitor = appVisitor(stack.app);
  expect((await visitor.signInWithPassword(contact.email, password)).status).toBe(303);
}, 120_000);
afterAll(async () => stack?.stop());

const api = (method: string, path: string, body?: unknown) => stack.request(method, path, { token: agent.token, body });
const state = (number: string) => stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).query(getStateQuery);
const numberIn = (location: string | null) => /INC-\d{4}-\d{6}/.exec(location ?? '')?.[0];
const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

async function eventTypes(number: string): Promise<string[]> {
  const rows = await stack.database.db.select({ type: incidentEvents.type }).from(incidentEvents).where(eq(incidentEvents.incidentNumber, number)).orderBy(incidentEvents.seq);
  return rows.map((r) => r.type);
}

async function openRequest(fields: Record<string, string>, files: { filename: string; content: string }[] = []): Promise<string> {
  await visitor.get('/portal/requests/new');
  const answer = await visitor.post(
    '/portal/requests',
    { submission: visitor.field('submission'), impact: 'medium', urgency: 'high', serialNumber: '', ...fields },
    files.length ? { files: files.map((f) => ({ name: 'attachments', filename: f.filename, type: 'text/plain', content: Buffer.from(f.content) })) } : {},
  );
  expect(answer.status, answer.html.slice(0, 500)).toBe(303);
  const number = numberIn(answer.location);
  expect(number).toBeDefined();
  return number!;
}

describe('a new request', () => {
  it('lists only the customer\'s own devices and shows the cover before sending', async () => {
    const page = await visitor.get('/portal/requests/new');
    expect(page.status).toBe(200);
    expect(page.html).toContain('FW-FG100F-0042');
    expect(page.html).toContain('NAS-DS923-5501');
    expect(page.html).not.toContain('SRV-DL380-7731'); // Müller's server

    const covered = await visitor.get('/portal/requests/new/cover?serialNumber=FW-FG100F-0042');
    expect(textOf(covered.html)).toContain('Abgedeckt durch Ihren Platin-Vertrag V-2026-0002.');
    const billable = await visitor.get('/portal/requests/new/cover?serialNumber=NAS-DS923-5501');
    expect(textOf(billable.html)).toContain('Kostenpflichtig: kein Vertrag deckt dieses Gerät ab.');
    // Another customer's serial number is no device of theirs: the preview is the one without a device.
    const foreign = await visitor.get('/portal/requests/new/cover?serialNumber=SRV-DL380-7731');
    const none = await visitor.get('/portal/requests/new/cover?serialNumber=');
    expect(foreign.html).toBe(none.html);

    // Without JavaScript, "check cover" posts the form and shows the same words, keeping what was typed.
    await visitor.get('/portal/requests/new');
    const preview = await visitor.post('/portal/requests', { submission: visitor.field('submission'), intent: 'preview', title: 'Kept title', description: 'Kept text', serialNumber: 'NAS-DS923-5501', impact: 'high', urgency: 'low' });
    expect(preview.status).toBe(200);
    expect(textOf(preview.html)).toContain('Kostenpflichtig');
    expect(preview.html).toContain('value="Kept title"');
    expect(preview.html).toMatch(/<option value="NAS-DS923-5501" selected/);
    expect(await stack.database.db.select().from(incidents).where(eq(incidents.title, 'Kept title'))).toHaveLength(0);
  });

  it('opens the request through the intake path, once per submission, with its files', async () => {
    await visitor.get('/portal/requests/new');
    const submission = visitor.field('submission');
    const fields = { _csrf: visitor.csrf, submission, title: 'VPN bricht ab', description: 'Seit heute morgen fällt das VPN alle 10 Minuten aus.', serialNumber: 'FW-FG100F-0042', impact: 'medium', urgency: 'high' };
    const files = [{ name: 'attachments', filename: 'vpn-log.txt', type: 'text/plain', content: Buffer.from('IKE SA deleted\n') }];
    const first = await visitor.post('/portal/requests', fields, { files });
    expect(first.status).toBe(303);
    const number = numberIn(first.location)!;
    // The same form sent again (a double click, a reload) is the same request.
    const again = await visitor.post('/portal/requests', fields, { files });
    expect(numberIn(again.location)).toBe(number);
    expect(await stack.database.db.select().from(portalUploads).where(eq(portalUploads.incidentNumber, number))).toHaveLength(1);

    const [row] = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
    expect(row).toMatchObject({ channel: 'portal', customerNumber: 'K-10002', serialNumber: 'FW-FG100F-0042', contractTier: 'platinum', entitlementDecision: 'covered', priority: 'P2' });
    const [intake] = await stack.database.db.select().from(incidentIntakes).where(eq(incidentIntakes.number, number));
    expect(intake).toBeDefined();

    const page = await visitor.open(first.location!);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain(`${number}: VPN bricht ab`);
    expect(text).toContain('Seit heute morgen fällt das VPN alle 10 Minuten aus.');
    expect(text).toMatch(/Erste Antwort bis .*Platin, (Geschäftszeiten|rund um die Uhr)/);
    const href = /href="(\/portal\/requests\/[^"]+\/files\/upload\/[^"]+)"/.exec(page.html)![1]!;
    const file = await stack.app.request(`http://localhost${href}`, { headers: { Cookie: [...visitor.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''vpn-log.txt");
    expect(file.headers.get('content-type')).toBe('application/octet-stream');
    expect(await file.text()).toBe('IKE SA deleted\n');
  });

  it('refuses an empty title with a 400 that keeps the form', async () => {
    await visitor.get('/portal/requests/new');
    const answer = await visitor.post('/portal/requests', { submission: visitor.field('submission'), title: '  ', description: 'Only a description', impact: 'low', urgency: 'low' });
    expect(answer.status).toBe(400);
    expect(answer.html).toContain('Only a description');
    expect(textOf(answer.html)).toContain('Bitte geben Sie einen Betreff an.');
  });
});

describe('a request', () => {
  let number: string;
  beforeAll(async () => {
    number = await openRequest({ title: 'Switch Port 12 tot', description: 'Port 12 zeigt kein Link-Licht.', serialNumber: 'SW-C9300-1187' });
  });

  it('shows the agent\'s public reply by name, never an internal note or the agent\'s address', async () => {
    expect((await api('POST', `/api/incidents/${number}/notes`, { text: 'INTERNAL-ONLY: customer is difficult' })).status).toBe(200);
    expect((await api('POST', `/api/incidents/${number}/reply`, { text: 'Wir prüfen den Port und melden uns.' })).status).toBe(200);
    const page = await eventually(async () => {
      const answer = await visitor.get(`/portal/requests/${number}`);
      return answer.html.includes('Wir prüfen den Port') ? answer : undefined;
    });
    const text = textOf(page.html);
    expect(text).toContain('Anna Agent (Helpdesk) antwortete');
    expect(text).toContain('In Bearbeitung');
    expect(page.html).not.toContain('INTERNAL-ONLY');
    expect(page.html).not.toContain(agentEmail);
    expect(text).not.toMatch(/\bP[1-4]\b/); // no priority internals
  });

  it('takes the customer\'s reply with a file as a customer message, which starts the next-response clock', async () => {
    await visitor.get(`/portal/requests/${number}`);
    const answer = await visitor.post(`/portal/requests/${number}/reply`, { submission: visitor.field('submission'), text: 'Kabel getauscht, weiterhin tot.' }, { files: [{ name: 'attachments', filename: 'foto.txt', type: 'text/plain', content: Buffer.from('port12') }] });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`/portal/requests/${number}?done=sent`);
    const running = await eventually(async () => {
      const s = await state(number);
      return s.clocks?.nextResponse && !s.clocks.nextResponse.stoppedAt ? s : undefined;
    });
    expect(running.clocks?.firstResponse?.stoppedAt).toEqual(expect.any(String));
    const [message] = await eventually(async () => {
      const rows = await stack.database.db.select().from(incidentEvents).where(and(eq(incidentEvents.incidentNumber, number), eq(incidentEvents.type, 'customer_message')));
      return rows.length ? rows : undefined;
    });
    expect(message!.payload).toMatchObject({ text: 'Kabel getauscht, weiterhin tot.', attachments: [expect.objectContaining({ filename: 'foto.txt' })] });
    const page = await visitor.open(answer.location!);
    const text = textOf(page.html);
    expect(text).toContain('Ihre Nachricht ist angekommen.');
    expect(text).toContain('Sie schrieb');
    expect(text).toContain('foto.txt');
    expect(text).toMatch(/Antwort bis/);
  });

  it('resolves on "problem solved" and reopens with a reason, through the workflow', async () => {
    await visitor.get(`/portal/requests/${number}`);
    const solved = await visitor.post(`/portal/requests/${number}/solved`, { submission: `${visitor.field('submission')}s` });
    expect(solved.status).toBe(303);
    expect((await state(number)).status).toBe('resolved');
    // The resolution the customer reads (page, resolution mail) is in their language.
    expect((await state(number)).resolution).toBe('Gelöst: Sabine Portal hat im Kundenportal bestätigt, dass das Problem behoben ist.');
    const page = await visitor.open(solved.location!);
    expect(textOf(page.html)).toMatch(/gelöst am /);
    expect(page.html).toContain(`/portal/requests/${number}/reopen`);
    expect(page.html).not.toContain(`/portal/requests/${number}/reply`);

    // "Solved" twice (an old tab) is refused in words, not a 500.
    const twice = await visitor.post(`/portal/requests/${number}/solved`, { submission: 'second-solved-000000001' });
    expect(twice.status).toBe(409);
    expect(textOf(twice.html)).toContain('Diese Anfrage ist schon als gelöst markiert.');

    await visitor.get(`/portal/requests/${number}`);
    const reopened = await visitor.post(`/portal/requests/${number}/reopen`, { submission: visitor.field('submission'), reason: 'Port 12 ist wieder tot.' });
    expect(reopened.status).toBe(303);
    expect((await state(number)).status).not.toBe('resolved');
    expect(await eventTypes(number)).toEqual(expect.arrayContaining(['resolved', 'reopened']));
  });

  it('lists open and resolved requests separately and finds one by a word of its description', async () => {
    const resolved = await openRequest({ title: 'Drucker offline', description: 'Der Etagendrucker im 2. OG antwortet nicht.' });
    await eventually(async () => ((await visitor.get(`/portal/requests/${resolved}`)).status === 200 ? true : undefined));
    await visitor.get(`/portal/requests/${resolved}`);
    expect((await visitor.post(`/portal/requests/${resolved}/solved`, { submission: `${visitor.field('submission')}s` })).status).toBe(303);
    await eventually(async () => ((await stack.database.db.select().from(incidents).where(eq(incidents.number, resolved)))[0]?.status === 'resolved' ? true : undefined));

    const open = await visitor.get('/portal/requests?view=open');
    expect(open.html).toContain(number);
    expect(open.html).not.toContain(resolved);
    const done = await visitor.get('/portal/requests?view=resolved');
    expect(done.html).toContain(resolved);
    expect(done.html).not.toContain(number);
    const found = await visitor.get(`/portal/requests?view=all&q=${encodeURIComponent('Etagendrucker')}`);
    expect(found.html).toContain(resolved);
    expect(found.html).not.toContain(number);
    // The htmx partial is the table alone, without the layout.
    const partial = await visitor.get('/portal/requests?view=all&q=Etagendrucker', { 'HX-Request': 'true', 'HX-Target': 'request-list' });
    expect(partial.html).toContain(resolved);
    expect(partial.html).not.toContain('<html');
  });
});

describe('a request whose workflow refuses the step', () => {
  it('says so in German and keeps none of the reply\'s files', async () => {
    const number = await openRequest({ title: 'Beamer flackert', description: 'Der Beamer im Raum 3 flackert.' });
    await eventually(async () => ((await visitor.get(`/portal/requests/${number}`)).status === 200 ? true : undefined));
    // An agent closed it meanwhile, the long way round: its workflow is over, the page still offers a reply.
    await stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).terminate('test: ended meanwhile');
    await visitor.get(`/portal/requests/${number}`);
    const submission = visitor.field('submission');
    const refused = await visitor.post(`/portal/requests/${number}/reply`, { submission, text: 'Noch da?' }, { files: [{ name: 'attachments', filename: 'beamer.txt', type: 'text/plain', content: Buffer.from('flacker') }] });
    expect(refused.status).toBe(409);
    expect(textOf(refused.html)).toContain('Diese Anfrage hat sich inzwischen geändert');
    expect(refused.html).not.toContain('beamer.txt');
    expect(await stack.database.db.select().from(portalUploads).where(eq(portalUploads.submissionId, submission))).toHaveLength(0);
  });
});

describe('a callback', () => {
  it('shows the contract\'s callback SLA, refuses a window the service cannot keep, and takes one it can', async () => {
    const page = await visitor.get('/portal/callback');
    expect(page.status).toBe(200);
    expect(textOf(page.html)).toMatch(/Wir rufen Sie innerhalb von .+ zurück\./);
    expect(page.html).toContain('value="+49 211 555 0199"'); // the contact's phone, prefilled

    const far = new Date(Date.now() + 60 * 86_400_000);
    const local = (d: Date) => d.toISOString().slice(0, 16);
    const refused = await visitor.post('/portal/callback', { submission: visitor.field('submission'), phone: '+49 221 555 0299', topic: 'Firewall-Regeln', request: '', from: local(far), to: local(new Date(far.getTime() + 3_600_000)) });
    expect(refused.status).toBe(400);
    // In the portal's words, with the latest time the promise allows (not the API's ISO instant).
    expect(textOf(refused.html)).toMatch(/Unsere Zusage verlangt den Anruf bis (heute|morgen|\w\w\.?) ?[\d.: ]+\d\d:\d\d\. Bitte wählen Sie ein Zeitfenster/);
    expect(textOf(refused.html)).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(refused.html).toContain('Firewall-Regeln'); // the form keeps what was typed

    // A window with one end only, a past one, and a premium-rate number: each refused in words.
    await visitor.get('/portal/callback');
    const oneEnd = await visitor.post('/portal/callback', { submission: visitor.field('submission'), phone: '+49 221 555 0299', topic: 'Firewall', request: '', from: local(far), to: '' });
    expect(oneEnd.status).toBe(400);
    expect(textOf(oneEnd.html)).toContain('Datum und Uhrzeit an beiden Enden');
    const past = new Date(Date.now() - 2 * 86_400_000);
    const over = await visitor.post('/portal/callback', { submission: visitor.field('submission'), phone: '+49 221 555 0299', topic: 'Firewall', request: '', from: local(past), to: local(new Date(past.getTime() + 3_600_000)) });
    expect(textOf(over.html)).toContain('Dieses Zeitfenster ist schon vorbei.');
    const premium = await visitor.post('/portal/callback', { submission: visitor.field('submission'), phone: '+49 900 123456', topic: 'Firewall', request: '', from: '', to: '' });
    expect(premium.status).toBe(400);
    expect(textOf(premium.html)).toContain('Sonder- und Premiumnummern rufen wir nicht zurück.');

    await visitor.get('/portal/callback');
    const taken = await visitor.post('/portal/callback', { submission: visitor.field('submission'), phone: '+49 221 555 0299', topic: 'Firewall-Regeln besprechen', request: '', from: '', to: '' });
    expect(taken.status).toBe(303);
    expect(taken.location).toMatch(/^\/portal\/callbacks\/[0-9a-f-]{36}\?window=/);
    const detail = await visitor.open(taken.location!);
    expect(detail.status).toBe(200);
    expect(textOf(detail.html)).toContain('Firewall-Regeln besprechen');
    const id = /callbacks\/([0-9a-f-]{36})/.exec(taken.location!)![1]!;
    const [row] = await stack.database.db.select().from(followUps).where(eq(followUps.workflowId, `callback-${id}`));
    expect(row).toMatchObject({ kind: 'callback', customerNumber: 'K-10002' });
    expect(row!.details).toMatchObject({ phone: '+492215550299' }); // normalised, as the callback API does
    expect(textOf((await visitor.get('/portal/callback')).html)).toContain('Firewall-Regeln besprechen');
  });
});

describe('the contracts', () => {
  it('shows tier, validity and covered devices, and the quota of the period to a customer admin only', async () => {
    const page = await visitor.get('/portal/contracts');
    const text = textOf(page.html);
    expect(text).toContain('V-2026-0002');
    expect(text).toContain('Platin');
    expect(text).toContain('FW-FG100F-0042');
    expect(text).not.toContain('NAS-DS923-5501');

    const baker = await portalContact(stack.database.db, { customerNumber: 'K-10003', password });
    const bakerAdmin = await portalContact(stack.database.db, { customerNumber: 'K-10003', password, admin: true });
    const plain = appVisitor(stack.app);
    await plain.signInWithPassword(baker.email, password);
    expect(textOf((await plain.get('/portal/contracts')).html)).not.toContain('Kontingent');
    const admin = appVisitor(stack.app);
    await admin.signInWithPassword(bakerAdmin.email, password);
    expect(textOf((await admin.get('/portal/contracts')).html)).toMatch(/Kontingent im laufenden Zeitraum .*von 10 Std/);
  });
});
