// The report pages in a real browser (Debian's Chromium through playwright-core), served by a real
// HTTP server over Postgres: a manager signs in on the staff sign-in page and lands on the
// overview, changes the period with the picker, clicks a bar and sees the incidents behind it,
// downloads the CSV, and axe-core finds no serious violation on any page. Screenshots for the README.
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOnTestDatabase } from '../support/api-database.js';
import { launchChromium, screenshot, seriousViolations } from '../support/browser.js';
import { freePort } from '../support/ports.js';
import { breachCauseGiven, levelReached, reportIncident, targetEnded } from '../support/report-facts.js';
import { staffMember, staffPassword, type TestStaff } from '../support/staff.js';

async function seed(db: Parameters<typeof reportIncident>[0]) {
  await reportIncident(db, 'INC-2026-000090', { tier: 'gold', receivedAt: new Date('2026-09-09T08:00:00Z') });
  await targetEnded(db, 'INC-2026-000090', 'resolution', 'met', '2026-09-10T10:00:00Z');
  await reportIncident(db, 'INC-2026-000091', { tier: 'platinum', receivedAt: new Date('2026-09-21T08:00:00Z') });
  await targetEnded(db, 'INC-2026-000091', 'firstResponse', 'met', '2026-09-21T08:10:00Z');
  await targetEnded(db, 'INC-2026-000091', 'resolution', 'breached', '2026-09-23T08:10:00Z', 130);
  await reportIncident(db, 'INC-2026-000101', { tier: 'gold', receivedAt: new Date('2026-10-05T08:00:00Z'), title: 'Drucker im Lager' });
  await targetEnded(db, 'INC-2026-000101', 'firstResponse', 'met', '2026-10-05T08:30:00Z');
  await targetEnded(db, 'INC-2026-000101', 'resolution', 'met', '2026-10-06T12:00:00Z');
  await reportIncident(db, 'INC-2026-000102', { tier: 'gold', receivedAt: new Date('2026-10-13T08:00:00Z'), customerNumber: 'K-20002', title: 'Firewall fällt aus' });
  await levelReached(db, 'INC-2026-000102', 1, '2026-10-13T16:00:00Z');
  await levelReached(db, 'INC-2026-000102', 2, '2026-10-14T10:00:00Z');
  await levelReached(db, 'INC-2026-000102', 3, '2026-10-15T09:30:00Z');
  await targetEnded(db, 'INC-2026-000102', 'resolution', 'breached', '2026-10-15T14:00:00Z', 95);
  await breachCauseGiven(db, 'INC-2026-000102', 'capacity');
  await reportIncident(db, 'INC-2026-000103', { tier: 'platinum', receivedAt: new Date('2026-10-20T08:00:00Z') });
  await targetEnded(db, 'INC-2026-000103', 'firstResponse', 'met', '2026-10-20T08:10:00Z');
  await targetEnded(db, 'INC-2026-000103', 'resolution', 'met', '2026-10-21T08:10:00Z');
  await reportIncident(db, 'INC-2026-000105', { tier: 'silver', receivedAt: new Date('2026-10-26T08:00:00Z') });
  await targetEnded(db, 'INC-2026-000105', 'resolution', 'met', '2026-10-27T08:10:00Z');
  await reportIncident(db, 'INC-2026-000104', { tier: 'silver', status: 'in_progress', receivedAt: new Date(Date.now() - 3 * 86_400_000), title: 'Mailserver langsam' });
  await reportIncident(db, 'INC-2026-000106', { tier: 'gold', status: 'assigned', receivedAt: new Date(Date.now() - 12 * 86_400_000), title: 'VPN bricht ab' });
}

const api = apiOnTestDatabase({}, { seed });
let server: ServerType;
let browser: Browser;
let origin: string;
let manager: TestStaff;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  browser = await launchChromium();
  manager = await staffMember(api.database.db, 'manager', { name: 'Maria Managerin' });
  server = serve({ fetch: api.app.fetch, hostname: '127.0.0.1', port });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  expect((server.address() as AddressInfo).port).toBe(port);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

async function expectAccessible(page: Page) {
  expect(await seriousViolations(page), `axe on ${page.url()}`).toEqual([]);
}

