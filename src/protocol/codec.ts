import { StringDecoder } from "node:string_decoder";
import type * as Sax from "sax";

/**
 * The XML-RPC wire as supervisord 4.2.5 speaks it (xmlrpc.md §4-§5): requests decoded by its
 * rules, responses written byte for byte as Python's xmlrpc.client.dumps writes them.
 */

/** A `<double>`: kept apart from integers, which are plain numbers. */
export class XmlRpcDouble {
  constructor(readonly value: number) {}
}

/** A `<dateTime.iso8601>` as written (supervisord's methods never take one). */
export class XmlRpcDateTime {
  constructor(readonly text: string) {}
}

/**
 * A decoded request value, with Python's types: int (number), bool, str, float, list, dict (a
 * Map, keeping the order of the members), and None (null: an empty element of an unknown type,
 * such as `<nil/>`).
 */
export type PyValue = number | boolean | string | null | XmlRpcDouble | XmlRpcDateTime | PyValue[] | Map<string, PyValue>;

/** A result value: what supervisord's methods return (never None). */
export type XmlRpcValue = number | boolean | string | XmlRpcDouble | readonly XmlRpcValue[] | { readonly [key: string]: XmlRpcValue };

export interface MethodCall {
  methodName: string;
  params: PyValue[];
}

/** Why a body was refused with HTTP 400, in supervisord's words for its log line. */
export class UnreadableCall extends Error {
  constructor(readonly reason: "unmarshallable" | "no method name") {
    super(reason);
  }
}

/** An element as ElementTree's iterparse leaves it once closed: its text, then its children. */
interface Element {
  tag: string;
  /** The text before the first child (ElementTree's `.text`), or the converted value. */
  text: PyValue | undefined;
  children: Element[];
}

const PY_INT = /^[ \t\n\r\f\v]*[+-]?\d+(?:_\d+)*[ \t\n\r\f\v]*$/;

/** Python's int(text) for what an `<int>` holds; anything else makes the body unmarshallable. */
function pyInt(text: PyValue | undefined): number {
  if (typeof text !== "string" || !PY_INT.test(text)) throw new UnreadableCall("unmarshallable");
  return Number(text.replaceAll("_", "").trim());
}

function pyFloat(text: PyValue | undefined): XmlRpcDouble {
  const trimmed = typeof text === "string" ? text.trim().toLowerCase() : "";
  const special: Record<string, number> = { inf: Infinity, "+inf": Infinity, "-inf": -Infinity, infinity: Infinity, nan: NaN };
  const value = special[trimmed] ?? (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : undefined);
  if (value === undefined) throw new UnreadableCall("unmarshallable");
  return new XmlRpcDouble(value);
}

function base64Text(text: PyValue | undefined): string {
  const bytes = Buffer.from(typeof text === "string" ? text : "", "base64");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UnreadableCall("unmarshallable");
  }
}

const UNMARSHALLED = new Set(["int", "i4", "boolean", "string", "double", "dateTime.iso8601", "base64", "array", "param", "data", "struct", "value"]);

/** The value an element carries once closed (supervisord's unmarshallers, keyed by tag). */
function unmarshall(elem: Element): PyValue | undefined {
  const first = (): Element => {
    const child = elem.children[0];
    if (child === undefined) throw new UnreadableCall("unmarshallable");
    return child;
  };
  switch (elem.tag) {
    case "int":
    case "i4":
      return pyInt(elem.text);
    case "boolean":
      // Only "1" is true: `<boolean>true</boolean>` is false, as in supervisord.
      return elem.text === "1";
    case "string":
      return typeof elem.text === "string" ? elem.text : "";
    case "double":
      return pyFloat(elem.text);
    case "dateTime.iso8601":
      if (typeof elem.text !== "string" || !/^\d{4}\d{2}\d{2}T\d{2}:\d{2}:\d{2}$/.test(elem.text)) throw new UnreadableCall("unmarshallable");
      return new XmlRpcDateTime(elem.text);
    case "base64":
      return base64Text(elem.text);
    case "array":
    case "param":
      return first().text ?? null;
    case "data":
      return elem.children.map((child) => child.text ?? null);
    case "struct": {
      const dict = new Map<string, PyValue>();
      for (const member of elem.children) {
        const [key, value] = member.children;
        if (key === undefined || value === undefined || member.children.length !== 2) throw new UnreadableCall("unmarshallable");
        if (typeof key.text === "object" && key.text !== null) throw new UnreadableCall("unmarshallable"); // unhashable
        dict.set(key.text === undefined || key.text === "" ? "" : String(key.text), value.text ?? null);
      }
      return dict;
    }
    default: // value
      return elem.children.length > 0 ? (first().text ?? null) : typeof elem.text === "string" ? elem.text : "";
  }
}

