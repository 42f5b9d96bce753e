import { NumberText, type Alert, type JsonCell } from '../detections/types';
import { formatBytes, formatCount, plural, shortTime } from '../format';
import { visiblePlain, visibleSegments } from '../visible-text';
import type { ReportFile, ReportInput } from './types';

/**
 * The "Export report" hand-over: one self-contained HTML document for a client. It is a pure function of its input
 * (no DOM), so it runs in the browser and in Node tests alike.
 *
 * The document is opened later, anywhere, by people who did not run the app, and much of its text came from logs an
 * attacker could write. So it loads nothing (its own CSP forbids every fetch but data: images), has no script, escapes
 * every value, and shows the characters that would hide or reorder text as visible tokens, as the app does.
 */

/** The report's own policy; the first element of <head> so it governs everything after it. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Longest log value shown in full; the rest is cut with a note (a 100 kB command line would swamp the report). */
export const MAX_VALUE_CHARS = 4000;

export function buildReportHtml(input: ReportInput): string {
  const title = `LocalHunt report: ${visiblePlain(input.detection.title)}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    headerSection(input),
    summarySection(input),
    parametersSection(input),
    filesSection(input.files),
    alertsSection(input),
    suppressedSection(input),
    chartsSection(input.charts),
    queriesSection(input),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Text: escaping and visible log values

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A hidden character's stand-in. The brackets keep it recognisable in print, where the token's colour is gone. */
function token(name: string): string {
  return `<span class="tok">⟨${escapeHtml(name)}⟩</span>`;
}

/** Cutting between the halves of a surrogate pair would leave a broken character; cut before the pair instead. */
function cutPoint(text: string, max: number): number {
  if (text.length <= max) return max;
  const last = text.charCodeAt(max - 1);
  return last >= 0xd800 && last <= 0xdbff ? max - 1 : max;
}

/**
 * A value read from a log, as inline markup: escaped, hidden characters as tokens, isolated from the surrounding
 * text direction (<bdi>), and cut after `max` characters with a note of how much was left out.
 */
export function logText(value: string, max = MAX_VALUE_CHARS): string {
  const { segments, omitted } = visibleSegments(value, cutPoint(value, max));
  const body = segments.map((s) => (s.special ? token(s.text) : escapeHtml(s.text))).join('');
  const note = omitted ? ` <span class="cut">[… ${formatCount(omitted)} more characters not shown]</span>` : '';
  return `<bdi>${body}</bdi>${note}`;
}

/**
 * Query text for a <pre>: escaped, line breaks and tabs kept (they are the query's layout), every other hidden
 * character as a token. Never cut: the reader must be able to run exactly this query again.
 */
export function codeText(value: string): string {
  const { segments } = visibleSegments(value);
  return segments
    .map((s, i) => {
      if (s.special === '\n' || s.special === '\t') return s.special;
      if (s.special === '\r' && segments[i + 1]?.special === '\n') return '';
      return s.special ? token(s.text) : escapeHtml(s.text);
    })
    .join('');
}

/** A log value for an attribute (no markup possible there): tokens in plain form, escaped. */
function attrText(value: string): string {
  return escapeHtml(visiblePlain(value, 500));
}

const NONE = '<span class="none">—</span>';

function optionalCount(n: number | undefined): string {
  return n === undefined ? NONE : formatCount(n);
}

/** A UTC instant in the app's short form; the column or label says UTC. */
function time(iso: string | null | undefined): string {
  return iso ? logText(shortTime(iso), 100) : NONE;
}

// ---------------------------------------------------------------------------------------------------------------
// Sections, in the order the report shows them

function headerSection(input: ReportInput): string {
  const d = input.detection;
  const attack = d.attack.map((t) => `${logText(t.id, 50)} ${logText(t.name, 200)}`).join('; ');
  return `<header id="report-header">
<h1>LocalHunt report: ${logText(d.title, 300)}</h1>
<p class="meta">LocalHunt version ${logText(input.appVersion, 100)}. Detection <code>${logText(d.id, 200)}</code>, version ${logText(d.version, 100)}, by ${logText(d.author, 200)}.</p>
${attack ? `<p class="meta">MITRE ATT&amp;CK: ${attack}.</p>` : ''}
<p class="meta">Generated ${time(input.generatedAt)} UTC. All times in this report are UTC.</p>
</header>`;
}

function summarySection(input: ReportInput): string {
  const failed = input.files.filter((f) => f.status === 'failed').length;
  const duplicates = input.files.filter((f) => f.status === 'duplicate').length;
  const fileNotes = [failed ? `${formatCount(failed)} failed` : '', duplicates ? `${formatCount(duplicates)} duplicate` : '']
    .filter(Boolean)
    .join(', ');
  return `<section id="summary">
<h2>Summary</h2>
<p class="summary"><strong>${plural(input.alerts.length, 'alert')}</strong>, ${formatCount(input.suppressed.length)} suppressed by the allowlist, ${plural(input.files.length, 'file')}${fileNotes ? ` (${fileNotes})` : ''}.</p>
</section>`;
}

const NOW_SETTINGS: Record<string, string> = {
  latest: 'latest event in the loaded data',
  clock: "the computer's clock when the query ran",
};

function parametersSection(input: ReportInput): string {
  const p = input.parameters;
  const now = NOW_SETTINGS[p.nowSetting] ?? 'a fixed instant';
  const allowlist = p.allowlist.length
    ? `<ul class="allowlist">${p.allowlist.map((a) => `<li>${logText(a, 500)}</li>`).join('')}</ul>`
    : 'empty (no account removed)';
  const rows: [string, string][] = [
    ['StartTime', `<code>${logText(p.startTime, 100)}</code>`],
    ['BinFormat', `<code>${logText(p.binFormat, 100)}</code>`],
    ['Threshold', formatCount(p.threshold)],
    ['now() setting', `<code>${logText(p.nowSetting, 100)}</code> (${now})`],
    ['now() resolved (UTC)', time(p.resolvedNow)],
    ['Cutoff, now() − StartTime (UTC)', time(p.cutoff)],
    ['Bin column', `<code>${logText(p.binColumn, 100)}</code>`],
    ['Account allowlist', allowlist],
  ];
  return `<section id="parameters">
<h2>Parameters</h2>
<table class="keyvalue">
<tbody>
${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('\n')}
</tbody>
</table>
</section>`;
}

function filesSection(files: readonly ReportFile[]): string {
  const body = files.length
    ? `<div class="table-wrap">
<table class="files">
<thead><tr><th scope="col">File</th><th scope="col" class="num">Size</th><th scope="col">SHA-256</th><th scope="col">Status</th><th scope="col">Format</th><th scope="col">Variant</th><th scope="col" class="num">Rows read</th><th scope="col" class="num">Rejected</th><th scope="col">Duplicate of</th><th scope="col">Decisions</th><th scope="col">Time range (UTC)</th></tr></thead>
<tbody>
${files.map(fileRow).join('\n')}
</tbody>
</table>
</div>`
    : '<p>No files were loaded.</p>';
  return `<section id="files">
<h2>Input files</h2>
${body}
</section>`;
}

function fileRow(f: ReportFile): string {
  const status = `${logText(f.status, 50)}${f.problem ? `<div class="problem">${logText(f.problem)}</div>` : ''}`;
  const rejected = `${optionalCount(f.rejected)}${list(f.rejectReasons ?? [], 'reasons')}`;
  const range = f.timeRange ? `<span class="nowrap">${time(f.timeRange.first)}</span> to <span class="nowrap">${time(f.timeRange.last)}</span>` : NONE;
  const cells = [
    `<td class="name">${logText(f.name, 500)}</td>`,
    `<td class="num">${escapeHtml(formatBytes(f.size))}<div class="exact">${formatCount(f.size)} bytes</div></td>`,
    `<td class="hash">${f.sha256 ? `<code>${logText(f.sha256, 200)}</code>` : 'not computed'}</td>`,
    `<td>${status}</td>`,
    `<td>${f.format ? logText(f.format, 200) : NONE}</td>`,
    `<td>${f.variant ? logText(f.variant, 100) : NONE}</td>`,
    `<td class="num">${optionalCount(f.rowsRead)}</td>`,
    `<td class="num">${rejected}</td>`,
    `<td>${f.duplicateOf ? logText(f.duplicateOf, 500) : NONE}</td>`,
    `<td>${f.decisions.length ? list(f.decisions, 'decisions') : NONE}</td>`,
    `<td>${range}</td>`,
  ];
  return `<tr>${cells.join('')}</tr>`;
}

function list(items: readonly string[], cls: string): string {
  return items.length ? `<ul class="${cls}">${items.map((i) => `<li>${logText(i)}</li>`).join('')}</ul>` : '';
}

function alertsSection(input: ReportInput): string {
  const alerts = input.alerts;
  return `<section id="alerts">
<h2>Alerts (${formatCount(alerts.length)})</h2>
${alerts.length ? alertBlock(alerts, input.parameters.binColumn, 'Alert') : '<p>No alerts.</p>'}
</section>`;
}

function suppressedSection(input: ReportInput): string {
  const alerts = input.suppressed;
  return `<section id="suppressed" class="suppressed">
<h2>Suppressed by the allowlist (${formatCount(alerts.length)})</h2>
<p class="note">These rows are <strong>not</strong> alerts of this run: the accounts are on the allowlist above. They are listed so the reader can see what the allowlist hid.</p>
${alerts.length ? alertBlock(alerts, input.parameters.binColumn, 'Suppressed') : '<p>Nothing was suppressed.</p>'}
</section>`;
}

/** The app's alerts table, then per alert its distinct commands and its exported row. */
function alertBlock(alerts: readonly Alert[], binColumn: string, label: string): string {
  return `<div class="table-wrap">
<table class="alerts">
<thead><tr><th scope="col" class="num">#</th><th scope="col">AccountUpn</th><th scope="col">${escapeHtml(binColumn)} bin (UTC)</th><th scope="col">First event (UTC)</th><th scope="col">Last event (UTC)</th><th scope="col" class="num">Accounts</th><th scope="col" class="num">Group</th><th scope="col" class="num">LocalGroup</th><th scope="col" class="num">User</th><th scope="col" class="num">Total</th></tr></thead>
<tbody>
${alerts.map((a, i) => alertRow(a, i + 1)).join('\n')}
</tbody>
</table>
</div>
${alerts.map((a, i) => alertDetail(a, i + 1, label)).join('\n')}`;
}

const COUNT_COLUMNS = ['TotalAccountsEvents', 'TotalGroupEvents', 'TotalLocalGroupEvents', 'TotalUserEvents'];

function alertRow(a: Alert, n: number): string {
  const counts = COUNT_COLUMNS.map((c) => `<td class="num">${optionalCount(a.counts[c])}</td>`).join('');
  return `<tr><td class="num">${n}</td><td class="account">${logText(a.account, 500)}</td><td class="nowrap">${time(a.bin)}</td><td class="nowrap">${time(a.firstEvent)}</td><td class="nowrap">${time(a.lastEvent)}</td>${counts}<td class="num total">${formatCount(a.total)}</td></tr>`;
}

function alertDetail(a: Alert, n: number, label: string): string {
  const commands = [...new Set(a.commands)];
  return `<article class="alert-detail">
<h3>${escapeHtml(label)} ${n}: ${logText(a.account, 300)}, bin ${time(a.bin)} UTC</h3>
<h4>Distinct commands (${formatCount(commands.length)})</h4>
${commands.length ? `<ol class="commands">${commands.map((c) => `<li><code>${logText(c)}</code></li>`).join('')}</ol>` : '<p>None listed.</p>'}
<h4>Exported row</h4>
<table class="record">
<tbody>
${a.record.map(([k, v]) => `<tr><th scope="row"><code>${logText(k, 300)}</code></th><td>${cellHtml(v)}</td></tr>`).join('\n')}
</tbody>
</table>
</article>`;
}

/** One cell of the exported row as the JSON export would hold it; a NumberText keeps every digit as written. */
function cellHtml(value: JsonCell): string {
  if (value === null || value === undefined) return '<span class="none">null</span>';
  if (typeof value === 'string') return logText(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value instanceof NumberText) return logText(plainCell(value));
  return `<code>${logText(plainCell(value))}</code>`;
}

/** JSON-like text of a cell (arrays and objects as JSON, numbers exactly as their text). */
function plainCell(value: JsonCell): string {
  if (value instanceof NumberText) return value.text;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(plainCell).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${plainCell(v)}`).join(', ')}}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function chartsSection(charts: ReportInput['charts']): string {
  const figures = charts.map(
    (c) => `<figure class="chart">
<div class="chart-image" role="img" aria-label="${attrText(c.description)}">${sanitizeSvg(c.svg)}</div>
<figcaption><span class="chart-title">${logText(c.title, 300)}</span> <span class="chart-description">${logText(c.description)}</span></figcaption>
</figure>`,
  );
  return `<section id="charts">
<h2>Charts</h2>
${figures.length ? figures.join('\n') : '<p>No charts.</p>'}
</section>`;
}

