import type { Detection, DetectionMeta } from './types';
import netMeta from './net-discovery/detection.json';
import netDefender from './net-discovery/defender.kql?raw';
import netSentinel from './net-discovery/sentinel.kql?raw';
import netStages from './net-discovery/stages.sql?raw';
import netSummarize from './net-discovery/summarize.sql?raw';
import netHardened from './net-discovery/hardened.sql?raw';
import netHardenedSummarize from './net-discovery/hardened-summarize.sql?raw';

/** Every detection is a folder of data (metadata, original KQL, SQL); adding one means adding a folder here. */
export const DETECTIONS: Detection[] = [
  {
    meta: netMeta as DetectionMeta, kql: { defender: netDefender, sentinel: netSentinel }, stagesSql: netStages, summarizeSql: netSummarize,
    hardened: { stagesSql: netHardened, summarizeSql: netHardenedSummarize },
  },
];

export function combinedPrefilter(detections: readonly Detection[] = DETECTIONS): string {
  return detections.map((d) => `(${d.meta.prefilter})`).join(' OR ');
}

/** The detections' hints combined, or null when one of them has none (then every row is read whole). */
export function combinedPrefilterHint(detections: readonly Detection[] = DETECTIONS): { columns: string[]; literals: string[] } | null {
  if (detections.some((d) => !d.meta.prefilterHint)) return null;
  return {
    columns: [...new Set(detections.flatMap((d) => d.meta.prefilterHint!.columns))],
    literals: [...new Set(detections.flatMap((d) => d.meta.prefilterHint!.literals.map((l) => l.toLowerCase())))],
  };
}
