/**
 * Pipeline parameters of a `pipeline-parameters` cell, read without the TypeScript
 * compiler: browser-safe, so the JupyterLab extension lists parameters and their
 * defaults as the user types, without a kernel.
 *
 * The compiler (`analysis.ts`, TypeScript's parser and `literalValue`) stays the
 * authority: it reports every declaration it rejects. This reader accepts the same
 * declarations (`const`/`let` NAME, optional type annotation, `=` a literal — number,
 * string, boolean, null, arrays and objects of literals, with `as`/`satisfies` and
 * parentheses around them) and gives the same name, type and default for them; what
 * it cannot read it leaves out instead of reporting. Tests hold the two together on
 * the fixture notebooks.
 */
import type { JsonValue, ParameterType } from './spec.js';

/** A parameter as a parameters cell declares it (the spec's `PipelineParameter` without the cell). */
export interface DeclaredParameter {
  name: string;
  type: ParameterType;
  default: JsonValue;
}

type Token =
  | { t: 'ident'; v: string; nl: boolean }
  | { t: 'num'; v: number; key: string; nl: boolean }
  | { t: 'str'; v: string; nl: boolean }
  /** A template literal with a substitution, an unterminated string, a bigint: never a literal. */
  | { t: 'bad'; nl: boolean }
  | { t: 'punct'; v: string; nl: boolean };

/** Declarations of `source` that are parameters, in order; a repeated name keeps its first declaration. */
export function readPipelineParameters(source: string): DeclaredParameter[] {
  const toks = tokenize(source);
  const out: DeclaredParameter[] = [];
  let i = 0;
  const peek = (k = 0) => toks[i + k];
  const isPunct = (tok: Token | undefined, v: string) => tok?.t === 'punct' && tok.v === v;
  const isIdent = (tok: Token | undefined, v?: string) => tok?.t === 'ident' && (v === undefined || tok.v === v);

  /** Skips tokens to the end of the current statement (`;` or a new line at depth 0). */
  const skipStatement = () => {
    let depth = 0;
    const start = i;
    while (i < toks.length) {
      const tok = toks[i]!;
      if (depth === 0 && i > start && tok.nl) return;
      i++;
      if (tok.t !== 'punct') continue;
      if ('([{'.includes(tok.v)) depth++;
      else if (')]}'.includes(tok.v)) depth = Math.max(0, depth - 1);
      else if (tok.v === ';' && depth === 0) return;
    }
  };

  /**
   * Skips a type (after `:`, `as`, `satisfies`) or, with `angles` false, an
   * expression: up to `stops` at depth 0, a closing bracket of an enclosing
   * construct, or a new line at depth 0.
   */
  const skip = (stops: string, angles: boolean) => {
    const open = angles ? '([{<' : '([{';
    let depth = 0;
    const start = i;
    while (i < toks.length) {
      const tok = toks[i]!;
      if (depth === 0 && i > start && tok.nl) return;
      if (tok.t === 'punct') {
        if (depth === 0 && (stops.includes(tok.v) || ')]}'.includes(tok.v))) return;
        if (open.includes(tok.v)) depth++;
        else if (')]}'.includes(tok.v) || (angles && tok.v === '>' && depth > 0)) depth--;
      }
      i++;
    }
  };
  const skipType = (stops: string) => skip(stops, true);

  /** A literal expression (TypeScript's `literalValue`), or undefined; `i` moves past what was read. */
  const literal = (): { value: JsonValue } | undefined => {
    const v = primary();
    if (!v) return undefined;
    // As in TypeScript, `as`/`satisfies` after a line break start a new statement.
    while ((isIdent(peek(), 'as') || isIdent(peek(), 'satisfies')) && !peek()!.nl) {
      i++;
      skipType(',;=');
    }
    return v;
  };
  const primary = (): { value: JsonValue } | undefined => {
    const tok = peek();
    if (!tok) return undefined;
    i++;
    switch (tok.t) {
      case 'num':
      case 'str':
        return { value: tok.v };
      case 'ident':
        if (tok.v === 'true') return { value: true };
        if (tok.v === 'false') return { value: false };
        if (tok.v === 'null') return { value: null };
        return undefined;
      case 'bad':
        return undefined;
    }
    if (tok.v === '-' || tok.v === '+') {
      const n = peek();
      if (n?.t !== 'num') return undefined;
      i++;
      return { value: tok.v === '-' ? -n.v : n.v };
    }
    if (tok.v === '(') {
      const v = literal();
      if (!v || !isPunct(peek(), ')')) return undefined;
      i++;
      return v;
    }
    if (tok.v === '[') {
      const items: JsonValue[] = [];
      while (!isPunct(peek(), ']')) {
        const v = literal();
        if (!v) return undefined;
        items.push(v.value);
        if (isPunct(peek(), ',')) i++;
        else if (!isPunct(peek(), ']')) return undefined;
      }
      i++;
      return { value: items };
    }
    if (tok.v === '{') {
      const obj: Record<string, JsonValue> = {};
      while (!isPunct(peek(), '}')) {
        const k = peek();
        const key = k?.t === 'ident' || k?.t === 'str' ? k.v : k?.t === 'num' ? k.key : undefined;
        if (key === undefined || !isPunct(peek(1), ':')) return undefined;
        i += 2;
        const v = literal();
        if (!v) return undefined;
        obj[key] = v.value;
        if (isPunct(peek(), ',')) i++;
        else if (!isPunct(peek(), '}')) return undefined;
      }
      i++;
      return { value: obj };
    }
    return undefined;
  };

  /**
   * Whether the token at `i` ends a declaration: `,`, `;`, the end, or a token on a
   * new line that cannot continue the expression (no operator or bracket: ASI).
   */
  const atDeclarationEnd = () => {
    const tok = peek();
    return tok === undefined || isPunct(tok, ',') || isPunct(tok, ';') || (tok.nl && tok.t !== 'punct');
  };

  while (i < toks.length) {
    if (isPunct(peek(), ';')) {
      i++;
      continue;
    }
    const at = isIdent(peek(), 'export') ? 1 : 0;
    const kw = peek(at);
    if (!(isIdent(kw, 'const') || isIdent(kw, 'let')) || peek(at + 1)?.t !== 'ident') {
      skipStatement();
      continue;
    }
    i += at + 1;
    // One declaration list: NAME [!] [: TYPE] = LITERAL, …
    for (;;) {
      const name = peek();
      let value: { value: JsonValue } | undefined;
      let initializerStart = -1;
      if (name?.t === 'ident') {
        i++;
        if (isPunct(peek(), '!')) i++;
        if (isPunct(peek(), ':')) {
          i++;
          skipType(',;=');
        }
        if (isPunct(peek(), '=')) {
          i++;
          initializerStart = i;
          value = literal();
          if (value && !atDeclarationEnd()) value = undefined;
          if (!value) i = initializerStart;
        }
        if (value && !out.some((p) => p.name === name.v))
          out.push({ name: name.v, type: parameterType(value.value), default: value.value });
      }
      // Past an unreadable initializer (or a name without one) to the next declaration.
      if (!value && (i === initializerStart || !atDeclarationEnd())) skip(',;', false);
      if (isPunct(peek(), ',')) {
        i++;
        continue;
      }
      break;
    }
    if (isPunct(peek(), ';')) i++;
  }
  return out;
}

