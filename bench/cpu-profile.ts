// Sums up the V8 .cpuprofile files that `node --cpu-prof` wrote (one per thread: the worker
// process's main thread with the activities, and its workflow thread): where the busy time went, by
// package or source file and by function (self time), optionally only within a time window (the
// profiles' timestamps are CLOCK_MONOTONIC microseconds, the clock of process.hrtime in any process,
// so the benchmark can mark its measured phase). Used by bench/intake.ts with BENCH_CPU_PROF;
// open the files themselves in Chrome DevTools (Performance tab) or speedscope for the call trees.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { round } from './support.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package (node_modules/<name>), the file under src/ or bench/, or a V8 category of a frame. */
function bucketOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const src = /\/(src|bench|tests)\/(.+)$/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('workflow-bundle-')) return 'workflow bundle (src/workflows, src/domain and what they import)';
  if (url.startsWith('evalmachine.')) return 'workflow sandbox (SDK glue)';
  return url.length > 60 ? `…${url.slice(-60)}` : url;
}

/** Now on the clock of the profiles' timestamps (CLOCK_MONOTONIC in µs, the same in every process). */
export const profileClockUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Only samples inside `window` (profileClockUs() readings) count, when it is given. */
export async function summarizeProfiles(dir: string, window?: { fromUs: number; toUs: number }, top = 15) {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  const byBucket = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const threads: { file: string; busyMs: number; idleMs: number }[] = [];
  let busyTotal = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    let busy = 0;
    let idle = 0;
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      t += us;
      if (window && (t < window.fromUs || t > window.toUs)) return;
      const frame = nodes.get(id)?.callFrame;
      if (!frame) return;
      if (frame.functionName === '(idle)') {
        idle += us;
        return;
      }
      busy += us;
      const bucket = bucketOf(frame.url, frame.functionName);
      byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
      const name = `${frame.functionName || '(anonymous)'} ${bucket}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    });
    busyTotal += busy;
    threads.push({ file, busyMs: round(busy / 1000), idleMs: round(idle / 1000) });
  }
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: round(us / 1000), percentOfBusy: busyTotal === 0 ? 0 : round((us / busyTotal) * 100) }));
  return { dir, ...(window ? { windowS: round((window.toUs - window.fromUs) / 1e6) } : {}), threads, busyMs: round(busyTotal / 1000), byPackage: ranked(byBucket), topFunctionsSelf: ranked(byFunction) };
}
