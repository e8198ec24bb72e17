// Parsing hostile or odd mail into storable facts: well-formed Unicode in every text field, a
// content hash that never takes two different mails for one, and text from an HTML part that
// sits beside attachments.
import { describe, expect, it } from 'vitest';
import { contentHash, parseMail, rawHeaders } from '../../src/mail/parse.js';

/** UTF-16LE bytes as one base64 encoded word; 0xD800 alone is a lone (high) surrogate. */
const utf16Word = (units: number[]) => `=?utf-16le?B?${Buffer.from(new Uint16Array(units).buffer).toString('base64')}?=`;
const loneHigh = 0xd800;
const A = 0x41;
const B = 0x42;

describe('mail text is well-formed Unicode', () => {
  it('replaces lone surrogates with U+FFFD in subject, names, text, HTML and attachment filenames, and keeps the mail', async () => {
    const raw = Buffer.from(
      [
        `From: ${utf16Word([A, loneHigh, B])} <anna@acme.example>`,
        `To: ${utf16Word([loneHigh])} <helpdesk@helpdesk.example>`,
        `Subject: ${utf16Word([A, loneHigh])}`,
        'Message-ID: <lone-surrogate@acme.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-16le',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from(new Uint16Array([0x48, 0xdc00, 0x49]).buffer).toString('base64'),
        '--b',
        'Content-Type: text/html; charset=utf-16le',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from(new Uint16Array([...'<p>x'].map((c) => c.charCodeAt(0)).concat([loneHigh], [...'</p>'].map((c) => c.charCodeAt(0)))).buffer).toString('base64'),
        '--b',
        'Content-Type: application/octet-stream',
        `Content-Disposition: attachment; filename="${utf16Word([A, loneHigh])}"`,
        '',
        'data',
        '--b--',
        '',
      ].join('\r\n'),
    );
    const mail = await parseMail(raw);
    expect(mail.parseError).toBeNull();
    expect(mail.subject).toBe('A\uFFFD');
    expect(mail.from).toEqual({ address: 'anna@acme.example', name: 'A\uFFFDB' });
    expect(mail.to[0]!.name).toBe('\uFFFD');
    const texts = [mail.subject, mail.from!.name!, mail.to[0]!.name!, mail.text, mail.html!, ...mail.attachments.map((a) => a.filename ?? '')];
    for (const text of texts) expect(text.isWellFormed()).toBe(true);
    expect(mail.attachments.map((a) => a.filename)).toContain('A\uFFFD');
  });

  it("repairs a bounce's quoted subject, which goes into a JSON column", async () => {
    const raw = Buffer.from(
      [
        'From: MAILER-DAEMON@mx.acme.example',
        'To: helpdesk@helpdesk.example',
        'Subject: Undelivered Mail',
        'Message-ID: <bounce-lone@mx.acme.example>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        '',
        '--r',
        'Content-Type: message/delivery-status',
        '',
        'Final-Recipient: rfc822; anna@acme.example',
        'Status: 5.1.1',
        '',
        '--r',
        'Content-Type: text/rfc822-headers',
        '',
        `Subject: ${utf16Word([loneHigh, A])}`,
        'Message-ID: <ours@helpdesk.example>',
        '',
        '--r--',
        '',
      ].join('\r\n'),
    );
    const mail = await parseMail(raw);
    expect(mail.deliveryReport!.originalSubject).toBe('\uFFFDA');
    expect(() => JSON.parse(JSON.stringify(mail.deliveryReport))).not.toThrow();
    expect(JSON.stringify(mail.deliveryReport)).not.toMatch(/\\ud8/i);
  });
});

describe('the content hash of a mail without Message-ID', () => {
  const hash = (text: string) => contentHash(Buffer.from(text), rawHeaders(Buffer.from(text)));

  it('tells two different mails without a header/body blank line apart', () => {
    expect(hash('hello-one')).not.toBe(hash('completely-different-two'));
    expect(hash('Subject: a\r\nX-Note: one')).not.toBe(hash('Subject: a\r\nX-Note: two'));
  });

  it('tells apart mails whose "header block" holds lines that are no headers', () => {
    expect(hash('garbage one\r\n\r\nsame body')).not.toBe(hash('garbage two\r\n\r\nsame body'));
  });

  it('still leaves out trace headers when there is a header block', () => {
    const body = 'From: anna@acme.example\r\nSubject: Formular\r\n\r\nText\r\n';
    expect(hash(`Received: from a by b\r\n${body}`)).toBe(hash(`Received: from c by d\r\n\tcontinued\r\nDelivered-To: x@y.example\r\n${body}`));
  });
});

describe('the text of an HTML-only mail with attachments', () => {
  it('comes from the HTML part of a multipart/mixed with only text/html and a PDF', async () => {
    const raw = Buffer.from(
      [
        'From: anna@acme.example',
        'Subject: RAID',
        'Message-ID: <html-pdf@acme.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="m"',
        '',
        '--m',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><body><p>Der <b>RAID</b> auf srv-01 ist degradiert.</p><script>x()</script></body></html>',
        '--m',
        'Content-Type: application/pdf; name="report.pdf"',
        'Content-Disposition: attachment; filename="report.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--m--',
        '',
      ].join('\r\n'),
    );
    const mail = await parseMail(raw);
    expect(mail.text).toBe('Der RAID auf srv-01 ist degradiert.');
    expect(mail.html).toContain('<b>RAID</b>');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['report.pdf']);
  });
});
