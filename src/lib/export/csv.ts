import { NumberText, type Alert, type JsonCell } from '../detections/types';
import { cellJson } from './json';

/**
 * Export CSV (RFC 4180, CRLF). Cells are log text, so a cell that a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or CR) is prefixed with an apostrophe.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvField(text: string): string {
  const safe = neutraliseFormula(text);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function cellText(value: JsonCell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof NumberText) return value.text;
  if (typeof value === 'object') return cellJson(value);
  return String(value);
}

export function alertsToCsv(alerts: readonly Alert[], columns: readonly string[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const a of alerts) {
    const byName = new Map(a.record);
    lines.push(columns.map((c) => csvField(cellText(byName.get(c) ?? null))).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
