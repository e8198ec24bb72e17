import { describe, expect, it } from 'vitest';
import { IllegalTransition, ValidationError } from '../../../src/domain/errors.js';
import { close, openIncident, resolve } from '../../../src/domain/incident/state.js';
import type { CommandContext } from '../../../src/domain/kernel.js';
import { deliveryFailure, isAppliedMail, mailDelivered, mailNotQueued, mailOutcome, mailQueued, noContactAddress, validateDeliveryFailure, withAppliedMail, type MailRef } from '../../../src/domain/incident/mail.js';
import { testIntake } from '../../support/intake.js';

const ctx: CommandContext = { actor: { id: 'system', name: 'Helpdesk' }, at: new Date('2026-03-02T09:00:00Z') };
const ref: MailRef = { direction: 'in', mailId: 'm-1', messageId: '<a@b>', from: 'petra@acme.example', to: ['helpdesk@x.example'], cc: [], subject: 'Drucker' };
const mailIntake = testIntake({ number: 'INC-2026-000001', channel: 'email', mail: { ref, acknowledge: true, oversized: false, followUpOf: null } });

describe('an incident opened by mail', () => {
  it('records the mail on the created event', () => {
    const { event } = openIncident(mailIntake);
    expect(event.payload).toMatchObject({ mail: ref, followUpOf: null, channel: 'email' });
  });
});

describe('mailOutcome (one step, histories before the mail-states patch)', () => {
  const state = openIncident(mailIntake).state;
  const out: MailRef = { ...ref, direction: 'out', outboxId: 'o-1', template: 'acknowledgement' };

  it('logs sent and queued mail as mail_sent with the reference', () => {
    const sent = mailOutcome(state, 'acknowledgement', { status: 'sent', mail: out }, ctx)!;
    expect(sent.event).toMatchObject({ type: 'mail_sent', seq: state.seq + 1, payload: { template: 'acknowledgement', status: 'sent', mail: out } });
    expect(sent.state.seq).toBe(state.seq + 1);
    expect(mailOutcome(state, 'reply', { status: 'queued', mail: out }, ctx)!.event.payload.status).toBe('queued');
  });

  it('logs a suppressed or refused mail with its reason, and nothing without a recipient', () => {
    const suppressed = mailOutcome(state, 'acknowledgement', { status: 'suppressed', reason: 'More than 5 acknowledgements' }, ctx)!;
    expect(suppressed.event).toMatchObject({ type: 'mail_suppressed', payload: { reason: 'More than 5 acknowledgements' } });
    expect(mailOutcome(state, 'reply', { status: 'rejected', reason: 'refused', mail: out }, ctx)!.event.type).toBe('mail_failed');
    expect(mailOutcome(state, 'resolution', { status: 'failed', reason: 'SMTP down for a day' }, ctx)!.event).toMatchObject({ type: 'mail_failed', payload: { reason: 'SMTP down for a day' } });
    expect(mailOutcome(state, 'reply', { status: 'no-recipient' }, ctx)).toBeUndefined();
  });

  it('changes neither status nor clocks', () => {
    const sent = mailOutcome(state, 'acknowledgement', { status: 'sent', mail: out }, ctx)!;
    expect(sent.state.status).toBe(state.status);
    expect(sent.state.due).toEqual(state.due);
  });
});

