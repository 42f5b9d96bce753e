import type { ColumnMapping, TableShape, Variant } from './schema';

/** What the file was read as, in words (`Defender Advanced Hunting CSV`, `Windows event XML (Sysmon 1, Security 4688)`, ...). */
export type SourceFormat = string;

/** Rows that could not be used, grouped by why, with where the first ones are. */
export interface RejectGroup {
  reason: string;
  count: number;
  /** 1-based positions of the first few, in `unit`s. */
  first: number[];
  unit: 'data row' | 'line' | 'item' | 'sheet row' | 'record';
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
  /** How the whole source can be read again: from its registered file (csv) or by re-reading the File (rows). */
  reread: 'csv' | 'rows';
  /** Canonical column → the source field(s) it was taken from, in the words the UI shows. */
  fieldsUsed: { column: string; from: string }[];
  /** Events not counted because an equal one is already loaded (duplicates) or its Sysmon twin is (twins). */
  removed: RemovedEvents;
  /** Sheets of a workbook, and the one read. */
  sheets?: string[];
  sheet?: string;
  /** The user's column mapping this source was read with (mapped tables only). */
  mapping?: ColumnMapping;
  candidateTable: string;
  eventsTable: string;
  /** Identity keys of its events, for removing duplicates and Sysmon/Security twins across sources (or null). */
  keysTable: string | null;
}

export interface RemovedEvents {
  twins: number;
  duplicates: number;
  /** Of those, rows with FileName net.exe / net1.exe. */
  net: number;
}

/** Columns and the first rows of a table whose columns were not recognised, for the mapping form. */
export interface Mappable {
  columns: string[];
  preview: (string | null)[][];
  signature: string;
}

export interface FailedSource {
  status: 'failed';
  id: number;
  name: string;
  size: number;
  problem: string;
  /** Set when this is the same file as one already loaded. */
  duplicateOf?: string;
  /** Set when the file is a table whose columns the user can map. */
  mappable?: Mappable;
  sheets?: string[];
  sheet?: string;
}

export interface LoadingSource {
  status: 'loading';
  id: number;
  name: string;
  size: number;
  progress: string;
  /** Bytes read of the file, when the reader knows (for the progress bar). */
  bytes?: { done: number; total: number };
}

export type SourceEntry = LoadedSource | FailedSource | LoadingSource;
