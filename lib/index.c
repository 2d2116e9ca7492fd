/*
 * index.c - the rows of the query indexes and their catch-up after a
 * crash (ledger/index.h).
 */
#include <string.h>

#include "ledger/error.h"
#include "ledger/index.h"
#include "ledger/limits.h"

static int
row(ledger_index_row_fn fn, void *ctx, enum ledger_db db, const char *value,
    uint64_t seq, int64_t time_ms, const char *kind)
{
	uint8_t key[LEDGER_INDEX_VALUE_MAX + 1 + 8], data[8 + 16];
	size_t n = strlen(value), k = strlen(kind);

	if (n == 0 || n > LEDGER_INDEX_VALUE_MAX || k > sizeof(data) - 8)
		return 0;	/* too long to index: the schemas cap real ones */
	memcpy(key, value, n);
	key[n] = 0;
	ledger_be64_put(key + n + 1, seq);
	ledger_be64_put(data, (uint64_t)time_ms);
	memcpy(data + 8, kind, k);
	return fn(ctx, db, key, n + 9, data, 8 + k);
}

/* Every organization named in the body, by USCC, feeds the by_org index. */
static int
index_orgs(ledger_index_row_fn fn, void *ctx, json_t *v, uint64_t seq,
    int64_t t, const char *kind, int depth)
{
	const char *k;
	json_t *m;
	size_t i;
	int rc;

	if (depth > LEDGER_JSON_MAX_DEPTH)
		return 0;
	if (json_is_object(v)) {
		json_t *scheme = json_object_get(v, "scheme");
		json_t *id = json_object_get(v, "id");

		if (json_is_string(scheme) && json_is_string(id) &&
		    strcmp(json_string_value(scheme), "CN-USCI") == 0 &&
		    (rc = row(fn, ctx, LEDGER_DB_BY_ORG,
		    json_string_value(id), seq, t, kind)) != 0)
			return rc;
		json_object_foreach(v, k, m)
			if ((rc = index_orgs(fn, ctx, m, seq, t, kind,
			    depth + 1)) != 0)
				return rc;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			if ((rc = index_orgs(fn, ctx, m, seq, t, kind,
			    depth + 1)) != 0)
				return rc;
	}
	return 0;
}

int
ledger_index_rows(const struct ledger_statement *st, uint64_t seq, int64_t t,
    ledger_index_row_fn fn, void *ctx)
{
	json_t *ocid = json_object_get(st->body, "ocid");
	json_t *contract = json_object_get(st->body, "contract_id");
	int rc;

	if ((rc = row(fn, ctx, LEDGER_DB_BY_KIND_TIME, st->kind, seq, t,
	    st->kind)) != 0)
		return rc;
	if (json_is_string(ocid) && (rc = row(fn, ctx, LEDGER_DB_BY_OCID,
	    json_string_value(ocid), seq, t, st->kind)) != 0)
		return rc;
	if (json_is_string(contract) && (rc = row(fn, ctx,
	    LEDGER_DB_BY_CONTRACT, json_string_value(contract), seq, t,
	    st->kind)) != 0)
		return rc;
	return index_orgs(fn, ctx, st->body, seq, t, st->kind, 0);
}

static int
put_row(void *ctx, enum ledger_db db, const uint8_t *key, size_t klen,
    const uint8_t *data, size_t dlen)
{
	return ledger_db_put(ctx, db, key, klen, data, dlen, 0);
}

/* The rows of stored entries [from, to), and the mark at to. */
static int
index_stored(struct ledger_txn *txn, uint64_t from, uint64_t to)
{
	uint8_t hash[LEDGER_HASH_BYTES];
	struct ledger_leaf leaf;
	const uint8_t *data;
	uint64_t seq;
	size_t len;
	int rc;

	for (seq = from; seq < to; seq++) {
		if ((rc = ledger_entry_get(txn, seq, &data, &len)) != 0)
			return rc == LEDGER_ENOTFOUND ? LEDGER_ESTORE : rc;
		ledger_leaf_hash(data, len, hash);
		if (ledger_leaf_parse(data, len, &leaf, NULL) != 0)
			return LEDGER_ESTORE;
		rc = ledger_index_rows(leaf.st, seq, leaf.time_ms, put_row, txn);
		ledger_leaf_clear(&leaf);
		if (rc != 0)
			return rc;
	}
	return to > from ? ledger_index_mark(txn, to, hash) : 0;
}

int
ledger_index_entry(struct ledger_txn *txn, const struct ledger_statement *st,
    uint64_t seq, int64_t t, const uint8_t leafhash[LEDGER_HASH_BYTES])
{
	uint64_t upto;
	int rc;

	if ((rc = ledger_index_upto(txn, &upto, NULL)) != 0)
		return rc;
	if (upto > seq)
		return LEDGER_ESTORE;
	if ((rc = index_stored(txn, upto, seq)) != 0 ||
	    (rc = ledger_index_rows(st, seq, t, put_row, txn)) != 0)
		return rc;
	return ledger_index_mark(txn, seq + 1, leafhash);
}

int
ledger_index_catch_up(struct ledger_store *st, uint64_t *done)
{
	struct ledger_txn *txn;
	uint64_t size, upto, n;
	int rc;

	if (done != NULL)
		*done = 0;
	for (;;) {
		if ((rc = ledger_txn_begin(st, 1, &txn)) != 0)
			return rc;
		rc = ledger_meta_size(txn, &size);
		if (rc == LEDGER_ENOTFOUND) {
			size = 0;	/* not initialized yet */
			rc = 0;
		}
		if (rc != 0 || (rc = ledger_index_upto(txn, &upto, NULL)) != 0)
			goto txn_abort;
		if (upto >= size) {
			ledger_txn_abort(txn);
			return upto == size ? 0 : LEDGER_ESTORE;
		}
		n = size - upto < LEDGER_INDEX_CHUNK ? size - upto :
		    LEDGER_INDEX_CHUNK;
		if ((rc = index_stored(txn, upto, upto + n)) != 0)
			goto txn_abort;
		if ((rc = ledger_txn_commit(txn)) != 0)
			return rc;
		if (done != NULL)
			*done += n;
	}

txn_abort:
	ledger_txn_abort(txn);
	return rc;
}
