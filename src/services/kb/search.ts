// The knowledge base's search, in Postgres alone. A query is read into terms first: its folded
// words, their umlaut spellings ("postfaecher" → "postfacher"), the parts of compounds the
// articles use as words ("netzwerkdrucker" → "netzwerk", "drucker"), the nearest words of the
// vocabulary for words it does not know (typos, by trigram distance), and the synonym groups any
// of these are in. The terms become one OR query per language configuration (stemmed as the
// article's tsvector is, prefixes for long stems so a stem finds its compounds), ranked by
// ts_rank over the weighted tsvector and combined with the trigram word similarity of the query
// to the article's title, tags and category. Translations of one article count once, in the
// language asked for when it has one.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { kbArticles, kbSynonyms, kbVocabulary } from '../../db/schema/index.js';
import type { KbVisibility, Language } from '../../domain/enums.js';
import { visibleArticles, type KbAudience } from './access.js';
import { defaultSynonyms } from './default-synonyms.js';
import { compoundCandidates, compoundParts, fold, umlautVariant, wordsOf } from './words.js';

export interface SearchHit {
  id: string;
  title: string;
  /** HTML: the body's text, escaped, with the matched words in <mark>. */
  snippet: string;
  score: number;
  language: Language;
  visibility: KbVisibility;
  category: string | null;
}

export interface SearchRequest {
  q: string;
  language?: Language | undefined;
  audience: KbAudience;
  limit: number;
}

/** How much an article in the other language counts against one in the language asked for. */
const otherLanguageFactor = 0.7;
/** The least similarity (pg_trgm) at which a vocabulary word is taken for a misspelt query word. */
const correctionSimilarity = 0.4;
/** Stems this long or longer also match as prefixes ("drucker" finds "druckerwarteschlange"). */
const prefixFrom = 5;
/** The candidates ranked before translations are merged and the limit is cut. */
const candidateLimit = 60;

const synonymIndex: ReadonlyMap<string, readonly string[]> = (() => {
  const index = new Map<string, string[]>();
  for (const group of defaultSynonyms) {
    const folded = group.map(fold);
    for (const word of folded) index.set(word, [...new Set([...(index.get(word) ?? []), ...folded])]);
  }
  return index;
})();

export interface QueryTerms {
  /** The query's own words (folded). */
  words: string[];
  /** Everything searched for: words, spellings, compound parts, corrections, synonyms. */
  terms: string[];
  /** The folded query, for trigram similarity. */
  folded: string;
}

/** Reads a query into its search terms (see the head of this file). */
export async function queryTerms(db: Db, text: string): Promise<QueryTerms> {
  const words = wordsOf(text);
  const spellings = [...new Set([...words, ...words.map(umlautVariant).filter((w): w is string => w !== undefined)])];
  const folded = words.join(' ');
  if (spellings.length === 0) return { words, terms: [], folded };
  const candidates = [...new Set([...spellings, ...spellings.flatMap(compoundCandidates)])];
  const [knownRows, houseGroups] = await Promise.all([
    db.select({ word: kbVocabulary.word }).from(kbVocabulary).where(inArray(kbVocabulary.word, candidates)),
    db.select({ terms: kbSynonyms.terms }).from(kbSynonyms).where(sql`${kbSynonyms.terms} && ${sql.param(spellings)}::text[]`),
  ]);
  const known = new Set(knownRows.map((r) => r.word));
  const terms = new Set(spellings);
  for (const word of spellings) for (const part of compoundParts(word, known)) terms.add(part);
  // A word is misspelt when neither it nor its umlaut spelling is a word of the articles.
  const unknown = words.filter((w) => w.length >= 4 && !/\d/.test(w) && !known.has(w) && !known.has(umlautVariant(w) ?? w));
  if (unknown.length > 0) {
    const corrections = await db.execute<{ word: string }>(sql`
      select c.word from unnest(${sql.param(unknown)}::text[]) as q(t)
      cross join lateral (
        select v.word from ${kbVocabulary} v where v.word % q.t and similarity(v.word, q.t) >= ${correctionSimilarity}
        order by v.word <-> q.t limit 2
      ) c`);
    for (const r of corrections) terms.add(r.word);
  }
  const houseIndex = new Map<string, string[]>();
  for (const group of houseGroups) {
    const folded = group.terms.map(fold);
    for (const word of folded) houseIndex.set(word, [...(houseIndex.get(word) ?? []), ...folded]);
  }
  for (const term of [...terms]) for (const synonym of [...(synonymIndex.get(term) ?? []), ...(houseIndex.get(term) ?? [])]) terms.add(synonym);
  return { words, terms: [...terms], folded };
}

