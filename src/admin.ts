// The operator's command line: the first admin, more users, groups and tokens, straight in Postgres,
// so an installation started as in production (no demo seed) can be signed into. Runs the
// migrations first, so it also works before the API has ever started.
//
//   npm run -s admin -- create-user --email ada@example.com --name "Ada Admin" --role admin
//   node dist/admin.js issue-token --email ada@example.com        (the built image)
//   docker compose run --rm api node dist/admin.js create-user …  (compose)
//
// A token is printed once, alone on stdout (so `TOKEN=$(npm run -s admin -- …)` works); everything
// else goes to stderr. Exit status: 0 done, 1 refused (the line says why), 2 bad usage.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { createDatabase, runMigrations, type Db } from './db/client.js';
import { userRoles } from './domain/enums.js';
import { DomainError } from './domain/errors.js';
import { isEntryPoint } from './infra/run.js';
import { createGroup, listGroups } from './services/directory/groups.js';
import { issueToken } from './services/directory/tokens.js';
import { createUser, findUserByEmail, listUsers, parseRole } from './services/directory/users.js';

export const adminUsage = `Usage: npm run -s admin -- <command> [options]   (built image: node dist/admin.js <command> …)

Commands:
  create-user   --email <address> --role <${userRoles.join('|')}> [--name <name>] [--group <group>]
                [--cost-rate-cents <n>] [--token-name <name>] [--expires-at <ISO instant>] [--no-token]
                Creates a user and prints a new API token for them (unless --no-token).
  issue-token   --email <address> [--token-name <name>] [--expires-at <ISO instant>]
                Prints a new API token for an existing, active user (e.g. a lost admin token).
  create-group  --name <group> [--description <text>]
  list-users    Users with role, group and state, one per line.
  list-groups   Support groups, one per line.

Connects to DATABASE_URL; without it, to the embedded Postgres of \`npm start\` (EMBEDDED_PG_PORT).`;

class UsageError extends Error {}

const options = {
  email: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  group: { type: 'string' },
  description: { type: 'string' },
  'cost-rate-cents': { type: 'string' },
  'token-name': { type: 'string' },
  'expires-at': { type: 'string' },
  'no-token': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

export interface AdminIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

function required(values: Values, name: 'email' | 'role' | 'name'): string {
  const value = values[name]?.trim();
  if (!value) throw new UsageError(`--${name} is required.`);
  return value;
}

function expiresAt(values: Values): Date | undefined {
  const given = values['expires-at'];
  if (given === undefined) return undefined;
  const at = new Date(given);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(given) || Number.isNaN(at.getTime())) throw new UsageError(`--expires-at: "${given}" is not an ISO instant such as 2027-12-31T23:00:00Z.`);
  return at;
}

function costRate(values: Values): number | undefined {
  const given = values['cost-rate-cents'];
  if (given === undefined) return undefined;
  if (!/^\d{1,8}$/.test(given)) throw new UsageError(`--cost-rate-cents: "${given}" is not a whole number of cents.`);
  return Number(given);
}

const tokenName = (values: Values) => values['token-name']?.trim() || 'admin-cli';
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Runs one command against `db`; returns the exit status. */
export async function runAdminCommand(db: Db, argv: string[], io: AdminIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${adminUsage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.err(adminUsage);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    if (extra.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(extra[0])}; options start with --.`);
    switch (command) {
      case 'create-user': {
        const email = required(values, 'email');
        if (!emailShape.test(email)) throw new UsageError(`--email: "${email}" is not an e-mail address.`);
        const role = parseRole(required(values, 'role'), userRoles);
        const expiry = expiresAt(values);
        const costRateCents = costRate(values);
        const name = values.name?.trim() || email.split('@')[0]!;
        const { user, token } = await db.transaction(async (tx) => {
          const created = await createUser(tx, { email, name, role, group: values.group?.trim() || null, costRateCents });
          return { user: created, token: values['no-token'] ? undefined : await issueToken(tx, created.id, { name: tokenName(values), expiresAt: expiry }, 'admin-cli') };
        });
        io.err(`Created ${user.role} ${user.name} <${user.email}> (id ${user.id}).`);
        if (token) {
          io.err(`API token "${token.name}" (shown once, stored only as a hash) on stdout:`);
          io.out(token.token);
        }
        return 0;
      }
      case 'issue-token': {
        const email = required(values, 'email');
        const expiry = expiresAt(values);
        const user = await findUserByEmail(db, email);
        if (!user) throw new UsageError(`No user with the e-mail ${email}; create one with create-user.`);
        const token = await issueToken(db, user.id, { name: tokenName(values), expiresAt: expiry }, 'admin-cli');
        io.err(`API token "${token.name}" for ${user.role} ${user.name} <${user.email}> (shown once) on stdout:`);
        io.out(token.token);
        return 0;
      }
      case 'create-group': {
        const name = required(values, 'name');
        const group = await createGroup(db, { name, description: values.description });
        io.err(`Created group ${group.name}.`);
        return 0;
      }
      case 'list-users': {
        const page = await listUsers(db, { limit: 10_000, offset: 0 });
        for (const u of page.items) io.out([u.email, u.role, u.group ?? '-', u.active ? 'active' : 'deactivated', u.id, u.name].join('\t'));
        return 0;
      }
      case 'list-groups': {
        for (const g of await listGroups(db)) io.out([g.name, String(g.members), g.description].join('\t'));
        return 0;
      }
      default:
        throw new UsageError(`Unknown command ${JSON.stringify(command)}.\n\n${adminUsage}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(err.message);
      return 2;
    }
    if (err instanceof DomainError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
}

if (isEntryPoint(import.meta.url)) {
  const io: AdminIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };
  let status = 1;
  const argv = process.argv.slice(2);
  try {
    // Usage needs no database.
    if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
      io.err(adminUsage);
      process.exit(argv.length === 0 ? 2 : 0);
    }
    const config = loadConfig();
    const url = config.DATABASE_URL ?? `postgres://postgres:helpdesk@127.0.0.1:${config.EMBEDDED_PG_PORT}/helpdesk`;
    const database = createDatabase(url, { max: 2 });
    try {
      await runMigrations(database);
      status = await runAdminCommand(database.db, argv, io);
    } finally {
      await database.close();
    }
  } catch (err) {
    // drizzle wraps the driver's error in `cause`; the innermost one says what went wrong.
    let e = err as { code?: string; message?: string; cause?: unknown };
    while (e.cause && typeof e.cause === 'object') e = e.cause;
    if (err instanceof ConfigError) io.err(err.message);
    else if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT') io.err(`Cannot reach Postgres (${e.code}: ${e.message ?? ''}): set DATABASE_URL, or start the embedded stack with npm start.`);
    else io.err(`admin: ${e.message ?? String(err)}`);
    status = 1;
  }
  process.exitCode = status;
}
