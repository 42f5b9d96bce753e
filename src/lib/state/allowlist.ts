/** The account allowlist: one exact name per line; blank lines and `#` comments are ignored. */
export function parseAllowlist(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')))];
}

const KEY = 'localhunt.allowlist';

/** Settings only, never log data, are kept in local storage. */
export function loadAllowlistText(storage: Storage | undefined): string {
  try {
    return storage?.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveAllowlistText(storage: Storage | undefined, text: string): void {
  try {
    if (text.trim() === '') storage?.removeItem(KEY);
    else storage?.setItem(KEY, text);
  } catch {
    // Storage can be unavailable (private mode, quota); the allowlist then lasts for this page only.
  }
}
