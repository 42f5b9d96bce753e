import * as Plot from '@observablehq/plot';
import type { ChartData } from './detections/runner';
import { visiblePlain } from './visible-text';

/**
 * The three pictures of a run, drawn with Observable Plot. Each returns an element carrying its own title and text
 * alternative (aria-label/aria-description); colours follow the page's text colour, so dark mode works.
 */
const BASE = { style: { background: 'transparent', color: 'inherit', fontSize: '12px' }, marginLeft: 48, width: 640, height: 260 } as const;
const ACTIONS = ['ACCOUNTS', 'GROUP', 'USER', 'LOCALGROUP'];
const TOP_ACCOUNTS = 8;
/** Observable's categorical palette (Plot's default), with grey kept for "other accounts". */
const PALETTE = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5'];

/**
 * Plot labels its mark groups with aria-label but gives them no role, which ARIA forbids; the chart's own label
 * and the text alternative beside it carry the meaning.
 */
function tidyAria<T extends Element>(chart: T): T {
  for (const g of chart.querySelectorAll('g[aria-label]')) g.removeAttribute('aria-label');
  return chart;
}

export interface ChartText {
  title: string;
  description: string;
}

export function countsText(data: ChartData, threshold: number): ChartText {
  const over = data.groups.filter((g) => g.count >= threshold).length;
  const max = data.groups.reduce((m, g) => Math.max(m, g.count), 0);
  return {
    title: 'Counted events per account and bin',
    description: `${data.groups.length} account-bins hold counted events; the largest holds ${max}. ${over} reach the threshold of ${threshold} (the dashed line).`,
  };
}

export function countsChart(data: ChartData, threshold: number): Element {
  return tidyAria(drawCounts(data, threshold));
}

function drawCounts(data: ChartData, threshold: number): Element {
  const byAccount = new Map<string, number>();
  for (const g of data.groups) byAccount.set(g.account, Math.max(byAccount.get(g.account) ?? 0, g.count));
  const top = new Set([...byAccount].sort((a, b) => b[1] - a[1]).slice(0, TOP_ACCOUNTS).map(([a]) => a));
  // Account names are log text: hidden characters shown as tokens, long names cut, in the legend and tooltips too.
  const shown = (a: string) => visiblePlain(a, 60);
  const rows = data.groups.map((g) => ({ ...g, date: new Date(g.bin), who: top.has(g.account) ? shown(g.account) : 'other accounts' }));
  const t = countsText(data, threshold);
  return Plot.plot({
    ...BASE,
    ariaLabel: t.title,
    ariaDescription: t.description,
    x: { type: 'utc', label: 'Bin start (UTC)' },
    y: { label: 'Counted events', grid: true, zero: true },
    color: { legend: true, domain: [...[...top].map(shown), 'other accounts'], range: [...PALETTE.slice(0, top.size), '#999999'] },
    marks: [
      Plot.ruleY([threshold], { stroke: '#d9480f', strokeDasharray: '6,4', strokeWidth: 2 }),
      Plot.text([threshold], { y: (d: number) => d, frameAnchor: 'right', dy: -7, text: (d: number) => `threshold ${d}`, fill: '#d9480f' }),
      Plot.line(rows.filter((r) => r.who !== 'other accounts'), { x: 'date', y: 'count', stroke: 'who', z: 'account' }),
      Plot.dot(rows, { x: 'date', y: 'count', fill: 'who', r: 3.5, title: (d: { account: string; bin: string; count: number }) => `${shown(d.account)}\n${d.bin.slice(0, 19)}Z: ${d.count}` }),
    ],
  });
}

/**
 * How many account-bins (alerts) each threshold would give, as the points where that number changes: from
 * threshold 1 (every group) to one past the largest count (none). One pass over the sorted counts.
 */
