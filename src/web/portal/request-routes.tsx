// Routes of requests: the list, one request and its files, a new request, and the answers to one.
import { Hono } from 'hono';
import { impacts, urgencies, type Impact, type Urgency } from '../../domain/enums.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { checkSubmission, confirmSolved, submissionPattern, customerAssets, openRequest, previewEntitlement, reopenRequest, replyToRequest, waitForRequest } from '../../services/portal/actions.js';
import { isOpenSubmission, recordSubmitted } from '../../services/kb/index.js';
import { InvalidEntry } from '../../services/portal/refusals.js';
import { listRequests, requestDetail, requestFile, requestViews, type RequestView } from '../../services/portal/requests.js';
import type { PortalEnv } from '../context.js';
import { checkCsrf, readForm } from '../forms.js';
import { isHtmx, newSubmission, pageContext, refusalText, render, renderPartial, requireSignIn, seeOther, viewerOf, type PortalContext } from './http.js';
import { CoverPreview, emptyRequest, NewRequestPage, type NewRequestValues } from './new-request-page.js';
import { KbSuggestions } from './kb-pages.js';
import { suggestionsFor } from './kb-routes.js';
import { RequestPage, type RequestPageState } from './request-page.js';
import { RequestsPage, RequestTable } from './requests-page.js';

const incidentNumber = /^INC-\d{4}-\d{6}$/;
/** As POST /api/incidents takes them. */
const maxTitleLength = 200;
const maxDescriptionLength = 20_000;
const numberOf = (c: PortalContext) => {
  const number = c.req.param('number') ?? '';
  if (!incidentNumber.test(number)) throw new NotFound(`Request ${number} was not found.`);
  return number;
};

const flashes = (c: PortalContext) => {
  const t = c.var.t;
  const done = c.req.query('done');
  const callback = c.req.query('callback');
  if (callback) return t.callback.requested(callback.slice(0, 100));
  return done === 'sent' ? t.request.sent : done === 'solved' ? t.request.solvedDone : done === 'reopened' ? t.request.reopened : undefined;
};

async function showRequest(c: PortalContext, number: string, state: Partial<RequestPageState> = {}, status: 200 | 400 | 409 = 200) {
  const request = await requestDetail(c.var.services.db, viewerOf(c), number);
  return render(c, <RequestPage p={pageContext(c)} request={request} state={{ submission: newSubmission(), flash: flashes(c), ...state }} />, status);
}

/** A refusal the contact can act on: shown on the page they came from, in a 400 or 409. */
const isRefusal = (err: unknown): err is ValidationError | IllegalTransition => err instanceof ValidationError || err instanceof IllegalTransition;

function newRequestValues(fields: Record<string, string>): NewRequestValues {
  return {
    title: fields.title ?? '',
    description: fields.description ?? '',
    serialNumber: fields.serialNumber ?? '',
    impact: (impacts as readonly string[]).includes(fields.impact ?? '') ? (fields.impact as Impact) : emptyRequest.impact,
    urgency: (urgencies as readonly string[]).includes(fields.urgency ?? '') ? (fields.urgency as Urgency) : emptyRequest.urgency,
  };
}

async function showNewRequest(c: PortalContext, values: NewRequestValues, options: { error?: string; submission?: string; suggest?: boolean } = {}, status: 200 | 400 = 200) {
  const viewer = viewerOf(c);
  const assets = await customerAssets(c.var.services.db, viewer);
  const serial = assets.some((a) => a.serialNumber === values.serialNumber) ? values.serialNumber : '';
  const [preview, suggestions] = await Promise.all([previewEntitlement(c.var.services, viewer, serial || null), options.suggest ? suggestionsFor(c, values.title, values.description) : undefined]);
  const submission = options.submission && submissionPattern.test(options.submission) ? options.submission : newSubmission();
  return render(c, <NewRequestPage p={pageContext(c)} assets={assets} values={{ ...values, serialNumber: serial }} preview={preview} suggestions={suggestions} submission={submission} error={options.error} />, status);
}

