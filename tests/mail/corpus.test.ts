// The mail corpus: real-world-shaped mails (Outlook, Gmail, Apple Mail, Thunderbird, bounces,
// auto-replies, lists, broken mail) in tests/fixtures/mail, each parsed with parseMail and
// planned with planInbound against one fixed world; expected.yaml holds what should happen.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { planInbound, type InboundContext, type InboundMailFacts, type InboundPlan, type ThreadIncident } from '../../src/domain/mail-rules.js';
import { parseMail } from '../../src/mail/parse.js';

const fixtureDir = fileURLToPath(new URL('../fixtures/mail/', import.meta.url));

// ---- The world ------------------------------------------------------------------------------

const own = { addresses: ['helpdesk@helpdesk.example'], loopMarker: 'helpdesk@helpdesk.example' };

const customers = [
  { customerNumber: 'K-1001', name: 'ACME', domain: 'acme.example', contacts: ['anna.schmidt@acme.example', 'ben.meyer@acme.example'] },
  { customerNumber: 'K-2002', name: 'Globex', domain: 'globex.example', contacts: ['carl@globex.example'] },
];

const incidents = [
  { number: 'INC-2026-000101', customerNumber: 'K-1001', closed: false, threadParticipants: ['partner@consultant.example'] },
  { number: 'INC-2026-000102', customerNumber: 'K-2002', closed: false, threadParticipants: [] },
  { number: 'INC-2026-000050', customerNumber: 'K-1001', closed: true, threadParticipants: [] },
];

const knownMessages = new Map([
  ['<ack-101@helpdesk.example>', 'INC-2026-000101'],
  ['<orig-101@mail.acme.example>', 'INC-2026-000101'],
  ['<reply-102@helpdesk.example>', 'INC-2026-000102'],
]);

function threadIncident(number: string): ThreadIncident | undefined {
  const incident = incidents.find((i) => i.number === number);
  if (!incident) return undefined;
  const customer = customers.find((c) => c.customerNumber === incident.customerNumber)!;
  return { number, closed: incident.closed, customerDomains: [customer.domain], contactAddresses: customer.contacts, threadParticipants: incident.threadParticipants };
}

/** Exact contact address first, then the customer's mail domain, else unknown. */
function senderLookup(address: string): InboundContext['sender'] {
  const a = address.toLowerCase();
  const contact = customers.find((c) => c.contacts.includes(a));
  if (contact) return { customerNumber: contact.customerNumber, contactEmail: a };
  const byDomain = customers.find((c) => c.domain === a.split('@')[1]);
  return byDomain ? { customerNumber: byDomain.customerNumber, contactEmail: null } : null;
}

const contextFor = (from: string): InboundContext => ({
  own,
  knownMessage: (messageId) => knownMessages.get(messageId),
  incident: threadIncident,
  sender: senderLookup(from),
});

// ---- The expectations -----------------------------------------------------------------------

type OneOrMany = string | string[];

interface Expectation {
  note?: string;
  knownIssue?: string;
  // plan
  kind: InboundPlan['kind'];
  incidentNumber?: string | null;
  by?: 'subject' | 'reference';
  automatic?: boolean;
  acknowledge?: boolean;
  customerNumber?: string;
  followUpOf?: string | null;
  noAutoAnswer: boolean;
  autoReply?: boolean;
  bounce?: boolean;
  loop?: boolean;
  reasons?: string[];
  // parse
  from?: string | null;
  subject?: string;
  subjectContains?: string;
  messageId?: string | null;
  attachments?: number;
  inlineAttachments?: number;
  tnef?: boolean;
  parseError?: boolean;
  text?: string;
  textContains?: OneOrMany;
  textNotContains?: OneOrMany;
  hasHtml?: boolean;
  htmlContains?: OneOrMany;
  htmlNotContains?: OneOrMany;
  bouncedMessageId?: string | null;
  bounceRecipients?: string[];
  bounceStatus?: string | null;
}

const knownKeys = new Set([
  'note', 'knownIssue', 'kind', 'incidentNumber', 'by', 'automatic', 'acknowledge', 'customerNumber', 'followUpOf', 'noAutoAnswer',
  'autoReply', 'bounce', 'loop', 'reasons', 'from', 'subject', 'subjectContains', 'messageId', 'attachments', 'inlineAttachments',
  'tnef', 'parseError', 'text', 'textContains', 'textNotContains', 'hasHtml', 'htmlContains', 'htmlNotContains', 'bouncedMessageId',
  'bounceRecipients', 'bounceStatus',
]);

