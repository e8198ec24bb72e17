// The staff pages: sign-in, forgot password, set password (by a mailed link), the signed-in
// overview, and the error page.
import type { StaffLinkRefusal } from '../../services/staff/password-links.js';
import { CsrfField, Notice, StaffPage, type PageContext } from './components.js';

export interface Message {
  kind: 'ok' | 'error' | 'info';
  text: string;
}

export function SignInPage(props: { p: PageContext; next: string | null; email?: string; message?: Message | undefined }) {
  const { p } = props;
  const { signIn } = p.t;
  return (
    <StaffPage p={p} title={signIn.title}>
      <div class="narrow">
        <h1>{signIn.title}</h1>
        {props.message && <Notice kind={props.message.kind}>{props.message.text}</Notice>}
        <form class="card" method="post" action="/staff/sign-in">
          <p>{signIn.intro}</p>
          <CsrfField token={p.csrfToken} />
          {props.next && <input type="hidden" name="next" value={props.next} />}
          <label for="email">{signIn.email}</label>
          <input id="email" type="email" name="email" autocomplete="username" required maxlength={254} value={props.email ?? ''} />
          <label for="password">{signIn.password}</label>
          <input id="password" type="password" name="password" autocomplete="current-password" required maxlength={1000} />
          <div class="actions">
            <button type="submit">{signIn.submit}</button>
            <a href="/staff/forgot-password">{signIn.forgot}</a>
          </div>
        </form>
        <p>
          <a href="/portal">{signIn.portal}</a>
        </p>
      </div>
    </StaffPage>
  );
}

export function ForgotPasswordPage(props: { p: PageContext; sent: boolean; error?: string }) {
  const { p } = props;
  const { forgot } = p.t;
  return (
    <StaffPage p={p} title={forgot.title}>
      <div class="narrow">
        <h1>{forgot.title}</h1>
        {props.sent && <Notice kind="ok">{forgot.sent}</Notice>}
        {props.error && <Notice kind="error">{props.error}</Notice>}
        <form class="card" method="post" action="/staff/forgot-password">
          <p>{forgot.intro}</p>
          <CsrfField token={p.csrfToken} />
          <label for="forgot-email">{p.t.signIn.email}</label>
          <input id="forgot-email" type="email" name="email" autocomplete="email" required maxlength={254} />
          <div class="actions">
            <button type="submit">{forgot.submit}</button>
            <a href="/staff/sign-in">{p.t.signIn.title}</a>
          </div>
        </form>
      </div>
    </StaffPage>
  );
}

export function SetPasswordPage(props: { p: PageContext; token: string; error?: string }) {
  const { p } = props;
  const t = p.t.setPassword;
  return (
    <StaffPage p={p} title={t.title}>
      <div class="narrow">
        <h1>{t.title}</h1>
        {props.error && <Notice kind="error">{props.error}</Notice>}
        <form class="card" method="post" action="/staff/set-password">
          <p>{t.intro}</p>
          <CsrfField token={p.csrfToken} />
          <input type="hidden" name="token" value={props.token} />
          <label for="new-password">{t.newPassword}</label>
          <input id="new-password" type="password" name="password" autocomplete="new-password" required minlength={10} maxlength={200} />
          <label for="repeat-password">{t.repeat}</label>
          <input id="repeat-password" type="password" name="repeat" autocomplete="new-password" required minlength={10} maxlength={200} />
          <div class="actions">
            <button type="submit">{t.submit}</button>
          </div>
        </form>
      </div>
    </StaffPage>
  );
}

export function LinkRefusedPage(props: { p: PageContext; refusal: StaffLinkRefusal }) {
  const { p } = props;
  const t = p.t.setPassword;
  return (
    <StaffPage p={p} title={t.title}>
      <div class="narrow">
        <h1>{t.title}</h1>
        <Notice kind="error">{t.refused[props.refusal]}</Notice>
        <p>
          <a href="/staff/forgot-password">{t.newLink}</a>
        </p>
      </div>
    </StaffPage>
  );
}

/** The overview after sign-in: who is signed in, with which role. */
export function HomePage(props: { p: PageContext; flash?: string | undefined }) {
  const { p } = props;
  const member = p.member!;
  const { home } = p.t;
  return (
    <StaffPage p={p} title={home.title}>
      <h1>{home.title}</h1>
      {props.flash && <Notice kind="ok">{props.flash}</Notice>}
      <div class="card">
        <p>{home.signedInAs(member.name, p.t.roles[member.role])}</p>
        <dl class="facts">
          <dt>{home.email}</dt>
          <dd>{member.email}</dd>
          <dt>{home.role}</dt>
          <dd>{p.t.roles[member.role]}</dd>
        </dl>
        <p class="hint">{home.api}</p>
      </div>
    </StaffPage>
  );
}

export function ErrorPage(props: { p: PageContext; title: string; message: string }) {
  const { p } = props;
  return (
    <StaffPage p={p} title={props.title}>
      <h1>{props.title}</h1>
      <Notice kind="error">{props.message}</Notice>
      <p>
        <a href={p.member ? '/staff' : '/staff/sign-in'}>{p.member ? p.t.errors.home : p.t.errors.back}</a>
      </p>
    </StaffPage>
  );
}
