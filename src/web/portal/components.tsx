// The pieces every portal page shares: the page frame with navigation, the words for status and
// SLA state, notices and the hidden form fields.
import type { Child } from 'hono/jsx';
import type { Language } from '../../domain/enums.js';
import type { CustomerSla, CustomerStatus } from '../../domain/portal.js';
import type { PortalViewer } from '../../services/portal/sessions.js';
import { when } from '../format.js';
import { Layout, type NavItem } from '../layout.js';
import type { PortalMessages } from './messages.js';

/** What every page is rendered with. */
export interface PageContext {
  t: PortalMessages;
  language: Language;
  /** The zone the customer reads times in. */
  zone: string;
  csrfToken: string;
  viewer: PortalViewer | undefined;
  /** The path of this page, for the navigation and the language switch's way back. */
  path: string;
  now: Date;
}

/** The portal's navigation. */
function portalNav(p: PageContext): NavItem[] {
  if (!p.viewer) return [];
  const { nav } = p.t;
  const items = [
    { href: '/portal/requests', label: nav.requests },
    { href: '/portal/requests/new', label: nav.newRequest },
    { href: '/portal/callback', label: nav.callback },
    { href: '/portal/kb', label: nav.kb },
    { href: '/portal/contracts', label: nav.contracts },
    { href: '/portal/profile', label: nav.profile },
  ];
  const current = (href: string) => p.path === href || (href === '/portal/requests' && /^\/portal\/requests\/INC-/.test(p.path)) || (href === '/portal/kb' && p.path.startsWith('/portal/kb/'));
  return items.map((item) => ({ ...item, current: current(item.href) }));
}

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** A fresh id per rendered form: a second submission of the same form is recognised and taken once. */
export function SubmissionField(props: { id: string }) {
  return <input type="hidden" name="submission" value={props.id} />;
}

export function PortalPage(props: { p: PageContext; title: string; children: Child }) {
  const { p } = props;
  const other: Language = p.language === 'de' ? 'en' : 'de';
  const end = (
    <>
      <form method="post" action="/portal/language">
        <CsrfField token={p.csrfToken} />
        <input type="hidden" name="back" value={p.path} />
        <button class="link" type="submit" name="language" value={other} lang={other} aria-label={`${p.t.language.switch}: ${p.t.language[other]}`}>
          {p.t.language[other]}
        </button>
      </form>
      {p.viewer && (
        <form method="post" action="/portal/sign-out">
          <CsrfField token={p.csrfToken} />
          <button class="link" type="submit">
            {p.t.nav.signOut}
          </button>
        </form>
      )}
    </>
  );
  return (
    <Layout
      language={p.language}
      title={props.title}
      area={p.t.portal}
      home={p.viewer ? '/portal/requests' : '/portal/sign-in'}
      skipLabel={p.t.skipToContent}
      navLabel={p.t.nav.main}
      nav={portalNav(p)}
      end={end}
      csrfToken={p.viewer ? p.csrfToken : undefined}
    >
      {props.children}
    </Layout>
  );
}

export function Notice(props: { kind?: 'ok' | 'error' | 'info'; children: Child }) {
  const kind = props.kind ?? 'info';
  return (
    <div class={`notice ${kind === 'info' ? '' : kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function statusWords(t: PortalMessages, status: CustomerStatus): string {
  return t.status[status];
}

/** The SLA state in words: "Erste Antwort bis heute 14:30 · Gold, Geschäftszeiten". */
export function slaWords(p: Pick<PageContext, 't' | 'language' | 'zone' | 'now'>, sla: CustomerSla): { text: string; late: boolean } {
  const { t } = p;
  const terms = (tier: string | null, hours?: 'business' | 'around_the_clock') => [tier ? t.tier[tier as keyof typeof t.tier] : null, hours ? t.sla.hours[hours] : null].filter(Boolean).join(', ');
  switch (sla.state) {
    case 'due': {
      const at = when(sla.dueAt, p.language, p.zone, p.now);
      const target = t.sla.target[sla.target];
      const main = sla.overdue ? t.sla.overdue(target, at) : t.sla.by(target, at);
      return { text: [main, terms(sla.tier, sla.hours)].filter(Boolean).join(' · '), late: sla.overdue };
    }
    case 'waiting_on_customer':
      return { text: t.sla.waitingOnCustomer, late: false };
    case 'waiting_on_follow_up':
      return { text: t.sla.waitingOnFollowUp, late: false };
    case 'in_progress':
      return { text: [t.sla.inProgress, terms(sla.tier)].filter(Boolean).join(' · '), late: false };
    case 'resolved':
      return { text: sla.at ? t.sla.resolvedOn(when(sla.at, p.language, p.zone, p.now)) : t.sla.resolved, late: false };
    case 'closed':
      return { text: sla.at ? t.sla.closedOn(when(sla.at, p.language, p.zone, p.now)) : t.status.closed, late: false };
    case 'none':
      return { text: t.sla.none, late: false };
  }
}

export function SlaState(props: { p: PageContext; sla: CustomerSla }) {
  const words = slaWords(props.p, props.sla);
  return <span class={words.late ? 'sla late' : 'sla'}>{words.text}</span>;
}

export function ErrorPage(props: { p: PageContext; title: string; message: string }) {
  return (
    <PortalPage p={props.p} title={props.title}>
      <h1>{props.title}</h1>
      <Notice kind="error">{props.message}</Notice>
      <p>
        <a href={props.p.viewer ? '/portal/requests' : '/portal/sign-in'}>{props.p.viewer ? props.p.t.errors.back : props.p.t.signIn.title}</a>
      </p>
    </PortalPage>
  );
}
