// GET /api/incidents on a real Postgres: every filter, the three orders, keyset pagination and its
// errors, and the readable SLA fields (whole minutes, met instants, local times). The list reads
// only the projection, so the rows are written straight into it, as the workflows' activities would.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { projectionRow } from '../../src/db/projection.js';
import { incidents } from '../../src/db/schema/index.js';
import type { IncidentStatus, Priority } from '../../src/domain/enums.js';
import { openIncident } from '../../src/domain/incident/state.js';
import { pauseClock, stopClock } from '../../src/domain/sla.js';
import { encodeListCursor } from '../../src/services/incident-list.js';
import { apiCaller, databaseOnlyApp, type ApiAnswer } from '../support/api.js';
import { createTestDatabase } from '../support/database.js';
import { goldPolicy } from '../support/policies.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

interface Spec {
  n: number;
  title: string;
  description?: string;
  status: IncidentStatus;
  priority: Priority;
  customer: string;
  assignee?: 'agent' | 'other';
  group?: string;
  level?: number;
  breached?: boolean;
  receivedAt: string;
  /** Targets met at this instant (resolved or closed). */
  stoppedAt?: string;
  /** The resolution clock paused since (pending on the customer). */
  pausedSince?: string;
}

const hour = 3_600_000;
const base = Date.parse('2026-11-20T10:00:00Z');
const at = (hoursBefore: number) => new Date(base - hoursBefore * hour).toISOString();

const specs: Spec[] = [
  { n: 1, title: 'Papierstau des Druckers', description: 'Im zweiten Stock', status: 'new', priority: 'P1', customer: 'K-1', receivedAt: at(1) },
  { n: 2, title: 'Printers are offline', description: 'The whole floor cannot print', status: 'in_progress', priority: 'P2', customer: 'K-1', assignee: 'agent', group: '2nd-level', level: 1, receivedAt: at(2) },
  { n: 3, title: 'Störung im Netzwerk', status: 'in_progress', priority: 'P3', customer: 'K-2', assignee: 'other', group: '1st-level', level: 2, breached: true, receivedAt: at(3) },
  { n: 4, title: 'Mail delivery delayed', status: 'pending_customer', priority: 'P4', customer: 'K-2', assignee: 'agent', group: '2nd-level', level: 3, breached: true, receivedAt: at(4), pausedSince: at(3.5) },
  { n: 5, title: 'VPN drops', status: 'resolved', priority: 'P2', customer: 'K-3', assignee: 'other', group: '1st-level', breached: true, receivedAt: at(5), stoppedAt: at(4.5) },
  { n: 6, title: 'Laptop does not boot', status: 'assigned', priority: 'P1', customer: 'K-3', assignee: 'agent', receivedAt: at(6) },
  { n: 7, title: 'Bildschirm flackert', description: 'Wie bei INC-2026-000006', status: 'new', priority: 'P3', customer: 'K-1', group: '2nd-level', level: 1, receivedAt: at(7) },
  { n: 8, title: 'Old request', status: 'closed', priority: 'P4', customer: 'K-2', assignee: 'other', receivedAt: at(8), stoppedAt: at(7) },
  // Around a day boundary in Berlin: 10 Nov 00:30 and 9 Nov 23:30 local time.
  { n: 9, title: 'Shortly after midnight', status: 'new', priority: 'P2', customer: 'K-4', receivedAt: '2026-11-09T23:30:00.000Z' },
  { n: 10, title: 'Shortly before midnight', status: 'new', priority: 'P2', customer: 'K-4', receivedAt: '2026-11-09T22:30:00.000Z' },
  // Pairs received at the same instant: the number breaks the tie.
  ...Array.from({ length: 14 }, (_, k): Spec => ({
    n: 11 + k,
    title: `Filler ${k}`,
    status: (['new', 'in_progress', 'assigned'] as const)[k % 3]!,
    priority: (['P1', 'P2', 'P3', 'P4'] as const)[k % 4]!,
    customer: 'K-5',
    level: k % 4 === 0 ? 2 : 0,
    receivedAt: at(20 + Math.floor(k / 2)),
  })),
];

const numberOf = (n: number) => `INC-2026-${String(n).padStart(6, '0')}`;