function queriesSection(input: ReportInput): string {
  const d = input.detection;
  return `<section id="queries">
<h2>Queries</h2>
<h3>Original KQL for Microsoft Defender (Advanced Hunting)</h3>
<pre class="query kql">${codeText(d.kqlDefender)}</pre>
<h3>Original KQL for Microsoft Sentinel (Log Analytics)</h3>
<pre class="query kql">${codeText(d.kqlSentinel)}</pre>
<h3>SQL that ran (DuckDB, parameters bound)</h3>
<pre class="query sql">${codeText(d.sql)}</pre>
</section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Chart SVG sanitizer
//
// The charts come from our own code (Observable Plot), so this is defence in depth, not the only line: the CSP
// already forbids scripts and fetches. It keeps only the SVG elements Plot draws with, drops scripts and anything
// that leads back into HTML with their content, drops event handlers, links and URL-bearing attributes, allows
// url() only for in-document references (#id: Plot's clip paths and markers), and closes what it left open so
// the chart cannot swallow the rest of the report.

/** SVG elements Observable Plot draws with. Other tags are dropped; the text between them stays (escaped). */
const SVG_ELEMENTS = new Set([
  'svg', 'g', 'path', 'line', 'rect', 'circle', 'ellipse', 'polyline', 'polygon', 'text', 'tspan', 'title', 'desc',
  'defs', 'clippath', 'mask', 'marker', 'lineargradient', 'radialgradient', 'stop', 'pattern', 'symbol', 'style',
]);

/** Dropped with everything inside: scripts, and the elements that embed HTML or other documents. */
const DROP_WITH_CONTENT = new Set([
  'script', 'foreignobject', 'iframe', 'object', 'embed', 'noscript', 'template', 'math', 'textarea', 'xmp',
  'noembed', 'noframes', 'plaintext', 'audio', 'video',
]);

/** Attributes that name something to load or to navigate to. */
const URL_ATTRIBUTES = new Set(['src', 'srcset', 'srcdoc', 'action', 'formaction', 'background', 'poster', 'data', 'codebase']);

interface Tag {
  kind: 'open' | 'close' | 'other';
  name: string;
  attrs: [string, string | null][];
  selfClosing: boolean;
  /** Index just after the tag's `>`. */
  end: number;
}

export function sanitizeSvg(markup: string): string {
  const out: string[] = [];
  const open: string[] = []; // kept elements not closed yet, innermost last
  let i = 0;
  while (i < markup.length) {
    const lt = markup.indexOf('<', i);
    out.push(escapeText(markup.slice(i, lt < 0 ? markup.length : lt)));
    if (lt < 0) break;
    const tag = readTag(markup, lt);
    if (!tag) {
      out.push('&lt;'); // a `<` that starts no tag is text
      i = lt + 1;
      continue;
    }
    i = tag.end;
    const lname = tag.name.toLowerCase();
    if (tag.kind === 'other') continue; // comments, doctype, processing instructions, CDATA
    if (tag.kind === 'close') {
      const at = open.map((n) => n.toLowerCase()).lastIndexOf(lname);
      if (at >= 0) while (open.length > at) out.push(`</${open.pop()!}>`);
      continue;
    }
    if (DROP_WITH_CONTENT.has(lname)) {
      if (!tag.selfClosing) i = skipPast(markup, i, lname);
      continue;
    }
    if (!SVG_ELEMENTS.has(lname)) continue;
    if (lname === 'style') {
      // The style's text is read raw up to its end tag, and written with `<` escaped: inside an <svg> the HTML
      // parser reads it as ordinary text, where a `<` would start an element. Unsafe CSS drops the whole body.
      const close = tag.selfClosing ? i : findClose(markup, i, 'style');
      const css = markup.slice(i, close < 0 ? markup.length : close);
      out.push(`<${tag.name}>${safeCss(css) ? escapeText(css) : ''}</${tag.name}>`);
      if (!tag.selfClosing) i = skipPast(markup, i, 'style');
      continue;
    }
    out.push(`<${tag.name}${tag.attrs.map(([n, v]) => safeAttribute(n, v)).join('')}${tag.selfClosing ? '/' : ''}>`);
    if (!tag.selfClosing) open.push(tag.name);
  }
  while (open.length) out.push(`</${open.pop()!}>`);
  return out.join('');
}

/** Text between tags: `<` cannot occur here (every `<` is a tag or escaped above); `>` is escaped for tidiness. */
function escapeText(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Reads the tag at `at` (markup[at] is `<`), or null when the `<` starts no tag. Quotes in attribute values are honoured. */
function readTag(markup: string, at: number): Tag | null {
  const next = markup[at + 1] ?? '';
  if (markup.startsWith('<!--', at)) {
    const end = markup.indexOf('-->', at + 4);
    return { kind: 'other', name: '', attrs: [], selfClosing: false, end: end < 0 ? markup.length : end + 3 };
  }
  if (next === '!' || next === '?') {
    const end = markup.indexOf('>', at);
    return { kind: 'other', name: '', attrs: [], selfClosing: false, end: end < 0 ? markup.length : end + 1 };
  }
  const closing = next === '/';
  const nameMatch = /^[A-Za-z][^\s/>]*/.exec(markup.slice(at + (closing ? 2 : 1), at + 200));
  if (!nameMatch) return null;
  const name = nameMatch[0];
  let p = at + (closing ? 2 : 1) + name.length;
  const attrs: [string, string | null][] = [];
  let selfClosing = false;
  while (p < markup.length) {
    const ch = markup[p]!;
    if (ch === '>') { p++; break; }
    if (/\s/.test(ch)) { p++; continue; }
    if (ch === '/') { selfClosing = markup[p + 1] === '>'; p++; continue; }
    const attrName = /^[^\s/>=]+|^=[^\s/>=]*/.exec(markup.slice(p))![0];
    p += attrName.length;
    while (/\s/.test(markup[p] ?? '')) p++;
    let value: string | null = null;
    if (markup[p] === '=') {
      p++;
      while (/\s/.test(markup[p] ?? '')) p++;
      const quote = markup[p];
      if (quote === '"' || quote === "'") {
        const close = markup.indexOf(quote, p + 1);
        value = markup.slice(p + 1, close < 0 ? markup.length : close);
        p = close < 0 ? markup.length : close + 1;
      } else {
        const raw = /^[^\s>]*/.exec(markup.slice(p))![0];
        value = raw;
        p += raw.length;
      }
    }
    attrs.push([attrName, value]);
  }
  return { kind: closing ? 'close' : 'open', name, attrs, selfClosing, end: p };
}

/** Index of the `</name` that ends an element's content, case-insensitive, or -1. */
function findClose(markup: string, from: number, name: string): number {
  const re = new RegExp(`</${name}(?=[\\s/>]|$)`, 'gi');
  re.lastIndex = from;
  return re.exec(markup)?.index ?? -1;
}

/** Index just after the end tag of `name` (or the end of the markup when it is never closed). */
function skipPast(markup: string, from: number, name: string): number {
  const close = findClose(markup, from, name);
  if (close < 0) return markup.length;
  const gt = markup.indexOf('>', close);
  return gt < 0 ? markup.length : gt + 1;
}

function safeAttribute(name: string, value: string | null): string {
  const lname = name.toLowerCase();
  if (!/^[a-z_][-a-z0-9_:.]*$/.test(lname)) return '';
  if (lname.startsWith('on')) return ''; // event handlers
  if (lname === 'href' || lname.endsWith(':href') || URL_ATTRIBUTES.has(lname)) return '';
  if (value === null) return ` ${name}`;
  if (!safeCss(value)) return '';
  return ` ${name}="${value.replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}"`;
}

/**
 * Whether CSS text (a <style> body or an attribute value, where presentation attributes also take url()) stays
 * inside the document. Checked after decoding character references, since the browser decodes them first; CSS
 * escapes and unknown named references could spell anything, so they are refused outright.
 */
function safeCss(text: string): boolean {
  const decoded = text
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)))
    .replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Math.min(parseInt(d, 10), 0x10ffff)))
    .replace(/&(lt|gt|quot|apos|amp);?/gi, '');
  if (/&[a-z]/i.test(decoded) || decoded.includes('\\')) return false;
  const squeezed = decoded.replace(/[\s\u0000-\u001f]+/g, '').toLowerCase();
  if (/javascript:|vbscript:|data:text|@import|expression\(|image-set\(|-moz-binding/.test(squeezed)) return false;
  // url() only for a reference inside the document (#id), never to a resource.
  return [...squeezed.matchAll(/url\(/g)].every((m) => /^url\(['"]?#/.test(squeezed.slice(m.index)));
}

// ---------------------------------------------------------------------------------------------------------------
// Style: readable on screen, clean on paper. No url(), no @import, no web fonts: the report loads nothing.

const STYLE = `
:root { color-scheme: light; }
body { margin: 0 auto; max-width: 1200px; padding: 24px 28px 48px; color: #1b1f24; background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .4rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid #c9cfd6; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
h4 { font-size: .95rem; margin: .9rem 0 .3rem; }
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
p { margin: .4rem 0; }
.meta { color: #444c56; margin: .15rem 0; }
.summary { font-size: 1.05rem; }
.note { color: #444c56; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa; border: 1px solid #d8dee4; border-radius: 4px;
  padding: 10px 12px; margin: .4rem 0 1rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 7px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
/* Log values may be one unbroken run (a hash, a padded command): they may break anywhere, other cells keep their words. */
td.name, td.hash, td.account, .record td, .commands li { overflow-wrap: anywhere; }
thead th { background: #eef1f4; font-weight: 600; }
tbody th { font-weight: 600; background: #f6f8fa; }
.keyvalue { width: auto; min-width: 50%; }
.keyvalue th { white-space: nowrap; }
.record th { width: 14rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.total { font-weight: 700; }
.nowrap { white-space: nowrap; }
td.hash { min-width: 9rem; }
.hash code { font-size: 11px; }
td.name { min-width: 8rem; }
.exact, .cut, .none { color: #57606a; }
.exact { font-size: 11px; }
.cut { font-style: italic; }
.problem { color: #a40e26; margin-top: .2rem; }
ul, ol { margin: .2rem 0; padding-left: 1.4rem; }
td ul { padding-left: 1rem; }
.commands li { margin: .15rem 0; overflow-wrap: anywhere; }
.tok { display: inline-block; border: 1px dotted currentColor; border-radius: 3px; padding: 0 2px; margin: 0 1px;
  font: 600 10px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #9a3412; background: #fff4e5; }
.alert-detail { margin: 1rem 0 1.5rem; padding-left: 12px; border-left: 3px solid #d0d7de; }
.suppressed { margin-top: 2.5rem; padding: 2px 16px 8px; border: 2px dashed #9a6700; border-radius: 6px; background: #fffbf0; }
.suppressed h2 { color: #7d4e00; }
figure { margin: 1rem 0 1.5rem; break-inside: avoid; page-break-inside: avoid; }
.chart-image svg { max-width: 100%; height: auto; }
figcaption { margin-top: .3rem; color: #444c56; }
.chart-title { font-weight: 600; color: #1b1f24; }
@page { size: auto; margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; color: #000; background: #fff; }
  header, section, article, figure, pre, table, th, td, p, li, h1, h2, h3, h4, .tok, .meta, .note, .cut, .none, .exact, .problem,
  figcaption, .chart-title { color: #000 !important; background: none !important; box-shadow: none !important; }
  table { font-size: 8.5pt; }
  /* The files table has eleven columns: smaller type, and no minimum widths, so it fits the page width. */
  table.files { font-size: 7.5pt; }
  td.name { min-width: 4.5rem; }
  td.hash { min-width: 4.5rem; }
  .exact { font-size: 6.5pt; }
  .nowrap { white-space: normal; }
  .suppressed { padding: 2px 8px 6px; }
  th, td { padding: 2px 4px; }
  .hash code { font-size: 6.5pt; }
  code, pre { font-size: 8.5pt; }
  .table-wrap { overflow: visible; }
  thead { display: table-header-group; }
  tr, li, figure, .tok { break-inside: avoid; page-break-inside: avoid; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #777; }
  th, td { border-color: #777; }
  h2 { border-bottom-color: #000; }
  .suppressed { border-color: #000; }
  .alert-detail { border-left-color: #777; }
  .chart-image svg { max-height: 120mm; }
}
`;
