// The customer portal in a real browser (Debian's Chromium through playwright-core), served by a
// real HTTP server over the Temporal dev server, Postgres and an SMTP receiver: sign-in by the
// mailed link and by password, a new request with its cover shown before sending, the
// acknowledgement, an agent's reply, the customer's reply with a file, every page checked by
// axe-core, English, sign-out, and the same pages with JavaScript switched off; the knowledge
// base: a suggestion while a request's title is typed, opened, voted on, and the request not sent
// (a deflection), and the knowledge base's own pages.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidents } from '../../src/db/schema/index.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { createSmtpMailer } from '../../src/mail/outbound.js';
import { getStateQuery } from '../../src/workflows/incident/messages.js';
import { launchChromium, screenshot, seriousViolations } from '../support/browser.js';
import { houseMailFrom } from '../support/mail-stack.js';
import { linkIn, portalContact } from '../support/portal.js';
import { freePort } from '../support/ports.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

const password = 'correct horse battery';
let stack: TestStack;
let smtp: SmtpReceiver;
let server: ServerType;
let browser: Browser;
let origin: string;
let agent: TestUser;
let contact: { email: string; name: string };
let other: { email: string };

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  smtp = await startSmtpReceiver();
  const mailer = createSmtpMailer(smtp.url);
  [stack, browser] = await Promise.all([
    startTestStack({ worker: { mailer, mailFrom: houseMailFrom, portalUrl: origin }, api: { mail: { mailFrom: houseMailFrom, mailer }, portal: { baseUrl: origin }, kb: { deflectionWindowMinutes: 0 } } }),
    launchChromium(),
  ]);
  await seedDemoData(stack.database.db);
  agent = await createUserWithToken(stack.database.db, 'agent', 'Anna Agent');
  // Stadtwerke (K-10002): a Platinum contract that covers the firewall, not the NAS. The customer
  // admin sees the quota on "Our contracts"; the second contact signs in without JavaScript.
  contact = await portalContact(stack.database.db, { customerNumber: 'K-10002', name: 'Sabine Portal', password, admin: true });
  other = await portalContact(stack.database.db, { customerNumber: 'K-10002', name: 'Jonas Ohne', password });
  server = serve({ fetch: stack.app.fetch, hostname: '127.0.0.1', port });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  expect((server.address() as AddressInfo).port).toBe(port);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await stack?.stop();
  await smtp?.close();
});

const state = (number: string) => stack.temporal.client.workflow.getHandle(incidentWorkflowId(number)).query(getStateQuery);

/** Every page in the browser tests is checked: no serious or critical axe-core violation. */
async function expectAccessible(page: Page) {
  expect(await seriousViolations(page), `axe on ${page.url()}`).toEqual([]);
}

/** A German browser context that records console errors (a blocked script or style shows up there). */
async function newContext(options: { javaScriptEnabled?: boolean; locale?: string } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: origin, locale: options.locale ?? 'de-DE', viewport: { width: 1100, height: 800 }, javaScriptEnabled: options.javaScriptEnabled ?? true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => response.status() >= 400 && errors.push(`${response.status()} ${response.url()}`));
  return { context, page, errors };
}

async function signInWithPassword(page: Page, email: string) {
  await page.goto('/portal/sign-in');
  await page.locator('#password-email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Mit Passwort anmelden' }).click();
  await page.waitForURL('**/portal/requests');
}

