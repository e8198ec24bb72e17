import { describe, expect, it } from 'vitest';
import { acknowledgementMail, oversizedMail, replyMail, resolutionMail } from '../../src/mail/templates.js';

const incident = { number: 'INC-2026-000042', title: 'VPN down', firstResponseDueAt: '2026-03-02T10:30:00Z', resolution: 'Tunnel neu aufgebaut.', autoCloseDays: 7 };

describe('customer mail templates', () => {
  it('puts the ticket number and the first-response target (in the house zone) in the acknowledgement', () => {
    const de = acknowledgementMail(incident, 'de', 'Europe/Berlin');
    // 10:30 UTC is 11:30 in Berlin (CET); the exact wording of dates is ICU's.
    expect(de.subject).toMatch(/^\[INC-2026-000042\] Eingangsbestätigung: VPN down \(Rückmeldung bis Montag, 2\. März 2026.* 11:30\)$/);
    expect(de.body).toContain('unter der Nummer INC-2026-000042');
    const en = acknowledgementMail(incident, 'en', 'Europe/Berlin');
    expect(en.subject).toMatch(/^\[INC-2026-000042\] We have received your request: VPN down \(first response by Monday,? 2 March 2026.* 11:30\)$/);
    expect(en.body).toContain('Please keep [INC-2026-000042] in the subject');
  });

  it('words an acknowledgement without a target and mentions an oversized mail', () => {
    const mail = acknowledgementMail({ ...incident, firstResponseDueAt: null }, 'en', 'Europe/Berlin', { oversized: true });
    expect(mail.subject).toBe('[INC-2026-000042] We have received your request: VPN down');
    expect(mail.body).toContain('larger than our size limit');
  });

  it('threads replies and resolution notices by the number in the subject', () => {
    expect(replyMail(incident, 'de', '  Bitte starten Sie neu.  ').subject).toBe('Re: [INC-2026-000042] VPN down');
    expect(replyMail(incident, 'de', '  Bitte starten Sie neu.  ').body.startsWith('Bitte starten Sie neu.\n')).toBe(true);
    const resolved = resolutionMail(incident, 'de');
    expect(resolved.subject).toBe('[INC-2026-000042] Gelöst: VPN down');
    expect(resolved.body).toContain('Tunnel neu aufgebaut.');
    expect(resolved.body).toContain('nach 7 Tagen');
  });

  it('tells the sender of an oversized mail the limit in MB', () => {
    expect(oversizedMail('INC-2026-000042', 'Logs', 25 * 1024 * 1024, 'en').body).toContain('larger than 25 MB');
    expect(oversizedMail(null, 'Logs', 10 * 1024 * 1024, 'de').subject).toBe('Ihre Nachricht war zu groß: Logs');
  });
});
