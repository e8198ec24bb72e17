// The incident list: filters, three orders and keyset pagination over the projection. Every order
// ends in the number, so it is total, and an index serves each order alone and after each filter.
import { and, count, eq, getTableColumns, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { incidents } from '../db/schema/index.js';
import { ValidationError } from '../domain/errors.js';
import type { IncidentStatus, Priority } from '../domain/enums.js';
import { isIncidentNumber } from '../domain/ticket-number.js';
import type { IncidentRow } from './incident-queries.js';

export const incidentListSorts = ['received', 'due', 'level'] as const;
export type IncidentListSort = (typeof incidentListSorts)[number];

export interface IncidentListFilter {
  statuses?: IncidentStatus[] | undefined;
  priorities?: Priority[] | undefined;
  customerNumber?: string | undefined;
  assigneeId?: string | undefined;
  group?: string | undefined;
  /** At least this escalation level. */
  minEscalationLevel?: number | undefined;
  breached?: boolean | undefined;
  /** Received in [receivedFrom, receivedTo). */
  receivedFrom?: Date | undefined;
  receivedTo?: Date | undefined;
  /** Full text over number, title and description (German and English); an exact number matches that incident. */
  q?: string | undefined;
  sort?: IncidentListSort | undefined;
  /** The `nextCursor` of the previous page (of the same sort). */
  cursor?: string | undefined;
  /** false: the count is not run (total null). */
  withTotal?: boolean | undefined;
  limit: number;
  offset?: number | undefined;
}

export interface IncidentListPage {
  rows: IncidentRow[];
  total: number | null;
  nextCursor: string | null;
}

/** A timestamp as exact text (microseconds, UTC), so a cursor never loses precision Postgres keeps. */
const exactInstant = (column: SQL | typeof incidents.receivedAt) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
// The list never returns the tsvector (it is bulky and only a filter).
const { search: _search, ...listColumns } = getTableColumns(incidents);
const dueKey = sql`coalesce(${incidents.nextDueAt}, 'infinity'::timestamptz)`;

/**
 * Per order: the ORDER BY (written exactly as its index is, nulls included), the last row's key
 * as text, and the rows after a key. Row comparisons over same-direction index columns are index
 * conditions, so a deep page is a seek, not a scan.
 */
const orders: Record<IncidentListSort, { orderBy: SQL; key: SQL<string>; after: (key: string, number: string) => SQL; validKey: (key: string) => boolean }> = {
  received: {
    orderBy: sql`${incidents.receivedAt} desc nulls last, ${incidents.number} desc nulls last`,
    key: sql<string>`${exactInstant(incidents.receivedAt)}`,
    after: (key, number) => sql`(${incidents.receivedAt}, ${incidents.number}) < (${key}::timestamptz, ${number})`,
    validKey: (key) => z.iso.datetime().safeParse(key).success,
  },
  due: {
    orderBy: sql`${dueKey} asc, ${incidents.number} asc`,
    key: sql<string>`case when ${incidents.nextDueAt} is null then 'none' else ${exactInstant(sql`${incidents.nextDueAt}`)} end`,
    after: (key, number) => sql`(${dueKey}, ${incidents.number}) > (${key === 'none' ? 'infinity' : key}::timestamptz, ${number})`,
    validKey: (key) => key === 'none' || z.iso.datetime().safeParse(key).success,
  },
  level: {
    orderBy: sql`${incidents.escalationLevel} desc nulls last, ${incidents.number} desc nulls last`,
    key: sql<string>`${incidents.escalationLevel}::text`,
    after: (key, number) => sql`(${incidents.escalationLevel}, ${incidents.number}) < (${Number(key)}::integer, ${number})`,
    validKey: (key) => /^\d{1,2}$/.test(key),
  },
};

const CursorContent = z.strictObject({ sort: z.enum(incidentListSorts), key: z.string().max(64), number: z.string().refine(isIncidentNumber) });

export function encodeListCursor(sort: IncidentListSort, key: string, number: string): string {
  return Buffer.from(JSON.stringify({ sort, key, number })).toString('base64url');
}

/** The cursor's position in `sort`; a cursor that is not one of ours, or of another sort, is a 400 naming `cursor`. */
export function decodeListCursor(cursor: string, sort: IncidentListSort): { key: string; number: string } {
  let content: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw new Error('not base64url');
    content = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('cursor is not a cursor of this list; pass the nextCursor of the previous page unchanged', 'cursor');
  }
  const parsed = CursorContent.safeParse(content);
  if (!parsed.success || !orders[parsed.data.sort].validKey(parsed.data.key)) {
    throw new ValidationError('cursor is not a cursor of this list; pass the nextCursor of the previous page unchanged', 'cursor');
  }
  if (parsed.data.sort !== sort) throw new ValidationError(`cursor belongs to sort=${parsed.data.sort}, not sort=${sort}; start again without a cursor`, 'cursor');
  return { key: parsed.data.key, number: parsed.data.number };
}

