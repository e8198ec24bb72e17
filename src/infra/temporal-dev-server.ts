// Finds the Temporal CLI and runs its dev server (with Web UI) as a child process.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createConnection } from 'node:net';

const ensureScript = fileURLToPath(new URL('../../scripts/ensure-temporal-cli.sh', import.meta.url));

/** TEMPORAL_CLI, else `temporal` on PATH, else the cached build (built from the Go proxy if missing). */
export function resolveTemporalCli(explicit?: string): string {
  const result = spawnSync('bash', [ensureScript], {
    env: { ...process.env, ...(explicit ? { TEMPORAL_CLI: explicit } : {}) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const path = result.stdout.trim();
  if (result.status !== 0 || path === '') {
    throw new Error('No Temporal CLI available (see the message above); set TEMPORAL_CLI to its path.');
  }
  return path;
}

export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface DevServerOptions {
  cli: string;
  host: string;
  port: number;
  /** Web UI port; omitted means headless. */
  uiPort?: number;
  /** SQLite file for persistence; omitted means in memory. */
  dbFile?: string;
  namespace: string;
  /** Dynamic config overrides, e.g. { 'limit.historyCount.suggestContinueAsNew': 40 } in tests. */
  dynamicConfig?: Record<string, string | number | boolean>;
  onLog?: (line: string) => void;
}

export interface RunningDevServer {
  address: string;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  if (await isPortOpen(options.host, options.port)) {
    throw new Error(`Port ${options.port} is already in use; stop what runs there or set TEMPORAL_ADDRESS to another port.`);
  }
  const args = ['server', 'start-dev', '--ip', options.host, '--port', String(options.port), '--namespace', options.namespace, '--log-level', 'warn'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);

  // Own process group: a terminal's Ctrl-C reaches only us, and we stop the server last,
  // after the worker has drained.
  const child = spawn(options.cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  // Never leave an orphan server behind, however this process ends.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + 60_000;
  while (!(await isPortOpen(options.host, options.port))) {
    if (hasExited) throw new Error(`The Temporal dev server exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The Temporal dev server did not listen on ${options.port} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    address: `${options.host}:${options.port}`,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
