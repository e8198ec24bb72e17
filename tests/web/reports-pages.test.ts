// The managers' report pages on a real Postgres, the app in-process: the overview's headline
// per tier, its tables, links and charts, the drill-downs behind a bar, the CSV downloads, a bad
// period (400, never 500), German and English, and who may see them (managers and admins; an
// agent gets 404, nobody the sign-in, and an API token opens nothing).
import { describe, expect, it } from 'vitest';
import { apiOnTestDatabase } from '../support/api-database.js';
import { appVisitor, type PortalVisitor } from '../support/portal.js';
import { breachCauseGiven, levelReached, reportIncident, targetEnded } from '../support/report-facts.js';
import { staffMember, staffPassword } from '../support/staff.js';

const october = 'from=2026-10-01&to=2026-10-31';

async function seed(db: Parameters<typeof reportIncident>[0]) {
  // Gold in October: 3 targets ended, 1 breached (66.7 %); in September 1 of 1 met (100 %).
  await reportIncident(db, 'INC-2026-000090', { tier: 'gold', receivedAt: new Date('2026-09-09T08:00:00Z') });
  await targetEnded(db, 'INC-2026-000090', 'resolution', 'met', '2026-09-10T10:00:00Z');
  await reportIncident(db, 'INC-2026-000101', { tier: 'gold', receivedAt: new Date('2026-10-05T08:00:00Z'), title: 'Drucker im Lager' });
  await targetEnded(db, 'INC-2026-000101', 'firstResponse', 'met', '2026-10-05T08:30:00Z');
  await targetEnded(db, 'INC-2026-000101', 'resolution', 'met', '2026-10-06T12:00:00Z');
  await reportIncident(db, 'INC-2026-000102', { tier: 'gold', receivedAt: new Date('2026-10-13T08:00:00Z'), customerNumber: 'K-20002', title: 'Firewall fällt aus' });
  await levelReached(db, 'INC-2026-000102', 2, '2026-10-14T10:00:00Z');
  await levelReached(db, 'INC-2026-000102', 3, '2026-10-15T09:30:00Z');
  await targetEnded(db, 'INC-2026-000102', 'resolution', 'breached', '2026-10-15T14:00:00Z', 95);
  await breachCauseGiven(db, 'INC-2026-000102', 'capacity');
  await reportIncident(db, 'INC-2026-000103', { tier: 'platinum', receivedAt: new Date('2026-10-20T08:00:00Z') });
  await targetEnded(db, 'INC-2026-000103', 'firstResponse', 'met', '2026-10-20T08:10:00Z');
  // Open now, received three days ago (no policy, so business days are calendar days): the 2–4 bar.
  await reportIncident(db, 'INC-2026-000104', { tier: 'silver', status: 'in_progress', receivedAt: new Date(Date.now() - 3 * 86_400_000), title: 'Mailserver langsam' });
}

const api = apiOnTestDatabase({ integration: 'admin' }, { seed });
const decoded = (html: string) => html.replaceAll('&amp;', '&');

async function signedIn(role: 'manager' | 'admin' | 'agent', language?: 'en'): Promise<PortalVisitor> {
  const member = await staffMember(api.database.db, role);
  const visitor = appVisitor(api.app, language ? { 'Accept-Language': 'en-GB,en;q=0.9' } : { 'Accept-Language': 'de-DE' });
  await visitor.get('/staff/sign-in');
  const answer = await visitor.post('/staff/sign-in', { email: member.email, password: staffPassword });
  expect(answer.status).toBe(303);
  return visitor;
}

/** The text of the table with this caption, tags stripped, cells separated by " | ". */
function tableText(html: string, caption: string): string {
  const at = html.indexOf(`<caption>${caption}</caption>`);
  expect(at, `table "${caption}"`).toBeGreaterThan(-1);
  const table = html.slice(at, html.indexOf('</table>', at));
  return table
    .replace(/<\/t[hd]>/g, ' | ')
    .replace(/<\/tr>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/[ \t]+/g, ' ');
}

