import type { Engine } from '../../src/lib/engine/engine';
import { loadSource, refreshEventsView } from '../../src/lib/ingest/loader';
import type { FailedSource, LoadedSource } from '../../src/lib/ingest/source';
import type { ColumnMapping } from '../../src/lib/ingest/schema';
import { containerKindOf, expandContainer, zipIsWorkbook } from '../../src/lib/ingest/containers';
import { combinedPrefilter, combinedPrefilterHint, DETECTIONS } from '../../src/lib/detections/registry';
import { runDetection } from '../../src/lib/detections/runner';
import type { RunParams } from '../../src/lib/detections/types';
import { parseTimespan } from '../../src/lib/params/timespan';
import { parseInstant, startOfDay } from '../../src/lib/time/ticks';

export const netDiscovery = DETECTIONS.find((d) => d.meta.id === 'net-discovery')!;

let nextId = 1;

export interface LoadOptions {
  /** Answer to every archive password prompt (null: skip). */
  password?: string | null;
  /** The mapping form's answer, for tables it is needed for. */
  mapping?: ColumnMapping;
  sheet?: string;
  rememberedMapping?: (signature: string) => ColumnMapping | undefined;
  /** Read every row whole (no prefilter hint), to compare with the app's narrow reading. */
  wholeRows?: boolean;
  /** CSV chunk size (the app's default is 16 MiB, so fixtures are otherwise read in one pass). */
  chunkBytes?: number;
  /** A second engine for large CSVs' chunks (the app's scan helper). */
  startScanEngine?: () => Promise<Engine>;
  /** Candidate rows per piece moved into the source's table after a chunked scan. */
  handoverRows?: number;
  /** No chunk is screened on the page: the engines scan every one. */
  engineScansEveryChunk?: boolean;
}

/**
 * Load files (text or bytes) the way the app does, in order, and refresh the events view. Archives are unpacked
 * and each member is its own source, as in the page.
 */
export async function loadAll(engine: Engine, files: { name: string; content: string | Uint8Array }[], displayOffsetMinutes = 0, options: LoadOptions = {}) {
  const loaded: (LoadedSource | FailedSource)[] = [];
  const ctx = { engine, prefilter: combinedPrefilter(), prefilterHint: options.wholeRows ? null : combinedPrefilterHint(), rememberedMapping: options.rememberedMapping, chunkBytes: options.chunkBytes, startScanEngine: options.startScanEngine, handoverRows: options.handoverRows,
    engineScansEveryChunk: options.engineScansEveryChunk };
  const loadOne = async (blob: Blob, name: string) => {
    const id = nextId++;
    loaded.push(await loadSource(ctx, { file: blob, name, id, ordinal: id, displayOffsetMinutes, mapping: options.mapping, sheet: options.sheet }));
  };
  for (const f of files) {
    const blob = new Blob([f.content as BlobPart]);
    const kind = containerKindOf(new Uint8Array(await blob.slice(0, 8).arrayBuffer()));
    if (kind === 'gzip' || (kind === 'zip' && !(await zipIsWorkbook(blob)))) {
      for await (const part of expandContainer(blob, f.name, { askPassword: async () => options.password ?? null })) {
        if (part.kind === 'member') await loadOne(part.file, part.path);
        else loaded.push({ status: 'failed', id: nextId++, name: part.path, size: 0, problem: part.problem });
      }
    } else {
      await loadOne(blob, f.name);
    }
  }
  const removed = await refreshEventsView(engine, loaded.filter((s): s is LoadedSource => s.status === 'ready'));
  for (const s of loaded) if (s.status === 'ready') s.removed = removed.get(s.id) ?? { twins: 0, duplicates: 0, net: 0 };
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
  const removed = await refreshEventsView(engine, ready);
  for (const s of ready) s.removed = removed.get(s.id) ?? { twins: 0, duplicates: 0, net: 0 };
  return runDetection(engine, netDiscovery, runParams(p), ready);
}
