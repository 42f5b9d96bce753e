/** The only way values from outside (logs, the user, the URL) get into SQL text. */

export function sqlString(value: string): string {
  if (value.includes('\0')) throw new Error('NUL characters cannot be used in SQL text');
  return `'${value.replaceAll("'", "''")}'`;
}

export function sqlIdent(name: string): string {
  if (name.includes('\0')) throw new Error('NUL characters cannot be used in SQL identifiers');
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlInt(value: bigint | number): string {
  const text = typeof value === 'bigint' ? value.toString() : String(value);
  if (!/^-?\d+$/.test(text)) throw new Error(`not an integer: ${text}`);
  return text;
}

export function sqlStringList(values: readonly string[]): string {
  return values.length ? `[${values.map(sqlString).join(', ')}]` : '[]::VARCHAR[]';
}
