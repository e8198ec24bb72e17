// Intake benchmark (npm run bench:intake; issue 12, items 1 and 6): N incidents through
// POST /api/incidents at concurrency C, until every projection row exists, against the bare-workflow
// limit measured in the same run on the same Temporal server: a trivial workflow with as many
// activities as an intake runs (one: the incident workflow records its creation with one
// recordIncidentEvent, then waits), started through the Temporal client at the same concurrency,
// on its own worker process, task queue and bundle (bench/bare-workflow.ts).
//
// Environment: BENCH_INCIDENTS (500), BENCH_CONCURRENCY (32), BENCH_WARMUP (10 of each first, not
// counted), BENCH_TIMEOUT_S (300, per phase), BENCH_CPU_PROF=1 or =<dir> (run the helpdesk worker
// process with --cpu-prof; the .cpuprofile files go to <dir>, by default a new dir under the OS temp
// dir, named in the JSON as cpuProfileDir), TEMPORAL_CLI.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { bareWorkflow } from './bare-workflow.js';
import { profileClockUs, summarizeProfiles } from './cpu-profile.js';
import {
  answers,
  cpuPerItem,
  demoCallers,
  env,
  inPool,
  log,
  maxOf,
  minOf,
  now,
  openIncidents,
  ratePerS,
  round,
  runBench,
  startStack,
  stats,
  waitForProjections,
  waitUntil,
  type Stack,
} from './support.js';

const settings = {
  incidents: env('BENCH_INCIDENTS', 500),
  concurrency: env('BENCH_CONCURRENCY', 32),
  warmup: env('BENCH_WARMUP', 10),
  timeoutS: env('BENCH_TIMEOUT_S', 300),
  cpuProf: process.env.BENCH_CPU_PROF ?? '',
};

const intakeBody = (i: number) => ({ title: `Bench intake ${i}`, description: 'Opened by bench/intake.ts', impact: 'medium', urgency: 'medium', channel: 'phone', ...demoCallers[i % demoCallers.length] });

/** Starts bare workflows through the client at the concurrency; returns when each start call began and ended. */
async function startBare(stack: Stack, from: number, count: number) {
  const calls: { id: string; t0: number; t1: number; ok: boolean }[] = [];
  await inPool(count, settings.concurrency, async (k) => {
    const id = `bare-${from + k}`;
    const t0 = now();
    try {
      await stack.temporal.client.workflow.start<typeof bareWorkflow>('bareWorkflow', { taskQueue: 'bench-bare', workflowId: id, args: [id] });
      calls.push({ id, t0, t1: now(), ok: true });
    } catch (err) {
      log(`bare start ${id} failed: ${err instanceof Error ? err.message : String(err)}`);
      calls.push({ id, t0, t1: now(), ok: false });
    }
  });
  return calls;
}

async function waitForBare(stack: Stack, ids: string[], deadline: number): Promise<Map<string, number>> {
  const done = new Map<string, number>();
  await waitUntil(
    async () => {
      const rows = await stack.sql<{ id: string; at: number }[]>`select id, extract(epoch from at) * 1000 as at from bench_bare where id = any(${ids})`;
      for (const r of rows) done.set(r.id, Number(r.at));
      return done.size >= ids.length;
    },
    deadline,
    { progress: () => `${done.size} of ${ids.length} bare workflows ran their activity` },
  );
  return done;
}