async function newContext(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: origin, locale: 'de-DE', viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => response.status() >= 400 && errors.push(`${response.status()} ${response.url()}`));
  return { context, page, errors };
}

describe('report pages in a browser', () => {
  it('a manager signs in, picks a period, opens the incidents behind a bar and downloads the CSV', async () => {
    const { context, page, errors } = await newContext();
    // Signed out, the reports send the manager to the staff sign-in, and back after it.
    await page.goto('/reports');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/staff/sign-in');
    await page.getByLabel('E-Mail-Adresse').fill(manager.email);
    await page.getByLabel('Passwort').fill(staffPassword);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL((url) => url.pathname === '/reports');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('SLA-Übersicht');
    await expectAccessible(page);

    // The period picker: October.
    await page.getByLabel('Von', { exact: true }).fill('2026-10-01');
    await page.getByLabel('Bis', { exact: true }).fill('2026-10-31');
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await page.waitForURL((url) => url.searchParams.get('from') === '2026-10-01' && url.searchParams.get('to') === '2026-10-31');
    const gold = page.locator('.headline .tier').filter({ hasText: 'Gold' });
    await expect.poll(() => gold.locator('a').textContent()).toBe('Gold 66,7\u00a0% (−33,3 Pp.)');
    expect(await gold.textContent()).toContain('Ziel verfehlt');
    expect(await page.locator('svg.report-chart').count()).toBe(4);
    await expectAccessible(page);
    await screenshot(page, 'reports-dashboard');

    // A bar of the escalations chart: the week of 12 October, level 2.
    await page.locator('#escalations-title ~ figure svg a[href="/reports/escalations?from=2026-10-12&to=2026-10-18&minLevel=2"]').first().click({ timeout: 10_000 });
    await page.waitForURL((url) => url.pathname === '/reports/escalations');
    await expect.poll(() => page.locator('table.escalations').textContent()).toContain('INC-2026-000102');
    expect(await page.locator('table.escalations').textContent()).toContain('Stufe 3 (Management)');
    await expectAccessible(page);
    await screenshot(page, 'reports-escalations');

    // A bar of the backlog: 10–19 business days (the VPN incident, 12 calendar days, no policy calendar).
    await page.goto('/reports?from=2026-10-01&to=2026-10-31');
    await page.locator('#backlog-title ~ figure svg a[href="/reports/backlog?dimension=businessAge&key=10-19"]').first().click({ timeout: 10_000 });
    await page.waitForURL((url) => url.pathname === '/reports/backlog');
    await expect.poll(() => page.locator('#list table').textContent()).toContain('VPN bricht ab');
    expect(await page.locator('#list table').textContent()).not.toContain('Mailserver langsam');
    await expectAccessible(page);

    // The SLA drill-down: the Gold card opens the targets behind it.
    await page.goto('/reports?from=2026-10-01&to=2026-10-31');
    await gold.locator('a').click({ timeout: 10_000 });
    await page.waitForURL((url) => url.pathname === '/reports/sla' && url.searchParams.get('key') === 'gold');
    await expect.poll(() => page.locator('table.targets').textContent()).toContain('INC-2026-000102');
    await expectAccessible(page);
    await screenshot(page, 'reports-sla-drill-down');

    // The CSV download of the SLA report.
    await page.goto('/reports?from=2026-10-01&to=2026-10-31');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'SLA-Bericht als CSV herunterladen' }).click()]);
    expect(download.suggestedFilename()).toBe('sla-tier-2026-10-01-2026-10-31.csv');
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.split('\n')[0]).toBe('groupKey,groupLabel,target,ended,met,breached,compliancePercent,medianBusinessMinutes,p90BusinessMinutes,openBreached');
    expect(csv).toContain('gold,gold,resolution,2,1,1,50,');

    // A period over two years is refused on the page, in words.
    await page.getByLabel('Von', { exact: true }).fill('2020-01-01');
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('höchstens zwei Jahre');
    await expectAccessible(page);

    // The refused period's 400 is expected (the response and the console's note of it).
    expect(errors.filter((e) => !e.includes('/reports?from=2020-01-01') && !e.includes('status of 400'))).toEqual([]);
    await context.close();
  }, 240_000);
});