let database: Database;
let get: (path: string, user?: TestUser) => Promise<ApiAnswer>;
let agent: TestUser;
let other: TestUser;

beforeAll(async () => {
  database = await createTestDatabase();
  const call = apiCaller(databaseOnlyApp(database.db, { timezone: 'Europe/Berlin' }));
  agent = await createUserWithToken(database.db, 'agent', 'Anna Agent');
  other = await createUserWithToken(database.db, 'agent', 'Otto Other');
  get = (path, user = agent) => call('GET', path, user);
  const rows = specs.map((s) => {
    const state = openIncident({
      number: numberOf(s.n),
      title: s.title,
      description: s.description ?? '',
      channel: 'api',
      impact: null,
      urgency: null,
      priority: s.priority,
      receivedAt: s.receivedAt,
      openedBy: { id: 'system', name: 'test' },
      customer: { id: '00000000-0000-4000-8000-000000000001', number: s.customer, name: s.customer },
      contact: null,
      asset: null,
      contract: null,
      slaPolicyId: null,
      sla: goldPolicy,
    }).state;
    const clocks = { ...state.clocks };
    if (s.stoppedAt) for (const target of ['firstResponse', 'resolution'] as const) clocks[target] = stopClock(clocks[target]!, new Date(s.stoppedAt));
    if (s.pausedSince) clocks.resolution = pauseClock(clocks.resolution!, new Date(s.pausedSince));
    const user = s.assignee === 'agent' ? agent : s.assignee === 'other' ? other : null;
    return projectionRow({
      ...state,
      clocks,
      status: s.status,
      assignee: user && { id: user.id, name: user.name },
      assignedGroup: s.group ?? null,
      escalationLevel: s.level ?? 0,
      slaBreached: s.breached ?? false,
    });
  });
  await database.db.insert(incidents).values(rows);
});
afterAll(async () => database?.close());
afterEach(() => vi.useRealTimers());

const byReceived = (a: Spec, b: Spec) => Date.parse(b.receivedAt) - Date.parse(a.receivedAt) || b.n - a.n;
const expected = (keep: (s: Spec) => boolean) => specs.filter(keep).sort(byReceived).map((s) => numberOf(s.n));
const numbers = (answer: ApiAnswer): string[] => answer.body.items.map((i: { number: string }) => i.number);

/** Every page of `path` through `nextCursor`, `limit` rows at a time. */
async function walk(path: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const answer = await get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...numbers(answer));
    cursor = answer.body.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('more than 100 pages');
}