export const requestRoutes = new Hono<PortalEnv>()
  .use('/requests', requireSignIn)
  .use('/requests/*', requireSignIn)
  .get('/requests', async (c) => {
    const viewParam = c.req.query('view');
    const view: RequestView = (requestViews as readonly string[]).includes(viewParam ?? '') ? (viewParam as RequestView) : 'open';
    const q = (c.req.query('q') ?? '').slice(0, 200);
    const page = Math.min(10_000, Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1));
    const list = await listRequests(c.var.services.db, viewerOf(c), { view, q, page });
    const filter = { view, q };
    const opened = c.req.query('opened');
    const flash = opened && incidentNumber.test(opened) ? c.var.t.newRequest.opened(opened) : undefined;
    if (isHtmx(c) && c.req.header('HX-Target') === 'request-list') return renderPartial(c, <RequestTable p={pageContext(c)} list={list} filter={filter} />);
    return render(c, <RequestsPage p={pageContext(c)} list={list} filter={filter} flash={flash} />);
  })
  // `submission`: back from a suggested article, the form keeps its id (its opened suggestions stay
  // its own), if it is one the contact opened suggestions from and has not sent: a used id would
  // make the next request a repeat of the first.
  .get('/requests/new', async (c) => {
    const given = c.req.query('submission') ?? '';
    const submission = submissionPattern.test(given) && (await isOpenSubmission(c.var.services.db, viewerOf(c).contactId, given)) ? given : undefined;
    return showNewRequest(c, { ...emptyRequest, serialNumber: c.req.query('serialNumber') ?? '' }, submission ? { submission } : {});
  })
  .get('/requests/new/cover', async (c) => {
    const viewer = viewerOf(c);
    const serial = c.req.query('serialNumber') ?? '';
    const assets = await customerAssets(c.var.services.db, viewer);
    const preview = await previewEntitlement(c.var.services, viewer, assets.some((a) => a.serialNumber === serial) ? serial : null);
    return renderPartial(c, <CoverPreview p={pageContext(c)} preview={preview} />);
  })
  .get('/requests/new/suggestions', async (c) => {
    const submission = c.req.query('submission') ?? '';
    const hits = await suggestionsFor(c, c.req.query('title') ?? '', c.req.query('description') ?? '');
    return renderPartial(c, <KbSuggestions p={pageContext(c)} hits={hits} submission={submissionPattern.test(submission) ? submission : ''} />);
  })
  .post('/requests', async (c) => {
    const { fields, files } = await readForm(c, 'attachments');
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const values = newRequestValues(fields);
    if (fields.intent === 'preview' || fields.intent === 'suggest') return showNewRequest(c, values, { submission: fields.submission ?? newSubmission(), suggest: fields.intent === 'suggest' });
    try {
      const submission = checkSubmission(fields.submission);
      if (!values.title.trim()) throw new InvalidEntry('titleMissing', 'Give the request a subject.', 'title');
      if (values.title.trim().length > maxTitleLength) throw new InvalidEntry('titleTooLong', `title: at most ${maxTitleLength} characters.`, 'title', { count: maxTitleLength });
      if (!values.description.trim()) throw new InvalidEntry('descriptionMissing', 'Describe the problem.', 'description');
      if (values.description.length > maxDescriptionLength) throw new InvalidEntry('descriptionTooLong', `description: at most ${maxDescriptionLength} characters.`, 'description', { count: maxDescriptionLength });
      const number = await openRequest(c.var.services, viewerOf(c), { ...values, serialNumber: values.serialNumber || null, files, submission });
      // Suggestions opened from this form saved no request after all.
      await recordSubmitted(c.var.services.db, { contactId: viewerOf(c).contactId, submission, incidentNumber: number }, c.var.services.kb?.deflectionWindowMinutes);
      const visible = await waitForRequest(c.var.services.db, number, 10_000);
      return seeOther(c, visible ? `/portal/requests/${number}?opened=1` : `/portal/requests?opened=${number}`);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return showNewRequest(c, values, { error: refusalText(pageContext(c), err), ...(fields.submission ? { submission: fields.submission } : {}) }, 400);
    }
  })
  .get('/requests/:number', async (c) => {
    const number = numberOf(c);
    const opened = c.req.query('opened') ? c.var.t.newRequest.opened(number) : undefined;
    return showRequest(c, number, opened ? { flash: opened } : {});
  })
  .get('/requests/:number/files/:source/:id', async (c) => {
    const source = c.req.param('source');
    if (source !== 'mail' && source !== 'upload') throw new NotFound('No such file.');
    const file = await requestFile(c.var.services.db, viewerOf(c), numberOf(c), source, c.req.param('id'));
    // Always a download, never rendered in our origin (a file could be HTML with a script).
    return c.body(new Uint8Array(file.content), 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
  })
  .post('/requests/:number/reply', async (c) => {
    const number = numberOf(c);
    const { fields, files } = await readForm(c, 'attachments');
    checkCsrf(c, fields, pageContext(c).csrfToken);
    try {
      await replyToRequest(c.var.services, viewerOf(c), number, { text: fields.text ?? '', files, submission: checkSubmission(fields.submission) });
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return showRequest(c, number, { error: refusalText(pageContext(c), err), text: fields.text ?? '' }, err.status);
    }
    return seeOther(c, `/portal/requests/${number}?done=sent`);
  })
  .post('/requests/:number/solved', async (c) => {
    const number = numberOf(c);
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    try {
      await confirmSolved(c.var.services, viewerOf(c), number, checkSubmission(fields.submission), c.var.language);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return showRequest(c, number, { error: refusalText(pageContext(c), err) }, err.status);
    }
    return seeOther(c, `/portal/requests/${number}?done=solved`);
  })
  .post('/requests/:number/reopen', async (c) => {
    const number = numberOf(c);
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    try {
      await reopenRequest(c.var.services, viewerOf(c), number, { reason: fields.reason ?? '', submission: checkSubmission(fields.submission) });
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return showRequest(c, number, { error: refusalText(pageContext(c), err) }, err.status);
    }
    return seeOther(c, `/portal/requests/${number}?done=reopened`);
  });