/** What a document holds: the last `<methodName>`, `<params>` and `<fault>` value seen. */
interface Document {
  methodName: string | undefined;
  params: PyValue[] | undefined;
  fault: PyValue | undefined;
}

/** What an XML reader reports, in document order. */
interface XmlEvents {
  open(name: string): void;
  text(text: string): void;
  close(): void;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Entities of a text run, or undefined when one is not of the plain kinds. */
function unescapeText(text: string): string | undefined {
  if (!text.includes("&")) return text;
  let bad = false;
  const out = text.replace(/&([^;&]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(";")) bad = true;
    const named = NAMED_ENTITIES[name];
    if (named !== undefined) return named;
    const code = /^#x[0-9a-fA-F]+$/.test(name) ? parseInt(name.slice(2), 16) : /^#\d+$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
    if (!(code >= 0x20 && code <= 0xd7ff) && code !== 0x9 && code !== 0xa && !(code >= 0xe000 && code <= 0x10ffff)) bad = true;
    return bad ? "" : String.fromCodePoint(code);
  });
  return bad ? undefined : out;
}

/**
 * A fast reader for the plain XML that XML-RPC peers write (a declaration, elements without
 * attributes, text with the usual entities): about ten times sax's speed on a status list.
 * Anything else, well-formed or not (comments, CDATA, a DTD, attributes, carriage returns), makes
 * it give up (false) and the document is read again by sax, which decides.
 */
function scanPlainXml(body: string, events: XmlEvents): boolean {
  let at = 0;
  if (body.startsWith("<?xml")) {
    const end = body.indexOf("?>");
    if (end < 0) return false;
    at = end + 2;
  }
  if (body.includes("\r")) return false;
  const stack: string[] = [];
  let roots = 0;
  while (at < body.length) {
    const lt = body.indexOf("<", at);
    const text = body.slice(at, lt < 0 ? body.length : lt);
    if (text !== "") {
      if (stack.length === 0) {
        if (text.trim() !== "") return false;
      } else {
        const plain = unescapeText(text);
        if (plain === undefined) return false;
        events.text(plain);
      }
    }
    if (lt < 0) break;
    const gt = body.indexOf(">", lt);
    if (gt < 0) return false;
    const inner = body.slice(lt + 1, gt);
    if (inner.startsWith("/")) {
      if (stack.pop() !== inner.slice(1).trimEnd()) return false;
      events.close();
    } else {
      const selfClosing = inner.endsWith("/");
      const name = (selfClosing ? inner.slice(0, -1) : inner).trimEnd();
      if (!NAME.test(name)) return false;
      if (stack.length === 0 && ++roots > 1) return false;
      events.open(name);
      if (selfClosing) events.close();
      else stack.push(name);
    }
    at = gt + 1;
  }
  return stack.length === 0 && roots === 1;
}

/** The reader of either scanner's events: supervisord's rules (ElementTree's iterparse plus its unmarshallers). */
function documentBuilder(): { events: XmlEvents; doc: Document } {
  const open: Element[] = [];
  const doc: Document = { methodName: undefined, params: undefined, fault: undefined };
  const events: XmlEvents = {
    open(name) {
      open.push({ tag: name, text: undefined, children: [] });
    },
    text(text) {
      const elem = open.at(-1);
      if (elem === undefined || elem.children.length > 0) return; // a tail: ElementTree keeps it apart
      elem.text = (typeof elem.text === "string" ? elem.text : "") + text;
    },
    close() {
      const elem = open.pop();
      if (elem === undefined) return;
      if (elem.tag === "methodName") {
        doc.methodName = typeof elem.text === "string" ? elem.text : undefined;
      } else if (elem.tag === "params") {
        doc.params = elem.children.map((child) => child.text ?? null);
      } else if (elem.tag === "fault") {
        doc.fault = elem.children[0]?.text ?? null;
      } else if (UNMARSHALLED.has(elem.tag)) {
        // ElementTree's loads() clears what it converts; other elements keep their children.
        elem.text = unmarshall(elem);
        elem.children = [];
      }
      open.at(-1)?.children.push(elem);
    },
  };
  return { events, doc };
}

