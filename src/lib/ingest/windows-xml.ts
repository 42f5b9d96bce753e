import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { RECORDS_PER_POSITION, type JsonItem } from './json-reader';

/**
 * Streaming reader for Windows event XML: Event Viewer "Save as XML" files (`<Events>` root) and `wevtutil qe /f:xml`
 * output (bare `<Event>` elements, no root). Each `<Event>` becomes one row shaped like `evtx_dump` JSON:
 * `{ Event: { System: {...}, EventData: { <Data Name>: text } } }`.
 *
 * How the tree is built (the "general rule"):
 * - an element with only text becomes its text (an empty element without attributes becomes `''`);
 * - an element with attributes gets `'#attributes'`, plus `'#text'` when it also has text, so
 *   `<EventID Qualifiers="0">7045</EventID>` stays `{ '#attributes': { Qualifiers: '0' }, '#text': '7045' }`
 *   like evtx_dump, rather than losing the qualifier;
 * - child elements become keys; a repeated name gets a number: `Data`, `Data1`, `Data2`… (so unnamed `<Data>`
 *   elements keep their order), and so does a repeated `<Data Name>`;
 * - `<Data Name="X">` directly under `<EventData>` becomes the key `X`, valued by the same rule without `Name`;
 * - names keep only their local part (`ns:Foo` → `Foo`); namespace declarations (`xmlns`, `xmlns:*`) are dropped;
 * - all leaf values are strings after entity and character-reference decoding; nothing is converted to numbers.
 *
 * Robustness: the text is cut at every `<Event` start tag and each event is parsed on its own, so a malformed
 * event becomes one reject and reading resumes at the next `<Event`. A nested element literally named `Event`
 * (which Windows never writes) therefore splits its event: the outer part is rejected as unclosed, the inner one
 * reads as an event of its own, and the outer's tail is rejected as content outside any event; none is silent.
 * Between events only white space, comments, processing instructions, `<Events>`/`</Events>` and a DOCTYPE are
 * expected; anything else becomes a reject. A DOCTYPE is skipped and never interpreted, so entities it declares are
 * never expanded: an event that uses one is rejected ("undefined entity").
 */

const EVENT_NAMESPACE = 'http://schemas.microsoft.com/win/2004/08/events/event';
/** Characters kept back at a chunk's end so an `<Event` start tag cut by the chunk boundary is still recognised. */
const HOLD_BACK = 80;
const ROOT_TAG = /<\/?(?:[A-Za-z_][\w.-]{0,63}:)?Events(?=[\s/>])/y;
/** Windows caps an event at 64 KB; far beyond that is a runaway (say, a lost end tag), not an event. */
const MAX_EVENT_CHARS = 4 * 1024 * 1024;
/** Real events nest 4–6 deep; a cap keeps hostile nesting from overflowing later recursive code (JSON.stringify). */
const MAX_DEPTH = 64;
/** An unfinished comment or DOCTYPE between events is buffered whole; past this it is reported, not kept. */
const MAX_DECLARATION_CHARS = 1024 * 1024;
const MAX_REASON_CHARS = 160;

type Row = Record<string, unknown>;

