/**
 * Builds a row from rendered elements by the same rule as `windows-xml.ts` (see its header), so an event read
 * from .evtx and the same event saved as XML give equal rows:
 * - an element with only text becomes its text; an empty one without attributes becomes `''`;
 * - attributes go under `'#attributes'`, with `'#text'` beside them when there is text;
 * - child elements become keys, a repeated key gets a number (`Data`, `Data1`, …);
 * - `<Data Name="X">` directly under `<EventData>` becomes the key `X`;
 * - names keep their local part; namespace declarations are dropped.
 * The code is a copy of that rule, not an import: windows-xml.ts keeps it private to its SAX callbacks.
 */

export type Row = Record<string, unknown>;

export interface Frame {
  /** Local element name. */
  name: string;
  /** Key in the parent: the local name, or a `<Data Name>`'s name. */
  key: string;
  attrs: Row | null;
  /**
   * Child keys and values, in order, turned into an object at the end (see `valueOf`): adding two dozen keys one
   * by one to an object makes V8 switch it to slow "dictionary" properties, which cost time and memory per row.
   */
  keys: string[];
  values: unknown[];
  text: string;
  /** Next number to try per repeated child key. */
  suffixes: Map<string, number> | null;
  /** The keys as a set, once there are many (repeated-key checks would otherwise grow quadratic). */
  keySet: Set<string> | null;
}

/** The last key list an element produced and an empty object of that shape, to copy for the next row. */
export interface ShapeCache { keys: string[] | null; shape: Row | null }

export function newFrame(name: string, key: string, attrs: Row | null): Frame {
  return { name, key, attrs, keys: [], values: [], text: '', suffixes: null, keySet: null };
}

/** Assign without `__proto__` turning into a prototype change (names come from the file). */
export function put(obj: Row, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

export function isNamespaceDeclaration(name: string): boolean {
  return name.startsWith('xmlns') && (name.length === 5 || name.charCodeAt(5) === 0x3a);
}

const MANY_KEYS = 32;

function hasKey(frame: Frame, key: string): boolean {
  if (key === '#attributes' && frame.attrs !== null) return true;
  return frame.keySet !== null ? frame.keySet.has(key) : frame.keys.includes(key);
}

function pushKey(frame: Frame, key: string, value: unknown): void {
  frame.keys.push(key);
  frame.values.push(value);
  if (frame.keySet !== null) frame.keySet.add(key);
  else if (frame.keys.length > MANY_KEYS) frame.keySet = new Set(frame.keys);
}

export function addChild(parent: Frame, key: string, value: unknown): void {
  if (!hasKey(parent, key)) {
    pushKey(parent, key, value);
    return;
  }
  parent.suffixes ??= new Map();
  let n = parent.suffixes.get(key) ?? 1;
  while (hasKey(parent, `${key}${n}`)) n++;
  pushKey(parent, `${key}${n}`, value);
  parent.suffixes.set(key, n + 1);
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The frame's value: its text, or an object of '#attributes', child keys and '#text'. Objects with several keys
 * are copied from an empty object of the same shape made by JSON.parse (which V8 gives fast properties), so every
 * row of a template shares one compact layout; `cache` remembers that shape per template element.
 */
export function valueOf(frame: Frame, cache: ShapeCache | null = null): unknown {
  if (frame.keys.length === 0) {
    if (frame.attrs === null) return frame.text;
    const obj: Row = { '#attributes': frame.attrs };
    if (frame.text !== '') obj['#text'] = frame.text;
    return obj;
  }
  // Mixed content is rare; white space between child elements is layout, not a value.
  if (frame.text.trim() !== '') addChild(frame, '#text', frame.text);
  if (frame.attrs !== null) {
    frame.keys.unshift('#attributes');
    frame.values.unshift(frame.attrs);
  }
  const { keys, values } = frame;
  if (cache === null || keys.length < 8 || keys.includes('__proto__')) {
    const obj: Row = {};
    for (let i = 0; i < keys.length; i++) put(obj, keys[i]!, values[i]);
    return obj;
  }
  if (cache.shape === null || cache.keys === null || !sameKeys(cache.keys, keys)) {
    cache.keys = keys.slice();
    cache.shape = JSON.parse(`{${keys.map((k) => `${JSON.stringify(k)}:0`).join(',')}}`) as Row;
  }
  const obj: Row = { ...cache.shape };
  for (let i = 0; i < keys.length; i++) obj[keys[i]!] = values[i];
  return obj;
}