let sax: typeof Sax | undefined;

/** sax, loaded the first time a document is not plain (a client's replies never need it). */
function saxModule(): typeof Sax {
  return (sax ??= require("sax") as typeof Sax);
}

/** Parse a document with supervisord's rules: the fast reader, or sax when it gives up. */
function parseDocument(body: string): Document {
  const fast = documentBuilder();
  if (scanPlainXml(body, fast.events)) return fast.doc;
  const { events, doc } = documentBuilder();
  const parser = saxModule().parser(true, {});
  let failed = false;
  let sawRoot = false;
  parser.onerror = () => {
    failed = true;
    parser.error = null as unknown as Error; // keep sax quiet: the body is refused as a whole
  };
  let depth = 0;
  parser.onopentag = (node) => {
    if (depth === 0 && sawRoot) failed = true; // a second root: expat's "junk after document element"
    sawRoot = true;
    depth += 1;
    events.open(node.name);
  };
  parser.ontext = (text) => events.text(text);
  parser.oncdata = (text) => events.text(text);
  parser.onclosetag = () => {
    depth -= 1;
    if (!failed) events.close();
  };
  try {
    parser.write(body).close();
  } catch (err) {
    if (err instanceof UnreadableCall) throw err;
    failed = true;
  }
  if (failed || !sawRoot) throw new UnreadableCall("unmarshallable");
  return doc;
}

/**
 * Decode a POST body as supervisord does: any well-formed document; the text of the last
 * `<methodName>` and the values of the last `<params>` (none at all means no parameters).
 */
// DIVERGES: supervisord's expat expands entities a request declares in its own DTD; we refuse
// such a body with HTTP 400 (sax in strict mode knows no declared entities): no entity bombs.
export function decodeCall(body: string): MethodCall {
  const { methodName, params } = parseDocument(body);
  if (methodName === undefined || methodName === "") throw new UnreadableCall("no method name");
  return { methodName, params: params ?? [] };
}

const DUMPED_HEAD = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n";
const DUMPED_TAIL = "</param>\n</params>\n</methodResponse>\n";
/** A member whose value is a scalar, in one match: its name, the value's type and its text. */
const DUMPED_MEMBER = /<member>\n<name>([^<&\r]*)<\/name>\n<value><(string|int|i4|boolean|double)>([^<\r]*)<\/\2><\/value>\n<\/member>\n/y;
const DUMPED_SCALAR = /<value><(string|int|i4|boolean|double)>([^<\r]*)<\/\1><\/value>\n/y;
const DUMPED_MAX_DEPTH = 64;
const DUMPED_MEMBER_HEAD = /<member>\n<name>([^<&\r]*)<\/name>\n/y;

/** A response's one value read from exactly the bytes Python's dumps() writes, or undefined. */
class DumpedReader {
  at = 0;
  depth = 0;
  constructor(readonly body: string) {}

  /** `literal` at the reading position, then past it; false (and nothing read) otherwise. */
  skip(literal: string): boolean {
    if (!this.body.startsWith(literal, this.at)) return false;
    this.at += literal.length;
    return true;
  }

  sticky(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.at;
    const match = re.exec(this.body);
    if (match !== null) this.at = re.lastIndex;
    return match;
  }

  value(): PyValue | undefined {
    const scalar = this.sticky(DUMPED_SCALAR);
    if (scalar !== null) return dumpedScalar(scalar[1] ?? "", scalar[2] ?? "");
    // Deeper values are left to the general reader, which has no recursion to exhaust.
    if (this.depth >= DUMPED_MAX_DEPTH) return undefined;
    this.depth += 1;
    const compound = this.compound();
    this.depth -= 1;
    return compound;
  }