function parameterType(v: JsonValue): ParameterType {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  return 'json';
}

const IDENT_START = /[A-Za-z_$\u00a0-\uffff]/;
const IDENT_PART = /[\w$\u00a0-\uffff]/;
const NUMBER =
  /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)/;

/** JavaScript tokens, enough for declarations of literals: comments skipped, strings decoded. */
function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let nl = false;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') {
      nl = true;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      if (/[\n\r\u2028\u2029]/.test(src.slice(i, stop))) nl = true;
      i = stop;
      continue;
    }
    if (c === '#' && src[i + 1] === '!' && i === 0) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_PART.test(src[j]!)) j++;
      out.push({ t: 'ident', v: src.slice(i, j), nl });
      i = j;
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(src[i + 1] ?? ''))) {
      const text = NUMBER.exec(src.slice(i))![0];
      i += text.length;
      if (src[i] === 'n' || (i < src.length && IDENT_PART.test(src[i]!))) {
        // A bigint or a malformed number: TypeScript does not read it as a numeric literal.
        while (i < src.length && IDENT_PART.test(src[i]!)) i++;
        out.push({ t: 'bad', nl });
      } else {
        const plain = text.replace(/_/g, '');
        const v = Number(plain);
        // TypeScript keeps the text of plain integers and prints the others canonically.
        out.push({ t: 'num', v, key: /^\d+$/.test(plain) ? plain : String(v), nl });
      }
    } else if (c === '"' || c === "'" || c === '`') {
      const s = readString(src, i);
      i = s.end;
      out.push(s.value === undefined ? { t: 'bad', nl } : { t: 'str', v: s.value, nl });
    } else if (c === '=' && src[i + 1] === '>') {
      out.push({ t: 'punct', v: '=>', nl });
      i += 2;
    } else {
      out.push({ t: 'punct', v: c, nl });
      i++;
    }
    nl = false;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };

/**
 * The string or substitution-free template starting at `start`: its cooked value
 * (undefined for a template with `${`, or an unterminated literal) and where it ends.
 */
function readString(src: string, start: number): { value: string | undefined; end: number } {
  const quote = src[start]!;
  let i = start + 1;
  let value = '';
  let ok = true;
  while (i < src.length) {
    const c = src[i]!;
    if (c === quote) return { value: ok ? value : undefined, end: i + 1 };
    if (quote !== '`' && (c === '\n' || c === '\r')) return { value: undefined, end: i };
    if (quote === '`' && c === '$' && src[i + 1] === '{') ok = false;
    if (c === '\r' && quote === '`') {
      // Template line terminators are normalised to \n.
      value += '\n';
      i += src[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = src[i + 1] ?? '';
    i += 2;
    if (e in SIMPLE_ESCAPES && !(e === '0' && /\d/.test(src[i] ?? ''))) value += SIMPLE_ESCAPES[e];
    else if (e === 'x' && /^[0-9a-fA-F]{2}/.test(src.slice(i, i + 2))) {
      value += String.fromCharCode(Number.parseInt(src.slice(i, i + 2), 16));
      i += 2;
    } else if (e === 'u' && src[i] === '{') {
      const close = src.indexOf('}', i);
      const cp = close < 0 ? Number.NaN : Number.parseInt(src.slice(i + 1, close), 16);
      if (!Number.isInteger(cp) || cp > 0x10ffff) ok = false;
      else value += String.fromCodePoint(cp);
      i = close < 0 ? src.length : close + 1;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}/.test(src.slice(i, i + 4))) {
      value += String.fromCharCode(Number.parseInt(src.slice(i, i + 4), 16));
      i += 4;
    } else if (e === '\r') {
      if (src[i] === '\n') i++; // line continuation
    } else if (e === '\n' || e === '\u2028' || e === '\u2029') {
      // line continuation: nothing
    } else if (/[1-9xu]/.test(e) || e === '0') {
      // Octal escapes and malformed \x/\u: TypeScript reports them; not a parameter here.
      ok = false;
    } else value += e;
  }
  return { value: undefined, end: i };
}
