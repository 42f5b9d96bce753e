import { describe, expect, test } from 'vitest';
import { buildReportHtml, sanitizeSvg, REPORT_CSP } from '../../src/lib/report/report-html';
import type { ReportInput } from '../../src/lib/report/types';
import { NumberText, type Alert } from '../../src/lib/detections/types';

// Hostile values, as an attacker could write them into a log or a file name.
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '</script><script>alert(1)</script>';
const QUOTES = `x" onmouseover="alert(1)" a='b' '`;
const JS_URL = 'javascript:alert(1)';
const RLO_NAME = 'invoice\u202Efdp.exe';
const LONG = `net user ${'A'.repeat(100_000)}`; // 100,009 characters
const LONG_ID = '18446744073709551615'; // above 2^53: must keep every digit
const CSP_META = `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`;

const alert = (account: string, commands: string[], extra: Alert['record'] = []): Alert => ({
  key: `${account}|2024-05-10`,
  account,
  bin: '2024-05-10T00:00:00.0000000Z',
  binTicks: 0n,
  firstEvent: '2024-05-10T09:12:00.1234567Z',
  lastEvent: '2024-05-10T11:40:02.5000000Z',
  total: 12,
  counts: { TotalEvents: 12, TotalAccountsEvents: 1, TotalGroupEvents: 5, TotalLocalGroupEvents: 2, TotalUserEvents: 4 },
  commands,
  record: [
    ['Timestamp', '2024-05-10T00:00:00.0000000Z'],
    ['AccountUpn', account],
    ['TotalEvents', new NumberText('12')],
    ['ExecutedCommands', commands],
    ...extra,
  ],
});

const CHART_SVG = `<svg class="plot-1" viewBox="0 0 100 50" onload="alert(1)"><style>:where(.plot-1) { display: block; }</style>`
  + `<script>alert('svg')</script><SCRIPT type="text/javascript">alert(2)</SCRIPT>`
  + `<a href="${JS_URL}" xlink:href="https://evil.example/"><text x="1" y="2">bar &amp; line</text></a>`
  + `<rect width="10" height="20" style="fill: url(https://evil.example/x.png)" onclick="alert(3)"></rect>`
  + `<g aria-label="bar"><path d="M0,0L10,10"></path></g></svg>`;

function hostileInput(): ReportInput {
  return {
    appVersion: '0.1.0',
    generatedAt: '2024-05-12T08:00:00.000Z',
    detection: {
      id: 'net-discovery',
      title: `Detect net(1).exe Discovery ${IMG}`,
      version: '1.0.0',
      author: 'Bert-Jan Pals',
      attack: [{ id: 'T1069', name: 'Permission Groups Discovery', url: 'https://attack.mitre.org/techniques/T1069/' }],
      kqlDefender: 'DeviceProcessEvents\n| where FileName in~ ("net.exe", "net1.exe")\n| where ProcessCommandLine has "<script>"',
      kqlSentinel: 'DeviceProcessEvents\n| where TimeGenerated > ago(StartTime)',
      sql: `SELECT * FROM events WHERE account NOT IN ('${SCRIPT.replace(/'/g, "''")}')`,
    },
    parameters: {
      startTime: '2d', binFormat: '1d', threshold: 10, nowSetting: 'latest',
      resolvedNow: '2024-05-11T23:59:59.0000000Z', cutoff: '2024-05-09T23:59:59.0000000Z',
      allowlist: ['a.lee@contoso.com', SCRIPT], binColumn: 'Timestamp',
    },
    files: [
      {
        name: `${IMG}.csv`, size: 1_234_567, sha256: 'ab'.repeat(32), status: 'loaded', format: 'Defender portal CSV',
        variant: 'Defender', rowsRead: 5000, rejected: 2, rejectReasons: [`row 7: ${QUOTES}`], decisions: ['day-first dates in "Timestamp"'],
        timeRange: { first: '2024-05-09T00:00:01.0000000Z', last: '2024-05-11T23:59:59.0000000Z' },
      },
      { name: RLO_NAME, size: 10, sha256: null, status: 'failed', problem: `Not an export: ${SCRIPT}`, decisions: [] },
      { name: `zero\u200Bwidth\u0000.csv`, size: 1_234_567, sha256: 'ab'.repeat(32), status: 'duplicate', duplicateOf: `${IMG}.csv`, decisions: [] },
    ],
    alerts: [
      alert('m.baker@contoso.com', ['net user /domain', LONG, `net group ${IMG}`, `net user ${JS_URL}`, 'net user /domain'],
        [['ReportId', new NumberText(LONG_ID)], ['Ratio', new NumberText('1.50')], [`${IMG}Column`, SCRIPT], ['Flag', true], ['Empty', null]]),
      alert(`evil\u202Emoc.osotnoc@rekab`, [`net localgroup administrators ${QUOTES}`]),
    ],
    suppressed: [alert('a.lee@contoso.com', ['net accounts'])],
    charts: [{ title: `Events per bin ${IMG}`, description: `Bars per account ${QUOTES}`, svg: CHART_SVG }],
  };
}

