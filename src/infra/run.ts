// Process plumbing shared by the entry points: one-line config errors and orderly shutdown.
import { ConfigError } from '../config.js';

/** Runs an entry point; a configuration error is one line on stderr and exit code 1. */
export function runEntryPoint(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
    } else {
      process.stderr.write(`Start-up failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    }
    process.exit(1);
  });
}

/**
 * Runs the cleanup steps in order on SIGINT/SIGTERM. A second Ctrl-C during cleanup exits at
 * once; the duplicate that npm relays along with the terminal's own signal is ignored.
 */
export function onShutdown(steps: { name: string; run: () => Promise<unknown> }[], log: (msg: string) => void): void {
  let stoppingSince: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < 1000) return;
      log(`${signal} again: exiting without waiting for cleanup.`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    log(`${signal}: shutting down…`);
    void (async () => {
      for (const step of steps) {
        const started = Date.now();
        try {
          await step.run();
          log(`stopped ${step.name} (${Date.now() - started} ms)`);
        } catch (err) {
          log(`while stopping ${step.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      log('stopped.');
      process.exit(0);
    })();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

export function isEntryPoint(moduleUrl: string): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  const modulePath = new URL(moduleUrl).pathname;
  return modulePath === argv1 || modulePath.replace(/\.(ts|js)$/, '') === argv1.replace(/\.(ts|js)$/, '');
}
