import { parsePyInt } from "../config/python-int";
import { pyRepr } from "../config/python-str";
import { XmlRpcDateTime, XmlRpcDouble, type PyValue } from "../protocol/codec";

/**
 * supervisord's methods are Python: they call int(), str(), split() on whatever the client
 * sent. These reproduce what those calls do with each decoded type, and which Python exception
 * a bad value raises: a TypeError becomes INCORRECT_PARAMETERS, anything else HTTP 500.
 */
export class PythonError extends Error {
  constructor(
    /** The exception's class name: TypeError, ValueError, AttributeError... */
    readonly pyClass: string,
    message: string,
  ) {
    super(message);
    this.name = pyClass;
  }
}

/** Python's type(value).__name__. */
export function pyTypeName(value: PyValue): string {
  if (value === null) return "NoneType";
  if (typeof value === "number") return "int";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "str";
  if (value instanceof XmlRpcDouble) return "float";
  if (value instanceof XmlRpcDateTime) return "datetime";
  if (Array.isArray(value)) return "list";
  return "dict";
}

function floatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
}

function dateTimeStr(value: XmlRpcDateTime): string {
  const t = value.text;
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(9)}`;
}

/** Python's repr() of a decoded value. */
export function pyReprValue(value: PyValue): string {
  if (typeof value === "string") return pyRepr(value);
  if (value instanceof XmlRpcDateTime) {
    const t = value.text;
    const parts = [t.slice(0, 4), t.slice(4, 6), t.slice(6, 8), t.slice(9, 11), t.slice(12, 14), t.slice(15, 17)].map(Number);
    while (parts.length > 5 && parts.at(-1) === 0) parts.pop();
    return `datetime.datetime(${parts.join(", ")})`;
  }
  return pyStrValue(value);
}

/** Python's str() of a decoded value (a fault's detail is str() of what the client sent). */
export function pyStrValue(value: PyValue): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value;
  if (value instanceof XmlRpcDouble) return floatRepr(value.value);
  if (value instanceof XmlRpcDateTime) return dateTimeStr(value);
  if (Array.isArray(value)) return `[${value.map(pyReprValue).join(", ")}]`;
  return `{${[...value].map(([k, v]) => `${pyRepr(k)}: ${pyReprValue(v)}`).join(", ")}}`;
}

/** Python's truth value (`if wait:`). */
export function pyTruthy(value: PyValue): boolean {
  if (value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value !== "";
  if (value instanceof XmlRpcDouble) return value.value !== 0;
  if (value instanceof XmlRpcDateTime) return true;
  if (Array.isArray(value)) return value.length > 0;
  return value.size > 0;
}

/** Python's int(value). */
export function pyInt(value: PyValue): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const parsed = parsePyInt(value, 10);
    if (parsed === undefined) throw new PythonError("ValueError", `invalid literal for int() with base 10: ${pyRepr(value)}`);
    return parsed;
  }
  if (value instanceof XmlRpcDouble) {
    if (Number.isNaN(value.value)) throw new PythonError("ValueError", "cannot convert float NaN to integer");
    if (!Number.isFinite(value.value)) throw new PythonError("OverflowError", "cannot convert float infinity to integer");
    return Math.trunc(value.value);
  }
  throw new PythonError(
    "TypeError",
    `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`,
  );
}

/** A name the method splits or looks up as a str: anything else fails as it does in Python. */
export function pyString(value: PyValue, method = "split"): string {
  if (typeof value === "string") return value;
  throw new PythonError("AttributeError", `'${pyTypeName(value)}' object has no attribute '${method}'`);
}

/** A value used as a dict key: lists and dicts are unhashable (a TypeError). */
export function pyHashable(value: PyValue): void {
  if (Array.isArray(value) || value instanceof Map) throw new PythonError("TypeError", `unhashable type: '${pyTypeName(value)}'`);
}
