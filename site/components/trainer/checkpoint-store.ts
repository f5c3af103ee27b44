/**
 * The automatic checkpoint in IndexedDB: a head record under a fixed key (when it was saved, how
 * many bytes) and the bytes of an encodeCheckpoint file in parts of 48 KiB, written in one
 * transaction, so a reload can pick up where training was. Every call resolves or rejects with a
 * readable Error; where IndexedDB is missing (some private modes) the calls reject and the page
 * says automatic checkpoints are off.
 */

const DB_NAME = 'unrolled-trainer';
const STORE = 'checkpoints';
const KEY = 'auto';

/** What is stored: a checkpoint file's bytes and the time it was saved (ms since the epoch). */
export interface StoredCheckpoint {
  readonly bytes: Uint8Array;
  readonly savedAt: number;
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

/**
 * Bytes per stored part. Chromium keeps a value over 64 KiB as a separate blob file, and a tab
 * closed while that file is written leaves a record it cannot read ("Failed to read large
 * IndexedDB value"); parts this small stay inside the transaction, which lands whole or not at all.
 */
const PART_BYTES = 48 * 1024;
const PART_PREFIX = `${KEY}/part/`;
/** The key range of the parts (made on use: IndexedDB exists only in the browser). */
const partsRange = () => IDBKeyRange.bound(PART_PREFIX, `${PART_PREFIX}\uffff`);
const partKey = (i: number) => `${PART_PREFIX}${String(i).padStart(6, '0')}`;

/** The head record under KEY: how many parts follow, the byte count and the time of the save. */
interface StoredHead {
  readonly parts: number;
  readonly length: number;
  readonly savedAt: number;
}

/** A stored checkpoint that is there but cannot be read back (a damaged or half-written record). */
export class DamagedCheckpointError extends Error {
  override name = 'DamagedCheckpointError';
}

/** Issues the writes of one save into `store`: the old parts go, the new parts and head come in. */
function putParts(store: IDBObjectStore, bytes: Uint8Array, savedAt: number): void {
  const parts = Math.ceil(bytes.length / PART_BYTES);
  store.delete(partsRange());
  for (let i = 0; i < parts; i++) store.put(bytes.slice(i * PART_BYTES, (i + 1) * PART_BYTES), partKey(i));
  store.put({ parts, length: bytes.length, savedAt } satisfies StoredHead, KEY);
}

/**
 * Saves (replaces) the automatic checkpoint with its writes issued before returning when the
 * database is already open (a page being hidden or closed has no time to wait for it to open);
 * returns false when it is not open yet. One transaction: the checkpoint is replaced whole or not at all.
 */
export function saveStoredCheckpointNow(bytes: Uint8Array): boolean {
  if (!opened) return false;
  try {
    const tx = opened.transaction(STORE, 'readwrite');
    putParts(tx.objectStore(STORE), bytes, Date.now());
    // Commit now rather than at the end of this task: the page may be torn down right after.
    tx.commit();
    return true;
  } catch {
    return false;
  }
}

/** Runs `issue` in one transaction of STORE; resolves when it has completed. */
async function transact(mode: IDBTransactionMode, issue: (store: IDBObjectStore) => void): Promise<void> {
  const tx = (await openDb()).transaction(STORE, mode);
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
  issue(tx.objectStore(STORE));
  // Commit as soon as the requests are issued: a reload right after (say, after Pause) must not
  // abort a save that is under way, nor hold up the pagehide save queued behind it.
  tx.commit();
  await done;
}

/** Saves (replaces) the automatic checkpoint. */
export async function saveStoredCheckpoint(bytes: Uint8Array): Promise<StoredCheckpoint> {
  const record: StoredCheckpoint = { bytes, savedAt: Date.now() };
  await transact('readwrite', (store) => putParts(store, bytes, record.savedAt));
  return record;
}

/**
 * The automatic checkpoint, or null when none was saved. Rejects with DamagedCheckpointError when
 * a record is there but cannot be read back whole; with another Error when IndexedDB itself fails.
 */
export async function loadStoredCheckpoint(): Promise<StoredCheckpoint | null> {
  let head: unknown;
  let parts: unknown[] = [];
  await openDb(); // outside the try: a store that will not open is not a damaged record
  try {
    await transact('readonly', (store) => {
      const h = store.get(KEY);
      h.onsuccess = () => (head = h.result);
      const p = store.getAll(partsRange());
      p.onsuccess = () => (parts = p.result);
    });
  } catch (error) {
    throw new DamagedCheckpointError(error instanceof Error ? error.message : String(error));
  }
  if (!head || typeof head !== 'object') return null;
  const { bytes, savedAt } = head as { bytes?: unknown; savedAt?: unknown };
  if (typeof savedAt !== 'number') return null;
  // A record written before the checkpoint was stored in parts holds its bytes itself.
  if (bytes instanceof Uint8Array) return { bytes, savedAt };
  const { parts: count, length } = head as Partial<StoredHead>;
  const whole =
    typeof count === 'number' &&
    typeof length === 'number' &&
    parts.length === count &&
    parts.every((p) => p instanceof Uint8Array) &&
    (parts as Uint8Array[]).reduce((a, p) => a + p.length, 0) === length;
  if (!whole) throw new DamagedCheckpointError(`${parts.length} of ${String(count)} parts of the saved checkpoint were found`);
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts as Uint8Array[]) {
    out.set(p, at);
    at += p.length;
  }
  return { bytes: out, savedAt };
}

/** Deletes the automatic checkpoint (no error when there is none). */
export async function forgetStoredCheckpoint(): Promise<void> {
  await transact('readwrite', (store) => {
    store.delete(KEY);
    store.delete(partsRange());
  });
}
