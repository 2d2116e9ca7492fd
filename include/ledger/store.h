/*
 * ledger/store.h - the LMDB layout (DESIGN 4).
 *
 * Two environments.  DIR/data.mdb (and DIR/lock.mdb) holds the ledger:
 *
 *   meta         "version" -> "1", "origin" -> origin, "size" -> u64 BE
 *   entries      u64 BE bundle number (seq / LEDGER_BUNDLE_LEAVES) ->
 *                bundle: u8 n (1..LEDGER_BUNDLE_LEAVES), n u32 BE end
 *                offsets, then the n leaves back to back (see below)
 *   nodes        u64 BE stored-hash index (ledger_stored_hash_index) ->
 *                32-byte hash; every Merkle node once, in append order
 *   checkpoints  u64 BE tree size -> signed checkpoint note (all kept)
 *   ids          statement id -> u64 BE seq
 *   keys         key name -> key registry record (kinds/keys module)
 *   rules        rule state (contracts, votes, ...), owned by the rules module
 *
 * DIR/index.mdb (and DIR/index.mdb-lock) holds the query indexes, data
 * derived from the entries (lib/store_index.c says why apart):
 *   meta         "upto" -> u64 BE n || leaf hash of entry n - 1: rows of
 *                entries below n are stored; "state" (crash detection)
 *   by_ocid, by_org, by_kind_time, by_contract
 *                key = value || 0x00 || u64 BE seq (ledger/index.h)
 * The ledger_db calls reach both; a transaction spans both.  A read
 * transaction takes its index.mdb snapshot when it first reads an index,
 * so that snapshot may be older or newer than the data.mdb one by a batch
 * in flight: bound index rows by a tree size known to be committed (the
 * served size) before the transaction began.
 *
 * A write transaction is the unit of durability: ledger_txn_commit returns
 * only after LMDB's synchronous commit of data.mdb (never
 * MDB_NOSYNC/NOMETASYNC there).  index.mdb commits right after it without
 * a sync: a crash can lose index rows, never entries, and a read-write
 * open or ledger_index_catch_up puts them back.  The
 * map is fixed and large (LEDGER_STORE_MAPSIZE by default); MDB_MAP_FULL
 * and MDB_TXN_FULL become LEDGER_EFULL, and the transaction must then be
 * aborted.
 *
 * Errors (one mapping for every call): MDB_NOTFOUND -> LEDGER_ENOTFOUND;
 * MDB_MAP_FULL, MDB_TXN_FULL, ENOSPC -> LEDGER_EFULL; MDB_KEYEXIST ->
 * LEDGER_EEXIST; MDB_INVALID, MDB_VERSION_MISMATCH -> LEDGER_EVERSION;
 * ENOMEM -> LEDGER_ENOMEM; EINVAL (misuse) -> LEDGER_EINVAL; any other
 * errno -> LEDGER_EIO with errno set; anything else -> LEDGER_ESTORE.
 * After a failed write, abort the transaction.  (Refusals made before
 * LMDB changes anything -- LEDGER_EINVAL, LEDGER_ETOOBIG, and LEDGER_EEXIST
 * or LEDGER_ECONFLICT from a put that must not overwrite or append --
 * leave it usable; every other failure, LEDGER_EFULL first, poisons it.)
 *
 * Lifetimes: every pointer a get or cursor call returns points into the
 * LMDB map, is read-only, is not NUL-terminated, and is valid until the
 * transaction ends or is renewed (in a write transaction: until the next
 * write).
 *
 * Keys of the generic calls and of cursor seeks are 1..511 bytes (LMDB's
 * maximum key size); longer or empty keys are LEDGER_EINVAL.
 *
 * Thread safety: a ledger_store may be shared by threads (MDB_NOTLS is
 * set, so read transactions are not tied to threads); a ledger_txn and its
 * cursors belong to one thread at a time.  Only one write transaction runs
 * at once (LMDB serializes them).  Never use a store across fork().
 */
#ifndef LEDGER_STORE_H
#define LEDGER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/merkle.h"

#define LEDGER_STORE_VERSION	2	/* 2: leaves in bundles */
#define LEDGER_STORE_MAPSIZE	(1ULL << 40)	/* bytes of virtual map: 1 TiB */
#define LEDGER_STORE_READERS	512	/* concurrent read transactions */
#define LEDGER_BUNDLE_LEAVES	16	/* consecutive leaves per entries value */

