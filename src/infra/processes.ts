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

  /** Spawns the process and waits until it is ready; throws with the log's tail if it exits or the deadline passes. */
  async start(): Promise<void> {
    if (this.running) return;
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    this.logOffset = existsSync(this.spec.logFile) ? statSync(this.spec.logFile).size : 0;
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    this.log.write(`\n==== ${new Date().toISOString()} start ${this.spec.command} ${this.spec.args.join(' ')}\n`);
    this.stopping = false;
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
        if (!this.stopping) this.crashes += 1;
        resolve();
      });
      child.once('error', (err) => {
        this.log?.write(`==== spawn error: ${err.message}\n`);
        resolve();
      });
    });
    const deadline = Date.now() + (this.spec.startTimeoutMs ?? 120_000);
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited during start-up; the end of ${this.spec.logFile}:\n${tailOf(this.spec.logFile)}`);
      if (await this.spec.ready(() => this.logSinceStart()).catch(() => false)) return;
      if (Date.now() > deadline) {
        await this.kill();
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

  /** SIGKILL to the process group, and waits for the exit. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.signalGroup('SIGKILL');
    await this.exited;
  }

  /** The stop signal (SIGTERM unless the spec says otherwise), then SIGKILL after the grace period. */
  async stop(signal: NodeJS.Signals = this.spec.stopSignal ?? 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    // The main process only: it stops its own children (Postgres' backends) in its own order.
    this.signal(signal);
    const grace = this.spec.stopGraceMs ?? 30_000;
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), grace);
    await this.exited;
    clearTimeout(timer);
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
