// Request Tracker 5 (Debian's packages) for bench/mailgate-vs-rt.ts: a database set up once and
// kept under ~/.cache/helpdesk/rt/, a throwaway copy of it per run, RT's own web server (rt-server
// under Starman, no Apache) on 127.0.0.1, and rt-mailgate spawned per mail as an MTA would.
//
// Nothing here touches /etc/request-tracker5: RT reads only the site config written here
// (RT_SITE_CONFIG, and an empty RT_SITE_CONFIG_DIR). Outgoing mail goes to Mail::Mailer's
// 'testfile' (a temp file under the run's own TMPDIR), so nothing tries to send.
//
// Needs: apt-get install request-tracker5 rt5-db-sqlite rt5-clients rt5-standalone starman w3m (see
// rtInstallHint and bench/README.md).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const rtPaths = {
  mailgate: process.env.RT_MAILGATE ?? '/usr/bin/rt-mailgate',
  setupDatabase: process.env.RT_SETUP_DATABASE ?? '/usr/sbin/rt-setup-database',
  server: process.env.RT_SERVER ?? '/usr/share/request-tracker5/libexec/rt-server',
};

/** Where the set-up database is kept between runs (delete the folder to set it up again). */
export const rtCacheDir = process.env.BENCH_RT_DIR ?? join(homedir(), '.cache', 'helpdesk', 'rt');

export const rtInstallHint = [
  'Request Tracker 5 is needed for this benchmark (Debian 12 packages). As root:',
  "  printf '%s\\n' 'request-tracker5 request-tracker5/dbconfig-install boolean true' 'request-tracker5 request-tracker5/database-type select sqlite3' | debconf-set-selections",
  '  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends request-tracker5 rt5-db-sqlite rt5-clients rt5-standalone starman w3m',
  'The benchmark sets up its own RT database and server; nothing else is to be configured.',
].join('\n');

export interface RtInstallation {
  version: string | null;
  /** 'Starman' (prefork, --workers) when installed, else Plack's single-process standalone server. */
  server: 'Starman' | 'Standalone';
}

/** Throws with rtInstallHint when a part of RT is missing. */
export function checkRtInstalled(): RtInstallation {
  const missing = Object.entries(rtPaths)
    .filter(([, path]) => !existsSync(path))
    .map(([name, path]) => `${name} (${path})`);
  const perl = spawnSync('perl', ['-MDBD::SQLite', '-e', '1'], { encoding: 'utf8' });
  if (perl.status !== 0) missing.push('DBD::SQLite (rt5-db-sqlite)');
  if (!existsSync('/usr/bin/sqlite3')) missing.push('sqlite3');
  if (missing.length > 0) throw new Error(`Request Tracker is missing: ${missing.join(', ')}.\n${rtInstallHint}`);
  const dpkg = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'request-tracker5'], { encoding: 'utf8' });
  const starman = spawnSync('perl', ['-MStarman', '-e', '1'], { encoding: 'utf8' }).status === 0;
  return { version: dpkg.status === 0 ? dpkg.stdout.trim() : null, server: starman ? 'Starman' : 'Standalone' };
}

// ---------------------------------------------------------------------------------------------
// Configuration and database

const perlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function siteConfig(options: { databaseFile: string; port: number }): string {
  const base = `http://127.0.0.1:${options.port}`;
  return `# Written by bench/rt-server.ts for one benchmark run.
Set($rtname, 'helpdesk-bench');
Set($Organization, 'helpdesk-bench.example');
Set($CorrespondAddress, 'support@helpdesk-bench.example');
Set($CommentAddress, 'support-comment@helpdesk-bench.example');
Set($WebDomain, '127.0.0.1');
Set($WebPort, ${options.port});
Set($WebPath, '');
Set($WebBaseURL, ${perlString(base)});
Set($DatabaseType, 'SQLite');
Set($DatabaseName, ${perlString(options.databaseFile)});
Set($DatabaseHost, '');
Set($DatabasePort, '');
Set($DatabaseUser, '');
Set($DatabasePassword, '');
# No outgoing mail: Mail::Mailer's testfile writes it to a temp file (under this run's TMPDIR).
Set($MailCommand, 'testfile');
Set($LogToSyslog, undef);
Set($LogToFile, undef);
Set($LogToSTDERR, 'error');
Set($Timezone, 'UTC');
1;
`;
}

