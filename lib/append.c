/*
 * append.c - add entries to a ledger in a write transaction (append.h).
 *
 * Checks come first and write nothing; writes come after, so a refused
 * statement leaves the transaction exactly as it was and the rest of the
 * batch goes on.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/append.h"
#include "ledger/index.h"
#include "ledger/kinds.h"
#include "ledger/registry.h"
#include "ledger/rules.h"

int64_t
ledger_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
ledger_appender_load(struct ledger_appender *a, struct ledger_txn *txn)
{
	struct ledger_leaf leaf;
	const uint8_t *data;
	size_t len;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = ledger_meta_origin(txn, a->origin, sizeof(a->origin))) != 0)
		return rc;
	if ((rc = ledger_meta_size(txn, &a->size)) != 0)
		return rc;
	if ((rc = ledger_frontier_load(&a->fr, a->size,
	    ledger_txn_hash_reader, txn)) != 0)
		return rc;
	if (a->size == 0)
		return 0;
	if ((rc = ledger_entry_get(txn, a->size - 1, &data, &len)) != 0)
		return rc;
	if ((rc = ledger_leaf_parse(data, len, &leaf, NULL)) != 0)
		return rc;
	a->last_time = leaf.time_ms;
	ledger_leaf_clear(&leaf);
	ledger_leaf_hash(data, len, a->last_hash);
	return 0;
}

/* Same id already stored: the same statement (replay) or a conflict. */
static int
check_replay(struct ledger_txn *txn, const struct ledger_statement *st,
    struct ledger_appended *out, struct ledger_err *err)
{
	struct ledger_leaf leaf;
	const uint8_t *data;
	uint64_t seq;
	size_t len;
	int rc, same;

	rc = ledger_id_get(txn, st->id, &seq);
	if (rc == LEDGER_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if ((rc = ledger_entry_get(txn, seq, &data, &len)) != 0)
		return rc;
	if ((rc = ledger_leaf_parse(data, len, &leaf, NULL)) != 0)
		return rc;
	same = leaf.st->signed_len == st->signed_len &&
	    memcmp(leaf.st->signed_canon, st->signed_canon, st->signed_len) == 0;
	ledger_leaf_clear(&leaf);
	if (!same)
		return ledger_errf(err, LEDGER_ECONFLICT, "id", "id.conflict",
		    "id \"%s\" is already used by entry %llu with other "
		    "content; choose a new id", st->id,
		    (unsigned long long)seq);
	out->seq = seq;
	ledger_leaf_hash(data, len, out->hash);
	out->replay = 1;
	return 1;
}

int
ledger_appender_add(struct ledger_appender *a, struct ledger_txn *txn,
    const struct ledger_statement *st, int64_t now_ms, unsigned prechecked,
    struct ledger_appended *out, struct ledger_err *err)
{
	struct ledger_registry reg;
	struct ledger_rulestore rs;
	struct ledger_frontier fr;
	int64_t t = now_ms > a->last_time ? now_ms : a->last_time;
	uint64_t seq = a->size;
	char *leaf = NULL;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_replay(txn, st, out, err)) != 0)
		return rc < 0 ? rc : 0;
	ledger_txnreg_init(&reg, txn);
	if ((rc = ledger_registry_check(&reg, st, seq, t, a->origin,
	    !(prechecked & LEDGER_PRECHECKED_SIGS), err)) != 0)
		return rc;
	if (!(prechecked & LEDGER_PRECHECKED_SCHEMA) &&
	    (rc = ledger_kind_validate(st, err)) != 0)
		return rc;
	if ((rc = ledger_leaf_build(st, seq, t, a->last_hash, &leaf, &len,
	    out->hash, err)) != 0)
		return rc;
	/*
	 * Rules read the signers' roles and orgs as the registry stood
	 * before this entry, so they run before the registry changes.  Both
	 * check everything before their first write, so a refusal here has
	 * written nothing either (rules ignore key entries; key bodies are
	 * the registry's).
	 */
	ledger_rulestore_txn(&rs, txn);
	if ((rc = ledger_rules_apply(&rs, &reg, st, seq, t, err)) != 0)
		goto out;
	if ((rc = ledger_registry_apply(&reg, st, seq, err)) != 0)
		goto out;
	if ((rc = ledger_entry_append(txn, seq, leaf, len)) != 0)
		goto out;
	fr = a->fr;
	if ((rc = ledger_frontier_append(&fr, out->hash, ledger_txn_node_sink,
	    txn)) != 0)
		goto out;
	if ((rc = ledger_id_put(txn, st->id, seq)) != 0 ||
	    (rc = ledger_index_entry(txn, st, seq, t, out->hash)) != 0 ||
	    (rc = ledger_meta_set_size(txn, seq + 1)) != 0)
		goto out;
	a->fr = fr;
	a->size = seq + 1;
	a->last_time = t;
	memcpy(a->last_hash, out->hash, LEDGER_HASH_BYTES);
	out->seq = seq;
out:
	free(leaf);
	return rc;
}
