/**
 * Log text for the screen. Every log string is attacker-controlled: it is rendered as text (never HTML), and the
 * characters that would hide or reorder what the analyst reads (controls, bidi overrides, zero-width and other
 * invisible characters) are shown as visible tokens instead of being obeyed.
 */
export interface Segment {
  text: string;
  /** Set when `text` is a visible stand-in for an invisible or control character. */
  special?: string;
}

// C0/C1 controls (tab, CR, LF too: a command line's line breaks are evidence), bidi embeddings, overrides and
// isolates, zero-width and joiner characters, soft hyphen, BOM and other invisible format characters.
const HIDDEN = /[\u0000-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFFB]/g;

const NAMES: Record<string, string> = { '\t': 'TAB', '\n': 'LF', '\r': 'CR', '\u0000': 'NUL', '\u202E': 'RLO', '\u202D': 'LRO', '\u202B': 'RLE',
  '\u202A': 'LRE', '\u202C': 'PDF', '\u2066': 'LRI', '\u2067': 'RLI', '\u2068': 'FSI', '\u2069': 'PDI', '\u200B': 'ZWSP', '\u200C': 'ZWNJ',
  '\u200D': 'ZWJ', '\u200E': 'LRM', '\u200F': 'RLM', '\uFEFF': 'BOM', '\u00AD': 'SHY', '\u2028': 'LSEP', '\u2029': 'PSEP' };

export function tokenFor(ch: string): string {
  return NAMES[ch] ?? `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function visibleSegments(text: string, maxLength = Infinity): { segments: Segment[]; omitted: number } {
  const shown = text.length > maxLength ? text.slice(0, maxLength) : text;
  const segments: Segment[] = [];
  let last = 0;
  for (const m of shown.matchAll(HIDDEN)) {
    if (m.index > last) segments.push({ text: shown.slice(last, m.index) });
    segments.push({ text: tokenFor(m[0]), special: m[0] });
    last = m.index + 1;
  }
  if (last < shown.length) segments.push({ text: shown.slice(last) });
  return { segments, omitted: text.length - shown.length };
}

/** One-line plain form, for titles and messages. */
export function visiblePlain(text: string, maxLength = 200): string {
  const { segments, omitted } = visibleSegments(text, maxLength);
  return segments.map((s) => (s.special ? `⟨${s.text}⟩` : s.text)).join('') + (omitted ? `… (+${omitted} characters)` : '');
}
