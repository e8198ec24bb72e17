// Bringing a house's existing articles in: Markdown files with YAML front matter, or one CSV with
// a row per article. Articles are created or updated by their key (front matter `key`, else the
// file's name; the CSV's `key` column), so importing the same files again changes nothing; a
// `translationOf` names the key of the article it translates. Every entry is checked before any
// is written: a 400 lists every bad one.
import { parse as parseCsvText } from 'csv-parse/sync';
import { eq, inArray } from 'drizzle-orm';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { ValidationError } from '../../domain/errors.js';
import { customers, kbArticles } from '../../db/schema/index.js';
import { isCalendarDay } from '../../domain/calendar-dates.js';
import { kbStates, kbVisibilities, languages } from '../../domain/enums.js';
import { textProblem } from '../../domain/text.js';
import { detectDelimiter, ImportRejected, type RowError } from '../master-data/import.js';
import { createArticle, maxBodyLength, maxCategoryLength, maxTagLength, maxTags, maxTitleLength, updateArticle, type KbActor } from './articles.js';

export const kbCsvColumns = ['key', 'title', 'language', 'category', 'tags', 'visibility', 'customerNumbers', 'state', 'reviewBy', 'translationOf', 'body'] as const;
/** The largest upload (as the master-data import's). */
export const maxKbImportBytes = 10 * 1024 * 1024;
/** The most articles one import takes. */
export const maxKbImportEntries = 2000;

const list = z.union([z.array(z.string()), z.string().transform((s) => s.split(/[|,]/).map((t) => t.trim()).filter(Boolean))]);

