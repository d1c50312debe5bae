/**
 * Partition values as the protocol stores them (PROTOCOL.md "Partition Value
 * Serialization"): every value is a string in `add.partitionValues`, null for a
 * null value. Directories use Hive-style `col=value` segments escaped like
 * Spark's `ExternalCatalogUtils.escapePathName`, and `add.path` is a URI path,
 * so it must be percent-decoded before it names a file.
 *
 * Typed JS values used by this module (`PartitionScalar`):
 * string → string; byte/short/integer/float/double → number; long → bigint;
 * boolean → boolean; binary → Uint8Array; date → number of days since epoch;
 * timestamp/timestamp_ntz → bigint µs since epoch (UTC);
 * decimal(p,s) → bigint unscaled value (value × 10^s).
 */
import { DeltaError } from './errors.js';
import { type DeltaType, decimalParams, typeToString } from './schema.js';

export type PartitionScalar = string | number | bigint | boolean | Uint8Array | null;

/** A partition value that cannot be parsed or serialised for its column type. */
export class PartitionValueError extends DeltaError {}

/** Directory name Hive/Spark use for a null partition value. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

const MS_PER_DAY = 86_400_000;

/** Parses the protocol's string form into the typed value (see module doc). */
export function parsePartitionValue(str: string | null | undefined, type: DeltaType, column = '?'): PartitionScalar {
  if (str === null || str === undefined) return null;
  if (typeof type !== 'string') {
    throw new PartitionValueError(`partition column ${column} has non-primitive type ${typeToString(type)}`);
  }
  // Spark stores an empty value as null for every type but string… and for string too.
  if (str === '' && type !== 'binary') return null;
  const bad = (): never => {
    throw new PartitionValueError(`partition column ${column}: cannot parse ${JSON.stringify(str)} as ${type}`);
  };
  switch (type) {
    case 'string':
      return str;
    case 'byte':
    case 'short':
    case 'integer': {
      if (!/^[+-]?\d+$/.test(str.trim())) bad();
      return Number(str.trim());
    }
    case 'long': {
      if (!/^[+-]?\d+$/.test(str.trim())) bad();
      return BigInt(str.trim());
    }
    case 'float':
    case 'double': {
      const s = str.trim();
      if (s === 'NaN') return Number.NaN;
      if (s === 'Infinity' || s === '+Infinity') return Number.POSITIVE_INFINITY;
      if (s === '-Infinity') return Number.NEGATIVE_INFINITY;
      const n = Number(s);
      if (s === '' || Number.isNaN(n)) bad();
      return type === 'float' ? Math.fround(n) : n;
    }
    case 'boolean': {
      const s = str.trim().toLowerCase();
      if (s === 'true') return true;
      if (s === 'false') return false;
      return bad();
    }
    case 'binary':
      // The protocol stores binary as a string whose code units are the bytes.
      return Uint8Array.from(str, (c) => c.charCodeAt(0) & 0xff);
    case 'date': {
      const days = parseDateDays(str);
      return days ?? bad();
    }
    case 'timestamp':
    case 'timestamp_ntz': {
      const us = parseTimestampMicros(str);
      return us ?? bad();
    }
    default: {
      const d = decimalParams(type);
      if (!d) return bad();
      const v = parseDecimalUnscaled(str, d.scale);
      return v ?? bad();
    }
  }
}

