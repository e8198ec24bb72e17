// The mailgate test files' stack (acknowledgements limited to two per sender and hour, 5 MiB mails)
// and their helpers: deliver a mail and wait for its decision, read a timeline, count acknowledgements.
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { inboundMails } from '../../src/db/schema/index.js';
import { buildMail, type TestMail } from './mail.js';
import { useMailStack } from './mail-stack.js';
import { eventually } from './stack.js';

export const petra = 'petra.mueller@mueller-maschinenbau.example';
export const jens = 'jens.kraft@mueller-maschinenbau.example';
export const claire = 'c.weber@weber-partner.example';

const maxMailBytes = 5 * 1024 * 1024;

/** Registers the file's stack and returns it with the helpers on it. */
export function mailgateStack() {
  const mail = useMailStack({ agentName: 'Iris Inbox', worker: { mail: { acknowledgementsPerHour: 2, maxMailBytes } }, api: { maxMailBytes } });

  /** Hands a mail in and waits until processing has decided about it. */
  async function deliver(message: TestMail | Buffer) {
    const built = Buffer.isBuffer(message) ? { raw: message, messageId: '' } : await buildMail(message);
    const res = await mail.post(built.raw);
    expect(res.status).toBe(202);
    const accepted = await res.json();
    const row = await eventually(async () => {
      const [r] = await mail.stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, accepted.id));
      return r && !['received', 'processing'].includes(r.status) ? r : undefined;
    }, 30_000);
    return { ...built, accepted, row };
  }

  async function timeline(number: string, minEvents = 1) {
    return eventually(async () => {
      const res = await mail.stack.request('GET', `/api/incidents/${number}/timeline`, { token: mail.agent.token });
      if (res.status !== 200) return undefined;
      const body = await res.json();
      return body.events.length >= minEvents ? (body.events as { type: string; payload: Record<string, any>; seq: number }[]) : undefined;
    }, 30_000);
  }

  const acksTo = (address: string) => mail.smtp.to(address).filter((m) => /Eingangsbestätigung|We have received/.test(m.parsed.subject ?? ''));

  return { gate: mail, deliver, timeline, acksTo };
}
