// Incident numbers: INC-<year>-<6 digits>, e.g. INC-2026-000123 (the workflow id: workflow-ids.ts).

const pattern = /^INC-(\d{4})-(\d{6})$/;
export const maxSequence = 999_999;

export function formatIncidentNumber(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`year out of range: ${year}`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > maxSequence) {
    throw new RangeError(`incident sequence out of range for ${year}: ${sequence}`);
  }
  return `INC-${year}-${String(sequence).padStart(6, '0')}`;
}

export function parseIncidentNumber(number: string): { year: number; sequence: number } | undefined {
  const m = pattern.exec(number);
  if (!m) return undefined;
  const sequence = Number(m[2]);
  if (sequence < 1) return undefined;
  return { year: Number(m[1]), sequence };
}

export function isIncidentNumber(value: string): boolean {
  return parseIncidentNumber(value) !== undefined;
}

/** The house's time zone unless BUSINESS_TIMEZONE says otherwise. */
export const defaultBusinessTimezone = 'Europe/Berlin';

/** The calendar date (YYYY-MM-DD) of an instant in the business time zone, e.g. for contract validity. */
// Formatters per zone: building one costs far more than formatting with it.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function businessDate(at: Date, timezone: string): string {
  let format = dateFormats.get(timezone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timezone, format);
  }
  return format.format(at);
}

/** The year an incident number belongs to: the business zone's year at receipt, not UTC's. */
export function incidentYear(receivedAt: Date, timezone: string): number {
  return Number(businessDate(receivedAt, timezone).slice(0, 4));
}

/** Finds the first ticket number in a mail subject such as "Re: [INC-2026-000123] Printer". */
export function findIncidentNumber(subject: string): string | undefined {
  const m = /\[(INC-\d{4}-\d{6})\]/.exec(subject);
  return m && isIncidentNumber(m[1]!) ? m[1] : undefined;
}
