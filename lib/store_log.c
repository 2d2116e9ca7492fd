/*
 * store_log.c - the log's own tables (DESIGN 4): entries, Merkle nodes,
 * signed checkpoints and statement ids, over the plumbing of store.c.
 * Numeric keys are u64 big-endian, so byte order is numeric order and
 * appends are MDB_APPEND.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "ledger/error.h"
#include "ledger/limits.h"
#include "ledger/merkle.h"
#include "ledger/store.h"
#include "store_int.h"

/*
 * --- entries, in bundles of BUNDLE consecutive leaves (ledger/store.h) ---
 *
 * A stored bundle: u8 n, n u32 BE end offsets (leaf i is the bytes from
 * end[i-1], or 0, to end[i] of the leaf area), the leaf area.
 */
#define BUNDLE		LEDGER_BUNDLE_LEAVES

/* Where leaf i starts in its leaf area, from the end offsets. */
static uint32_t
slot_start(const uint32_t *end, unsigned i)
{
	return i > 0 ? end[i - 1] : 0;
}

static uint32_t
be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* 0, or LEDGER_ESTORE when the value cannot be a bundle. */
static int
bundle_parse(const void *v, size_t vl, struct bundle *b)
{
	const uint8_t *p = v;
	size_t hdr;
	unsigned i;

	if (vl < 1 || p[0] < 1 || p[0] > BUNDLE)
		return LEDGER_ESTORE;
	b->n = p[0];
	hdr = 1 + 4 * (size_t)b->n;
	if (vl < hdr)
		return LEDGER_ESTORE;
	for (i = 0; i < b->n; i++) {
		b->end[i] = be32_get(p + 1 + 4 * i);
		if (i > 0 && b->end[i] < b->end[i - 1])
			return LEDGER_ESTORE;
	}
	if (b->end[b->n - 1] != vl - hdr)
		return LEDGER_ESTORE;
	b->area = p + hdr;
	return 0;
}

static int
bundle_get(struct ledger_txn *txn, uint64_t num, struct bundle *b)
{
	const void *v;
	uint8_t k[8];
	size_t vl;
	int rc;

	ledger_be64_put(k, num);
	if ((rc = store_get_ptr(txn, LEDGER_DB_ENTRIES, k, 8, &v, &vl)) != 0)
		return rc;
	return bundle_parse(v, vl, b);
}

/* The last stored bundle and its number; LEDGER_ENOTFOUND when none. */
static int
bundle_last(struct ledger_txn *txn, uint64_t *num, struct bundle *b)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn->txn, txn->st->dbi[LEDGER_DB_ENTRIES],
	    &c)) != 0)
		return store_err(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc != 0)
		return store_err(rc);
	if (k.mv_size != 8)
		return LEDGER_ESTORE;
	*num = ledger_be64_get(k.mv_data);
	return bundle_parse(v.mv_data, v.mv_size, b);
}

/* Room for len more bytes of leaves in the tail. */
static int
tail_reserve(struct store_tail *t, size_t len)
{
	size_t used = slot_start(t->end, t->n), cap;
	uint8_t *p;

	if (used + len <= t->cap)
		return 0;
	cap = t->cap > 0 ? t->cap : 32768;
	while (cap < used + len)
		cap *= 2;
	if ((p = realloc(t->data, cap)) == NULL)
		return LEDGER_ENOMEM;
	t->data = p;
	t->cap = cap;
	return 0;
}

/* Start the tail from the last stored bundle (the store is not empty). */
static int
tail_load(struct ledger_txn *txn, uint64_t num, const struct bundle *b)
{
	struct store_tail *t = &txn->st->tail;
	size_t len = slot_start(b->end, b->n);
	int rc;

	t->n = 0;
	if ((rc = tail_reserve(t, len)) != 0)
		return rc;
	memcpy(t->data, b->area, len);
	memcpy(t->end, b->end, sizeof(b->end[0]) * b->n);
	t->n = b->n;
	t->num = num;
	t->stored = 1;
	t->live = 1;
	return 0;
}

int
store_tail_flush(struct ledger_txn *txn)
{
	struct store_tail *t = &txn->st->tail;
	size_t hdr = 1 + 4 * (size_t)t->n, len;
	uint8_t k[8], *p;
	MDB_val key = { .mv_size = 8, .mv_data = k }, val;
	unsigned i;
	int rc;

	if (!t->live)
		return 0;
	len = slot_start(t->end, t->n);
	ledger_be64_put(k, t->num);
	val.mv_size = hdr + len;
	val.mv_data = NULL;
	/* A new bundle goes last (MDB_APPEND checks it); a grown one is
	 * rewritten in place of the stored one. */
	rc = mdb_put(txn->txn, txn->st->dbi[LEDGER_DB_ENTRIES], &key, &val,
	    MDB_RESERVE | (t->stored ? 0 : MDB_APPEND));
	if (rc != 0)
		return store_err(rc);
	p = val.mv_data;
	p[0] = (uint8_t)t->n;
	for (i = 0; i < t->n; i++)
		be32_put(p + 1 + 4 * i, t->end[i]);
	memcpy(p + hdr, t->data, len);
	t->live = 0;
	return 0;
}

