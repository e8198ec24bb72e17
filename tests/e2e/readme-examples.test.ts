// The README is executed: every ```bash block of README.md with a curl command runs against the
// stack `npm start` brings up, one bash session per "## " section in README order (variables flow
// from block to block), and every curl's result must be what its `# -> ...` line states. The
// convention is described in the README's "Development" section ("Examples in this README run").
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareNpmStart, repoRoot, startNpm, stopNpm, tokenOf, type NpmStartSetup, type Started } from '../support/npm-start.js';

const readmePath = join(repoRoot, 'README.md');

/** A curl command (not a mention of curl in prose, nor a path such as /usr/bin/curl). */
const curlCommand = /(?<![\w/.-])curl\s+(?:-|'|"|\$|\d|localhost|http)/;
const fence = /^\s*```(\S*)/;
const expectation = /#\s*->\s*(.*)$/;

interface Block {
  section: string;
  lang: string;
  /** README line numbers (1-based) and text of the block's content. */
  lines: { no: number; text: string }[];
}

/** The fenced blocks of a Markdown text with the "## " section each stands in. */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let section = '(before the first section)';
  let open: Block | undefined;
  markdown.split('\n').forEach((text, i) => {
    const no = i + 1;
    const f = fence.exec(text);
    if (open) {
      if (f && f[1] === '') {
        blocks.push(open);
        open = undefined;
      } else open.lines.push({ no, text });
    } else if (f) open = { section, lang: f[1]!, lines: [] };
    else if (text.startsWith('## ')) section = text.slice(3).trim();
  });
  return blocks;
}

const isComment = (text: string) => text.trimStart().startsWith('#');
const isRunnable = (b: Block) => b.lang === 'bash' && b.lines.some((l) => !isComment(l.text) && curlCommand.test(l.text));

/** A text bash expands inside double quotes: $VAR and $(...) expand, the rest stays as written. */
const doubleQuoted = (text: string) => `"${text.replace(/[\\"`]/g, (c) => `\\${c}`)}"`;

/**
 * One section's blocks as a bash script, one script line per README line: a `# -> ...` line (or a
 * trailing `# -> ...` on a command's last line) becomes a call of `__expect <README line> "<text>"`.
 */
function sessionScript(blocks: Block[]): { script: string; lineOf: number[] } {
  const out: string[] = [];
  const lineOf: number[] = [0];
  for (const block of blocks) {
    for (const { no, text } of block.lines) {
      const e = expectation.exec(text);
      if (e && isComment(text)) out.push(`__expect ${no} ${doubleQuoted(e[1]!.trim())}`);
      else if (e && text.includes(' # -> ')) out.push(`${text.slice(0, text.indexOf(' # -> '))}; __expect ${no} ${doubleQuoted(e[1]!.trim())}`);
      else out.push(text);
      lineOf.push(no);
    }
  }
  return { script: `${out.join('\n')}\n`, lineOf };
}

/**
 * Sourced by each session before its script (BASH_ENV): `curl` runs the real curl against the
 * started API (localhost:3000 becomes its port) and records each call's status and body;
 * `__expect` records a stated result with the number of the call it is about.
 */
const prelude = (dir: string, port: number) => `
__dir=${dir}
echo 0 > "$__dir/n"
: > "$__dir/expect"
: > "$__dir/calls"
curl() {
  local i args
  i=$(( $(cat "$__dir/n") + 1 ))
  echo "$i" > "$__dir/n"
  printf '%s\\t%s\\n' "$i" "\${BASH_LINENO[0]}" >> "$__dir/calls"
  args=("\${@//127.0.0.1:3000/localhost:3000}")
  args=("\${args[@]//localhost:3000/127.0.0.1:${port}}")
  command curl "\${args[@]}" -D "$__dir/headers-$i" | tee "$__dir/body-$i"
  return "\${PIPESTATUS[0]}"
}
__expect() {
  printf '%s\\t%s\\t%s\\n' "$(cat "$__dir/n")" "$1" "$2" >> "$__dir/expect"
}
`;

interface Call {
  index: number;
  readmeLine: number;
  status: number | undefined;
  body: string;
}

async function runSession(blocks: Block[], env: Record<string, string>, port: number): Promise<{ calls: Call[]; expects: { call: number; line: number; text: string }[]; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-readme-'));
  try {
    const { script, lineOf } = sessionScript(blocks);
    await writeFile(join(dir, 'prelude.sh'), prelude(dir, port));
    await writeFile(join(dir, 'session.sh'), script);
    const child = spawn('bash', ['--noprofile', '--norc', join(dir, 'session.sh')], {
      cwd: dir,
      env: { ...env, BASH_ENV: join(dir, 'prelude.sh') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    await new Promise((resolve) => child.once('close', resolve));
    clearTimeout(killer);
    const rows = (name: string) => readFile(join(dir, name), 'utf8').then((t) => t.split('\n').filter(Boolean).map((l) => l.split('\t')));
    const calls: Call[] = [];
    for (const [i, scriptLine] of await rows('calls')) {
      const headers = await readFile(join(dir, `headers-${i}`), 'utf8').catch(() => '');
      const statuses = [...headers.matchAll(/^HTTP\/\S+ (\d{3})/gm)];
      calls.push({
        index: Number(i),
        readmeLine: lineOf[Number(scriptLine)] ?? 0,
        status: statuses.length > 0 ? Number(statuses.at(-1)![1]) : undefined,
        body: await readFile(join(dir, `body-${i}`), 'utf8').catch(() => ''),
      });
    }
    const expects = (await rows('expect')).map(([call, line, ...text]) => ({ call: Number(call), line: Number(line), text: text.join('\t') }));
    return { calls, expects, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads the JSON value at the start of `text`; returns it and the rest. */
function leadingJson(text: string): { value: unknown; rest: string } | undefined {
  if (!/^[[{]/.test(text)) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return { value: JSON.parse(text.slice(0, i + 1)), rest: text.slice(i + 1) };
  }
  throw new Error(`unbalanced JSON: ${text}`);
}

/** An expected result: `201`, `{"status":"assigned"}`, `200 {...}`, optionally followed by words for the reader. */
function parseExpectation(text: string): { status?: number; json?: unknown } {
  const m = /^(\d{3})(?!\S)\s*(.*)$/.exec(text);
  const status = m ? Number(m[1]) : undefined;
  const json = leadingJson((m ? m[2]! : text).trim());
  if (status === undefined && !json) throw new Error('states neither a status nor JSON');
  return { ...(status !== undefined ? { status } : {}), ...(json ? { json: json.value } : {}) };
}

/** `actual` has everything `expected` shows: objects by key, arrays element by element in any order, the rest equal. */
function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.every((e) => actual.some((a) => contains(a, e)));
  if (expected !== null && typeof expected === 'object') {
    return actual !== null && typeof actual === 'object' && !Array.isArray(actual) && Object.entries(expected).every(([k, v]) => k in actual && contains((actual as Record<string, unknown>)[k], v));
  }
  return actual === expected;
}

const readme = await readFile(readmePath, 'utf8');
const blocks = fencedBlocks(readme);
const runnable = blocks.filter(isRunnable);
const sections = [...new Set(runnable.map((b) => b.section))];

describe('README.md examples', () => {
  it('keeps every curl command in a runnable ```bash block', () => {
    const inRunnable = new Set(runnable.flatMap((b) => b.lines.map((l) => l.no)));
    const stray = readme
      .split('\n')
      .map((text, i) => ({ no: i + 1, text }))
      .filter(({ no, text }) => curlCommand.test(text) && !inRunnable.has(no));
    expect(stray.map(({ no, text }) => `README line ${no}: a curl command outside a \`\`\`bash block that runs: ${text.trim()}`)).toEqual([]);
    // Guards the guard: the sections with examples are there.
    expect(sections).toEqual(expect.arrayContaining(['Using the API', 'SLA clocks and escalation', 'Contracts, entitlement and billing', 'Follow-up work']));
  });

  it('recognises curl commands and reads stated results the way the Development section describes them', () => {
    expect(parseExpectation('201')).toEqual({ status: 201 });
    expect(parseExpectation('200 {"status":"assigned"} (and the rest of the incident)')).toEqual({ status: 200, json: { status: 'assigned' } });
    expect(parseExpectation('{"due":{"firstResponse":"x"}}')).toEqual({ json: { due: { firstResponse: 'x' } } });
    expect(() => parseExpectation('the incident')).toThrow();
    const block: Block = { section: 's', lang: 'bash', lines: [{ no: 7, text: 'N=$(curl -s localhost:3000/x | jq -r .n)' }, { no: 8, text: '# -> 201 {"n":"$N"}' }, { no: 9, text: 'curl -s localhost:3000/y # -> 200 "`q`"' }] };
    expect(sessionScript([block])).toEqual({
      script: 'N=$(curl -s localhost:3000/x | jq -r .n)\n__expect 8 "201 {\\"n\\":\\"$N\\"}"\ncurl -s localhost:3000/y; __expect 9 "200 \\"\\`q\\`\\""\n',
      lineOf: [0, 7, 8, 9],
    });
    for (const command of ['curl -s localhost:3000/healthz', 'N=$(curl -X POST "$URL")', '| curl 127.0.0.1:3000/healthz', 'curl http://localhost:3000/docs']) expect(curlCommand.test(command), command).toBe(true);
    for (const prose of ['every `curl` command', 'a curl in the text', 'argv=/usr/bin/curl -sf -X POST']) expect(curlCommand.test(prose), prose).toBe(false);
    expect(contains({ a: 1, b: [{ c: 2, d: 3 }, { c: 4 }] }, { b: [{ c: 4 }] })).toBe(true);
    expect(contains({ a: 1, b: [{ c: 2 }] }, { b: [{ c: 3 }] })).toBe(false);
    expect(contains({ a: '1' }, { a: 1 })).toBe(false);
  });

  describe('against the stack npm start brings up', () => {
    let setup: NpmStartSetup;
    let started: Started;
    let env: Record<string, string>;

    beforeAll(async () => {
      setup = await prepareNpmStart();
      started = await startNpm(setup.env);
      const out = started.output();
      const token = (role: string) => {
        const t = tokenOf(out, role);
        if (!t) throw new Error(`npm start printed no ${role} token:\n${out}`);
        return t;
      };
      env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        LANG: 'C.UTF-8',
        TOKEN: token('agent'),
        MANAGER_TOKEN: token('manager'),
        ADMIN_TOKEN: token('admin'),
        SALES_TOKEN: token('sales'),
        MAILGATE_TOKEN: token('mailgate'),
      };
    });
    afterAll(async () => {
      if (started) await stopNpm(started);
      await setup?.cleanUp();
    });

    it.each(sections)('section "%s" gives what the README states', async (section) => {
      const own = runnable.filter((b) => b.section === section);
      const commandLines = own.flatMap((b) => b.lines.filter((l) => !isComment(l.text) && curlCommand.test(l.text)).map((l) => l.no));
      const { calls, expects, stderr } = await runSession(own, env, setup.ports.api);
      const problems: string[] = [];
      if (stderr.trim() !== '') problems.push(`the session wrote to stderr:\n${stderr.trim()}`);
      if (calls.length !== commandLines.length) {
        problems.push(`README lines ${commandLines.join(', ')} hold ${commandLines.length} curl commands, but ${calls.length} ran (the last from about line ${calls.at(-1)?.readmeLine ?? '-'})`);
      }
      for (const e of expects) if (e.call === 0) problems.push(`README line ${e.line}: a stated result before any curl ran`);
      for (const call of calls) {
        const stated = expects.filter((e) => e.call === call.index);
        if (stated.length === 0) problems.push(`README line ${call.readmeLine}: no result stated for this curl (add a "# -> <status> [JSON]" line below it)`);
        for (const e of stated) {
          let want: ReturnType<typeof parseExpectation>;
          try {
            want = parseExpectation(e.text);
          } catch (err) {
            problems.push(`README line ${e.line}: "# -> ${e.text}" ${(err as Error).message}`);
            continue;
          }
          const got = `got ${call.status ?? 'no answer'} ${call.body.slice(0, 600)}`;
          if (want.status !== undefined && call.status !== want.status) problems.push(`README line ${e.line}: expected status ${want.status}, ${got}`);
          if (want.json !== undefined) {
            let body: unknown;
            try {
              body = JSON.parse(call.body);
            } catch {
              problems.push(`README line ${e.line}: expected JSON containing ${JSON.stringify(want.json)}, ${got}`);
              continue;
            }
            if (!contains(body, want.json)) problems.push(`README line ${e.line}: expected JSON containing ${JSON.stringify(want.json)}, ${got}`);
          }
        }
      }
      expect(problems, `README section "${section}"`).toEqual([]);
    });
  });
});