/** Serialises a typed value into the protocol's string form (null stays null). */
export function serializePartitionValue(value: unknown, type: DeltaType, column = '?'): string | null {
  if (value === null || value === undefined) return null;
  if (typeof type !== 'string') {
    throw new PartitionValueError(`partition column ${column} has non-primitive type ${typeToString(type)}`);
  }
  const bad = (): never => {
    throw new PartitionValueError(`partition column ${column}: cannot serialise ${String(value)} as ${type}`);
  };
  switch (type) {
    case 'string':
      return String(value);
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && Number.isInteger(value)) return String(value);
      if (typeof value === 'string' && /^[+-]?\d+$/.test(value)) return BigInt(value).toString();
      return bad();
    case 'float':
    case 'double':
      if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
      return bad();
    case 'boolean':
      if (typeof value === 'boolean') return String(value);
      return bad();
    case 'binary':
      if (value instanceof Uint8Array) return String.fromCharCode(...value);
      if (typeof value === 'string') return value;
      return bad();
    case 'date': {
      let days: number | undefined;
      if (value instanceof Date) days = Math.floor(value.getTime() / MS_PER_DAY);
      else if (typeof value === 'number') days = value;
      else if (typeof value === 'string') days = parseDateDays(value);
      if (days === undefined || !Number.isFinite(days)) return bad();
      return formatDateDays(days);
    }
    case 'timestamp':
    case 'timestamp_ntz': {
      let us: bigint | undefined;
      if (value instanceof Date) us = BigInt(value.getTime()) * 1000n;
      else if (typeof value === 'bigint') us = value;
      else if (typeof value === 'string') us = parseTimestampMicros(value);
      if (us === undefined) return bad();
      return formatTimestampMicros(us);
    }
    default: {
      const d = decimalParams(type);
      if (!d) return bad();
      if (typeof value === 'bigint') return formatDecimalUnscaled(value, d.scale);
      if (typeof value === 'string' || typeof value === 'number') {
        const unscaled = parseDecimalUnscaled(String(value), d.scale);
        if (unscaled === undefined) return bad();
        return formatDecimalUnscaled(unscaled, d.scale);
      }
      return bad();
    }
  }
}

/**
 * `YYYY-MM-DD` (optionally followed by a time part, ignored) → days since epoch;
 * undefined for a date the calendar does not have (2026-02-30 is not March 2).
 */
export function parseDateDays(s: string): number | undefined {
  const m = /^\s*([+-]?\d{4,})-(\d{1,2})-(\d{1,2})/.exec(s);
  if (!m) return undefined;
  if (!isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC maps years 0..99 to 1900..1999.
  const d = new Date(ms);
  if (Number(m[1]) >= 0 && Number(m[1]) < 100) d.setUTCFullYear(Number(m[1]));
  return Math.round(d.getTime() / MS_PER_DAY);
}

/** Whether `month` (1-based) of `year` (proleptic Gregorian, as Spark) has a day `day`. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= lengths[month - 1]!;
}

export function formatDateDays(days: number): string {
  const d = new Date(days * MS_PER_DAY);
  const y = d.getUTCFullYear();
  const ys = y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0');
  return `${ys}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/**
 * Parses `YYYY-MM-DD[ |T]HH:MM:SS[.ffffff][Z|±HH:MM]` → µs since epoch.
 * Without a zone the value is taken as UTC (the protocol's canonical form).
 */
export function parseTimestampMicros(s: string): bigint | undefined {
  const m =
    /^\s*([+-]?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/.exec(
      s,
    );
  if (!m) return undefined;
  const days = parseDateDays(`${m[1]}-${m[2]}-${m[3]}`);
  if (days === undefined) return undefined;
  if (Number(m[4] ?? 0) > 23 || Number(m[5] ?? 0) > 59 || Number(m[6] ?? 0) > 59) return undefined;
  const secs = Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0);
  const frac = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  let us = BigInt(days) * 86_400_000_000n + BigInt(secs) * 1_000_000n + BigInt(frac || '0');
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    if (Number(zm[2]) > 18 || Number(zm[3]) > 59) return undefined;
    const off = (Number(zm[2]) * 60 + Number(zm[3])) * 60_000_000;
    us -= BigInt(zm[1] === '+' ? off : -off);
  }
  return us;
}

