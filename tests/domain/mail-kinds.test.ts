import { describe, expect, it } from 'vitest';
import { deliveryStateOf, messageKindOf } from '../../src/domain/mail-kinds.js';

describe('message kinds', () => {
  it('counts mail in and our mails to the customer as customer communication', () => {
    expect(messageKindOf('in', null)).toBe('customer');
    for (const template of ['acknowledgement', 'reply', 'resolution', 'oversized']) expect(messageKindOf('out', template)).toBe('customer');
  });

  it('counts escalation, quota and follow-up notices, and mail of no known template, as internal', () => {
    for (const template of ['escalation', 'quota', 'follow-up', null]) expect(messageKindOf('out', template)).toBe('internal');
  });
});

describe('delivery states', () => {
  it('maps the outbox status, and a bounce overrides "sent"', () => {
    expect(deliveryStateOf('pending', false)).toBe('queued');
    expect(deliveryStateOf('sending', false)).toBe('queued');
    expect(deliveryStateOf('sent', false)).toBe('sent');
    expect(deliveryStateOf('failed', false)).toBe('failed');
    expect(deliveryStateOf('rejected', false)).toBe('undeliverable');
    expect(deliveryStateOf('sent', true)).toBe('undeliverable');
  });
});
