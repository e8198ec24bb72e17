// Files attached to articles. Their text is searched with the article: text files as they are,
// PDFs through unpdf (pdf.js); other files are stored and offered, not searched.
import { and, eq, sql } from 'drizzle-orm';
import { extractText, getDocumentProxy } from 'unpdf';
import type { Db, Tx } from '../../db/client.js';
import { kbArticles, kbArticleVersions, kbAttachments } from '../../db/schema/index.js';
import { NotFound, ValidationError } from '../../domain/errors.js';
import { canSee, type KbAudience } from './access.js';
import { addToVocabulary, requirePublisher, snapshotOf, type KbActor } from './articles.js';

/** The largest attachment (KB files are manuals and screenshots, not disk images). */
export const maxAttachmentBytes = 10 * 1024 * 1024;
/** The most text one attachment adds to the index. */
export const maxAttachmentText = 200_000;

const textTypes = /^(text\/(plain|markdown|csv|html)|application\/(json|xml))$/;

/** The text of a file, or '' when it has none we can read (or it is broken: the file is still stored). */
export async function extractAttachmentText(content: Buffer, contentType: string, filename: string): Promise<string> {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let text = '';
  if (textTypes.test(type) || /\.(txt|md|csv|log)$/i.test(filename)) {
    text = new TextDecoder('utf-8', { fatal: false }).decode(content);
    if (type === 'text/html') text = text.replace(/<[^>]*>/g, ' ');
  } else if (type === 'application/pdf' || /\.pdf$/i.test(filename)) {
    try {
      const pdf = await getDocumentProxy(new Uint8Array(content));
      text = (await extractText(pdf, { mergePages: true })).text;
    } catch {
      text = '';
    }
  }
  // Well-formed text only: lone surrogates and NULs do not reach Postgres.
  return text.toWellFormed().replace(/\u0000/g, ' ').slice(0, maxAttachmentText);
}

/** The most text all of an article's attachments add to its index (a tsvector holds at most 1 MB). */
export const maxArticleAttachmentText = 400_000;

/**
 * After a file came or went, in the article's transaction (its row locked): the attachments' text
 * joined into the article (the search row follows by trigger), and a version naming the
 * attachments. Only drafts take files from agents: a published or archived article's files are
 * changed by a publisher, as its text is.
 */
async function recordFilesChanged(tx: Tx, actor: KbActor, articleId: string, change: string) {
  const [article] = await tx.select().from(kbArticles).where(eq(kbArticles.id, articleId));
  const [text] = await tx
    .select({ text: sql<string>`coalesce(left(string_agg(${kbAttachments.text}, ' ' order by ${kbAttachments.createdAt}, ${kbAttachments.id}), ${maxArticleAttachmentText}), '')` })
    .from(kbAttachments)
    .where(eq(kbAttachments.articleId, articleId));
  const version = article!.version + 1;
  await tx.update(kbArticles).set({ attachmentText: text!.text, version, updatedAt: sql`now()` }).where(eq(kbArticles.id, articleId));
  await tx.insert(kbArticleVersions).values({ articleId, version, changedById: actor.userId, changedByName: actor.name, changes: [change], snapshot: snapshotOf(article!) });
}

async function lockArticle(tx: Tx, actor: KbActor, articleId: string) {
  const [article] = await tx.select({ state: kbArticles.state }).from(kbArticles).where(eq(kbArticles.id, articleId)).for('update');
  if (!article) throw new NotFound(`Article ${articleId} does not exist.`);
  if (article.state !== 'draft') requirePublisher(actor, "Changing a published or archived article's files");
}

export async function addAttachment(db: Db, actor: KbActor, articleId: string, file: { filename: string; contentType: string; content: Buffer }) {
  const filename = file.filename.trim().toWellFormed();
  if (!filename || filename.length > 255) throw new ValidationError('The file needs a name of at most 255 characters.', 'file');
  if (file.content.length === 0) throw new ValidationError('The file is empty.', 'file');
  if (file.content.length > maxAttachmentBytes) throw new ValidationError(`A file has at most ${maxAttachmentBytes / 1024 / 1024} MB.`, 'file');
  const contentType = (file.contentType || 'application/octet-stream').slice(0, 200);
  const text = await extractAttachmentText(file.content, contentType, filename);
  return db.transaction(async (tx) => {
    await lockArticle(tx, actor, articleId);
    const [row] = await tx
      .insert(kbAttachments)
      .values({ articleId, filename, contentType, sizeBytes: file.content.length, content: file.content, text })
      .returning({ id: kbAttachments.id, filename: kbAttachments.filename, contentType: kbAttachments.contentType, sizeBytes: kbAttachments.sizeBytes });
    await recordFilesChanged(tx, actor, articleId, 'attachments');
    await addToVocabulary(tx, text);
    return { ...row!, searchable: text.trim() !== '' };
  });
}

export async function removeAttachment(db: Db, actor: KbActor, articleId: string, attachmentId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await lockArticle(tx, actor, articleId);
    const deleted = await tx
      .delete(kbAttachments)
      .where(and(eq(kbAttachments.articleId, articleId), eq(kbAttachments.id, attachmentId)))
      .returning({ id: kbAttachments.id });
    if (deleted.length === 0) throw new NotFound(`Article ${articleId} has no attachment ${attachmentId}.`);
    await recordFilesChanged(tx, actor, articleId, 'attachments');
  });
}

/** A file to download, if the audience may see its article (else NotFound, the same as no such file). */
export async function attachmentFor(db: Db, audience: KbAudience | 'staff', articleId: string, attachmentId: string) {
  const [row] = await db
    .select({ filename: kbAttachments.filename, contentType: kbAttachments.contentType, content: kbAttachments.content, state: kbArticles.state, visibility: kbArticles.visibility, customerNumbers: kbArticles.customerNumbers })
    .from(kbAttachments)
    .innerJoin(kbArticles, eq(kbArticles.id, kbAttachments.articleId))
    .where(and(eq(kbAttachments.articleId, articleId), eq(kbAttachments.id, attachmentId)));
  if (!row || (audience !== 'staff' && !canSee(audience, row))) throw new NotFound('No such file.');
  return row;
}
