import type { Alert } from '../detections/types';

/** Everything the hand-over report shows. Every string that came from a log is attacker-controlled. */
export interface ReportInput {
  appVersion: string;
  generatedAt: string; // ISO instant, UTC
  detection: {
    id: string;
    title: string;
    version: string;
    author: string;
    attack: { id: string; name: string; url: string }[];
    kqlDefender: string;
    kqlSentinel: string;
    /** The SQL that produced the alerts, with parameters bound. */
    sql: string;
  };
  parameters: {
    startTime: string; // e.g. "2d"
    binFormat: string; // e.g. "1d"
    threshold: number;
    nowSetting: string; // "latest" | "clock" | an ISO instant as typed
    resolvedNow: string | null; // YYYY-MM-DDTHH:MM:SS.fffffffZ
    cutoff: string | null;
    allowlist: string[];
    binColumn: string; // Timestamp | TimeGenerated
  };
  files: ReportFile[];
  alerts: Alert[];
  suppressed: Alert[];
  /** Inline SVG markup of the charts (already rendered by Observable Plot), with a title and a text alternative each. */
  charts: { title: string; description: string; svg: string }[];
}

export interface ReportFile {
  name: string;
  size: number;
  /** Hex SHA-256 of the whole file, or null when it could not be computed. */
  sha256: string | null;
  status: 'loaded' | 'failed' | 'duplicate';
  problem?: string;
  format?: string;
  variant?: string;
  rowsRead?: number;
  rejected?: number;
  rejectReasons?: string[];
  duplicateOf?: string;
  /** Parse decisions: day order per column, display time zone, how accounts are keyed. */
  decisions: string[];
  timeRange?: { first: string | null; last: string | null };
}