/** Text as every other way in takes it: well-formed, no control characters but line breaks and tabs. */
const checkedText = (value: string, ctx: z.RefinementCtx) => {
  const problem = textProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

const Entry = z.strictObject({
  key: z.string().trim().min(1).max(200).regex(/^[\p{L}\p{N}._/-]+$/u, 'letters, digits and . _ / - only'),
  title: z.string().trim().min(1).max(maxTitleLength).superRefine(checkedText),
  language: z.enum(languages),
  category: z.string().trim().max(maxCategoryLength).superRefine(checkedText).nullish().transform((c) => c || null),
  tags: list.pipe(z.array(z.string().max(maxTagLength)).max(maxTags)).optional(),
  visibility: z.enum(kbVisibilities).default('public'),
  customerNumbers: list.optional(),
  state: z.enum(kbStates).default('published'),
  reviewBy: z
    .union([z.string(), z.date().transform((d) => d.toISOString().slice(0, 10))])
    .nullish()
    .transform((d) => d || null)
    .refine((d) => d === null || isCalendarDay(d), 'expected a date YYYY-MM-DD between 1900 and 9999'),
  translationOf: z.string().trim().nullish().transform((k) => k || null),
  body: z.string().min(1).max(maxBodyLength).superRefine(checkedText),
});
type Entry = z.infer<typeof Entry>;

export interface KbImportFile {
  filename: string;
  text: string;
}

export interface KbImportResult {
  entries: number;
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

function describe(issues: z.core.$ZodIssue[], where: string): RowError[] {
  return issues.map((i) => ({ field: `${where}: ${i.path.join('.') || 'entry'}`, message: i.message }));
}

/** A Markdown file: front matter between "---" lines, then the body. */
function fromMarkdown(file: KbImportFile, errors: RowError[]): unknown {
  const text = file.text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
  if (!match) {
    errors.push({ field: `${file.filename}: front matter`, message: 'A Markdown file starts with front matter between "---" lines (title, language at least).' });
    return undefined;
  }
  let meta: unknown;
  try {
    meta = parseYaml(match[1]!);
  } catch (err) {
    errors.push({ field: `${file.filename}: front matter`, message: `The front matter is not valid YAML: ${(err as Error).message.split('\n')[0]}` });
    return undefined;
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    errors.push({ field: `${file.filename}: front matter`, message: 'The front matter is a YAML mapping (title: …, language: …).' });
    return undefined;
  }
  const key = file.filename.replace(/^.*[\\/]/, '').replace(/\.(md|markdown)$/i, '');
  return { key, ...meta, body: match[2]!.trim() };
}

function fromCsv(file: KbImportFile, errors: RowError[]): { where: string; raw: unknown }[] {
  const text = file.text.replace(/\r\n/g, '\n');
  let rows: string[][];
  try {
    const parsed: string[][] = parseCsvText(text, { delimiter: detectDelimiter(text), bom: true, skip_empty_lines: true, relax_column_count: false });
    rows = parsed;
  } catch (err) {
    errors.push({ field: `${file.filename}`, message: `The file is not valid CSV: ${(err as Error).message}` });
    return [];
  }
  const [header, ...body] = rows;
  if (!header) {
    errors.push({ field: `${file.filename}: line 1`, message: `The file is empty; expected a header line with the columns ${kbCsvColumns.join(', ')}.` });
    return [];
  }
  const columns = header.map((h) => h.trim());
  const unknown = columns.filter((c) => !(kbCsvColumns as readonly string[]).includes(c));
  if (unknown.length > 0) {
    errors.push({ field: `${file.filename}: line 1`, message: `Unknown column ${unknown.join(', ')}; the columns are ${kbCsvColumns.join(', ')}.` });
    return [];
  }
  return body.map((cells, i) => ({
    where: `${file.filename}: line ${i + 2}`,
    raw: Object.fromEntries(columns.map((c, j) => [c, cells[j] === '' && c !== 'body' ? undefined : cells[j]])),
  }));
}

export function parseKbImport(files: KbImportFile[]): Entry[] {
  const errors: RowError[] = [];
  const raws: { where: string; raw: unknown }[] = [];
  for (const file of files) {
    if (/\.csv$/i.test(file.filename)) raws.push(...fromCsv(file, errors));
    else {
      const raw = fromMarkdown(file, errors);
      if (raw !== undefined) raws.push({ where: file.filename, raw });
    }
  }
  if (raws.length > maxKbImportEntries) throw new ImportRejected([{ field: 'file', message: `At most ${maxKbImportEntries} articles per import; this has ${raws.length}.` }]);
  const entries: Entry[] = [];
  for (const { where, raw } of raws) {
    const parsed = Entry.safeParse(raw);
    if (parsed.success) entries.push(parsed.data);
    else errors.push(...describe(parsed.error.issues, where));
  }
  const keys = new Map<string, number>();
  for (const e of entries) keys.set(e.key, (keys.get(e.key) ?? 0) + 1);
  for (const [key, n] of keys) if (n > 1) errors.push({ field: `key ${key}`, message: `The key ${key} is used by ${n} entries.` });
  if (errors.length === 0 && entries.length === 0) errors.push({ field: 'file', message: 'No article in the upload.' });
  if (errors.length > 0) throw new ImportRejected(errors);
  return entries;
}

export async function importKb(db: Db, actor: KbActor, files: KbImportFile[], options: { dryRun: boolean }): Promise<KbImportResult> {
  const entries = parseKbImport(files);
  const errors: RowError[] = [];
  const existing = await db.select().from(kbArticles).where(inArray(kbArticles.externalKey, entries.map((e) => e.key)));
  const byKey = new Map(existing.map((a) => [a.externalKey!, a]));
  const named = [...new Set(entries.flatMap((e) => e.customerNumbers ?? []))];
  const known = new Set(named.length ? (await db.select({ n: customers.customerNumber }).from(customers).where(inArray(customers.customerNumber, named))).map((r) => r.n) : []);
  const keysHere = new Set(entries.map((e) => e.key));
  const translationKeys = entries.map((e) => e.translationOf).filter((k): k is string => k !== null && !keysHere.has(k));
  const translationTargets = new Set(translationKeys.length ? (await db.select({ k: kbArticles.externalKey }).from(kbArticles).where(inArray(kbArticles.externalKey, translationKeys))).map((r) => r.k) : []);
  for (const e of entries) {
    const missing = (e.customerNumbers ?? []).filter((n) => !known.has(n));
    if (missing.length > 0) errors.push({ field: `key ${e.key}: customerNumbers`, message: `No such customer: ${missing.join(', ')}.` });
    if (e.visibility === 'restricted' && (e.customerNumbers ?? []).length === 0) errors.push({ field: `key ${e.key}: customerNumbers`, message: 'A restricted article names the customers who may see it.' });
    if (e.translationOf && !keysHere.has(e.translationOf) && !translationTargets.has(e.translationOf)) errors.push({ field: `key ${e.key}: translationOf`, message: `No article with the key ${e.translationOf}.` });
  }
  if (errors.length > 0) throw new ImportRejected(errors);
  const result: KbImportResult = { entries: entries.length, created: 0, updated: 0, unchanged: 0, dryRun: options.dryRun };
  if (options.dryRun) {
    for (const e of entries) result[byKey.has(e.key) ? 'updated' : 'created'] += 1;
    return result;
  }
  // Each translation after the article it translates (a chain in any order); none of itself, no cycle.
  const ordered: Entry[] = [];
  const placed = new Set<string>();
  let pending = entries;
  while (pending.length > 0) {
    const ready = pending.filter((e) => !e.translationOf || !keysHere.has(e.translationOf) || placed.has(e.translationOf));
    if (ready.length === 0) throw new ImportRejected(pending.map((e) => ({ field: `key ${e.key}: translationOf`, message: e.translationOf === e.key ? 'An article does not translate itself.' : `The translations ${pending.map((p) => p.key).join(', ')} name each other in a circle.` })));
    for (const e of ready) {
      ordered.push(e);
      placed.add(e.key);
    }
    pending = pending.filter((e) => !placed.has(e.key));
  }
  // All or nothing: a rule only the database can check (a language its translation group already has) refuses the whole import.
  await db.transaction(async (tx) => {
    for (const e of ordered) {
      const input = { title: e.title, body: e.body, language: e.language, visibility: e.visibility, state: e.state, category: e.category, tags: e.tags, customerNumbers: e.customerNumbers, reviewBy: e.reviewBy, externalKey: e.key };
      const current = byKey.get(e.key);
      try {
        if (current) {
          const row = await updateArticle(tx, actor, current.id, input);
          result[row.version === current.version ? 'unchanged' : 'updated'] += 1;
        } else {
          let translationOf: string | null = null;
          if (e.translationOf) {
            const [source] = await tx.select({ id: kbArticles.id }).from(kbArticles).where(eq(kbArticles.externalKey, e.translationOf));
            translationOf = source?.id ?? null;
          }
          await createArticle(tx, actor, { ...input, translationOf });
          result.created += 1;
        }
      } catch (err) {
        if (err instanceof ValidationError) throw new ImportRejected([{ field: `key ${e.key}: ${err.field ?? 'entry'}`, message: err.message }]);
        throw err;
      }
    }
  });
  return result;
}
