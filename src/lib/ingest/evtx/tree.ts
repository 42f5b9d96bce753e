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
  /** `'#attributes'` and child elements; created only when needed. */
  obj: Row | null;
  hasChildren: boolean;
  text: string;
  /** Next number to try per repeated child key. */
  suffixes: Map<string, number> | null;
}

export function newFrame(name: string, key: string, attrs: Row | null): Frame {
  return { name, key, obj: attrs === null ? null : { '#attributes': attrs }, hasChildren: false, text: '', suffixes: null };
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

export function addChild(parent: Frame, key: string, value: unknown): void {
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

export function valueOf(frame: Frame): unknown {
  if (!frame.hasChildren) {
    if (frame.obj === null) return frame.text;
    if (frame.text !== '') put(frame.obj, '#text', frame.text);
    return frame.obj;
  }
  // Mixed content is rare; white space between child elements is layout, not a value.
  if (frame.text.trim() !== '') addChild(frame, '#text', frame.text);
  return frame.obj;
}