/** The OR query of the terms in one configuration: stemmed lexemes, long ones as prefixes. */
function tsqueryOf(terms: string[], config: 'kb_german' | 'kb_english') {
  return sql`(select coalesce(to_tsquery('simple', string_agg(distinct quote_literal(l.lexeme) || case when length(l.lexeme) >= ${prefixFrom} then ':*' else '' end, ' | ')), ''::tsquery)
    from unnest(${sql.param(terms)}::text[]) as t(term), unnest(to_tsvector(${sql.raw(`'public.${config}'::regconfig`)}, t.term)) as l)`;
}

type Candidate = {
  id: string;
  title: string;
  language: Language;
  visibility: KbVisibility;
  category: string | null;
  score: number;
  translation_group: string;
};

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** ts_headline marks with control characters no article contains; they become <mark> after escaping. */
function snippetHtml(headline: string): string {
  return escapeHtml(headline.replace(/\s+/g, ' ').trim()).replace(/\u0002/g, '<mark>').replace(/\u0003/g, '</mark>');
}

/** The articles best matching a query, best first; `minScore` drops weak ones (suggestions). */
export async function searchArticles(db: Db, request: SearchRequest & { minScore?: number }): Promise<SearchHit[]> {
  const { terms, folded } = await queryTerms(db, request.q);
  if (terms.length === 0) return [];
  const [queries] = await db.execute<{ de: string; en: string }>(sql`select ${tsqueryOf(terms, 'kb_german')}::text as de, ${tsqueryOf(terms, 'kb_english')}::text as en`);
  const de = queries!.de;
  const en = queries!.en;
  const preferred = request.language ?? null;
  // Only the weights matter between articles: {D, C, B, A} = {-, body and attachments, tags and category, title}.
  const fts = sql`ts_rank('{0.05, 0.25, 0.5, 1.0}', kb_articles.search, case when kb_articles.language = 'de' then ${de}::tsquery else ${en}::tsquery end)`;
  const trgm = sql`word_similarity(${folded}, kb_articles.trgm_text)`;
  const matches = sql`((kb_articles.language = 'de' and kb_articles.search @@ ${de}::tsquery) or (kb_articles.language = 'en' and kb_articles.search @@ ${en}::tsquery) or ${folded} <% kb_articles.trgm_text)`;
  const rows = await db.execute<Candidate>(sql`
    select id, title, language, visibility, category, translation_group, score from (
      select distinct on (kb_articles.translation_group) kb_articles.id, kb_articles.title, kb_articles.language, kb_articles.visibility, kb_articles.category, kb_articles.translation_group,
        (0.65 * (r.fts / (r.fts + 0.15)) + 0.35 * r.trgm) * case when ${preferred}::text is null or kb_articles.language = ${preferred} then 1.0 else ${otherLanguageFactor}::float8 end as score
      from ${kbArticles}
      cross join lateral (select ${fts} as fts, ${trgm} as trgm) r
      where ${visibleArticles(request.audience)} and ${matches}
      order by kb_articles.translation_group, (${preferred}::text is null or kb_articles.language = ${preferred}) desc, r.fts desc
    ) ranked
    order by score desc, id
    limit ${candidateLimit}`);
  const chosen = rows.filter((r) => r.score >= (request.minScore ?? 0)).slice(0, request.limit);
  if (chosen.length === 0) return [];
  const headlines = await db
    .select({
      id: kbArticles.id,
      headline: sql<string>`ts_headline(kb_config(${kbArticles.language}), ${kbArticles.bodyText}, case when ${kbArticles.language} = 'de' then ${de}::tsquery else ${en}::tsquery end, 'StartSel=${sql.raw('\u0002')}, StopSel=${sql.raw('\u0003')}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')`,
    })
    .from(kbArticles)
    .where(and(inArray(kbArticles.id, chosen.map((r) => r.id)), eq(kbArticles.state, 'published')));
  const byId = new Map(headlines.map((h) => [h.id, h.headline]));
  return chosen.map((r) => ({ id: r.id, title: r.title, snippet: snippetHtml(byId.get(r.id) ?? ''), score: Math.round(Number(r.score) * 1000) / 1000, language: r.language, visibility: r.visibility, category: r.category }));
}

/** At most this many suggestions. */
export const maxSuggestions = 5;
/**
 * The least score a suggestion needs: below it the match is too weak to show a customer (measured
 * on the test set's unrelated queries, tests/services/kb-search-quality.test.ts).
 */
export const minSuggestScore = 0.3;

/** Articles for what someone is about to ask: the title counts, the description's start adds words. */
export async function suggestArticles(db: Db, input: { title: string; description?: string | undefined; language?: Language | undefined; audience: KbAudience; limit?: number }): Promise<SearchHit[]> {
  const q = `${input.title} ${(input.description ?? '').slice(0, 300)}`;
  return searchArticles(db, { q, language: input.language, audience: input.audience, limit: Math.min(input.limit ?? maxSuggestions, maxSuggestions), minScore: minSuggestScore });
}
