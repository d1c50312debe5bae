/**
 * The sidecar-trust rule of STEP-CONTRACT.md ("Hash sidecars"): the store files
 * an output under the hash its sidecar records only while the sidecar names the
 * very same file state (device, inode, size, mtime, ctime); otherwise it hashes
 * the file. To tell the two apart, the trusted sidecars here record a hash that
 * is NOT the content's: only trust can produce it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HASH_SIDECAR_SUFFIX, LocalArtifactStore } from '../../../kernel-lib/src/runner/artifact-store.js';

const CONTENT = 'the bytes a step wrote\n';
const REAL = createHash('sha256').update(CONTENT).digest('hex');
const RECORDED = 'c'.repeat(64);

function sidecarFor(file: string, overrides: Record<string, unknown> = {}) {
  const st = statSync(file, { bigint: true });
  return {
    sha256: RECORDED,
    size: Number(st.size),
    dev: String(st.dev),
    ino: String(st.ino),
    mtimeNs: String(st.mtimeNs),
    ctimeNs: String(st.ctimeNs),
    ...overrides,
  };
}

/** A fresh output file with a sidecar (`edit` may change either afterwards); returns what `put` filed it under. */
async function put(edit: (file: string, sidecar: string) => void = () => {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-sidecar-'));
  const file = path.join(dir, 'out.arrow');
  const sidecar = `${file}${HASH_SIDECAR_SUFFIX}`;
  writeFileSync(file, CONTENT);
  writeFileSync(sidecar, JSON.stringify(sidecarFor(file)));
  // File times are only as fine as the kernel's clock tick: let one pass, so a rewrite shows.
  await new Promise((r) => setTimeout(r, 25));
  edit(file, sidecar);
  const store = new LocalArtifactStore(path.join(dir, 'store'));
  const ref = await store.put(file);
  return { ref, stored: readFileSync(await store.localPath(ref.hash), 'utf8'), sidecar };
}

describe('LocalArtifactStore.put and hash sidecars', () => {
  it('takes the recorded hash when the sidecar describes the file as it is', async () => {
    const { ref } = await put();
    expect(ref).toEqual({ hash: RECORDED, size: CONTENT.length });
  });

  it.each([
    ['the file was rewritten after the sidecar', (f: string) => writeFileSync(f, CONTENT)],
    [
      'another file was renamed into its place',
      (f: string) => {
        writeFileSync(`${f}.new`, CONTENT);
        renameSync(`${f}.new`, f);
      },
    ],
    [
      'its times were set back (ctime still moves)',
      (f: string) => {
        const st = statSync(f);
        writeFileSync(f, CONTENT);
        utimesSync(f, st.atime, st.mtime);
      },
    ],
    ['the size differs', (f: string, s: string) => writeFileSync(s, JSON.stringify(sidecarFor(f, { size: 1 })))],
    ['the inode differs', (f: string, s: string) => writeFileSync(s, JSON.stringify(sidecarFor(f, { ino: '1' })))],
    [
      'the hash is not lowercase hex',
      (f: string, s: string) => writeFileSync(s, JSON.stringify(sidecarFor(f, { sha256: 'C'.repeat(64) }))),
    ],
    [
      'the hash is too short',
      (f: string, s: string) => writeFileSync(s, JSON.stringify(sidecarFor(f, { sha256: 'c'.repeat(63) }))),
    ],
    ['the sidecar is not JSON', (_f: string, s: string) => writeFileSync(s, '{"sha256":')],
  ])('hashes the file itself when %s', async (_why, edit) => {
    const { ref, stored } = await put(edit);
    expect(ref).toEqual({ hash: REAL, size: CONTENT.length });
    expect(stored).toBe(CONTENT);
  });

  it('removes the sidecar once the output is filed', async () => {
    const { sidecar } = await put();
    expect(() => statSync(sidecar)).toThrow();
  });
});
