// The knowledge base's search, in Postgres alone. A query is read into terms first, per word: the
// folded word, its umlaut spelling ("postfaecher" → "postfacher"), the parts of a compound that the
// articles use as words ("netzwerkdrucker" → "netzwerk", "drucker"), the nearest words of the
// vocabulary for a word it does not know (typos, by trigram distance), and the synonym groups any
// of these are in. The terms are stemmed as the articles' tsvectors are (kb_german, kb_english;
// long stems also as prefixes of title and tag words, so "drucker" finds "Druckerwarteschlange").
// Candidates come from the GIN index of kb_search (a narrow table a trigger keeps, so no body is
// read): the best by ts_rank over the weighted tsvector among the articles that have every word
// of the query (or a stand-in of it), and only when those are too few, among those with any.
// They are scored by ts_rank combined with the trigram word similarity of a short query to the
// title, tags and category. Translations of one article count once, in the language asked for
// when it has one.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { kbArticles, kbSearch, kbSynonyms, kbVocabulary } from '../../db/schema/index.js';
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
/** The best full-text matches that are scored (with the trigram ones). */
const ftsCandidates = 200;
/** Longer queries (a description) are matched by full text only: their trigrams match nothing well. */
const maxTrigramQuery = 80;
/** Fewer articles than this with every word of the query, and those with any word are ranked too. */
const minEveryWord = 20;

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
  /** Per word, what stands for it: the word, its umlaut spelling, compound parts, corrections, synonyms. */
  groups: string[][];
  /** Everything searched for, once each. */
  terms: string[];
  /** The folded query, for trigram similarity. */
  folded: string;
}

/** Reads a query into its search terms (see the head of this file). */
export async function queryTerms(db: Db, text: string): Promise<QueryTerms> {
  const words = wordsOf(text);
  const folded = words.join(' ');
  if (words.length === 0) return { words, groups: [], terms: [], folded };
  const spellingsOf = (w: string) => [w, ...[umlautVariant(w)].filter((v): v is string => v !== undefined)];
  const spellings = [...new Set(words.flatMap(spellingsOf))];
  const candidates = [...new Set([...spellings, ...spellings.flatMap(compoundCandidates)])];
  const [knownRows, houseGroups] = await Promise.all([
    db.select({ word: kbVocabulary.word }).from(kbVocabulary).where(inArray(kbVocabulary.word, candidates)),
    db.select({ terms: kbSynonyms.terms }).from(kbSynonyms).where(sql`${kbSynonyms.terms} && ${sql.param(spellings)}::text[]`),
  ]);
  const known = new Set(knownRows.map((r) => r.word));
  // A word is misspelt when neither it nor its umlaut spelling is a word of the articles.
  const unknown = words.filter((w) => w.length >= 4 && !/\d/.test(w) && !spellingsOf(w).some((s) => known.has(s)));
  const corrections = new Map<string, string[]>();
  if (unknown.length > 0) {
    const rows = await db.execute<{ t: string; word: string }>(sql`
      select q.t, c.word from unnest(${sql.param(unknown)}::text[]) as q(t)
      cross join lateral (
        select v.word from ${kbVocabulary} v where v.word % q.t and similarity(v.word, q.t) >= ${correctionSimilarity}
        order by v.word <-> q.t limit 2
      ) c`);
    for (const r of rows) corrections.set(r.t, [...(corrections.get(r.t) ?? []), r.word]);
  }
  const houseIndex = new Map<string, string[]>();
  for (const group of houseGroups) {
    const members = group.terms.map(fold);
    for (const word of members) houseIndex.set(word, [...(houseIndex.get(word) ?? []), ...members]);
  }
  const groups = words.map((word) => {
    const group = new Set(spellingsOf(word));
    for (const spelling of [...group]) for (const part of compoundParts(spelling, known)) group.add(part);
    for (const correction of corrections.get(word) ?? []) group.add(correction);
    for (const term of [...group]) for (const synonym of [...(synonymIndex.get(term) ?? []), ...(houseIndex.get(term) ?? [])]) group.add(synonym);
    return [...group];
  });
  return { words, groups, terms: [...new Set(groups.flat())], folded };
}

/** The lexemes of the rows `l` as one OR: stemmed, long stems also as prefixes of title and tag words. */
const lexemes = sql`string_agg(distinct quote_literal(l.lexeme) || case when length(l.lexeme) >= ${prefixFrom} then ' | ' || quote_literal(l.lexeme) || ':*AB' else '' end, ' | ')`;

