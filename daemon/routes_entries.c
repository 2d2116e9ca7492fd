/*
 * routes_entries.c - POST /v1/entries (append), GET /v1/entries/{seq},
 * POST /v1/verify.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger/canon.h"
#include "ledger/kinds.h"
#include "ledger/registry.h"
#include "ledgerd.h"

static int
is_json(struct request *rq)
{
	const char *ct = MHD_lookup_connection_value(rq->conn,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen("application/json");

	return ct != NULL && strncmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';');
}

/*
 * Check author signatures in this worker thread, so the sequencer does
 * not have to.  Public keys never change once registered (names are never
 * reused), so a key read here is the key the sequencer will see; a key it
 * cannot find yet (registered in a batch not yet committed) is left for
 * the sequencer to verify.
 */
static int
precheck_sigs(struct ledgerd *d, struct ledger_statement *st, int *done,
    struct ledger_err *err)
{
	struct ledger_registry reg;
	struct ledger_keyrec rec;
	struct ledger_txn *txn;
	size_t i;
	int rc = 0;

	*done = 0;
	if (ledger_txn_begin(d->store, 0, &txn) != 0)
		return 0;
	ledger_txnreg_init(&reg, txn);
	for (i = 0; i < st->nsigs; i++) {
		if (reg.get(reg.ctx, st->sigs[i].key, &rec) != 0)
			goto out;
		if (ledger_statement_verify(st, i, d->origin, &rec.pub) != 0) {
			char path[LEDGER_SIG_PATH_BYTES];

			rc = ledger_errf(err, LEDGER_ESIG, ledger_sig_path(path,
			    i), "sig.invalid",
			    "signature by \"%s\" does not verify over this "
			    "statement and origin %s", st->sigs[i].key,
			    d->origin);
			goto out;
		}
	}
	*done = 1;
out:
	ledger_txn_abort(txn);
	return rc;
}

int
route_append(struct ledgerd *d, struct request *rq)
{
	struct ledger_statement *st;
	struct append_req *a;
	struct ledger_err err;
	int rc, done;

	if (!is_json(rq))
		return http_error(rq, 415, "content-type", "send the statement "
		    "as Content-Type: application/json");
	if (d->fatal)
		return http_error(rq, 503, "storage-failed", "storage failed "
		    "earlier; appends are refused until ledgerd is restarted");
	if (d->full)
		return http_error(rq, 507, "storage-full", "%s", MSG_MAP_FULL);
	ledger_err_clear(&err);
	if ((rc = ledger_statement_parse(rq->body ? rq->body : "",
	    rq->bodylen, &st, &err)) != 0)
		return http_ledger_error(rq, rc, &err);
	/* Statement-only checks here, in parallel; the sequencer skips them. */
	if ((rc = ledger_kind_validate(st, &err)) != 0 ||
	    (rc = precheck_sigs(d, st, &done, &err)) != 0) {
		ledger_statement_free(st);
		return http_ledger_error(rq, rc, &err);
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		ledger_statement_free(st);
		return http_error(rq, 500, "internal", "out of memory");
	}
	a->st = st;
	a->crypto_done = done;
	return http_suspend_append(d, rq, a);
}

int
route_entry(struct ledgerd *d, struct request *rq)
{
	const char *s = rq->url + strlen("/v1/entries/");
	struct ledger_txn *txn;
	struct jbuf b;
	uint64_t seq, size;
	size_t len;
	char *body;
	int rc;

	if (http_parse_u64(s, &seq) != 0)
		return http_error(rq, 400, "seq", "entry number must be a "
		    "decimal integer without leading zeros");
	served_get(d, &size, NULL, NULL, NULL);
	if (seq >= size)
		return http_error(rq, 404, "not-found", "no entry %llu: the "
		    "signed tree has %llu entries", (unsigned long long)seq,
		    (unsigned long long)size);
	if ((rc = ledger_txn_begin(d->store, 0, &txn)) != 0)
		return http_error(rq, 503, "storage", "cannot read: %s",
		    ledger_strerror(rc));
	jbuf_init(&b, 2048);
	rc = jbuf_entry(&b, txn, seq);
	ledger_txn_abort(txn);
	if (rc == LEDGERD_ETAMPERED) {
		jbuf_free(&b);
		return http_tampered(rq, seq);
	}
	if (rc != 0) {
		jbuf_free(&b);
		return http_error(rq, http_status_for(rc), "storage",
		    "cannot read entry %llu: %s", (unsigned long long)seq,
		    ledger_strerror(rc));
	}
	body = jbuf_take(&b, &len);
	return http_reply(rq, 200, "application/json", body, len, NULL);
}

