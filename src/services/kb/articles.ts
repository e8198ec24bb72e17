// Knowledge-base articles: writing (with the version history and the role rule for publishing),
// reading, listing, and the vocabulary the search corrects spelling against.
import { and, arrayContains, asc, count, desc, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { customers, kbArticles, kbArticleVersions, kbAttachments, kbVocabulary, users } from '../../db/schema/index.js';
import { hasRole, type KbState, type KbVisibility, type Language, type UserRole } from '../../domain/enums.js';
import { Forbidden, IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { renderMarkdown } from './markdown.js';
import { fold } from './words.js';

export interface KbActor {
  userId: string | null;
  name: string;
  role: UserRole;
}

/** Publishing, archiving, changing what is published, and deleting need this role; agents write drafts. */
export const kbPublisherRole: UserRole = 'manager';

export const maxTitleLength = 200;
export const maxBodyLength = 200_000;
export const maxTags = 20;
export const maxTagLength = 40;
export const maxCategoryLength = 80;

export interface ArticleInput {
  title: string;
  body: string;
  language: Language;
  visibility: KbVisibility;
  state?: KbState | undefined;
  category?: string | null | undefined;
  tags?: string[] | undefined;
  customerNumbers?: string[] | undefined;
  reviewBy?: string | null | undefined;
  ownerId?: string | null | undefined;
  /** Create only: the article this one translates (another language). */
  translationOf?: string | null | undefined;
  /** Update only: the version the change was made on; a newer one refuses it (409). */
  version?: number | undefined;
  /** Import only: the key the import names it by. */
  externalKey?: string | null | undefined;
}

export type ArticleRow = typeof kbArticles.$inferSelect;

/** The fields a version records, as they were. */
const versionedFields = ['title', 'body', 'language', 'category', 'tags', 'visibility', 'customerNumbers', 'state', 'reviewBy', 'ownerId'] as const;
type Snapshot = Pick<ArticleRow, (typeof versionedFields)[number]>;

export function snapshotOf(row: Snapshot): Snapshot {
  return Object.fromEntries(versionedFields.map((f) => [f, row[f]])) as Snapshot;
}

const cleanTags = (tags: string[] | undefined) => [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];

async function checkInput(db: Db | Tx, input: ArticleInput): Promise<{ customerNumbers: string[]; tags: string[] }> {
  const tags = cleanTags(input.tags);
  if (tags.length > maxTags) throw new ValidationError(`At most ${maxTags} tags.`, 'tags');
  if (tags.some((t) => t.length > maxTagLength)) throw new ValidationError(`A tag has at most ${maxTagLength} characters.`, 'tags');
  const customerNumbers = [...new Set(input.customerNumbers ?? [])];
  if (input.visibility === 'restricted') {
    if (customerNumbers.length === 0) throw new ValidationError('A restricted article names the customers who may see it.', 'customerNumbers');
    const found = await db.select({ n: customers.customerNumber }).from(customers).where(inArray(customers.customerNumber, customerNumbers));
    const missing = customerNumbers.filter((n) => !found.some((f) => f.n === n));
    if (missing.length > 0) throw new ValidationError(`No such customer: ${missing.join(', ')}.`, 'customerNumbers');
  } else if (customerNumbers.length > 0) {
    throw new ValidationError('Only a restricted article names customers; set visibility to restricted or leave customerNumbers out.', 'customerNumbers');
  }
  if (input.ownerId) {
    const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.id, input.ownerId));
    if (!owner) throw new ValidationError(`No such user: ${input.ownerId}.`, 'ownerId');
  }
  return { customerNumbers, tags };
}

export function requirePublisher(actor: KbActor, what: string) {
  if (!hasRole(actor.role, kbPublisherRole)) throw new Forbidden(`${what} needs the role ${kbPublisherRole}; agents write drafts.`);
}

