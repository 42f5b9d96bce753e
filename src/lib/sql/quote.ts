/** The only way values from outside (logs, the user, the URL) get into SQL text. */

/** A string literal. Log values may hold NUL, which SQL text cannot: it is spliced in with chr(0). */
export function sqlString(value: string): string {
  const literal = `'${value.replaceAll("'", "''")}'`;
  return value.includes('\0') ? `(${literal.split('\0').join("' || chr(0) || '")})` : literal;
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

