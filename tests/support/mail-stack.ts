// The real stack for a mail test file: an SMTP receiver that captures what we send, the stack with
// its worker mailing through it, the demo data, an agent and a mailgate token.
import { afterAll, beforeAll } from 'vitest';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { createSmtpMailer } from '../../src/mail/outbound.js';
import { startSmtpReceiver, type SmtpReceiver, type SmtpReceiverOptions } from './smtp.js';
import { startTestStack, type StackOptions, type TestStack } from './stack.js';
import { createUserWithToken, type TestUser } from './users.js';

export const houseMailFrom = 'Helpdesk <helpdesk@helpdesk.example>';

export interface MailStack {
  stack: TestStack;
  smtp: SmtpReceiver;
  agent: TestUser;
  mailgate: TestUser;
  /** Hands a raw mail to the mailgate as an MTA would (with the mailgate's token unless another is given). */
  post: (raw: Buffer, token?: string) => ReturnType<TestStack['request']>;
  stop: () => Promise<void>;
}

export interface MailStackOptions {
  agentName: string;
  /** The mailgate user's name; `Postfix` unless told otherwise. */
  mailgateName?: string;
  worker?: StackOptions['worker'];
  api?: Partial<NonNullable<NonNullable<StackOptions['api']>['mail']>>;
  /** The API mails too (the review's acknowledgement), through the same receiver. */
  apiMails?: boolean;
  smtp?: SmtpReceiverOptions;
}

export async function startMailStack(options: MailStackOptions): Promise<MailStack> {
  const smtp = await startSmtpReceiver(options.smtp);
  const mailer = createSmtpMailer(smtp.url);
  const stack = await startTestStack({
    worker: { mailer, mailFrom: houseMailFrom, ...options.worker },
    api: { mail: { mailFrom: houseMailFrom, ...(options.apiMails ? { mailer } : {}), ...options.api } },
  });
  await seedDemoData(stack.database.db);
  const agent = await createUserWithToken(stack.database.db, 'agent', options.agentName);
  const mailgate = await createUserWithToken(stack.database.db, 'mailgate', options.mailgateName ?? 'Postfix');
  return {
    stack,
    smtp,
    agent,
    mailgate,
    post: (raw, token = mailgate.token) => stack.request('POST', '/api/inbound/email', { token, rawBody: new Uint8Array(raw), headers: { 'Content-Type': 'message/rfc822' } }),
    stop: async () => {
      await stack.stop();
      await smtp.close();
    },
  };
}

/**
 * Starts the mail stack before the file's tests and stops it after them (registers beforeAll and
 * afterAll). The fields of the answer are there from beforeAll on, so it can be kept at the top.
 */
export function useMailStack(options: MailStackOptions): MailStack {
  let started: MailStack | undefined;
  const current = () => {
    if (!started) throw new Error('the mail stack is there from beforeAll on');
    return started;
  };
  beforeAll(async () => {
    started = await startMailStack(options);
  });
  afterAll(async () => started?.stop());
  return {
    get stack() {
      return current().stack;
    },
    get smtp() {
      return current().smtp;
    },
    get agent() {
      return current().agent;
    },
    get mailgate() {
      return current().mailgate;
    },
    post: (raw, token) => current().post(raw, token),
    stop: () => current().stop(),
  };
}