export function thresholdSteps(data: ChartData): { threshold: number; alerts: number }[] {
  const counts = data.groups.map((g) => g.count).sort((a, b) => a - b);
  const points = [{ threshold: 1, alerts: counts.length }];
  for (let i = 0; i < counts.length;) {
    const value = counts[i]!;
    while (i < counts.length && counts[i] === value) i++;
    points.push({ threshold: value + 1, alerts: counts.length - i });
  }
  return points;
}

/** The alerts a threshold gives: groups whose count reaches it. */
export function alertsAt(steps: readonly { threshold: number; alerts: number }[], threshold: number): number {
  let alerts = steps[0]?.alerts ?? 0;
  for (const s of steps) if (s.threshold <= threshold) alerts = s.alerts; else break;
  return alerts;
}

export function histogramText(data: ChartData, threshold: number): ChartText {
  const at = data.groups.filter((g) => g.count >= threshold).length;
  return {
    title: 'Account-bins by number of counted events, and the alerts each threshold gives',
    description: `Bars: how many account-bins hold exactly that many counted events. Line: how many alerts a threshold at that value gives. At the threshold of ${threshold}: ${at} alert${at === 1 ? '' : 's'}.`,
  };
}

export function histogramChart(data: ChartData, threshold: number): Element {
  return tidyAria(drawHistogram(data, threshold));
}

function drawHistogram(data: ChartData, threshold: number): Element {
  const exact = new Map<number, number>();
  for (const g of data.groups) exact.set(g.count, (exact.get(g.count) ?? 0) + 1);
  const bars = [...exact].map(([count, groups]) => ({ count, groups }));
  const t = histogramText(data, threshold);
  const steps = thresholdSteps(data);
  const max = steps.at(-1)?.threshold ?? 1;
  return Plot.plot({
    ...BASE,
    ariaLabel: t.title,
    ariaDescription: t.description,
    x: { label: 'Counted events in an account-bin (threshold)', domain: [0.5, Math.max(threshold, max) + 0.5] },
    y: { label: 'Account-bins', grid: true, zero: true },
    marks: [
      Plot.rectY(bars, { x1: (d: { count: number }) => d.count - 0.4, x2: (d: { count: number }) => d.count + 0.4, y: 'groups', fill: '#4c78a8', fillOpacity: 0.8 }),
      Plot.line(steps, { x: 'threshold', y: 'alerts', curve: 'step-after', stroke: 'currentColor', strokeWidth: 1.5 }),
      Plot.ruleX([threshold], { stroke: '#d9480f', strokeWidth: 2 }),
      Plot.text([threshold], { x: (d: number) => d, frameAnchor: 'top', dx: 6, textAnchor: 'start', fill: '#d9480f',
        text: (d: number) => `threshold ${d}: ${alertsAt(steps, d)} alerts` }),
    ],
  });
}

export function timelineText(data: ChartData): ChartText {
  const total = data.timeline.reduce((s, r) => s + r.count, 0);
  const byAction = ACTIONS.map((a) => `${a} ${data.timeline.filter((r) => r.action === a).reduce((s, r) => s + r.count, 0)}`).join(', ');
  return { title: 'Counted events over time, by action type', description: `${total} counted events (${byAction}).` };
}

export function timelineChart(data: ChartData): Element {
  return tidyAria(drawTimeline(data));
}

function drawTimeline(data: ChartData): Element {
  const slice = Number(data.sliceTicks / 10_000n);
  const rows = data.timeline.map((r) => ({ ...r, start: new Date(r.time), end: new Date(new Date(r.time).getTime() + slice) }));
  const t = timelineText(data);
  return Plot.plot({
    ...BASE,
    ariaLabel: t.title,
    ariaDescription: t.description,
    x: { type: 'utc', label: 'Time (UTC)' },
    y: { label: 'Counted events', grid: true },
    color: { legend: true, domain: ACTIONS },
    marks: [Plot.rectY(rows, { x1: 'start', x2: 'end', y: 'count', fill: 'action', title: (d: { action: string; count: number; time: string }) => `${d.time.slice(0, 16)}Z ${d.action}: ${d.count}` }), Plot.ruleY([0])],
  });
}
