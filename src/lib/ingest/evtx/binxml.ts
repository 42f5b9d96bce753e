/**
 * Binary XML of one EVTX chunk (MS-EVEN6 §2.2.12, as stored in .evtx files): records are a fragment header and a
 * template instance; the template (an element tree with numbered substitutions) is defined inline the first time
 * a chunk uses it and referenced by its chunk offset after that. Names are chunk offsets too, written inline at
 * their first use. Substitution values of type BinXml hold a nested fragment: that is how Sysmon and Security
 * events carry their `<EventData>` (an outer System template plus an inner provider template).
 *
 * Each template is compiled once per chunk into a small tree; a record is rendered by walking that tree with its
 * values, straight into the evtx_dump-shaped row (see tree.ts), with no XML text in between.
 *
 * Rendering follows the spec's rules: an attribute whose value is empty is left out (so `Qualifiers` and
 * `ActivityID` disappear when null, as in Windows' XML); an element whose dependency identifier names a null
 * value is left out (except a template's root element: that would drop the whole event); an array value repeats
 * its element once per item.
 */
import { ValueType, arrayItems, scalarText, type TextReader } from './values';
import { addChild, isNamespaceDeclaration, localName, newFrame, put, valueOf, type Frame, type Row, type ShapeCache } from './tree';

/** Damage in the binary XML: the record becomes a reject. */
export class BinXmlError extends Error {}

// Tokens; 0x40 on OPEN means "has attributes", on the others "more data follows" (not needed to parse).
const EOF = 0x00;
const OPEN = 0x01;
const OPEN_WITH_ATTRIBUTES = 0x41;
const CLOSE_START = 0x02;
const CLOSE_EMPTY = 0x03;
const END_ELEMENT = 0x04;
const VALUE = 0x05;
const ATTRIBUTE = 0x06;
const CDATA = 0x07;
const CHAR_REF = 0x08;
const ENTITY_REF = 0x09;
const PI_TARGET = 0x0a;
const PI_DATA = 0x0b;
const TEMPLATE_INSTANCE = 0x0c;
const SUBSTITUTION = 0x0d;
const OPTIONAL_SUBSTITUTION = 0x0e;
const FRAGMENT_HEADER = 0x0f;
const MORE = 0x40;

const NO_DEPENDENCY = 0xffff;
/** Real events nest elements 4–6 deep and BinXml values once; caps keep hostile files from exhausting the stack. */
const MAX_ELEMENT_DEPTH = 64;
const MAX_FRAGMENT_DEPTH = 16;
/**
 * Elements one record may render. Arrays repeat their element per item (and two arrays in one element multiply),
 * so a hostile 64 KiB record could otherwise ask for billions; real events render a few dozen.
 */
const MAX_ELEMENTS_PER_RECORD = 100_000;
/** Bytes of a template definition header: next offset, GUID, data size. */
const TEMPLATE_HEADER = 24;

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

// ---------------------------------------------------------------------------------------------------------------
// Compiled templates

const TEXT = 0;
const ELEMENT = 1;
const SUBST = 2;

interface TText { kind: typeof TEXT; text: string }
interface TSubst { kind: typeof SUBST; index: number }
interface TAttr {
  name: string;
  /** Key under '#attributes': the local name, or the full one when another attribute has that local name. */
  key: string;
  parts: (TText | TSubst)[];
}
interface TElement {
  kind: typeof ELEMENT;
  local: string;
  dependency: number;
  attrs: TAttr[];
  content: TPart[];
  /** A substitution among its own attributes or content, which may be an array to expand. */
  hasSubstitution: boolean;
  /** No child elements in the template: rendered without a Frame unless a value turns out to be BinXml. */
  leaf: boolean;
  /** Shape of the object this element rendered to last time (see tree.ts). */
  shape: ShapeCache;
}
type TPart = TText | TElement | TSubst;

interface Template {
  elements: TElement[];
  /** Content of Event/System/EventID, to filter by event id before rendering the rest; null if not found. */
  eventId: (TText | TSubst)[] | null;
}

/** Substitution values of one template instance: type, offset and size of each. */
interface Instance {
  types: number[];
  offsets: number[];
  sizes: number[];
  hasArray: boolean;
}