describe('GET /api/incidents filters', () => {
  it('lists all, newest first, ties by number, with the total', async () => {
    const answer = await get('/api/incidents?limit=200');
    expect(answer.status).toBe(200);
    expect(numbers(answer)).toEqual(expected(() => true));
    expect(answer.body).toMatchObject({ total: specs.length, limit: 200, offset: 0, nextCursor: null });
    // Fillers 11 and 12 share an instant: 12 first.
    expect(numbers(answer).indexOf(numberOf(12))).toBeLessThan(numbers(answer).indexOf(numberOf(11)));
  });

  it.each([
    ['status=in_progress', (s: Spec) => s.status === 'in_progress'],
    ['status=new&status=pending_customer', (s: Spec) => s.status === 'new' || s.status === 'pending_customer'],
    ['status=new,resolved', (s: Spec) => s.status === 'new' || s.status === 'resolved'],
    ['status=new,resolved&status=closed', (s: Spec) => ['new', 'resolved', 'closed'].includes(s.status)],
    ['priority=P1', (s: Spec) => s.priority === 'P1'],
    ['priority=P1,P4', (s: Spec) => s.priority === 'P1' || s.priority === 'P4'],
    ['customerNumber=K-2', (s: Spec) => s.customer === 'K-2'],
    ['group=2nd-level', (s: Spec) => s.group === '2nd-level'],
    ['escalationLevel=2', (s: Spec) => (s.level ?? 0) >= 2],
    ['escalationLevel=1', (s: Spec) => (s.level ?? 0) >= 1],
    ['escalationLevel=0', () => true],
    ['breached=true', (s: Spec) => s.breached === true],
    ['breached=false', (s: Spec) => !s.breached],
    ['customerNumber=K-1&status=new&priority=P3', (s: Spec) => s.customer === 'K-1' && s.status === 'new' && s.priority === 'P3'],
    ['group=2nd-level&breached=true', (s: Spec) => s.group === '2nd-level' && s.breached === true],
  ])('filters by %s', async (query, keep) => {
    const answer = await get(`/api/incidents?${query}&limit=200`);
    expect(answer.status, answer.text).toBe(200);
    const want = expected(keep);
    expect(want.length).toBeGreaterThan(0);
    expect(numbers(answer)).toEqual(want);
    expect(answer.body.total).toBe(want.length);
  });

  it('filters by assignee: a user id, or me for the caller', async () => {
    expect(numbers(await get(`/api/incidents?assignee=${other.id}`))).toEqual(expected((s) => s.assignee === 'other'));
    expect(numbers(await get('/api/incidents?assignee=me'))).toEqual(expected((s) => s.assignee === 'agent'));
    expect(numbers(await get('/api/incidents?assignee=me', other))).toEqual(expected((s) => s.assignee === 'other'));
    const bad = await get('/api/incidents?assignee=anna');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['assignee']);
  });

  it('bounds the receipt half-open: from inclusive, to exclusive, a day from its start in the house zone', async () => {
    // 10 Nov in Berlin starts at 9 Nov 23:00Z: the 23:30Z incident is on the 10th, the 22:30Z one on the 9th.
    expect(numbers(await get('/api/incidents?receivedFrom=2026-11-10&receivedTo=2026-11-11'))).toEqual([numberOf(9)]);
    expect(numbers(await get('/api/incidents?receivedFrom=2026-11-09&receivedTo=2026-11-10'))).toEqual([numberOf(10)]);
    expect(numbers(await get('/api/incidents?receivedFrom=2026-11-09T22:30:00Z&receivedTo=2026-11-09T23:30:00Z'))).toEqual([numberOf(10)]);
    expect(numbers(await get('/api/incidents?receivedFrom=2026-11-10T00:30:00%2B01:00&receivedTo=2026-11-10T00:30:01%2B01:00'))).toEqual([numberOf(9)]);
    const recent = await get(`/api/incidents?receivedFrom=${encodeURIComponent(at(4))}&limit=200`);
    expect(numbers(recent)).toEqual(expected((s) => Date.parse(s.receivedAt) >= Date.parse(at(4))));
    const bad = await get('/api/incidents?receivedFrom=2026-02-30&receivedTo=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['receivedFrom', 'receivedTo']);
  });
});

describe('GET /api/incidents?q= full text', () => {
  it.each([
    ['Drucker', [1]], // German stemming: "Druckers" in the title
    ['printer', [2]], // English stemming: "Printers"
    ['print', [2]], // "print" in the description
    ['Storung', [3]], // accents ignored
    ['störungen', [3]],
    ['"Mail delivery"', [4]], // a phrase
    ['Filler -Filler', []],
    ['Bildschirm OR VPN', [5, 7]],
  ])('q=%s', async (q, want) => {
    const answer = await get(`/api/incidents?q=${encodeURIComponent(q)}&limit=200`);
    expect(answer.status, answer.text).toBe(200);
    expect(numbers(answer)).toEqual(expected((s) => want.includes(s.n)));
  });

  it('takes any text as a query: operators, quotes and stop words never make a 500', async () => {
    for (const q of ["'", '"', '&|!:*()', 'der die das', 'the', '-', 'a:*', '\\', 'OR', '"unclosed phrase', 'Drucker & | ! Störung']) {
      const answer = await get(`/api/incidents?q=${encodeURIComponent(q)}`);
      expect(answer.status, q).toBe(200);
    }
    expect(numbers(await get(`/api/incidents?q=${encodeURIComponent('the printers')}`))).toEqual([numberOf(2)]);
  });

  it('finds an incident by its exact number, in any case, and those whose text names it, with the other filters', async () => {
    expect(numbers(await get(`/api/incidents?q=${numberOf(6)}`))).toEqual([numberOf(6), numberOf(7)]);
    expect(numbers(await get(`/api/incidents?q=${numberOf(6).toLowerCase()}`))).toEqual([numberOf(6), numberOf(7)]);
    expect(numbers(await get(`/api/incidents?q=${numberOf(6)}&status=new`))).toEqual([numberOf(7)]);
    expect(numbers(await get(`/api/incidents?q=${numberOf(8)}&sort=level`))).toEqual([numberOf(8)]);
  });
});

