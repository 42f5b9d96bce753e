import type { Detection, DetectionResult, RunParams } from '../detections/types';
import type { ChartData } from '../detections/runner';
import type { SourceEntry } from '../ingest/source';
import type { Settings } from '../params/settings';
import { nowText } from '../params/settings';
import { formatTimespan } from '../params/timespan';
import { formatTicks } from '../time/ticks';
import { countsChart, countsText, histogramChart, histogramText, timelineChart, timelineText } from '../charts';
import { sha256OfFile } from './hash-file';
import type { ReportFile, ReportInput } from './types';

export interface ReportContext {
  appVersion: string;
  detection: Detection;
  settings: Settings;
  params: RunParams;
  now: bigint | null;
  result: DetectionResult;
  charts: ChartData | null;
  sources: readonly SourceEntry[];
  blobs: ReadonlyMap<number, Blob>;
}

/** Gather what the report shows; hashes every input file (in a worker, slice by slice) on the way. */
export async function collectReport(ctx: ReportContext, onProgress: (text: string) => void): Promise<ReportInput> {
  const files: ReportFile[] = [];
  for (const [i, s] of ctx.sources.entries()) {
    const blob = ctx.blobs.get(s.id);
    let sha256: string | null = null;
    if (blob) {
      sha256 = await sha256OfFile(blob, (f) => onProgress(`hashing file ${i + 1} of ${ctx.sources.length}: ${Math.round(f * 100)}%`)).catch(() => null);
    }
    if (s.status === 'ready') {
      files.push({
        name: s.name, size: s.size, sha256, status: 'loaded', format: s.format, variant: s.variant, rowsRead: s.rowsRead,
        rejected: s.rejected.reduce((n, r) => n + r.count, 0), rejectReasons: s.rejected.map((r) => `${r.count} × ${r.reason}`),
        decisions: [
          ...s.notes,
          ...s.dayOrders.map((d) => `${d.column}: ${d.dayFirst ? 'day/month/year' : 'month/day/year'} (${d.basis === 'values' ? 'from the values' : 'chosen, not certain'})`),
          ...(s.hasDisplayTimes ? [`display-style times read in UTC${s.displayOffsetMinutes ? ` ${s.displayOffsetMinutes >= 0 ? '+' : '−'}${Math.abs(s.displayOffsetMinutes)} min` : ''}`] : []),
        ],
        timeRange: { first: s.minTime === null ? null : formatTicks(s.minTime), last: s.maxTime === null ? null : formatTicks(s.maxTime) },
      });
    } else if (s.status === 'failed') {
      files.push({ name: s.name, size: s.size, sha256, status: s.duplicateOf ? 'duplicate' : 'failed', problem: s.problem, duplicateOf: s.duplicateOf, decisions: [] });
    }
  }
  // With a legend, Plot returns a <figure> whose first svgs are legend swatches; the chart is the labelled one.
  const chart = (title: string, description: string, element: Element) => ({ title, description,
    svg: (element.tagName.toLowerCase() === 'svg' ? element : element.querySelector('svg[aria-label]') ?? element).outerHTML });
  const charts = ctx.charts ? [
    chart(countsText(ctx.charts, ctx.params.threshold).title, countsText(ctx.charts, ctx.params.threshold).description, countsChart(ctx.charts, ctx.params.threshold)),
    chart(histogramText(ctx.charts, ctx.params.threshold).title, histogramText(ctx.charts, ctx.params.threshold).description, histogramChart(ctx.charts, ctx.params.threshold)),
    chart(timelineText(ctx.charts).title, timelineText(ctx.charts).description, timelineChart(ctx.charts)),
  ] : [];
  const { meta, kql } = ctx.detection;
  return {
    appVersion: ctx.appVersion,
    generatedAt: new Date().toISOString(),
    detection: { id: meta.id, title: meta.title, version: meta.version, author: meta.author, attack: meta.attack, kqlDefender: kql.defender, kqlSentinel: kql.sentinel, sql: ctx.result.sql },
    parameters: {
      startTime: formatTimespan(ctx.settings.startTicks), binFormat: formatTimespan(ctx.params.binTicks), threshold: ctx.params.threshold,
      nowSetting: nowText(ctx.settings.now), resolvedNow: ctx.now === null ? null : formatTicks(ctx.now), cutoff: formatTicks(ctx.params.cutoff),
      allowlist: ctx.params.allowlist, binColumn: ctx.result.binColumn,
    },
    files,
    alerts: ctx.result.alerts,
    suppressed: ctx.result.suppressed,
    charts,
  };
}
