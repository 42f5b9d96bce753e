import { expect, test } from 'vitest';
import { kqlWithValues, allowlistKql } from '../../src/lib/detections/kql';
import { DETECTIONS } from '../../src/lib/detections/registry';

const det = DETECTIONS[0]!;

test('parameters are written into the let lines; the rest of the query is untouched', () => {
  const text = kqlWithValues(det.kql.defender, det, { parameters: { StartTime: '7d', BinFormat: '12h', Threshold: '3' }, allowlist: [] });
  expect(text).toContain('let StartTime = 7d;\nlet BinFormat = 12h;\nlet Threshold = 3;');
  expect(text.split('\n').slice(3)).toEqual(det.kql.defender.split('\n').slice(3));
});

test('the allowlist becomes a filter after isnotempty(AccountUpn): exact names with !in~, wildcards as regexes', () => {
  const text = kqlWithValues(det.kql.sentinel, det, { parameters: {}, allowlist: ['a@x', 'svc-*@corp.com', 'q"uote'] });
  expect(text).toContain('| where isnotempty(AccountUpn)\n| where AccountUpn !in~ ("a@x", "q\\"uote")\n| where not(AccountUpn matches regex "(?i)^svc-.*@corp\\\\.com$")\n| summarize');
  expect(allowlistKql([], 'AccountUpn')).toEqual([]);
});
