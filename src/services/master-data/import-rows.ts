// The CSV columns of each kind and how a row becomes a write. A column missing from the header is
// left as it is on update (default on create); an empty cell clears an optional value.
import { activityTypes, contractTiers, languages, portalSharingModes, projectKinds, quotaPeriods } from '../../domain/enums.js';
import { ValidationError } from '../../domain/errors.js';
import type { Rates } from '../../domain/entitlement.js';
import type { AssetChanges } from './assets.js';
import type { ContactChanges } from './contacts.js';
import type { ContractChanges } from './contracts.js';
import type { CustomerChanges } from './customers.js';

export const importKinds = ['customers', 'contacts', 'contracts', 'assets'] as const;
export type ImportKind = (typeof importKinds)[number];

/** The natural key first, then the other columns; lists inside a cell are separated by "|". */
export const importColumns: Record<ImportKind, readonly string[]> = {
  customers: ['customerNumber', 'name', 'mailDomains', 'language', 'creditHold', 'accountManagerEmail', 'portalSharing'],
  contacts: ['email', 'customerNumber', 'name', 'phone', 'language', 'portalAdmin'],
  contracts: [
    'contractNumber',
    'customerNumber',
    'tier',
    'validFrom',
    'validTo',
    'coversAllAssets',
    'coveredSerialNumbers',
    'slaPolicy',
    'monthlyFeeCents',
    'rateRemoteCents',
    'rateOnsiteCents',
    'rateTravelCents',
    'quotaMinutes',
    'quotaPeriod',
    'projectKind',
  ],
  assets: ['serialNumber', 'identNumber', 'product', 'customerNumber', 'contractNumber'],
};

/** Columns a row must have for the kind. */
export const requiredColumns: Record<ImportKind, readonly string[]> = {
  customers: ['customerNumber'],
  contacts: ['email'],
  contracts: ['contractNumber'],
  assets: ['serialNumber'],
};

/** Service field names as CSV column names, for error messages. */
export const columnOfField: Record<string, string> = {
  slaPolicyId: 'slaPolicy',
  'hourlyRates.remote': 'rateRemoteCents',
  'hourlyRates.onsite': 'rateOnsiteCents',
  'hourlyRates.travel': 'rateTravelCents',
};

const rateColumns: Record<(typeof activityTypes)[number], string> = { remote: 'rateRemoteCents', onsite: 'rateOnsiteCents', travel: 'rateTravelCents' };

/** The cells of one row by column name; only the columns the header has. */
export type Cells = Record<string, string>;

const has = (cells: Cells, column: string) => column in cells;
const cellOrNull = (cells: Cells, column: string) => (cells[column]!.trim() === '' ? null : cells[column]!.trim());

function list(value: string): string[] {
  return value
    .split('|')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

function oneOf<T extends string>(values: readonly T[], value: string, column: string): T {
  const found = values.find((v) => v === value.trim().toLowerCase());
  if (!found) throw new ValidationError(`${column}: "${value}" is not one of ${values.join(', ')}.`, column);
  return found;
}

function flag(value: string, column: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'ja', '1', 'x'].includes(v)) return true;
  if (['false', 'no', 'nein', '0', ''].includes(v)) return false;
  throw new ValidationError(`${column}: "${value}" is not a yes/no value (true/false, yes/no, 1/0).`, column);
}

/** Whole numbers only: money is cents and durations are minutes, so "12.50" or "1e3" are refused. */
function wholeNumber(value: string, column: string): number {
  const v = value.trim();
  if (!/^\d{1,10}$/.test(v)) throw new ValidationError(`${column}: "${value}" is not a non-negative whole number.`, column);
  return Number(v);
}

/** Runs each cell conversion, collecting every failure of the row rather than the first. */
class RowReader {
  readonly errors: ValidationError[] = [];
  constructor(readonly cells: Cells) {}
  read<T>(column: string, convert: (value: string) => T, assign: (value: T) => void): void {
    if (!has(this.cells, column)) return;
    try {
      assign(convert(this.cells[column]!));
    } catch (err) {
      if (err instanceof ValidationError) this.errors.push(err);
      else throw err;
    }
  }
}

export type CustomerRow = { customerNumber: string } & CustomerChanges;
export type ContactRow = { email: string } & ContactChanges;
/** A contract row names its SLA policy by name; the import resolves it. */
export type ContractRow = { contractNumber: string; slaPolicy?: string | null } & Omit<ContractChanges, 'slaPolicyId'>;
export type AssetRow = { serialNumber: string } & AssetChanges;

