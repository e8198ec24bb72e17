// Routes of the callback service, the contracts and the profile.
import { Hono } from 'hono';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { InvalidEntry } from '../../services/portal/refusals.js';
import { askForCallback, callbackTerms, checkSubmission, customerContracts, updateProfile, waitForCallback } from '../../services/portal/actions.js';
import { listPortalCallbacks, listRequests, portalCallback } from '../../services/portal/requests.js';
import { checkCurrentPassword, setPassword } from '../../services/portal/sign-in.js';
import { endOtherSessions } from '../../services/portal/sessions.js';
import type { PortalEnv } from '../context.js';
import { instantOfLocal, span } from '../format.js';
import { checkCsrf, readForm } from '../forms.js';
import { CallbackDetailPage, CallbackPage, type CallbackValues } from './callback-page.js';
import { ContractsPage } from './contracts-page.js';
import { newSubmission, pageContext, refusalText, render, requireSignIn, seeOther, viewerOf, type PortalContext } from './http.js';
import { ProfilePage } from './profile-page.js';
import { passwordProblem } from './sign-in-routes.js';

const incidentNumber = /^INC-\d{4}-\d{6}$/;

async function showCallback(c: PortalContext, values: CallbackValues, options: { error?: string; flash?: string; submission?: string } = {}, status: 200 | 400 | 409 = 200) {
  const viewer = viewerOf(c);
  const { services } = c.var;
  const [open, callbacks] = await Promise.all([listRequests(services.db, viewer, { view: 'open' }), listPortalCallbacks(services.db, viewer)]);
  const requests = open.items.map((r) => ({ number: r.number, title: r.title }));
  const about = requests.some((r) => r.number === values.request) ? values.request : '';
  const terms = await callbackTerms(services, viewer, about || undefined).catch((err: unknown) => {
    if (err instanceof ValidationError || err instanceof IllegalTransition) return null;
    throw err;
  });
  return render(c, <CallbackPage p={pageContext(c)} terms={terms} values={{ ...values, request: about }} requests={requests} callbacks={callbacks} submission={options.submission ?? newSubmission()} error={options.error} flash={options.flash} />, status);
}

export const accountRoutes = new Hono<PortalEnv>()
  .use('/callback', requireSignIn)
  .use('/callbacks/*', requireSignIn)
  .use('/contracts', requireSignIn)
  .use('/profile', requireSignIn)
  .use('/profile/*', requireSignIn)
  .get('/callback', (c) => {
    const request = c.req.query('request') ?? '';
    const requested = c.req.query('requested');
    return showCallback(c, { phone: viewerOf(c).phone ?? '', topic: '', request: incidentNumber.test(request) ? request : '', from: '', to: '' }, requested ? { flash: c.var.t.callback.requested(requested.slice(0, 100)) } : {});
  })
  .post('/callback', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const values: CallbackValues = { phone: fields.phone ?? '', topic: fields.topic ?? '', request: fields.request ?? '', from: fields.from ?? '', to: fields.to ?? '' };
    const zone = pageContext(c).zone;
    try {
      const submission = checkSubmission(fields.submission);
      const from = values.from ? instantOfLocal(values.from, zone) : null;
      const to = values.to ? instantOfLocal(values.to, zone) : null;
      if ((values.from && !from) || (values.to && !to) || Boolean(from) !== Boolean(to)) throw new InvalidEntry('windowIncomplete', 'window: give the date and time of both ends, or neither.', 'window');
      if (values.request && !incidentNumber.test(values.request)) throw new NotFound(`Request ${values.request.slice(0, 40)} was not found.`);
      const result = await askForCallback(c.var.services, viewerOf(c), { phone: values.phone, topic: values.topic, window: from && to ? { from, to } : null, incidentNumber: values.request || null, submission });
      const window = result.record.details.window;
      const words = encodeURIComponent(span(window.from, window.to, c.var.language, zone));
      const id = result.record.workflowId.startsWith('callback-') ? result.record.workflowId.slice('callback-'.length) : null;
      // Its page reads the projection; without it in time the list on the callback page shows it later.
      if (id && !(await waitForCallback(c.var.services.db, result.record.workflowId, 10_000))) return seeOther(c, `/portal/callback?requested=${words}`);
      return seeOther(c, id ? `/portal/callbacks/${id}?window=${words}` : `/portal/requests/${values.request}?callback=${words}`);
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof IllegalTransition)) throw err;
      return showCallback(c, values, { error: refusalText(pageContext(c), err), ...(fields.submission ? { submission: fields.submission } : {}) }, err.status);
    }
  })
  .get('/callbacks/:id', async (c) => {
    const callback = await portalCallback(c.var.services.db, viewerOf(c), c.req.param('id'));
    const window = c.req.query('window');
    return render(c, <CallbackDetailPage p={pageContext(c)} callback={callback} flash={window ? c.var.t.callback.requested(window.slice(0, 100)) : undefined} />);
  })
  .get('/contracts', async (c) => render(c, <ContractsPage p={pageContext(c)} contracts={await customerContracts(c.var.services, viewerOf(c))} />))
  .get('/profile', (c) => render(c, <ProfilePage p={pageContext(c)} flash={c.req.query('saved') ? (c.req.query('saved') === 'password' ? c.var.t.password.saved : c.var.t.profile.saved) : undefined} />))
  .post('/profile', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const language = fields.language === 'en' || fields.language === 'de' ? fields.language : undefined;
    const phone = (fields.phone ?? '').trim();
    if (phone.length > 40) return render(c, <ProfilePage p={pageContext(c)} error={`${c.var.t.errors.problem}: ${c.var.t.profile.phone}`} />, 400);
    await updateProfile(c.var.services.db, viewerOf(c), { ...(language ? { language } : {}), replyMails: fields.replyMails === 'on', phone: phone || null });
    return seeOther(c, '/portal/profile?saved=1');
  })
  .post('/profile/password', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const viewer = viewerOf(c);
    const { db } = c.var.services;
    if (viewer.hasPassword && !(await checkCurrentPassword(db, viewer.contactId, fields.current ?? ''))) {
      return render(c, <ProfilePage p={pageContext(c)} passwordError={c.var.t.password.wrongCurrent} />, 400);
    }
    const problem = passwordProblem(c, fields.password ?? '', fields.repeat ?? '');
    if (problem) return render(c, <ProfilePage p={pageContext(c)} passwordError={problem} />, 400);
    await setPassword(db, viewer.contactId, fields.password!);
    await endOtherSessions(db, viewer.contactId, c.var.sessionId!);
    return seeOther(c, '/portal/profile?saved=password');
  });