describe('GET /api/incidents sorting and pagination', () => {
  /** The earliest due instant of a target that still runs (overdue included), as the picture shows it. */
  const dueKey = (item: { sla: { targets: { state: string; dueAt: string | null }[] } }) =>
    Math.min(...item.sla.targets.filter((t) => (t.state === 'running' || t.state === 'breached') && t.dueAt).map((t) => Date.parse(t.dueAt!)));

  it('sort=due: the earliest running due first, none running last, ties by number ascending', async () => {
    const answer = await get('/api/incidents?sort=due&limit=200');
    expect(answer.status).toBe(200);
    const items = answer.body.items;
    const want = [...items].sort((a, b) => dueKey(a) - dueKey(b) || (a.number < b.number ? -1 : 1)).map((i) => i.number);
    expect(numbers(answer)).toEqual(want);
    // Met (5, 8) have no running target: at the end.
    expect(numbers(answer).slice(-2).sort()).toEqual([numberOf(5), numberOf(8)]);
    // The paused resolution of 4 does not count; its first response (due long before) does.
    expect(items.find((i: { number: string }) => i.number === numberOf(4)).sla.targets.find((t: { target: string }) => t.target === 'resolution').state).toBe('paused');
  });

  it('sort=level: highest escalation first, ties by number descending', async () => {
    const answer = await get('/api/incidents?sort=level&limit=200');
    const want = [...specs].sort((a, b) => (b.level ?? 0) - (a.level ?? 0) || b.n - a.n).map((s) => numberOf(s.n));
    expect(numbers(answer)).toEqual(want);
  });

  it.each(['received', 'due', 'level'])('a cursor walk under sort=%s returns every row exactly once, in the order of one page', async (sort) => {
    const all = numbers(await get(`/api/incidents?sort=${sort}&limit=200`));
    for (const limit of [1, 3, 7]) expect(await walk(`/api/incidents?sort=${sort}`, limit)).toEqual(all);
    // With a filter too.
    expect(await walk(`/api/incidents?sort=${sort}&status=new,in_progress`, 2)).toEqual(numbers(await get(`/api/incidents?sort=${sort}&status=new,in_progress&limit=200`)));
  });

  it('offset pages stay for compatibility and give a cursor onwards', async () => {
    const all = expected(() => true);
    const page = await get('/api/incidents?limit=5&offset=5');
    expect(numbers(page)).toEqual(all.slice(5, 10));
    expect(page.body.offset).toBe(5);
    const next = await get(`/api/incidents?limit=5&cursor=${page.body.nextCursor}`);
    expect(numbers(next)).toEqual(all.slice(10, 15));
    expect(next.body.offset).toBe(0);
  });

  it('counts on a first page, not on the pages after it unless asked, never with total=false', async () => {
    const first = await get('/api/incidents?limit=2');
    expect(first.body.total).toBe(specs.length);
    expect((await get(`/api/incidents?limit=2&cursor=${first.body.nextCursor}`)).body.total).toBeNull();
    expect((await get(`/api/incidents?limit=2&total=true&status=new&cursor=${first.body.nextCursor}`)).body.total).toBe(specs.filter((s) => s.status === 'new').length);
    expect((await get('/api/incidents?limit=2&offset=2')).body.total).toBe(specs.length);
    const uncounted = await get('/api/incidents?total=false&limit=2');
    expect(uncounted.body.total).toBeNull();
    expect(uncounted.body.items).toHaveLength(2);
  });

  it('refuses a tampered cursor, a cursor of another sort, and cursor with offset, naming the field', async () => {
    const page = await get('/api/incidents?limit=2');
    const cursor: string = page.body.nextCursor;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    const tampered = [
      'not-a-cursor!',
      `${cursor.slice(0, -2)}xx`,
      Buffer.from('{"sort":"received"').toString('base64url'),
      Buffer.from(JSON.stringify({ ...decoded, key: "2026-11-20'; drop table incidents; --" })).toString('base64url'),
      Buffer.from(JSON.stringify({ ...decoded, number: 'INC-1' })).toString('base64url'),
      Buffer.from(JSON.stringify({ ...decoded, extra: 1 })).toString('base64url'),
      encodeListCursor('level', 'x', numberOf(1)),
    ];
    for (const bad of tampered) {
      const answer = await get(`/api/incidents?cursor=${encodeURIComponent(bad)}`);
      expect(answer.status, bad).toBe(400);
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
    }
    const otherSort = await get(`/api/incidents?sort=due&cursor=${cursor}`);
    expect(otherSort.status).toBe(400);
    expect(otherSort.body.errors).toEqual([{ field: 'cursor', message: expect.stringContaining('sort=received') }]);
    const both = await get(`/api/incidents?offset=0&cursor=${cursor}`);
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
  });

  it('refuses bad limits, statuses, sorts and unknown parameters with the field named', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['status=new,nonsense', 'status'],
      ['status=', 'status'],
      ['priority=P5', 'priority'],
      ['sort=title', 'sort'],
      ['escalationLevel=4', 'escalationLevel'],
      ['breached=yes', 'breached'],
      ['stauts=new', ''],
    ] as const) {
      const answer = await get(`/api/incidents?${query}`);
      expect(answer.status, query).toBe(400);
      const fields = answer.body.errors.map((e: { field: string; message: string }) => `${e.field} ${e.message}`).join('; ');
      expect(fields, query).toContain(field || 'stauts');
    }
    expect((await get('/api/incidents?limit=200')).body.items).toHaveLength(specs.length);
    expect((await get('/api/incidents?limit=1')).body.items).toHaveLength(1);
  });
});

