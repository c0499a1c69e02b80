/**
 * The view's folder (VIEW_DATA_DIR), local to one replica:
 *
 *   current                  the name of the store being served, replaced atomically
 *   view-<id>.db             complete stores (the current one, and old ones until removed)
 *   building-<id>.db         a store being built from the stream; never served
 *
 * A rebuild writes a building store, renames it to a view store once complete, then points
 * `current` at it: a reader of `current` sees the old store or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const POINTER = 'current';
const STORE = /^view-[\w-]+\.db$/;
const BUILDING = /^building-([\w-]+)\.db$/;
/** A building store nobody wrote to for this long was left by a rebuild that died. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

export interface StoreDirectory {
  readonly dir: string;
  /** The store being served, or null before the first build completed. */
  currentStore(): Promise<string | null>;
  /** A fresh path to build a store at. */
  newBuildingStore(): Promise<string>;
  /** Makes a completed building store the current one; returns its new path. */
  publish(buildingStore: string): Promise<string>;
  /** Deletes a store and its journal files. */
  remove(store: string): Promise<void>;
  /** Deletes complete stores other than the current one, and abandoned building stores. */
  removeUnused(): Promise<void>;
}

export function storeDirectory(dir: string): StoreDirectory {
  const root = path.resolve(dir);
  const pointer = path.join(root, POINTER);

  async function currentStore(): Promise<string | null> {
    try {
      const name = (await readFile(pointer, 'utf8')).trim();
      return STORE.test(name) ? path.join(root, name) : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async function remove(store: string): Promise<void> {
    await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(`${store}${suffix}`, { force: true })));
  }

  return {
    dir: root,
    currentStore,

    async newBuildingStore() {
      await mkdir(root, { recursive: true });
      const id = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(4).toString('hex')}`;
      return path.join(root, `building-${id}.db`);
    },

    async publish(buildingStore) {
      const match = BUILDING.exec(path.basename(buildingStore));
      if (!match) throw new Error(`${buildingStore} is not a building store`);
      const store = path.join(root, `view-${match[1]}.db`);
      // A closed store has no write-ahead log left; should one remain, it belongs with its store.
      await rename(`${buildingStore}-wal`, `${store}-wal`).catch(() => {});
      await rm(`${buildingStore}-shm`, { force: true });
      await rename(buildingStore, store);
      const temporary = `${pointer}.${randomBytes(4).toString('hex')}`;
      await writeFile(temporary, `${path.basename(store)}\n`);
      await rename(temporary, pointer);
      return store;
    },

    remove,

    async removeUnused() {
      const current = await currentStore();
      const names = await readdir(root).catch(() => [] as string[]);
      for (const name of names) {
        const file = path.join(root, name);
        if (STORE.test(name) && file !== current) await remove(file);
        if (BUILDING.test(name)) {
          const { mtimeMs } = await stat(file);
          if (Date.now() - mtimeMs > ABANDONED_AFTER_MS) await remove(file);
        }
      }
    },
  };
}
