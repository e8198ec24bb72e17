// "Profile": language, phone, whether answers come by mail too, and the password.
import { languages } from '../../domain/enums.js';
import { CsrfField, Notice, PortalPage, type PageContext } from './components.js';
import { NewPasswordFields } from './sign-in-pages.js';

export function ProfilePage(props: { p: PageContext; flash?: string | undefined; error?: string | undefined; passwordError?: string | undefined }) {
  const { p } = props;
  const viewer = p.viewer!;
  const t = p.t.profile;
  return (
    <PortalPage p={p} title={t.title}>
      <h1>{t.title}</h1>
      {props.flash && <Notice kind="ok">{props.flash}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <form class="card" method="post" action="/portal/profile">
        <CsrfField token={p.csrfToken} />
        <dl class="facts">
          <dt>{t.name}</dt>
          <dd>{viewer.name}</dd>
          <dt>{t.email}</dt>
          <dd>{viewer.email}</dd>
          <dt>{t.customer}</dt>
          <dd>
            {viewer.customerName} ({viewer.customerNumber})
          </dd>
        </dl>
        {viewer.admin && <p class="hint">{t.admin}</p>}
        <label for="language">{p.t.language.label}</label>
        <select id="language" name="language">
          {languages.map((l) => (
            <option value={l} selected={p.language === l}>
              {p.t.language[l]}
            </option>
          ))}
        </select>
        <label for="phone">{t.phone}</label>
        <input id="phone" type="tel" name="phone" autocomplete="tel" maxlength={40} value={viewer.phone ?? ''} />
        <label class="check">
          <input type="checkbox" name="replyMails" value="on" checked={viewer.replyMails} />
          {t.replyMails}
        </label>
        <div class="actions">
          <button type="submit">{t.save}</button>
        </div>
      </form>
      <form class="card" method="post" action="/portal/profile/password">
        <h2>{t.password}</h2>
        {props.passwordError && <Notice kind="error">{props.passwordError}</Notice>}
        {!viewer.hasPassword && <p class="hint">{t.noPassword}</p>}
        <CsrfField token={p.csrfToken} />
        {viewer.hasPassword && (
          <>
            <label for="current-password">{p.t.password.current}</label>
            <input id="current-password" type="password" name="current" autocomplete="current-password" required />
          </>
        )}
        <NewPasswordFields p={p} />
        <div class="actions">
          <button type="submit">{p.t.password.save}</button>
        </div>
      </form>
    </PortalPage>
  );
}