const expected = parseYaml(readFileSync(`${fixtureDir}expected.yaml`, 'utf8')) as Record<string, Expectation>;
const fixtureFiles = readdirSync(fixtureDir).filter((f) => f.endsWith('.eml')).sort();
const many = (v: OneOrMany | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('the mail corpus', () => {
  it('has at least 30 fixtures, each with an expected outcome and no expectation without a fixture', () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(fixtureFiles);
  });

  it.each(Object.keys(expected).sort())('%s', async (name) => {
    const want = expected[name]!;
    expect(Object.keys(want).filter((k) => !knownKeys.has(k)), 'unknown keys in expected.yaml').toEqual([]);

    const raw = readFileSync(`${fixtureDir}${name}`);
    const parsed = await parseMail(raw);
    const facts: InboundMailFacts = {
      headers: parsed.headers,
      from: parsed.from?.address ?? '',
      subject: parsed.subject,
      // As processing passes it: the text decides whether a "Rückruf" mail is a callback request.
      text: parsed.text,
      contentType: parsed.contentType,
      parseError: parsed.parseError,
      bouncedMessageId: parsed.deliveryReport?.originalMessageId,
    };
    const plan = planInbound(facts, contextFor(facts.from));

    // What every mail must give, however broken: a key to deduplicate on and no silent loss.
    expect(parsed.dedupeKey).toMatch(/^(mid:<.+>|sha256:[0-9a-f]{64})$/);
    expect(Boolean(parsed.parseError), `parseError: ${parsed.parseError}`).toBe(want.parseError ?? false);
    expect(parsed.tnef).toBe(want.tnef ?? false);

    // The plan.
    expect(plan.kind).toBe(want.kind);
    expect(plan.classification.noAutoAnswer).toBe(want.noAutoAnswer);
    if (want.autoReply !== undefined) expect(plan.classification.autoReply).toBe(want.autoReply);
    if (want.bounce !== undefined) expect(plan.classification.bounce).toBe(want.bounce);
    if (want.loop !== undefined) expect(plan.classification.loop).toBe(want.loop);
    if (want.reasons) expect(plan.classification.reasons).toEqual(expect.arrayContaining(want.reasons));
    switch (plan.kind) {
      case 'bounce':
        expect(plan.incidentNumber).toBe(want.incidentNumber);
        break;
      case 'append':
        expect({ incidentNumber: plan.incidentNumber, by: plan.by, automatic: plan.automatic }).toEqual({ incidentNumber: want.incidentNumber, by: want.by, automatic: want.automatic });
        break;
      case 'review':
        expect(want.incidentNumber, 'review needs incidentNumber (or null) in expected.yaml').not.toBeUndefined();
        expect(plan.incidentNumber).toBe(want.incidentNumber);
        break;
      case 'new':
        expect({ acknowledge: plan.acknowledge, customerNumber: plan.customerNumber, followUpOf: plan.followUpOf }).toEqual({
          acknowledge: want.acknowledge,
          customerNumber: want.customerNumber,
          followUpOf: want.followUpOf ?? null,
        });
        break;
      case 'ignore':
      case 'quarantine':
        expect(plan.reason).not.toBe('');
        break;
    }

    // The parse.
    if (want.from !== undefined) expect(parsed.from?.address ?? null).toBe(want.from);
    if (want.subject !== undefined) expect(parsed.subject).toBe(want.subject);
    if (want.subjectContains !== undefined) expect(parsed.subject).toContain(want.subjectContains);
    if (want.messageId !== undefined) expect(parsed.messageId).toBe(want.messageId);
    if (want.attachments !== undefined) expect(parsed.attachments).toHaveLength(want.attachments);
    if (want.inlineAttachments !== undefined) expect(parsed.attachments.filter((a) => a.inline)).toHaveLength(want.inlineAttachments);
    if (want.text !== undefined) expect(parsed.text).toBe(want.text);
    for (const s of many(want.textContains)) expect(parsed.text).toContain(s);
    for (const s of many(want.textNotContains)) expect(parsed.text).not.toContain(s);
    if (want.hasHtml !== undefined) expect(parsed.html !== null).toBe(want.hasHtml);
    for (const s of many(want.htmlContains)) expect(parsed.html ?? '').toContain(s);
    for (const s of many(want.htmlNotContains)) expect(parsed.html ?? '').not.toContain(s);
    if (want.bouncedMessageId !== undefined) expect(parsed.deliveryReport?.originalMessageId ?? null).toBe(want.bouncedMessageId);
    if (want.bounceRecipients !== undefined) expect(parsed.deliveryReport?.recipients).toEqual(want.bounceRecipients);
    if (want.bounceStatus !== undefined) expect(parsed.deliveryReport?.status ?? null).toBe(want.bounceStatus);
  });
});
