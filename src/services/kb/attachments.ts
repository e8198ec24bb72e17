// Files attached to articles. Their text is searched with the article: text files as they are,
// PDFs through unpdf (pdf.js); other files are stored and offered, not searched.
import { and, asc, eq, sql } from 'drizzle-orm';
import { extractText, getDocumentProxy } from 'unpdf';
import type { Db } from '../../db/client.js';
import { kbArticles, kbAttachments } from '../../db/schema/index.js';
import { NotFound, ValidationError } from '../../domain/errors.js';
import { canSee, type KbAudience } from './access.js';
import { addToVocabulary } from './articles.js';

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

async function refreshArticleText(db: Db, articleId: string) {
  await db
    .update(kbArticles)
    .set({ attachmentText: sql`coalesce((select string_agg(${kbAttachments.text}, ' ' order by ${kbAttachments.createdAt}) from ${kbAttachments} where ${kbAttachments.articleId} = ${articleId}), '')` })
    .where(eq(kbArticles.id, articleId));
}

export async function addAttachment(db: Db, articleId: string, file: { filename: string; contentType: string; content: Buffer }) {
  const [article] = await db.select({ id: kbArticles.id }).from(kbArticles).where(eq(kbArticles.id, articleId));
  if (!article) throw new NotFound(`Article ${articleId} does not exist.`);
  const filename = file.filename.trim().toWellFormed();
  if (!filename || filename.length > 255) throw new ValidationError('The file needs a name of at most 255 characters.', 'file');
  if (file.content.length === 0) throw new ValidationError('The file is empty.', 'file');
  if (file.content.length > maxAttachmentBytes) throw new ValidationError(`A file has at most ${maxAttachmentBytes / 1024 / 1024} MB.`, 'file');
  const contentType = file.contentType || 'application/octet-stream';
  const text = await extractAttachmentText(file.content, contentType, filename);
  const [row] = await db
    .insert(kbAttachments)
    .values({ articleId, filename, contentType, sizeBytes: file.content.length, content: file.content, text })
    .returning({ id: kbAttachments.id, filename: kbAttachments.filename, contentType: kbAttachments.contentType, sizeBytes: kbAttachments.sizeBytes });
  await refreshArticleText(db, articleId);
  await addToVocabulary(db, text);
  return { ...row!, searchable: text.trim() !== '' };
}

export async function removeAttachment(db: Db, articleId: string, attachmentId: string): Promise<void> {
  const deleted = await db
    .delete(kbAttachments)
    .where(and(eq(kbAttachments.articleId, articleId), eq(kbAttachments.id, attachmentId)))
    .returning({ id: kbAttachments.id });
  if (deleted.length === 0) throw new NotFound(`Article ${articleId} has no attachment ${attachmentId}.`);
  await refreshArticleText(db, articleId);
}

/** A file to download, if the audience may see its article (else NotFound, the same as no such file). */
export async function attachmentFor(db: Db, audience: KbAudience | 'staff', articleId: string, attachmentId: string) {
  const [row] = await db
    .select({ filename: kbAttachments.filename, contentType: kbAttachments.contentType, content: kbAttachments.content, state: kbArticles.state, visibility: kbArticles.visibility, customerNumbers: kbArticles.customerNumbers })
    .from(kbAttachments)
    .innerJoin(kbArticles, eq(kbArticles.id, kbAttachments.articleId))
    .where(and(eq(kbAttachments.articleId, articleId), eq(kbAttachments.id, attachmentId)))
    .orderBy(asc(kbAttachments.id));
  if (!row || (audience !== 'staff' && !canSee(audience, row))) throw new NotFound('No such file.');
  return row;
}
