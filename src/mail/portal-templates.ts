// The portal's own mails: the single-use sign-in link and the password-reset link, German and English.
import type { Language, PortalLinkPurpose } from '../domain/enums.js';
import type { RenderedMail } from './templates.js';

export function portalLinkMail(purpose: PortalLinkPurpose, link: string, name: string, language: Language, validMinutes: number): RenderedMail {
  if (language === 'de') {
    const what = purpose === 'sign_in' ? 'Ihre Anmeldung im Kundenportal' : 'Ein neues Passwort für das Kundenportal';
    const action = purpose === 'sign_in' ? 'Mit diesem Link melden Sie sich an' : 'Mit diesem Link legen Sie ein neues Passwort fest';
    return {
      subject: what,
      body: [
        `Guten Tag ${name},`,
        '',
        `${action} (gültig ${validMinutes} Minuten, nur einmal verwendbar):`,
        '',
        link,
        '',
        'Haben Sie das nicht angefordert, können Sie diese Nachricht ignorieren.',
        '',
        'Ihr Helpdesk-Team',
      ].join('\n'),
    };
  }
  const what = purpose === 'sign_in' ? 'Your sign-in to the customer portal' : 'A new password for the customer portal';
  const action = purpose === 'sign_in' ? 'Sign in with this link' : 'Set a new password with this link';
  return {
    subject: what,
    body: [`Hello ${name},`, '', `${action} (valid for ${validMinutes} minutes, single use):`, '', link, '', 'If you did not ask for this, you can ignore this message.', '', 'Your helpdesk team'].join('\n'),
  };
}
