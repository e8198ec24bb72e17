// What people do with articles: "was this helpful" votes, links to incidents, suggestions opened
// from the portal's New request form (and the requests they saved), and the review list that
// these and the review-by dates feed.
import { and, asc, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { incidentIntakes, kbArticles, kbIncidentLinks, kbSuggestionOpens, kbVotes } from '../../db/schema/index.js';
import type { KbState, Language } from '../../domain/enums.js';
import { NotFound, ValidationError } from '../../domain/errors.js';
import { incidentOpenedByKey } from '../incident-intake.js';
import { canSee, type KbAudience } from './access.js';
import { attachmentsOf, getArticle, translationsOf, type ArticleRow } from './articles.js';
import { suggestArticles } from './search.js';

export const maxVoteCommentLength = 2000;
/** Minutes after a suggestion was opened from an unsent New request form at which it counts as a deflection (KB_DEFLECTION_WINDOW_MINUTES). */
export const defaultDeflectionWindowMinutes = 30;
/** This many "not helpful" votes put an article on the review list (KB_REVIEW_NOT_HELPFUL). */
export const defaultReviewNotHelpful = 3;

export type Voter = { contactId: string } | { userId: string };

/** One vote per voter and article; a second replaces the first. */
export async function vote(db: Db, articleId: string, voter: Voter, input: { helpful: boolean; comment?: string | null | undefined }, audience: KbAudience): Promise<void> {
  const article = await getArticle(db, articleId).catch(() => undefined);
  if (!article || (audience.kind === 'customer' && !canSee(audience, article))) throw new NotFound(`Article ${articleId} does not exist.`);
  const comment = input.comment?.trim() || null;
  if (comment && comment.length > maxVoteCommentLength) throw new ValidationError(`A comment has at most ${maxVoteCommentLength} characters.`, 'comment');
  const who = 'contactId' in voter ? { contactId: voter.contactId } : { userId: voter.userId };
  const target = 'contactId' in voter ? [kbVotes.articleId, kbVotes.contactId] : [kbVotes.articleId, kbVotes.userId];
  await db
    .insert(kbVotes)
    .values({ articleId, helpful: input.helpful, comment, ...who })
    .onConflictDoUpdate({ target, set: { helpful: input.helpful, comment, createdAt: sql`now()` } });
}

/** Links an article to an incident; true when it was new. */
export async function linkIncident(db: Db, incidentNumber: string, articleId: string, userId: string | null): Promise<boolean> {
  const [incident] = await db
    .select({ number: incidentIntakes.number })
    .from(incidentIntakes)
    .where(eq(incidentIntakes.number, incidentNumber));
  if (!incident) throw new NotFound(`Incident ${incidentNumber} does not exist.`);
  await getArticle(db, articleId).catch(() => {
    throw new ValidationError(`No such article: ${articleId}.`, 'articleId');
  });
  const inserted = await db.insert(kbIncidentLinks).values({ incidentNumber, articleId, linkedById: userId }).onConflictDoNothing().returning({ articleId: kbIncidentLinks.articleId });
  return inserted.length > 0;
}

export async function unlinkIncident(db: Db, incidentNumber: string, articleId: string): Promise<void> {
  const deleted = await db
    .delete(kbIncidentLinks)
    .where(and(eq(kbIncidentLinks.incidentNumber, incidentNumber), eq(kbIncidentLinks.articleId, articleId)))
    .returning({ articleId: kbIncidentLinks.articleId });
  if (deleted.length === 0) throw new NotFound(`Article ${articleId} is not linked to incident ${incidentNumber}.`);
}

export async function incidentArticles(db: Db, incidentNumber: string) {
  return db
    .select({ id: kbArticles.id, title: kbArticles.title, language: kbArticles.language, state: kbArticles.state, visibility: kbArticles.visibility, linkedAt: kbIncidentLinks.linkedAt })
    .from(kbIncidentLinks)
    .innerJoin(kbArticles, eq(kbArticles.id, kbIncidentLinks.articleId))
    .where(eq(kbIncidentLinks.incidentNumber, incidentNumber))
    .orderBy(asc(kbIncidentLinks.linkedAt), asc(kbArticles.id));
}

/** Whether a request was already sent from the contact's form with this submission id (the portal's intake key, see openRequest). */
async function submissionUsed(db: Db, contactId: string, submission: string): Promise<boolean> {
  return (await incidentOpenedByKey(db, `contact:${contactId}`, submission)) !== undefined;
}

/** The portal's New request form: the contact opened a suggestion (repeat opens count once; a form already sent opens none). */
export async function recordSuggestionOpened(db: Db, input: { articleId: string; contactId: string; submission: string }): Promise<void> {
  if (await submissionUsed(db, input.contactId, input.submission)) return;
  await db.insert(kbSuggestionOpens).values(input).onConflictDoNothing();
}

/**
 * A request was sent after all: the suggestions opened from its form, and any the contact opened
 * within the deflection window before (the form is rendered anew when they come back to it), saved
 * no request. An open older than the window has counted as a deflection already and stays one.
 */
export async function recordSubmitted(db: Db, input: { contactId: string; submission: string; incidentNumber: string }, deflectionWindowMinutes = defaultDeflectionWindowMinutes): Promise<void> {
  await db
    .update(kbSuggestionOpens)
    .set({ submittedIncident: input.incidentNumber })
    .where(
      and(
        eq(kbSuggestionOpens.contactId, input.contactId),
        isNull(kbSuggestionOpens.submittedIncident),
        or(eq(kbSuggestionOpens.submission, input.submission), sql`${kbSuggestionOpens.openedAt} > now() - make_interval(mins => ${deflectionWindowMinutes})`),
      ),
    );
}

/** Whether a New request form's submission id is one the contact opened suggestions from and has not sent (so the form may take it up again). */
export async function isOpenSubmission(db: Db, contactId: string, submission: string): Promise<boolean> {
  if (await submissionUsed(db, contactId, submission)) return false;
  const [row] = await db
    .select({ id: kbSuggestionOpens.id })
    .from(kbSuggestionOpens)
    .where(and(eq(kbSuggestionOpens.contactId, contactId), eq(kbSuggestionOpens.submission, submission), isNull(kbSuggestionOpens.submittedIncident)))
    .limit(1);
  return row !== undefined;
}

export interface ArticleStats {
  helpful: number;
  notHelpful: number;
  incidents: number;
  suggestionOpens: number;
  deflections: number;
}

/** The counts behind each article, for the article view and the review list. */
export async function articleStats(db: Db, ids: string[], deflectionWindowMinutes = defaultDeflectionWindowMinutes): Promise<Map<string, ArticleStats>> {
  const stats = new Map<string, ArticleStats>(ids.map((id) => [id, { helpful: 0, notHelpful: 0, incidents: 0, suggestionOpens: 0, deflections: 0 }]));
  if (ids.length === 0) return stats;
  const [votes, links, opens] = await Promise.all([
    db
      .select({ id: kbVotes.articleId, helpful: sql<number>`count(*) filter (where ${kbVotes.helpful})::int`, notHelpful: sql<number>`count(*) filter (where not ${kbVotes.helpful})::int` })
      .from(kbVotes)
      .where(inArray(kbVotes.articleId, ids))
      .groupBy(kbVotes.articleId),
    db.select({ id: kbIncidentLinks.articleId, n: sql<number>`count(*)::int` }).from(kbIncidentLinks).where(inArray(kbIncidentLinks.articleId, ids)).groupBy(kbIncidentLinks.articleId),
    db
      .select({
        id: kbSuggestionOpens.articleId,
        opens: sql<number>`count(*)::int`,
        deflections: sql<number>`count(*) filter (where ${kbSuggestionOpens.submittedIncident} is null and ${kbSuggestionOpens.openedAt} <= now() - make_interval(mins => ${deflectionWindowMinutes}))::int`,
      })
      .from(kbSuggestionOpens)
      .where(inArray(kbSuggestionOpens.articleId, ids))
      .groupBy(kbSuggestionOpens.articleId),
  ]);
  for (const v of votes) Object.assign(stats.get(v.id)!, { helpful: v.helpful, notHelpful: v.notHelpful });
  for (const l of links) stats.get(l.id)!.incidents = l.n;
  for (const o of opens) Object.assign(stats.get(o.id)!, { suggestionOpens: o.opens, deflections: o.deflections });
  return stats;
}

export interface ReviewItem {
  id: string;
  title: string;
  language: Language;
  state: KbState;
  reviewBy: string | null;
  ownerId: string | null;
  reasons: ('reviewDue' | 'notHelpful')[];
  helpful: number;
  notHelpful: number;
  /** The latest comments of "not helpful" votes. */
  comments: string[];
}

/** Articles (not archived) past their review-by date, or with `notHelpfulThreshold` or more "not helpful" votes since their last change (a change is the review). */
export async function reviewList(db: Db, today: string, notHelpfulThreshold = defaultReviewNotHelpful): Promise<ReviewItem[]> {
  const rows = await db.execute<{ id: string; title: string; language: Language; state: KbState; review_by: string | null; owner_id: string | null; helpful: number; not_helpful: number }>(sql`
    select a.id, a.title, a.language, a.state, a.review_by::text, a.owner_id,
      coalesce(v.helpful, 0)::int as helpful, coalesce(v.not_helpful, 0)::int as not_helpful
    from ${kbArticles} a
    left join (
      select kv.article_id, count(*) filter (where kv.helpful) as helpful, count(*) filter (where not kv.helpful) as not_helpful
      from ${kbVotes} kv join ${kbArticles} ka on ka.id = kv.article_id
      where kv.created_at > ka.updated_at
      group by kv.article_id
    ) v on v.article_id = a.id
    where a.state <> 'archived' and (a.review_by < ${today}::date or coalesce(v.not_helpful, 0) >= ${notHelpfulThreshold})
    order by a.review_by asc nulls last, coalesce(v.not_helpful, 0) desc, a.id`);
  const ids = rows.map((r) => r.id);
  const comments = ids.length
    ? await db
        .select({ id: kbVotes.articleId, comment: kbVotes.comment })
        .from(kbVotes)
        .innerJoin(kbArticles, eq(kbArticles.id, kbVotes.articleId))
        .where(and(inArray(kbVotes.articleId, ids), eq(kbVotes.helpful, false), sql`${kbVotes.comment} is not null`, sql`${kbVotes.createdAt} > ${kbArticles.updatedAt}`))
        .orderBy(desc(kbVotes.createdAt))
    : [];
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    language: r.language,
    state: r.state,
    reviewBy: r.review_by,
    ownerId: r.owner_id,
    reasons: [...(r.review_by !== null && r.review_by < today ? (['reviewDue'] as const) : []), ...(r.not_helpful >= notHelpfulThreshold ? (['notHelpful'] as const) : [])],
    helpful: r.helpful,
    notHelpful: r.not_helpful,
    comments: comments
      .filter((c) => c.id === r.id)
      .slice(0, 5)
      .map((c) => c.comment!),
  }));
}

