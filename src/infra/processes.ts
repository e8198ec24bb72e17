// Child processes of `npm run cluster` and the chaos run: each in a process group of its own (so a
// terminal's Ctrl-C reaches only the cluster script, which stops them in order), its output
// appended to a log file, started with a readiness check under a deadline, and stoppable either
// gracefully (SIGTERM, then SIGKILL after a grace period) or at once (SIGKILL, for chaos).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface ProcessSpec {
  /** Short name: in logs, the summary and the chaos plan (`worker-1`, `temporal-history`). */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Appended to (the file survives restarts, so a chaos run keeps each life of a process). */
  logFile: string;
  /** Run as this user (Postgres refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Resolves true once the process serves; polled until startTimeoutMs. Gets what this life of the process logged so far. */
  ready: (logSinceStart: () => string) => Promise<boolean>;
  startTimeoutMs?: number;
  /** Time between the stop signal and SIGKILL on a graceful stop. */
  stopGraceMs?: number;
  /** The graceful stop signal (SIGTERM; Postgres: SIGINT, its fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** Start it again when it exits on its own (compose's `restart: unless-stopped`), after 1 s, doubling to 15 s. */
  restartOnCrash?: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The last lines of a log file, for error messages. */
export function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(no log)';
  }
}

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log: WriteStream | undefined;
  /** How often it was started (1 after the first start). */
  starts = 0;
  /** Unexpected exits (not by stop() or kill()). */
  crashes = 0;
  private stopping = false;
  private logOffset = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private restartDelayMs = 1000;

  constructor(readonly spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Spawns the process and waits until it is ready; throws with the log's tail if it exits or the
   * deadline passes (then it is killed, and not restarted: the caller decides). A start already
   * under way (a restart after a crash) is waited for, not doubled.
   */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    if (this.running) return Promise.resolve();
    this.stopping = false;
    this.cancelRestart();
    this.starting = this.spawnAndWait().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async spawnAndWait(): Promise<void> {
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    this.logOffset = existsSync(this.spec.logFile) ? statSync(this.spec.logFile).size : 0;
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    this.log.write(`\n==== ${new Date().toISOString()} start ${this.spec.command} ${this.spec.args.join(' ')}\n`);
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...(this.spec.uid !== undefined ? { uid: this.spec.uid } : {}),
      ...(this.spec.gid !== undefined ? { gid: this.spec.gid } : {}),
    });
    this.child = child;
    this.starts += 1;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.log?.write(`==== ${new Date().toISOString()} exit code=${code} signal=${signal}\n`);
        if (!this.stopping) {
          this.crashes += 1;
          // An exit during start-up fails the start instead; whoever started it decides.
          if (this.spec.restartOnCrash && this.starting === undefined) this.scheduleRestart();
        }
        resolve();
      });
      child.once('error', (err) => {
        this.log?.write(`==== spawn error: ${err.message}\n`);
        resolve();
      });
    });
    const deadline = Date.now() + (this.spec.startTimeoutMs ?? 120_000);
    for (;;) {
      if (this.stopping) throw new Error(`${this.name} was stopped during start-up`);
      if (!this.running) throw new Error(`${this.name} exited during start-up; the end of ${this.spec.logFile}:\n${tailOf(this.spec.logFile)}`);
      if (await this.spec.ready(() => this.logSinceStart()).catch(() => false)) return;
      if (Date.now() > deadline) {
        this.signalGroup('SIGKILL');
        await this.exited;
        throw new Error(`${this.name} was not ready within ${this.spec.startTimeoutMs ?? 120_000} ms; the end of ${this.spec.logFile}:\n${tailOf(this.spec.logFile)}`);
      }
      await sleep(250);
    }
  }

  /** What the process logged since its last start. */
  logSinceStart(): string {
    try {
      return readFileSync(this.spec.logFile).subarray(this.logOffset).toString('utf8');
    } catch {
      return '';
    }
  }

  private scheduleRestart(): void {
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, 15_000);
    this.log?.write(`==== exited on its own: restarting in ${delay} ms\n`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping || this.running) return;
      this.start().then(
        () => (this.restartDelayMs = 1000),
        (err: unknown) => {
          this.log?.write(`==== restart failed: ${err instanceof Error ? err.message : String(err)}\n`);
          // Not ready in time or died again: keep trying (with a longer pause), unless stopped.
          if (!this.stopping) this.scheduleRestart();
        },
      );
    }, delay);
  }

  private cancelRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  /** SIGKILL to the process group, and waits for the exit. */
  async kill(): Promise<void> {
    this.cancelRestart();
    if (!this.running) return;
    this.stopping = true;
    this.signalGroup('SIGKILL');
    await this.exited;
  }

  /** The stop signal (SIGTERM unless the spec says otherwise), then SIGKILL after the grace period. */
  async stop(signal: NodeJS.Signals = this.spec.stopSignal ?? 'SIGTERM'): Promise<void> {
    this.stopping = true;
    this.cancelRestart();
    if (!this.running) return;
    // The main process only: it stops its own children (Postgres' backends) in its own order.
    this.signal(signal);
    const grace = this.spec.stopGraceMs ?? 30_000;
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), grace);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL to the process group at once, synchronously: for a process that exits without cleaning up. */
  killNow(): void {
    this.stopping = true;
    this.cancelRestart();
    if (this.running) this.signalGroup('SIGKILL');
  }

  /** Closes the log file once the process is gone for good. */
  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // gone already
      }
    }
  }
}
