// The real stack for a mail test file: an SMTP receiver that captures what we send, the stack with
// its worker mailing through it, the demo data, an agent and a mailgate token.
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
  /** Hands a raw mail to the mailgate as an MTA would. */
  post: (raw: Buffer) => ReturnType<TestStack['request']>;
  stop: () => Promise<void>;
}

export async function startMailStack(options: {
  agentName: string;
  worker?: StackOptions['worker'];
  api?: Partial<NonNullable<NonNullable<StackOptions['api']>['mail']>>;
  /** The API mails too (the review's acknowledgement), through the same receiver. */
  apiMails?: boolean;
  smtp?: SmtpReceiverOptions;
}): Promise<MailStack> {
  const smtp = await startSmtpReceiver(options.smtp);
  const mailer = createSmtpMailer(smtp.url);
  const stack = await startTestStack({
    worker: { mailer, mailFrom: houseMailFrom, ...options.worker },
    api: { mail: { mailFrom: houseMailFrom, ...(options.apiMails ? { mailer } : {}), ...options.api } },
  });
  await seedDemoData(stack.database.db);
  const agent = await createUserWithToken(stack.database.db, 'agent', options.agentName);
  const mailgate = await createUserWithToken(stack.database.db, 'mailgate', 'Postfix');
  return {
    stack,
    smtp,
    agent,
    mailgate,
    post: (raw) => stack.request('POST', '/api/inbound/email', { token: mailgate.token, rawBody: new Uint8Array(raw), headers: { 'Content-Type': 'message/rfc822' } }),
    stop: async () => {
      await stack.stop();
      await smtp.close();
    },
  };
}
