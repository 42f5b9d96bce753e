import type { Engine } from '../../src/lib/engine/engine';
import { loadSource, refreshEventsView } from '../../src/lib/ingest/loader';
import type { FailedSource, LoadedSource } from '../../src/lib/ingest/source';
import { combinedPrefilter, DETECTIONS } from '../../src/lib/detections/registry';
import { runDetection } from '../../src/lib/detections/runner';
import type { RunParams } from '../../src/lib/detections/types';
import { parseTimespan } from '../../src/lib/params/timespan';
import { parseInstant, startOfDay } from '../../src/lib/time/ticks';

export const netDiscovery = DETECTIONS.find((d) => d.meta.id === 'net-discovery')!;

let nextId = 1;

/** Load files (text or bytes) the way the app does, in order, and refresh the events view. */
export async function loadAll(engine: Engine, files: { name: string; content: string | Uint8Array }[], displayOffsetMinutes = 0) {
  const loaded: (LoadedSource | FailedSource)[] = [];
  for (const f of files) {
    const id = nextId++;
    const blob = new Blob([f.content as BlobPart]);
    loaded.push(await loadSource({ engine, prefilter: combinedPrefilter() }, { file: blob, name: f.name, id, ordinal: id, displayOffsetMinutes }));
  }
  await refreshEventsView(engine, loaded.filter((s): s is LoadedSource => s.status === 'ready'));
  return loaded;
}

export interface TestParams {
  start?: string;
  bin?: string;
  threshold?: number;
  now: string;
  allowlist?: string[];
}

export function runParams(p: TestParams): RunParams {
  const now = parseInstant(p.now);
  const start = parseTimespan(p.start ?? '2d');
  const bin = parseTimespan(p.bin ?? '1d');
  if (now === null || start === null || bin === null) throw new Error(`bad test params ${JSON.stringify(p)}`);
  return { cutoff: startOfDay(now - start), binTicks: bin, threshold: p.threshold ?? 10, allowlist: p.allowlist ?? [] };
}

/** Run the detection over exactly these sources (the events view is refreshed to hold only them). */
export async function detect(engine: Engine, sources: (LoadedSource | FailedSource)[], p: TestParams) {
  const ready = sources.filter((s): s is LoadedSource => s.status === 'ready');
  await refreshEventsView(engine, ready);
  return runDetection(engine, netDiscovery, runParams(p), ready);
}
