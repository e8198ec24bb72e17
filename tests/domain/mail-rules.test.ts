import { describe, expect, it } from 'vitest';
import {
  addressOf,
  callbackSubjectTopic,
  classifyInbound,
  decideThread,
  firstPhoneNumber,
  mayAppend,
  planInbound,
  readCallbackRequest,
  referencedMessageIds,
  type InboundContext,
  type InboundFacts,
  type InboundMailFacts,
} from '../../src/domain/mail-rules.js';

const own = { addresses: ['support@systemhaus.example'], loopMarker: 'helpdesk' };
const mail = (headers: InboundFacts['headers'], extra: Partial<InboundFacts> = {}): InboundFacts => ({
  headers,
  from: 'Petra Müller <petra.mueller@mueller-maschinenbau.example>',
  subject: 'Server does not boot',
  contentType: 'text/plain; charset=utf-8',
  ...extra,
});

describe('classifying incoming mail', () => {
  it('lets a person-written mail be answered', () => {
    expect(classifyInbound(mail({ 'auto-submitted': 'no' }), own)).toEqual({ noAutoAnswer: false, bounce: false, autoReply: false, loop: false, reasons: [] });
  });

  it.each([
    [{ 'auto-submitted': 'auto-generated' }, /Auto-Submitted: auto-generated/],
    [{ precedence: 'bulk' }, /Precedence: bulk/],
    [{ precedence: 'list' }, /Precedence: list/],
    [{ 'x-auto-response-suppress': 'OOF, AutoReply' }, /X-Auto-Response-Suppress/],
    [{ 'list-id': '<news.vendor.example>' }, /List-Id/],
    [{ 'x-loop': 'helpdesk' }, /our own mail/],
  ])('never auto-answers %j', (headers, reason) => {
    const c = classifyInbound(mail(headers), own);
    expect(c.noAutoAnswer).toBe(true);
    expect(c.reasons.join('; ')).toMatch(reason);
  });

  it('recognises bounces by multipart/report and by mailer-daemon', () => {
    const dsn = classifyInbound(mail({}, { contentType: 'multipart/report; report-type=delivery-status; boundary="x"', from: 'Mail Delivery System <MAILER-DAEMON@mx.example>' }), own);
    expect(dsn).toMatchObject({ bounce: true, autoReply: false, noAutoAnswer: true });
    expect(classifyInbound(mail({}, { from: 'postmaster@mx.example' }), own).bounce).toBe(true);
  });

  it('recognises out-of-office replies by header and by subject, in English and German', () => {
    expect(classifyInbound(mail({ 'auto-submitted': 'auto-replied' }), own)).toMatchObject({ autoReply: true, noAutoAnswer: true });
    expect(classifyInbound(mail({ 'x-autoreply': 'yes' }), own).autoReply).toBe(true);
    expect(classifyInbound(mail({}, { subject: 'Automatische Antwort: [INC-2026-000123] Drucker' }), own)).toMatchObject({ autoReply: true, noAutoAnswer: true });
    expect(classifyInbound(mail({}, { subject: 'Out of Office: Server does not boot' }), own).autoReply).toBe(true);
    expect(classifyInbound(mail({}, { subject: 'Re: out of memory on the server' }), own).autoReply).toBe(false);
  });

  it('treats mail from our own address as a loop', () => {
    expect(classifyInbound(mail({}, { from: 'Helpdesk <SUPPORT@systemhaus.example>' }), own)).toMatchObject({ loop: true, noAutoAnswer: true });
  });
});

