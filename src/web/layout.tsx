// The one layout of the web pages: header with navigation and language switch, the page, and
// htmx from our own server. Pages are complete without JavaScript; htmx only makes them quicker.
import type { Child } from 'hono/jsx';
import type { Language } from '../domain/enums.js';
import { assetPaths } from './assets.js';

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

export interface LayoutProps {
  language: Language;
  title: string;
  /** The product area in the header ("Kundenportal"). */
  area: string;
  home: string;
  skipLabel: string;
  navLabel: string;
  nav: NavItem[];
  /** The header's right end: language switch, sign-out. */
  end?: Child;
  /** Sent with every htmx request, so partial updates carry the CSRF token too. */
  csrfToken?: string;
  children: Child;
}

export function Layout(props: LayoutProps) {
  return (
    <html lang={props.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"historyCacheSize":0}' />
        <title>{`${props.title} · ${props.area}`}</title>
        <link rel="icon" href={assetPaths.icon} type="image/svg+xml" />
        <link rel="stylesheet" href={assetPaths.stylesheet} />
        <script src={assetPaths.htmx} defer></script>
      </head>
      <body hx-headers={props.csrfToken ? JSON.stringify({ 'X-CSRF-Token': props.csrfToken }) : undefined}>
        <a class="skip" href="#content">
          {props.skipLabel}
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href={props.home}>
              {props.area}
            </a>
            {props.nav.length > 0 && (
              <nav aria-label={props.navLabel}>
                <ul>
                  {props.nav.map((item) => (
                    <li>
                      <a href={item.href} aria-current={item.current ? 'page' : undefined}>
                        {item.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            <div class="end">{props.end}</div>
          </div>
        </header>
        <main id="content" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  );
}