describe('the SLA picture a person can read', () => {
  it('whole minutes, met instants without a remaining budget, local times in the calendar zone', async () => {
    // 5 was received Fri 20 Nov 05:00Z (06:00 Berlin, before opening) and resolved at 05:30Z: nothing counted yet.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-20T09:12:44.000Z') });
    const met = (await get(`/api/incidents/${numberOf(5)}`)).body;
    const firstResponse = met.sla.targets.find((t: { target: string }) => t.target === 'firstResponse');
    expect(met.sla.zone).toBe('Europe/Berlin');
    expect(firstResponse).toMatchObject({ state: 'met', metAt: '2026-11-20T05:30:00.000Z', metAtLocal: '2026-11-20T06:30+01:00[Europe/Berlin]', remainingMinutes: null, elapsedMinutes: 0 });
    expect(met.sla.asOfLocal).toBe('2026-11-20T10:12:44+01:00[Europe/Berlin]');

    // 2 was received 08:00Z (09:00 Berlin), P2: first response due 11:00 Berlin; at 09:12:44Z 72.733 minutes are used.
    const running = (await get(`/api/incidents/${numberOf(2)}`)).body;
    const target = running.sla.targets.find((t: { target: string }) => t.target === 'firstResponse');
    expect(target).toMatchObject({ state: 'running', budgetMinutes: 120, dueAt: '2026-11-20T10:00:00.000Z', dueAtLocal: '2026-11-20T11:00+01:00[Europe/Berlin]', metAt: null, elapsedMinutes: 72, remainingMinutes: 48 });
    expect(running.dueLocal.firstResponse).toBe('2026-11-20T11:00+01:00[Europe/Berlin]');
    const resolution = running.sla.targets.find((t: { target: string }) => t.target === 'resolution');
    expect(resolution.elapsedMinutes + resolution.remainingMinutes).toBe(resolution.budgetMinutes);
    expect(Number.isInteger(resolution.elapsedMinutes)).toBe(true);

    // The list items carry the same fields.
    const list = (await get(`/api/incidents?q=${numberOf(2)}`)).body.items[0];
    expect(list.sla.targets.find((t: { target: string }) => t.target === 'firstResponse')).toMatchObject({ elapsedMinutes: 72, remainingMinutes: 48, dueAtLocal: '2026-11-20T11:00+01:00[Europe/Berlin]' });
  });
});