enum ledger_db {
	LEDGER_DB_META,
	LEDGER_DB_ENTRIES,
	LEDGER_DB_NODES,
	LEDGER_DB_CHECKPOINTS,
	LEDGER_DB_IDS,
	LEDGER_DB_KEYS,
	LEDGER_DB_BY_OCID,
	LEDGER_DB_BY_ORG,
	LEDGER_DB_BY_KIND_TIME,
	LEDGER_DB_BY_CONTRACT,
	LEDGER_DB_RULES,
	LEDGER_DB_COUNT
};

/* ledger_store_open flags */
#define LEDGER_STORE_RDONLY	0x1	/* read-only (lock.mdb still written) */
#define LEDGER_STORE_CREATE	0x2	/* create the environment if absent */

/* ledger_db_put flags */
#define LEDGER_PUT_APPEND	0x1	/* key is greater than every key */
#define LEDGER_PUT_NOOVERWRITE	0x2	/* LEDGER_EEXIST if the key exists */

struct ledger_store;
struct ledger_txn;
struct ledger_cursor;

/*
 * Open the environment in dir.  mapsize 0 means LEDGER_STORE_MAPSIZE.
 * With CREATE, dir is made (mode 0700; its parent must exist) and the
 * named databases are created; RDONLY|CREATE is LEDGER_EINVAL.  Without
 * CREATE a missing environment (no dir, or no dir/data.mdb) is
 * LEDGER_ENOTFOUND with errno ENOENT, and so is an environment without a
 * "meta" database (not a ledger).  An existing ledger whose meta "version"
 * is not LEDGER_STORE_VERSION, that lacks one of the named databases, or
 * whose data.mdb is not an LMDB file is LEDGER_EVERSION (checked before
 * anything is created).  A read-write open clears stale reader slots
 * (mdb_reader_check).  LEDGER_EIO with errno set when dir cannot be made,
 * read or (read-write) written.
 * RDONLY opens work while another process writes, but still need write
 * access to DIR/lock.mdb (the reader table), or to DIR if lock.mdb does
 * not yet exist; data.mdb is only read.  A RDONLY store opens index.mdb
 * as it is, if it exists (its rows may lag after a crash; without the
 * file, index calls give LEDGER_ENOTFOUND).  A read-write open opens or
 * makes index.mdb; one it cannot trust (written in an earlier boot and
 * not closed cleanly, unreadable, or not matching the entries) is
 * deleted and made anew, empty.  Its rows are then filled in by
 * ledger_index_catch_up (ledger/index.h); ledger_appender_load does it
 * for a lag within one transaction.  A ledger may be open only once
 * per process (LMDB's rule).  Close after every transaction has ended.
 */
int ledger_store_open(const char *dir, unsigned flags, uint64_t mapsize,
    struct ledger_store **out);
void ledger_store_close(struct ledger_store *st);

/*
 * Initialize meta of a new, empty environment: version, origin, size 0,
 * in its own write transaction.  origin is 1..LEDGER_KEYNAME_MAX bytes
 * (LEDGER_EINVAL, LEDGER_ETOOBIG).  LEDGER_EEXIST if meta already holds an
 * origin.
 */
int ledger_store_init(struct ledger_store *st, const char *origin);

/*
 * Bytes used by the data files (data.mdb and index.mdb), and per database (branch, leaf
 * and overflow pages * page size, in a fresh read snapshot).  Either
 * output may be NULL.
 */
int ledger_store_usage(struct ledger_store *st, uint64_t *file_bytes,
    uint64_t db_bytes[LEDGER_DB_COUNT]);
/*
 * 0, or the error of the first index.mdb commit that failed since open
 * (its data.mdb commit stood).  ledgerd stops appending on it: the disk
 * is failing, and a restart re-indexes what is missing.
 */
int ledger_store_index_error(const struct ledger_store *st);
/* The LMDB name of db ("meta", "entries", ...); NULL if out of range. */
const char *ledger_db_name(enum ledger_db db);

/*
 * Transactions.  write != 0 for the (single) write transaction; it waits
 * for any other writer, so a thread must not begin a second one while it
 * holds one.  write on a RDONLY store is LEDGER_EINVAL.  Commit and abort
 * close the transaction's open cursors (their handles then fail with
 * LEDGER_EINVAL and must still be freed with ledger_cursor_close).
 */
