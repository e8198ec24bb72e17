// The customer mails, in German and English, chosen by the contact's (else the customer's)
// language. Every subject carries the ticket number, so replies thread even without headers.
import type { Language } from '../domain/enums.js';

export interface TemplateIncident {
  number: string;
  title: string;
  firstResponseDueAt: string | null;
  resolution: string | null;
  autoCloseDays: number;
}

export interface RenderedMail {
  subject: string;
  body: string;
}

function when(iso: string, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(language === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** Where the customer finds the request in the portal (it asks for sign-in when needed). */
export const requestLink = (portalUrl: string, number: string) => `${portalUrl.replace(/\/$/, '')}/portal/requests/${number}`;

const portalLine = {
  de: (link: string) => `Ihre Anfrage im Kundenportal: ${link}`,
  en: (link: string) => `Your request in the customer portal: ${link}`,
};
const withLink = (language: Language, link: string | undefined) => (link ? [portalLine[language](link), ''] : []);

const signature = { de: 'Ihr Helpdesk-Team', en: 'Your helpdesk team' };
const keepNumber = {
  de: (n: string) => `Bitte lassen Sie [${n}] im Betreff stehen, wenn Sie antworten.`,
  en: (n: string) => `Please keep [${n}] in the subject when you reply.`,
};

export function acknowledgementMail(i: TemplateIncident, language: Language, timeZone: string, options: { oversized?: boolean; link?: string | undefined } = {}): RenderedMail {
  const due = i.firstResponseDueAt ? when(i.firstResponseDueAt, language, timeZone) : null;
  if (language === 'de') {
    return {
      subject: `[${i.number}] Eingangsbestätigung: ${i.title}${due ? ` (Rückmeldung bis ${due})` : ''}`,
      body: [
        'Guten Tag,',
        '',
        `vielen Dank für Ihre Nachricht. Wir haben Ihre Anfrage unter der Nummer ${i.number} erfasst.`,
        due ? `Sie erhalten eine erste Rückmeldung spätestens bis ${due}.` : 'Wir melden uns so bald wie möglich bei Ihnen.',
        ...(options.oversized ? ['', 'Ihre Nachricht war größer als die zulässige Größe. Wir haben sie vollständig gespeichert; ein Mitarbeiter sichtet die Anhänge.'] : []),
        '',
        ...withLink('de', options.link),
        keepNumber.de(i.number),
        '',
        signature.de,
      ].join('\n'),
    };
  }
  return {
    subject: `[${i.number}] We have received your request: ${i.title}${due ? ` (first response by ${due})` : ''}`,
    body: [
      'Hello,',
      '',
      `thank you for your message. We have logged your request as ${i.number}.`,
      due ? `You will hear from us by ${due} at the latest.` : 'We will get back to you as soon as possible.',
      ...(options.oversized ? ['', 'Your message was larger than our size limit. We have kept all of it; an agent will look at the attachments.'] : []),
      '',
      ...withLink('en', options.link),
      keepNumber.en(i.number),
      '',
      signature.en,
    ].join('\n'),
  };
}

export function replyMail(i: TemplateIncident, language: Language, text: string, link?: string): RenderedMail {
  return { subject: `Re: [${i.number}] ${i.title}`, body: [text.trim(), '', '--', ...(link ? [portalLine[language](link)] : []), keepNumber[language](i.number), signature[language]].join('\n') };
}

export function resolutionMail(i: TemplateIncident, language: Language, link?: string): RenderedMail {
  if (language === 'de') {
    return {
      subject: `[${i.number}] Gelöst: ${i.title}`,
      body: [
        'Guten Tag,',
        '',
        `wir haben Ihre Anfrage ${i.number} gelöst:`,
        '',
        i.resolution ?? '',
        '',
        `Besteht das Problem weiter, antworten Sie einfach auf diese Nachricht; die Anfrage wird dann wieder geöffnet. Ohne Antwort schließen wir sie nach ${i.autoCloseDays} Tagen.`,
        '',
        ...withLink('de', link),
        signature.de,
      ].join('\n'),
    };
  }
  return {
    subject: `[${i.number}] Resolved: ${i.title}`,
    body: [
      'Hello,',
      '',
      `we have resolved your request ${i.number}:`,
      '',
      i.resolution ?? '',
      '',
      `If the problem persists, just reply to this mail and the request is reopened. Without a reply we close it after ${i.autoCloseDays} days.`,
      '',
      ...withLink('en', link),
      signature.en,
    ].join('\n'),
  };
}

export function oversizedMail(number: string | null, subject: string, limitBytes: number, language: Language): RenderedMail {
  const mb = Math.round(limitBytes / (1024 * 1024));
  const tag = number ? `[${number}] ` : '';
  return language === 'de'
    ? {
        subject: `${tag}Ihre Nachricht war zu groß: ${subject}`,
        body: `Guten Tag,\n\nIhre Nachricht „${subject}“ ist größer als ${mb} MB. Wir haben sie vollständig gespeichert, und ein Mitarbeiter sichtet sie. Große Dateien senden Sie bitte künftig als Link.\n\n${signature.de}`,
      }
    : {
        subject: `${tag}Your message was too large: ${subject}`,
        body: `Hello,\n\nyour message "${subject}" is larger than ${mb} MB. We have kept all of it and an agent will look at it. Please send large files as a link in future.\n\n${signature.en}`,
      };
}