export function customerRow(cells: Cells): { row: CustomerRow; errors: ValidationError[] } {
  const r = new RowReader(cells);
  const row: CustomerRow = { customerNumber: cells.customerNumber!.trim() };
  r.read('name', (v) => v, (v) => (row.name = v));
  r.read('mailDomains', list, (v) => (row.mailDomains = v));
  r.read('language', (v) => oneOf(languages, v, 'language'), (v) => (row.language = v));
  r.read('creditHold', (v) => flag(v, 'creditHold'), (v) => (row.creditHold = v));
  r.read('accountManagerEmail', () => cellOrNull(cells, 'accountManagerEmail'), (v) => (row.accountManagerEmail = v));
  r.read('portalSharing', (v) => (v.trim() === '' ? 'own' : oneOf(portalSharingModes, v, 'portalSharing')), (v) => (row.portalSharing = v));
  return { row, errors: r.errors };
}

export function contactRow(cells: Cells): { row: ContactRow; errors: ValidationError[] } {
  const r = new RowReader(cells);
  const row: ContactRow = { email: cells.email!.trim() };
  r.read('customerNumber', (v) => v.trim(), (v) => (row.customerNumber = v));
  r.read('name', (v) => v, (v) => (row.name = v));
  r.read('phone', () => cellOrNull(cells, 'phone'), (v) => (row.phone = v));
  r.read('language', (v) => (v.trim() === '' ? null : oneOf(languages, v, 'language')), (v) => (row.language = v));
  r.read('portalAdmin', (v) => flag(v, 'portalAdmin'), (v) => (row.portalAdmin = v));
  return { row, errors: r.errors };
}

export function contractRow(cells: Cells): { row: ContractRow; errors: ValidationError[] } {
  const r = new RowReader(cells);
  const row: ContractRow = { contractNumber: cells.contractNumber!.trim() };
  r.read('customerNumber', (v) => v.trim(), (v) => (row.customerNumber = v));
  r.read('tier', (v) => oneOf(contractTiers, v, 'tier'), (v) => (row.tier = v));
  r.read('validFrom', (v) => v.trim(), (v) => (row.validFrom = v));
  r.read('validTo', () => cellOrNull(cells, 'validTo'), (v) => (row.validTo = v));
  r.read('coversAllAssets', (v) => flag(v, 'coversAllAssets'), (v) => (row.coversAllAssets = v));
  r.read('coveredSerialNumbers', list, (v) => (row.coveredSerialNumbers = v));
  r.read('slaPolicy', () => cellOrNull(cells, 'slaPolicy'), (v) => (row.slaPolicy = v));
  r.read('monthlyFeeCents', (v) => (v.trim() === '' ? 0 : wholeNumber(v, 'monthlyFeeCents')), (v) => (row.monthlyFeeCents = v));
  for (const type of activityTypes) {
    const column = rateColumns[type];
    r.read(column, (v) => (v.trim() === '' ? undefined : wholeNumber(v, column)), (v) => {
      const rates: Partial<Rates> = (row.hourlyRates ??= {});
      if (v !== undefined) rates[type] = v;
    });
  }
  r.read('quotaMinutes', (v) => (v.trim() === '' ? null : wholeNumber(v, 'quotaMinutes')), (v) => (row.quotaMinutes = v));
  r.read('quotaPeriod', (v) => (v.trim() === '' ? null : oneOf(quotaPeriods, v, 'quotaPeriod')), (v) => (row.quotaPeriod = v));
  r.read('projectKind', (v) => (v.trim() === '' ? 'support' : oneOf(projectKinds, v, 'projectKind')), (v) => (row.projectKind = v));
  return { row, errors: r.errors };
}

export function assetRow(cells: Cells): { row: AssetRow; errors: ValidationError[] } {
  const r = new RowReader(cells);
  const row: AssetRow = { serialNumber: cells.serialNumber!.trim() };
  r.read('identNumber', () => cellOrNull(cells, 'identNumber'), (v) => (row.identNumber = v));
  r.read('product', (v) => v, (v) => (row.product = v));
  r.read('customerNumber', (v) => v.trim(), (v) => (row.customerNumber = v));
  r.read('contractNumber', () => cellOrNull(cells, 'contractNumber'), (v) => (row.contractNumber = v));
  return { row, errors: r.errors };
}
