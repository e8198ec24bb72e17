// A reproducible corpus of customer mail for the ingestion benchmark: new requests from many
// senders on the demo customers' mail domains, and replies that thread onto them by In-Reply-To
// and References only (incident numbers do not exist before ingestion, so no subject carries one).
import { randomBytes } from 'node:crypto';
import { buildMail, type TestMail } from '../tests/support/mail.js';

export interface CorpusMail {
  /** Position in the corpus; replies always come after the mail they answer. */
  index: number;
  kind: 'new' | 'reply';
  messageId: string;
  from: string;
  subject: string;
  /** For a reply: the mail it answers, and the new request that opened its thread. */
  parent: number | null;
  root: number;
  attachmentBytes: number;
  raw: Buffer;
}

/** mulberry32: small, fast and good enough to make the corpus the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Weighted like a real customer base: the big customers write most.
const domains = [
  { domain: 'mueller-maschinenbau.example', weight: 4 },
  { domain: 'stadtwerke-beispielstadt.example', weight: 3 },
  { domain: 'baeckerei-schmidt.example', weight: 1 },
  { domain: 'weber-partner.example', weight: 2 },
];
const demoContacts = ['petra.mueller@mueller-maschinenbau.example', 'jens.kraft@mueller-maschinenbau.example', 's.lehmann@stadtwerke-beispielstadt.example', 'info@baeckerei-schmidt.example', 'c.weber@weber-partner.example'];
const firstNames = ['anna', 'bernd', 'carla', 'dirk', 'eva', 'frank', 'gabi', 'heiko', 'ines', 'jan', 'karin', 'lars', 'maria', 'nils', 'olga', 'paul', 'rita', 'stefan', 'tina', 'uwe', 'vera', 'wolfgang', 'yvonne', 'zoe'];
const lastNames = ['becker', 'fischer', 'hoffmann', 'koch', 'krause', 'lange', 'meier', 'neumann', 'richter', 'schulz', 'wagner', 'wolf', 'zimmermann', 'braun', 'hartmann', 'schwarz'];
const problems = [
  'Drucker im 2. OG druckt nur leere Seiten',
  'VPN-Verbindung bricht alle paar Minuten ab',
  'Outlook fragt ständig nach dem Passwort',
  'Server srv-fs01 meldet RAID degraded',
  'Kassensystem startet nicht mehr',
  'Neuer Mitarbeiter braucht Zugang zu SAP',
  'Switch im Serverraum blinkt orange',
  'Backup-Job ist heute Nacht fehlgeschlagen',
  'Scanner speichert nicht mehr auf dem Netzlaufwerk',
  'Teams-Telefonie: Gesprächspartner hören mich nicht',
  'Firewall blockiert Zugriff auf das Lieferantenportal',
  'Laptop lässt sich nach Update nicht mehr hochfahren',
  'E-Mails an externe Empfänger bleiben im Postausgang',
  'WLAN im Besprechungsraum sehr langsam',
  'Zertifikat der Webseite läuft in drei Tagen ab',
  'Please reset the MFA device of our new colleague',
  'File server share not reachable from branch office',
  'Printer queue stuck since this morning',
];
const sentences = [
  'Seit heute Morgen tritt das Problem bei mehreren Kolleginnen und Kollegen auf.',
  'Ein Neustart des Geräts hat leider nichts geändert.',
  'Die Fehlermeldung lautet sinngemäß: "Zugriff verweigert (0x80070005)".',
  'Bitte melden Sie sich kurz telefonisch, wir sind bis 17 Uhr erreichbar.',
  'Betroffen sind die Arbeitsplätze im Vertrieb und in der Buchhaltung.',
  'Wir haben bereits versucht, den Treiber neu zu installieren.',
  'Im Anhang finden Sie einen Screenshot bzw. das Protokoll.',
  'Das Problem ist dringend, da morgen der Monatsabschluss ansteht.',
  'The issue started after last night’s maintenance window.',
  'We would appreciate an update on the expected resolution time.',
  'Die Seriennummer steht auf dem Aufkleber an der Rückseite.',
  'Gestern hat alles noch einwandfrei funktioniert.',
];
const replySentences = [
  'Danke für die schnelle Rückmeldung, anbei noch weitere Informationen.',
  'Das Problem besteht leider weiterhin.',
  'Nach Ihrem Hinweis funktioniert es jetzt wieder, vielen Dank!',
  'Kann sich bitte jemand vor Ort das Gerät ansehen?',
  'Kurze Ergänzung: Es betrifft inzwischen auch die Filiale Nord.',
  'Thanks, we will test it tomorrow morning and let you know.',
];
const disclaimer =
  'Müller Maschinenbau GmbH · Industriestraße 12 · 40210 Düsseldorf · Geschäftsführer: Dr. Hans Müller · Amtsgericht Düsseldorf HRB 12345 · USt-IdNr. DE123456789\n' +
  'Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen. Wenn Sie nicht der richtige Adressat sind oder diese E-Mail irrtümlich erhalten haben, informieren Sie bitte sofort den Absender und vernichten Sie diese Mail. Das unerlaubte Kopieren sowie die unbefugte Weitergabe dieser Mail sind nicht gestattet.\n';

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

function weightedDomain(rand: () => number): string {
  const total = domains.reduce((s, d) => s + d.weight, 0);
  let r = rand() * total;
  for (const d of domains) if ((r -= d.weight) < 0) return d.domain;
  return domains[0]!.domain;
}

function paragraphs(rand: () => number, list: readonly string[], targetBytes: number): string {
  const out: string[] = [];
  let size = 0;
  while (size < targetBytes) {
    const p = Array.from({ length: 2 + Math.floor(rand() * 4) }, () => pick(rand, list)).join(' ');
    out.push(p);
    size += p.length + 2;
  }
  return out.join('\n\n');
}

const nameOf = (address: string) =>
  address
    .split('@')[0]!
    .split('.')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join(' ');

const htmlOf = (text: string) =>
  `<html><head><style>p{font-family:Calibri,sans-serif}</style></head><body>${text
    .split('\n\n')
    .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p>`)
    .join('')}</body></html>`;

/**
 * `count` mails, about `replyShare` of them replies. New requests come from `senders` distinct
 * addresses (plus the demo contacts), so no sender gets more than a handful of acknowledgements.
 */
