import { describe, expect, it } from 'vitest';
import { cpuCount, memoryBytes } from '../../../kernel-lib/src/pipeline/quantity.js';

describe('resource quantities', () => {
  it('reads cpu as Kubernetes does', () => {
    expect(cpuCount('2')).toBe(2);
    expect(cpuCount('500m')).toBe(0.5);
    expect(cpuCount('1.5')).toBe(1.5);
    for (const bad of ['', 'm', '2 cpus', '-1', '1e3', '0x10']) expect(cpuCount(bad)).toBeUndefined();
  });

  it('reads memory with binary and decimal suffixes', () => {
    expect(memoryBytes('512Mi')).toBe(512 * 1024 * 1024);
    expect(memoryBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(memoryBytes('1G')).toBe(1e9);
    expect(memoryBytes('100k')).toBe(100_000);
    expect(memoryBytes('4096')).toBe(4096);
    for (const bad of ['', 'Mi', '512MB', '1K', '-1Gi', '1 Gi']) expect(memoryBytes(bad)).toBeUndefined();
  });
});
