/** `lh_has(s, term)` against the `has` test vectors of docs/kql-semantics.md section 1 (ASCII term characters). */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createNodeEngine } from '../support/node-engine';

/** A SQL string literal; tab and newline are spliced in with chr() so the SQL text stays on one line. */
function lit(s: string | null): string {
  if (s === null) return 'NULL::VARCHAR';
  const parts = s.split(/(\t|\n)/).filter((p) => p !== '')
    .map((p) => (p === '\t' ? 'chr(9)' : p === '\n' ? 'chr(10)' : `'${p.replaceAll("'", "''")}'`));
  return parts.length ? `(${parts.join(' || ')})` : "''";
}

const VECTORS: [lhs: string | null, term: string, expected: boolean][] = [
  ['net localgroup', 'group', false],
  ['net localgroup', 'localgroup', true],
  ['net users', 'user', false],
  ['net users /domain', 'user', false],
  ['net user/domain', 'user', true],
  ['net user /domain', 'user', true],
  ['net.exe user', 'user', true],
  ['NET USER', 'user', true],
  ['net Group', 'group', true],
  ['net1  user', 'user', true],
  ['net user1', 'user', false],
  ['net user_x', 'user', true],
  ['net (user)', 'user', true],
  ['net "user"', 'user', true],
  ['net user-add', 'user', true],
  ['net\tuser', 'user', true],
  ['net\nuser', 'user', true],
  ['netuser', 'user', false],
  ['net useraccounts', 'user', false],
  ['net useraccounts', 'accounts', false],
  ['net accounts /domain', 'accounts', true],
  ['net account', 'accounts', false],
  ['"C:\\Windows\\system32\\net.exe" user bob /add', 'user', true],
  ["net user o'brien", 'user', true],
  ['', 'user', false],
  [null, 'user', false],
  ['net userä', 'user', true],
];

let engine: Awaited<ReturnType<typeof createNodeEngine>>;
beforeAll(async () => { engine = await createNodeEngine(); });
afterAll(() => engine?.close());

test.each(VECTORS)('lh_has(%j, %s) = %s', async (lhs, term, expected) => {
  const rows = await engine.query(`SELECT lh_has(${lit(lhs)}, ${lit(term)}) AS v`);
  expect(rows).toEqual([{ v: expected }]);
});