int ledger_txn_begin(struct ledger_store *st, int write,
    struct ledger_txn **out);
/*
 * Commit durably and free; on failure the transaction is freed too.  The
 * result is data.mdb's commit: once it stands the entries are stored and
 * 0 is returned even if index.mdb's commit then fails, which
 * ledger_store_index_error reports (the rows come back from the mark on
 * the next append or open).
 */
int ledger_txn_commit(struct ledger_txn *txn);
void ledger_txn_abort(struct ledger_txn *txn);
/*
 * Read transactions only: drop the snapshot and take a new one, so a long
 * scan does not pin old pages.  Pointers from the old snapshot die; open
 * cursors are renewed too but lose their position (seek again).  On
 * failure the transaction can only be aborted.  LEDGER_EINVAL for a write
 * transaction.
 */
int ledger_txn_renew(struct ledger_txn *txn);

/*
 * meta.  origin copies the NUL-terminated origin into out
 * (LEDGER_ETOOBIG if outsz is too small; LEDGER_KEYNAME_MAX + 1 always
 * fits).  LEDGER_ENOTFOUND before ledger_store_init.
 */
int ledger_meta_origin(struct ledger_txn *txn, char *out, size_t outsz);
int ledger_meta_size(struct ledger_txn *txn, uint64_t *size);
int ledger_meta_set_size(struct ledger_txn *txn, uint64_t size);

/*
 * Entries.  Leaves are stored LEDGER_BUNDLE_LEAVES consecutive seqs to a
 * value: LMDB fits only two nodes of a typical 1.5 kB leaf in a 4 kB page
 * (its node limit is half a page), so one leaf per value wasted a quarter
 * of the file; a bundle fills its overflow pages to within one page.  The
 * last bundle is rewritten (in the same transaction) as it grows; leaf
 * end offsets that do not increase mark a slot that damage emptied.
 *
 * get: pointers returned stay valid until the transaction ends (or is
 * renewed, or in a write transaction until the next write) and must not be
 * written to.  LEDGER_ENOTFOUND when seq is not stored (or its slot is
 * empty), LEDGER_ESTORE when its bundle is malformed (a damaged store).
 * append: 1 <= len <= LEDGER_LEAF_MAX (LEDGER_EINVAL, LEDGER_ETOOBIG); seq
 * must be the next one, one past the last stored seq (0 when empty): a
 * lower seq is LEDGER_EEXIST, a higher one LEDGER_EINVAL (a gap).
 */
int ledger_entry_get(struct ledger_txn *txn, uint64_t seq,
    const uint8_t **data, size_t *len);
int ledger_entry_append(struct ledger_txn *txn, uint64_t seq,
    const void *data, size_t len);
/*
 * The number of entries stored, from the last bundle: 0 when none.
 * LEDGER_ESTORE when bundles are missing below the last one, or the last
 * one is malformed.
 */
int ledger_entry_count(struct ledger_txn *txn, uint64_t *count);
/*
 * Replace the stored bytes of entry seq (len 0 empties its slot, which
 * then reads as missing).  Neither ledgerd nor ledgerctl calls this: it is
 * for tests and tools that damage a ledger on purpose to show the damage
 * is found.  LEDGER_ENOTFOUND if seq is not stored; len <= LEDGER_LEAF_MAX.
 */
int ledger_entry_replace(struct ledger_txn *txn, uint64_t seq,
    const void *data, size_t len);

/*
 * Merkle nodes, keyed by BE ledger_stored_hash_index(level, index).  put
 * appends: nodes must come in increasing stored index order (as
 * ledger_frontier_append emits them), else LEDGER_EEXIST.  level < 64 and
 * index << level < 2^63, else LEDGER_EINVAL.  A stored value that is not
 * LEDGER_HASH_BYTES long is LEDGER_ESTORE.
 */
int ledger_node_get(struct ledger_txn *txn, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES]);
int ledger_node_put(struct ledger_txn *txn, unsigned level, uint64_t index,
    const uint8_t hash[LEDGER_HASH_BYTES]);
/* A ledger_hash_reader over stored nodes; ctx is a struct ledger_txn *. */
int ledger_txn_hash_reader(void *ctx, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES]);
/* A ledger_node_sink that stores nodes; ctx is a struct ledger_txn *. */
int ledger_txn_node_sink(void *ctx, unsigned level, uint64_t index,
    const uint8_t hash[LEDGER_HASH_BYTES]);