int
ledger_entry_get(struct ledger_txn *txn, uint64_t seq, const uint8_t **data,
    size_t *len)
{
	const struct store_tail *t;
	struct bundle b;
	uint64_t num = seq / BUNDLE;
	unsigned i = (unsigned)(seq % BUNDLE);
	uint32_t from;
	int rc;

	if (txn == NULL || data == NULL || len == NULL)
		return LEDGER_EINVAL;
	t = &txn->st->tail;
	if (txn->write && t->live && t->num == num) {
		if (i >= t->n)
			return LEDGER_ENOTFOUND;
		from = slot_start(t->end, i);
		*data = t->data + from;
		*len = t->end[i] - from;
		return 0;
	}
	/*
	 * A read transaction's snapshot never changes, so the bundle read
	 * last serves the next 15 leaves of a scan without another lookup.
	 */
	if (!txn->write && txn->bundle_ok && txn->bundle_num == num)
		b = txn->bundle;
	else {
		if ((rc = bundle_get(txn, num, &b)) != 0)
			return rc;
		if (!txn->write) {
			txn->bundle = b;
			txn->bundle_num = num;
			txn->bundle_ok = 1;
		}
	}
	if (i >= b.n || b.end[i] == (from = slot_start(b.end, i)))
		return LEDGER_ENOTFOUND;
	*data = b.area + from;
	*len = b.end[i] - from;
	return 0;
}

int
ledger_entry_count(struct ledger_txn *txn, uint64_t *count)
{
	const struct store_tail *t;
	struct bundle b;
	MDB_stat ms;
	uint64_t num;
	int rc;

	if (txn == NULL || count == NULL)
		return LEDGER_EINVAL;
	t = &txn->st->tail;
	if (txn->write && t->live) {
		*count = t->num * BUNDLE + t->n;
		return 0;
	}
	rc = bundle_last(txn, &num, &b);
	if (rc == LEDGER_ENOTFOUND) {
		*count = 0;
		return 0;
	}
	if (rc != 0)
		return rc;
	if ((rc = mdb_stat(txn->txn, txn->st->dbi[LEDGER_DB_ENTRIES],
	    &ms)) != 0)
		return store_err(rc);
	if (ms.ms_entries != num + 1)
		return LEDGER_ESTORE;
	*count = num * BUNDLE + b.n;
	return 0;
}

int
ledger_entry_append(struct ledger_txn *txn, uint64_t seq, const void *data,
    size_t len)
{
	struct store_tail *t;
	struct bundle b;
	uint64_t num, next;
	int rc;

	if (txn == NULL || !txn->write || data == NULL || len == 0)
		return LEDGER_EINVAL;
	if (len > LEDGER_LEAF_MAX)
		return LEDGER_ETOOBIG;
	t = &txn->st->tail;
	if (!t->live) {
		rc = bundle_last(txn, &num, &b);
		if (rc == 0 && b.n < BUNDLE)
			rc = tail_load(txn, num, &b);
		else if (rc == 0 || rc == LEDGER_ENOTFOUND) {
			/*
			 * A full last bundle is left as stored (not loaded and
			 * written again); an empty store is a full "bundle -1".
			 */
			t->num = rc == 0 ? num : UINT64_MAX;
			t->n = BUNDLE;
			t->stored = 1;
			rc = 0;
		}
		if (rc != 0)
			return rc;
	}
	next = t->num == UINT64_MAX ? 0 : t->num * BUNDLE + t->n;
	if (seq < next)
		return LEDGER_EEXIST;
	if (seq > next)
		return LEDGER_EINVAL;
	if (t->n == BUNDLE) {
		if (t->live && (rc = store_tail_flush(txn)) != 0)
			return rc;
		t->num = seq / BUNDLE;
		t->n = 0;
		t->stored = 0;
	}
	if ((rc = tail_reserve(t, len)) != 0)
		return rc;
	memcpy(t->data + slot_start(t->end, t->n), data, len);
	t->end[t->n] = slot_start(t->end, t->n) + (uint32_t)len;
	t->n++;
	t->live = 1;
	return 0;
}

int
ledger_entry_replace(struct ledger_txn *txn, uint64_t seq, const void *data,
    size_t len)
{
	struct store_tail *t;
	struct bundle b;
	uint64_t num = seq / BUNDLE;
	unsigned i = (unsigned)(seq % BUNDLE), j;
	size_t old, from;
	uint8_t *area;
	int rc;

	if (txn == NULL || !txn->write || (data == NULL && len > 0))
		return LEDGER_EINVAL;
	if (len > LEDGER_LEAF_MAX)
		return LEDGER_ETOOBIG;
	if ((rc = store_tail_flush(txn)) != 0 ||
	    (rc = bundle_get(txn, num, &b)) != 0)
		return rc;
	if (i >= b.n)
		return LEDGER_ENOTFOUND;
	/* Rebuild the bundle in the tail, then write it back over itself. */
	t = &txn->st->tail;
	if ((rc = tail_load(txn, num, &b)) != 0 ||
	    (rc = tail_reserve(t, len)) != 0)
		return rc;
	from = slot_start(t->end, i);
	old = t->end[i] - from;
	area = t->data;
	memmove(area + from + len, area + from + old, slot_start(t->end, t->n) -
	    from - old);
	if (len > 0)
		memcpy(area + from, data, len);
	for (j = i; j < t->n; j++)
		t->end[j] = (uint32_t)(t->end[j] - old + len);
	return store_tail_flush(txn);
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
