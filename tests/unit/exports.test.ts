import { describe, expect, test } from 'vitest';
import { alertsToCsv, csvField, neutraliseFormula } from '../../src/lib/export/csv';
import { alertsToJson, cellJson } from '../../src/lib/export/json';
import { NumberText, type Alert } from '../../src/lib/detections/types';

const alert = (record: Alert['record']): Alert => ({
  key: 'k', account: 'a', bin: '', binTicks: 0n, firstEvent: '', lastEvent: '', total: 0, counts: {}, commands: [], record,
});

describe('CSV export', () => {
  test.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`], ['+1', "'+1"], ['-2+3', "'-2+3"], ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"], ['\rx', "'\rx"], ['net user', 'net user'], ['a=b', 'a=b'],
  ])('neutralises %j', (input, out) => expect(neutraliseFormula(input)).toBe(out));
  test('quotes per RFC 4180 after neutralising', () => {
    expect(csvField('net group "Domain Admins", x')).toBe('"net group ""Domain Admins"", x"');
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
    expect(csvField('a\nb')).toBe('"a\nb"');
  });
  test('writes the columns given, arrays as JSON text, CRLF', () => {
    const csv = alertsToCsv([alert([['TotalEvents', 10], ['ExecutedCommands', ['=cmd', 'net user']], ['ProcessId', new NumberText('18446744073709551615')], ['X', null]])],
      ['TotalEvents', 'ExecutedCommands', 'ProcessId', 'X']);
    expect(csv).toBe('TotalEvents,ExecutedCommands,ProcessId,X\r\n10,"[""=cmd"", ""net user""]",18446744073709551615,\r\n');
  });
});

describe('JSON export', () => {
  test('an empty result is []', () => expect(JSON.parse(alertsToJson([]))).toEqual([]));
  test('keeps key order and every digit of a long', () => {
    const text = alertsToJson([alert([['b', 1], ['a', 'x'], ['ReportId', new NumberText('9007199254740993')], ['d', { k: [true, null] }]])]);
    expect(Object.keys(JSON.parse(text)[0])).toEqual(['b', 'a', 'ReportId', 'd']);
    expect(text).toContain('"ReportId": 9007199254740993');
    expect(cellJson('</script>"\u2028')).toBe(JSON.stringify('</script>"\u2028'));
  });
});
