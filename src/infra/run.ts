// Process plumbing shared by the entry points: one-line config errors and orderly shutdown.
import { ConfigError } from '../config.js';

type Step = { name: string; run: () => Promise<unknown> };

/**
 * What an entry point has started, stopped in reverse order on SIGINT/SIGTERM, on a failed
 * start-up and on a fatal error later (say, the worker dies). A second Ctrl-C during cleanup
 * exits at once; the duplicate that npm relays along with the terminal's own signal is ignored.
 */
export class Lifecycle {
  private readonly steps: Step[] = [];
  private stoppingSince: number | undefined;

  /** Where shutdown progress goes; entry points point it at their logger once they have one. */
  log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`);

  get isEmpty(): boolean {
    return this.steps.length === 0;
  }

  /** Registers how to stop something that has just started. */
  started(name: string, run: () => Promise<unknown>): void {
    this.steps.unshift({ name, run });
  }

  /** Installs the signal handlers. */
  listen(): void {
    const handler = (signal: NodeJS.Signals) => {
      if (this.stoppingSince !== undefined) {
        if (Date.now() - this.stoppingSince < 1000) return;
        this.log(`${signal} again: exiting without waiting for cleanup.`);
        process.exit(130);
      }
      void this.shutdown(`${signal}: shutting down…`, 0);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    // A closed terminal: stop in order too (the cluster's children are in process groups of their own).
    process.on('SIGHUP', handler);
  }

  /** Stops everything that was started, then exits with the code. */
  async shutdown(reason: string, exitCode: number): Promise<never> {
    this.stoppingSince ??= Date.now();
    this.log(reason);
    for (const step of this.steps.splice(0)) {
      const started = Date.now();
      try {
        await step.run();
        this.log(`stopped ${step.name} (${Date.now() - started} ms)`);
      } catch (err) {
        this.log(`while stopping ${step.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.log('stopped.');
    process.exit(exitCode);
  }
}

/**
 * Runs an entry point. A configuration error is one line on stderr; any start-up failure
 * stops what was already started (no orphaned Postgres or Temporal) and exits with code 1.
 */
export function runEntryPoint(main: (lifecycle: Lifecycle) => Promise<void>, lifecycle = new Lifecycle()): void {
  lifecycle.listen();
  main(lifecycle).catch((err: unknown) => {
    const message =
      err instanceof ConfigError ? err.message : `Start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    process.stderr.write(`${message}\n`);
    if (lifecycle.isEmpty) process.exit(1);
    void lifecycle.shutdown('stopping what was started…', 1);
  });
}

export function isEntryPoint(moduleUrl: string): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  const modulePath = new URL(moduleUrl).pathname;
  return modulePath === argv1 || modulePath.replace(/\.(ts|js)$/, '') === argv1.replace(/\.(ts|js)$/, '');
}
