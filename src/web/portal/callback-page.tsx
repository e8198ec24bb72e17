// "Callback": phone (prefilled), topic, a time window; the callback SLA of the contract shown
// first, and a window the service cannot keep refused with the reason (as the callback API does).
import type { PortalCallback } from '../../services/portal/requests.js';
import { duration, localInputValue, span, when } from '../format.js';
import { CsrfField, Notice, PortalPage, SubmissionField, type PageContext } from './components.js';

export interface CallbackValues {
  phone: string;
  topic: string;
  request: string;
  from: string;
  to: string;
}

export interface CallbackTermsView {
  minutes: number;
  latestEnd: string;
}

export function CallbackList(props: { p: PageContext; callbacks: PortalCallback[] }) {
  const { p } = props;
  const t = p.t.callback;
  return (
    <>
      <h2>{t.yours}</h2>
      {props.callbacks.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <ul>
          {props.callbacks.map((cb) => {
            const label = `${cb.topic} · ${t.state[cb.state] ?? cb.state}${cb.window && !cb.ended ? ` · ${span(cb.window.from, cb.window.to, p.language, p.zone, p.now)}` : ''}`;
            const href = cb.id ? `/portal/callbacks/${cb.id}` : cb.incidentNumber ? `/portal/requests/${cb.incidentNumber}` : null;
            return <li>{href ? <a href={href}>{label}</a> : label}</li>;
          })}
        </ul>
      )}
    </>
  );
}

export function CallbackPage(props: {
  p: PageContext;
  terms: CallbackTermsView | null;
  values: CallbackValues;
  requests: { number: string; title: string }[];
  callbacks: PortalCallback[];
  submission: string;
  error?: string | undefined;
  flash?: string | undefined;
}) {
  const { p, values, terms } = props;
  const t = p.t.callback;
  return (
    <PortalPage p={p} title={t.title}>
      <h1>{t.title}</h1>
      {props.flash && <Notice kind="ok">{props.flash}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      {terms && (
        <Notice>
          {t.intro(duration(terms.minutes, p.language))} {t.latest(when(terms.latestEnd, p.language, p.zone, p.now))}
        </Notice>
      )}
      <form class="card" method="post" action="/portal/callback">
        <CsrfField token={p.csrfToken} />
        <SubmissionField id={props.submission} />
        <label for="phone">{t.phone}</label>
        <input id="phone" type="tel" name="phone" autocomplete="tel" required maxlength={40} value={values.phone} />
        <label for="topic">{t.topic}</label>
        <textarea id="topic" name="topic" required maxlength={200}>
          {values.topic}
        </textarea>
        <label for="request">{t.request}</label>
        <select id="request" name="request">
          <option value="" selected={values.request === ''}>
            {t.noRequest}
          </option>
          {props.requests.map((r) => (
            <option value={r.number} selected={values.request === r.number}>
              {r.number}: {r.title}
            </option>
          ))}
        </select>
        <p class="hint" id="window-hint">
          {t.windowHint}
        </p>
        <label for="from">{t.from}</label>
        <input id="from" type="datetime-local" name="from" value={values.from} aria-describedby="window-hint" />
        <label for="to">{t.to}</label>
        <input id="to" type="datetime-local" name="to" value={values.to} max={terms ? localInputValue(terms.latestEnd, p.zone) : undefined} aria-describedby="window-hint" />
        <div class="actions">
          <button type="submit">{t.submit}</button>
        </div>
      </form>
      <CallbackList p={p} callbacks={props.callbacks} />
    </PortalPage>
  );
}

export function CallbackDetailPage(props: { p: PageContext; callback: PortalCallback; flash?: string | undefined }) {
  const { p, callback: cb } = props;
  const t = p.t.callback;
  return (
    <PortalPage p={p} title={t.detailTitle}>
      <h1>{t.detailTitle}</h1>
      {props.flash && <Notice kind="ok">{props.flash}</Notice>}
      <div class="card">
        <dl class="facts">
          <dt>{t.topic}</dt>
          <dd>{cb.topic}</dd>
          <dt>{p.t.requests.status}</dt>
          <dd>{t.state[cb.state] ?? cb.state}</dd>
          {cb.window && (
            <>
              <dt>{t.window}</dt>
              <dd>{span(cb.window.from, cb.window.to, p.language, p.zone, p.now)}</dd>
            </>
          )}
        </dl>
      </div>
    </PortalPage>
  );
}
