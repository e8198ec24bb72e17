// Form bodies of the web pages: fields as strings, files as buffers, every text well-formed and
// free of control characters (as the API's JSON is), a missing or wrong CSRF token refused.
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { anyControlCharacter, textProblem } from '../domain/text.js';
import { ValidationError } from '../domain/errors.js';
import type { UploadedFile } from '../services/portal/actions.js';

export interface FormData {
  fields: Record<string, string>;
  files: UploadedFile[];
}

/** Text that may hold line breaks (a message); everything else is one line. */
const multiline = new Set(['text', 'description', 'reason', 'topic', 'comment']);

export class CsrfRefused extends Error {
  constructor() {
    super('The form carries no valid CSRF token.');
    this.name = 'CsrfRefused';
  }
}

export async function readForm(c: Context, fileField?: string): Promise<FormData> {
  let body: Record<string, string | File | (string | File)[]>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch (err) {
    if (err instanceof HTTPException) throw err; // over the body limit: 413, answered as such
    // A broken multipart or URL-encoded body: the sender's fault, a 400 and not a 500.
    throw new ValidationError('The form could not be read; send it again from the page.', 'body');
  }
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  for (const [name, value] of Object.entries(body)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v === 'string') {
        if (name in fields) continue; // the first of repeated fields
        // A tab pasted into a one-line field (from a spreadsheet) is a space there.
        const value = multiline.has(name) ? v : v.replaceAll('\t', ' ');
        const problem = textProblem(value, multiline.has(name) ? undefined : anyControlCharacter);
        if (problem) throw new ValidationError(`${name} ${problem}`, name);
        fields[name] = value;
      } else if (name === fileField && v.size > 0) {
        files.push({ filename: (v.name || 'file').toWellFormed().replace(/[\\/\u0000-\u001f]/g, '_').slice(0, 200), contentType: v.type || 'application/octet-stream', content: Buffer.from(await v.arrayBuffer()) });
      }
    }
  }
  return { fields, files };
}

/** The synchronizer token: the form's (or the htmx header's) must equal the expected one. */
export function checkCsrf(c: Context, fields: Record<string, string>, expected: string): void {
  const sent = fields._csrf ?? c.req.header('x-csrf-token') ?? '';
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new CsrfRefused();
}
