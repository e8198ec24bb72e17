// "New request": title, description, device, impact and urgency in plain words, files; the
// entitlement shown before sending (htmx updates it as the device changes; without JavaScript the
// "check cover" button does).
import { impacts, urgencies, type Impact, type Urgency } from '../../domain/enums.js';
import type { SearchHit } from '../../services/kb/index.js';
import type { EntitlementPreview, PortalAsset } from '../../services/portal/actions.js';
import { duration } from '../format.js';
import { CsrfField, Notice, PortalPage, SubmissionField, type PageContext } from './components.js';
import { KbSuggestions } from './kb-pages.js';

export interface NewRequestValues {
  title: string;
  description: string;
  serialNumber: string;
  impact: Impact;
  urgency: Urgency;
}

export const emptyRequest: NewRequestValues = { title: '', description: '', serialNumber: '', impact: 'low', urgency: 'medium' };

export function CoverPreview(props: { p: PageContext; preview: EntitlementPreview }) {
  const { p, preview } = props;
  const { cover } = p.t.newRequest;
  const tier = preview.contract ? p.t.tier[preview.contract.tier] : '';
  const number = preview.contract?.number ?? '';
  const text =
    preview.decision === 'covered'
      ? cover.covered(tier, number)
      : preview.decision === 'quota'
        ? cover.quota(tier, number, duration(preview.quota?.remainingMinutes ?? 0, p.language))
        : preview.decision === 'billable'
          ? cover.billable
          : cover.blocked;
  return (
    <div id="cover" class={`notice ${preview.decision === 'covered' || preview.decision === 'quota' ? 'ok' : ''}`} role="status" aria-live="polite">
      <strong>{p.t.newRequest.coverTitle}:</strong> {text}
    </div>
  );
}

export function NewRequestPage(props: { p: PageContext; assets: PortalAsset[]; values: NewRequestValues; preview: EntitlementPreview | null; suggestions?: SearchHit[] | undefined; submission: string; error?: string | undefined }) {
  const { p, values } = props;
  const t = p.t.newRequest;
  return (
    <PortalPage p={p} title={t.title}>
      <h1>{t.title}</h1>
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <form class="card" method="post" action="/portal/requests" enctype="multipart/form-data">
        <CsrfField token={p.csrfToken} />
        <SubmissionField id={props.submission} />
        <label for="title">{t.subject}</label>
        <input
          id="title"
          type="text"
          name="title"
          required
          maxlength={200}
          value={values.title}
          autocomplete="off"
          hx-get="/portal/requests/new/suggestions"
          hx-trigger="input changed delay:400ms"
          hx-include="[name=submission]"
          hx-target="#kb-suggestions"
          hx-swap="outerHTML"
          hx-sync="this:replace"
        />
        <KbSuggestions p={p} hits={props.suggestions} submission={props.submission} />
        <label for="description">{t.description}</label>
        <p class="hint" id="description-hint">
          {t.descriptionHint}
        </p>
        <textarea id="description" name="description" required maxlength={20000} aria-describedby="description-hint">
          {values.description}
        </textarea>
        <label for="serialNumber">{t.device}</label>
        <select id="serialNumber" name="serialNumber" hx-get="/portal/requests/new/cover" hx-target="#cover" hx-swap="outerHTML" hx-trigger="change">
          <option value="" selected={values.serialNumber === ''}>
            {t.noDevice}
          </option>
          {props.assets.map((a) => (
            <option value={a.serialNumber} selected={values.serialNumber === a.serialNumber}>
              {a.product} ({a.serialNumber})
            </option>
          ))}
        </select>
        {props.preview && <CoverPreview p={p} preview={props.preview} />}
        <label for="impact">{t.impact}</label>
        <select id="impact" name="impact">
          {impacts.map((i) => (
            <option value={i} selected={values.impact === i}>
              {t.impacts[i]}
            </option>
          ))}
        </select>
        <label for="urgency">{t.urgency}</label>
        <select id="urgency" name="urgency">
          {urgencies.map((u) => (
            <option value={u} selected={values.urgency === u}>
              {t.urgencies[u]}
            </option>
          ))}
        </select>
        <label for="attachments">{p.t.request.files}</label>
        <input id="attachments" type="file" name="attachments" multiple />
        <div class="actions">
          <button type="submit">{t.submit}</button>
          <button type="submit" class="secondary" name="intent" value="preview" formnovalidate>
            {t.check}
          </button>
          {/* Without JavaScript, the suggestions come by this button (last: Enter in a field sends the request). */}
          <button type="submit" class="secondary" name="intent" value="suggest" formnovalidate>
            {p.t.kb.suggestButton}
          </button>
        </div>
      </form>
    </PortalPage>
  );
}
