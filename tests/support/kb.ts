// The knowledge base's test corpus loaded into a database, and the search quality figures over
// its query set (recall@5, MRR), as the quality test and bench/kb-search compute them.
import type { Db } from '../../src/db/client.js';
import { createArticle, searchArticles, suggestArticles, type KbActor } from '../../src/services/kb/index.js';
import { kbCorpus, kbNoiseQueries, kbQueries, type KbQuery } from '../fixtures/kb/corpus.js';

export const kbAdmin: KbActor = { userId: null, name: 'Test admin', role: 'admin' };

/** Loads the corpus as published public articles; returns article id by key. */
export async function loadKbCorpus(db: Db): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const a of kbCorpus.filter((x) => !x.translationOf)) {
    const row = await createArticle(db, kbAdmin, { title: a.title, body: a.body, language: a.language, category: a.category, tags: a.tags, visibility: 'public', state: 'published', externalKey: a.key });
    ids.set(a.key, row.id);
  }
  for (const a of kbCorpus.filter((x) => x.translationOf)) {
    const row = await createArticle(db, kbAdmin, { title: a.title, body: a.body, language: a.language, category: a.category, tags: a.tags, visibility: 'public', state: 'published', externalKey: a.key, translationOf: ids.get(a.translationOf!)! });
    ids.set(a.key, row.id);
  }
  return ids;
}

export interface QueryOutcome {
  query: KbQuery;
  /** 1-based rank of the expected article, or null when not in the first 10. */
  rank: number | null;
  top: string[];
}

export interface SearchQuality {
  queries: number;
  recallAt5: number;
  mrr: number;
  byKind: Record<string, { queries: number; recallAt5: number; mrr: number }>;
  misses: QueryOutcome[];
  /** The share of the queries whose article is among the suggestions for the query as a request title. */
  suggestRecall: number;
  /** Unrelated queries that still got suggestions. */
  noisySuggestions: { query: string; titles: string[] }[];
}

const figures = (outcomes: QueryOutcome[]) => ({
  queries: outcomes.length,
  recallAt5: round(outcomes.filter((o) => o.rank !== null && o.rank <= 5).length / outcomes.length),
  mrr: round(outcomes.reduce((sum, o) => sum + (o.rank ? 1 / o.rank : 0), 0) / outcomes.length),
});
const round = (x: number) => Math.round(x * 1000) / 1000;

export async function measureSearchQuality(db: Db, ids: Map<string, string>): Promise<SearchQuality> {
  const keyOf = new Map([...ids].map(([k, v]) => [v, k]));
  const outcomes: QueryOutcome[] = [];
  for (const query of kbQueries) {
    const hits = await searchArticles(db, { q: query.query, language: query.language, audience: { kind: 'customer' }, limit: 10 });
    const top = hits.map((h) => keyOf.get(h.id) ?? h.id);
    const at = top.indexOf(query.expected);
    outcomes.push({ query, rank: at === -1 ? null : at + 1, top });
  }
  const byKind: SearchQuality['byKind'] = {};
  for (const kind of [...new Set(kbQueries.map((q) => q.kind))]) byKind[kind] = figures(outcomes.filter((o) => o.query.kind === kind));
  let suggested = 0;
  for (const query of kbQueries) {
    const hits = await suggestArticles(db, { title: query.query, language: query.language, audience: { kind: 'customer' } });
    if (hits.some((h) => h.id === ids.get(query.expected))) suggested += 1;
  }
  const noisySuggestions: SearchQuality['noisySuggestions'] = [];
  for (const noise of kbNoiseQueries) {
    const hits = await suggestArticles(db, { title: noise.query, language: noise.language, audience: { kind: 'customer' } });
    if (hits.length > 0) noisySuggestions.push({ query: noise.query, titles: hits.map((h) => `${h.title} (${h.score})`) });
  }
  return { ...figures(outcomes), byKind, suggestRecall: round(suggested / kbQueries.length), misses: outcomes.filter((o) => o.rank === null || o.rank > 5), noisySuggestions };
}
