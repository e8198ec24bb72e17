// Signing in: by a mailed link or by password, and setting a password by a mailed link.
import type { LinkRefusal } from '../../services/portal/sign-in.js';
import { CsrfField, Notice, PortalPage, type PageContext } from './components.js';

export interface SignInState {
  next: string | null;
  email?: string;
  message?: { kind: 'ok' | 'error' | 'info'; text: string };
}

export function SignInPage(props: { p: PageContext; state: SignInState }) {
  const { p, state } = props;
  const { signIn } = p.t;
  const next = state.next ? <input type="hidden" name="next" value={state.next} /> : null;
  return (
    <PortalPage p={p} title={signIn.title}>
      <div class="narrow">
        <h1>{signIn.title}</h1>
        {state.message && <Notice kind={state.message.kind}>{state.message.text}</Notice>}
        <form class="card" method="post" action="/portal/sign-in/link">
          <p>{signIn.intro}</p>
          <CsrfField token={p.csrfToken} />
          {next}
          <label for="link-email">{signIn.email}</label>
          <input id="link-email" type="email" name="email" autocomplete="email" required value={state.email ?? ''} />
          <div class="actions">
            <button type="submit">{signIn.sendLink}</button>
          </div>
        </form>
        <form class="card" method="post" action="/portal/sign-in/password">
          <h2>{signIn.orPassword}</h2>
          <CsrfField token={p.csrfToken} />
          {next}
          <label for="password-email">{signIn.email}</label>
          <input id="password-email" type="email" name="email" autocomplete="username" required value={state.email ?? ''} />
          <label for="password">{signIn.password}</label>
          <input id="password" type="password" name="password" autocomplete="current-password" required />
          <div class="actions">
            <button type="submit">{signIn.withPassword}</button>
            <a href="/portal/password/forgot">{signIn.forgot}</a>
          </div>
        </form>
      </div>
    </PortalPage>
  );
}

export function ConfirmLinkPage(props: { p: PageContext; token: string }) {
  const { p } = props;
  return (
    <PortalPage p={p} title={p.t.signIn.confirmTitle}>
      <div class="narrow">
        <h1>{p.t.signIn.confirmTitle}</h1>
        {/* A button, not the link itself: mail scanners that open links must not use it up. */}
        <form class="card" method="post" action="/portal/sign-in/link/confirm">
          <p>{p.t.signIn.confirmIntro}</p>
          <CsrfField token={p.csrfToken} />
          <input type="hidden" name="token" value={props.token} />
          <button type="submit">{p.t.signIn.confirm}</button>
        </form>
      </div>
    </PortalPage>
  );
}

export function LinkRefusedPage(props: { p: PageContext; refusal: LinkRefusal }) {
  const { p } = props;
  return (
    <PortalPage p={p} title={p.t.signIn.title}>
      <div class="narrow">
        <h1>{p.t.signIn.title}</h1>
        <Notice kind="error">{p.t.signIn.linkRefused[props.refusal]}</Notice>
        <p>
          <a href="/portal/sign-in">{p.t.signIn.newLink}</a>
        </p>
      </div>
    </PortalPage>
  );
}

export function ForgotPasswordPage(props: { p: PageContext; sent: boolean; error?: string }) {
  const { p } = props;
  const { password } = p.t;
  return (
    <PortalPage p={p} title={password.forgotTitle}>
      <div class="narrow">
        <h1>{password.forgotTitle}</h1>
        {props.sent && <Notice kind="ok">{password.resetSent}</Notice>}
        {props.error && <Notice kind="error">{props.error}</Notice>}
        <form class="card" method="post" action="/portal/password/forgot">
          <p>{password.forgotIntro}</p>
          <CsrfField token={p.csrfToken} />
          <label for="forgot-email">{p.t.signIn.email}</label>
          <input id="forgot-email" type="email" name="email" autocomplete="email" required />
          <div class="actions">
            <button type="submit">{password.sendReset}</button>
          </div>
        </form>
      </div>
    </PortalPage>
  );
}

/** The fields of a new password, also used on the profile page. */
export function NewPasswordFields(props: { p: PageContext }) {
  const { password } = props.p.t;
  return (
    <>
      <label for="new-password">{password.newPassword}</label>
      <input id="new-password" type="password" name="password" autocomplete="new-password" required minlength={10} maxlength={200} />
      <label for="repeat-password">{password.repeat}</label>
      <input id="repeat-password" type="password" name="repeat" autocomplete="new-password" required minlength={10} maxlength={200} />
    </>
  );
}

export function ResetPasswordPage(props: { p: PageContext; token: string; error?: string }) {
  const { p } = props;
  return (
    <PortalPage p={p} title={p.t.password.resetTitle}>
      <div class="narrow">
        <h1>{p.t.password.resetTitle}</h1>
        {props.error && <Notice kind="error">{props.error}</Notice>}
        <form class="card" method="post" action="/portal/password/reset">
          <CsrfField token={p.csrfToken} />
          <input type="hidden" name="token" value={props.token} />
          <NewPasswordFields p={p} />
          <div class="actions">
            <button type="submit">{p.t.password.save}</button>
          </div>
        </form>
      </div>
    </PortalPage>
  );
}
