// One router convention, enforced by lint and by a scan of the imports: a route declares its role
// in its spec, never in a path list, and no router imports another router's index or routes.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('router lint', () => {
  it.each([
    ['src/api/follow-ups/index.ts', `import { callbackViewOfRecord } from '../callbacks/index.js';\nexport const x = callbackViewOfRecord;\n`],
    ['src/api/callbacks/actions.ts', `import { addNoteRoute } from '../incidents/routes.js';\nexport const x = addNoteRoute;\n`],
    ['src/api/master-data/contacts/index.ts', `import { customersRouter } from '../customers/index.js';\nexport const x = customersRouter;\n`],
    ['src/api/master-data/contacts/routes.ts', `import { assignRoute } from '../../incidents/routes.js';\nexport const x = assignRoute;\n`],
  ])('%s may not import another router: %s', async (file, code) => {
    expect(await ruleIds(code, file)).toContain('no-restricted-imports');
  });

  it('lets a router import its own routes, another resource\'s schemas and views, and services', async () => {
    const code = [
      `import { assignRoute } from './routes.js';`,
      `import { Incident } from '../incidents/schemas.js';`,
      `import { timelineEventView } from '../incidents/views.js';`,
      `import { requireIncident } from '../../services/incident-queries.js';`,
      `export const x = [assignRoute, Incident, timelineEventView, requireIncident];`,
      '',
    ].join('\n');
    expect(await ruleIds(code, 'src/api/follow-ups/index.ts')).not.toContain('no-restricted-imports');
    expect(await ruleIds(`import { customersRouter } from './customers/index.js';\nexport const x = customersRouter;\n`, 'src/api/master-data/index.ts')).not.toContain('no-restricted-imports');
  });

  it.each([
    `export const r = createRouter();\nr.use('*', requireRole('agent'));\n`,
    `export const r = createRouter();\nr.on('POST', '*', requireRole('admin'));\n`,
    `export const r = createRouter();\nr.use('/:number/follow-ups', requireAnyRole('mailgate', 'admin'));\n`,
  ])('refuses a role on a path list instead of the route: %s', async (code) => {
    const header = `import { requireAnyRole, requireRole } from '../auth.js';\nimport { createRouter } from '../context.js';\nvoid requireAnyRole; void requireRole;\n`;
    expect(await ruleIds(header + code, 'src/api/calendars/index.ts')).toContain('no-restricted-syntax');
  });
});

/** Every .ts file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('router imports in src/api', () => {
  const api = join(root, 'src/api');

  it('never reach another router: an index.ts or routes.ts is imported only from its own folder or the folder above (a barrel)', () => {
    const files = sources(api).filter((f) => relative(api, f).includes(sep));
    expect(files.length).toBeGreaterThan(40);
    const offending: string[] = [];
    for (const file of files) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = resolve(dirname(file), spec!.replace(/\.js$/, '.ts'));
        const isRouter = /[/\\](index|routes)\.ts$/.test(target) && target.startsWith(api + sep) && relative(api, target).includes(sep);
        const own = dirname(target) === dirname(file) || dirname(dirname(target)) === dirname(file);
        if (isRouter && !own) offending.push(`${relative(root, file)} imports ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
