import type { TableShape, Variant } from './schema';

export type SourceFormat =
  | 'Defender Advanced Hunting CSV'
  | 'Sentinel / Log Analytics CSV'
  | 'Advanced Hunting API JSON'
  | 'Graph runHuntingQuery JSON'
  | 'JSON array of rows'
  | 'JSON lines'
  | 'Defender streaming API JSON';

/** Rows that could not be used, grouped by why, with where the first ones are. */
export interface RejectGroup {
  reason: string;
  count: number;
  /** 1-based positions of the first few, in `unit`s. */
  first: number[];
  unit: 'data row' | 'line' | 'item';
}

/** Records that are fine but are not process events (other Defender tables in a streaming dump). */
export interface SkipGroup {
  reason: string;
  count: number;
}

export type DayOrderBasis = 'values' | 'am-pm' | 'default' | 'conflict';

export interface DayOrder {
  column: string;
  dayFirst: boolean;
  basis: DayOrderBasis;
}

export interface LoadedSource {
  status: 'ready';
  id: number;
  /** Position in load order; rows of earlier sources come first in "source order". */
  ordinal: number;
  name: string;
  size: number;
  format: SourceFormat;
  variant: Variant;
  shape: TableShape;
  rowsRead: number;
  rejected: RejectGroup[];
  skipped: SkipGroup[];
  /** Ticks of the first and last accepted event time, or null when no row has a time. */
  minTime: bigint | null;
  maxTime: bigint | null;
  /** Rows whose FileName is exactly net.exe or net1.exe. */
  netRows: number;
  /** Rows whose AccountUpn (as the detection sees it) is not empty. */
  upnNonEmpty: number;
  /** Portal display-style times carry no zone: minutes east of UTC the export was displayed in. */
  displayOffsetMinutes: number;
  hasDisplayTimes: boolean;
  dayOrders: DayOrder[];
  notes: string[];
  /** Engine objects owned by this source. */
  engineFile: string | null;
  /** How the whole source can be read again: from its registered file (csv) or by re-reading the File (json). */
  reread: 'csv' | 'json';
  candidateTable: string;
  eventsTable: string;
}

export interface FailedSource {
  status: 'failed';
  id: number;
  name: string;
  size: number;
  problem: string;
  /** Set when this is the same file as one already loaded. */
  duplicateOf?: string;
}

export interface LoadingSource {
  status: 'loading';
  id: number;
  name: string;
  size: number;
  progress: string;
}

export type SourceEntry = LoadedSource | FailedSource | LoadingSource;
