import { randomBytes } from 'node:crypto';
import { promises as fs, openAsBlob } from 'node:fs';
import path from 'node:path';
import { type FileMeta, type Storage, StorageNotDirectoryError, StorageNotFoundError } from './storage.js';

/** Local file-system storage rooted at a directory. */
export class LocalStorage implements Storage {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private abs(rel: string): string {
    return rel === '' ? this.root : path.join(this.root, ...rel.split('/'));
  }

  async list(dir: string): Promise<FileMeta[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(this.abs(dir), { withFileTypes: true });
    } catch (e) {
      if (isNotFound(e)) return [];
      throw await this.notDirectory(e, dir);
    }
    const out: FileMeta[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      const st = await fs.stat(this.abs(rel)).catch(() => undefined);
      if (st) out.push({ path: rel, size: st.size, modificationTime: Math.floor(st.mtimeMs) });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async listRecursive(dir: string): Promise<FileMeta[]> {
    const out: FileMeta[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(this.abs(rel), { withFileTypes: true });
      } catch (e) {
        if (isNotFound(e)) return;
        throw await this.notDirectory(e, rel);
      }
      for (const entry of entries) {
        const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) await walk(child);
        else if (entry.isFile()) {
          const st = await fs.stat(this.abs(child)).catch(() => undefined);
          if (st) out.push({ path: child, size: st.size, modificationTime: Math.floor(st.mtimeMs) });
        }
      }
    };
    await walk(dir);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async read(rel: string): Promise<Uint8Array> {
    try {
      // A view of the Buffer, not a copy: data files are tens of MB.
      const buf = await fs.readFile(this.abs(rel));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      if (isNotFound(e)) throw new StorageNotFoundError(rel);
      throw await this.notDirectory(e, rel.split('/').slice(0, -1).join('/'));
    }
  }

  async openBlob(rel: string): Promise<Blob> {
    try {
      // openAsBlob reports a missing file as a bare TypeError: stat first for ENOENT.
      await fs.stat(this.abs(rel));
      return await openAsBlob(this.abs(rel));
    } catch (e) {
      if (isNotFound(e)) throw new StorageNotFoundError(rel);
      throw await this.notDirectory(e, rel.split('/').slice(0, -1).join('/'));
    }
  }

  async head(rel: string): Promise<FileMeta | undefined> {
    const st = await fs.stat(this.abs(rel)).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    return { path: rel, size: st.size, modificationTime: Math.floor(st.mtimeMs) };
  }

  async write(rel: string, data: Uint8Array): Promise<void> {
    const target = this.abs(rel);
    await this.mkdirs(rel);
    // Write beside the target then rename, so readers never see a half-written file.
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, target);
  }

  async putIfAbsent(rel: string, data: Uint8Array): Promise<boolean> {
    const target = this.abs(rel);
    await this.mkdirs(rel);
    // rename() silently overwrites on POSIX; link() fails with EEXIST, which makes
    // it the mutual-exclusion primitive. The temp name starts with '.' so log
    // listing ignores it if we crash before unlinking.
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.link(tmp, target);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      await fs.unlink(tmp).catch(() => undefined);
    }
  }

  /** Creates the folders above `rel`. */
  private async mkdirs(rel: string): Promise<void> {
    try {
      await fs.mkdir(path.dirname(this.abs(rel)), { recursive: true });
    } catch (e) {
      throw await this.notDirectory(e, rel.split('/').slice(0, -1).join('/'));
    }
  }

  /**
   * `e` as a StorageNotDirectoryError naming the file that stands where a folder on the
   * way to `rel` should be (ENOTDIR, or EEXIST from mkdir), else `e` unchanged.
   */
  private async notDirectory(e: unknown, rel: string): Promise<unknown> {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code !== 'ENOTDIR' && code !== 'EEXIST') return e;
    let at = this.root;
    for (const part of ['', ...rel.split('/').filter(Boolean)]) {
      at = part ? path.join(at, part) : at;
      const st = await fs.stat(at).catch(() => undefined);
      if (st && !st.isDirectory()) return new StorageNotDirectoryError(rel, at);
    }
    return e;
  }

  async delete(rel: string): Promise<void> {
    await fs.unlink(this.abs(rel)).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}
