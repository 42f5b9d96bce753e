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
  groupKey: string;
  /** Columns the query adds with `extend`; they end the `*` of arg_max/arg_min. */
  extendedColumns: string[];
  /** Leading output columns; `$bin` stands for the bin column (Timestamp or TimeGenerated). */
  output: string[];
  stages: { name: string; label: string }[];
  source: string;
}

export interface Detection {
  meta: DetectionMeta;
  kql: { defender: string; sentinel: string };
  stagesSql: string;
  summarizeSql: string;
}

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
}

export interface DetectionResult {
  alerts: Alert[];
  /** Groups that reached the threshold but whose account is on the allowlist: shown apart, never exported as alerts. */
  suppressed: Alert[];
  columns: string[];
  binColumn: 'Timestamp' | 'TimeGenerated';
  mixedVariants: boolean;
  sql: string;
}

export interface RunParams {
  cutoff: bigint;
  binTicks: bigint;
  threshold: number;
  allowlist: string[];
}
