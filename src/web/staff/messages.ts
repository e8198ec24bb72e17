// Every word of the staff pages (sign-in, password), in German and English. A page takes `t` for
// its language and never holds a string of its own that a colleague would read.
import type { Language } from '../../domain/enums.js';
import type { StaffRole } from '../../domain/staff.js';
import type { StaffLinkRefusal } from '../../services/staff/password-links.js';

const de = {
  area: 'Helpdesk',
  skipToContent: 'Zum Inhalt springen',
  nav: { main: 'Hauptnavigation', signOut: 'Abmelden' },
  language: { de: 'Deutsch', en: 'English', switch: 'Sprache wechseln' },
  roles: { agent: 'Agent', manager: 'Manager', admin: 'Administrator' } satisfies Record<StaffRole, string>,
  signIn: {
    title: 'Anmelden',
    intro: 'Für Mitarbeiterinnen und Mitarbeiter des Helpdesks. Kundinnen und Kunden melden sich im Kundenportal an.',
    portal: 'Zum Kundenportal',
    email: 'E-Mail-Adresse',
    password: 'Passwort',
    submit: 'Anmelden',
    forgot: 'Passwort vergessen?',
    wrong: 'E-Mail-Adresse oder Passwort sind nicht richtig.',
    needed: 'Bitte melden Sie sich an, um diese Seite zu sehen.',
    tooMany: (minutes: number) => `Zu viele Versuche. Bitte versuchen Sie es in ${minutes} Minuten wieder.`,
    signedOut: 'Sie sind abgemeldet.',
  },
  forgot: {
    title: 'Passwort vergessen',
    intro: 'Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort festlegen. Er gilt 30 Minuten und nur einmal.',
    submit: 'Link senden',
    sent: 'Wenn die Adresse zu einem Konto gehört, ist ein Link zum Festlegen des Passworts unterwegs. Bitte sehen Sie in Ihr Postfach.',
    invalidEmail: 'Bitte geben Sie Ihre E-Mail-Adresse an.',
  },
  setPassword: {
    title: 'Passwort festlegen',
    intro: 'Danach sind Sie angemeldet; alle anderen Sitzungen werden abgemeldet.',
    newPassword: 'Neues Passwort (mindestens 10 Zeichen)',
    repeat: 'Neues Passwort wiederholen',
    submit: 'Passwort speichern',
    mismatch: 'Die beiden Passwörter stimmen nicht überein.',
    tooShort: 'Das Passwort braucht mindestens 10 Zeichen.',
    tooLong: 'Das Passwort darf höchstens 200 Zeichen haben.',
    refused: {
      used: 'Dieser Link wurde schon verwendet. Fordern Sie einfach einen neuen an.',
      expired: 'Dieser Link ist abgelaufen. Fordern Sie einfach einen neuen an.',
      unknown: 'Dieser Link ist ungültig. Fordern Sie einfach einen neuen an.',
    } satisfies Record<StaffLinkRefusal, string>,
    newLink: 'Neuen Link anfordern',
  },
  home: {
    title: 'Angemeldet',
    signedInAs: (name: string, role: string) => `Sie sind als ${name} (${role}) angemeldet.`,
    email: 'E-Mail-Adresse',
    role: 'Rolle',
    passwordSaved: 'Ihr Passwort ist gespeichert. Andere Sitzungen wurden abgemeldet.',
    api: 'Für die API (/api) brauchen Sie weiterhin ein API-Token; die Anmeldung hier öffnet nur die Seiten.',
  },
  errors: {
    problem: 'Das hat nicht geklappt',
    notFoundTitle: 'Seite nicht gefunden',
    notFound: 'Diese Seite gibt es nicht, oder Sie dürfen sie nicht sehen.',
    csrf: 'Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.',
    form: 'Das Formular konnte nicht gelesen werden. Bitte senden Sie es noch einmal von der Seite aus.',
    server: 'Ein Fehler auf unserer Seite. Bitte versuchen Sie es gleich noch einmal.',
    back: 'Zur Anmeldung',
    home: 'Zur Übersicht',
  },
};

export type StaffMessages = typeof de;

const en: StaffMessages = {
  area: 'Helpdesk',
  skipToContent: 'Skip to content',
  nav: { main: 'Main navigation', signOut: 'Sign out' },
  language: { de: 'Deutsch', en: 'English', switch: 'Switch language' },
  roles: { agent: 'agent', manager: 'manager', admin: 'administrator' },
  signIn: {
    title: 'Sign in',
    intro: 'For the helpdesk staff. Customers sign in to the customer portal.',
    portal: 'To the customer portal',
    email: 'E-mail address',
    password: 'Password',
    submit: 'Sign in',
    forgot: 'Forgot your password?',
    wrong: 'The e-mail address or the password is not right.',
    needed: 'Please sign in to see this page.',
    tooMany: (minutes: number) => `Too many attempts. Please try again in ${minutes} minutes.`,
    signedOut: 'You are signed out.',
  },
  forgot: {
    title: 'Forgot your password',
    intro: 'We send you a link to set a new password. It is valid for 30 minutes, once.',
    submit: 'Send link',
    sent: 'If the address belongs to an account, a link to set the password is on its way. Please check your mailbox.',
    invalidEmail: 'Please enter your e-mail address.',
  },
  setPassword: {
    title: 'Set your password',
    intro: 'You are signed in afterwards; all other sessions are signed out.',
    newPassword: 'New password (at least 10 characters)',
    repeat: 'Repeat the new password',
    submit: 'Save password',
    mismatch: 'The two passwords do not match.',
    tooShort: 'The password needs at least 10 characters.',
    tooLong: 'The password may have at most 200 characters.',
    refused: {
      used: 'This link has been used already. Just ask for a new one.',
      expired: 'This link has expired. Just ask for a new one.',
      unknown: 'This link is not valid. Just ask for a new one.',
    },
    newLink: 'Ask for a new link',
  },
  home: {
    title: 'Signed in',
    signedInAs: (name: string, role: string) => `You are signed in as ${name} (${role}).`,
    email: 'E-mail address',
    role: 'Role',
    passwordSaved: 'Your password is saved. Other sessions were signed out.',
    api: 'The API (/api) still takes an API token; signing in here opens the pages only.',
  },
  errors: {
    problem: 'That did not work',
    notFoundTitle: 'Page not found',
    notFound: 'This page does not exist, or you may not see it.',
    csrf: 'The form has expired. Please reload the page and try again.',
    form: 'The form could not be read. Please send it again from the page.',
    server: 'An error on our side. Please try again in a moment.',
    back: 'To sign-in',
    home: 'To the overview',
  },
};

export const staffMessages: Record<Language, StaffMessages> = { de, en };