/** Adds the article's words to the vocabulary the search corrects spelling and splits compounds against. */
export async function addToVocabulary(db: Db | Tx, ...texts: string[]): Promise<void> {
  const words = [...new Set(fold(texts.join(' ')).split(/[^\p{L}\p{N}]+/u))].filter((w) => w.length >= 3 && w.length <= 40);
  if (words.length === 0) return;
  await db.insert(kbVocabulary).values(words.map((word) => ({ word }))).onConflictDoNothing();
}

function changedFields(before: Snapshot, after: Snapshot): string[] {
  return versionedFields.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

/** Also inside a transaction (the demo seed): then a savepoint. */
export async function createArticle(db: Db | Tx, actor: KbActor, input: ArticleInput): Promise<ArticleRow> {
  const state = input.state ?? 'draft';
  if (state !== 'draft') requirePublisher(actor, 'Creating a published or archived article');
  return (db as Db).transaction(async (tx) => {
    const { customerNumbers, tags } = await checkInput(tx, input);
    let translationGroup: string | undefined;
    if (input.translationOf) {
      const [source] = await tx.select({ group: kbArticles.translationGroup, language: kbArticles.language }).from(kbArticles).where(eq(kbArticles.id, input.translationOf));
      if (!source) throw new ValidationError(`No such article: ${input.translationOf}.`, 'translationOf');
      const [taken] = await tx.select({ id: kbArticles.id }).from(kbArticles).where(and(eq(kbArticles.translationGroup, source.group), eq(kbArticles.language, input.language)));
      if (taken) throw new ValidationError(`The article already has a ${input.language} translation (${taken.id}).`, 'translationOf');
      translationGroup = source.group;
    }
    const rendered = renderMarkdown(input.body);
    const id = crypto.randomUUID();
    const [row] = await tx
      .insert(kbArticles)
      .values({
        id,
        translationGroup: translationGroup ?? id,
        externalKey: input.externalKey ?? null,
        language: input.language,
        title: input.title,
        body: input.body,
        bodyHtml: rendered.html,
        bodyText: rendered.text,
        category: input.category ?? null,
        tags,
        visibility: input.visibility,
        customerNumbers,
        state,
        ownerId: input.ownerId === undefined ? actor.userId : input.ownerId,
        reviewBy: input.reviewBy ?? null,
        publishedAt: state === 'published' ? sql`now()` : null,
      })
      .returning();
    await tx.insert(kbArticleVersions).values({ articleId: id, version: 1, changedById: actor.userId, changedByName: actor.name, changes: ['created'], snapshot: snapshotOf(row!) });
    await addToVocabulary(tx, input.title, rendered.text, tags.join(' '), input.category ?? '');
    return row!;
  });
}

export async function updateArticle(db: Db | Tx, actor: KbActor, id: string, input: ArticleInput): Promise<ArticleRow> {
  return (db as Db).transaction(async (tx) => {
    const [current] = await tx.select().from(kbArticles).where(eq(kbArticles.id, id)).for('update');
    if (!current) throw new NotFound(`Article ${id} does not exist.`);
    if (input.version !== undefined && input.version !== current.version) {
      throw new IllegalTransition(`The article was changed meanwhile (version ${current.version}, yours ${input.version}); load it again and repeat the change.`);
    }
    if (input.language !== current.language) {
      const [taken] = await tx.select({ id: kbArticles.id }).from(kbArticles).where(and(eq(kbArticles.translationGroup, current.translationGroup), eq(kbArticles.language, input.language), ne(kbArticles.id, id)));
      if (taken) throw new ValidationError(`Its ${input.language} translation is another article (${taken.id}).`, 'language');
    }
    const state = input.state ?? current.state;
    if (current.state !== 'draft' || state !== 'draft') requirePublisher(actor, 'Changing a published or archived article, or publishing one,');
    const { customerNumbers, tags } = await checkInput(tx, input);
    const rendered = input.body === current.body ? { html: current.bodyHtml, text: current.bodyText } : renderMarkdown(input.body);
    const next: Snapshot = {
      title: input.title,
      body: input.body,
      language: input.language,
      category: input.category ?? null,
      tags,
      visibility: input.visibility,
      customerNumbers,
      state,
      reviewBy: input.reviewBy === undefined ? current.reviewBy : input.reviewBy,
      ownerId: input.ownerId === undefined ? current.ownerId : input.ownerId,
    };
    const changes = changedFields(snapshotOf(current), next);
    if (changes.length === 0) return current;
    const [row] = await tx
      .update(kbArticles)
      .set({
        ...next,
        bodyHtml: rendered.html,
        bodyText: rendered.text,
        version: current.version + 1,
        updatedAt: sql`now()`,
        publishedAt: state === 'published' && current.state !== 'published' ? sql`now()` : current.publishedAt,
      })
      .where(eq(kbArticles.id, id))
      .returning();
    await tx.insert(kbArticleVersions).values({ articleId: id, version: row!.version, changedById: actor.userId, changedByName: actor.name, changes, snapshot: next });
    await addToVocabulary(tx, input.title, rendered.text, tags.join(' '), input.category ?? '');
    return row!;
  });
}

export async function deleteArticle(db: Db, actor: KbActor, id: string): Promise<void> {
  requirePublisher(actor, 'Deleting an article');
  const deleted = await db.delete(kbArticles).where(eq(kbArticles.id, id)).returning({ id: kbArticles.id });
  if (deleted.length === 0) throw new NotFound(`Article ${id} does not exist.`);
}

export async function getArticle(db: Db, id: string): Promise<ArticleRow> {
  const [row] = await db.select().from(kbArticles).where(eq(kbArticles.id, id));
  if (!row) throw new NotFound(`Article ${id} does not exist.`);
  return row;
}

/** The article's other languages. */
export async function translationsOf(db: Db, row: Pick<ArticleRow, 'id' | 'translationGroup'>) {
  return db
    .select({ id: kbArticles.id, language: kbArticles.language, title: kbArticles.title, state: kbArticles.state, visibility: kbArticles.visibility, customerNumbers: kbArticles.customerNumbers })
    .from(kbArticles)
    .where(and(eq(kbArticles.translationGroup, row.translationGroup), ne(kbArticles.id, row.id)))
    .orderBy(asc(kbArticles.language));
}

export async function attachmentsOf(db: Db, articleId: string) {
  return db
    .select({ id: kbAttachments.id, filename: kbAttachments.filename, contentType: kbAttachments.contentType, sizeBytes: kbAttachments.sizeBytes, searchable: sql<boolean>`${kbAttachments.text} <> ''` })
    .from(kbAttachments)
    .where(eq(kbAttachments.articleId, articleId))
    .orderBy(asc(kbAttachments.createdAt), asc(kbAttachments.id));
}

export async function articleVersions(db: Db, id: string) {
  await getArticle(db, id);
  return db.select().from(kbArticleVersions).where(eq(kbArticleVersions.articleId, id)).orderBy(desc(kbArticleVersions.version));
}

export interface ArticleFilter {
  category?: string | undefined;
  tag?: string | undefined;
  state?: KbState | undefined;
  language?: Language | undefined;
  visibility?: KbVisibility | undefined;
  limit: number;
  offset: number;
}

export async function listArticles(db: Db, filter: ArticleFilter): Promise<{ rows: ArticleRow[]; total: number }> {
  const where: SQL[] = [];
  if (filter.category !== undefined) where.push(eq(kbArticles.category, filter.category));
  if (filter.tag !== undefined) where.push(arrayContains(kbArticles.tags, [filter.tag.trim().toLowerCase()]));
  if (filter.state !== undefined) where.push(eq(kbArticles.state, filter.state));
  if (filter.language !== undefined) where.push(eq(kbArticles.language, filter.language));
  if (filter.visibility !== undefined) where.push(eq(kbArticles.visibility, filter.visibility));
  const condition = where.length > 0 ? and(...where) : undefined;
  const [rows, [total]] = await Promise.all([
    db.select().from(kbArticles).where(condition).orderBy(desc(kbArticles.updatedAt), asc(kbArticles.id)).limit(filter.limit).offset(filter.offset),
    db.select({ n: count() }).from(kbArticles).where(condition),
  ]);
  return { rows, total: total!.n };
}
