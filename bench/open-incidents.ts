// Open-incident scale benchmark (npm run bench:open; issue 12, items 4 and 6): opens incidents that
// stay open (their own policy on the demo office calendar with targets of weeks, so no threshold
// fires during the run) in steps through POST /api/incidents, and after each step records the
// worker process's RSS and heap, its cached workflows, the Temporal dev server's RSS (VmRSS of its
// process) and the step's intake rate. Ends with the series, the rate of the last step against the
// first, and a linear extrapolation to BENCH_EXTRAPOLATE_TO open incidents.
//
// Stops early, and says so in the JSON (stoppedEarly), when the worker's or the Temporal server's
// RSS passes BENCH_RSS_LIMIT_MB (checked every 2 s, also inside a step), when BENCH_TIMEOUT_S
// passes, or when the worker process dies (workerDied: e.g. ERR_WORKER_OUT_OF_MEMORY).
//
// Environment: BENCH_STEP (5000), BENCH_MAX (50000), BENCH_CONCURRENCY (32), BENCH_RSS_LIMIT_MB
// (6000), BENCH_TIMEOUT_S (10800), BENCH_EXTRAPOLATE_TO (50000), TEMPORAL_CLI.
import {
  answers,
  customerOnPolicy,
  env,
  linearFit,
  log,
  maxOf,
  minOf,
  now,
  openIncidents,
  procFigures,
  ratePerS,
  round,
  runBench,
  sleep,
  startStack,
  waitForProjections,
} from './support.js';

const settings = {
  step: env('BENCH_STEP', 5000),
  max: env('BENCH_MAX', 50000),
  concurrency: env('BENCH_CONCURRENCY', 32),
  rssLimitMb: env('BENCH_RSS_LIMIT_MB', 6000),
  timeoutS: env('BENCH_TIMEOUT_S', 10800),
  extrapolateTo: env('BENCH_EXTRAPOLATE_TO', 50000),
};

interface Point {
  open: number;
  seconds: number;
  requestRatePerS: number | null;
  endToEndRatePerS: number | null;
  failedRequests: number;
  workerRssMb: number | null;
  workerPeakRssMb: number | null;
  workerHeapUsedMb: number | null;
  workerCachedWorkflows: number | null;
  workerCpuMsPerIncident: number | null;
  temporalRssMb: number | null;
  apiRssMb: number;
  elapsedS: number;
}

