// OpenAPI route spec for POST /api/import/{kind} (admin), with its own body limit and CSV content type; the handler lives in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { importColumns, importKinds, maxImportRows } from '../../../services/master-data/import.js';
import { requireRole } from '../../auth.js';
import { ProblemSchema, problemResponses } from '../../common-schemas.js';
import type { AppEnv } from '../../context.js';
import { problem } from '../../problem.js';

/** Ten megabytes hold well over the row limit of any sensible export. */
export const maxImportBytes = 10 * 1024 * 1024;
const csvTypes = ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel'];

const csvBodyLimit = bodyLimit({ maxSize: maxImportBytes, onError: (c) => problem(c as Context<AppEnv>, 413, `The CSV file is larger than ${maxImportBytes / 1024 / 1024} MB; split it.`) });
const csvOnly = createMiddleware<AppEnv>(async (c, next) => {
  const contentType = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!csvTypes.includes(contentType)) return problem(c, 415, `Send the CSV file with Content-Type text/csv (got ${contentType || 'none'}).`, { errors: [{ field: 'Content-Type', message: `send text/csv (got ${contentType || 'none'})` }] });
  await next();
});

const ImportResult = z
  .object({
    kind: z.enum(importKinds),
    rows: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    dryRun: z.boolean(),
  })
  .openapi('ImportResult');

const columnDocs = importKinds.map((kind) => `- **${kind}**: ${importColumns[kind].join(', ')}`).join('\n');

export const importRoute = createRoute({
  method: 'post',
  path: '/{kind}',
  middleware: [requireRole('admin'), csvBodyLimit, csvOnly],
  tags: ['Master data'],
  security: [{ bearerAuth: [] }],
  summary: 'Import master data from CSV (admin)',
  description: `UTF-8 CSV (a BOM is fine) with a header line; the delimiter "," or ";" is taken from the header line. Lists inside a cell are separated by "|"; yes/no cells take true/false, yes/no, ja/nein or 1/0; money is whole cents. Rows are created or updated by the first column (the natural key); a column left out of the header is not touched on update, an empty cell clears an optional value. All rows are written in one transaction or none: a 400 lists every bad row with \`field\` "line <n>: <column>". \`?dryRun=true\` checks everything and answers the counts without writing. At most ${maxImportRows} rows and ${maxImportBytes / 1024 / 1024} MB.\n\nColumns (the first is the key):\n${columnDocs}\n\nContracts name their SLA policy by name (slaPolicy); the rate columns replace the contract's hourly rates (an empty rate uses the house default); coveredSerialNumbers replaces the cover list. An asset row with contractNumber adds the asset to that contract's cover list.`,
  request: {
    params: z.object({ kind: z.enum(importKinds).openapi({ param: { name: 'kind', in: 'path' } }) }),
    query: z.strictObject({ dryRun: z.enum(['true', 'false']).default('false').openapi({ description: 'Check only; write nothing.' }) }),
    body: { required: true, content: { 'text/csv': { schema: z.string().openapi({ example: 'customerNumber;name;mailDomains;language;creditHold;accountManagerEmail\nK-20001;Neue Kunde AG;neue-kunde.example;de;no;max.manager@helpdesk.example' }) } } },
  },
  responses: {
    200: { description: 'Imported (or checked, with dryRun).', content: { 'application/json': { schema: ImportResult } } },
    ...problemResponses(400, 401, 403),
    413: { description: 'The file is too large.', content: { 'application/problem+json': { schema: ProblemSchema } } },
    415: { description: 'Not a CSV body.', content: { 'application/problem+json': { schema: ProblemSchema } } },
  },
});