function childElement(parent: TElement | undefined, local: string): TElement | undefined {
  return parent?.content.find((p): p is TElement => p.kind === ELEMENT && p.local === local);
}

function findEventId(elements: TElement[]): (TText | TSubst)[] | null {
  const event = elements.find((e) => e.local === 'Event');
  const eventId = childElement(childElement(event, 'System'), 'EventID');
  if (eventId === undefined || eventId.content.some((p) => p.kind === ELEMENT)) return null;
  return eventId.content as (TText | TSubst)[];
}

function hasBinXml(parts: TPart[], inst: Instance | null): boolean {
  if (inst === null) return false;
  for (const part of parts) if (part.kind === SUBST && inst.types[part.index] === ValueType.BinXml) return true;
  return false;
}

/** Result of rendering a record that the event-id filter turned away. */
export const FILTERED = Symbol('filtered');

export class ChunkDecoder {
  private readonly view: DataView;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, Template | BinXmlError>();
  /** Read position while compiling or reading an instance header. */
  private p = 0;
  /** Elements the current record may still render (see MAX_ELEMENTS_PER_RECORD). */
  private budget = 0;

  constructor(private readonly bytes: Uint8Array, private readonly text: TextReader) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * The row of the record whose binary XML spans [start, end) of the chunk, or FILTERED when `eventIds` is given
   * and the record's EventID is not in it. Throws BinXmlError / ValueError / RangeError on damage.
   */
  render(start: number, end: number, eventIds?: ReadonlySet<string>): Row | typeof FILTERED {
    const holder = newFrame('', '', null);
    this.budget = MAX_ELEMENTS_PER_RECORD;
    if (this.stream(start, end, holder, 0, eventIds) === FILTERED) return FILTERED;
    const row = holder.keys.length === 0 ? {} : (valueOf(holder) as Row);
    if (eventIds !== undefined && !eventIds.has(eventIdOf(row))) return FILTERED;
    return row;
  }

  // ---- names and templates

