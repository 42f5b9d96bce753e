// Writes tests/fixtures/windows-xml/wevtutil-utf16le.xml from wevtutil.xml: the same events as PowerShell leaves them
// when it redirects `wevtutil qe` output (UTF-16 LE with a byte-order mark). Run: node tests/tools/make-xml-fixtures.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('../fixtures/windows-xml/', import.meta.url);
const text = readFileSync(new URL('wevtutil.xml', dir), 'utf8');
writeFileSync(new URL('wevtutil-utf16le.xml', dir), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
