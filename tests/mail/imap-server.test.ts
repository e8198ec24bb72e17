// The IMAP test support itself: a throwaway dovecot that imapflow can append to, fetch from and
// move within, and a TCP proxy that drops connections mid-session.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDovecot, type RunningImapServer } from '../support/dovecot.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let server: RunningImapServer;
let proxy: TcpProxy;
const clients: ImapFlow[] = [];

function client(port = server.port, pass = server.password): ImapFlow {
  const imap = new ImapFlow({ host: server.host, port, secure: false, auth: { user: server.user, pass }, logger: false });
  imap.on('error', () => {}); // dropped connections and failed logins are expected; tests assert 'close' and rejections
  clients.push(imap);
  return imap;
}

function rfc822(subject: string, messageId: string): string {
  return [
    'From: Alice Example <alice@example.com>',
    'To: support@helpdesk.example',
    `Subject: ${subject}`,
    `Message-ID: <${messageId}>`,
    'Date: Mon, 03 Mar 2025 10:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${subject}.`,
    '',
  ].join('\r\n');
}

beforeAll(async () => {
  server = await startDovecot();
  proxy = await startTcpProxy({ host: server.host, port: server.port });
});

afterAll(async () => {
  for (const imap of clients) imap.close();
  await proxy?.close();
  await server?.stop();
});

describe('dovecot test server', { timeout: 10_000 }, () => {
  it('stores, fetches and moves messages', async () => {
    const imap = client();
    await imap.connect();

    const appended = [
      await imap.append('INBOX', rfc822('Printer on fire', 'm1@example.com')),
      await imap.append('INBOX', rfc822('VPN down', 'm2@example.com')),
    ];
    const uids = appended.map((result) => (result ? result.uid : undefined));
    expect(uids[0]).toBeGreaterThan(0); // UIDPLUS: APPENDUID reported
    expect(uids[1]).toBeGreaterThan(uids[0]!);

    const lock = await imap.getMailboxLock('INBOX');
    try {
      const mailbox = imap.mailbox;
      if (mailbox === false) throw new Error('INBOX is not selected');
      expect(typeof mailbox.uidValidity).toBe('bigint');
      expect(mailbox.uidValidity).toBeGreaterThan(0n);
      expect(mailbox.exists).toBe(2);

      const messages = await imap.fetchAll(uids.join(','), { uid: true, envelope: true }, { uid: true });
      expect(messages.map((m) => [m.uid, m.envelope?.subject, m.envelope?.messageId])).toEqual([
        [uids[0], 'Printer on fire', '<m1@example.com>'],
        [uids[1], 'VPN down', '<m2@example.com>'],
      ]);

      const moved = await imap.messageMove(String(uids[0]), 'Processed', { uid: true });
      expect(moved).toMatchObject({ path: 'INBOX', destination: 'Processed' });
      expect(moved && [...(moved.uidMap ?? new Map<number, number>()).keys()]).toEqual([uids[0]]);
      const remaining = await imap.fetchAll('1:*', { uid: true, envelope: true });
      expect(remaining.map((m) => [m.uid, m.envelope?.subject])).toEqual([[uids[1], 'VPN down']]);
    } finally {
      lock.release();
    }

    expect(await imap.status('INBOX', { messages: true })).toMatchObject({ messages: 1 });
    expect(await imap.status('Processed', { messages: true })).toMatchObject({ messages: 1 });
    const processed = await imap.getMailboxLock('Processed');
    try {
      const messages = await imap.fetchAll('1:*', { envelope: true });
      expect(messages.map((m) => m.envelope?.subject)).toEqual(['Printer on fire']);
    } finally {
      processed.release();
    }
    await imap.logout();
  });

  it('rejects a wrong password', async () => {
    await expect(client(server.port, 'wrong').connect()).rejects.toMatchObject({ authenticationFailed: true });
  });

  it('drops connections through the proxy and accepts new ones', async () => {
    const imap = client(proxy.port);
    await imap.connect();
    await imap.mailboxOpen('INBOX');
    expect(proxy.connections()).toBe(1);

    const closed = new Promise<void>((resolve) => imap.once('close', () => resolve()));
    proxy.killConnections();
    await closed;
    expect(imap.usable).toBe(false);
    await expect(imap.noop()).rejects.toThrow();

    const again = client(proxy.port);
    await again.connect();
    const status = await again.status('INBOX', { messages: true });
    expect(status && status.messages).toBe(1);
    expect(proxy.connections()).toBe(1);
    await again.logout(); // a clean logout passes through the proxy, too
    await vi.waitFor(() => expect(proxy.connections()).toBe(0));
  });
});
