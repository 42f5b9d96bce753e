/** The account allowlist: one exact name per line; blank lines and `#` comments are ignored. */
export function parseAllowlist(text: string): string[] {
  return [...new Set(text.split(/\r\n|\r|\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')))];
}

const PREFIX = 'localhunt.';
const KEY = `${PREFIX}allowlist`;

/** "Forget everything": remove every setting this app stored. */
export function forgetStoredSettings(storage: Storage | undefined): void {
  try {
    if (!storage) return;
    const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((k): k is string => !!k && k.startsWith(PREFIX));
    for (const k of keys) storage.removeItem(k);
  } catch {
    // Nothing stored, or storage unavailable.
  }
}

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