describe('report pages: who may see them', () => {
  it('sends someone without a session to the staff sign-in, and back here after it', async () => {
    const answer = await appVisitor(api.app).get(`/reports?${october}`);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`/staff/sign-in?next=${encodeURIComponent(`/reports?${october}`)}`);
    const csv = await appVisitor(api.app).get(`/reports/sla.csv?${october}`);
    expect(csv.status).toBe(303);
  });

  it('does not open for an API token: pages take sessions', async () => {
    const answer = await appVisitor(api.app, { Authorization: `Bearer ${api.users.integration.token}` }).get('/reports');
    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(/^\/staff\/sign-in/);
  });

  it('answers 404 to an agent, on the pages and the downloads, and names no report', async () => {
    const agent = await signedIn('agent');
    for (const path of ['/reports', `/reports/sla?${october}`, '/reports/backlog', `/reports/sla.csv?${october}`, '/reports/nothing']) {
      const answer = await agent.get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.html).toContain('Seite nicht gefunden');
      expect(answer.html).not.toContain('href="/reports/sla"');
      expect(answer.html).not.toContain('Berichte');
    }
  });

  it('opens for managers and admins, with the reports CSP', async () => {
    for (const role of ['manager', 'admin'] as const) {
      const answer = await (await signedIn(role)).get(`/reports?${october}`);
      expect(answer.status, role).toBe(200);
      expect(answer.headers.get('content-security-policy')).toContain("style-src 'self'");
    }
  });
});

