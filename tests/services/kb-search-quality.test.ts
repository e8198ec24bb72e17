// The knowledge base's search measured on its test set (tests/fixtures/kb/corpus.ts): German and
// English queries of every kind people type (inflection, compounds, umlauts typed as ae/oe/ue,
// typos, synonyms, their own symptom descriptions, error codes), each with the one article that
// answers it. The suite fails when recall@5 or MRR drop below the thresholds, or when an
// unrelated query gets a suggestion. The figures are printed as one JSON line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { createTestDatabase } from '../support/database.js';
import { loadKbCorpus, measureSearchQuality, type SearchQuality } from '../support/kb.js';
import { kbQueries } from '../fixtures/kb/corpus.js';

let database: Database;
let quality: SearchQuality;

beforeAll(async () => {
  database = await createTestDatabase();
  const ids = await loadKbCorpus(database.db);
  quality = await measureSearchQuality(database.db, ids);
  console.log(JSON.stringify({ kbSearchQuality: { queries: quality.queries, recallAt5: quality.recallAt5, mrr: quality.mrr, byKind: quality.byKind, misses: quality.misses.map((m) => ({ q: m.query.query, expected: m.query.expected, rank: m.rank, top: m.top.slice(0, 3) })) } }));
}, 120_000);

afterAll(async () => {
  await database?.close();
});

describe('knowledge-base search quality', () => {
  it('has a test set of at least 100 German and English queries of every kind', () => {
    expect(kbQueries.length).toBeGreaterThanOrEqual(100);
    expect(new Set(kbQueries.map((q) => q.language))).toEqual(new Set(['de', 'en']));
    for (const kind of ['inflection', 'compound', 'umlaut', 'typo', 'synonym', 'symptom', 'error-code']) expect(quality.byKind[kind]?.queries ?? 0).toBeGreaterThanOrEqual(10);
  });

  it('finds the right article in the first five for at least 90 % of the queries', () => {
    expect(quality.recallAt5, JSON.stringify(quality.misses.map((m) => [m.query.query, m.query.expected, m.top.slice(0, 3)]))).toBeGreaterThanOrEqual(0.9);
  });

  it('ranks it high: MRR at least 0.8', () => {
    expect(quality.mrr).toBeGreaterThanOrEqual(0.8);
  });

  it('suggests nothing for queries no article answers', () => {
    expect(quality.noisySuggestions).toEqual([]);
  });
});
