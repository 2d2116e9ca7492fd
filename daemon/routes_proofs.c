/*
 * routes_proofs.c - GET /v1/proofs/inclusion?seq=&size= and
 * GET /v1/proofs/consistency?from=&to=.  Sizes default to the served tree
 * and may not exceed it: a proof is only useful against a signed root.
 */
#include <string.h>

#include "ledgerd.h"

/*
 * Responses are written straight into one buffer, in the byte order
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) gave when these routes built
 * jansson trees: the tree cost a dozen allocations and a sort per proof,
 * a fifth of the route's CPU, for a fixed shape.
 */

/*
 * The signed checkpoint of exactly size, or null: the served one, already
 * escaped, when it is that size (most proofs are against it; it is the
 * same note as the stored one, which is written lazily), else the stored.
 */
static int
checkpoint_of(struct ledgerd *d, struct ledger_txn *txn, uint64_t size,
    struct jbuf *b)
{
	const char *cn;
	size_t cl;
	int rc;

	if ((rc = served_note_json(d, size, b)) != 0)
		return rc < 0 ? -1 : 0;
	if (ledger_ckpt_get(txn, size, &cn, &cl) == 0)
		return jbuf_note(b, cn, cl);
	JBUF_LIT(b, "null");
	return 0;
}

/* The buffer as a 200 reply, or the 500 a failed build deserves. */
static int
proof_reply(struct request *rq, struct jbuf *b, int bad_note)
{
	size_t len;
	char *body;

	if (bad_note) {
		jbuf_free(b);
		return http_error(rq, 500, "storage", "a stored checkpoint is "
		    "not UTF-8: the ledger's files are damaged; run "
		    "\"ledgerctl verify -d DATADIR --all\"");
	}
	if ((body = jbuf_take(b, &len)) == NULL)
		return http_error(rq, 500, "internal", "out of memory");
	return http_reply(rq, 200, "application/json", body, len, NULL);
}

int
route_inclusion(struct ledgerd *d, struct request *rq)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES], hash[32];
	struct ledger_txn *txn;
	const uint8_t *data;
	uint64_t seq, size, served;
	int has_seq, has_size, rc, bad;
	size_t n, len;
	char hex[65];
	struct jbuf b;

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
	if ((rc = served_inclusion(d, txn, seq, size, proof, &n)) != 0 ||
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
	jbuf_init(&b, 2048);	/* a proof at 1M entries is ~1,300 bytes */
	JBUF_LIT(&b, "{\"checkpoint\":");
	bad = checkpoint_of(d, txn, size, &b);
	ledger_txn_abort(txn);
	JBUF_LIT(&b, ",\"inclusion_proof\":");
	jbuf_hashes(&b, proof, n);
	jbuf_addf(&b, ",\"leaf_hash\":\"%s\",\"seq\":%llu,\"tree_size\":%llu}",
	    hex, (unsigned long long)seq, (unsigned long long)size);
	return proof_reply(rq, &b, bad);
}

int
route_consistency(struct ledgerd *d, struct request *rq)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	struct ledger_cached_nodes cn = { d->nodes, NULL };
	struct ledger_txn *txn;
	uint64_t from, to, served;
	int has_from, has_to, rc, bad;
	size_t n;
	struct jbuf b;

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
	cn.txn = txn;
	/* The empty tree is consistent with everything: empty proof. */
	if (from > 0 && (rc = ledger_merkle_consistency(from, to,
	    ledger_cached_hash_reader, &cn, proof, &n)) != 0) {
		ledger_txn_abort(txn);
		return http_error(rq, 500, "storage", "cannot build the proof: "
		    "%s", ledger_strerror(rc));
	}
	jbuf_init(&b, 2048);
	JBUF_LIT(&b, "{\"consistency_proof\":");
	jbuf_hashes(&b, proof, n);
	jbuf_addf(&b, ",\"from\":%llu,\"from_checkpoint\":",
	    (unsigned long long)from);
	bad = checkpoint_of(d, txn, from, &b);
	jbuf_addf(&b, ",\"to\":%llu,\"to_checkpoint\":",
	    (unsigned long long)to);
	bad |= checkpoint_of(d, txn, to, &b);
	JBUF_LIT(&b, "}");
	ledger_txn_abort(txn);
	return proof_reply(rq, &b, bad);
}