describe('the overview', () => {
  it('shows compliance per tier against its target with the change since the previous period, in German', async () => {
    const manager = await signedIn('manager');
    const { status, html } = await manager.get(`/reports?${october}`);
    expect(status).toBe(200);
    expect(html).toContain('<html lang="de"');
    expect(html).toMatch(/Gold<\/span> <span class="tier-value">66,7\u00a0%<\/span><span class="tier-change"> \(−33,3 Pp\.\)<\/span>/);
    expect(html).toMatch(/Ziel 95\u00a0%<strong class="verdict"> · Ziel verfehlt<\/strong>/);
    expect(html).toMatch(/Platin<\/span> <span class="tier-value">100\u00a0%<\/span>/);
    expect(html).toMatch(/Ziel 98\u00a0%<strong class="verdict"> · Ziel erreicht<\/strong>/);
    expect(html).toContain('3 beendete Ziele, davon 1 verletzt');
    expect(html).toMatch(/Silber<\/span> <span class="tier-value">keine beendeten Ziele/);
    // The headline card opens the tier's targets.
    expect(decoded(html)).toContain('href="/reports/sla?from=2026-10-01&to=2026-10-31&groupBy=tier&key=gold"');
  });

  it('draws each chart as inline SVG followed by its data table, CSV link and drill-down links', async () => {
    const manager = await signedIn('manager');
    const html = decoded((await manager.get(`/reports?${october}`)).html);
    expect(html.match(/<svg[^>]*class="report-chart"/g)).toHaveLength(4);
    expect(html).not.toMatch(/<script(?! src="\/assets)/);
    // Trend: 12 weeks up to the week of 31 Oct (Monday 26 Oct); Gold's September week 100 %, the week of 12 Oct 0 %.
    const trend = tableText(html, 'Einhaltung der letzten 12 Wochen als Tabelle');
    expect(trend).toContain('07.09. | – | 100\u00a0% | – |');
    expect(trend).toContain('12.10. | – | 0\u00a0% | – |');
    expect(trend).toContain('26.10. |');
    // Escalations per week: the firewall reached level 2 and 3 in the week of 12 Oct; each bar opens its incidents.
    const escalations = tableText(html, 'Eskalationen je Woche als Tabelle');
    expect(escalations).toContain('12.10. | 1 | 1 |');
    expect(html).toContain('href="/reports/escalations?from=2026-10-12&to=2026-10-18&minLevel=2"');
    expect(html).toContain('href="/reports/escalations?from=2026-10-12&to=2026-10-18&minLevel=3"');
    // Backlog by age: the open incident is in the 2–4 business days bar.
    const backlog = tableText(html, 'Rückstand nach Alter als Tabelle');
    expect(backlog).toContain('2-4 Tage | 1 |');
    expect(backlog).toContain('0-1 Tage | 0 |');
    expect(html).toContain('href="/reports/backlog?dimension=businessAge&key=2-4"');
    // Breach causes.
    expect(tableText(html, 'Ursachen von Verletzungen als Tabelle')).toContain('Kapazität | 1 | 100\u00a0% |');
    // The CSV links.
    for (const href of ['/reports/sla.csv?from=2026-10-01&to=2026-10-31&groupBy=tier', '/reports/escalations.csv?from=2026-08-10&to=2026-11-01&minLevel=2', '/reports/backlog.csv', '/reports/breach-causes.csv?from=2026-10-01&to=2026-10-31']) {
      expect(html).toContain(`href="${href}"`);
    }
    // Bars in the SVG link to their drill-down as well.
    expect(html).toMatch(/<a [^>]*href="\/reports\/backlog\?dimension=businessAge&key=2-4"/);
  });

  it('is in English with an English browser', async () => {
    const manager = await signedIn('manager', 'en');
    const { html } = await manager.get(`/reports?${october}`);
    expect(html).toContain('<html lang="en"');
    expect(html).toMatch(/Gold<\/span> <span class="tier-value">66.7%<\/span><span class="tier-change"> \(−33.3 pp\)<\/span>/);
    expect(html).toMatch(/target 95%<strong class="verdict"> · target missed<\/strong>/);
    expect(html).toContain('Compliance over the last 12 weeks');
    expect(html).toContain('Last month');
    expect(html).not.toContain('Ziel verfehlt');
  });

  it('takes the last full month by default and offers the quick periods', async () => {
    const manager = await signedIn('manager');
    const { status, html } = await manager.get('/reports');
    expect(status).toBe(200);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
    const firstOfMonth = `${today.slice(0, 8)}01`;
    const lastMonthEnd = new Date(Date.parse(`${firstOfMonth}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(html).toContain(`name="to" value="${lastMonthEnd}"`);
    expect(html).toContain(`name="from" value="${lastMonthEnd.slice(0, 8)}01"`);
    for (const label of ['Letzter Monat', 'Dieser Monat', 'Letzte 30 Tage', 'Dieses Quartal']) expect(html).toContain(label);
    expect(html).toMatch(/<form class="filters card" method="get" action="\/reports">/);
  });

  it('re-renders the form with a clear message for a bad date, a reversed or a too long period (400)', async () => {
    const manager = await signedIn('manager');
    const cases: [string, string][] = [
      ['from=2026-13-01&to=2026-10-31', 'Bitte geben Sie beide Tage als Datum an'],
      ['from=gestern&to=2026-10-31', 'Bitte geben Sie beide Tage als Datum an'],
      ['from=2026-10-31&to=2026-10-01', 'Der Zeitraum beginnt nach seinem Ende'],
      ['from=2024-01-01&to=2026-10-31', 'höchstens zwei Jahre'],
    ];
    for (const [q, message] of cases) {
      for (const path of [`/reports?${q}`, `/reports/sla?${q}`, `/reports/escalations?${q}`, `/reports/sla.csv?${q}`]) {
        const answer = await manager.get(path);
        expect(answer.status, path).toBe(400);
        expect(answer.html, path).toContain(message);
        expect(answer.html, path).toContain('role="alert"');
      }
    }
    expect((await manager.get(`/reports/sla?${october}&groupBy=colour`)).status).toBe(400);
    expect((await manager.get(`/reports/sla?${october}&target=lunch`)).status).toBe(400);
    expect((await manager.get('/reports/escalations?minLevel=7')).status).toBe(400);
    expect((await manager.get('/reports/backlog?dimension=colour&key=x')).status).toBe(400);
  });
});

describe('the drill-downs', () => {
  it('lists the targets behind a figure, under the SLA report grouped as asked', async () => {
    const manager = await signedIn('manager');
    const { status, html } = await manager.get(`/reports/sla?${october}&groupBy=tier&key=gold&outcome=breached`);
    expect(status).toBe(200);
    const report = tableText(html, 'Einhaltung nach Vertragsstufe, 01.10.2026 bis 31.10.2026');
    expect(report).toMatch(/Gold \| 100\u00a0%\s*1 · 0 verletzt \| – \| 50\u00a0%\s*2 · 1 verletzt \|/);
    expect(report).toMatch(/Platin \| 100\u00a0%/);
    expect(html).toContain('Auswahl: Vertragsstufe Gold, verletzt');
    expect(html).toContain('1 von 1 Zielen');
    expect(html).toContain('INC-2026-000102');
    expect(html).toContain('Firewall fällt aus');
    expect(html).not.toContain('INC-2026-000101');
    expect(html).toContain('1 Std. 35 Min. / 1 Std.');
    const byCustomer = await manager.get(`/reports/sla?${october}&groupBy=customer`);
    expect(tableText(byCustomer.html, 'Einhaltung nach Kunde, 01.10.2026 bis 31.10.2026')).toContain('K-20002');
    expect(byCustomer.html).toContain('4 von 4 Zielen');
  });

  it('lists the escalated incidents with their levels, exact instants, time at level and cause, and the counts', async () => {
    const manager = await signedIn('manager');
    const { status, html } = await manager.get('/reports/escalations?from=2026-10-12&to=2026-10-18&minLevel=2');
    expect(status).toBe(200);
    expect(html).toContain('1 eskalierte Vorfälle');
    expect(html).toContain('INC-2026-000102');
    expect(html).toContain('Stufe 2 (Verletzung)');
    expect(html).toContain('Stufe 3 (Management)');
    expect(html).toContain('datetime="2026-10-14T10:00:00.000Z"');
    expect(html).toContain('14.10.2026, 12:00:00');
    expect(html).toContain('Dauer auf der Stufe: 23 Std. 30 Min.');
    expect(html).toContain('Benachrichtigt: manager');
    expect(html).toContain('Kapazität');
    expect(tableText(html, 'Nach Kunde')).toContain('K-20002 | 1 | 1 |');
    expect(tableText(html, 'Nach Gruppe')).toContain('Service Desk | 1 | 1 |');
    const other = await manager.get('/reports/escalations?from=2026-10-12&to=2026-10-18&minLevel=2&customerNumber=K-20001');
    expect(other.html).toContain('0 eskalierte Vorfälle');
  });

  it('lists the open incidents behind a backlog bar', async () => {
    const manager = await signedIn('manager');
    const { status, html } = await manager.get('/reports/backlog?dimension=businessAge&key=2-4');
    expect(status).toBe(200);
    expect(html).toContain('Rückstand: Alter (Arbeitstage): 2-4 Tage');
    expect(html).toContain('INC-2026-000104');
    expect(html).toContain('Mailserver langsam');
    expect(html).not.toContain('INC-2026-000101');
    const empty = await manager.get('/reports/backlog?dimension=businessAge&key=0-1');
    expect(empty.html).toContain('Keine offenen Vorfälle in diesem Balken.');
  });
});

describe('the CSV downloads', () => {
  it('streams the SLA report, the escalations, the backlog and the breach causes as CSV', async () => {
    const manager = await signedIn('manager');
    const sla = await manager.get(`/reports/sla.csv?${october}&groupBy=tier`);
    expect(sla.status).toBe(200);
    expect(sla.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(sla.headers.get('content-disposition')).toBe('attachment; filename="sla-tier-2026-10-01-2026-10-31.csv"');
    const lines = sla.html.trim().split('\n');
    expect(lines[0]).toBe('groupKey,groupLabel,target,ended,met,breached,compliancePercent,medianBusinessMinutes,p90BusinessMinutes,openBreached');
    expect(lines).toContain('gold,gold,resolution,2,1,1,50,70,90,0');
    expect(lines).toContain('total,total,firstResponse,2,2,0,100,45,45,0');

    const escalations = await manager.get('/reports/escalations.csv?from=2026-10-01&to=2026-10-31&minLevel=2');
    expect(escalations.status).toBe(200);
    expect(escalations.html).toContain('INC-2026-000102,Firewall fällt aus,K-20002');
    expect(escalations.html).toContain(',3,management,2026-10-15T09:30:00.000Z,');

    const backlog = await manager.get('/reports/backlog.csv?dimension=businessAge&key=2-4');
    expect(backlog.html.split('\n')[0]).toBe('number,title,receivedAt,status,priority,group,tier,businessDays,calendarDays');
    expect(backlog.html).toContain('INC-2026-000104,Mailserver langsam');

    const causes = await manager.get(`/reports/breach-causes.csv?${october}`);
    expect(causes.html.trim().split('\n')).toEqual(['cause,incidents,percent', 'capacity,1,100']);
  });
});
