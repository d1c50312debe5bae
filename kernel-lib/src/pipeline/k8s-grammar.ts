/**
 * The Kubernetes grammar Kale's `image:`, `annotation:`, `label:` and `limit:` tags
 * must fit: the exports hand these values to a cluster verbatim, so a value the API
 * server would refuse is a compile error here, naming the tag, rather than a failed
 * pod later. Browser-safe (the extension's tag editor reads tags through it).
 */
import { CPU_QUANTITY, MEMORY_QUANTITY } from './quantity.js';

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `key` cannot be a label or annotation key (`[prefix/]name`), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `key prefix "${prefix}" must be a DNS subdomain (lower-case, e.g. example.com)`;
  }
  if (name.length > 63 || !NAME_PART.test(name)) {
    return `key "${key}" must be [prefix/]name, the name at most 63 letters, digits, "-", "_", "." between alphanumerics`;
  }
  if (prefix === 'stillwater.dev' || prefix?.endsWith('.stillwater.dev')) {
    return `key "${key}": the stillwater.dev/ prefix is reserved for what the exports write themselves`;
  }
  return undefined;
}

/** Why `value` cannot be a label value (Kubernetes: at most 63, alphanumeric ends), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && NAME_PART.test(value))) return undefined;
  return `label value "${value.slice(0, 70)}" must be at most 63 letters, digits, "-", "_", "." between alphanumerics`;
}

/**
 * A container image reference as Docker reads it: `[host[:port]/]path[:tag][@digest]`,
 * path components lower-case. Kale takes any text; the exports paste it into YAML and
 * Python, so only what a registry could serve is let through.
 */
/** Docker reads a first component as the registry only with a dot, a port or as localhost. */
const REGISTRY = '(?:[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+(?::[0-9]+)?|[A-Za-z0-9-]+:[0-9]+|localhost)';
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^(?:${REGISTRY}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*` +
    '(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

export function imageProblem(image: string): string | undefined {
  if (image.length <= 512 && IMAGE_REFERENCE.test(image)) return undefined;
  return 'image must be a container image reference, e.g. python:3.11-slim or registry.example/team/steps:1.2@sha256:…';
}

const WHOLE_NUMBER = /^(0|[1-9][0-9]*)$/;

/**
 * Why `qty` is no limit for `resource`, or undefined. Resources are what a container's
 * `resources.limits` takes: cpu, memory, ephemeral-storage, hugepages-<size>, or an
 * extended resource named with a domain (nvidia.com/gpu, amd.com/gpu…), which counts
 * whole units.
 */
export function limitProblem(resource: string, qty: string): string | undefined {
  if (resource === 'cpu') return CPU_QUANTITY.test(qty) ? undefined : 'cpu takes cores, e.g. 2, 0.5 or 500m';
  if (resource === 'memory' || resource === 'ephemeral-storage' || /^hugepages-[0-9]+([EPTGMk]i?)?$/.test(resource)) {
    return MEMORY_QUANTITY.test(qty) ? undefined : `${resource} takes bytes, e.g. 512Mi or 2Gi`;
  }
  if (isExtendedResource(resource)) {
    return WHOLE_NUMBER.test(qty) ? undefined : `${resource} is counted in whole units, e.g. 1`;
  }
  return `unknown resource "${resource}": one of cpu, memory, ephemeral-storage, hugepages-<size>, or a domain-qualified extended resource such as nvidia.com/gpu`;
}

/** `domain/name` resources (GPUs and other device-plugin resources), outside Kubernetes' own domain. */
export function isExtendedResource(resource: string): boolean {
  const slash = resource.indexOf('/');
  if (slash < 0) return false;
  const domain = resource.slice(0, slash);
  return (
    domain.includes('.') &&
    !domain.endsWith('kubernetes.io') &&
    qualifiedNameProblem(resource) === undefined &&
    resource.length <= 253
  );
}

/** Defined entries of limits, annotations or labels, by key: tags and exports are written independent of insertion order. */
export function keyedEntries(map: Readonly<Record<string, string | undefined>> | undefined): [string, string][] {
  return Object.entries(map ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
