// The knowledge base in the portal: topics and search, one article with "was this helpful", and
// the suggestions box of the New request form. Article bodies are HTML sanitized when the article
// was saved (src/services/kb/markdown.ts); snippets are escaped text with <mark> only.
import { raw } from 'hono/html';
import type { Language } from '../../domain/enums.js';
import type { SearchHit } from '../../services/kb/index.js';
import { bytes, date } from '../format.js';
import { CsrfField, Notice, PortalPage, type PageContext } from './components.js';

export interface KbTopic {
  category: string | null;
  count: number;
}

export interface KbListItem {
  id: string;
  title: string;
  category: string | null;
  snippet: string;
}

const articleHref = (id: string, from?: string) => `/portal/kb/${id}${from ? `?from=${encodeURIComponent(from)}` : ''}`;

function SearchForm(props: { p: PageContext; q: string }) {
  const { kb } = props.p.t;
  return (
    <form class="filters" method="get" action="/portal/kb" role="search">
      <div class="search">
        <label for="kb-q">{kb.searchLabel}</label>
        <input id="kb-q" type="search" name="q" value={props.q} maxlength={200} placeholder={kb.searchPlaceholder} />
      </div>
      <button type="submit">{kb.searchButton}</button>
    </form>
  );
}

function ArticleList(props: { items: KbListItem[] }) {
  return (
    <ul class="kb-list">
      {props.items.map((item) => (
        <li>
          <a href={articleHref(item.id)}>{item.title}</a>
          {item.snippet && <p class="hint">{raw(item.snippet)}</p>}
        </li>
      ))}
    </ul>
  );
}

export function KbHomePage(props: { p: PageContext; q: string; category: string | null | undefined; topics: KbTopic[]; items: KbListItem[]; searched: boolean }) {
  const { p, q } = props;
  const { kb } = p.t;
  const topicName = (c: string | null) => c ?? kb.otherCategory;
  const heading = props.searched ? kb.results(q, props.items.length) : props.category !== undefined ? kb.inCategory(topicName(props.category)) : undefined;
  return (
    <PortalPage p={p} title={kb.title}>
      <h1>{kb.title}</h1>
      <p>{kb.intro}</p>
      <SearchForm p={p} q={q} />
      {heading && (
        <section aria-labelledby="kb-results">
          <h2 id="kb-results">{heading}</h2>
          {props.items.length > 0 ? <ArticleList items={props.items} /> : <p>{kb.noResultsHint}</p>}
          <p>
            <a href="/portal/kb">{kb.allTopics}</a> · <a href="/portal/requests/new">{kb.newRequest}</a>
          </p>
        </section>
      )}
      <section aria-labelledby="kb-topics">
        <h2 id="kb-topics">{kb.categories}</h2>
        <ul class="kb-topics">
          {props.topics.map((topic) => (
            <li>
              <a href={`/portal/kb?category=${encodeURIComponent(topic.category ?? '')}`} aria-current={props.category === topic.category ? 'page' : undefined}>
                {topicName(topic.category)}
              </a>{' '}
              <span class="hint">({kb.articleCount(topic.count)})</span>
            </li>
          ))}
        </ul>
        {!heading && props.items.length > 0 && <ArticleList items={props.items} />}
      </section>
    </PortalPage>
  );
}

export interface KbArticleView {
  id: string;
  title: string;
  category: string | null;
  bodyHtml: string;
  updatedAt: Date;
  language: Language;
  translations: { id: string; language: Language; title: string }[];
  attachments: { id: string; filename: string; sizeBytes: number }[];
}

export function KbArticlePage(props: { p: PageContext; article: KbArticleView; from: string | undefined; voted: boolean; vote: boolean | undefined }) {
  const { p, article, from } = props;
  const { kb } = p.t;
  const action = `/portal/kb/${article.id}/vote${from ? `?from=${encodeURIComponent(from)}` : ''}`;
  return (
    <PortalPage p={p} title={article.title}>
      <p class="hint">
        <a href="/portal/kb">{kb.title}</a>
        {article.category && (
          <>
            {' › '}
            <a href={`/portal/kb?category=${encodeURIComponent(article.category)}`}>{article.category}</a>
          </>
        )}
      </p>
      <article class="card kb-article" lang={article.language}>
        <h1>{article.title}</h1>
        <p class="hint">{kb.updated(date(article.updatedAt.toISOString().slice(0, 10), p.language))}</p>
        {raw(article.bodyHtml)}
        {article.attachments.length > 0 && (
          <section aria-labelledby="kb-files">
            <h2 id="kb-files">{kb.attachments}</h2>
            <ul class="files">
              {article.attachments.map((a) => (
                <li>
                  <a href={`/portal/kb/${article.id}/attachments/${a.id}`}>{a.filename}</a> <span class="hint">({bytes(a.sizeBytes, p.language)})</span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </article>
      {article.translations.map((t) => (
        <p>
          <a href={articleHref(t.id)} hreflang={t.language}>
            {kb.translation(t.language)}
          </a>
        </p>
      ))}
      <section class="card" aria-labelledby="kb-vote">
        {props.voted ? (
          <Notice kind="ok">{kb.thanks}</Notice>
        ) : (
          <form method="post" action={action}>
            <CsrfField token={p.csrfToken} />
            <h2 id="kb-vote">{kb.helpfulQuestion}</h2>
            <label for="kb-comment">{kb.commentLabel}</label>
            <textarea id="kb-comment" name="comment" maxlength={2000} rows={2}></textarea>
            <div class="actions">
              <button type="submit" name="helpful" value="yes" aria-pressed={props.vote === true ? 'true' : undefined}>
                {kb.yes}
              </button>
              <button type="submit" class="secondary" name="helpful" value="no" aria-pressed={props.vote === false ? 'true' : undefined}>
                {kb.no}
              </button>
            </div>
          </form>
        )}
        <p>
          {kb.stillStuck} <a href={from ? `/portal/requests/new?submission=${encodeURIComponent(from)}` : '/portal/requests/new'}>{from ? kb.backToRequest : kb.newRequest}</a>
        </p>
      </section>
    </PortalPage>
  );
}

/** The New request form's suggestions: a live region htmx refills as the title is typed. */
export function KbSuggestions(props: { p: PageContext; hits: SearchHit[] | undefined; submission: string }) {
  const { p, hits } = props;
  const { kb } = p.t;
  return (
    <div id="kb-suggestions" class="kb-suggestions" role="region" aria-live="polite" aria-label={kb.suggestionsTitle}>
      {hits && hits.length > 0 && (
        <div class="notice">
          <strong>{kb.suggestionsTitle}</strong>
          <p class="hint">{kb.suggestionsHint}</p>
          <ul class="kb-list">
            {hits.map((hit) => (
              <li>
                <a href={articleHref(hit.id, props.submission)}>{hit.title}</a>
                <p class="hint">{raw(hit.snippet)}</p>
              </li>
            ))}
          </ul>
        </div>
      )}
      {hits && hits.length === 0 && <p class="hint">{kb.noSuggestions}</p>}
    </div>
  );
}
