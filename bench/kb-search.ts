// Knowledge-base search benchmark (npm run bench:kb-search): the latency of searchArticles and
// suggestArticles (src/services/kb/search.ts) for a customer at BENCH_ARTICLES (10,000) generated
// articles plus the 42 of the test corpus (tests/fixtures/kb/corpus.ts), and the search quality at
// that size (recall@5 and MRR of the query set's expected corpus article, as
// tests/services/kb-search-quality.test.ts measures it at 42 articles); aim: search and suggest
// p95 under 50 ms. Baseline in the same run, interleaved: a naive Postgres full-text search over
// the same table (websearch_to_tsquery in the row's language configuration, ts_rank, limit 10),
// its p95 and its quality.
//
// The demo seed's copies of the demo articles are removed first (the corpus contains them under
// their own keys, and a second copy would compete with the expected article). The corpus goes in
// through loadKbCorpus (createArticle). The generated articles are recombined from the corpus with
// a seeded PRNG: each takes a corpus article of a language as its base (category, most tags, the
// first half of the title), the second half of another title of that language, and 4 to 9
// paragraphs (headings, lists, steps) from the bodies of the base and two or three other
// articles of the language; about 10 % are internal, about 5 % drafts. The first BENCH_CREATE_SAMPLE
// (200) go through createArticle (to measure it: Markdown, version row, vocabulary, transaction);
// the rest are inserted in batches of 500 with the same generated columns (renderMarkdown,
// translationGroup = id) and their words added to the vocabulary per batch; then VACUUM ANALYZE.
//
// Environment: BENCH_ARTICLES (10000), BENCH_REQUESTS (400 calls each), BENCH_WARMUP (20),
// BENCH_CREATE_SAMPLE (200).
import { like, sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { kbArticles } from '../src/db/schema/index.js';
import { addToVocabulary, createArticle, type ArticleInput } from '../src/services/kb/articles.js';
import { renderMarkdown } from '../src/services/kb/markdown.js';
import { searchArticles, suggestArticles } from '../src/services/kb/search.js';
import { kbCorpus, kbQueries, type KbQuery } from '../tests/fixtures/kb/corpus.js';
import { kbAdmin, loadKbCorpus } from '../tests/support/kb.js';
import { checkInterrupted, env, log, startBenchDatabase, now, round, runBench, stats } from './support.js';
import { seededRandom } from './mail-corpus.js';

const settings = { articles: env('BENCH_ARTICLES', 10_000), requests: env('BENCH_REQUESTS', 400), warmup: env('BENCH_WARMUP', 20), createSample: env('BENCH_CREATE_SAMPLE', 200) };
const aimMs = 50;
const batchSize = 500;
const customer = { kind: 'customer' } as const;

/** The same on every run. */
const random = seededRandom;

type Generated = Omit<ArticleInput, 'state'> & { state: 'published' | 'draft'; visibility: 'public' | 'internal'; category: string; tags: string[] };

/** The generator: corpus articles recombined within their language. */
function generator(seed: number) {
  const r = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const byLanguage = {
    de: kbCorpus.filter((a) => a.language === 'de'),
    en: kbCorpus.filter((a) => a.language === 'en'),
  };
  const paragraphs = new Map(kbCorpus.map((a) => [a.key, a.body.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.length > 0)]));
  const share = byLanguage.de.length / kbCorpus.length;
  return (): Generated => {
    const language = r() < share ? 'de' : 'en';
    const pool = byLanguage[language];
    const base = pick(pool);
    const other = pick(pool.filter((a) => a.key !== base.key));
    const baseWords = base.title.split(/\s+/);
    const otherWords = other.title.split(/\s+/);
    const title = [...baseWords.slice(0, Math.ceil(baseWords.length / 2)), ...otherWords.slice(Math.floor(otherWords.length / 2))].join(' ');
    const sources = [base, other, ...Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(pool))];
    const body = Array.from({ length: 4 + Math.floor(r() * 6) }, (_, k) => pick(paragraphs.get((k === 0 ? base : pick(sources)).key)!)).join('\n\n');
    const tags = [...new Set([...base.tags.filter(() => r() < 0.75), ...other.tags.filter(() => r() < 0.25)])];
    const v = r();
    return { title, body, language, category: base.category, tags, visibility: v < 0.1 ? 'internal' : 'public', state: r() < 0.05 ? 'draft' : 'published' };
  };
}

/** 1-based rank of `expected` among the ids, or null. */
const rankOf = (ids: string[], expected: string | undefined): number | null => {
  const at = expected === undefined ? -1 : ids.indexOf(expected);
  return at === -1 ? null : at + 1;
};
const qualityOf = (ranks: (number | null)[]) => ({
  queries: ranks.length,
  recallAt5: round(ranks.filter((k) => k !== null && k <= 5).length / ranks.length, 3),
  mrr: round(ranks.reduce<number>((s, k) => s + (k ? 1 / k : 0), 0) / ranks.length, 3),
});

