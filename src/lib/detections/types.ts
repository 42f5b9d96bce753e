import type { Cell } from '../engine/engine';

export interface ParameterSpec {
  kind: 'timespan' | 'count';
  default: string | number;
  hash: string;
  label: string;
  help: string;
}

export interface DetectionMeta {
  id: string;
  version: string;
  title: string;
  author: string;
  released: string;
  description: string;
  risk: string;
  attack: { id: string; name: string; url: string }[];
  parameters: Record<string, ParameterSpec>;
  /** Candidate filter over canonical columns, applied once per file while loading. */
  prefilter: string;
  /**
   * A cheap superset of the prefilter a reader can test before building rows: a candidate's value in one of these
   * canonical columns contains one of these literals (any letter case). Readers fill every column only for such rows.
   */
  prefilterHint?: { columns: string[]; literals: string[] };
  groupKey: string;
  /** Columns the query adds with `extend`; they end the `*` of arg_max/arg_min. */
  extendedColumns: string[];
  /** Leading output columns; `$bin` stands for the bin column (Timestamp or TimeGenerated). */
  output: string[];
  stages: { name: string; label: string }[];
  /** Stages of hardened mode, for "why no alerts" there. */
  hardenedStages?: { name: string; label: string }[];
  /** What each hardened-mode switch does, in the words the page shows. */
  hardening?: Record<HardeningSwitch, { label: string; help: string }>;
  source: string;
}

export interface Detection {
  meta: DetectionMeta;
  kql: { defender: string; sentinel: string };
  stagesSql: string;
  summarizeSql: string;
  /** The same detection with its known gaps closed (hardened mode), when the detection has one. */
  hardened?: { stagesSql: string; summarizeSql: string };
}

export type Mode = 'exact' | 'hardened';

/** Hardened mode's switches, each closing one gap of the exact query. */
export const HARDENING_SWITCHES = ['case', 'original', 'subcommand', 'accounts', 'noise', 'pairs'] as const;
export type HardeningSwitch = (typeof HARDENING_SWITCHES)[number];
export type Hardening = Record<HardeningSwitch, boolean>;
export const ALL_HARDENING: Hardening = { case: true, original: true, subcommand: true, accounts: true, noise: true, pairs: true };

/** Integer text that must reach the JSON export exactly (a long may exceed 2^53). */
export class NumberText {
  constructor(readonly text: string) {}
}

export type JsonCell = Cell | NumberText | JsonCell[] | { [key: string]: JsonCell };

/** An exported row: key order is part of the contract, so it is a list of pairs. */
export type OrderedRecord = [string, JsonCell][];

export interface Alert {
  /** Stable within one result: account and bin. */
  key: string;
  account: string;
  bin: string;
  binTicks: bigint;
  firstEvent: string;
  lastEvent: string;
  total: number;
  counts: Record<string, number>;
  commands: string[];
  record: OrderedRecord;
  /** Hardened mode: why exact mode would not have counted some of its events, and how many. */
  reasons?: string[];
  newEvents?: number;
  /** Hardened mode: the alert exact mode does not raise at all. */
  notInExact?: boolean;
  /** Hardened mode: expected noise (Defender's own runs, service accounts), shown apart. */
  noise?: string | null;
}

export interface HardenedSummary {
  addedAlerts: number;
  removedAlerts: number;
  addedEvents: number;
  pairedChildren: number;
  noiseEvents: number;
}

export interface DetectionResult {
  alerts: Alert[];
  /** Groups that reached the threshold but whose account is on the allowlist: shown apart, never exported as alerts. */
  suppressed: Alert[];
  columns: string[];
  binColumn: 'Timestamp' | 'TimeGenerated';
  mixedVariants: boolean;
  sql: string;
  mode: Mode;
  /** Hardened mode: groups of expected noise that reached the threshold. */
  noise: Alert[];
  hardened?: HardenedSummary;
}

export interface RunParams {
  cutoff: bigint;
  binTicks: bigint;
  threshold: number;
  allowlist: string[];
  /** Exact (the published KQL) unless hardened. */
  mode?: Mode;
  hardening?: Hardening;
}
