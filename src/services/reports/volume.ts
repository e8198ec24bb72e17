// Volume: incidents opened, resolved and reopened per day, week or month, opened by channel.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { channels, type Channel } from '../../domain/enums.js';
import { periodEnd, periodStart, type ReportPeriod } from './period.js';

export const volumeIntervals = ['day', 'week', 'month'] as const;
export type VolumeInterval = (typeof volumeIntervals)[number];

export interface VolumeBucket {
  /** The bucket's first day (YYYY-MM-DD, in the zone). */
  start: string;
  opened: number;
  resolved: number;
  reopened: number;
  openedByChannel: Record<Channel, number>;
}

export interface VolumeReport extends ReportPeriod {
  interval: VolumeInterval;
  buckets: VolumeBucket[];
  totals: Omit<VolumeBucket, 'start'>;
}

export async function volumeReport(db: Db, period: ReportPeriod, interval: VolumeInterval): Promise<VolumeReport> {
  const tz = period.timezone;
  const start = periodStart(period);
  const end = periodEnd(period);
  const bucket = (column: string) => sql`to_char(date_trunc(${interval}, ${sql.raw(column)} at time zone ${tz}), 'YYYY-MM-DD')`;
  const [opened, events, series] = await Promise.all([
    db.execute<{ start: string; channel: Channel; n: number }>(sql`
      select ${bucket('received_at')} as start, channel, count(*)::int as n from incidents
      where received_at >= ${start} and received_at < ${end} group by 1, 2`),
    db.execute<{ start: string; type: string; n: number }>(sql`
      select ${bucket('occurred_at')} as start, case when type = 'customer_message' then 'reopened' else type end as type, count(*)::int as n from incident_events
      where occurred_at >= ${start} and occurred_at < ${end}
        and (type in ('resolved', 'reopened') or (type = 'customer_message' and payload ->> 'effect' = 'reopened'))
      group by 1, 2`),
    db.execute<{ start: string }>(sql`
      select to_char(d, 'YYYY-MM-DD') as start from generate_series(date_trunc(${interval}, ${period.from}::date::timestamp), ${period.to}::date::timestamp, ${`1 ${interval}`}::interval) d`),
  ]);
  const empty = (): Omit<VolumeBucket, 'start'> => ({ opened: 0, resolved: 0, reopened: 0, openedByChannel: Object.fromEntries(channels.map((c) => [c, 0])) as Record<Channel, number> });
  const buckets = new Map<string, VolumeBucket>(series.map((s) => [s.start, { start: s.start, ...empty() }]));
  const totals = empty();
  const at = (start: string) => buckets.get(start) ?? buckets.set(start, { start, ...empty() }).get(start)!;
  for (const r of opened) {
    const b = at(r.start);
    b.opened += r.n;
    b.openedByChannel[r.channel] = (b.openedByChannel[r.channel] ?? 0) + r.n;
    totals.opened += r.n;
    totals.openedByChannel[r.channel] = (totals.openedByChannel[r.channel] ?? 0) + r.n;
  }
  for (const r of events) {
    const kind = r.type === 'resolved' ? 'resolved' : 'reopened';
    at(r.start)[kind] += r.n;
    totals[kind] += r.n;
  }
  return { ...period, interval, buckets: [...buckets.values()].sort((a, b) => a.start.localeCompare(b.start)), totals };
}

export const volumeCsvColumns = ['start', 'opened', 'resolved', 'reopened', ...channels.map((c) => `opened_${c}`)] as const;
export function* volumeCsvRows(report: VolumeReport): Generator<(string | number)[]> {
  for (const b of report.buckets) yield [b.start, b.opened, b.resolved, b.reopened, ...channels.map((c) => b.openedByChannel[c] ?? 0)];
}