describe('the portal in a browser', () => {
  let page: Page;
  let errors: string[];
  let number: string;

  beforeAll(async () => {
    ({ page, errors } = await newContext());
  });

  it('signs in by the mailed link, once', async () => {
    const { context, page: linkPage, errors: linkErrors } = await newContext();
    await linkPage.goto('/portal/sign-in');
    await expect.poll(() => linkPage.title()).toBe('Anmelden · Kundenportal');
    await expectAccessible(linkPage);
    await screenshot(linkPage, 'portal-sign-in');
    await linkPage.locator('#link-email').fill(contact.email);
    await linkPage.getByRole('button', { name: 'Anmeldelink senden' }).click();
    await linkPage.getByText('Wenn die Adresse bei uns bekannt ist, ist ein Anmeldelink unterwegs.').waitFor();

    const mail = await eventually(() => Promise.resolve(smtp.to(contact.email).find((m) => (m.parsed.text ?? '').includes('/portal/sign-in/link?token='))));
    const link = linkIn(mail.parsed.text ?? '');
    await linkPage.goto(link);
    await expectAccessible(linkPage);
    await linkPage.getByRole('button', { name: 'Jetzt anmelden' }).click();
    await linkPage.waitForURL('**/portal/requests');
    await expect.poll(() => linkPage.locator('h1').textContent()).toBe('Anfragen unseres Unternehmens');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'helpdesk_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // The link works once: opened again, it is refused in words.
    await linkPage.goto(link);
    await linkPage.getByText('Dieser Anmeldelink wurde schon verwendet.').waitFor();
    // The refused link is a 400 page, the one error expected here.
    expect(linkErrors.filter((e) => !e.includes('/portal/sign-in/link?token=') && !e.includes('status of 400'))).toEqual([]);
    await context.close();
  });

  it('signs in by password', async () => {
    await signInWithPassword(page, contact.email);
    await expect.poll(() => page.locator('nav[aria-label="Hauptnavigation"] a[aria-current="page"]').textContent()).toBe('Meine Anfragen');
  });

  it('opens a new request, showing the cover as the device changes, and the acknowledgement arrives', async () => {
    await page.getByRole('link', { name: 'Neue Anfrage' }).click();
    await page.waitForURL('**/portal/requests/new');
    await expectAccessible(page);
    const cover = page.locator('#cover');
    await page.locator('#serialNumber').selectOption('NAS-DS923-5501');
    await expect.poll(() => cover.textContent()).toContain('Kostenpflichtig: kein Vertrag deckt dieses Gerät ab.');
    await page.locator('#serialNumber').selectOption('FW-FG100F-0042');
    await expect.poll(() => cover.textContent()).toContain('Abgedeckt durch Ihren Platin-Vertrag V-2026-0002.');
    await page.locator('#title').fill('VPN bricht alle 10 Minuten ab');
    await page.locator('#description').fill('Seit heute Morgen fällt der VPN-Tunnel zur Außenstelle regelmäßig aus.');
    await page.locator('#impact').selectOption('medium');
    await page.locator('#urgency').selectOption('high');
    await page.locator('#attachments').setInputFiles({ name: 'vpn-log.txt', mimeType: 'text/plain', buffer: Buffer.from('IKE SA deleted\n') });
    await expectAccessible(page);
    await screenshot(page, 'portal-new-request');
    await page.getByRole('button', { name: 'Anfrage senden' }).click();
    await page.waitForURL(/\/portal\/requests\/INC-\d{4}-\d{6}/);
    number = /INC-\d{4}-\d{6}/.exec(page.url())![0];
    await page.getByText(`Ihre Anfrage ${number} ist angekommen.`).waitFor();
    const [row] = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
    expect(row).toMatchObject({ channel: 'portal', customerNumber: 'K-10002', serialNumber: 'FW-FG100F-0042', contractTier: 'platinum', entitlementDecision: 'covered' });
    await expect.poll(() => page.locator('.files a').allTextContents()).toContain('vpn-log.txt');

    const acknowledgement = await eventually(() => Promise.resolve(smtp.to(contact.email).find((m) => (m.parsed.subject ?? '').startsWith(`[${number}] Eingangsbestätigung`))), 30_000);
    expect(acknowledgement.parsed.text).toContain(`${origin}/portal/requests/${number}`);
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('.conversation').textContent();
      }, { timeout: 15_000 })
      .toContain('Eingangsbestätigung per E-Mail versendet');
  });

  it('shows the agent\'s reply from the API', async () => {
    const reply = await stack.request('POST', `/api/incidents/${number}/reply`, { token: agent.token, body: { text: 'Wir prüfen die Phase-2-Parameter des Tunnels.' } });
    expect(reply.status).toBe(200);
    await expect
      .poll(async () => {
        await page.goto(`/portal/requests/${number}`);
        return page.locator('.conversation').textContent();
      }, { timeout: 15_000 })
      .toContain('Wir prüfen die Phase-2-Parameter des Tunnels.');
    await expect.poll(() => page.locator('.conversation').textContent()).toContain('Anna Agent (Helpdesk) antwortete');
    await expect.poll(() => page.locator('.status').first().textContent()).toBe('In Bearbeitung');
  });

  it('takes the customer\'s reply with a file, and the next-response clock restarts', async () => {
    await page.locator('#reply-text').fill('Die Logs vom Tunnel hängen an.');
    await page.locator('#reply-files').setInputFiles({ name: 'tunnel.log', mimeType: 'text/plain', buffer: Buffer.from('phase2 rekey failed\n') });
    await page.getByRole('button', { name: 'Senden', exact: true }).click();
    await page.waitForURL(`**/portal/requests/${number}?done=sent`);
    await page.getByText('Ihre Nachricht ist angekommen.').waitFor();
    const running = await eventually(async () => {
      const s = await state(number);
      return s.clocks?.nextResponse && !s.clocks.nextResponse.stoppedAt ? s : undefined;
    });
    expect(running.clocks?.firstResponse?.stoppedAt).toEqual(expect.any(String));
    await expect.poll(() => page.locator('.conversation').textContent()).toContain('Die Logs vom Tunnel hängen an.');
    await expect.poll(() => page.locator('.conversation').textContent()).toContain('tunnel.log');
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('dl.facts').textContent();
      })
      .toMatch(/Antwort bis .*Platin/);
    await expectAccessible(page);
    await screenshot(page, 'portal-request');
  });

  it('lists the requests with their state in words, and finds one', async () => {
    await page.getByRole('link', { name: 'Meine Anfragen' }).click();
    await page.waitForURL('**/portal/requests');
    await expect.poll(() => page.locator('table').textContent()).toContain(number);
    await expectAccessible(page);
    await screenshot(page, 'portal-requests');
    await page.getByLabel('Suche').fill('Außenstelle');
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await expect.poll(() => page.locator('tbody').textContent()).toContain('VPN bricht alle 10 Minuten ab');
  });

  it('requests a callback with the contract\'s promise shown', async () => {
    await page.getByRole('link', { name: 'Rückruf' }).click();
    await page.waitForURL('**/portal/callback');
    await expect.poll(() => page.locator('main').textContent()).toMatch(/Wir rufen Sie innerhalb von .+ zurück\./);
    await expect.poll(() => page.locator('#phone').inputValue()).toBe('+49 211 555 0199');
    await page.locator('#topic').fill('Rückfrage zur VPN-Konfiguration');
    await page.locator('#request').selectOption(number);
    await expectAccessible(page);
    await screenshot(page, 'portal-callback');
    await page.getByRole('button', { name: 'Rückruf anfordern' }).click();
    await page.getByText(/Ihr Rückruf ist angefragt: wir rufen .+ an\./).waitFor();
    await expectAccessible(page);
  });

  it('shows the contracts, with the quota for the customer admin', async () => {
    await page.getByRole('link', { name: 'Unsere Verträge' }).click();
    await page.waitForURL('**/portal/contracts');
    await expect.poll(() => page.locator('main').textContent()).toContain('V-2026-0002');
    await expect.poll(() => page.locator('main').textContent()).toContain('Platin');
    await expectAccessible(page);
    await screenshot(page, 'portal-contracts');
  });

  it('shows the profile, and switches to English for good', async () => {
    await page.getByRole('link', { name: 'Profil' }).click();
    await page.waitForURL('**/portal/profile');
    await expect.poll(() => page.locator('main').textContent()).toContain(contact.email);
    await expectAccessible(page);
    await screenshot(page, 'portal-profile');

    await page.getByRole('button', { name: 'Sprache wechseln: English' }).click();
    await page.waitForURL('**/portal/profile');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Profile');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    // The choice is the contact's: a German browser still gets English pages.
    await page.goto(`/portal/requests/${number}`);
    await expect.poll(() => page.locator('dl.facts').textContent()).toMatch(/Response by .*Platinum/);
    await expect.poll(() => page.locator('.conversation').textContent()).toContain('Acknowledgement sent by e-mail');
    await expectAccessible(page);
    await page.goto('/portal/requests/new');
    await page.locator('#serialNumber').selectOption('NAS-DS923-5501');
    await expect.poll(() => page.locator('#cover').textContent()).toContain('Billable: no contract covers this device.');
    await expectAccessible(page);
  });

  it('signs out, and the pages ask for a sign-in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/portal/sign-in?out=1');
    await page.getByText('You are signed out.').waitFor();
    await page.goto('/portal/requests');
    expect(new URL(page.url()).pathname).toBe('/portal/sign-in');
    await expectAccessible(page);
  });

  it('logs no error in the console (no script or style blocked by the policy)', () => {
    expect(errors).toEqual([]);
  });
});