export type ArticleDetail = { article: ArticleRow; translations: Awaited<ReturnType<typeof translationsOf>>; attachments: Awaited<ReturnType<typeof attachmentsOf>>; stats: ArticleStats };

/** An article with its translations, files and counts, as staff see it. */
export async function articleDetail(db: Db, article: ArticleRow, deflectionWindowMinutes?: number): Promise<ArticleDetail> {
  const [translations, attachments, stats] = await Promise.all([translationsOf(db, article), attachmentsOf(db, article.id), articleStats(db, [article.id], deflectionWindowMinutes)]);
  return { article, translations, attachments, stats: stats.get(article.id)! };
}

/** What the incident view shows agents: the linked articles, and suggestions from the title and description without them. */
export async function incidentKnowledge(db: Db, incident: { number: string; title: string; description: string }) {
  const [linked, suggested] = await Promise.all([incidentArticles(db, incident.number), suggestArticles(db, { title: incident.title, description: incident.description, audience: { kind: 'agent' } })]);
  const ids = new Set(linked.map((a) => a.id));
  return {
    articles: linked.map(({ id, title, language, visibility }) => ({ id, title, language, visibility })),
    suggestedArticles: suggested.filter((s) => !ids.has(s.id)).map(({ id, title, language, visibility, snippet, score }) => ({ id, title, language, visibility, snippet, score })),
  };
}
