// Incident numbers: INC-<year>-<6 digits>, e.g. INC-2026-000123; workflow id incident-<number>.

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

export function incidentWorkflowId(number: string): string {
  return `incident-${number}`;
}

/** Finds the first ticket number in a mail subject such as "Re: [INC-2026-000123] Printer". */
export function findIncidentNumber(subject: string): string | undefined {
  const m = /\[(INC-\d{4}-\d{6})\]/.exec(subject);
  return m && isIncidentNumber(m[1]!) ? m[1] : undefined;
}