function conditions(filter: IncidentListFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.statuses?.length) where.push(filter.statuses.length === 1 ? eq(incidents.status, filter.statuses[0]!) : inArray(incidents.status, filter.statuses));
  if (filter.priorities?.length) where.push(filter.priorities.length === 1 ? eq(incidents.priority, filter.priorities[0]!) : inArray(incidents.priority, filter.priorities));
  if (filter.customerNumber) where.push(eq(incidents.customerNumber, filter.customerNumber));
  if (filter.assigneeId) where.push(eq(incidents.assigneeId, filter.assigneeId));
  if (filter.group) where.push(eq(incidents.assignedGroup, filter.group));
  // `> 0` as well, so the partial index of escalated incidents applies for any level from 1 up.
  if (filter.minEscalationLevel !== undefined && filter.minEscalationLevel > 0) where.push(sql`${incidents.escalationLevel} >= ${filter.minEscalationLevel} and ${incidents.escalationLevel} > 0`);
  if (filter.breached !== undefined) where.push(eq(incidents.slaBreached, filter.breached));
  if (filter.receivedFrom) where.push(gte(incidents.receivedAt, filter.receivedFrom));
  if (filter.receivedTo) where.push(lt(incidents.receivedAt, filter.receivedTo));
  const q = filter.q?.trim();
  if (q) {
    const text = (search: SQL | typeof incidents.search) => sql`(${search} @@ websearch_to_tsquery('german'::regconfig, immutable_unaccent(${q})) or ${search} @@ websearch_to_tsquery('english'::regconfig, immutable_unaccent(${q})))`;
    // An incident number: that incident, and those whose text names it. As one OR beside the order the
    // planner walks the whole received index (575 ms at 100,000); as a set of numbers it takes the two indexes.
    where.push(
      isIncidentNumber(q.toUpperCase())
        ? sql`${incidents.number} in (select m.number from incidents m where m.number = ${q.toUpperCase()} union select m.number from incidents m where ${text(sql.raw('m.search'))})`
        : text(incidents.search),
    );
  }
  return where;
}

/** The page query (one row more than the limit, to know whether there is a next page) and the count, unexecuted. */
export function incidentListQueries(db: Db, filter: IncidentListFilter) {
  const sort = filter.sort ?? 'received';
  const order = orders[sort];
  const where = conditions(filter);
  const position = filter.cursor ? decodeListCursor(filter.cursor, sort) : undefined;
  const page = position ? [...where, order.after(position.key, position.number)] : where;
  const filtered = and(...page);
  const offset = filter.offset ?? 0;
  // A deep offset first finds the page's numbers on the narrow index alone, then reads those rows
  // (the wide rows sorted in full took 920 ms at offset 90,000 of 100,000).
  const rows = offset > 0 ? sql`${incidents.number} in (select ${incidents.number} from ${incidents} where ${filtered ?? sql`true`} order by ${order.orderBy} limit ${filter.limit + 1} offset ${offset})` : filtered;
  return {
    sort,
    page: db
      .select({ ...listColumns, cursorKey: order.key })
      .from(incidents)
      .where(rows)
      .orderBy(order.orderBy)
      .limit(filter.limit + 1),
    count: db.select({ total: count() }).from(incidents).where(and(...where)),
  };
}

export async function listIncidents(db: Db, filter: IncidentListFilter): Promise<IncidentListPage> {
  const queries = incidentListQueries(db, filter);
  const [rows, totals] = await Promise.all([queries.page, filter.withTotal === false ? Promise.resolve(null) : queries.count]);
  const more = rows.length > filter.limit;
  const shown = more ? rows.slice(0, filter.limit) : rows;
  const last = shown.at(-1);
  return {
    rows: shown.map(({ cursorKey: _key, ...row }) => row),
    total: totals ? (totals[0]?.total ?? 0) : null,
    nextCursor: more && last ? encodeListCursor(queries.sort, last.cursorKey, last.number) : null,
  };
}