  private u16(at: number): number {
    return this.view.getUint16(at, true);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  private nameAt(offset: number): string {
    let name = this.names.get(offset);
    if (name === undefined) {
      const count = this.u16(offset + 6);
      if (offset + 8 + count * 2 > this.bytes.length) throw new BinXmlError(`a name at chunk offset 0x${offset.toString(16)} runs past the chunk`);
      name = this.text.utf16At(this.bytes, offset + 8, count);
      this.names.set(offset, name);
    }
    return name;
  }

  /** A name reference at the read position; a name defined right here (first use in the chunk) is stepped over. */
  private nameRef(): string {
    const offset = this.u32(this.p);
    this.p += 4;
    if (offset === this.p) this.p += 10 + this.u16(offset + 6) * 2; // next offset, hash, length, characters, NUL
    return this.nameAt(offset);
  }

  private template(offset: number): Template {
    let template = this.templates.get(offset);
    if (template === undefined) {
      try {
        template = this.compileTemplate(offset);
      } catch (e) {
        if (!(e instanceof BinXmlError || e instanceof RangeError)) throw e;
        template = e instanceof BinXmlError ? e : new BinXmlError(`the template at chunk offset 0x${offset.toString(16)} points past the end of the chunk`);
      }
      this.templates.set(offset, template);
    }
    if (template instanceof BinXmlError) throw template;
    return template;
  }

  private compileTemplate(offset: number): Template {
    if (offset < 0 || offset + TEMPLATE_HEADER > this.bytes.length) throw new BinXmlError(`template offset 0x${offset.toString(16)} is outside the chunk`);
    const start = offset + TEMPLATE_HEADER;
    const end = start + this.u32(offset + 20);
    if (end > this.bytes.length) throw new BinXmlError(`the template at chunk offset 0x${offset.toString(16)} runs past the chunk`);
    const saved = this.p;
    this.p = start;
    const elements: TElement[] = [];
    while (this.p < end) {
      const token = this.bytes[this.p]!;
      if (token === EOF) break;
      if (token === FRAGMENT_HEADER) this.p += 4;
      else if (token === OPEN || token === OPEN_WITH_ATTRIBUTES) elements.push(this.element(end, true, 0));
      else throw new BinXmlError(`unexpected token 0x${token.toString(16)} in the template at chunk offset 0x${offset.toString(16)}`);
    }
    this.p = saved;
    return { elements, eventId: findEventId(elements) };
  }

  /** Compile the element at the read position; template definitions carry a dependency identifier, others not. */
  private element(end: number, withDependency: boolean, depth: number): TElement {
    if (depth >= MAX_ELEMENT_DEPTH) throw new BinXmlError(`elements nested deeper than ${MAX_ELEMENT_DEPTH}`);
    const token = this.bytes[this.p++]!;
    let dependency = NO_DEPENDENCY;
    if (withDependency) {
      dependency = this.u16(this.p);
      this.p += 2;
    }
    this.p += 4; // data size: the tokens are read one by one instead
    const local = localName(this.nameRef());
    const attrs: TAttr[] = [];
    let hasSubstitution = false;
    if (token === OPEN_WITH_ATTRIBUTES) {
      this.p += 4; // attribute list size
      while (this.p < end && (this.bytes[this.p]! & ~MORE) === ATTRIBUTE) {
        this.p++;
        const name = this.nameRef();
        const parts: (TText | TSubst)[] = [];
        this.charData(parts, end);
        if (parts.some((x) => x.kind === SUBST)) hasSubstitution = true;
        attrs.push({ name, key: localName(name), parts });
      }
      for (const a of attrs) {
        // A prefixed attribute whose local name is taken keeps its full name rather than overwrite the other.
        if (a.key !== a.name && attrs.some((o) => o !== a && (o.name === a.key || (o.key === a.key && attrs.indexOf(o) < attrs.indexOf(a))))) a.key = a.name;
      }
    }
    const close = this.bytes[this.p++];
    const content: TPart[] = [];
    if (close === CLOSE_START) {
      for (;;) {
        if (this.p >= end) throw new BinXmlError(`element <${local}> is not closed`);
        const t = this.bytes[this.p]!;
        if (t === END_ELEMENT) {
          this.p++;
          break;
        }
        if (t === OPEN || t === OPEN_WITH_ATTRIBUTES) content.push(this.element(end, withDependency, depth + 1));
        else if (!this.charPart(content, t)) throw new BinXmlError(`unexpected token 0x${t.toString(16)} inside <${local}>`);
      }
      if (content.some((x) => x.kind === SUBST)) hasSubstitution = true;
    } else if (close !== CLOSE_EMPTY) {
      throw new BinXmlError(`unexpected token 0x${(close ?? 0).toString(16)} closing the start of <${local}>`);
    }
    return { kind: ELEMENT, local, dependency, attrs, content, hasSubstitution, leaf: !content.some((x) => x.kind === ELEMENT), shape: { keys: null, shape: null } };
  }

  /** The parts of an attribute value: text, character and entity references, substitutions. */
  private charData(parts: (TText | TSubst)[], end: number): void {
    while (this.p < end) {
      const t = this.bytes[this.p]!;
      const kind = t & ~MORE;
      if (kind === ATTRIBUTE || t === CLOSE_START || t === CLOSE_EMPTY) return;
      if (!this.charPart(parts, t)) throw new BinXmlError(`unexpected token 0x${t.toString(16)} in an attribute value`);
    }
  }

  /** One piece of character data at the read position; false if the token is not one. */
  private charPart(parts: TPart[], token: number): boolean {
    const b = this.bytes;
    switch (token & ~MORE) {
      case VALUE: {
        const type = b[this.p + 1]!;
        if (type !== ValueType.String) throw new BinXmlError(`a value text of type 0x${type.toString(16)} (only strings are defined)`);
        const count = this.u16(this.p + 2);
        parts.push({ kind: TEXT, text: this.text.utf16At(b, this.p + 4, count) });
        this.p += 4 + count * 2;
        return true;
      }
      case CDATA: {
        const count = this.u16(this.p + 1);
        parts.push({ kind: TEXT, text: this.text.utf16At(b, this.p + 3, count) });
        this.p += 3 + count * 2;
        return true;
      }
      case CHAR_REF:
        parts.push({ kind: TEXT, text: String.fromCharCode(this.u16(this.p + 1)) });
        this.p += 3;
        return true;
      case ENTITY_REF: {
        this.p++;
        const name = this.nameRef();
        parts.push({ kind: TEXT, text: ENTITIES[name] ?? `&${name};` });
        return true;
      }
      // Processing instructions are not part of an event's values (the XML reader ignores them too).
      case PI_TARGET:
        this.p++;
        this.nameRef();
        return true;
      case PI_DATA:
        this.p += 3 + this.u16(this.p + 1) * 2;
        return true;
      case SUBSTITUTION:
      case OPTIONAL_SUBSTITUTION:
        if (token & MORE) return false;
        // An optional substitution whose value is null renders as nothing, a normal one as empty text: the same.
        parts.push({ kind: SUBST, index: this.u16(this.p + 1) });
        this.p += 4;
        return true;
      default:
        return false;
    }
  }

  // ---- records

  /** Render the fragment at [start, end) into `parent`; FILTERED when its first instance fails the event-id filter. */
  private stream(start: number, end: number, parent: Frame, depth: number, eventIds?: ReadonlySet<string>): typeof FILTERED | void {
    if (depth > MAX_FRAGMENT_DEPTH) throw new BinXmlError(`BinXml values nested deeper than ${MAX_FRAGMENT_DEPTH}`);
    let p = start;
    while (p < end) {
      const token = this.bytes[p]!;
      if (token === EOF) return;
      if (token === FRAGMENT_HEADER) {
        p += 4;
      } else if (token === TEMPLATE_INSTANCE) {
        this.p = p;
        const { template, instance } = this.instance(end);
        p = this.p;
        if (eventIds !== undefined && template.eventId !== null) {
          if (!eventIds.has(this.partsText(template.eventId, instance, null))) return FILTERED;
          eventIds = undefined; // checked: the rest renders unfiltered
        }
        for (const el of template.elements) this.renderElement(el, instance, parent, depth, null, true);
      } else if (token === OPEN || token === OPEN_WITH_ATTRIBUTES) {
        // An element outside any template (rare): no dependency identifier, no values.
        this.p = p;
        const el = this.element(end, false, 0);
        p = this.p;
        this.renderElement(el, null, parent, depth, null, true);
      } else {
        throw new BinXmlError(`unexpected token 0x${token.toString(16)} at chunk offset 0x${p.toString(16)}`);
      }
    }
  }

  /** Read the template instance at the read position: its template (compiled if new) and its values. */
  private instance(end: number): { template: Template; instance: Instance } {
    this.p += 6; // token, a reserved byte, template id
    const definition = this.u32(this.p);
    this.p += 4;
    // Defined right here (its first use in the chunk): step over the definition to the values.
    if (definition === this.p) this.p += TEMPLATE_HEADER + this.u32(definition + 20);
    const template = this.template(definition);
    const count = this.u32(this.p);
    this.p += 4;
    if (count * 4 > end - this.p) throw new BinXmlError(`${count} substitution values cannot fit in the record`);
    const types = new Array<number>(count);
    const offsets = new Array<number>(count);
    const sizes = new Array<number>(count);
    let at = this.p + count * 4;
    let hasArray = false;
    for (let i = 0; i < count; i++) {
      const size = this.u16(this.p);
      const type = this.bytes[this.p + 2]!;
      if (type & ValueType.ArrayFlag) hasArray = true;
      types[i] = type;
      sizes[i] = size;
      offsets[i] = at;
      at += size;
      this.p += 4;
    }
    if (at > end) throw new BinXmlError('the substitution values run past the record');
    this.p = at;
    return { template, instance: { types, offsets, sizes, hasArray } };
  }

  private renderElement(el: TElement, inst: Instance | null, parent: Frame, depth: number, picks: Map<number, string> | null, isRoot: boolean): void {
    if (inst !== null && !isRoot && el.dependency !== NO_DEPENDENCY && inst.types[el.dependency] === ValueType.Null) return;
    if (--this.budget < 0) throw new BinXmlError(`the record renders more than ${MAX_ELEMENTS_PER_RECORD} elements`);
    if (inst !== null && inst.hasArray && el.hasSubstitution) {
      const array = this.arrayToExpand(el, inst, picks);
      if (array !== null) {
        for (const item of array.items) {
          const more = new Map(picks ?? []);
          more.set(array.index, item);
          this.renderElement(el, inst, parent, depth, more, isRoot);
        }
        return;
      }
    }
    let attrs: Row | null = null;
    let dataName: string | undefined;
    const takeName = el.local === 'Data' && parent.name === 'EventData';
    for (const a of el.attrs) {
      const value = this.partsText(a.parts, inst, picks);
      if (value === '') continue; // MS-EVEN6 2.2.12.2: an attribute with empty data is not emitted
      if (takeName && a.name === 'Name') {
        dataName = value;
        continue;
      }
      if (isNamespaceDeclaration(a.name)) continue;
      attrs ??= {};
      put(attrs, a.key, value);
    }
    const key = dataName ?? el.local;
    if (el.leaf && !hasBinXml(el.content, inst)) {
      // Most elements: text only. Same result as the Frame path below (valueOf), without building a Frame.
      const text = this.partsText(el.content as (TText | TSubst)[], inst, picks);
      if (attrs === null) addChild(parent, key, text);
      else {
        const value: Row = { '#attributes': attrs };
        if (text !== '') put(value, '#text', text);
        addChild(parent, key, value);
      }
      return;
    }
    const frame = newFrame(el.local, key, attrs);
    for (const part of el.content) {
      if (part.kind === TEXT) frame.text += part.text;
      else if (part.kind === ELEMENT) this.renderElement(part, inst, frame, depth, picks, false);
      else if (inst !== null) this.substitute(part.index, inst, frame, depth, picks);
    }
    addChild(parent, frame.key, valueOf(frame, el.shape));
  }

  /** The first array among the element's own substitutions with more than one item, not yet expanded. */
  private arrayToExpand(el: TElement, inst: Instance, picks: Map<number, string> | null): { index: number; items: string[] } | null {
    const candidates = [...el.attrs.flatMap((a) => a.parts), ...el.content];
    for (const part of candidates) {
      if (part.kind !== SUBST || picks?.has(part.index)) continue;
      const type = inst.types[part.index];
      if (type === undefined || !(type & ValueType.ArrayFlag)) continue;
      const items = arrayItems(type, this.bytes, this.view, inst.offsets[part.index]!, inst.sizes[part.index]!, this.text);
      if (items.length > 1) return { index: part.index, items };
    }
    return null;
  }

  private substitute(index: number, inst: Instance, frame: Frame, depth: number, picks: Map<number, string> | null): void {
    const type = inst.types[index];
    if (type === undefined) return; // a substitution beyond the values: nothing to show
    if (type === ValueType.BinXml) {
      const at = inst.offsets[index]!;
      this.stream(at, at + inst.sizes[index]!, frame, depth + 1);
      return;
    }
    frame.text += this.valueText(index, type, inst, picks);
  }

  private valueText(index: number, type: number, inst: Instance, picks: Map<number, string> | null): string {
    const picked = picks?.get(index);
    if (picked !== undefined) return picked;
    if (type & ValueType.ArrayFlag) {
      return arrayItems(type, this.bytes, this.view, inst.offsets[index]!, inst.sizes[index]!, this.text)[0] ?? '';
    }
    return scalarText(type, this.bytes, this.view, inst.offsets[index]!, inst.sizes[index]!, this.text);
  }

  private partsText(parts: (TText | TSubst)[], inst: Instance | null, picks: Map<number, string> | null): string {
    if (parts.length === 1) {
      const only = parts[0]!;
      if (only.kind === TEXT) return only.text;
      const type = inst?.types[only.index];
      return inst === null || type === undefined || type === ValueType.BinXml ? '' : this.valueText(only.index, type, inst, picks);
    }
    let s = '';
    for (const part of parts) {
      if (part.kind === TEXT) {
        s += part.text;
        continue;
      }
      const type = inst?.types[part.index];
      if (inst !== null && type !== undefined && type !== ValueType.BinXml) s += this.valueText(part.index, type, inst, picks);
    }
    return s;
  }
}

/** EventID of a rendered row: its text, whether or not it carries a Qualifiers attribute. */
export function eventIdOf(row: Row): string {
  const system = (row.Event as Row | undefined)?.System as Row | undefined;
  const id = system?.EventID;
  if (typeof id === 'string') return id;
  const text = (id as Row | undefined)?.['#text'];
  return typeof text === 'string' ? text : '';
}

