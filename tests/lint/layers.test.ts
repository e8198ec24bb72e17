// The layers, enforced by lint: src/domain imports only src/domain (and date-holidays), src/mail
// never imports src/services or src/api, and src/api never imports src/db/schema, not even a type.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });

/** The messages of no-restricted-imports for a file's text at a path. */
async function restricted(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const domainMessage = 'src/domain is pure: import only from src/domain or date-holidays';
const mailServicesMessage = 'src/mail must not import src/services';
const mailApiMessage = 'src/mail must not import src/api';
const apiSchemaMessage = 'src/api must not import src/db/schema, not even a type';
const routerMessage = 'A router must not import another router';

describe('src/domain imports only src/domain and date-holidays', () => {
  it.each([
    ['src/domain/sla.ts', `import { createDb } from '../db/client.js';\nexport const x = createDb;\n`],
    ['src/domain/sla.ts', `import type { IncidentRow } from '../services/incident-queries.js';\nexport type X = IncidentRow;\n`],
    ['src/domain/sla.ts', `import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n`],
    ['src/domain/sla.ts', `import { DateTime } from 'luxon';\nexport const x = DateTime;\n`],
    ['src/domain/sla.ts', `import { loadConfig } from './../config.js';\nexport const x = loadConfig;\n`],
    ['src/domain/incident/state.ts', `import { incidents } from '../../db/schema/index.js';\nexport const x = incidents;\n`],
    ['src/domain/incident/state.ts', `export * from '../../mail/threads.js';\n`],
  ])('%s: %s is reported', async (file, code) => {
    const messages = await restricted(code, file);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(domainMessage);
  });

  it('allows imports inside src/domain, at any depth, and date-holidays', async () => {
    const top = [
      `import Holidays from 'date-holidays';`,
      `import { nonBlank } from './text.js';`,
      `import type { IncidentState } from './incident/state.js';`,
      `export const x = [Holidays, nonBlank];`,
      `export type Y = IncidentState;`,
      '',
    ].join('\n');
    expect(await restricted(top, 'src/domain/sla.ts')).toEqual([]);
    const nested = `import { nonBlank } from '../text.js';\nimport type { IncidentIntake } from './state.js';\nexport const x = nonBlank;\nexport type Y = IncidentIntake;\n`;
    expect(await restricted(nested, 'src/domain/incident/sla.ts')).toEqual([]);
  });
});

describe('src/mail never imports src/services or src/api', () => {
  it.each([
    `import { ingestStoredMail } from '../services/mail/ingest.js';\nexport const x = ingestStoredMail;\n`,
    `import type { MessageView } from '../services/mail/queries.js';\nexport type X = MessageView;\n`,
  ])('a service import is reported: %s', async (code) => {
    expect(await restricted(code, 'src/mail/imap.ts')).toEqual([expect.stringContaining(mailServicesMessage)]);
  });

  it('an API import is reported', async () => {
    expect(await restricted(`import { Message } from '../api/mail/schemas.js';\nexport const x = Message;\n`, 'src/mail/outbox.ts')).toEqual([expect.stringContaining(mailApiMessage)]);
  });

  it('allows the adapters their tables, the domain and each other', async () => {
    const code = [
      `import { inboundMails } from '../db/schema/index.js';`,
      `import type { MailHeaders } from '../domain/mail-rules.js';`,
      `import { sanitizeMailHtml } from './sanitize.js';`,
      `export const x = [inboundMails, sanitizeMailHtml];`,
      `export type Y = MailHeaders;`,
      '',
    ].join('\n');
    expect(await restricted(code, 'src/mail/threads.ts')).toEqual([]);
  });
});

describe('src/api never imports src/db/schema', () => {
  it.each([
    ['src/api/app.ts', `import { incidents } from '../db/schema/index.js';\nexport const x = incidents;\n`],
    ['src/api/incidents/views.ts', `import type { incidentEvents } from '../../db/schema/index.js';\nexport type X = typeof incidentEvents.$inferSelect;\n`],
    ['src/api/mail/schemas.ts', `import { inboundMailStatuses } from '../../db/schema/mail.js';\nexport const x = inboundMailStatuses;\n`],
    ['src/api/master-data/contacts/index.ts', `import { contacts } from '../../../db/schema/index.js';\nexport const x = contacts;\n`],
  ])('%s: %s is reported, type imports included', async (file, code) => {
    expect(await restricted(code, file)).toEqual([expect.stringContaining(apiSchemaMessage)]);
  });

  it('keeps the router rule beside it: both are reported where both are broken', async () => {
    const code = `import { contacts } from '../../../db/schema/index.js';\nimport { customersRouter } from '../customers/index.js';\nexport const x = [contacts, customersRouter];\n`;
    const messages = await restricted(code, 'src/api/master-data/contacts/index.ts');
    expect(messages).toHaveLength(2);
    expect(messages).toEqual(expect.arrayContaining([expect.stringContaining(apiSchemaMessage), expect.stringContaining(routerMessage)]));
    const top = `import { incidents } from '../../db/schema/index.js';\nimport { addNoteRoute } from '../incidents/routes.js';\nexport const x = [incidents, addNoteRoute];\n`;
    expect(await restricted(top, 'src/api/callbacks/actions.ts')).toEqual(expect.arrayContaining([expect.stringContaining(apiSchemaMessage), expect.stringContaining(routerMessage)]));
  });

  it('allows services, the domain, the projection mapper and its own modules', async () => {
    const code = [
      `import { projectionRow } from '../../db/projection.js';`,
      `import type { IncidentEventRow } from '../../services/incident-queries.js';`,
      `import { inboundMailStatuses } from '../../domain/enums.js';`,
      `import { Incident } from './schemas.js';`,
      `export const x = [projectionRow, inboundMailStatuses, Incident];`,
      `export type Y = IncidentEventRow;`,
      '',
    ].join('\n');
    expect(await restricted(code, 'src/api/incidents/views.ts')).toEqual([]);
  });
});

describe('the real tree', () => {
  it('has no layer violation in src/domain, src/mail, src/api and src/workflows', async () => {
    const results = await eslint.lintFiles(['src/domain', 'src/mail', 'src/api', 'src/workflows']);
    expect(results.length).toBeGreaterThan(100);
    const errors = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath.slice(root.length)}:${m.line} ${m.message}`));
    expect(errors).toEqual([]);
  }, 180_000);
});

describe('src/web renders what services return', () => {
  const webSchemaMessage = 'src/web must not import src/db/schema, not even a type';
  const webApiMessage = "src/web must not import the API's routers";
  it.each([
    ['src/web/portal/requests-page.tsx', `import type { incidents } from '../../db/schema/index.js';\nexport type X = typeof incidents.$inferSelect;\n`, webSchemaMessage],
    ['src/web/layout.tsx', `import { contacts } from '../db/schema/customers.js';\nexport const x = contacts;\n`, webSchemaMessage],
    ['src/web/portal/request-routes.tsx', `import { Incident } from '../../api/incidents/schemas.js';\nexport const x = Incident;\n`, webApiMessage],
  ])('%s: the import is reported', async (file, code, message) => {
    expect(await restricted(code, file)).toEqual([expect.stringContaining(message)]);
  });

  it('allows services, the domain and the app context', async () => {
    const code = [
      `import type { AppEnv } from '../../api/context.js';`,
      `import { listRequests } from '../../services/portal/requests.js';`,
      `import { impacts } from '../../domain/enums.js';`,
      'export const x = [listRequests, impacts];',
      'export type Y = AppEnv;',
      '',
    ].join('\n');
    expect(await restricted(code, 'src/web/portal/request-routes.tsx')).toEqual([]);
  });
});
