/** The live page's stylesheet (served as `/live/app.css`: the page's CSP allows no inline style). */
export const LIVE_PAGE_STYLES = `:root {
  color-scheme: light dark;
  --ink: #1d2430; --muted: #5b6575; --line: #dde2ea; --paper: #f7f8fa; --card: #fff;
  --accent: #2f6fde; --ok: #1f8f4e; --bad: #c23a3a; --wait: #a26a00;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --ink: #e6e9ef; --muted: #9aa4b5; --line: #2c3442; --paper: #12161d; --card: #1a2029; }
}
[hidden] { display: none !important; }
body { margin: 0; background: var(--paper); color: var(--ink); }
main { max-width: 860px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; margin: 0; }
h1 .live { color: var(--accent); font-weight: 500; }
.subtitle { color: var(--muted); margin: .2rem 0 1.2rem; }
code { font-size: .9em; }
form { display: grid; gap: .5rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
input { font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--paper); color: var(--ink); }
button { justify-self: start; font: inherit; padding: .4rem 1rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
#summary { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin-bottom: 1rem; }
.totals { display: flex; justify-content: space-between; gap: 1rem; flex-wrap: wrap; margin-bottom: .4rem; }
#eta { color: var(--muted); }
progress { width: 100%; height: .6rem; accent-color: var(--accent); }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: .55rem .8rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
td.pages { text-align: right; width: 4rem; }
td.status { width: 7rem; font-weight: 600; text-transform: capitalize; }
td.progress { width: 40%; }
td.progress progress { display: block; }
.note { color: var(--muted); font-size: .85rem; }
tr[data-status="completed"] td.status { color: var(--ok); }
tr[data-status="failed"] td.status { color: var(--bad); }
tr[data-status="pending"] td.status, tr[data-status="processing"] td.status { color: var(--wait); }
tr[data-status="completed"] progress { accent-color: var(--ok); }
tr[data-status="failed"] progress { accent-color: var(--bad); }
#message { color: var(--muted); }
#message[data-kind="error"] { color: var(--bad); }
`;

/** A small icon, so the browser's favicon request is answered (and nothing logs a 404). */
export const LIVE_PAGE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6" fill="#2f6fde"/></svg>`;
