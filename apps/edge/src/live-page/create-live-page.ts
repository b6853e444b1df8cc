import { Hono } from 'hono';
import type { TenancyMode } from '../config.ts';
import { livePageHtml } from './live-page-html.ts';
import { LIVE_PAGE_SCRIPT } from './live-page-script.generated.ts';
import { LIVE_PAGE_ICON, LIVE_PAGE_STYLES } from './live-page-styles.ts';

/** Options of {@link createLivePage}. */
export interface LivePageOptions {
  /** The proxy's tenancy mode: how the page gets a credential (fragment token, typed key, none). */
  readonly mode: TenancyMode;
}

/**
 * The page's own Content-Security-Policy: its script, style and icon from this origin only, no
 * inline script or style, no `eval`, connections (event streams, polls) to this origin only.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

type PageVariables = { route: string };

/**
 * The live page (issue 14), as a Hono sub-app: `GET /` shows a request's documents as they
 * progress (`/?request=<id>`; in `scoped-token` mode `#token=<status token>`), updated from the
 * proxy's event streams through the poller's transport; `/live/app.js`, `/live/app.css` and
 * `/live/icon.svg` are its assets. Plain HTML, CSS and one bundled script; nothing from a CDN.
 *
 * @example
 * ```ts
 * app.route('/', createLivePage({ mode: config.mode }));
 * ```
 */
export function createLivePage(options: LivePageOptions): Hono<{ Variables: PageVariables }> {
  const page = new Hono<{ Variables: PageVariables }>();
  const html = livePageHtml(options.mode);
  const asset = (route: string, body: string, type: string) =>
    page.get(route, (c) => {
      c.set('route', route);
      return c.body(body, 200, {
        'content-type': type,
        'cache-control': 'no-cache',
        'content-security-policy': PAGE_CSP,
      });
    });
  asset('/', html, 'text/html; charset=utf-8');
  asset('/live/app.js', LIVE_PAGE_SCRIPT, 'text/javascript; charset=utf-8');
  asset('/live/app.css', LIVE_PAGE_STYLES, 'text/css; charset=utf-8');
  asset('/live/icon.svg', LIVE_PAGE_ICON, 'image/svg+xml');
  return page;
}