/*
 * Signed checkpoints, keyed by tree size; every one is kept.  put: note is
 * 1..LEDGER_NOTE_MAX bytes.  Re-putting the identical note for a size is a
 * no-op (Ed25519 is deterministic); other bytes for a size already signed
 * are LEDGER_ECONFLICT and nothing is written: the store never forks.
 * Returned notes are not NUL-terminated.
 */
int ledger_ckpt_put(struct ledger_txn *txn, uint64_t size, const char *note,
    size_t len);
int ledger_ckpt_get(struct ledger_txn *txn, uint64_t size,
    const char **note, size_t *len);
/* The checkpoint with the largest size.  LEDGER_ENOTFOUND if none. */
int ledger_ckpt_latest(struct ledger_txn *txn, uint64_t *size,
    const char **note, size_t *len);
/* The first checkpoint whose size is > seq (the one that first includes it). */
int ledger_ckpt_covering(struct ledger_txn *txn, uint64_t seq,
    uint64_t *size, const char **note, size_t *len);

/*
 * Statement ids (1..LEDGER_ID_MAX bytes, else LEDGER_EINVAL or
 * LEDGER_ETOOBIG).  put: LEDGER_EEXIST if the id is taken; the transaction
 * stays usable.
 */
int ledger_id_get(struct ledger_txn *txn, const char *id, uint64_t *seq);
int ledger_id_put(struct ledger_txn *txn, const char *id, uint64_t seq);

/*
 * Generic access for indexes, key registry and rule state.  put with
 * LEDGER_PUT_APPEND: LEDGER_EEXIST unless key is above every key; with
 * LEDGER_PUT_NOOVERWRITE: LEDGER_EEXIST if key exists.  del:
 * LEDGER_ENOTFOUND if absent.  Writes in a read transaction: LEDGER_EINVAL.
 */
int ledger_db_get(struct ledger_txn *txn, enum ledger_db db, const void *key,
    size_t klen, const void **val, size_t *vlen);
int ledger_db_put(struct ledger_txn *txn, enum ledger_db db, const void *key,
    size_t klen, const void *val, size_t vlen, unsigned flags);
int ledger_db_del(struct ledger_txn *txn, enum ledger_db db, const void *key,
    size_t klen);

/*
 * Cursors.  seek positions at the first key >= key (klen 0: the first
 * key); next/prev move; last goes to the last key.  Each returns 0 and the
 * current key/value (any output may be NULL), or LEDGER_ENOTFOUND at the
 * end.  next on an unpositioned cursor is first, prev is last.  A cursor
 * belongs to its transaction's thread; close it before or after the
 * transaction ends (after: the handle is inert, close only frees it).
 */
int ledger_cursor_open(struct ledger_txn *txn, enum ledger_db db,
    struct ledger_cursor **out);
void ledger_cursor_close(struct ledger_cursor *c);
int ledger_cursor_seek(struct ledger_cursor *c, const void *key, size_t klen,
    const void **k, size_t *kl, const void **v, size_t *vl);
int ledger_cursor_next(struct ledger_cursor *c, const void **k, size_t *kl,
    const void **v, size_t *vl);
int ledger_cursor_prev(struct ledger_cursor *c, const void **k, size_t *kl,
    const void **v, size_t *vl);
int ledger_cursor_last(struct ledger_cursor *c, const void **k, size_t *kl,
    const void **v, size_t *vl);

/*
 * The index mark: rows of entries below *upto are in index.mdb; tip (may
 * be NULL) receives the leaf hash of entry *upto - 1 (zeros when *upto is
 * 0).  mark sets it (upto >= 1) in a write transaction, which keeps it
 * and writes it once, at commit (upto then sees the new value).
 * LEDGER_ENOTFOUND when the store has no index.mdb; LEDGER_ESTORE for a
 * malformed mark.
 */
int ledger_index_upto(struct ledger_txn *txn, uint64_t *upto,
    uint8_t tip[LEDGER_HASH_BYTES]);
int ledger_index_mark(struct ledger_txn *txn, uint64_t upto,
    const uint8_t tip[LEDGER_HASH_BYTES]);

/* u64 big-endian key helpers. */
void ledger_be64_put(uint8_t out[8], uint64_t v);
uint64_t ledger_be64_get(const uint8_t in[8]);

#endif
