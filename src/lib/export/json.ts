import { NumberText, type Alert, type JsonCell } from '../detections/types';

/**
 * Export JSON: a top-level array of result rows in Kusto's key order. Written by hand because key order matters
 * and longs must keep every digit (JSON.stringify cannot write a BigInt).
 */
export function cellJson(value: JsonCell): string {
  if (value instanceof NumberText) return value.text;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(cellJson).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${cellJson(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}

export function alertsToJson(alerts: readonly Alert[]): string {
  if (alerts.length === 0) return '[]\n';
  const rows = alerts.map((a) => `  {\n${a.record.map(([k, v]) => `    ${JSON.stringify(k)}: ${cellJson(v)}`).join(',\n')}\n  }`);
  return `[\n${rows.join(',\n')}\n]\n`;
}