/** The naive baseline: full-text search of the same search rows in each language's configuration (by the same GIN index), ranked by ts_rank. */
async function baselineSearch(db: Db, q: string): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select id from (
      (select article_id as id, ts_rank(search, websearch_to_tsquery('public.kb_german', ${q})) as rank from kb_search
        where state = 'published' and visibility = 'public' and language = 'de' and search @@ websearch_to_tsquery('public.kb_german', ${q}))
      union all
      (select article_id, ts_rank(search, websearch_to_tsquery('public.kb_english', ${q})) from kb_search
        where state = 'published' and visibility = 'public' and language = 'en' and search @@ websearch_to_tsquery('public.kb_english', ${q}))
    ) matches
    order by rank desc
    limit 10`);
  return rows.map((r) => r.id);
}

async function searchIds(db: Db, query: KbQuery): Promise<string[]> {
  return (await searchArticles(db, { q: query.query, language: query.language, audience: customer, limit: 10 })).map((h) => h.id);
}

/** Recall@5 and MRR over the whole query set, per kind too, for the search and the baseline; suggestion recall. */
async function measureQuality(db: Db, ids: Map<string, string>) {
  const search: (number | null)[] = [];
  const baseline: (number | null)[] = [];
  const byKind = new Map<string, (number | null)[]>();
  let suggested = 0;
  for (const query of kbQueries) {
    checkInterrupted();
    const expected = ids.get(query.expected);
    if (expected === undefined) throw new Error(`the query set expects ${query.expected}, which the corpus does not have`);
    const rank = rankOf(await searchIds(db, query), expected);
    search.push(rank);
    byKind.set(query.kind, [...(byKind.get(query.kind) ?? []), rank]);
    baseline.push(rankOf(await baselineSearch(db, query.query), expected));
    const hits = await suggestArticles(db, { title: query.query, language: query.language, audience: customer });
    if (hits.some((h) => h.id === expected)) suggested += 1;
  }
  return {
    search: { ...qualityOf(search), suggestRecall: round(suggested / kbQueries.length, 3), byKind: Object.fromEntries([...byKind].map(([kind, ranks]) => [kind, qualityOf(ranks)])) },
    baseline: qualityOf(baseline),
  };
}

await runBench('kb-search', settings, async () => {
  if (settings.createSample > settings.articles) throw new Error(`BENCH_CREATE_SAMPLE=${settings.createSample} is more than BENCH_ARTICLES=${settings.articles}`);
  const { database } = await startBenchDatabase();
  const db = database.db;
  const demoCopies = await db.delete(kbArticles).where(like(kbArticles.externalKey, 'demo/%')).returning({ id: kbArticles.id });
  log(`removed the demo seed's ${demoCopies.length} articles; loading the corpus (${kbCorpus.length} articles)…`);

  const loadStarted = now();
  const ids = await loadKbCorpus(db);
  const corpusMs = now() - loadStarted;
  await database.sql`analyze kb_articles`;
  const corpusOnly = await measureQuality(db, ids);
  log(`corpus alone: recall@5 ${corpusOnly.search.recallAt5}, MRR ${corpusOnly.search.mrr} (baseline ${corpusOnly.baseline.recallAt5}, ${corpusOnly.baseline.mrr})`);

  const next = generator(2026);
  log(`generating ${settings.articles} articles: ${settings.createSample} through createArticle, the rest in batches of ${batchSize}…`);
  const sampleStarted = now();
  for (let i = 0; i < settings.createSample; i++) await createArticle(db, kbAdmin, next());
  const sampleMs = now() - sampleStarted;
  const createMsPerArticle = settings.createSample > 0 ? sampleMs / settings.createSample : null;
  if (createMsPerArticle !== null) log(`createArticle: ${round(createMsPerArticle, 2)} ms an article, so ${round((createMsPerArticle * settings.articles) / 1000)} s for all ${settings.articles}`);

  const bulkStarted = now();
  let renderMs = 0;
  for (let first = settings.createSample; first < settings.articles; first += batchSize) {
    const t = now();
    const batch = Array.from({ length: Math.min(batchSize, settings.articles - first) }, () => {
      const a = next();
      const rendered = renderMarkdown(a.body);
      const id = crypto.randomUUID();
      return { ...a, id, translationGroup: id, bodyHtml: rendered.html, bodyText: rendered.text, publishedAt: a.state === 'published' ? new Date() : null };
    });
    renderMs += now() - t;
    await db.insert(kbArticles).values(batch.map((a) => ({ ...a, tags: [...new Set(a.tags.map((x) => x.trim().toLowerCase()))] })));
    await addToVocabulary(db, ...batch.flatMap((a) => [a.title, a.bodyText, a.tags.join(' '), a.category]));
  }
  const bulkMs = now() - bulkStarted;
  const analyzeStarted = now();
  await database.sql`vacuum analyze kb_articles`;
  await database.sql`vacuum analyze kb_search`;
  await database.sql`vacuum analyze kb_vocabulary`;
  const analyzeMs = now() - analyzeStarted;
  const [counts] = await database.sql<{ total: number; visible: number; internal: number; drafts: number; vocabulary: number }[]>`
    select count(*)::int as total, (count(*) filter (where state = 'published' and visibility = 'public'))::int as visible,
      (count(*) filter (where visibility = 'internal'))::int as internal, (count(*) filter (where state = 'draft'))::int as drafts,
      (select count(*)::int from kb_vocabulary) as vocabulary
    from kb_articles`;
  const loadMs = now() - loadStarted;
  log(`${counts!.total} articles (${counts!.visible} a customer sees, ${counts!.internal} internal, ${counts!.drafts} drafts), ${counts!.vocabulary} vocabulary words; loaded in ${round(loadMs / 1000)} s (bulk ${round(bulkMs / 1000)} s, of it rendering ${round(renderMs / 1000)} s; vacuum analyze ${round(analyzeMs / 1000)} s)`);

  const calls = {
    search: (q: KbQuery) => searchIds(db, q),
    suggest: (q: KbQuery) => suggestArticles(db, { title: q.query, language: q.language, audience: customer }),
    baseline: (q: KbQuery) => baselineSearch(db, q.query),
  };
  const names = Object.keys(calls) as (keyof typeof calls)[];
  for (let i = 0; i < settings.warmup; i++) for (const name of names) await calls[name](kbQueries[i % kbQueries.length]!);
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<keyof typeof calls, number[]>;
  // Interleaved, so all three see the same machine.
  let lastReport = now();
  for (let i = 0; i < settings.requests; i++) {
    checkInterrupted();
    if (now() - lastReport > 10_000) {
      lastReport = now();
      log(`  round ${i} of ${settings.requests}…`);
    }
    const query = kbQueries[i % kbQueries.length]!;
    for (const name of names) {
      const t = now();
      await calls[name](query);
      times[name].push(now() - t);
    }
  }
  const measured = Object.fromEntries(names.map((n) => [n, stats(times[n])])) as Record<keyof typeof calls, ReturnType<typeof stats>>;
  for (const name of names) log(`${name}: p50 ${measured[name].p50} ms, p95 ${measured[name].p95} ms, max ${measured[name].max} ms`);
  // The slowest queries of the search, by their mean over the rounds.
  const perQuery = new Map<string, number[]>();
  times.search.forEach((ms, i) => perQuery.set(kbQueries[i % kbQueries.length]!.query, [...(perQuery.get(kbQueries[i % kbQueries.length]!.query) ?? []), ms]));
  const slowestSearches = [...perQuery]
    .map(([q, ms]) => ({ q, meanMs: round(ms.reduce((s, v) => s + v, 0) / ms.length) }))
    .sort((a, b) => b.meanMs - a.meanMs)
    .slice(0, 5);

  const quality = await measureQuality(db, ids);
  log(`at ${counts!.total} articles: recall@5 ${quality.search.recallAt5}, MRR ${quality.search.mrr} (baseline ${quality.baseline.recallAt5}, ${quality.baseline.mrr})`);

  const searchP95 = measured.search.p95;
  const suggestP95 = measured.suggest.p95;
  const baselineP95 = measured.baseline.p95;
  return {
    ok: true,
    figures: {
      articles: counts!.total,
      customerVisible: counts!.visible,
      internal: counts!.internal,
      drafts: counts!.drafts,
      vocabulary: counts!.vocabulary,
      requests: settings.requests,
      queries: kbQueries.length,
      load: {
        totalS: round(loadMs / 1000),
        corpusS: round(corpusMs / 1000),
        createArticleMsEach: createMsPerArticle === null ? null : round(createMsPerArticle, 2),
        createArticleForAllS: createMsPerArticle === null ? null : round((createMsPerArticle * settings.articles) / 1000),
        bulkS: round(bulkMs / 1000),
        bulkRenderS: round(renderMs / 1000),
        vacuumAnalyzeS: round(analyzeMs / 1000),
      },
      search: measured.search,
      suggest: measured.suggest,
      baseline: measured.baseline,
      searchVsBaselineP95: searchP95 !== null && baselineP95 ? round(searchP95 / baselineP95, 2) : null,
      slowestSearches,
      quality: quality.search,
      baselineQuality: quality.baseline,
      corpusOnlyQuality: { search: { recallAt5: corpusOnly.search.recallAt5, mrr: corpusOnly.search.mrr, suggestRecall: corpusOnly.search.suggestRecall }, baseline: corpusOnly.baseline },
      aimMs,
      metAim: searchP95 !== null && suggestP95 !== null && searchP95 < aimMs && suggestP95 < aimMs,
    },
  };
});
