// "My requests": the list with status and SLA state in words, filters and search. The list is
// also its own htmx partial, so filtering does not reload the page.
import type { RequestList, RequestView } from '../../services/portal/requests.js';
import { seesOrganisation } from '../../services/portal/access.js';
import { when } from '../format.js';
import { Notice, PortalPage, SlaState, statusWords, type PageContext } from './components.js';

export interface RequestFilter {
  view: RequestView;
  q: string;
}

const query = (filter: RequestFilter, page: number) => {
  const params = new URLSearchParams({ view: filter.view, ...(filter.q ? { q: filter.q } : {}), ...(page > 1 ? { page: String(page) } : {}) });
  return `/portal/requests?${params.toString()}`;
};

export function RequestTable(props: { p: PageContext; list: RequestList; filter: RequestFilter }) {
  const { p, list, filter } = props;
  const { requests } = p.t;
  const organisation = p.viewer ? seesOrganisation(p.viewer) : false;
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  return (
    <div id="request-list" aria-live="polite">
      <p class="hint">{requests.count(list.items.length, list.total)}</p>
      {list.items.length === 0 ? (
        <p>{requests.none}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{requests.number}</th>
              <th scope="col">{requests.subject}</th>
              <th scope="col">{requests.status}</th>
              <th scope="col">{requests.sla}</th>
              <th scope="col" class="optional">
                {requests.lastActivity}
              </th>
              {organisation && (
                <th scope="col" class="optional">
                  {requests.openedBy}
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {list.items.map((item) => (
              <tr>
                <td>
                  <a href={`/portal/requests/${item.number}`}>{item.number}</a>
                </td>
                <td>{item.title}</td>
                <td class="status">{statusWords(p.t, item.status)}</td>
                <td>
                  <SlaState p={p} sla={item.sla} />
                </td>
                <td class="optional">{when(item.lastActivityAt, p.language, p.zone, p.now)}</td>
                {organisation && <td class="optional">{item.mine ? p.t.request.you : (item.openedBy ?? '–')}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages > 1 && (
        <nav class="pager" aria-label={requests.page(list.page, pages)}>
          {list.page > 1 && <a href={query(filter, list.page - 1)}>{requests.previous}</a>}
          <span>{requests.page(list.page, pages)}</span>
          {list.page < pages && <a href={query(filter, list.page + 1)}>{requests.next}</a>}
        </nav>
      )}
    </div>
  );
}

export function RequestsPage(props: { p: PageContext; list: RequestList; filter: RequestFilter; flash?: string | undefined }) {
  const { p, filter } = props;
  const { requests } = p.t;
  const title = p.viewer && seesOrganisation(p.viewer) ? requests.titleOrganisation : requests.title;
  return (
    <PortalPage p={p} title={title}>
      <h1>{title}</h1>
      {props.flash && <Notice kind="ok">{props.flash}</Notice>}
      <form class="filters" method="get" action="/portal/requests" hx-get="/portal/requests" hx-target="#request-list" hx-select="#request-list" hx-swap="outerHTML" hx-push-url="true" hx-trigger="change, submit">
        <fieldset>
          <legend>{requests.filter}</legend>
          {(['open', 'resolved', 'all'] as const).map((view) => (
            <label class="check">
              <input type="radio" name="view" value={view} checked={filter.view === view} />
              {requests.views[view]}
            </label>
          ))}
        </fieldset>
        <div class="search">
          <label for="q">{requests.search}</label>
          <input id="q" type="search" name="q" value={filter.q} placeholder={requests.searchPlaceholder} />
        </div>
        <button type="submit">{requests.apply}</button>
      </form>
      <RequestTable p={p} list={props.list} filter={filter} />
    </PortalPage>
  );
}