await runBench('intake', settings, async () => {
  const cpuProfDir = !settings.cpuProf || settings.cpuProf === '0' ? undefined : settings.cpuProf === '1' ? join(tmpdir(), `helpdesk-bench-profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`) : resolve(settings.cpuProf);
  if (cpuProfDir) await mkdir(cpuProfDir, { recursive: true });
  const stack = await startStack({ bareWorker: true, ...(cpuProfDir ? { cpuProfDir } : {}) });
  const n = settings.incidents;
  const timeoutMs = settings.timeoutS * 1000;

  // Warm-up: both bundles loaded, JIT warm, connections open.
  if (settings.warmup > 0) {
    log(`warm-up: ${settings.warmup} incidents and ${settings.warmup} bare workflows…`);
    const warm = await openIncidents(stack, { count: settings.warmup, concurrency: settings.concurrency, body: (i) => intakeBody(-1 - i) });
    await waitForProjections(stack, warm.flatMap((o) => (o.number ? [o.number] : [])), now() + 60_000);
    const warmBare = await startBare(stack, 1_000_000, settings.warmup);
    await waitForBare(stack, warmBare.map((c) => c.id), now() + 60_000);
  }

  // Bare workflows first (the Temporal server still nearly empty for both), then the intake.
  log(`bare: ${n} workflows at concurrency ${settings.concurrency}…`);
  const b0 = await stack.figures();
  const bareCalls = await startBare(stack, 0, n);
  const bareStarted = bareCalls.filter((c) => c.ok);
  const bareDone = await waitForBare(stack, bareStarted.map((c) => c.id), now() + timeoutMs);
  const b1 = await stack.figures();
  const bareFirst = minOf(bareCalls.map((c) => c.t0));
  const bareLastStart = maxOf(bareCalls.map((c) => c.t1));
  const bareLastDone = maxOf(bareDone.values());
  const bareCpu = cpuPerItem(b0, b1, bareDone.size);
  const bare = {
    workflows: n,
    started: bareStarted.length,
    activitiesRun: bareDone.size,
    startRatePerS: ratePerS(bareStarted.length, bareFirst, bareLastStart),
    endToEndRatePerS: ratePerS(bareDone.size, bareFirst, bareLastDone),
    startLatencyMs: stats(bareCalls.map((c) => c.t1 - c.t0)),
    startToActivityMs: stats(bareStarted.flatMap((c) => (bareDone.has(c.id) ? [bareDone.get(c.id)! - c.t0] : []))),
    cpuPerWorkflowMs: { bareWorker: bareCpu.bareWorkerMs, temporalServer: bareCpu.temporalServerMs, postgres: bareCpu.postgresMs, driver: bareCpu.apiAndDriverMs },
    bareWorkerRssMb: b1.bare?.rssMb ?? null,
  };
  log(`bare: start ${bare.startRatePerS}/s, end to end ${bare.endToEndRatePerS}/s, ${bare.cpuPerWorkflowMs.bareWorker} ms worker CPU per workflow`);

  log(`intake: ${n} incidents through POST /api/incidents at concurrency ${settings.concurrency}…`);
  const profileFrom = profileClockUs();
  const i0 = await stack.figures();
  const opened = await openIncidents(stack, { count: n, concurrency: settings.concurrency, body: intakeBody });
  const numbers = opened.flatMap((o) => (o.number ? [o.number] : []));
  log(`intake: ${numbers.length} answered with a number; waiting for the projections…`);
  const projected = await waitForProjections(stack, numbers, now() + timeoutMs);
  const i1 = await stack.figures();
  const profileTo = profileClockUs();
  const first = minOf(opened.map((o) => o.t0));
  const lastAnswer = maxOf(opened.map((o) => o.t1));
  const lastProjected = maxOf(projected.values());
  const cpu = cpuPerItem(i0, i1, projected.size);
  const intake = {
    incidents: n,
    answers: answers(opened),
    projected: projected.size,
    requestRatePerS: ratePerS(numbers.length, first, lastAnswer),
    endToEndRatePerS: ratePerS(projected.size, first, lastProjected),
    requestLatencyMs: stats(opened.map((o) => o.t1 - o.t0)),
    requestToProjectionMs: stats(opened.flatMap((o) => (o.number && projected.has(o.number) ? [projected.get(o.number)! - o.t0] : []))),
    cpuPerIncidentMs: { worker: cpu.workerMs, apiAndDriver: cpu.apiAndDriverMs, temporalServer: cpu.temporalServerMs, postgres: cpu.postgresMs },
    workerRssMb: i1.worker?.rssMb ?? null,
    workerCachedWorkflows: i1.worker?.cachedWorkflows ?? null,
  };
  log(`intake: requests ${intake.requestRatePerS}/s, end to end ${intake.endToEndRatePerS}/s, p99 request→projection ${intake.requestToProjectionMs.p99} ms, ${intake.cpuPerIncidentMs.worker} ms worker CPU per incident`);

  // The profiles are written when the worker process exits.
  let cpuProfile: Awaited<ReturnType<typeof summarizeProfiles>> | undefined;
  if (cpuProfDir) {
    await stack.worker.stop();
    cpuProfile = await summarizeProfiles(cpuProfDir, { fromUs: profileFrom, toUs: profileTo });
  }

  const ratio = (a: number | null, b: number | null, digits = 3) => (a === null || b === null || b === 0 ? null : round(a / b, digits));
  const died = stack.worker.died() ?? stack.bare?.died() ?? null;
  return {
    ok: projected.size === n && bareDone.size === n && died === null,
    figures: {
      intake,
      bare,
      ratio: {
        endToEndIntakeOverBare: ratio(intake.endToEndRatePerS, bare.endToEndRatePerS),
        requestIntakeOverBareStart: ratio(intake.requestRatePerS, bare.startRatePerS),
        workerCpuIntakeOverBare: ratio(intake.cpuPerIncidentMs.worker, bare.cpuPerWorkflowMs.bareWorker, 1),
      },
      workerLimits: stack.worker.limits(),
      ...(cpuProfile ? { cpuProfile: { ...cpuProfile, note: 'the helpdesk worker process (every thread) during the intake phase only; the files in dir cover its whole life' } } : {}),
      ...(died ? { workerDied: died } : {}),
    },
  };
});
