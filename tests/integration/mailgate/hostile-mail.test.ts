// The e-mail channel through the mailgate, with a real Temporal server, real Postgres and a real
// SMTP receiver: attachments, size limits, broken, hostile and odd mail
// are stored and decided about without crashing; replies wait for the mail they answer.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { inboundMails } from '../../../src/db/schema/index.js';
import { buildMail } from '../../support/mail.js';
import { jens, mailgateStack, petra } from '../../support/mailgate.js';
import { eventually, silentLogger } from '../../support/stack.js';

const { gate, deliver, timeline } = mailgateStack();

describe('attachments, size limits and broken mail', () => {
  it('keeps attachments and serves them only as downloads', async () => {
    const { row } = await deliver({
      from: jens,
      subject: 'Fehlerbild Plotter',
      attachments: [{ filename: 'fehler <1>.html', content: '<script>alert(1)</script>', contentType: 'text/html' }],
    });
    const mail = await (await gate.stack.request('GET', `/api/mail/inbound/${row.id}`, { token: gate.agent.token })).json();
    expect(mail.attachments).toHaveLength(1);
    const download = await gate.stack.request('GET', mail.attachments[0].url, { token: gate.agent.token });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await download.text()).toBe('<script>alert(1)</script>');
  });

  it('keeps a mail over the size limit whole, flags it and tells the sender politely', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 7);
    const { row, raw } = await deliver({ from: petra, subject: 'Logdateien vom Server', attachments: [{ filename: 'logs.bin', content: big }] });
    expect(row).toMatchObject({ status: 'processed', oversized: true, sizeBytes: raw.length });
    // Its own mail, not a paragraph of the acknowledgement (which the hourly limit may suppress).
    const notice = await eventually(() => Promise.resolve(gate.smtp.to(petra).find((m) => m.parsed.subject === `[${row.incidentNumber}] Ihre Nachricht war zu groß: Logdateien vom Server`)));
    expect(notice.parsed.text).toContain('größer als 5 MB');
    const download = await gate.stack.request('GET', `/api/mail/inbound/${row.id}/raw`, { token: gate.agent.token });
    expect(Buffer.from(await download.arrayBuffer()).equals(raw)).toBe(true);
  });

  it('stores and decides about a 30 MB attachment, truncated and garbage mail without crashing', async () => {
    const huge = await buildMail({ from: jens, subject: 'Riesiger Anhang', attachments: [{ filename: 'image.iso', content: Buffer.alloc(30 * 1024 * 1024, 1) }] });
    const truncated = Buffer.concat([(await buildMail({ from: jens, subject: 'Abgeschnitten', attachments: [{ filename: 'a.pdf', content: Buffer.alloc(20_000, 2) }] })).raw.subarray(0, 9_000)]);
    const garbage = Buffer.from('this is not a mail header\r\n\u0000\u0001\u0002: ???\r\nFrom jens\r\n\r\n\u00ff\u00fe body', 'latin1');
    const noBoundary = Buffer.from(`From: ${jens}\r\nSubject: Keine Grenze\r\nMessage-ID: <no-boundary@test.example>\r\nContent-Type: multipart/mixed; boundary="never"\r\n\r\nDer Scanner geht nicht.\r\n`);
    for (const raw of [huge.raw, truncated, garbage, noBoundary]) {
      const { row } = await deliver(raw);
      // Every one is kept and decided: an incident, the review queue or quarantine; never dropped.
      expect(['processed', 'review', 'quarantined']).toContain(row.status);
      expect(row.sizeBytes).toBe(raw.length);
    }
    const [hugeRow] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, huge.messageId));
    expect(hugeRow).toMatchObject({ oversized: true, status: 'processed' });
    const [noBoundaryRow] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, '<no-boundary@test.example>'));
    expect(noBoundaryRow!.textBody).toContain('Der Scanner geht nicht.');
  }, 120_000);
});