describe('threading', () => {
  const known = new Map([
    ['<ack-1@systemhaus.example>', 'INC-2026-000010'],
    ['<orig@mueller.example>', 'INC-2026-000011'],
  ]);
  const lookup = (id: string) => known.get(id);

  it('takes the ticket number in the subject first', () => {
    expect(decideThread({ subject: 'AW: Re: [INC-2026-000123] Drucker', headers: { 'in-reply-to': '<ack-1@systemhaus.example>' } }, lookup)).toEqual({ kind: 'thread', incidentNumber: 'INC-2026-000123', by: 'subject' });
  });

  it('then In-Reply-To, then References from the newest, against stored Message-IDs', () => {
    expect(decideThread({ subject: 'Re: Drucker', headers: { 'in-reply-to': '<ack-1@systemhaus.example>' } }, lookup)).toMatchObject({ incidentNumber: 'INC-2026-000010', by: 'reference' });
    expect(decideThread({ subject: 'Fwd: Drucker', headers: { references: '<unknown@x> <orig@mueller.example>\r\n <other@y>' } }, lookup)).toMatchObject({ incidentNumber: 'INC-2026-000011' });
    expect(decideThread({ subject: 'New problem', headers: {} }, lookup)).toEqual({ kind: 'new' });
  });

  it('lists referenced ids without duplicates, In-Reply-To first', () => {
    expect(referencedMessageIds({ 'in-reply-to': '<b@x>', references: ['<a@x> <b@x>', '<c@x>'] })).toEqual(['<b@x>', '<c@x>', '<a@x>']);
  });
});

describe('who may add to an incident', () => {
  const incident = { customerDomains: ['mueller-maschinenbau.example'], contactAddresses: ['petra.mueller@mueller-maschinenbau.example'], threadParticipants: ['"IT Partner" <it@partner.example>'] };

  it('admits contacts, colleagues at the customer domain (reply-all from CC) and thread participants', () => {
    expect(mayAppend('Petra <Petra.Mueller@mueller-maschinenbau.example>', incident)).toBe(true);
    expect(mayAppend('jens.kraft@mueller-maschinenbau.example', incident)).toBe(true);
    expect(mayAppend('it@partner.example', incident)).toBe(true);
  });

  it('sends a stranger quoting the ticket number to review', () => {
    expect(mayAppend('attacker@evil.example', incident)).toBe(false);
    expect(mayAppend('someone@mueller-maschinenbau.example.evil.example', incident)).toBe(false);
  });

  it('reads addresses out of display forms', () => {
    expect(addressOf('"Müller, Petra" <Petra.Mueller@Example.COM>')).toBe('petra.mueller@example.com');
    expect(addressOf('plain@example.com')).toBe('plain@example.com');
  });
});

