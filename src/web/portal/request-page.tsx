// "A request": the public conversation, files, SLA state, follow-up work in words, and what the
// contact can do (reply with files, confirm solved, reopen, ask for a callback).
import type { Attachment, ConversationEntry, RequestDetail } from '../../services/portal/requests.js';
import { bytes, span, when } from '../format.js';
import { CsrfField, Notice, PortalPage, SlaState, statusWords, SubmissionField, type PageContext } from './components.js';

const fileHref = (number: string, file: Attachment) => `/portal/requests/${number}/files/${file.source}/${file.id}`;

function Files(props: { p: PageContext; number: string; files: Attachment[] }) {
  if (props.files.length === 0) return null;
  return (
    <ul class="files" aria-label={props.p.t.request.attachments}>
      {props.files.map((file) => (
        <li>
          <a href={fileHref(props.number, file)} download={file.filename}>
            {file.filename}
          </a>{' '}
          <span class="hint">({bytes(file.sizeBytes, props.p.language)})</span>
        </li>
      ))}
    </ul>
  );
}

function Entry(props: { p: PageContext; number: string; entry: ConversationEntry }) {
  const { p, entry } = props;
  const { request } = p.t;
  const at = <time datetime={entry.at}>{when(entry.at, p.language, p.zone, p.now)}</time>;
  switch (entry.kind) {
    case 'opened':
    case 'customer': {
      const who = entry.mine ? request.you : (entry.author ?? request.colleague);
      return (
        <li class={entry.mine ? 'mine' : 'customer'}>
          <div class="meta">
            <strong>{who}</strong> {entry.kind === 'opened' ? request.opened : request.wrote} · {at}
          </div>
          <p class="text">{entry.text}</p>
          <Files p={p} number={props.number} files={entry.attachments} />
        </li>
      );
    }
    case 'agent':
      return (
        <li class="agent">
          <div class="meta">
            <strong>{entry.author}</strong> ({request.helpdesk}) {request.answered} · {at}
          </div>
          <p class="text">{entry.text}</p>
        </li>
      );
    case 'notice':
      return (
        <li class="system">
          {request.notice[entry.notice]} · {at}
          {entry.text && <p class="text">{entry.text}</p>}
        </li>
      );
  }
}

export interface RequestPageState {
  flash?: string | undefined;
  error?: string | undefined;
  submission: string;
  text?: string;
}

export function RequestPage(props: { p: PageContext; request: RequestDetail; state: RequestPageState }) {
  const { p, request: r, state } = props;
  const t = p.t.request;
  const open = r.status !== 'resolved' && r.status !== 'closed';
  return (
    <PortalPage p={p} title={`${r.number}: ${r.title}`}>
      <h1>
        {r.number}: {r.title}
      </h1>
      {state.flash && <Notice kind="ok">{state.flash}</Notice>}
      {state.error && <Notice kind="error">{state.error}</Notice>}
      <div class="card">
        <dl class="facts">
          <dt>{p.t.requests.status}</dt>
          <dd class="status">{statusWords(p.t, r.status)}</dd>
          <dt>{p.t.requests.sla}</dt>
          <dd>
            <SlaState p={p} sla={r.sla} />
          </dd>
          {r.serialNumber && (
            <>
              <dt>{t.device}</dt>
              <dd>{r.serialNumber}</dd>
            </>
          )}
          {r.followUps.length > 0 && (
            <>
              <dt>{t.followUps}</dt>
              <dd>
                <ul class="files">
                  {r.followUps.map((w) => {
                    const kind = t.followUpKind[w.kind];
                    const words = w.window && !w.ended ? t.appointment(kind, span(w.window.from, w.window.to, p.language, p.zone, p.now)) : t.followUpState(kind, t.followUpStates[w.state] ?? w.state);
                    return <li>{words}</li>;
                  })}
                </ul>
              </dd>
            </>
          )}
        </dl>
      </div>
      <h2>{t.conversation}</h2>
      <ol class="conversation">
        {r.conversation.map((entry) => (
          <Entry p={p} number={r.number} entry={entry} />
        ))}
      </ol>
      {r.status === 'closed' ? (
        <Notice>{t.closed}</Notice>
      ) : !r.canAnswer ? (
        <Notice>{t.readOnly}</Notice>
      ) : (
        <>
          <h2 id="reply-heading">{open ? t.reply : t.reopen}</h2>
          {open ? (
            <form class="card" method="post" action={`/portal/requests/${r.number}/reply`} enctype="multipart/form-data" aria-labelledby="reply-heading">
              <CsrfField token={p.csrfToken} />
              <SubmissionField id={state.submission} />
              <label for="reply-text">{t.replyLabel}</label>
              <textarea id="reply-text" name="text" required maxlength={100000}>
                {state.text ?? ''}
              </textarea>
              <label for="reply-files">{t.files}</label>
              <input id="reply-files" type="file" name="attachments" multiple />
              <div class="actions">
                <button type="submit">{t.send}</button>
              </div>
            </form>
          ) : (
            <form class="card" method="post" action={`/portal/requests/${r.number}/reopen`} aria-labelledby="reply-heading">
              <CsrfField token={p.csrfToken} />
              <SubmissionField id={state.submission} />
              <label for="reopen-reason">{t.reopenReason}</label>
              <textarea id="reopen-reason" name="reason" required maxlength={10000}></textarea>
              <div class="actions">
                <button type="submit">{t.reopen}</button>
              </div>
            </form>
          )}
          <div class="actions">
            {open && (
              <form method="post" action={`/portal/requests/${r.number}/solved`}>
                <CsrfField token={p.csrfToken} />
                <SubmissionField id={`${state.submission}s`} />
                <button type="submit" class="secondary" title={t.solvedHint}>
                  {t.solved}
                </button>
              </form>
            )}
            <a class="button secondary" href={`/portal/callback?request=${r.number}`}>
              {t.callback}
            </a>
          </div>
        </>
      )}
    </PortalPage>
  );
}
