/** The dashboard's one stylesheet, served as /assets/app.css (styles load from this server only). */
export const appCss =
  `
:root { --fg: #1d2330; --muted: #667085; --line: #d0d5dd; --bg: #f8f9fb; --accent: #3b5bdb; --agent: #7048e8; --fail: #c92a2a; --ok: #2b8a3e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; gap: 24px; align-items: center; padding: 10px 24px; background: #fff; border-bottom: 1px solid var(--line); }
header.top .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header.top nav a { margin-right: 16px; }
main { padding: 16px 24px 48px; max-width: 1400px; }
a { color: var(--accent); }
h1 { font-size: 22px; margin: 8px 0 16px; }
h2 { font-size: 17px; margin: 24px 0 8px; }
.crumbs { color: var(--muted); font-size: 13px; }
.crumbs > * + *::before { content: " / "; color: var(--muted); }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); min-width: 50%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.muted { color: var(--muted); }
.message { font-size: 15px; }
.error { color: var(--fail); white-space: pre-wrap; word-break: break-word; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e9ecef; }
.badge.AGENT { background: #e5dbff; color: var(--agent); }
.badge.failed, .badge.error, .badge.configuration-error { background: #ffe3e3; color: var(--fail); }
.badge.completed { background: #d3f9d8; color: var(--ok); }
.button { display: inline-block; padding: 4px 10px; border: 1px solid var(--line); ` +
  `border-radius: 6px; background: #fff; text-decoration: none; margin-right: 8px; }
form.filters { display: flex; gap: 12px; align-items: end; margin: 8px 0 12px; flex-wrap: wrap; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.pager { margin: 12px 0; }
svg.workflow { background: #fff; border: 1px solid var(--line); max-width: 100%; height: auto; }
svg.workflow .stage rect { fill: #fff; stroke: #98a2b3; stroke-width: 1.5; }
svg.workflow .stage.AGENT rect { fill: #f3f0ff; stroke: var(--agent); stroke-width: 2; }
svg.workflow .stage text { font-size: 13px; fill: var(--fg); }
svg.workflow .stage .count { font-size: 18px; font-weight: 700; }
svg.workflow .stage .kind { font-size: 10px; fill: var(--muted); letter-spacing: 0.05em; }
svg.workflow .edge path { fill: none; stroke: #98a2b3; stroke-width: 1.5; }
svg.workflow .edge text { font-size: 11px; fill: var(--muted); }
svg.workflow marker path { fill: #98a2b3; }
pre.stack { background: #fff; border: 1px solid var(--line); padding: 8px; overflow-x: auto; font-size: 12px; }
/* Task page */
.task-actions { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 8px 0 12px; }
.task-actions form.inline { display: inline; margin: 0; }
.task-actions button { padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; font: inherit; }
.task-actions button.approve, .task-actions button.submit { border-color: var(--ok); color: var(--ok); }
.task-actions button.reject { border-color: var(--fail); color: var(--fail); }
.notice { background: #ebfbee; border: 1px solid #b2f2bb; padding: 6px 10px; border-radius: 6px; }
form.frames { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
form.frames input { width: 6em; }
fieldset.class-toggles { border: 1px solid var(--line); background: #fff; display: flex; gap: 14px; flex-wrap: wrap; margin: 8px 0; }
.overlay-frame { background: #fff; border: 1px solid var(--line); display: inline-block; line-height: 0; max-width: 100%; }
svg.label-overlay { max-width: 100%; height: auto; display: block; }
.failure { margin-bottom: 12px; }
`;
