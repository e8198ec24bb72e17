// `npm run bench`: the small version of every benchmark, one after the other, each one's JSON line
// passed through to stdout (their logs go to stderr). bench/mail-ingest.ts prints a readable report
// instead of a line: that goes to stderr, and its JSON report file is summed up in one line here.
//
//   npm run bench                  all: intake, escalation, open, mail, list, portal, kb-search, reports
//   npm run bench -- intake open   only these
//
// The small settings below are fixed (BENCH_* from the environment are not passed on, so one
// variable cannot mean two things); TEMPORAL_CLI and DOVECOT_BIN are. A script that takes longer
// than 20 minutes is stopped (SIGINT, then SIGKILL).
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeVersion, log, now, round } from './support.js';

const small: { name: string; script: string; env: Record<string, string> }[] = [
  { name: 'intake', script: 'intake.ts', env: { BENCH_INCIDENTS: '60', BENCH_CONCURRENCY: '32', BENCH_WARMUP: '5' } },
  { name: 'escalation', script: 'escalation-burst.ts', env: { BENCH_INCIDENTS: '60', BENCH_CONCURRENCY: '32', BENCH_WAIT_S: '300' } },
  { name: 'open', script: 'open-incidents.ts', env: { BENCH_STEP: '100', BENCH_MAX: '300', BENCH_CONCURRENCY: '32', BENCH_TIMEOUT_S: '600', BENCH_EXTRAPOLATE_TO: '50000' } },
  { name: 'mail', script: 'mail-ingest.ts', env: { BENCH_MAILS: '100', BENCH_TIMEOUT_S: '240' } },
  { name: 'list', script: 'list-latency.ts', env: { BENCH_ROWS: '10000', BENCH_REQUESTS: '50' } },
  { name: 'portal', script: 'portal.ts', env: { BENCH_ROWS: '10000', BENCH_REQUESTS: '50' } },
  { name: 'kb-search', script: 'kb-search.ts', env: { BENCH_ARTICLES: '10000', BENCH_REQUESTS: '200' } },
  { name: 'reports', script: 'reports.ts', env: { BENCH_INCIDENTS: '10000', BENCH_RUNS: '10', BENCH_WARMUP: '1' } },
];
const benchDir = fileURLToPath(new URL('.', import.meta.url));
const resultsDir = join(benchDir, 'results');
const perScriptTimeoutMs = 20 * 60_000;

const chosen = process.argv.slice(2);
const unknown = chosen.filter((c) => !small.some((s) => s.name === c));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${small.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}
const runs = chosen.length > 0 ? small.filter((s) => chosen.includes(s.name)) : small;

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The running script is in our process group and got the signal too; it cleans up and exits.
    stopping = true;
    log(`${signal}: no further benchmarks; waiting for the running one to clean up`);
  });
}

const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));

function run(script: string, env: Record<string, string>, stdoutTo: 'capture' | 'stderr'): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, script)], { env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdoutTo === 'stderr') process.stderr.write(chunk);
      else stdout += chunk.toString();
    });
    const timer = setTimeout(() => {
      log(`${script} still running after ${perScriptTimeoutMs / 60_000} min: stopping it`);
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
    }, perScriptTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

/** One line for bench/mail-ingest.ts from the report file it wrote (the newest one after `since`). */
async function mailLine(since: number, code: number | null, durationS: number, env: Record<string, string>) {
  const base = { benchmark: 'mail-ingest', ...codeVersion(), node: process.version, cpus: cpus().length, loadavg: loadavg().map((l) => round(l, 2)), durationS, settings: { mails: Number(env.BENCH_MAILS) } };
  const files = (await readdir(resultsDir).catch((): string[] => [])).filter((f) => /^mail-ingest-.*\.json$/.test(f)).sort();
  const newest = files.at(-1);
  const report = newest ? JSON.parse(await readFile(join(resultsDir, newest), 'utf8')) : null;
  if (!report || Date.parse(report.at) < since) return { ...base, ok: false, error: `bench/mail-ingest.ts exited with code ${code} without a report` };
  return {
    ...base,
    at: report.at,
    ok: code === 0,
    mails: report.corpus.mails,
    A: { ms: report.A.ms, mailsPerSecond: report.A.mailsPerSecond },
    B: { ms: report.B.ms, mailsPerSecond: report.B.mailsPerSecond, timedOut: report.B.timedOut },
    ratio: report.ratio,
    projectionLagMs: report.breakdown?.projectionLag ?? null,
    temporalUpdateMsPerCall: report.breakdown?.work?.temporalUpdate?.msPerCall ?? null,
    verification: { ok: report.verification.ok, failures: report.verification.failures.length },
    reportFile: `bench/results/${newest}`,
  };
}

let failed = 0;
for (const bench of runs) {
  if (stopping) break;
  log(`=== ${bench.name}: bench/${bench.script} ${Object.entries(bench.env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const t0 = now();
  const since = Date.now();
  if (bench.name === 'mail') {
    const { code } = await run(bench.script, bench.env, 'stderr');
    const line = await mailLine(since, code, round((now() - t0) / 1000), bench.env);
    if (!line.ok) failed += 1;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    const { code, stdout } = await run(bench.script, bench.env, 'capture');
    const line = stdout
      .split('\n')
      .reverse()
      .find((l) => l.trim().startsWith('{'));
    if (code !== 0) failed += 1;
    process.stdout.write(line ? `${line.trim()}\n` : `${JSON.stringify({ benchmark: bench.name, ok: false, error: `bench/${bench.script} exited with code ${code} and printed no JSON line` })}\n`);
  }
  log(`=== ${bench.name}: done in ${round((now() - t0) / 1000)} s`);
}
process.exit(stopping ? 130 : failed > 0 ? 1 : 0);
