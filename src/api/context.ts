// The Hono environment: services built once at start-up, and the caller of a request.
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { Rates } from '../domain/entitlement.js';
import type { UserRole } from '../domain/enums.js';
import type { Mailer } from '../mail/outbound.js';
import type { Temporal } from '../temporal/client.js';
import type { SessionSettings } from '../services/portal/sessions.js';
import type { SignInLimits } from '../services/portal/sign-in.js';

export interface PortalSettings {
  /** The base of links in mails: PUBLIC_URL, else the server's own address (never a request's Host). */
  baseUrl?: string | undefined;
  /**
   * Cookies Secure with the __Host- prefix: set from PUBLIC_URL's scheme when PUBLIC_URL is
   * configured; unset, any host but localhost gets them (the request's own scheme is not trusted).
   */
  secureCookies?: boolean | undefined;
  session?: SessionSettings;
  signInLimits?: SignInLimits;
  /** The largest form body, files included (PORTAL_UPLOAD_LIMIT_BYTES). */
  uploadLimitBytes?: number;
  /** Log mailed sign-in links (development without SMTP, so the demo can sign in). */
  logLinks?: boolean;
}

/** The staff pages' settings (src/web/staff); cookies and link base are the portal's (PUBLIC_URL). */
export interface StaffSettings {
  session?: SessionSettings;
  signInLimits?: SignInLimits;
  /** Hours an admin's set-password link stays valid (STAFF_PASSWORD_LINK_HOURS). */
  setLinkValidHours?: number;
}
import { isJsonType, jsonBodyGate } from './input-guard.js';
import type { ApiMetrics } from './metrics.js';
import { validationProblem } from './problem.js';

export interface ApiServices {
  db: Db;
  temporal: Temporal;
  logger: Logger;
  /** Days after resolution until automatic close, for new incidents. */
  autoCloseDays?: number;
  /** The house's time zone for incident-number years and contract validity days. */
  timezone?: string;
  /** Hourly rates in cents for work no contract prices (DEFAULT_HOURLY_RATES). */
  defaultRates?: Rates;
  /** Internal cost per hour in cents by role, for profitability (INTERNAL_COST_RATES). */
  costRates?: Partial<Record<UserRole, number>>;
  /** Mail settings for the mailgate, the review queue and the mail log. */
  mail?: { mailFrom: string; ownAddresses?: string[]; maxMailBytes?: number; oversizedNoticesPerHour?: number; mailer?: Mailer | undefined };
  /** The largest request body (bytes) outside the mailgate and the CSV import (API_BODY_LIMIT_BYTES, default 1 MiB). */
  bodyLimitBytes?: number;
  /** The customer portal's settings (src/web/portal). */
  portal?: PortalSettings;
  /** Staff sign-in to the web pages (src/web/staff). */
  staff?: StaffSettings;
  /** The knowledge base's settings (KB_DEFLECTION_WINDOW_MINUTES, KB_REVIEW_NOT_HELPFUL). */
  kb?: { deflectionWindowMinutes?: number; reviewNotHelpful?: number };
  /** The contracted SLA compliance per tier in percent (SLA_COMPLIANCE_TARGETS), for the dashboard. */
  complianceTargets?: { silver: number; gold: number; platinum: number };
  /** The breach causes offered at the resolve of a breached incident (BREACH_CAUSES). */
  breachCauses?: readonly string[];
  /** Cheap liveness probe of the database, e.g. `select 1`. */
  pingDatabase: () => Promise<void>;
  /** The registry GET /metrics serves; unset: the app makes its own, without the process's metrics. */
  metrics?: ApiMetrics;
  /** The bearer token GET /metrics requires (METRICS_TOKEN); unset: /metrics is open. */
  metricsToken?: string | undefined;
}

export interface Principal {
  userId: string;
  name: string;
  role: UserRole;
  tokenId: string;
}

export interface AppEnv {
  Variables: {
    services: ApiServices;
    principal: Principal;
    requestId: string;
    logger: Logger;
  };
}

/**
 * A router whose request validation failures become 400 problem+json naming the field in words
 * (src/api/messages.ts), and whose JSON bodies must come as JSON: another or no Content-Type is a
 * 415, an empty or malformed body a 400 saying so (jsonBodyGate), after the route's own middleware (its role check).
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return validationProblem(c, result.error, result.target, (result as { data?: unknown }).data);
    },
  });
  const openapi = router.openapi;
  router.openapi = ((route: RouteConfig, ...rest: unknown[]) => {
    const content = route.request?.body?.content ?? {};
    if (!Object.keys(content).some((type) => isJsonType(type))) return (openapi as (...args: unknown[]) => unknown)(route, ...rest);
    const own = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
    return (openapi as (...args: unknown[]) => unknown)({ ...route, middleware: [...own, jsonBodyGate(route.request?.body?.required === true)] }, ...rest);
  }) as typeof router.openapi;
  return router;
}