export async function buildCorpus(options: { count: number; replyShare: number; seed: number; senders?: number }): Promise<CorpusMail[]> {
  const rand = seededRandom(options.seed);
  const senderCount = options.senders ?? Math.max(20, Math.round((options.count * (1 - options.replyShare)) / 2.5));
  const senders = [...demoContacts];
  while (senders.length < senderCount) {
    const address = `${pick(rand, firstNames)}.${pick(rand, lastNames)}${senders.length}@${weightedDomain(rand)}`;
    senders.push(address);
  }
  const mails: CorpusMail[] = [];
  const texts: string[] = [];
  let newCount = 0;
  for (let index = 0; index < options.count; index += 1) {
    // The first mails are all new; replies need something to answer.
    const isReply = index >= 5 && rand() < options.replyShare;
    const withHtml = rand() < 0.5;
    const attachmentBytes = rand() < 0.12 ? 50_000 + Math.floor(rand() * 150_000) : 0;
    const attachments: TestMail['attachments'] = attachmentBytes
      ? [{ filename: rand() < 0.5 ? 'screenshot.png' : 'protokoll.pdf', content: randomBytes(attachmentBytes), contentType: rand() < 0.5 ? 'image/png' : 'application/pdf' }]
      : undefined;
    if (!isReply) {
      // Round robin: every sender gets about the same few acknowledgements (the limit is 5 an hour).
      const from = senders[newCount % senders.length]!;
      newCount += 1;
      const subject = `${pick(rand, problems)} (${1000 + index})`;
      const text = `Hallo Support-Team,\n\n${paragraphs(rand, sentences, 800 + rand() * 4000)}\n\nViele Grüße\n${nameOf(from)}\n\n-- \n${disclaimer}`;
      const built = await buildMail({ from: `${nameOf(from)} <${from}>`, subject, text, ...(withHtml ? { html: htmlOf(text) } : {}), ...(attachments ? { attachments } : {}) });
      mails.push({ index, kind: 'new', messageId: built.messageId, from, subject, parent: null, root: index, attachmentBytes, raw: built.raw });
      texts.push(text);
      continue;
    }
    // A third answer one of the last 20 mails (a quick back and forth), the rest any earlier one.
    const window = rand() < 0.33 ? Math.min(20, index) : index;
    const parent = mails[index - 1 - Math.floor(rand() * window)]!;
    const root = mails[parent.root]!;
    // Mostly the requester, sometimes a colleague from the same company (allowed by domain).
    const domain = root.from.split('@')[1]!;
    const colleagues = senders.filter((s) => s.endsWith(`@${domain}`) && s !== root.from);
    const from = rand() < 0.7 || colleagues.length === 0 ? root.from : pick(rand, colleagues);
    const parentRefs = parent.kind === 'reply' ? referencesOf(parent.raw) : [];
    const references = [...parentRefs, parent.messageId].slice(-10);
    const onlyReferences = rand() < 0.1; // some clients send References without In-Reply-To
    const subject = `${pick(rand, ['AW: ', 'Re: ', 'RE: ', 'AW: AW: '])}${root.subject}`;
    const quoted = texts[parent.index]!.split('\n').map((l) => `> ${l}`).join('\n');
    const text = `${paragraphs(rand, replySentences, 200 + rand() * 1200)}\n\nGruß\n${nameOf(from)}\n\n${quoted}`.slice(0, 12_000);
    const built = await buildMail({
      from: `${nameOf(from)} <${from}>`,
      subject,
      text,
      ...(withHtml ? { html: htmlOf(text) } : {}),
      ...(onlyReferences ? {} : { inReplyTo: parent.messageId }),
      references,
      ...(attachments ? { attachments } : {}),
    });
    mails.push({ index, kind: 'reply', messageId: built.messageId, from, subject, parent: parent.index, root: root.index, attachmentBytes, raw: built.raw });
    texts.push(text);
  }
  return mails;
}

function referencesOf(raw: Buffer): string[] {
  const head = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('latin1').replace(/\r\n[ \t]+/g, ' ');
  const line = /^References:(.*)$/im.exec(head)?.[1] ?? '';
  return line.match(/<[^<>\s]+>/g) ?? [];
}
