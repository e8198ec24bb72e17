// The determinism boundary is enforced by lint, not by review: workflow code that imports
// Node built-ins, I/O libraries or activity implementations, or leaves a promise floating, fails.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../../', import.meta.url).pathname });
const workflowFile = 'src/workflows/index.ts';

async function ruleIds(code: string, filePath = workflowFile): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('workflow determinism lint', () => {
  it.each([
    `import { readFileSync } from 'node:fs';\nexport const x = readFileSync;`,
    `import { randomUUID } from 'crypto';\nexport const x = randomUUID;`,
    `import postgres from 'postgres';\nexport const x = postgres;`,
    `import { drizzle } from 'drizzle-orm/postgres-js';\nexport const x = drizzle;`,
    `import nodemailer from 'nodemailer';\nexport const x = nodemailer;`,
    `import { createActivities } from '../activities/index.js';\nexport const x = createActivities;`,
    `import { createDatabase } from '../db/client.js';\nexport const x = createDatabase;`,
    `import { Client } from '@temporalio/client';\nexport const x = Client;`,
  ])('rejects %s', async (code) => {
    expect(await ruleIds(code)).toContain('no-restricted-imports');
  });

  it('allows type-only imports of activities and the workflow SDK', async () => {
    const code = `import type { createActivities } from '../activities/index.js';\nimport { sleep } from '@temporalio/workflow';\nexport type A = ReturnType<typeof createActivities>;\nexport const s = sleep;\n`;
    expect(await ruleIds(code)).toEqual([]);
  });

  it('rejects setTimeout and process in workflow code', async () => {
    expect(await ruleIds(`export const t = () => setTimeout(() => undefined, 1);\n`)).toContain('no-restricted-globals');
    expect(await ruleIds(`export const e = () => process.env.X;\n`)).toContain('no-restricted-globals');
  });

  it('rejects floating promises anywhere', async () => {
    const code = `async function work(): Promise<void> {}\nexport function run(): void {\n  work();\n}\n`;
    expect(await ruleIds(code, 'src/domain/priority.ts')).toContain('@typescript-eslint/no-floating-promises');
  });

  it('does not restrict the same imports outside src/workflows', async () => {
    const code = `import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n`;
    expect(await ruleIds(code, 'src/activities/index.ts')).not.toContain('no-restricted-imports');
  });
});
