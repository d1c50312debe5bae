/**
 * Kubernetes resource quantities, as `limit:cpu:N` and `limit:memory:QTY` tags write
 * them (`500m`, `2`, `512Mi`, `1.5Gi`, `1G`): one reading for the runner's slots, the
 * memory limit and the Ray engine's resource requests, so they agree with what the
 * exports hand to Kubernetes unchanged.
 */

/** `N` or `Nm` (millicores). */
export const CPU_QUANTITY = /^[0-9]+(\.[0-9]+)?m?$/;
/** A number with an optional binary (`Ki`…`Ei`) or decimal (`k`…`E`) suffix. */
export const MEMORY_QUANTITY = /^[0-9]+(\.[0-9]+)?([EPTGMk]i?)?$/;

const MEMORY_FACTORS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** CPUs of a cpu quantity (`500m` → 0.5); undefined when it is not one. */
export function cpuCount(quantity: string): number | undefined {
  if (!CPU_QUANTITY.test(quantity)) return undefined;
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

/** Bytes of a memory quantity (`512Mi` → 536870912); undefined when it is not one. */
export function memoryBytes(quantity: string): number | undefined {
  const match = MEMORY_QUANTITY.exec(quantity);
  if (!match) return undefined;
  const suffix = match[2] ?? '';
  return Math.round(Number(quantity.slice(0, quantity.length - suffix.length)) * MEMORY_FACTORS[suffix]!);
}
