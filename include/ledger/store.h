/*
 * ledger/store.h - the LMDB layout (DESIGN 4).
 *
 * One environment (DIR/data.mdb, DIR/lock.mdb) with named databases:
 *
 *   meta         "version" -> "1", "origin" -> origin, "size" -> u64 BE
 *   entries      u64 BE seq -> leaf bytes (written with MDB_APPEND)
 *   nodes        u64 BE stored-hash index (ledger_stored_hash_index) ->
 *                32-byte hash; every Merkle node once, in append order
 *   checkpoints  u64 BE tree size -> signed checkpoint note (all kept)
 *   ids          statement id -> u64 BE seq
 *   keys         key name -> key registry record (kinds/keys module)
 *   by_ocid, by_org, by_kind_time, by_contract
 *                query indexes: key = value || 0x00 || u64 BE seq, empty data
 *   rules        rule state (contracts, votes, ...), owned by the rules module
 *
 * A write transaction is the unit of durability: ledger_txn_commit returns
 * only after LMDB's synchronous commit (never MDB_NOSYNC/NOMETASYNC).  The
 * map is fixed and large (LEDGER_STORE_MAPSIZE by default); MDB_MAP_FULL
 * and MDB_TXN_FULL become LEDGER_EFULL, and the transaction must then be
 * aborted.
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

#define LEDGER_STORE_VERSION	1
#define LEDGER_STORE_MAPSIZE	(1ULL << 40)	/* bytes of virtual map: 1 TiB */
#define LEDGER_STORE_READERS	512	/* concurrent read transactions */

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
 * Without CREATE a missing environment is LEDGER_ENOTFOUND.  An existing
 * ledger whose meta "version" is not LEDGER_STORE_VERSION is
 * LEDGER_EVERSION.  A read-write open clears stale reader slots
 * (mdb_reader_check).  LEDGER_EIO with errno set for a missing, unreadable
 * or read-only directory.
 */
int ledger_store_open(const char *dir, unsigned flags, uint64_t mapsize,
    struct ledger_store **out);
void ledger_store_close(struct ledger_store *st);

/*
 * Initialize meta of a new, empty environment: version, origin, size 0.
 * LEDGER_EEXIST if meta already holds an origin.
 */
int ledger_store_init(struct ledger_store *st, const char *origin);

/* Bytes used by the data file, and per database (pages * page size). */
int ledger_store_usage(struct ledger_store *st, uint64_t *file_bytes,
    uint64_t db_bytes[LEDGER_DB_COUNT]);
const char *ledger_db_name(enum ledger_db db);

/* Transactions.  write != 0 for the (single) write transaction. */
int ledger_txn_begin(struct ledger_store *st, int write,
    struct ledger_txn **out);
/* Commit durably and free; on failure the transaction is freed too. */
int ledger_txn_commit(struct ledger_txn *txn);
void ledger_txn_abort(struct ledger_txn *txn);
/*
 * Read transactions only: drop the snapshot and take a new one, so a long
 * scan does not pin old pages.  Pointers from the old snapshot die.
 */
int ledger_txn_renew(struct ledger_txn *txn);

/* meta */
int ledger_meta_origin(struct ledger_txn *txn, char *out, size_t outsz);
int ledger_meta_size(struct ledger_txn *txn, uint64_t *size);
int ledger_meta_set_size(struct ledger_txn *txn, uint64_t size);

/*
 * Entries.  Pointers returned stay valid until the transaction ends (or is
 * renewed) and must not be written to.
 */
int ledger_entry_get(struct ledger_txn *txn, uint64_t seq,
    const uint8_t **data, size_t *len);
int ledger_entry_append(struct ledger_txn *txn, uint64_t seq,
    const void *data, size_t len);

/* Merkle nodes. */
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

/* Signed checkpoints, keyed by tree size; every one is kept. */
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

/* Statement ids.  put: LEDGER_EEXIST if the id is taken. */
int ledger_id_get(struct ledger_txn *txn, const char *id, uint64_t *seq);
int ledger_id_put(struct ledger_txn *txn, const char *id, uint64_t seq);

/* Generic access for indexes, key registry and rule state. */
int ledger_db_get(struct ledger_txn *txn, enum ledger_db db, const void *key,
    size_t klen, const void **val, size_t *vlen);
int ledger_db_put(struct ledger_txn *txn, enum ledger_db db, const void *key,
    size_t klen, const void *val, size_t vlen, unsigned flags);
int ledger_db_del(struct ledger_txn *txn, enum ledger_db db, const void *key,
    size_t klen);

/*
 * Cursors.  seek positions at the first key >= key (klen 0: the first
 * key); next/prev move; last goes to the last key.  Each returns 0 and the
 * current key/value, or LEDGER_ENOTFOUND at the end.
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

/* u64 big-endian key helpers. */
void ledger_be64_put(uint8_t out[8], uint64_t v);
uint64_t ledger_be64_get(const uint8_t in[8]);

#endif