describe('mail states: queued, then sent, failed or undeliverable', () => {
  const state = openIncident(mailIntake).state;
  const out: MailRef = { ...ref, direction: 'out', outboxId: 'o-1', template: 'reply', text: 'Wir kommen morgen.' };

  it('records the queued mail with its reference, as the next step', () => {
    const queued = mailQueued(state, 'reply', out, ctx);
    expect(queued.event).toMatchObject({ type: 'mail_queued', seq: state.seq + 1, payload: { template: 'reply', status: 'queued', mail: out } });
    expect(queued.state.seq).toBe(state.seq + 1);
  });

  it('says mail_sent only for a mail SMTP accepted, and keeps the reference on it', () => {
    const queued = mailQueued(state, 'reply', out, ctx).state;
    const sent = mailDelivered(queued, 'reply', { status: 'sent' }, out, ctx);
    expect(sent.event).toMatchObject({ type: 'mail_sent', seq: state.seq + 2, payload: { template: 'reply', status: 'sent', mail: out } });
  });

  it('says whether a failed mail is tried again, with the reason', () => {
    const retry = mailDelivered(state, 'reply', { status: 'failed', reason: 'connect ECONNREFUSED', willRetry: true }, out, ctx);
    expect(retry.event).toMatchObject({ type: 'mail_failed', payload: { reason: 'connect ECONNREFUSED', willRetry: true, mail: out } });
    const gaveUp = mailNotQueued(state, 'resolution', { status: 'failed', reason: 'database down for a day' }, ctx);
    expect(gaveUp.event).toMatchObject({ type: 'mail_failed', payload: { template: 'resolution', reason: 'database down for a day', willRetry: false } });
    expect(gaveUp.event.payload).not.toHaveProperty('mail');
  });

  it('records a refused mail and one without a contact address as undeliverable', () => {
    const refused = mailDelivered(state, 'reply', { status: 'undeliverable', reason: 'The mail server refused petra@acme.example: 550 no such user' }, out, ctx);
    expect(refused.event).toMatchObject({ type: 'mail_undeliverable', payload: { status: 'undeliverable', reason: expect.stringContaining('550 no such user'), mail: out } });
    const nowhere = mailDelivered(state, 'acknowledgement', { status: 'undeliverable', reason: noContactAddress }, undefined, ctx);
    expect(nowhere.event).toMatchObject({ type: 'mail_undeliverable', payload: { template: 'acknowledgement', reason: 'no contact address' } });
  });

  it('keeps a suppressed mail a mail_suppressed step', () => {
    expect(mailNotQueued(state, 'acknowledgement', { status: 'suppressed', reason: 'More than 5 acknowledgements' }, ctx).event).toMatchObject({ type: 'mail_suppressed', payload: { reason: 'More than 5 acknowledgements' } });
  });

  it('moves no clock: the first response was met by the reply, not by its delivery', () => {
    const failed = mailDelivered(state, 'reply', { status: 'undeliverable', reason: noContactAddress }, undefined, ctx);
    expect(failed.state.status).toBe(state.status);
    expect(failed.state.due).toEqual(state.due);
    expect(failed.state.clocks).toEqual(state.clocks);
  });
});

describe('applied mails', () => {
  it('remembers the mails a customer message and a bounce applied, so a repeat is recognised', async () => {
    const { customerMessage } = await import('../../../src/domain/incident/lifecycle.js');
    const state = openIncident(mailIntake).state;
    const after = customerMessage(state, { text: 'Noch da?', mail: { ...ref, mailId: 'm-2' } }, ctx).state;
    expect(isAppliedMail(after, { mail: { mailId: 'm-2' } })).toBe(true);
    expect(isAppliedMail(after, { mail: { mailId: 'm-3' } })).toBe(false);
    const bounced = deliveryFailure(after, { mailId: 'b-1', recipients: [], status: null, diagnostic: null, originalMessageId: null }, ctx).state;
    expect(isAppliedMail(bounced, { mailId: 'b-1' })).toBe(true);
    expect(isAppliedMail(bounced, { mail: { mailId: 'm-2' } })).toBe(true);
  });

  it('forgets the oldest beyond 200', () => {
    let state = openIncident(mailIntake).state;
    for (let i = 0; i < 205; i += 1) state = { ...state, ...withAppliedMail(state, `m-${i}`) };
    expect(state.appliedMailIds).toHaveLength(200);
    expect(isAppliedMail(state, { mailId: 'm-4' })).toBe(false);
    expect(isAppliedMail(state, { mailId: 'm-5' })).toBe(true);
  });
});

describe('deliveryFailure', () => {
  const input = { mailId: 'bounce-1', recipients: ['petra@acme.example'], status: '5.1.1', diagnostic: '550 user unknown', originalMessageId: '<ack@x>' };

  it('records the bounce on an open or resolved incident', () => {
    const state = openIncident(mailIntake).state;
    expect(deliveryFailure(state, input, ctx).event).toMatchObject({ type: 'delivery_failed', payload: input });
    const resolved = resolve(state, { resolution: 'done' }, ctx).state;
    expect(deliveryFailure(resolved, input, ctx).state.status).toBe('resolved');
  });

  it('refuses a closed incident and a missing mail id', () => {
    const state = openIncident(mailIntake).state;
    const closed = close(resolve(state, { resolution: 'done' }, ctx).state, ctx).state;
    expect(() => validateDeliveryFailure(closed, input)).toThrow(IllegalTransition);
    expect(() => validateDeliveryFailure(state, { ...input, mailId: '' })).toThrow(ValidationError);
  });
});
