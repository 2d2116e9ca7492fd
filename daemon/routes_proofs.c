/*
 * routes_proofs.c - GET /v1/proofs/inclusion?seq=&size= and
 * GET /v1/proofs/consistency?from=&to=.  Sizes default to the served tree
 * and may not exceed it: a proof is only useful against a signed root.
 */
#include <string.h>

#include <jansson.h>

#include "ledgerd.h"

static json_t *
b64_array(uint8_t proof[][LEDGER_HASH_BYTES], size_t n)
{
	json_t *a = json_array();
	char b64[64];
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		ledger_b64_encode(proof[i], LEDGER_HASH_BYTES, b64, sizeof(b64));
		json_array_append_new(a, json_string(b64));
	}
	return a;
}

/* The stored checkpoint of exactly size, or null. */
static json_t *
checkpoint_of(struct ledgerd *d, struct ledger_txn *txn, uint64_t size)
{
	char note[LEDGER_NOTE_MAX];
	uint64_t served;
	const char *cn;
	size_t cl;

	if (ledger_ckpt_get(txn, size, &cn, &cl) == 0)
		return json_stringn(cn, cl);
	served_get(d, &served, NULL, note, &cl);
	if (served == size)
		return json_stringn(note, cl);
	return json_null();
}

int
route_inclusion(struct ledgerd *d, struct request *rq)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES], hash[32];
	struct ledger_txn *txn;
	const uint8_t *data;
	uint64_t seq, size, served;
	int has_seq, has_size, rc;
	size_t n, len;
	char hex[65];
	json_t *v;

	served_get(d, &served, NULL, NULL, NULL);
	if (http_arg_u64(rq, "seq", &seq, &has_seq) != 0 || !has_seq ||
	    http_arg_u64(rq, "size", &size, &has_size) != 0)
		return http_error(rq, 400, "args", "need seq (and optional "
		    "size) as decimal integers");
	if (!has_size)
		size = served;
	if (size > served)
		return http_error(rq, 404, "size", "size %llu is beyond the "
		    "signed tree (%llu)", (unsigned long long)size,
		    (unsigned long long)served);
	if (seq >= size)
		return http_error(rq, 400, "seq", "seq must be below size "
		    "(%llu)", (unsigned long long)size);
	if ((rc = ledger_txn_begin(d->store, 0, &txn)) != 0)
		return http_error(rq, 503, "storage", "cannot read");
	if ((rc = ledger_merkle_inclusion(seq, size, ledger_txn_hash_reader,
	    txn, proof, &n)) != 0 ||
	    (rc = ledger_entry_get(txn, seq, &data, &len)) != 0) {
		ledger_txn_abort(txn);
		return http_error(rq, 500, "storage", "cannot build the proof: "
		    "%s", ledger_strerror(rc));
	}
	ledger_leaf_hash(data, len, hash);
	if (leaf_served(txn, seq, hash) == LEDGERD_ETAMPERED) {
		ledger_txn_abort(txn);
		return http_tampered(rq, seq);
	}
	ledger_hex_encode(hash, 32, hex);
	v = json_pack("{s:I, s:I, s:s, s:o, s:o}", "seq", (json_int_t)seq,
	    "tree_size", (json_int_t)size, "leaf_hash", hex,
	    "inclusion_proof", b64_array(proof, n),
	    "checkpoint", checkpoint_of(d, txn, size));
	ledger_txn_abort(txn);
	return http_json(rq, 200, v);
}

int
route_consistency(struct ledgerd *d, struct request *rq)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	struct ledger_txn *txn;
	uint64_t from, to, served;
	int has_from, has_to, rc;
	size_t n;
	json_t *v;

	served_get(d, &served, NULL, NULL, NULL);
	if (http_arg_u64(rq, "from", &from, &has_from) != 0 || !has_from ||
	    http_arg_u64(rq, "to", &to, &has_to) != 0)
		return http_error(rq, 400, "args", "need from (and optional "
		    "to) as decimal integers");
	if (!has_to)
		to = served;
	if (to > served)
		return http_error(rq, 404, "size", "to=%llu is beyond the "
		    "signed tree (%llu)", (unsigned long long)to,
		    (unsigned long long)served);
	if (from > to)
		return http_error(rq, 400, "from", "from must not exceed to");
	if ((rc = ledger_txn_begin(d->store, 0, &txn)) != 0)
		return http_error(rq, 503, "storage", "cannot read");
	n = 0;
	/* The empty tree is consistent with everything: empty proof. */
	if (from > 0 && (rc = ledger_merkle_consistency(from, to,
	    ledger_txn_hash_reader, txn, proof, &n)) != 0) {
		ledger_txn_abort(txn);
		return http_error(rq, 500, "storage", "cannot build the proof: "
		    "%s", ledger_strerror(rc));
	}
	v = json_pack("{s:I, s:I, s:o, s:o, s:o}", "from", (json_int_t)from,
	    "to", (json_int_t)to, "consistency_proof", b64_array(proof, n),
	    "from_checkpoint", checkpoint_of(d, txn, from),
	    "to_checkpoint", checkpoint_of(d, txn, to));
	ledger_txn_abort(txn);
	return http_json(rq, 200, v);
}
