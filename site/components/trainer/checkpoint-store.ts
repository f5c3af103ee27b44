/**
 * The automatic checkpoint in IndexedDB: one record (the bytes of an encodeCheckpoint file and
 * when it was saved) under a fixed key, so a reload can pick up where training was. Every call
 * resolves or rejects with a readable Error; where IndexedDB is missing (some private modes) the
 * calls reject and the page says automatic checkpoints are off.
 */

const DB_NAME = 'unrolled-trainer';
const STORE = 'checkpoints';
const KEY = 'auto';

/** What is stored: a checkpoint file's bytes and the time it was saved (ms since the epoch). */
export interface StoredCheckpoint {
  readonly bytes: Uint8Array;
  readonly savedAt: number;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** The open connection, kept so a save on pagehide can issue its write at once (see saveStoredCheckpointNow). */
let opened: IDBDatabase | null = null;

/**
 * Opens the database at whatever version it is, creating the store when it is missing: a database
 * left at another version, or without its store (an older page, a damaged profile, another tool),
 * is upgraded to the next version with the store added, instead of turning checkpoints off for good.
 */
function openDb(): Promise<IDBDatabase> {
  if (opened) return Promise.resolve(opened);
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('this browser has no IndexedDB'));
  return openAt(undefined).then((db) => {
    if (db.objectStoreNames.contains(STORE)) return keep(db);
    const next = db.version + 1;
    db.close();
    return openAt(next).then(keep);
  });
}

/** One open request (no version: the current one, or 1 for a new database); the upgrade adds the store. */
function openAt(version: number | undefined): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = version === undefined ? indexedDB.open(DB_NAME) : indexedDB.open(DB_NAME, version);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('could not open IndexedDB'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

/** Keeps the connection open for the page, closing it when another tab upgrades the database. */
function keep(db: IDBDatabase): IDBDatabase {
  db.onversionchange = () => {
    db.close();
    if (opened === db) opened = null;
  };
  db.onclose = () => {
    if (opened === db) opened = null;
  };
  opened = db;
  return db;
}

async function withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  const tx = db.transaction(STORE, mode);
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
  const result = await request(run(tx.objectStore(STORE)));
  await done;
  return result;
}

/**
 * Saves (replaces) the automatic checkpoint with its write issued before returning when the
 * database is already open (a page being hidden or closed has no time to wait for it to open);
 * returns false when it is not open yet. One put: the record is replaced whole or not at all.
 */
export function saveStoredCheckpointNow(bytes: Uint8Array): boolean {
  if (!opened) return false;
  try {
    const tx = opened.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put({ bytes, savedAt: Date.now() } satisfies StoredCheckpoint, KEY);
    // Commit now rather than at the end of this task: the page may be torn down right after.
    tx.commit();
    return true;
  } catch {
    return false;
  }
}

/** Saves (replaces) the automatic checkpoint. */
export async function saveStoredCheckpoint(bytes: Uint8Array): Promise<StoredCheckpoint> {
  const record: StoredCheckpoint = { bytes, savedAt: Date.now() };
  await withStore('readwrite', (store) => store.put(record, KEY));
  return record;
}

/** The automatic checkpoint, or null when none was saved. */
export async function loadStoredCheckpoint(): Promise<StoredCheckpoint | null> {
  const value = (await withStore('readonly', (store) => store.get(KEY))) as unknown;
  if (!value || typeof value !== 'object') return null;
  const { bytes, savedAt } = value as { bytes?: unknown; savedAt?: unknown };
  if (!(bytes instanceof Uint8Array) || typeof savedAt !== 'number') return null;
  return { bytes, savedAt };
}

/** Deletes the automatic checkpoint (no error when there is none). */
export async function forgetStoredCheckpoint(): Promise<void> {
  await withStore('readwrite', (store) => store.delete(KEY));
}
