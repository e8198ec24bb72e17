// The managers' report pages under /reports: the SLA overview with its charts, and the
// drill-downs behind each figure (SLA targets, escalations, backlog), each with a CSV download.
// A staff session of a manager or admin opens them (an agent gets 404, nobody the sign-in);
// API tokens do not. The figures come from src/services/reports, as the API's do.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { NotFound } from '../../domain/errors.js';
import { languageCookie, pickLanguage } from '../i18n.js';
import { readCookie } from '../session.js';
import { requireStaff, sameOriginForms, staffSession } from '../staff/index.js';
import { Notice, ReportsPage } from './components.js';
import { pageContext, render, type ReportsContext, type ReportsEnv } from './http.js';
import { reportMessages } from './messages.js';
import { reportRoutes } from './routes.js';

function ErrorPage(props: { c: ReportsContext; title: string; message: string }) {
  const p = pageContext(props.c);
  // Someone below manager sees a plain page: nothing says that reports are here.
  const bare = p.member?.role === 'agent';
  return (
    <ReportsPage p={p} title={props.title} bare={bare}>
      <h1>{props.title}</h1>
      <Notice kind="error">{props.message}</Notice>
      <p>
        <a href={bare ? '/staff' : '/reports'}>{p.t.errors.home}</a>
      </p>
    </ReportsPage>
  );
}

function errorPage(c: ReportsContext, err: unknown) {
  const { errors } = c.var.t;
  if (err instanceof NotFound) return render(c, <ErrorPage c={c} title={errors.notFoundTitle} message={errors.notFound} />, 404);
  if (err instanceof HTTPException && err.status === 403) return render(c, <ErrorPage c={c} title={errors.problem} message={errors.bad} />, 403);
  c.var.logger.error({ err }, 'report page failed');
  return render(c, <ErrorPage c={c} title={errors.problem} message={errors.server} />, 500);
}

/** The /reports pages, mounted by createApp. */
export function createReports() {
  const reports = new Hono<ReportsEnv>();
  reports.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], objectSrc: ["'none'"] },
      referrerPolicy: 'same-origin',
    }),
  );
  reports.use('*', async (context, next) => {
    const c = context as ReportsContext;
    const language = pickLanguage({ cookie: readCookie(c, languageCookie), acceptLanguage: c.req.header('accept-language') });
    c.set('language', language);
    c.set('t', reportMessages[language]);
    await next();
  });
  reports.use('*', sameOriginForms(), staffSession());
  reports.use('*', requireStaff('manager'));
  reports.route('/', reportRoutes);
  // Last: any other path under /reports is the reports' own 404 page (a mounted app's notFound is not used).
  reports.all('*', (c) => errorPage(c, new NotFound('No such page.')));
  reports.onError((err, c) => errorPage(c as ReportsContext, err));
  return reports;
}