describe('the portal without JavaScript', () => {
  let context: BrowserContext;
  let page: Page;
  let number: string;

  beforeAll(async () => {
    ({ context, page } = await newContext({ javaScriptEnabled: false }));
  });
  afterAll(async () => context?.close());

  it('signs in, checks the cover by a button, and sends the request', async () => {
    await signInWithPassword(page, other.email);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Meine Anfragen');
    await page.goto('/portal/requests/new');
    await page.locator('#title').fill('NAS antwortet nicht');
    await page.locator('#description').fill('Die Freigabe \\\\nas\\projekte ist nicht erreichbar.');
    await page.locator('#serialNumber').selectOption('NAS-DS923-5501');
    // Without htmx, "check cover" sends the form and shows the cover, keeping what was typed.
    await page.getByRole('button', { name: 'Deckung prüfen' }).click();
    await expect.poll(() => page.locator('#cover').textContent()).toContain('Kostenpflichtig: kein Vertrag deckt dieses Gerät ab.');
    await expect.poll(() => page.locator('#title').inputValue()).toBe('NAS antwortet nicht');
    await expect.poll(() => page.locator('#serialNumber').inputValue()).toBe('NAS-DS923-5501');
    await page.getByRole('button', { name: 'Anfrage senden' }).click();
    await page.waitForURL(/\/portal\/requests\/INC-\d{4}-\d{6}/);
    number = /INC-\d{4}-\d{6}/.exec(page.url())![0];
    const [row] = await stack.database.db.select().from(incidents).where(eq(incidents.number, number));
    expect(row).toMatchObject({ channel: 'portal', serialNumber: 'NAS-DS923-5501', entitlementDecision: 'billable' });
  });

  it('replies, marks the request solved, and switches the language', async () => {
    await page.locator('#reply-text').fill('Nach einem Neustart geht es wieder.');
    await page.getByRole('button', { name: 'Senden', exact: true }).click();
    await page.getByText('Ihre Nachricht ist angekommen.').waitFor();
    await page.getByRole('button', { name: 'Problem gelöst' }).click();
    await page.getByText('Danke! Die Anfrage ist als gelöst markiert.').waitFor();
    expect((await state(number)).status).toBe('resolved');
    await page.getByRole('button', { name: 'Sprache wechseln: English' }).click();
    await expect.poll(() => page.locator('h2#reply-heading').textContent()).toBe('Reopen');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
  });
});

