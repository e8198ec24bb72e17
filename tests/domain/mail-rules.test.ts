import { describe, expect, it } from 'vitest';
import { addressOf, classifyInbound, decideThread, mayAppend, referencedMessageIds, type InboundFacts } from '../../src/domain/mail-rules.js';

const own = { addresses: ['support@systemhaus.example'], loopMarker: 'helpdesk' };
const mail = (headers: InboundFacts['headers'], extra: Partial<InboundFacts> = {}): InboundFacts => ({
  headers,
  from: 'Petra Müller <petra.mueller@mueller-maschinenbau.example>',
  subject: 'Server does not boot',
  contentType: 'text/plain; charset=utf-8',
  ...extra,
});

describe('classifying incoming mail', () => {
  it('lets a person-written mail be answered', () => {
    expect(classifyInbound(mail({ 'auto-submitted': 'no' }), own)).toEqual({ noAutoAnswer: false, bounce: false, autoReply: false, loop: false, reasons: [] });
  });

  it.each([
    [{ 'auto-submitted': 'auto-generated' }, /Auto-Submitted: auto-generated/],
    [{ precedence: 'bulk' }, /Precedence: bulk/],
    [{ precedence: 'list' }, /Precedence: list/],
    [{ 'x-auto-response-suppress': 'OOF, AutoReply' }, /X-Auto-Response-Suppress/],
    [{ 'list-id': '<news.vendor.example>' }, /List-Id/],
    [{ 'x-loop': 'helpdesk' }, /our own mail/],
  ])('never auto-answers %j', (headers, reason) => {
    const c = classifyInbound(mail(headers), own);
    expect(c.noAutoAnswer).toBe(true);
    expect(c.reasons.join('; ')).toMatch(reason);
  });

  it('recognises bounces by multipart/report and by mailer-daemon', () => {
    const dsn = classifyInbound(mail({}, { contentType: 'multipart/report; report-type=delivery-status; boundary="x"', from: 'Mail Delivery System <MAILER-DAEMON@mx.example>' }), own);
    expect(dsn).toMatchObject({ bounce: true, autoReply: false, noAutoAnswer: true });
    expect(classifyInbound(mail({}, { from: 'postmaster@mx.example' }), own).bounce).toBe(true);
  });

  it('recognises out-of-office replies by header and by subject, in English and German', () => {
    expect(classifyInbound(mail({ 'auto-submitted': 'auto-replied' }), own)).toMatchObject({ autoReply: true, noAutoAnswer: true });
    expect(classifyInbound(mail({ 'x-autoreply': 'yes' }), own).autoReply).toBe(true);
    expect(classifyInbound(mail({}, { subject: 'Automatische Antwort: [INC-2026-000123] Drucker' }), own)).toMatchObject({ autoReply: true, noAutoAnswer: true });
    expect(classifyInbound(mail({}, { subject: 'Out of Office: Server does not boot' }), own).autoReply).toBe(true);
    expect(classifyInbound(mail({}, { subject: 'Re: out of memory on the server' }), own).autoReply).toBe(false);
  });

  it('treats mail from our own address as a loop', () => {
    expect(classifyInbound(mail({}, { from: 'Helpdesk <SUPPORT@systemhaus.example>' }), own)).toMatchObject({ loop: true, noAutoAnswer: true });
  });
});

describe('threading', () => {
  const known = new Map([
    ['<ack-1@systemhaus.example>', 'INC-2026-000010'],
    ['<orig@mueller.example>', 'INC-2026-000011'],
  ]);
  const lookup = (id: string) => known.get(id);

  it('takes the ticket number in the subject first', () => {
    expect(decideThread({ subject: 'AW: Re: [INC-2026-000123] Drucker', headers: { 'in-reply-to': '<ack-1@systemhaus.example>' } }, lookup)).toEqual({ kind: 'thread', incidentNumber: 'INC-2026-000123', by: 'subject' });
  });

  it('then In-Reply-To, then References from the newest, against stored Message-IDs', () => {
    expect(decideThread({ subject: 'Re: Drucker', headers: { 'in-reply-to': '<ack-1@systemhaus.example>' } }, lookup)).toMatchObject({ incidentNumber: 'INC-2026-000010', by: 'reference' });
    expect(decideThread({ subject: 'Fwd: Drucker', headers: { references: '<unknown@x> <orig@mueller.example>\r\n <other@y>' } }, lookup)).toMatchObject({ incidentNumber: 'INC-2026-000011' });
    expect(decideThread({ subject: 'New problem', headers: {} }, lookup)).toEqual({ kind: 'new' });
  });

  it('lists referenced ids without duplicates, In-Reply-To first', () => {
    expect(referencedMessageIds({ 'in-reply-to': '<b@x>', references: ['<a@x> <b@x>', '<c@x>'] })).toEqual(['<b@x>', '<c@x>', '<a@x>']);
  });
});

describe('who may add to an incident', () => {
  const incident = { customerDomains: ['mueller-maschinenbau.example'], contactAddresses: ['petra.mueller@mueller-maschinenbau.example'], threadParticipants: ['"IT Partner" <it@partner.example>'] };

  it('admits contacts, colleagues at the customer domain (reply-all from CC) and thread participants', () => {
    expect(mayAppend('Petra <Petra.Mueller@mueller-maschinenbau.example>', incident)).toBe(true);
    expect(mayAppend('jens.kraft@mueller-maschinenbau.example', incident)).toBe(true);
    expect(mayAppend('it@partner.example', incident)).toBe(true);
  });

  it('sends a stranger quoting the ticket number to review', () => {
    expect(mayAppend('attacker@evil.example', incident)).toBe(false);
    expect(mayAppend('someone@mueller-maschinenbau.example.evil.example', incident)).toBe(false);
  });

  it('reads addresses out of display forms', () => {
    expect(addressOf('"Müller, Petra" <Petra.Mueller@Example.COM>')).toBe('petra.mueller@example.com');
    expect(addressOf('plain@example.com')).toBe('plain@example.com');
  });
});
