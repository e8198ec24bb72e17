// Workflow ids are addresses that running workflows, follow-up rows and recorded histories hold:
// these pin them byte for byte, so a change to their format fails here and not in production.
import { describe, expect, it } from 'vitest';
import {
  followUpRef,
  followUpRefOf,
  followUpWorkflowId,
  followUpWorkflowIdOfRef,
  inboundMailWorkflowId,
  incidentCallbackWorkflowId,
  incidentWorkflowId,
  mailboxWorkflowId,
  parseFollowUpWorkflowId,
  standaloneCallbackIdOf,
  standaloneCallbackWorkflowId,
} from '../../src/domain/workflow-ids.js';

const uuid = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

describe('workflow ids', () => {
  it('names an incident by its number', () => {
    expect(incidentWorkflowId('INC-2026-000123')).toBe('incident-INC-2026-000123');
  });

  it('names follow-up work under its incident by kind slug and number', () => {
    const parent = incidentWorkflowId('INC-2026-000123');
    expect(followUpWorkflowId(parent, 'service_order', 1)).toBe('incident-INC-2026-000123/service-order-1');
    expect(followUpWorkflowId(parent, 'hardware_change', 2)).toBe('incident-INC-2026-000123/hardware-change-2');
    expect(followUpWorkflowId(parent, 'software_change', 3)).toBe('incident-INC-2026-000123/software-change-3');
    expect(followUpWorkflowId(parent, 'callback', 4)).toBe('incident-INC-2026-000123/callback-4');
    expect(followUpRef('child_ticket', 5)).toBe('child-ticket-5');
    expect(followUpWorkflowIdOfRef('INC-2026-000123', 'change-2')).toBe('incident-INC-2026-000123/change-2');
  });

  it('names a callback asked for under an incident, and a standalone one by its UUID', () => {
    expect(incidentCallbackWorkflowId('INC-2026-000123')).toBe('incident-INC-2026-000123/callback-0');
    expect(standaloneCallbackWorkflowId(uuid)).toBe(`callback-${uuid}`);
  });

  it('names the mail workflows by mailbox and by stored mail', () => {
    expect(mailboxWorkflowId('support')).toBe('mailbox-support');
    expect(inboundMailWorkflowId('42')).toBe('inbound-mail-42');
  });

  it('reads back what it builds', () => {
    expect(standaloneCallbackIdOf(standaloneCallbackWorkflowId(uuid))).toBe(uuid);
    expect(standaloneCallbackIdOf('incident-INC-2026-000123/callback-1')).toBeNull();
    expect(parseFollowUpWorkflowId(`callback-${uuid}`)).toEqual({ callbackId: uuid });
    expect(parseFollowUpWorkflowId('incident-INC-2026-000123/callback-1')).toEqual({ incidentNumber: 'INC-2026-000123', ref: 'callback-1' });
    expect(followUpRefOf('incident-INC-2026-000123/service-order-1')).toBe('service-order-1');
    // A child ticket's row carries its own incident's id, which has no parent part.
    expect(followUpRefOf('incident-INC-2026-000124')).toBe('incident-INC-2026-000124');
  });
});
