// Outlook's Thread-Index as the last threading rule: the conversation (its first 22 bytes) of a
// mail we already have on an incident threads a reply that lost In-Reply-To and References.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decideThread, planInbound, threadByConversation, type InboundContext } from '../../src/domain/mail-rules.js';
import { outlookConversation } from '../../src/domain/thread-index.js';

const conversation = randomBytes(22);
const first = conversation.toString('base64');
/** A reply further down the conversation: two 5-byte child blocks appended. */
const reply = Buffer.concat([conversation, randomBytes(10)]).toString('base64');
const hex = conversation.toString('hex');

describe('the Outlook conversation of a Thread-Index', () => {
  it('is the first 22 bytes, the same for the first mail and every reply', () => {
    expect(outlookConversation(first)).toBe(hex);
    expect(outlookConversation(reply)).toBe(hex);
    expect(outlookConversation([` ${reply.slice(0, 20)}\t${reply.slice(20)} `])).toBe(hex);
  });

  it('is none for a malformed header: not base64, shorter than 22 bytes, empty or all zeros', () => {
    for (const bad of [undefined, '', 'not base64 at all!', 'AcTl', randomBytes(21).toString('base64'), `${first.slice(0, -1)}*`, Buffer.alloc(27).toString('base64')]) {
      expect(outlookConversation(bad)).toBeNull();
    }
  });
});

describe('threading by Outlook conversation', () => {
  const known = (c: string) => (c === hex ? 'INC-2026-000101' : undefined);

  it('finds the incident of a known conversation', () => {
    expect(threadByConversation({ 'thread-index': reply }, known)).toBe('INC-2026-000101');
    expect(threadByConversation({ 'thread-index': randomBytes(27).toString('base64') }, known)).toBeUndefined();
    expect(threadByConversation({ 'thread-index': 'garbage' }, known)).toBeUndefined();
  });

  it('comes after the subject number and the references, before a new incident', () => {
    const headers = { 'thread-index': reply, 'in-reply-to': '<ack@helpdesk.example>' };
    const knownMessage = (id: string) => (id === '<ack@helpdesk.example>' ? 'INC-2026-000202' : undefined);
    expect(decideThread({ subject: '[INC-2026-000303] x', headers }, knownMessage, () => true, known)).toMatchObject({ incidentNumber: 'INC-2026-000303', by: 'subject' });
    expect(decideThread({ subject: 'x', headers }, knownMessage, () => true, known)).toMatchObject({ incidentNumber: 'INC-2026-000202', by: 'reference' });
    expect(decideThread({ subject: 'Other subject', headers: { 'thread-index': reply } }, () => undefined, () => true, known)).toEqual({ kind: 'thread', incidentNumber: 'INC-2026-000101', by: 'conversation' });
    expect(decideThread({ subject: 'Other subject', headers: { 'thread-index': reply } }, () => undefined, () => false, known)).toEqual({ kind: 'new' });
  });

  it('appends a reply from a contact that only its Thread-Index links to the incident', () => {
    const ctx: InboundContext = {
      own: { addresses: ['helpdesk@helpdesk.example'], loopMarker: 'helpdesk@helpdesk.example' },
      knownMessage: () => undefined,
      knownConversation: known,
      incident: (number) => (number === 'INC-2026-000101' ? { number, closed: false, customerDomains: ['acme.example'], contactAddresses: [], threadParticipants: [] } : undefined),
      sender: { customerNumber: 'K-1001', contactEmail: 'anna@acme.example' },
    };
    const plan = planInbound({ headers: { 'thread-index': reply }, from: 'anna@acme.example', subject: 'Noch etwas', contentType: 'text/plain' }, ctx);
    expect(plan).toMatchObject({ kind: 'append', incidentNumber: 'INC-2026-000101', by: 'conversation' });
  });
});