// Anyone may open a ticket in General by mail and answer on it (rt-mailgate's unknown senders).
const grantData = `@ACL = (
  map { +{ GroupDomain => 'SystemInternal', GroupType => 'Everyone', Queue => 'General', Right => $_ } }
    qw(CreateTicket ReplyToTicket CommentOnTicket)
);
1;
`;

interface SetupStamp {
  rtVersion: string | null;
  grants: string;
  at: string;
}

function rtEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, RT_SITE_CONFIG: join(dir, 'RT_SiteConfig.pm'), RT_SITE_CONFIG_DIR: join(dir, 'site.d'), TMPDIR: join(dir, 'tmp') };
}

async function writeRtDir(dir: string, options: { databaseFile: string; port: number }): Promise<void> {
  await mkdir(join(dir, 'site.d'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await writeFile(join(dir, 'RT_SiteConfig.pm'), siteConfig(options));
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): void {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: timeoutMs });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${(result.stdout + result.stderr).trim().slice(-2000)}`);
}

/**
 * The set-up RT database (schema, core data, the grants to Everyone on General): reused from
 * rtCacheDir when it was made by the same RT version with the same grants, else made there once
 * (rt-setup-database --action init, then --action insert with the grants; about 5 s).
 */
export async function ensureRtTemplate(installation: RtInstallation, log: (m: string) => void): Promise<string> {
  const template = join(rtCacheDir, 'rt5-template.db');
  const stampFile = join(rtCacheDir, 'setup.json');
  try {
    const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as SetupStamp;
    if (existsSync(template) && stamp.rtVersion === installation.version && stamp.grants === grantData) {
      log(`RT database: reusing ${template} (set up ${stamp.at})`);
      return template;
    }
  } catch {
    // not set up yet
  }
  log(`RT database: setting up ${template} (rt-setup-database)…`);
  await mkdir(rtCacheDir, { recursive: true });
  const build = await mkdtemp(join(rtCacheDir, 'build-'));
  try {
    const databaseFile = join(build, 'rt5.db');
    await writeRtDir(build, { databaseFile, port: 8080 });
    await writeFile(join(build, 'grants.pl'), grantData);
    const env = rtEnv(build);
    run(rtPaths.setupDatabase, ['--action', 'init', '--skip-create'], env, 120_000);
    run(rtPaths.setupDatabase, ['--action', 'insert', '--skip-create', '--datafile', join(build, 'grants.pl')], env, 120_000);
    const granted = spawnSync('sqlite3', [databaseFile, "select count(*) from ACL a join Groups g on g.id = a.PrincipalId where g.Name = 'Everyone' and a.ObjectType = 'RT::Queue' and a.RightName in ('CreateTicket', 'ReplyToTicket')"], { encoding: 'utf8' });
    if (granted.stdout.trim() !== '2') throw new Error(`the grants to Everyone on General are not in the new RT database (${granted.stdout.trim() || granted.stderr.trim()})`);
    await rename(databaseFile, template);
    await writeFile(stampFile, JSON.stringify({ rtVersion: installation.version, grants: grantData, at: new Date().toISOString() } satisfies SetupStamp, null, 2) + '\n');
  } finally {
    await rm(build, { recursive: true, force: true });
  }
  return template;
}

// ---------------------------------------------------------------------------------------------
// The server

/**
 * Which of RT's scrips run on each mail: 'default' (all 17 as shipped: the autoreply to the
 * requestor, notifications of owner, AdminCcs, Ccs and other recipients, SLA dates, subject tags),
 * 'autoreply' (only "On Create Autoreply To Requestors", what our acknowledgement does) or 'none'.
 */
export type RtScrips = 'default' | 'autoreply' | 'none';
export const rtScripChoices: readonly RtScrips[] = ['default', 'autoreply', 'none'];

export interface RtServer {
  url: string;
  pid: number;
  dir: string;
  databaseFile: string;
  /** User + system CPU (ms) of the server's live processes (Starman master and workers) so far. */
  cpuMs(): number;
  /** Lines RT logged at error level or above (its stderr), apart from Starman's own noise. */
  errors(): string[];
  /** Counts from RT's database (sqlite3, read-only). */
  counts(): { tickets: number; createTransactions: number; correspondTransactions: number; users: number } | null;
  stop(): Promise<void>;
}

let clockTicks: number | undefined;
const ticksPerSecond = () => (clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100);

/** CPU (ms, user + system) of a live process and all its descendants (e.g. a postmaster and its backends). */
export function treeCpuMs(rootPid: number | null | undefined): number | null {
  if (!rootPid) return null;
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17
      // (the reaped children's, e.g. a Starman worker recycled; live children count themselves).
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      ticks.set(pid, Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]));
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(pid);
    } catch {
      // gone meanwhile
    }
  }
  if (!ticks.has(rootPid)) return null;
  let sum = 0;
  const stack = [rootPid];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    sum += ticks.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return (sum / ticksPerSecond()) * 1000;
}

/** user + system CPU (ms) of this process's children that have exited and were reaped (cutime + cstime). */
export function reapedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) / ticksPerSecond()) * 1000;
}

/**
 * Copies the template database into a fresh run folder and starts RT's web server on
 * 127.0.0.1:port (own process group, so it is stopped as a whole); resolves once RT answers.
 */
export async function startRtServer(options: { template: string; port: number; workers: number; scrips: RtScrips; installation: RtInstallation; log: (m: string) => void }): Promise<RtServer> {
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-bench-rt-'));
  const databaseFile = join(dir, 'rt5.db');
  await copyFile(options.template, databaseFile);
  if (options.scrips !== 'default') {
    const keep = options.scrips === 'autoreply' ? "Description = 'On Create Autoreply To Requestors'" : '0';
    const result = spawnSync('sqlite3', [databaseFile, `update Scrips set Disabled = case when ${keep} then 0 else 1 end; select count(*) from Scrips where Disabled = 0`], { encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`could not switch RT's scrips off: ${result.stderr.trim()}`);
    }
    options.log(`RT scrips: ${options.scrips} (${result.stdout.trim()} enabled)`);
  }
  await writeRtDir(dir, { databaseFile, port: options.port });
  const url = `http://127.0.0.1:${options.port}`;
  const args = ['--port', String(options.port), '--host', '127.0.0.1', ...(options.installation.server === 'Starman' ? ['--server', 'Starman', '--workers', String(options.workers)] : [])];
  const child: ChildProcess = spawn(rtPaths.server, args, { env: rtEnv(dir), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = child.pid!;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => killGroup('SIGKILL');
  process.once('exit', killOnExit);
  const errors: string[] = [];
  let tail = '';
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
    for (const line of chunk.toString().split('\n')) {
      // Starman's uninitialized-value warnings and its start-up lines are not RT's errors.
      if (/\[(error|critical|alert|emergency)\]/.test(line) && errors.length < 200) errors.push(line.trim());
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
      // The workers may outlive the master by a moment.
      killGroup('SIGKILL');
    }
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`rt-server exited before it answered:\n${tail.trim()}`);
    }
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`rt-server did not answer on ${url} within 90 s:\n${tail.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  options.log(`RT ${options.installation.version ?? '?'} up on ${url} (${options.installation.server}${options.installation.server === 'Starman' ? `, ${options.workers} workers` : ', one process'}, pid ${pid}, database ${databaseFile})`);

  return {
    url,
    pid,
    dir,
    databaseFile,
    cpuMs: () => treeCpuMs(pid) ?? 0,
    errors: () => [...errors],
    counts() {
      const q = spawnSync(
        'sqlite3',
        [
          '-readonly',
          databaseFile,
          "select (select count(*) from Tickets), (select count(*) from Transactions where ObjectType = 'RT::Ticket' and Type = 'Create'), (select count(*) from Transactions where ObjectType = 'RT::Ticket' and Type = 'Correspond'), (select count(*) from Users)",
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      const [tickets, createTransactions, correspondTransactions, users] = q.stdout.trim().split('|').map(Number);
      if (q.status !== 0 || users === undefined || !Number.isFinite(users)) return null;
      return { tickets: tickets!, createTransactions: createTransactions!, correspondTransactions: correspondTransactions!, users };
    },
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// The mailgate

export interface MailgateResult {
  code: number | null;
  ms: number;
  stderr: string;
}

/** One mail through rt-mailgate on stdin, as an MTA delivers it; killed after timeoutMs. */
export function rtMailgate(url: string, raw: Buffer, options: { queue?: string; action?: string; timeoutMs?: number } = {}): Promise<MailgateResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(rtPaths.mailgate, ['--queue', options.queue ?? 'general', '--action', options.action ?? 'correspond', '--url', `${url}/`], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.stdin.on('error', () => undefined); // it may exit before reading everything
    child.stdin.end(raw);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, ms: performance.now() - t0, stderr: err.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? null, ms: performance.now() - t0, stderr: signal ? `${stderr}killed by ${signal}` : stderr });
    });
  });
}