describe('a callback request by mail', () => {
  it.each([
    ['Callback', ''],
    ['Callback please', ''],
    ['callback request: VPN drops every hour', 'VPN drops every hour'],
    ['Callback please: VPN', 'VPN'],
    ['Rückruf bitte: Drucker im 2. OG', 'Drucker im 2. OG'],
    ['RÜCKRUF - Plotter', 'Plotter'],
    ['Rueckruf – Server', 'Server'],
    ['Rückrufbitte: Lizenzen', 'Lizenzen'],
    ['Ru\u0308ckruf: NFD-Umlaut', 'NFD-Umlaut'],
    ['  Callback:   two   spaces  ', 'two spaces'],
  ])('reads the subject %j as a request about %j', (subject, topic) => {
    expect(callbackSubjectTopic(subject)).toBe(topic);
  });

  it.each(['Callback-Funktion im CRM defekt', 'Callbacks fail in the API', 'Rückrufe fehlen', 'Re: Callback please', 'AW: Rückruf', 'Bitte um Rückruf', 'Drucker defekt'])('reads no request in %j', (subject) => {
    expect(callbackSubjectTopic(subject)).toBeNull();
  });

  it.each([
    ['Tel.: +49 221 555 02 01', '+492215550201'],
    ['+49 221 5550201', '+492215550201'],
    ['Bitte unter 0221 555-0201 anrufen.', '+492215550201'],
    ['Bitte rufen Sie mich unter 0171 1234567 an', '+491711234567'],
    ['Tel.: 0221/5550201', '+492215550201'],
    ['Tel. (0221) 555 0201', '+492215550201'],
    ['Telefonnummer: 0221 / 555 02 01', '+492215550201'],
    ['Sie erreichen mich unter der Nummer 0171 1234567.', '+491711234567'],
    ['Handy (privat): 0171 1234567', '+491711234567'],
    ['Please call me at 0044 20 7946 0958', '+442079460958'],
    ['+49 (0)221 5550201', '+492215550201'],
    ['Mobil 0049 221 5550201', '+492215550201'],
    ['+44 20 7946 0958', '+442079460958'],
    ['Ticket INC-2026-000123 vom 01.03.2026, Tel. 0211/5550101', '+492115550101'],
    ['Kunde 0815, dann +49 211 555 0101', '+492115550101'],
    ['Tel 0221 5550201 / 0171 1234567', '+492215550201'],
    ['Fax 0221 5550200\nTel 0221 5550201', '+492215550201'],
    ['Rechnungsnr. 0100234567, Tel. 0221 5550201', '+492215550201'],
  ])('takes the first usable phone number in %j', (text, phone) => {
    expect(firstPhoneNumber(text)).toBe(phone);
  });

  it.each([
    'Termin am 01/12/2026',
    'Datum 05-12-2026',
    'Zeitraum 01-03 2026',
    'Bestellnummer 0045123456',
    'IBAN DE89 3704 0044 0532 0130 00',
    'Meine IBAN-Nummer DE89 3704 0044 0532 0130 00',
    'SN 0123-4567-89',
    'Rechnungsnr. 0100234567',
    'unter der Bestellnummer 0045123456',
    'Ich bin erreichbar ab 01-03 2026',
    'Telefon: 01/12/2026 ab 9 Uhr',
    '(0221) 555 0201',
    '0221 555 0201',
    'Fax 0221 5550200',
    'Fax: +49 221 5550200',
    '> Hotline 0211 555 0000',
    '> Tel. +49 211 555 0000',
    'Bitte um Rückruf.\n-- \nPetra Müller\nTel. +49 211 555 0101',
    'Bitte um Rückruf.\n--\nTel. +49 211 555 0101',
    'Danke!\n\nAm 12.03.2026 um 10:00 schrieb Helpdesk <helpdesk@helpdesk.example>:\nTel. +49 211 555 0000',
    'Thanks!\n\nOn Thu, 12 Mar 2026 at 10:00, Helpdesk <helpdesk@helpdesk.example> wrote:\nTel. +49 211 555 0000',
  ])('reads no phone number in %j', (text) => {
    expect(firstPhoneNumber(text)).toBeNull();
  });

  it('finds no phone number in dates, ticket numbers or short numbers', () => {
    expect(firstPhoneNumber('INC-2026-000123 am 01.03.2026 um 08:00, Raum 0815')).toBeNull();
    expect(firstPhoneNumber('Tel. 0211 55')).toBeNull();
    expect(firstPhoneNumber('')).toBeNull();
  });

  it('takes the topic from the subject, else the first line that says something', () => {
    expect(readCallbackRequest('Rückruf bitte: VPN', 'Tel. 0211 555 0101')).toEqual({ phone: '+492115550101', topic: 'VPN', phoneSource: 'mail' });
    const text = 'Guten Tag,\n\nTel: 0211 555 0101\nunser VPN bricht ständig ab.\n-- \nPetra Müller';
    expect(readCallbackRequest('Callback please', text)).toEqual({ phone: '+492115550101', topic: 'unser VPN bricht ständig ab.', phoneSource: 'mail' });
    expect(readCallbackRequest('Callback please', 'Hallo,\n+49 211 555 0101\n-- \nPetra')).toEqual({ phone: '+492115550101', topic: 'Callback requested by mail', phoneSource: 'mail' });
    expect(readCallbackRequest('Callback: ' + 'x'.repeat(300), 'Tel. 0211 555 0101')!.topic).toHaveLength(200);
  });

  it('is no request without a usable phone number or without the subject', () => {
    expect(readCallbackRequest('Callback please', 'Please call me back.')).toBeNull();
    expect(readCallbackRequest('Callback please', 'Call 0211 55')).toBeNull();
    expect(readCallbackRequest('Callback please', 'Please call me back.', '0211 55')).toBeNull();
    expect(readCallbackRequest('Drucker defekt', 'Tel. 0211 555 0101')).toBeNull();
    expect(readCallbackRequest('Drucker defekt', 'Please call me.', '+49 211 555 0101')).toBeNull();
  });

  it("calls the contact's number on record when the mail names none, and shows both when they differ", () => {
    expect(readCallbackRequest('Rückruf bitte: VPN', 'Bitte rufen Sie mich zurück.\n-- \nTel. 0211 555 0999', '+49 211 555 0101')).toEqual({ phone: '+492115550101', topic: 'VPN', phoneSource: 'contact' });
    expect(readCallbackRequest('Rückruf bitte: VPN', 'Bitte zurückrufen.', '0211 555-0101')).toMatchObject({ phone: '+492115550101', phoneSource: 'contact' });
    expect(readCallbackRequest('Rückruf bitte: VPN', 'Handy: 0171 1234567', '+49 211 555 0101')).toEqual({ phone: '+491711234567', topic: 'VPN', phoneSource: 'mail', contactPhone: '+492115550101' });
    // The same number, written another way: nothing to decide.
    expect(readCallbackRequest('Rückruf bitte: VPN', 'Tel. 0211/5550101', '+49 211 555 0101')).toEqual({ phone: '+492115550101', topic: 'VPN', phoneSource: 'mail' });
  });

  describe('in the plan of an incoming mail', () => {
    const petra = 'petra.mueller@mueller-maschinenbau.example';
    const ctx = (sender: InboundContext['sender'], known: Record<string, string> = {}): InboundContext => ({
      own,
      knownMessage: (id) => known[id],
      incident: (number) => (number === 'INC-2026-000010' ? { number, closed: false, customerDomains: ['mueller-maschinenbau.example'], contactAddresses: [petra], threadParticipants: [] } : undefined),
      sender,
    });
    const contact = { customerNumber: 'K-10001', contactEmail: petra };
    const facts = (extra: Partial<InboundMailFacts> = {}): InboundMailFacts => ({
      headers: {},
      from: `Petra Müller <${petra}>`,
      subject: 'Rückruf bitte: VPN',
      text: 'Bitte rufen Sie mich unter 0211 555 0101 an.',
      contentType: 'text/plain',
      ...extra,
    });

    it('makes a known contact\'s request a callback', () => {
      expect(planInbound(facts(), ctx(contact))).toMatchObject({ kind: 'callback', customerNumber: 'K-10001', contactEmail: petra, phone: '+492115550101', topic: 'VPN' });
    });

    it("falls back to the contact's number on record, and tells a differing one", () => {
      expect(planInbound(facts({ text: 'Bitte rufen Sie mich an.' }), ctx({ ...contact, contactPhone: '+49 211 555 0101' }))).toMatchObject({ kind: 'callback', phone: '+492115550101', phoneSource: 'contact' });
      expect(planInbound(facts(), ctx({ ...contact, contactPhone: '+49 171 1234567' }))).toMatchObject({ kind: 'callback', phone: '+492115550101', phoneSource: 'mail', contactPhone: '+491711234567' });
      // A sender known only by domain has no number on record, and no callback.
      expect(planInbound(facts({ text: 'Bitte rufen Sie mich an.' }), ctx({ customerNumber: 'K-10001', contactEmail: null, contactPhone: '+49 211 555 0101' }))).toMatchObject({ kind: 'new' });
    });

    it('opens an incident as before without a phone number, for a sender known only by domain, or for machine mail', () => {
      expect(planInbound(facts({ text: 'Bitte rufen Sie mich an.' }), ctx(contact))).toMatchObject({ kind: 'new', customerNumber: 'K-10001', acknowledge: true });
      expect(planInbound(facts({ from: 'someone@mueller-maschinenbau.example' }), ctx({ customerNumber: 'K-10001', contactEmail: null }))).toMatchObject({ kind: 'new' });
      expect(planInbound(facts({ headers: { 'auto-submitted': 'auto-generated' } }), ctx(contact))).toMatchObject({ kind: 'new', acknowledge: false });
    });

    it('holds a stranger\'s request for review, as any stranger\'s mail', () => {
      expect(planInbound(facts({ from: 'someone@freemail.example' }), ctx(null))).toMatchObject({ kind: 'review', incidentNumber: null });
    });

    it('threads a mail that belongs to an incident, whatever its subject says', () => {
      expect(planInbound(facts({ subject: 'Rückruf bitte [INC-2026-000010]' }), ctx(contact))).toMatchObject({ kind: 'append', incidentNumber: 'INC-2026-000010' });
      expect(planInbound(facts({ headers: { 'in-reply-to': '<orig@x.example>' } }), ctx(contact, { '<orig@x.example>': 'INC-2026-000010' }))).toMatchObject({ kind: 'append', by: 'reference' });
    });
  });
});
