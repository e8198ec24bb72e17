// The staff's own mail: a single-use link to set the password for the staff pages, German and English.
import type { Language } from '../domain/enums.js';
import type { StaffLinkPurpose } from '../domain/staff.js';
import type { RenderedMail } from './templates.js';

const validity = (minutes: number, language: Language) => {
  const hours = minutes / 60;
  if (Number.isInteger(hours) && hours >= 2) return language === 'de' ? `${hours} Stunden` : `${hours} hours`;
  return language === 'de' ? `${minutes} Minuten` : `${minutes} minutes`;
};

/** `set`: an admin sent it (a new colleague, or on request); `reset`: asked for on the forgot-password page. */
export function staffPasswordMail(purpose: StaffLinkPurpose, link: string, name: string, language: Language, validMinutes: number): RenderedMail {
  const valid = validity(validMinutes, language);
  if (language === 'de') {
    return {
      subject: purpose === 'set' ? 'Ihr Passwort für die Helpdesk-Seiten' : 'Neues Passwort für die Helpdesk-Seiten',
      body: [
        `Guten Tag ${name},`,
        '',
        purpose === 'set' ? 'mit diesem Link legen Sie Ihr Passwort für die Helpdesk-Seiten fest' : 'mit diesem Link legen Sie ein neues Passwort für die Helpdesk-Seiten fest',
        `(gültig ${valid}, nur einmal verwendbar):`,
        '',
        link,
        '',
        'Haben Sie das nicht erwartet, können Sie diese Nachricht ignorieren; Ihr bisheriges Passwort bleibt gültig.',
        '',
        'Ihr Helpdesk',
      ].join('\n'),
    };
  }
  return {
    subject: purpose === 'set' ? 'Your password for the helpdesk pages' : 'A new password for the helpdesk pages',
    body: [
      `Hello ${name},`,
      '',
      purpose === 'set' ? 'set your password for the helpdesk pages with this link' : 'set a new password for the helpdesk pages with this link',
      `(valid for ${valid}, single use):`,
      '',
      link,
      '',
      'If you did not expect this, you can ignore this message; your current password stays valid.',
      '',
      'Your helpdesk',
    ].join('\n'),
  };
}
