// The cluster's process supervision (src/infra/processes.ts): ready only once the process says so,
// SIGKILL kills the whole process group and is not a crash, an exit on its own is one and is
// restarted (compose's restart: unless-stopped), a stop cancels a pending restart.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedProcess } from '../../src/infra/processes.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A node process that prints "ready <pid>" and then runs until killed, or exits after exitAfterMs (long enough that a loaded machine sees it ready first). */
function child(options: { exitAfterMs?: number; restartOnCrash?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'processes-test-'));
  dirs.push(dir);
  const script = `console.log('ready ' + process.pid); ${options.exitAfterMs ? `setTimeout(() => process.exit(3), ${options.exitAfterMs});` : ''} setInterval(() => {}, 1000);`;
  return new ManagedProcess({
    name: 'child',
    command: process.execPath,
    args: ['-e', script],
    env: { PATH: process.env.PATH },
    logFile: join(dir, 'child.log'),
    ready: (since) => Promise.resolve(/ready \d+/.test(since())),
    startTimeoutMs: 10_000,
    stopGraceMs: 2_000,
    ...(options.restartOnCrash ? { restartOnCrash: true } : {}),
  });
}

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('ManagedProcess', () => {
  it('is ready when its log says so; SIGKILL is not a crash and does not restart it', async () => {
    const p = child({ restartOnCrash: true });
    await p.start();
    const pid = p.pid!;
    expect(p.running).toBe(true);
    expect(p.logSinceStart()).toContain(`ready ${pid}`);
    await p.kill();
    expect(p.running).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow(); // gone
    await new Promise((r) => setTimeout(r, 1500));
    expect(p.running).toBe(false);
    expect(p.crashes).toBe(0);
    // Started again by hand: a new life, and its log since then is its own.
    await p.start();
    expect(p.starts).toBe(2);
    expect(p.pid).not.toBe(pid);
    expect(p.logSinceStart()).not.toContain(`ready ${pid}`);
    await p.close();
    expect(readFileSync(p.spec.logFile, 'utf8')).toMatch(/exit code=null signal=SIGKILL/);
  });

  it('restarts a process that exits on its own, and a stop cancels the restart', async () => {
    const p = child({ exitAfterMs: 1500, restartOnCrash: true });
    await p.start();
    await until(() => p.crashes >= 1 && p.starts >= 2 && p.running);
    await p.stop();
    const starts = p.starts;
    await new Promise((r) => setTimeout(r, 2500));
    expect(p.starts).toBe(starts);
    expect(p.running).toBe(false);
    await p.close();
  });

  it('without restartOnCrash, counts the crash and stays down', async () => {
    const p = child({ exitAfterMs: 1500 });
    await p.start();
    await until(() => !p.running);
    await new Promise((r) => setTimeout(r, 1500));
    expect(p.crashes).toBe(1);
    expect(p.starts).toBe(1);
    await p.close();
  });

  it('fails the start with the log tail when the process dies first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'processes-test-'));
    dirs.push(dir);
    const p = new ManagedProcess({ name: 'broken', command: process.execPath, args: ['-e', "console.error('no config here'); process.exit(2)"], env: {}, logFile: join(dir, 'b.log'), ready: () => Promise.resolve(false), startTimeoutMs: 5000 });
    await expect(p.start()).rejects.toThrow(/broken exited during start-up[\s\S]*no config here/);
    await p.close();
  });
});