/** µs since epoch → `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC), the protocol's canonical form. */
export function formatTimestampMicros(us: bigint): string {
  const dayUs = 86_400_000_000n;
  let days = us / dayUs;
  let rem = us % dayUs;
  if (rem < 0n) {
    rem += dayUs;
    days -= 1n;
  }
  const secs = Number(rem / 1_000_000n);
  const micros = Number(rem % 1_000_000n);
  const hh = String(Math.floor(secs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((secs % 3600) / 60)).padStart(2, '0');
  const ss = String(secs % 60).padStart(2, '0');
  const base = `${formatDateDays(Number(days))} ${hh}:${mm}:${ss}`;
  return micros === 0 ? base : `${base}.${String(micros).padStart(6, '0')}`;
}

/** `-12.340` at scale 3 → -12340n. Returns undefined for malformed input or lost digits. */
export function parseDecimalUnscaled(s: string, scale: number): bigint | undefined {
  const m = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  let digits = (m[2] || '0') + (m[3] ?? '');
  let exp = -(m[3] ?? '').length + Number(m[4] ?? 0);
  // value = digits × 10^exp; we want digits × 10^(exp + scale) as an integer.
  const shift = exp + scale;
  if (shift >= 0) digits += '0'.repeat(shift);
  else {
    const cut = digits.slice(digits.length + shift);
    if (/[^0]/.test(cut)) return undefined;
    digits = digits.slice(0, digits.length + shift) || '0';
  }
  exp = 0;
  const v = BigInt(digits);
  return m[1] === '-' ? -v : v;
}

/** -12340n at scale 3 → `-12.340`. */
export function formatDecimalUnscaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const body = scale > 0 ? `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}` : s;
  return neg ? `-${body}` : body;
}

const ESCAPE_CHARS = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\u007F', '{', '[', ']', '^']);

/** Spark's `escapePathName`: control chars, DEL and the characters " # % ' * / : = ? \ { [ ] ^ become `%XX`. */
export function escapePathName(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if ((code >= 0x01 && code <= 0x1f) || ESCAPE_CHARS.has(ch)) {
      out += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
    } else out += ch;
  }
  return out;
}

/** Inverse of `escapePathName`. */
export function unescapePathName(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/**
 * Hive-style directory for a file's partition values, e.g. `date=2020-01-01/region=a%2Fb`.
 * `values` are the serialised (string or null) partition values.
 */
export function partitionPath(columns: string[], values: Record<string, string | null>): string {
  return columns
    .map((c) => {
      const v = values[c];
      const vs = v === null || v === undefined || v === '' ? HIVE_DEFAULT_PARTITION : escapePathName(v);
      return `${escapePathName(c)}=${vs}`;
    })
    .join('/');
}

/**
 * Percent-encodes a relative file path for `add.path` (a URI reference):
 * the result decodes back with `decodeAddPath`.
 */
export function encodeAddPath(relPath: string): string {
  return relPath
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** The decoded location of an `add.path`: relative to the table root, or an absolute file path. */
export interface DecodedPath {
  /** Relative `/`-separated path if the file is inside the table (the usual case). */
  relative?: string;
  /** Absolute local path for `file:` URIs or absolute paths. */
  absolute?: string;
  /** A URI with a scheme this implementation cannot open (s3://, abfss://, …). */
  uri?: string;
}

/**
 * Decodes an `add.path` (PROTOCOL.md: "a URI … relative paths are relative to
 * the table root"). `%XX` sequences are decoded once; `+` stays `+`.
 */
export function decodeAddPath(p: string): DecodedPath {
  // `file:/x` or `scheme://…`; a bare `name:with-colon` is a relative file name, not a URI.
  const schemeMatch = /^(file):|^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//i.exec(p);
  if (schemeMatch) {
    const scheme = (schemeMatch[1] ?? schemeMatch[2]!).toLowerCase();
    if (scheme === 'file') {
      // file:/abs, file:///abs, file://host/abs
      let rest = p.slice(5);
      if (rest.startsWith('//')) {
        const slash = rest.indexOf('/', 2);
        rest = slash === -1 ? '/' : rest.slice(slash);
      }
      return { absolute: safeDecode(rest) };
    }
    return { uri: p };
  }
  if (p.startsWith('/')) return { absolute: safeDecode(p) };
  return { relative: safeDecode(p) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // A lone '%' is not valid URI syntax; Spark would fail too, but the raw name is our best guess.
    return s;
  }
}