/** The OR query of all terms in one configuration. */
function anyTermOf(terms: string[], config: 'kb_german' | 'kb_english') {
  return sql`(select coalesce(to_tsquery('simple', ${lexemes}), ''::tsquery)
    from unnest(${sql.param(terms)}::text[]) as t(term), unnest(to_tsvector(${sql.raw(`'public.${config}'::regconfig`)}, t.term)) as l)`;
}

/** The AND over the query's words (a stop word drops out), each word the OR of its group, in one configuration. */
function everyWordOf(groups: string[][], config: 'kb_german' | 'kb_english') {
  const index = groups.flatMap((g, i) => g.map(() => i));
  return sql`(select coalesce(to_tsquery('simple', string_agg('(' || g.q || ')', ' & ')), ''::tsquery) from (
      select ${lexemes} as q
      from unnest(${sql.param(index)}::int[], ${sql.param(groups.flat())}::text[]) as t(g, term), unnest(to_tsvector(${sql.raw(`'public.${config}'::regconfig`)}, t.term)) as l
      group by t.g
    ) g)`;
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
  const { groups, terms, folded } = await queryTerms(db, request.q);
  if (terms.length === 0) return [];
  const [queries] = await db.execute<{ de: string; en: string; deAll: string; enAll: string }>(
    sql`select ${anyTermOf(terms, 'kb_german')}::text as de, ${anyTermOf(terms, 'kb_english')}::text as en,
      ${everyWordOf(groups, 'kb_german')}::text as "deAll", ${everyWordOf(groups, 'kb_english')}::text as "enAll"`,
  );
  const { de, en, deAll, enAll } = queries!;
  const preferred = request.language ?? null;
  // Only the weights matter between articles: {D, C, B, A} = {-, body and attachments, tags and category, title}.
  const weights = sql.raw(`'{0.05, 0.25, 0.5, 1.0}'`);
  const visible = visibleArticles(request.audience, kbSearch);
  // Both languages' terms in one query (an article's lexemes are of its own language, so the other
  // language's stems rarely meet it), answered by the GIN index on search in one pass.
  const any = sql`(${de}::tsquery || ${en}::tsquery)`;
  const every = sql`(${deAll}::tsquery || ${enAll}::tsquery)`;
  const short = folded.length <= maxTrigramQuery;
  // Candidates first: the best articles that have every word of the query (or a stand-in of it);
  // only when there are too few of those, the best that have any. Both ranked by ts_rank over all
  // the terms. Only these are scored, with the trigram word similarity of short queries to the
  // title, tags and category. All of it reads kb_search, whose rows hold no bodies.
  const rows = await db.execute<Candidate>(sql`
    with every_word as (
      select kb_search.article_id, ts_rank(${weights}, kb_search.search, ${any}) as fts from ${kbSearch}
      where ${visible} and kb_search.search @@ ${every}
      order by fts desc limit ${ftsCandidates}
    ), any_word as (
      select kb_search.article_id, ts_rank(${weights}, kb_search.search, ${any}) as fts from ${kbSearch}
      where (select count(*) from every_word) < ${minEveryWord} and ${visible} and kb_search.search @@ ${any}
      order by fts desc limit ${ftsCandidates}
    ), candidates as (select * from every_word union select * from any_word),
    scored as (
      select distinct on (s.translation_group) s.article_id as id, s.language, s.visibility, s.translation_group,
        (0.65 * (c.fts / (c.fts + 0.15)) + 0.35 * r.trgm) * case when ${preferred}::text is null or s.language = ${preferred} then 1.0 else ${otherLanguageFactor}::float8 end as score
      from candidates c join ${kbSearch} s on s.article_id = c.article_id
      cross join lateral (select case when ${short} then word_similarity(${folded}, s.trgm_text) else 0 end as trgm) r
      order by s.translation_group, (${preferred}::text is null or s.language = ${preferred}) desc, c.fts desc
    )
    select scored.id, a.title, scored.language, scored.visibility, a.category, scored.translation_group, scored.score
    from (select * from scored order by score desc, id limit ${candidateLimit}) scored join ${kbArticles} a on a.id = scored.id
    order by scored.score desc, scored.id`);
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
export const minSuggestScore = 0.2;

/** Articles for what someone is about to ask: the title counts, the description's start adds words. */
export async function suggestArticles(db: Db, input: { title: string; description?: string | undefined; language?: Language | undefined; audience: KbAudience; limit?: number }): Promise<SearchHit[]> {
  const q = `${input.title} ${(input.description ?? '').slice(0, 300)}`;
  return searchArticles(db, { q, language: input.language, audience: input.audience, limit: Math.min(input.limit ?? maxSuggestions, maxSuggestions), minScore: minSuggestScore });
}