describe('hostile and odd mail', () => {
  it('stores NUL bytes in headers and names and an absurd Message-ID instead of failing', async () => {
    const nulName = Buffer.from(`From: =?utf-8?q?Eve=00Bad?= <${jens}>\r\nSubject: NUL im Namen\r\nMessage-ID: <nul-name@test.example>\r\n\r\nText\r\n`);
    const nulHeader = Buffer.from(`From: ${jens}\r\nSubject: NUL im Header\r\nX-Weird: a\u0000b\r\nMessage-ID: <nul-header@test.example>\r\n\r\nText\r\n`, 'latin1');
    const longId = Buffer.from(`From: ${jens}\r\nSubject: Lange Message-ID\r\nMessage-ID: <${'x'.repeat(3000)}@test.example>\r\n\r\nText\r\n`);
    for (const raw of [nulName, nulHeader, longId]) {
      const { row } = await deliver(raw);
      expect(['processed', 'review', 'quarantined']).toContain(row.status);
    }
    const [named] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.messageId, '<nul-name@test.example>'));
    expect(named!.fromName).toBe('EveBad');
    // The overlong Message-ID counts as none: the mail is keyed by its content instead.
    const [long] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.subject, 'Lange Message-ID'));
    expect(long!.messageId).toBeNull();
    expect(long!.dedupeKey).toMatch(/^sha256:/);
  });

  it('recognises a mail without Message-ID that arrives twice with different trace headers', async () => {
    const body = `From: ${petra}\r\nTo: helpdesk@helpdesk.example\r\nSubject: Formular ohne ID\r\nDate: Fri, 13 Mar 2026 10:00:00 +0100\r\n\r\nBitte Rückruf.\r\n`;
    const first = await deliver(Buffer.from(`Received: from a by b; Fri, 13 Mar 2026 10:00:01 +0100\r\n${body}`));
    const res = await gate.post(Buffer.from(`Received: from c by d; Fri, 13 Mar 2026 10:00:05 +0100\r\nDelivered-To: helpdesk@helpdesk.example\r\n${body}`));
    expect(await res.json()).toMatchObject({ id: first.row.id, duplicate: true });
  });

  it('holds a reply back until the mail it answers is processed, so it threads instead of opening a second incident', async () => {
    const { storeInboundMail } = await import('../../../src/services/mail/ingest.js');
    const { startInboundMailWorkflow } = await import('../../../src/services/mail/intake.js');
    const parent = await buildMail({ from: petra, subject: 'Beamer im Saal 1 defekt' });
    // The original is stored but not processed yet (as when its processing is still running).
    const stored = await storeInboundMail({ db: gate.stack.database.db }, parent.raw, { source: 'mailgate' });
    const reply = await buildMail({ from: jens, subject: 'AW: Beamer im Saal 1 defekt', inReplyTo: parent.messageId, references: [parent.messageId] });
    const res = await gate.post(reply.raw);
    const { id: replyId } = await res.json();
    await new Promise((r) => setTimeout(r, 1500));
    const [waiting] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, replyId));
    expect(waiting!.status).toBe('received');
    expect(waiting!.lastError).toContain('not processed yet');
    expect(await startInboundMailWorkflow(gate.stack.temporal, silentLogger, stored.id)).toBe(true);
    const [original] = await eventually(async () => {
      const rows = await gate.stack.database.db.select().from(inboundMails).where(and(eq(inboundMails.id, stored.id), eq(inboundMails.status, 'processed')));
      return rows.length > 0 ? rows : undefined;
    }, 30_000);
    const threaded = await eventually(async () => {
      const [row] = await gate.stack.database.db.select().from(inboundMails).where(eq(inboundMails.id, replyId));
      return row?.status === 'processed' ? row : undefined;
    }, 30_000);
    expect(threaded.incidentNumber).toBe(original!.incidentNumber);
  }, 60_000);

  it('applies a mail once even when its update is sent again under another update id', async () => {
    const { row } = await deliver({ from: petra, subject: 'Noch eine Frage', text: 'Eine Frage.' });
    const number = row.incidentNumber!;
    const { row: reply } = await deliver({ from: petra, subject: `AW: [${number}] Noch eine Frage`, text: 'Nachtrag.' });
    // Ingestion returns once the workflow accepted the mail; wait until the timeline has it.
    await eventually(async () => ((await timeline(number)).some((e) => e.payload.mail?.mailId === reply.id) ? true : undefined));
    const handle = gate.stack.temporal.client.workflow.getHandle(`incident-${number}`);
    const { customerMessageUpdate } = await import('../../../src/workflows/incident/messages.js');
    const { mailRefOf } = await import('../../../src/services/mail/ingest.js');
    const state = await handle.executeUpdate(customerMessageUpdate, {
      args: [{ text: 'Nachtrag.', from: petra, channel: 'email', mail: mailRefOf(reply), actor: { id: `contact:${petra}`, name: petra } }],
      updateId: 'a-different-update-id',
    });
    expect(state.appliedMailIds).toContain(reply.id);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await timeline(number)).filter((e) => e.payload.mail?.mailId === reply.id)).toHaveLength(1);
  });
});
