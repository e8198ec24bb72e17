// What the web pages get on the context: the API's services (built once) and the request's session.
import type { Language } from '../domain/enums.js';
import type { AppEnv } from '../api/context.js';
import type { PortalSession } from '../services/portal/sessions.js';
import type { PortalMessages } from './portal/messages.js';

export interface PortalEnv {
  Variables: AppEnv['Variables'] & {
    /** The signed-in contact, when the session cookie names a live session. */
    session: PortalSession | undefined;
    /** The session id from the cookie, to end or rotate it. */
    sessionId: string | undefined;
    /** The token signed-out forms carry (double-submit cookie); signed-in forms carry the session's. */
    anonymousCsrf: string;
    language: Language;
    t: PortalMessages;
  };
}