await runBench('open-incidents', settings, async () => {
  const started = now();
  const deadline = started + settings.timeoutS * 1000;
  const stack = await startStack();
  const policy = await customerOnPolicy(stack, {
    name: 'long targets',
    customerNumber: 'K-90002',
    contractNumber: 'V-9000-0002',
    // The demo office calendar (Mon-Fri 08-17 Europe/Berlin, DE-NW holidays); the warning comes after 3.75 business days.
    targets: { firstResponse: 2700, nextResponse: 2700, resolution: 5400 },
  });
  const body = (i: number) => ({ title: `Open ${i}`, description: 'Opened by bench/open-incidents.ts', customerNumber: policy.customerNumber, priority: 'P3', channel: 'api' });

  // The safety stop: checked every 2 s, also in the middle of a step.
  let stoppedEarly: string | null = null;
  let peakWorkerRss = 0;
  let peakTemporalRss = 0;
  const check = async () => {
    if (stoppedEarly) return;
    const died = stack.worker.died();
    if (died) {
      stoppedEarly = `worker died: ${died}`;
      return;
    }
    const w = await stack.worker.stats();
    const t = procFigures(stack.pids.temporal);
    peakWorkerRss = Math.max(peakWorkerRss, w?.rssMb ?? 0);
    peakTemporalRss = Math.max(peakTemporalRss, t?.rssMb ?? 0);
    if ((w?.rssMb ?? 0) > settings.rssLimitMb) stoppedEarly = `worker RSS ${w!.rssMb} MB passed BENCH_RSS_LIMIT_MB ${settings.rssLimitMb}`;
    else if ((t?.rssMb ?? 0) > settings.rssLimitMb) stoppedEarly = `Temporal server RSS ${t!.rssMb} MB passed BENCH_RSS_LIMIT_MB ${settings.rssLimitMb}`;
    else if (now() > deadline) stoppedEarly = `BENCH_TIMEOUT_S ${settings.timeoutS} passed`;
  };
  let checking = false;
  const monitor = setInterval(() => {
    if (checking) return;
    checking = true;
    void check().finally(() => (checking = false));
  }, 2000);
  const stop = () => stoppedEarly !== null;

  const warm = await openIncidents(stack, { count: 10, concurrency: 10, body: (i) => body(-1 - i) });
  let open = (await waitForProjections(stack, warm.flatMap((o) => (o.number ? [o.number] : [])), now() + 60_000)).size;
  const points: Point[] = [];
  let opened = 0;
  try {
    while (opened < settings.max && !stop()) {
      const count = Math.min(settings.step, settings.max - opened);
      log(`step ${points.length + 1}: ${count} incidents (open so far: ${open})…`);
      peakWorkerRss = 0;
      const f0 = await stack.figures();
      const results = await openIncidents(stack, { count, concurrency: settings.concurrency, body, offset: opened, stop });
      opened += count;
      const numbers = results.flatMap((r) => (r.number ? [r.number] : []));
      const projected = await waitForProjections(stack, numbers, deadline, stop);
      open += projected.size;
      await check();
      const f1 = await stack.figures();
      const first = minOf(results.map((r) => r.t0));
      const workerCpu = f0.worker && f1.worker ? f1.worker.cpuUserMs + f1.worker.cpuSystemMs - (f0.worker.cpuUserMs + f0.worker.cpuSystemMs) : null;
      const point: Point = {
        open,
        seconds: round((now() - first) / 1000),
        requestRatePerS: ratePerS(numbers.length, first, maxOf(results.map((r) => r.t1))),
        endToEndRatePerS: ratePerS(projected.size, first, maxOf(projected.values())),
        failedRequests: results.length - numbers.length,
        workerRssMb: f1.worker?.rssMb ?? null,
        workerPeakRssMb: Math.max(peakWorkerRss, f1.worker?.rssMb ?? 0) || null,
        workerHeapUsedMb: f1.worker?.heapUsedMb ?? null,
        workerCachedWorkflows: f1.worker?.cachedWorkflows ?? null,
        workerCpuMsPerIncident: workerCpu === null || projected.size === 0 ? null : round(workerCpu / projected.size, 2),
        temporalRssMb: f1.temporal?.rssMb ?? null,
        apiRssMb: f1.api.rssMb,
        elapsedS: round((now() - started) / 1000),
      };
      points.push(point);
      log(`  ${open} open: ${point.endToEndRatePerS}/s end to end (${point.requestRatePerS}/s requests), worker RSS ${point.workerRssMb} MB (${point.workerCachedWorkflows} cached), Temporal RSS ${point.temporalRssMb} MB`);
      if (projected.size < numbers.length && !stop()) {
        stoppedEarly = `${numbers.length - projected.size} projections of the step missing at the time limit`;
      }
      if (results.length < count && !stop()) stoppedEarly = 'requests stopped';
      if (point.failedRequests > 0) log(`  ${point.failedRequests} requests failed: ${JSON.stringify(answers(results).firstErrors)}`);
    }
  } finally {
    clearInterval(monitor);
  }
  await sleep(0);

  const firstPoint = points[0];
  const lastPoint = points.at(-1);
  const fit = (key: 'workerRssMb' | 'temporalRssMb' | 'endToEndRatePerS') => linearFit(points.flatMap((p) => (p[key] === null ? [] : [{ x: p.open, y: p[key] }])));
  const workerFit = fit('workerRssMb');
  const temporalFit = fit('temporalRssMb');
  const rateFit = fit('endToEndRatePerS');
  const at = (f: ReturnType<typeof linearFit>, x: number) => (f ? round(f.intercept + f.slope * x) : null);
  const rateAtTarget = at(rateFit, settings.extrapolateTo);
  const reach = (f: ReturnType<typeof linearFit>, y: number) => (f && f.slope > 0 ? Math.round((y - f.intercept) / f.slope) : null);
  const died = stack.worker.died();
  return {
    ok: died === null && points.length > 0,
    figures: {
      reached: open,
      target: settings.max,
      completed: opened >= settings.max && !stoppedEarly,
      stoppedEarly,
      workerLimits: stack.worker.limits(),
      ...(died ? { workerDied: died } : {}),
      series: points,
      rate: {
        firstStepPerS: firstPoint?.endToEndRatePerS ?? null,
        lastStepPerS: lastPoint?.endToEndRatePerS ?? null,
        lastOverFirst: firstPoint?.endToEndRatePerS && lastPoint?.endToEndRatePerS ? round(lastPoint.endToEndRatePerS / firstPoint.endToEndRatePerS, 3) : null,
      },
      peaks: { workerRssMb: Math.max(peakWorkerRss, ...points.map((p) => p.workerPeakRssMb ?? 0)) || null, temporalRssMb: Math.max(peakTemporalRss, ...points.map((p) => p.temporalRssMb ?? 0)) || null },
      extrapolation: {
        method: 'least squares over the steps (RSS and end-to-end rate against open incidents)',
        to: settings.extrapolateTo,
        workerRssMbPerOpenIncident: workerFit ? round(workerFit.slope, 4) : null,
        workerRssMbAtTarget: at(workerFit, settings.extrapolateTo),
        openIncidentsAtWorkerRss1GiB: reach(workerFit, 1024),
        openIncidentsAtRssLimit: reach(workerFit, settings.rssLimitMb),
        temporalRssMbPerOpenIncident: temporalFit ? round(temporalFit.slope, 4) : null,
        temporalRssMbAtTarget: at(temporalFit, settings.extrapolateTo),
        // null when the fitted line reaches zero before the target (too few steps to say more).
        endToEndRatePerSAtTarget: rateAtTarget !== null && rateAtTarget > 0 ? rateAtTarget : null,
        endToEndRatePerSPerThousandOpen: rateFit ? round(rateFit.slope * 1000, 3) : null,
        note: 'linear; a bounded sticky cache flattens the worker curve once it is full (see workerCachedWorkflows), so the fit over few steps overstates it',
      },
    },
  };
});
