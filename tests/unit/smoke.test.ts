import { test, expect } from 'vitest';
import { createNodeEngine } from '../support/node-engine';
import { loadAll, detect } from '../support/harness';
import { alertsToJson } from '../../src/lib/export/json';

test('smoke', async () => {
  const engine = await createNodeEngine();
  const head = 'Timestamp,DeviceName,FileName,ProcessCommandLine,AccountName,AccountUpn,ProcessId\n';
  const cmds = [...Array(6).fill('net user'), ...Array(3).fill('net group g /domain'), 'net localgroup administrators'];
  const rows = cmds.map((c, i) => `2024-05-09T${String(i + 1).padStart(2, '0')}:00:00.0000000Z,WS1,net.exe,${c},a,a@x,${100 + i}`).join('\n');
  const sources = await loadAll(engine, [{ name: 'mini.csv', content: head + rows }]);
  console.log(sources);
  const res = await detect(engine, sources, { now: '2024-05-10T15:30:00Z' });
  console.log(alertsToJson(res.alerts));
  expect(res.alerts.length).toBe(1);
});
