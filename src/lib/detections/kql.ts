import type { Detection } from './types';

/**
 * The detection's original KQL with the current parameters written into its `let` lines, and the allowlist added
 * as a filter, ready to paste into Defender Advanced Hunting, Sentinel or Azure Data Explorer.
 */
export interface KqlValues {
  /** By parameter name (StartTime, BinFormat, Threshold): KQL literals such as `2d` or `10`. */
  parameters: Record<string, string>;
  allowlist: readonly string[];
}

const kqlString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`;
const regexQuote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function allowlistKql(entries: readonly string[], column: string): string[] {
  const exact = entries.filter((e) => !e.includes('*'));
  const wildcards = entries.filter((e) => e.includes('*'));
  const lines: string[] = [];
  if (exact.length) lines.push(`| where ${column} !in~ (${exact.map(kqlString).join(', ')})`);
  for (const w of wildcards) {
    const pattern = `(?i)^${w.split('*').map(regexQuote).join('.*')}$`;
    lines.push(`| where not(${column} matches regex ${kqlString(pattern)})`);
  }
  return lines;
}

export function kqlWithValues(kql: string, detection: Detection, values: KqlValues): string {
  let text = kql.replace(/^let (\w+) = [^;\n]*;/gm, (line, name: string) => (name in values.parameters ? `let ${name} = ${values.parameters[name]};` : line));
  const filter = allowlistKql(values.allowlist, detection.meta.groupKey);
  if (filter.length) {
    const anchor = new RegExp(`^\\| where isnotempty\\(${detection.meta.groupKey}\\)$`, 'm');
    text = anchor.test(text) ? text.replace(anchor, (line) => [line, ...filter].join('\n')) : `${text.trimEnd()}\n${filter.join('\n')}`;
  }
  return text;
}
