import { existsSync } from 'node:fs';

/** Debian's Chromium (`apt-get install -y chromium`), or CHROMIUM_PATH; Playwright cannot download browsers here. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? '/usr/bin/chromium';
}

/** Without the background-networking flags Chromium itself tries to reach Google's hosts. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
