// The pieces every staff page shares: the frame with the language switch and sign-out, notices
// and the CSRF field.
import type { Child } from 'hono/jsx';
import type { Language } from '../../domain/enums.js';
import type { StaffMember } from '../../services/staff/sessions.js';
import { Layout } from '../layout.js';
import type { StaffMessages } from './messages.js';

/** What every page is rendered with. */
export interface PageContext {
  t: StaffMessages;
  language: Language;
  csrfToken: string;
  member: StaffMember | null;
  /** The path of this page, for the language switch's way back. */
  path: string;
}

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

export function Notice(props: { kind?: 'ok' | 'error' | 'info'; children: Child }) {
  const kind = props.kind ?? 'info';
  return (
    <div class={`notice ${kind === 'info' ? '' : kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function StaffPage(props: { p: PageContext; title: string; children: Child }) {
  const { p } = props;
  const other: Language = p.language === 'de' ? 'en' : 'de';
  const end = (
    <>
      <form method="post" action="/staff/language">
        <CsrfField token={p.csrfToken} />
        <input type="hidden" name="back" value={p.path} />
        <button class="link" type="submit" name="language" value={other} lang={other} aria-label={`${p.t.language.switch}: ${p.t.language[other]}`}>
          {p.t.language[other]}
        </button>
      </form>
      {p.member && (
        <form method="post" action="/staff/sign-out">
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
      area={p.t.area}
      home={p.member ? '/staff' : '/staff/sign-in'}
      skipLabel={p.t.skipToContent}
      navLabel={p.t.nav.main}
      nav={[]}
      end={end}
      csrfToken={p.member ? p.csrfToken : undefined}
    >
      {props.children}
    </Layout>
  );
}
