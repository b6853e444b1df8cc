import type { TenancyMode } from '../config.ts';

/**
 * The live page's HTML: no inline script or style (its CSP allows neither), the mode in a data
 * attribute for the script to read.
 *
 * @example
 * ```ts
 * c.html(livePageHtml('open'));
 * ```
 */
export function livePageHtml(mode: TenancyMode): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>neurostatus live</title>
<link rel="icon" href="/live/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/live/app.css">
<script type="module" src="/live/app.js"></script>
</head>
<body data-mode="${mode}">
<main>
<header>
<h1>neurostatus <span class="live">live</span></h1>
<p class="subtitle">Request <code id="request-id">–</code></p>
</header>
<form id="key-form" hidden>
<label for="key-field">Your Neurolinker API key (kept in this page's memory only)</label>
<input id="key-field" type="password" autocomplete="off" spellcheck="false" placeholder="nl_…">
<button type="submit">Watch</button>
</form>
<form id="request-form" hidden>
<label for="request-field">Request id</label>
<input id="request-field" type="text" autocomplete="off" spellcheck="false">
<button type="submit">Watch</button>
</form>
<section id="summary" hidden>
<div class="totals"><span id="totals"></span><span id="eta"></span></div>
<progress id="overall" max="1" value="0"></progress>
</section>
<table id="documents" hidden>
<thead><tr><th>Document</th><th>Pages</th><th>Status</th><th>Progress</th></tr></thead>
<tbody id="rows"></tbody>
</table>
<p id="message" role="status" aria-live="polite"></p>
</main>
</body>
</html>
`;
}