  compound(): PyValue | undefined {
    if (this.skip("<value><array><data>\n")) {
      const list: PyValue[] = [];
      while (!this.skip("</data></array></value>\n")) {
        const item = this.value();
        if (item === undefined) return undefined;
        list.push(item);
      }
      return list;
    }
    if (this.skip("<value><struct>\n")) {
      const dict = new Map<string, PyValue>();
      while (!this.skip("</struct></value>\n")) {
        const member = this.sticky(DUMPED_MEMBER);
        if (member !== null) {
          const value = dumpedScalar(member[2] ?? "", member[3] ?? "");
          if (value === undefined) return undefined;
          dict.set(member[1] ?? "", value);
          continue;
        }
        const head = this.sticky(DUMPED_MEMBER_HEAD);
        const value = head === null ? undefined : this.value();
        if (value === undefined || !this.skip("</member>\n")) return undefined;
        dict.set(head?.[1] ?? "", value);
      }
      return dict;
    }
    return undefined;
  }
}

/** A scalar's value by supervisord's unmarshallers, or undefined for a text the fast path leaves to them. */
function dumpedScalar(type: string, text: string): PyValue | undefined {
  switch (type) {
    case "string":
      return unescapeText(text);
    case "boolean":
      return text === "1";
    case "double":
      return pyFloat(text);
    default:
      return pyInt(text);
  }
}

/**
 * The common case of a client's reading, fast: a result written by Python's xmlrpc.client (both
 * supervisord's and ours write exactly its bytes) is read with a few anchored matches per struct
 * instead of an event per element; a status list of 200 processes in a fraction of the time.
 * Anything else (a fault, other spacing, CDATA, attributes) is undefined and goes to the readers
 * above, which decide; what this one returns is what they would return.
 */
function readDumpedResponse(body: string): PyValue | undefined {
  if (!body.startsWith(DUMPED_HEAD) || !body.endsWith(DUMPED_TAIL)) return undefined;
  const reader = new DumpedReader(body);
  reader.at = DUMPED_HEAD.length;
  try {
    const value = reader.value();
    return reader.at === body.length - DUMPED_TAIL.length ? value : undefined;
  } catch (err) {
    if (err instanceof UnreadableCall) return undefined; // the full readers give the verdict
    throw err;
  }
}

const DUMPED_LIST_HEAD = `${DUMPED_HEAD}<value><array><data>\n`;
const DUMPED_LIST_TAIL = `</data></array></value>\n${DUMPED_TAIL}`;
/** Past this much text not yet read as a whole item, the reading waits for the end. */
const STREAMED_PENDING_MAX = 64 * 1024;

/**
 * A response read as it arrives: the items of a list written as Python's dumps() writes it are
 * read as soon as each is whole, so that little is left when the last byte comes (supervisord
 * sends a status of 200 processes over tens of milliseconds). `result()` is what decodeResponse
 * gives for the whole body, which it reads itself whenever the body is of another shape.
 */
export class ResponseReader {
  readonly #chunks: Buffer[] = [];
  readonly #decoder = new StringDecoder("utf8");
  readonly #items: PyValue[] = [];
  /** Text not yet read as an item; undefined once the body is known to be of another shape. */
  #pending: string | undefined = "";
  #inList = false;