/** The markup alone: every text node emptied (text never holds a raw `<`, so `>…<` spans exactly one text node). */
function markupOnly(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/g, '<style></style>').replace(/>[^<]*</g, '><');
}

/** Every attribute of every tag, as [name, raw value]. */
function attributes(markup: string): [string, string][] {
  const out: [string, string][] = [];
  for (const tag of markup.matchAll(/<[A-Za-z][^\s/>]*([^>]*)>/g)) {
    for (const a of tag[1]!.matchAll(/([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g)) out.push([a[1]!, a[2] ?? '']);
  }
  return out;
}

/** The HTML of the <section id=…> (sections do not nest). */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'wbr', 'col', 'area', 'base', 'source']);

/** Well-formedness, simply: every non-void element is closed in order, and nothing is closed that was not open. */
function checkBalanced(html: string): void {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    const n = name!.toLowerCase();
    if (closing) {
      expect(stack.pop(), `</${n}> at ${m.index}`).toBe(n);
    } else if (!VOID.has(n) && !selfClosing) {
      stack.push(n);
    }
  }
  expect(stack).toEqual([]);
}

describe('report HTML', () => {
  const html = buildReportHtml(hostileInput());
  const markup = markupOnly(html);

  test('one CSP meta, the first element of <head>', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const head = /<head>\s*(<[^>]*>)/.exec(html);
    expect(head?.[1]).toBe(CSP_META);
    expect(html.split('Content-Security-Policy').length - 1).toBe(1);
    expect(REPORT_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  });

  test('no script, and no markup that loads or links anything', () => {
    expect(html).not.toMatch(/<script/i);
    expect(markup).not.toMatch(/src\s*=|href\s*=|url\(|@import/i);
    expect(markup).not.toMatch(/javascript:/i);
    for (const [name, value] of attributes(markup)) {
      expect(name).not.toMatch(/^on|^(src|srcset|srcdoc|href|xlink:href|action|formaction)$/i);
      expect(value).not.toMatch(/url\(|javascript:/i);
    }
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(style).not.toMatch(/url\(|@import/i);
  });

  test('is well formed enough: every element closed in order', () => {
    checkBalanced(html);
    expect(html.match(/<table\b/g)!.length).toBe(html.match(/<\/table>/g)!.length);
  });

  test('hostile values appear only escaped', () => {
    expect(html).not.toContain(IMG);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('x&quot; onmouseover=&quot;alert(1)&quot; a=&#39;b&#39; &#39;');
    expect(html).toContain(`<title>LocalHunt report: Detect net(1).exe Discovery &lt;img src=x onerror=alert(1)&gt;</title>`);
    // Values in an attribute stay inside it.
    expect(html).toContain('aria-label="Bars per account x&quot; onmouseover=&quot;alert(1)&quot; a=&#39;b&#39; &#39;"');
    // The javascript: URL is text, never an attribute.
    expect(html).toContain(`net user ${JS_URL}`);
  });

  test('hidden characters become visible tokens', () => {
    expect(html).not.toMatch(/[\u202E\u200B\u0000]/);
    expect(html).toContain('invoice<span class="tok">⟨RLO⟩</span>fdp.exe');
    expect(html).toContain('zero<span class="tok">⟨ZWSP⟩</span>width<span class="tok">⟨NUL⟩</span>.csv');
    expect(html).toContain('evil<span class="tok">⟨RLO⟩</span>moc.osotnoc@rekab');
  });

  test('a 100 kB command line is cut with a note of what was cut', () => {
    expect(html).not.toContain('A'.repeat(4001));
    expect(html).toContain(`net user ${'A'.repeat(3991)}</bdi> <span class="cut">[… 96,009 more characters not shown]</span>`);
    expect(html.length).toBeLessThan(100_000);
  });

  test('sections in the specified order', () => {
    const order = ['<h1>LocalHunt report: ', 'LocalHunt version <bdi>0.1.0', 'Detection <code><bdi>net-discovery', 'Generated ',
      'id="summary"', 'id="parameters"', 'id="files"', 'id="alerts"', 'id="suppressed"', 'id="charts"', 'id="queries"',
      'KQL for Microsoft Defender', 'KQL for Microsoft Sentinel', 'SQL that ran'];
    const at = order.map((s) => html.indexOf(s));
    expect(at.every((i) => i >= 0), JSON.stringify(at)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  test('summary, parameters and files', () => {
    expect(section(html, 'summary')).toContain('<strong>2 alerts</strong>, 1 suppressed by the allowlist, 3 files (1 failed, 1 duplicate).');
    const params = section(html, 'parameters');
    for (const s of ['StartTime', '2d', 'BinFormat', '1d', 'Threshold', '10', 'latest event in the loaded data',
      '2024-05-11 23:59:59', '2024-05-09 23:59:59', 'Bin column', 'a.lee@contoso.com', '(UTC)']) expect(params).toContain(s);
    const files = section(html, 'files');
    for (const s of ['ab'.repeat(32), '1,234,567 bytes', '1.2 MB', 'loaded', 'failed', 'duplicate', 'Defender portal CSV', '5,000',
      'Not an export', 'day-first dates in &quot;Timestamp&quot;', 'not computed', '2024-05-09 00:00:01', 'Time range (UTC)']) expect(files).toContain(s);
  });

  test('alerts table and distinct commands; suppressed alerts in their own section', () => {
    const alerts = section(html, 'alerts');
    const suppressed = section(html, 'suppressed');
    expect(alerts).toContain('m.baker@contoso.com');
    expect(alerts).not.toContain('a.lee@contoso.com');
    expect(suppressed).toContain('Suppressed by the allowlist');
    expect(suppressed).toContain('a.lee@contoso.com');
    expect(suppressed).toContain('net accounts');
    expect(suppressed).not.toContain('m.baker@contoso.com');
    // The table row: first/last event in UTC, the four counts and the total.
    expect(alerts).toContain('<td class="nowrap"><bdi>2024-05-10 09:12:00.1234567</bdi></td><td class="nowrap"><bdi>2024-05-10 11:40:02.5</bdi></td>'
      + '<td class="num">1</td><td class="num">5</td><td class="num">2</td><td class="num">4</td><td class="num total">12</td>');
    // Distinct: the repeated command is listed once.
    expect(alerts.split('<li><code><bdi>net user /domain</bdi></code></li>').length - 1).toBe(1);
  });

  test('numbers from NumberText appear exactly', () => {
    expect(html).toContain(`<td><bdi>${LONG_ID}</bdi></td>`);
    expect(html).toContain('<td><bdi>1.50</bdi></td>');
    expect(html).toContain('<td><bdi>true</bdi></td>');
    expect(html).toContain('<code><bdi>&lt;img src=x onerror=alert(1)&gt;Column</bdi></code>');
  });

  test('charts: figure, caption, sanitised SVG', () => {
    const charts = section(html, 'charts');
    expect(charts).toContain('<figure class="chart">');
    expect(charts).toContain('<figcaption><span class="chart-title"><bdi>Events per bin &lt;img src=x onerror=alert(1)&gt;</bdi></span>');
    expect(charts).toContain('<svg class="plot-1" viewBox="0 0 100 50">');
    expect(charts).toContain('<text x="1" y="2">bar &amp; line</text>');
    expect(charts).not.toMatch(/alert\('svg'\)|alert\(2\)|alert\(3\)|evil\.example/);
  });

  test('queries in <pre>, escaped, line breaks kept', () => {
    const q = section(html, 'queries');
    expect(q).toContain('<pre class="query kql">DeviceProcessEvents\n| where FileName in~ (&quot;net.exe&quot;, &quot;net1.exe&quot;)\n| where ProcessCommandLine has &quot;&lt;script&gt;&quot;</pre>');
    expect(q).toContain('| where TimeGenerated &gt; ago(StartTime)');
    expect(q).toContain('NOT IN (&#39;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#39;)');
  });

  test('prints cleanly', () => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(style).toMatch(/@page\s*\{[^}]*margin/);
    const print = style.slice(style.indexOf('@media print'));
    expect(print).toMatch(/tr[^{]*\{[^}]*break-inside: avoid/);
    expect(print).toMatch(/pre \{[^}]*white-space: pre-wrap; overflow-wrap: anywhere/);
    expect(print).toMatch(/background: none !important/);
    expect(style).toMatch(/h2[^{]*\{[^}]*break-after: avoid/);
  });

  test('an empty run still makes a complete report', () => {
    const empty = buildReportHtml({ ...hostileInput(), files: [], alerts: [], suppressed: [], charts: [] });
    checkBalanced(empty);
    expect(section(empty, 'alerts')).toContain('No alerts.');
    expect(section(empty, 'suppressed')).toContain('Nothing was suppressed.');
    expect(section(empty, 'charts')).toContain('No charts.');
  });
});

describe('chart SVG sanitizer', () => {
  test('drops scripts, event handlers and links, keeps the drawing', () => {
    const out = sanitizeSvg(CHART_SVG);
    expect(out).not.toMatch(/<script|alert|\son\w+=|href|evil/i);
    expect(out).toBe('<svg class="plot-1" viewBox="0 0 100 50"><style>:where(.plot-1) { display: block; }</style>'
      + '<text x="1" y="2">bar &amp; line</text><rect width="10" height="20"></rect><g aria-label="bar"><path d="M0,0L10,10"></path></g></svg>');
  });

  test('keeps in-document url(#id) references (Plot clip paths and markers), drops others', () => {
    expect(sanitizeSvg('<svg><path clip-path="url(#plot-clip-1)" marker-end="url( \'#m1\' )"/></svg>'))
      .toBe('<svg><path clip-path="url(#plot-clip-1)" marker-end="url( \'#m1\' )"/></svg>');
    expect(sanitizeSvg('<svg><rect fill="url(http://x/#a)" stroke="u&#114;l(//x)" style="background:u\\72l(x)"/></svg>')).toBe('<svg><rect/></svg>');
    expect(sanitizeSvg('<svg><style>@import "x.css"; .a { fill: red }</style></svg>')).toBe('<svg><style></style></svg>');
    expect(sanitizeSvg('<svg><style>.a { background: url(https://x/) }</style></svg>')).toBe('<svg><style></style></svg>');
  });

  test('drops the ways back into HTML and animation of links', () => {
    const out = sanitizeSvg('<svg><foreignObject><img src=x onerror=alert(1)><div>html</div></foreignObject>'
      + '<animate attributeName="href" to="javascript:alert(1)"/><set attributeName="onclick" to="alert(1)"/>'
      + '<image href="data:image/png;base64,AA"/><use xlink:href="#a"/><iframe srcdoc="<script>alert(1)</script>"></iframe>'
      + '<!-- <script>alert(1)</script> --><![CDATA[ x ]]><text>ok</text></svg>');
    expect(out).toBe('<svg><text>ok</text></svg>');
  });

  test('closes what it leaves open and escapes stray markup characters', () => {
    expect(sanitizeSvg('<svg><g><text>a < b</text>')).toBe('<svg><g><text>a &lt; b</text></g></svg>');
    expect(sanitizeSvg('<svg><g></svg></figure><p>after')).toBe('<svg><g></g></svg>after');
    expect(sanitizeSvg('<svg><script>never closed')).toBe('<svg></svg>');
    expect(sanitizeSvg(`<svg><text x='1"2' y=3>t</text></svg>`)).toBe('<svg><text x="1&quot;2" y="3">t</text></svg>');
  });

  test('unquoted and odd attributes', () => {
    expect(sanitizeSvg('<svg width=10 ONLOAD=alert(1) data-x="1" SRC=x xlink:href=y />')).toBe('<svg width="10" data-x="1"/>');
    expect(sanitizeSvg('<svg/onload=alert(1)>')).toBe('<svg></svg>');
  });
});