describe('the knowledge base in a browser', () => {
  let page: Page;
  let errors: string[];
  let customer: { email: string };

  beforeAll(async () => {
    customer = await portalContact(stack.database.db, { customerNumber: 'K-10001', name: 'Klara Wissen', password });
    ({ page, errors } = await newContext());
    await signInWithPassword(page, customer.email);
  });

  const article = async (id: string) => {
    const res = await stack.app.request(`/api/kb/articles/${id}`, { headers: { Authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { title: string; stats: { helpful: number; notHelpful: number; suggestionOpens: number; deflections: number } };
  };

  it('suggests an article as the title is typed; opened, voted on and the request not sent, it counts a deflection', async () => {
    await page.goto('/portal/requests/new');
    await page.locator('#title').pressSequentially('Drucker ist offline', { delay: 40 });
    const suggestion = page.locator('#kb-suggestions a', { hasText: 'Drucker wird als „Offline“ angezeigt' });
    await suggestion.waitFor();
    await expectAccessible(page);
    await screenshot(page, 'portal-kb-suggestions');
    const href = (await suggestion.getAttribute('href'))!;
    const id = /\/portal\/kb\/([0-9a-f-]{36})\?from=/.exec(href)![1]!;
    const before = await article(id);
    await suggestion.click();
    await page.waitForURL(`**/portal/kb/${id}?from=*`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Drucker wird als „Offline“ angezeigt');
    await expectAccessible(page);
    await screenshot(page, 'portal-kb-article');
    await page.getByRole('button', { name: 'Ja', exact: true }).click();
    await page.getByText('Danke für Ihre Rückmeldung!').waitFor();
    // The customer leaves without sending the request.
    await page.getByRole('link', { name: 'Meine Anfragen' }).click();
    await page.waitForURL('**/portal/requests');
    const after = await article(id);
    expect(after.stats.helpful).toBe(before.stats.helpful + 1);
    expect(after.stats.suggestionOpens).toBe(before.stats.suggestionOpens + 1);
    expect(after.stats.deflections).toBe(before.stats.deflections + 1);
  });

  it('counts no deflection when the request is sent after all', async () => {
    await page.goto('/portal/requests/new');
    await page.locator('#title').pressSequentially('VPN Fehler 809', { delay: 40 });
    const suggestion = page.locator('#kb-suggestions a').first();
    await suggestion.waitFor();
    const id = /\/portal\/kb\/([0-9a-f-]{36})\?from=/.exec((await suggestion.getAttribute('href'))!)![1]!;
    const before = await article(id);
    await suggestion.click();
    await page.waitForURL(`**/portal/kb/${id}?from=*`);
    await page.getByRole('link', { name: 'Zurück zur neuen Anfrage' }).click();
    await page.waitForURL('**/portal/requests/new?submission=*');
    await page.locator('#title').fill('VPN Fehler 809 trotz Anleitung');
    await page.locator('#description').fill('Die Anleitung hat nicht geholfen, der Fehler 809 kommt weiter.');
    await page.getByRole('button', { name: 'Anfrage senden' }).click();
    await page.waitForURL(/\/portal\/requests(\/INC-\d{4}-\d{6}|\?opened=)/);
    const after = await article(id);
    expect(after.stats.suggestionOpens).toBe(before.stats.suggestionOpens + 1);
    expect(after.stats.deflections).toBe(before.stats.deflections);
  });

  it('browses and searches the knowledge base, in German and English', async () => {
    await page.getByRole('link', { name: 'Wissensdatenbank' }).click();
    await page.waitForURL('**/portal/kb');
    await page.locator('#kb-q').fill('Kennwort vergesen');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.waitForURL('**/portal/kb?q=*');
    await page.locator('.kb-list a', { hasText: 'Passwort' }).or(page.locator('.kb-list a', { hasText: 'Kennwort' })).first().waitFor();
    await expect.poll(() => page.locator('.kb-list mark').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshot(page, 'portal-kb');
    await page.getByRole('button', { name: 'Sprache wechseln: English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Knowledge base');
    await page.getByRole('link', { name: 'Printers & scanners' }).click();
    await page.locator('.kb-list a', { hasText: 'offline' }).first().waitFor();
    await expectAccessible(page);
    expect(errors).toEqual([]);
  });
});