/** Assign without `__proto__` turning into a prototype change (which would drop the value silently). */
function put(obj: Row, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

const isXmlSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isNameStart = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;

/** The `<` of a start tag whose local name begins at `at` (`<Event`, `<e:Event`), or -1. */
function tagStartBefore(text: string, at: number): number {
  const before = text.charCodeAt(at - 1);
  if (before === 0x3c) return at - 1;
  if (before !== 0x3a) return -1;
  let start = at - 1;
  while (start > 0 && at - start <= 64 && isNameChar(text.charCodeAt(start - 1))) start--;
  return start < at - 1 && text.charCodeAt(start - 1) === 0x3c && isNameStart(text.charCodeAt(start)) ? start - 1 : -1;
}

/**
 * Index of the next `<Event` start tag (any namespace prefix) at or after `from`, or -1; `<EventData` and
 * `<Events` do not count. Finding the name and looking around it beats a regular expression stopping at every `<`.
 */
function nextEventStart(text: string, from: number): number {
  for (let at = text.indexOf('Event', from); at >= 0; at = text.indexOf('Event', at + 1)) {
    const after = text.charCodeAt(at + 5);
    if (after !== 0x3e && after !== 0x2f && !isXmlSpace(after)) continue;
    const lt = tagStartBefore(text, at);
    if (lt >= from) return lt;
  }
  return -1;
}

/** Attacker-controlled names can reach parser messages: keep reasons short and printable. */
function shortReason(message: string): string {
  const clean = message.replace(/^\d+:\d+: /, '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\.$/, '');
  return clean.length > MAX_REASON_CHARS ? `${clean.slice(0, MAX_REASON_CHARS)}…` : clean;
}

function abortError(): Error {
  return new DOMException('reading the Windows event XML was aborted', 'AbortError');
}

// ---------------------------------------------------------------------------------------------------------------
// One event: saxes callbacks → evtx_dump-shaped object

interface Frame {
  /** Local element name. */
  name: string;
  /** Key in the parent: the local name, or a `<Data Name>`'s name. */
  key: string;
  /** `'#attributes'` and child elements; created only when needed. */
  obj: Row | null;
  hasChildren: boolean;
  text: string;
  /** Next number to try per repeated child key, so a thousand `<Data>` stay linear. */
  suffixes: Map<string, number> | null;
}

interface Attributes {
  attrs: Row | null;
  /** The `Name` attribute of a `<Data>` element, which becomes its key instead. */
  dataName: string | undefined;
}

function attributesOf(tag: SaxesTagPlain, takeName: boolean): Attributes {
  let attrs: Row | null = null;
  let dataName: string | undefined;
  const raw = tag.attributes;
  for (const name in raw) {
    const value = raw[name] ?? '';
    if (takeName && name === 'Name') {
      dataName = value;
      continue;
    }
    if (name.startsWith('xmlns') && (name.length === 5 || name.charCodeAt(5) === 0x3a)) continue;
    attrs ??= {};
    const local = localName(name);
    // A prefixed attribute whose local name is taken keeps its full name rather than overwrite the other.
    const clash = local !== name && (Object.hasOwn(attrs, local) || raw[local] !== undefined);
    put(attrs, clash ? name : local, value);
  }
  return { attrs, dataName };
}

function addChild(parent: Frame, key: string, value: unknown): void {
  const obj = (parent.obj ??= {});
  parent.hasChildren = true;
  // `obj[key]` alone would see inherited names such as `constructor`.
  if (obj[key] === undefined || !Object.hasOwn(obj, key)) {
    put(obj, key, value);
    return;
  }
  parent.suffixes ??= new Map();
  let n = parent.suffixes.get(key) ?? 1;
  while (Object.hasOwn(obj, `${key}${n}`)) n++;
  put(obj, `${key}${n}`, value);
  parent.suffixes.set(key, n + 1);
}

function valueOf(frame: Frame): unknown {
  if (!frame.hasChildren) {
    if (frame.obj === null) return frame.text;
    if (frame.text !== '') put(frame.obj, '#text', frame.text);
    return frame.obj;
  }
  // Mixed content is rare; the white space that indents child elements is layout, not a value.
  if (frame.text.trim() !== '') addChild(frame, '#text', frame.text);
  return frame.obj;
}

/** Parses the text of one `<Event>` element, fed piece by piece; reusable for the next event. */
class EventParser {
  private parser = this.createParser();
  private stack: Frame[] = [];
  private written = 0;
  /** Offset just past the root's end tag, relative to the event's first character. */
  private endOffset = -1;
  /** Line of the file where the event starts, to name lines in reasons. */
  private firstLine = 1;
  private closing = false;
  row: Row | null = null;
  error: string | null = null;

  begin(firstLine: number): void {
    this.firstLine = firstLine;
    this.closing = false;
    this.stack = [];
    this.written = 0;
    this.endOffset = -1;
    this.row = null;
    this.error = null;
  }

  /** Feed the next piece; returns the index in `text` just past `</Event>` once the event is complete, else -1. */
  write(text: string): number {
    if (this.error !== null || this.row !== null) return -1;
    if (this.written + text.length > MAX_EVENT_CHARS) {
      this.error = `event longer than ${MAX_EVENT_CHARS / 1024 / 1024} MiB (line ${this.firstLine})`;
      return -1;
    }
    const before = this.written;
    this.written += text.length;
    this.parser.write(text);
    if (this.row === null) return -1;
    this.reset();
    return this.endOffset - before;
  }

  /** The text of this event ended before `</Event>`: report why. */
  end(): string {
    this.closing = true;
    this.reset(); // closing reports what is left open ("unclosed tag: Event") unless an error came first
    return this.error ?? `the event ends early (line ${this.firstLine})`;
  }

  private reset(): void {
    try {
      this.parser.close();
    } catch {
      this.parser = this.createParser(); // a parser that failed mid-token may refuse to close; start afresh
    }
  }

  private get open(): boolean {
    return this.error === null && this.row === null;
  }

  private fail(message: string): void {
    if (!this.open) return;
    // At the close the parser stands past the event's last line; the event's own line is the useful one then.
    const line = this.closing ? this.firstLine : this.firstLine + this.parser.line - 1;
    this.error = `${shortReason(message)} (line ${line})`;
  }

  private createParser(): SaxesParser {
    const parser = new SaxesParser();
    parser.on('error', (e) => this.fail(e.message));
    parser.on('opentag', (tag) => this.openTag(tag));
    parser.on('closetag', () => this.closeTag());
    parser.on('text', (t) => this.addText(t));
    parser.on('cdata', (t) => this.addText(t)); // CDATA is text; without a handler saxes would drop it
    return parser;
  }

  private openTag(tag: SaxesTagPlain): void {
    if (!this.open) return;
    if (this.stack.length >= MAX_DEPTH) {
      this.fail(`elements nested deeper than ${MAX_DEPTH}`);
      return;
    }
    const name = localName(tag.name);
    const parent = this.stack[this.stack.length - 1];
    const { attrs, dataName } = attributesOf(tag, name === 'Data' && parent?.name === 'EventData');
    const key = dataName === undefined || dataName === '' ? name : dataName;
    this.stack.push({ name, key, obj: attrs === null ? null : { '#attributes': attrs }, hasChildren: false, text: '', suffixes: null });
  }

  private closeTag(): void {
    if (!this.open) return;
    const frame = this.stack.pop();
    if (frame === undefined) return; // saxes reports the stray end tag as an error
    const value = valueOf(frame);
    const parent = this.stack[this.stack.length - 1];
    if (parent !== undefined) {
      addChild(parent, frame.key, value);
      return;
    }
    const row: Row = {};
    put(row, frame.key, value);
    this.row = row;
    this.endOffset = this.parser.position;
  }

  private addText(text: string): void {
    if (!this.open) return;
    const frame = this.stack[this.stack.length - 1];
    if (frame !== undefined) frame.text += text; // outside the root saxes allows only white space
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Between events: the prolog, `<Events>`, `</Events>`, white space

const INCOMPLETE = -1;
const UNEXPECTED = -2;

/** End of a tag starting at `from`, stepping over quoted attribute values (`>` is legal inside them). */
function tagEnd(s: string, from: number): number {
  let quote = '';
  for (let i = from + 1; i < s.length; i++) {
    const c = s[i];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  return INCOMPLETE;
}

/** End of `<!DOCTYPE …>`, including an internal subset whose quoted values and comments may hold `]` or `>`. */
function doctypeEnd(s: string, from: number): number {
  let quote = '';
  let depth = 0;
  for (let i = from + 9; i < s.length; i++) {
    const c = s[i];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '>' && depth === 0) return i + 1;
    else if (c === '<' && depth > 0 && s.startsWith('<!--', i)) {
      const close = s.indexOf('-->', i + 4);
      if (close < 0) return INCOMPLETE;
      i = close + 2;
    }
  }
  return INCOMPLETE;
}

function afterMarker(s: string, from: number, marker: string): number {
  const at = s.indexOf(marker, from);
  return at < 0 ? INCOMPLETE : at + marker.length;
}

/** End of the declaration or root tag at `from` (which holds `<`), INCOMPLETE, or UNEXPECTED. */
function declarationEnd(s: string, from: number): number {
  if (s.startsWith('<?', from)) return afterMarker(s, from + 2, '?>');
  if (s.startsWith('<!--', from)) return afterMarker(s, from + 4, '-->');
  if (s.startsWith('<!DOCTYPE', from)) return doctypeEnd(s, from);
  ROOT_TAG.lastIndex = from;
  if (ROOT_TAG.test(s)) return tagEnd(s, from);
  // Every declaration ends with `>`: without one the construct may still be arriving.
  return s.indexOf('>', from) < 0 ? INCOMPLETE : UNEXPECTED;
}

/** Declarations whose body may contain `<Event` without it being an event (a comment, a DOCTYPE entity). */
const isOpaque = (s: string): boolean => s.startsWith('<!--') || s.startsWith('<?') || s.startsWith('<!DOCTYPE');

/** Between events a byte-order mark counts as white space: concatenated exports each bring their own. */
const isGapSpace = (c: number): boolean => isXmlSpace(c) || c === 0xfeff;

/** Checks the text between events, piece by piece; calls `onUnexpected` once per run of unexpected content. */
class GapScanner {
  private buf = '';
  private line = 1;
  private inUnexpected = false;
  sawRoot = false;

  constructor(private readonly onUnexpected: (line: number) => void) {}

  start(line: number): void {
    this.buf = '';
    this.line = line;
    this.inUnexpected = false;
  }

  /** True while an unfinished comment, PI or DOCTYPE is buffered, so an `<Event` inside it is not an event. */
  get inDeclaration(): boolean {
    return this.buf !== '' && isOpaque(this.buf);
  }

  feed(text: string): void {
    this.buf += text;
    this.scan(false);
    if (this.buf.length > MAX_DECLARATION_CHARS) this.unexpectedRest();
  }

  finish(): void {
    this.scan(true);
    if (this.buf !== '') this.unexpectedRest();
  }

  private scan(final: boolean): void {
    const s = this.buf;
    let i = 0;
    while (i < s.length) {
      if (isGapSpace(s.charCodeAt(i))) {
        i++;
        continue;
      }
      const end = s.charCodeAt(i) === 0x3c ? declarationEnd(s, i) : UNEXPECTED;
      if (end === INCOMPLETE && !final) break;
      if (end >= 0) {
        ROOT_TAG.lastIndex = i;
        if (s[i + 1] !== '/' && ROOT_TAG.test(s)) this.sawRoot = true;
        this.inUnexpected = false;
        i = end;
        continue;
      }
      this.unexpected(s, i);
      const next = s.indexOf('<', i + 1);
      i = next < 0 ? s.length : next;
    }
    this.consume(i);
  }

  private unexpected(s: string, at: number): void {
    if (this.inUnexpected) return;
    this.inUnexpected = true;
    this.onUnexpected(this.line + countNewlines(s, 0, at));
  }

  private unexpectedRest(): void {
    this.unexpected(this.buf, 0);
    this.consume(this.buf.length);
  }

  private consume(n: number): void {
    if (n === 0) return;
    this.line += countNewlines(this.buf, 0, n);
    this.buf = this.buf.slice(n);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The whole text: cut at `<Event`, number lines and records, collect items

class EventSplitter {
  items: JsonItem[] = [];
  private line = 1;
  private inEvent = false;
  private eventLine = 0;
  private eventRecord = 0;
  private sawEvent = false;
  private readonly event = new EventParser();
  private readonly gap = new GapScanner((line) => this.onUnexpected(line));
  private recordLine = 0;
  private onLine = 0;

  /** Process `text`; returns the tail kept back (unless `final`) because an `<Event` tag may continue past it. */
  push(text: string, final: boolean): string {
    const limit = final ? text.length : Math.max(0, text.length - HOLD_BACK);
    let from = 0;
    for (let at = nextEventStart(text, 0); at >= 0 && at < limit; at = nextEventStart(text, at + 1)) {
      this.take(text.slice(from, at));
      from = at;
      if (!this.inEvent && this.gap.inDeclaration) continue;
      this.startEvent();
    }
    this.take(text.slice(from, limit));
    return text.slice(limit);
  }

  finish(): void {
    this.closeSegment();
    if (!this.sawEvent && !this.gap.sawRoot) throw new Error('not Windows event XML: no <Events> or <Event> element found');
  }

  private recordFor(line: number): number {
    if (line !== this.recordLine) {
      this.recordLine = line;
      this.onLine = 0;
    }
    return line * RECORDS_PER_POSITION + Math.min(this.onLine++, RECORDS_PER_POSITION - 1);
  }

  private startEvent(): void {
    this.closeSegment();
    this.sawEvent = true;
    this.inEvent = true;
    this.eventLine = this.line;
    this.eventRecord = this.recordFor(this.line);
    this.event.begin(this.line);
  }

  /** End the current event (it is cut short) or the current gap. */
  private closeSegment(): void {
    if (this.inEvent) {
      this.inEvent = false;
      this.items.push({ position: this.eventLine, record: this.eventRecord, reject: `malformed XML: ${this.event.end()}` });
    } else {
      this.gap.finish();
    }
  }

  private take(piece: string): void {
    if (piece === '') return;
    if (!this.inEvent) {
      this.gap.feed(piece);
    } else {
      const cut = this.event.write(piece);
      if (cut >= 0) {
        this.inEvent = false;
        this.items.push({ position: this.eventLine, record: this.eventRecord, row: this.event.row ?? {} });
        this.gap.start(this.line + countNewlines(piece, 0, cut));
        this.gap.feed(piece.slice(cut));
      }
    }
    this.line += countNewlines(piece, 0, piece.length);
  }

  private onUnexpected(line: number): void {
    // Before any root, stray content means this is some other file, not a damaged export.
    if (!this.sawEvent && !this.gap.sawRoot) {
      throw new Error(`not Windows event XML: expected <Events> or <Event> but found other content at line ${line}`);
    }
    this.items.push({ position: line, record: this.recordFor(line), reject: 'malformed XML: content outside any <Event> element' });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

/** True when a text prefix (BOM and leading white space already removed) is Windows event XML. */
export function looksLikeWindowsEventXml(prefix: string): boolean {
  let i = 0;
  for (;;) {
    while (i < prefix.length && isGapSpace(prefix.charCodeAt(i))) i++;
    if (!isOpaque(prefix.slice(i, i + 9))) break;
    const end = declarationEnd(prefix, i);
    // A prolog longer than the prefix: judge by the DOCTYPE's root name, the only hint available.
    if (end < 0) return /^<!DOCTYPE\s+(?:[\w.-]+:)?Events?[\s[>]/.test(prefix.slice(i, i + 200));
    i = end;
  }
  ROOT_TAG.lastIndex = i;
  const isRoot = prefix[i + 1] !== '/' && ROOT_TAG.test(prefix);
  const event = nextEventStart(prefix, i);
  if (event === i) return isWindowsEvent(prefix, i);
  if (!isRoot) return false;
  if (event >= 0) return isWindowsEvent(prefix, event);
  // `<Events>` and no event in the prefix: an empty export, or a prefix cut right after the root tag.
  const rootEnd = tagEnd(prefix, i);
  return rootEnd < 0 || /^\s*(?:<\/(?:[\w.-]+:)?Events\s*>\s*)?$/.test(prefix.slice(rootEnd));
}

/** The Event element carries the Windows event namespace, or (from tools that drop it) starts with `<System>`. */
function isWindowsEvent(prefix: string, at: number): boolean {
  const end = tagEnd(prefix, at);
  if (end < 0) return true; // cut inside the very first tag: nothing contradicts it
  return prefix.slice(at, end).includes(EVENT_NAMESPACE) || /^\s*<(?:[\w.-]+:)?System[\s>]/.test(prefix.slice(end, end + 200));
}

/** PowerShell redirection writes UTF-16 LE with a BOM; without one, ASCII `<` followed by a NUL gives it away. */
async function detectEncoding(file: Blob): Promise<'utf-8' | 'utf-16le'> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  return head[0] !== 0 && head[1] === 0 ? 'utf-16le' : 'utf-8';
}

/** Chunks of the file; the next read is requested before the caller parses this chunk, so reading overlaps parsing. */
async function* readAhead(file: Blob, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  let next = reader.read();
  let finished = false;
  try {
    for (;;) {
      const result = await next;
      if (signal?.aborted) throw abortError();
      if (result.done) break;
      next = reader.read();
      yield result.value;
    }
    finished = true;
  } finally {
    if (!finished) {
      next.catch(() => undefined); // settled by the cancel; nobody awaits it any more
      await reader.cancel().catch(() => undefined);
    }
    reader.releaseLock();
  }
}

/** Full batches from the collected items; with `keepLast`, a final remainder of up to `batchRows` stays behind. */
function* fullBatches(splitter: EventSplitter, batchRows: number, bytesRead: number, keepLast: boolean, signal?: AbortSignal) {
  const items = splitter.items;
  const least = keepLast ? batchRows + 1 : batchRows;
  let taken = 0;
  while (items.length - taken >= least) {
    yield { items: items.slice(taken, taken + batchRows), bytesRead };
    taken += batchRows;
    if (signal?.aborted) throw abortError();
  }
  if (taken > 0) splitter.items = items.slice(taken);
}

/**
 * Stream the events of `file` in batches of `batchRows` items; the last batch holds the rest (empty when the file
 * has no events). `position` is the line where `<Event` begins; `record` orders events that start on one line.
 */
export async function* readWindowsEventXml(
  file: Blob,
  opts: { batchRows: number; encoding?: 'utf-8' | 'utf-16le'; signal?: AbortSignal },
): AsyncGenerator<{ items: JsonItem[]; bytesRead: number }> {
  const { signal } = opts;
  const batchRows = Math.max(1, Math.floor(opts.batchRows) || 1);
  if (signal?.aborted) throw abortError();
  if (file.size === 0) throw new Error('not Windows event XML: the file is empty');
  const decoder = new TextDecoder(opts.encoding ?? (await detectEncoding(file))); // drops the BOM
  const splitter = new EventSplitter();
  let bytesRead = 0;
  let carry = '';
  for await (const chunk of readAhead(file, signal)) {
    bytesRead += chunk.byteLength;
    carry = splitter.push(carry + decoder.decode(chunk, { stream: true }), false);
    yield* fullBatches(splitter, batchRows, bytesRead, false, signal);
  }
  splitter.push(carry + decoder.decode(), true);
  splitter.finish();
  yield* fullBatches(splitter, batchRows, bytesRead, true, signal);
  yield { items: splitter.items, bytesRead };
}