  feed(chunk: Buffer): void {
    this.#chunks.push(chunk);
    if (this.#pending === undefined) return;
    this.#pending += this.#decoder.write(chunk);
    if (!this.#inList) {
      if (this.#pending.length < DUMPED_LIST_HEAD.length) {
        if (!DUMPED_LIST_HEAD.startsWith(this.#pending)) this.#pending = undefined;
        return;
      }
      if (!this.#pending.startsWith(DUMPED_LIST_HEAD)) {
        this.#pending = undefined;
        return;
      }
      this.#pending = this.#pending.slice(DUMPED_LIST_HEAD.length);
      this.#inList = true;
    }
    this.#readItems(this.#pending);
  }

  #readItems(text: string): void {
    const reader = new DumpedReader(text);
    let read = 0;
    try {
      for (let item = reader.value(); item !== undefined; item = reader.value()) {
        this.#items.push(item);
        read = reader.at;
      }
    } catch (err) {
      if (!(err instanceof UnreadableCall)) throw err;
      this.#pending = undefined; // decodeResponse gives the verdict
      return;
    }
    // An item that is not whole yet stops the reader (never a wrong value: each ends with a
    // closing tag). One too big to keep trying is left to the end.
    this.#pending = text.length - read > STREAMED_PENDING_MAX ? undefined : text.slice(read);
  }

  result(): MethodResult {
    if (this.#inList && this.#pending !== undefined && this.#pending + this.#decoder.end() === DUMPED_LIST_TAIL) {
      return { value: this.#items };
    }
    return decodeResponse(Buffer.concat(this.#chunks).toString("utf8"));
  }
}

/** A methodResponse as a client reads it: the value, or the fault struct. */
export type MethodResult = { value: PyValue } | { fault: { faultCode: number; faultString: string } };

export function decodeResponse(body: string): MethodResult {
  const dumped = readDumpedResponse(body);
  if (dumped !== undefined) return { value: dumped };
  const doc = parseDocument(body);
  if (doc.fault instanceof Map) {
    const faultCode = doc.fault.get("faultCode");
    const faultString = doc.fault.get("faultString");
    if (typeof faultCode === "number" && typeof faultString === "string") return { fault: { faultCode, faultString } };
  }
  const value = doc.params?.[0];
  if (value === undefined) throw new UnreadableCall("unmarshallable");
  return { value };
}

const SPECIAL = /[&<>]/;
const SPECIALS = /[&<>]/g;
const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Python's xmlrpc.client escape(): only &, < and > (quotes and control characters go raw). */
export function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (ch) => ENTITIES[ch] ?? ch) : text;
}

/** An integer outside XML-RPC's 32 bits: supervisord's reply becomes HTTP 500. */
export class UnencodableValue extends Error {}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * Frozen arrays and structs are encoded once: a status answer built from cached, frozen structs
 * (getAllProcessInfo polled by dashboards) costs a lookup per process instead of its XML.
 */
const frozenXml = new WeakMap<object, string>();

/** One value, as Python's Marshaller writes it (each ends with a newline). */
function encodeValue(value: XmlRpcValue): string {
  if (typeof value === "object" && Object.isFrozen(value)) {
    let xml = frozenXml.get(value);
    if (xml === undefined) {
      xml = encodeCompound(value);
      frozenXml.set(value, xml);
    }
    return xml;
  }
  return typeof value === "object" ? encodeCompound(value) : encodeScalar(value);
}

function encodeScalar(value: string | number | boolean): string {
  switch (typeof value) {
    case "string":
      return `<value><string>${escapeText(value)}</string></value>\n`;
    case "number":
      if (!Number.isInteger(value)) return `<value><double>${pyFloatRepr(value)}</double></value>\n`;
      if (value < INT_MIN || value > INT_MAX) throw new UnencodableValue(`int exceeds XML-RPC limits: ${value}`);
      return `<value><int>${value}</int></value>\n`;
    default:
      return value ? "<value><boolean>1</boolean></value>\n" : "<value><boolean>0</boolean></value>\n";
  }
}

function encodeCompound(value: XmlRpcDouble | readonly XmlRpcValue[] | { readonly [key: string]: XmlRpcValue }): string {
  if (value instanceof XmlRpcDouble) return `<value><double>${pyFloatRepr(value.value)}</double></value>\n`;
  if (Array.isArray(value)) {
    let out = "<value><array><data>\n";
    for (const item of value as readonly XmlRpcValue[]) out += encodeValue(item);
    return `${out}</data></array></value>\n`;
  }
  let out = "<value><struct>\n";
  const struct = value as { readonly [key: string]: XmlRpcValue };
  for (const key in struct) {
    out += `<member>\n<name>${escapeText(key)}</name>\n${encodeValue(struct[key] as XmlRpcValue)}</member>\n`;
  }
  return `${out}</struct></value>\n`;
}

/** Python's repr() of a float. */
function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  return String(value).replace(/e([+-])(\d)$/, "e$10$2");
}

/** A successful methodResponse, as Python's dumps((value,), methodresponse=True) writes it. */
export function encodeResponse(value: XmlRpcValue): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${encodeValue(value)}</param>\n</params>\n</methodResponse>\n`;
}

/** A methodCall as Python's xmlrpc.client writes it (supervisorctl's requests). */
export function encodeCall(methodName: string, params: readonly XmlRpcValue[]): string {
  let out = `<?xml version='1.0'?>\n<methodCall>\n<methodName>${escapeText(methodName)}</methodName>\n<params>\n`;
  for (const param of params) out += `<param>\n${encodeValue(param)}</param>\n`;
  return `${out}</params>\n</methodCall>\n`;
}

/** A fault methodResponse. */
export function encodeFault(faultCode: number, faultString: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${encodeValue({ faultCode, faultString })}</fault>\n</methodResponse>\n`;
}
