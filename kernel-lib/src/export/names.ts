/**
 * Orchestrators want names of their own grammar (Kubernetes DNS labels for Argo and KFP
 * tasks, Python-ish identifiers for Airflow task ids and parameter keys). Pipeline names
 * from the compiler already fit; anything else (a spec built by hand) is mapped to a
 * readable name plus a short hash of the original, so two different names never collide
 * and the same name always maps the same way. The original stays in display fields.
 */
import { createHash } from 'node:crypto';

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** Hands out names in one namespace: `wanted` if it is free and valid, else a hashed variant. */
export class NameAllocator {
  private readonly used = new Set<string>();
  private readonly byOriginal = new Map<string, string>();

  constructor(
    private readonly sanitize: (text: string) => string,
    private readonly isValid: (name: string) => boolean,
    private readonly separator = '-',
  ) {}

  /** The name for `original` (memoised: asking again returns the same name). */
  name(original: string): string {
    const known = this.byOriginal.get(original);
    if (known !== undefined) return known;
    const base = this.sanitize(original);
    let candidate = this.isValid(original) ? original : base;
    for (let i = 1; this.used.has(candidate) || !this.isValid(candidate); i++) {
      candidate = `${base}${this.separator}${shortHash(i === 1 ? original : `${original}#${i}`)}`;
    }
    this.used.add(candidate);
    this.byOriginal.set(original, candidate);
    return candidate;
  }

  /** A name for something of our own (e.g. the `metrics` key): `wanted` unless taken, then a hashed variant. */
  fresh(wanted: string): string {
    let candidate = wanted;
    for (let i = 1; this.used.has(candidate); i++)
      candidate = `${wanted}${this.separator}${shortHash(`${wanted}#${i}`)}`;
    this.used.add(candidate);
    return candidate;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Lower-case DNS-1123 label text (Argo/KFP task and template names), at most 40 characters before a hash. */
export function dnsLabelText(text: string): string {
  const t = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return t === '' ? 'x' : t;
}

/** Step names become DNS labels: `train_model` → `train-model` (what the KFP SDK does to component names). */
export const dnsLabels = (): NameAllocator =>
  new NameAllocator(dnsLabelText, (n) => n.length <= 52 && DNS_LABEL.test(n));

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Python/Jinja/Argo-safe identifiers (parameter and artifact keys, Airflow task ids). */
export const identifiers = (): NameAllocator =>
  new NameAllocator(
    (t) => {
      const s = t.replace(/[^A-Za-z0-9_]+/g, '_').slice(0, 40);
      return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
    },
    (n) => IDENTIFIER.test(n),
    '_',
  );
