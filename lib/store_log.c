/*
 * store_log.c - the log's own tables (DESIGN 4): entries, Merkle nodes,
 * signed checkpoints and statement ids, over the plumbing of store.c.
 * Numeric keys are u64 big-endian, so byte order is numeric order and
 * appends are MDB_APPEND.
 */
#include <stdint.h>
#include <string.h>

#include <lmdb.h>

#include "ledger/error.h"
#include "ledger/limits.h"
#include "ledger/merkle.h"
#include "ledger/store.h"
#include "store_int.h"

int
ledger_entry_get(struct ledger_txn *txn, uint64_t seq, const uint8_t **data,
    size_t *len)
{
	const void *p;
	uint8_t k[8];
	int rc;

	if (data == NULL)
		return LEDGER_EINVAL;
	ledger_be64_put(k, seq);
	if ((rc = store_get_ptr(txn, LEDGER_DB_ENTRIES, k, 8, &p, len)) == 0)
		*data = p;
	return rc;
}

int
ledger_entry_append(struct ledger_txn *txn, uint64_t seq, const void *data,
    size_t len)
{
	uint8_t k[8];

	if (data == NULL && len > 0)
		return LEDGER_EINVAL;
	if (len > LEDGER_LEAF_MAX)
		return LEDGER_ETOOBIG;
	ledger_be64_put(k, seq);
	/* MDB_APPEND refuses (MDB_KEYEXIST) a key not above the last one. */
	return store_put(txn, LEDGER_DB_ENTRIES, k, 8, data, len, MDB_APPEND,
	    NULL);
}

/* The nodes key; 0, or LEDGER_EINVAL past any tree of 2^63 leaves. */
static int
node_key(unsigned level, uint64_t index, uint8_t k[8])
{
	if (level >= 64 || (index >> (63 - level)) != 0)
		return LEDGER_EINVAL;
	ledger_be64_put(k, ledger_stored_hash_index(level, index));
	return 0;
}

int
ledger_node_get(struct ledger_txn *txn, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES])
{
	MDB_val val;
	uint8_t k[8];
	int rc;

	if (out == NULL)
		return LEDGER_EINVAL;
	if ((rc = node_key(level, index, k)) != 0 ||
	    (rc = store_get(txn, LEDGER_DB_NODES, k, 8, &val)) != 0)
		return rc;
	if (val.mv_size != LEDGER_HASH_BYTES)
		return LEDGER_ESTORE;
	memcpy(out, val.mv_data, LEDGER_HASH_BYTES);
	return 0;
}

int
ledger_node_put(struct ledger_txn *txn, unsigned level, uint64_t index,
    const uint8_t hash[LEDGER_HASH_BYTES])
{
	uint8_t k[8];
	int rc;

	if (hash == NULL)
		return LEDGER_EINVAL;
	if ((rc = node_key(level, index, k)) != 0)
		return rc;
	/* The frontier emits nodes in increasing stored index order. */
	return store_put(txn, LEDGER_DB_NODES, k, 8, hash, LEDGER_HASH_BYTES,
	    MDB_APPEND, NULL);
}

int
ledger_txn_hash_reader(void *ctx, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES])
{
	return ledger_node_get(ctx, level, index, out);
}

int
ledger_txn_node_sink(void *ctx, unsigned level, uint64_t index,
    const uint8_t hash[LEDGER_HASH_BYTES])
{
	return ledger_node_put(ctx, level, index, hash);
}

int
ledger_ckpt_put(struct ledger_txn *txn, uint64_t size, const char *note,
    size_t len)
{
	MDB_val old;
	uint8_t k[8];
	int rc;

	if (note == NULL || len == 0)
		return LEDGER_EINVAL;
	if (len > LEDGER_NOTE_MAX)
		return LEDGER_ETOOBIG;
	ledger_be64_put(k, size);
	rc = store_put(txn, LEDGER_DB_CHECKPOINTS, k, 8, note, len,
	    MDB_NOOVERWRITE, &old);
	if (rc != LEDGER_EEXIST)
		return rc;
	/*
	 * Ed25519 is deterministic: signing the same tree again gives the
	 * same bytes.  Other bytes for a signed size mean a fork.
	 */
	if (old.mv_size == len && memcmp(old.mv_data, note, len) == 0)
		return 0;
	return LEDGER_ECONFLICT;
}

int
ledger_ckpt_get(struct ledger_txn *txn, uint64_t size, const char **note,
    size_t *len)
{
	const void *p;
	uint8_t k[8];
	int rc;

	if (note == NULL)
		return LEDGER_EINVAL;
	ledger_be64_put(k, size);
	if ((rc = store_get_ptr(txn, LEDGER_DB_CHECKPOINTS, k, 8, &p, len)) == 0)
		*note = p;
	return rc;
}

/* One positioning of a throwaway cursor on checkpoints. */
static int
ckpt_seek(struct ledger_txn *txn, MDB_cursor_op op, uint64_t from,
    uint64_t *size, const char **note, size_t *len)
{
	MDB_cursor *cur;
	MDB_val key, val;
	uint8_t k[8];
	int rc;

	if (txn == NULL || size == NULL || note == NULL || len == NULL)
		return LEDGER_EINVAL;
	ledger_be64_put(k, from);
	key.mv_size = 8;
	key.mv_data = k;
	rc = mdb_cursor_open(txn->txn, txn->st->dbi[LEDGER_DB_CHECKPOINTS],
	    &cur);
	if (rc != 0)
		return store_err(rc);
	rc = mdb_cursor_get(cur, &key, &val, op);
	mdb_cursor_close(cur);
	if (rc != 0)
		return store_err(rc);
	if (key.mv_size != 8)
		return LEDGER_ESTORE;
	*size = ledger_be64_get(key.mv_data);
	*note = val.mv_data;
	*len = val.mv_size;
	return 0;
}

int
ledger_ckpt_latest(struct ledger_txn *txn, uint64_t *size, const char **note,
    size_t *len)
{
	return ckpt_seek(txn, MDB_LAST, 0, size, note, len);
}

int
ledger_ckpt_covering(struct ledger_txn *txn, uint64_t seq, uint64_t *size,
    const char **note, size_t *len)
{
	/* No tree size exceeds UINT64_MAX, so nothing covers that seq. */
	if (seq == UINT64_MAX)
		return LEDGER_ENOTFOUND;
	return ckpt_seek(txn, MDB_SET_RANGE, seq + 1, size, note, len);
}

static int
id_check(const char *id, size_t *len)
{
	if (id == NULL || (*len = strlen(id)) == 0)
		return LEDGER_EINVAL;
	if (*len > LEDGER_ID_MAX)
		return LEDGER_ETOOBIG;
	return 0;
}

int
ledger_id_get(struct ledger_txn *txn, const char *id, uint64_t *seq)
{
	size_t len;
	int rc;

	if ((rc = id_check(id, &len)) != 0)
		return rc;
	return store_get_u64(txn, LEDGER_DB_IDS, id, len, seq);
}

int
ledger_id_put(struct ledger_txn *txn, const char *id, uint64_t seq)
{
	uint8_t v[8];
	size_t len;
	int rc;

	if ((rc = id_check(id, &len)) != 0)
		return rc;
	ledger_be64_put(v, seq);
	return store_put(txn, LEDGER_DB_IDS, id, len, v, 8, MDB_NOOVERWRITE,
	    NULL);
}