/*
 * POST /v1/verify: a receipt {"leaf","checkpoint","inclusion_proof",
 * "tree_size","seq"} or a bare entry {"seq","leaf"}.  Answers whether the
 * leaf is the one this ledger holds at seq, and for a receipt whether its
 * checkpoint is signed by the ledger key and the proof holds.
 */
int
route_verify(struct ledgerd *d, struct request *rq)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES], hash[32], sh[32];
	struct ledger_checkpoint c;
	struct ledger_txn *txn;
	const uint8_t *data;
	json_t *in, *leaf, *ck, *pr, *seqv;
	char *canon = NULL;
	const char *reason = NULL;
	size_t clen, len, n = 0, i;
	uint64_t seq, size;
	int rc, in_ledger = 0, receipt_ok = -1;

	if (!is_json(rq))
		return http_error(rq, 415, "content-type", "send JSON");
	in = json_loadb(rq->body ? rq->body : "", rq->bodylen,
	    JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(in)) {
		json_decref(in);
		return http_error(rq, 400, "json", "send a receipt or an entry "
		    "as a JSON object");
	}
	leaf = json_object_get(in, "leaf");
	seqv = json_object_get(in, "seq");
	if (!json_is_object(leaf) || !json_is_integer(seqv) ||
	    json_integer_value(seqv) < 0 ||
	    ledger_canon_dump(leaf, &canon, &clen, NULL) != 0) {
		json_decref(in);
		return http_error(rq, 400, "input", "need \"seq\" and a "
		    "canonical \"leaf\" object");
	}
	seq = (uint64_t)json_integer_value(seqv);
	ledger_leaf_hash(canon, clen, hash);
	free(canon);
	served_get(d, &size, NULL, NULL, NULL);
	if ((rc = ledger_txn_begin(d->store, 0, &txn)) != 0) {
		json_decref(in);
		return http_error(rq, 503, "storage", "cannot read");
	}
	if (seq < size && ledger_entry_get(txn, seq, &data, &len) == 0) {
		ledger_leaf_hash(data, len, sh);
		in_ledger = memcmp(sh, hash, 32) == 0;
		if (!in_ledger)
			reason = "the ledger holds a different leaf at seq";
	} else
		reason = "no such seq in the signed tree";
	ledger_txn_abort(txn);
	ck = json_object_get(in, "checkpoint");
	pr = json_object_get(in, "inclusion_proof");
	if (json_is_string(ck)) {
		receipt_ok = 0;
		if (ledger_checkpoint_open(json_string_value(ck),
		    json_string_length(ck), signer_pubkey(d->signer), &c) != 0)
			reason = "checkpoint not signed by this ledger's key";
		else if (!json_is_array(pr) ||
		    json_array_size(pr) > LEDGER_PROOF_MAX)
			reason = "inclusion_proof must be an array of base64 "
			    "hashes";
		else {
			for (i = 0, n = json_array_size(pr); i < n; i++) {
				json_t *h = json_array_get(pr, i);

				if (!json_is_string(h) ||
				    ledger_b64_decode_public(
				    json_string_value(h), json_string_length(h),
				    proof[i], 32, &len) != 0 || len != 32)
					break;
			}
			if (i < n)
				reason = "inclusion_proof holds a bad hash";
			else if (ledger_merkle_verify_inclusion(seq, c.size,
			    hash, (const uint8_t (*)[32])proof, n, c.root) != 0)
				reason = "inclusion proof does not lead to the "
				    "checkpoint's root";
			else
				receipt_ok = 1;
		}
	}
	json_decref(in);
	return http_json(rq, 200, json_pack("{s:b, s:b, s:o, s:s?}",
	    "valid", in_ledger && receipt_ok != 0, "in_ledger", in_ledger,
	    "receipt_valid", receipt_ok < 0 ? json_null() :
	    json_boolean(receipt_ok), "reason", (in_ledger && receipt_ok != 0) ?
	    NULL : reason));
}
