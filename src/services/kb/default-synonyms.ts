// The synonyms the knowledge base search expands a query with when no list is configured. Only words a
// searcher really uses interchangeably; translations (drucker/printer) are left to the search across
// languages, and very common words are left out, since every expansion also widens the results.

/** Groups of words that mean the same to a searcher, in any language; each word is lower-case, a single word without spaces. */
export const defaultSynonyms: readonly (readonly string[])[] = [
  ['kennwort', 'passwort', 'password', 'pw'],
  ['usv', 'ups'],
  ['laptop', 'notebook'],
  ['handy', 'smartphone', 'mobiltelefon', 'cellphone'],
  ['mail', 'email'],
  ['bildschirm', 'monitor', 'screen'],
  ['rechner', 'computer', 'pc'],
  ['anmeldung', 'anmelden', 'einloggen', 'login', 'logon', 'signin'],
  ['wlan', 'wifi'],
  ['headset', 'kopfhörer', 'headphones'],
  ['mikrofon', 'microphone', 'mic'],
  ['kamera', 'camera', 'webcam'],
  ['warenwirtschaft', 'wawi', 'erp'],
  ['kopierer', 'kopiergerät', 'multifunktionsgerät', 'multifunktionsdrucker', 'mfp'],
  ['freizeichen', 'wählton', 'amtszeichen'],
  ['sammelpostfach', 'gruppenpostfach', 'funktionspostfach', 'teampostfach'],
  ['backup', 'datensicherung'],
  ['spam', 'junk'],
  ['tischtelefon', 'bürotelefon', 'festnetztelefon'],
  ['rdp', 'remotedesktop'],
  ['netzlaufwerk', 'netzwerklaufwerk'],
  ['mfa', '2fa', 'zweifaktor'],
  ['akku', 'batterie'],
  ['dockingstation', 'dock', 'portreplikator'],
  ['update', 'aktualisierung'],
  ['cache', 'zwischenspeicher'],
];
