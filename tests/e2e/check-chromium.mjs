// Runs before the browser tests: say plainly how to get Chromium when it is missing.
import { existsSync } from 'node:fs';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
const found = candidates.find((p) => existsSync(p));
if (!found) {
  console.error([
    'Chromium was not found, so the browser tests cannot run.',
    'Install it (Debian/Ubuntu):   sudo apt-get install -y chromium',
    'or point CHROMIUM_PATH at a Chromium or Chrome binary:   CHROMIUM_PATH=/path/to/chrome npm test',
    '(`npx playwright install` downloads a browser and is not needed.)',
  ].join('\n'));
  process.exit(1);
}
console.log(`Browser tests use ${found}`);
