/*
 * verify_store.c - feed a verifier from the LMDB store (verify.h): the
 * offline half of "ledgerctl verify -d", kept in the library so the unit
 * tests run exactly the code users do.
 *
 * The scan covers the entries stored when it begins.  Checkpoints are fed
 * just before the leaf that completes their size, so the verifier sees
 * each one when its tree is reached; the read snapshot is renewed every
 * LEDGER_VERIFY_RENEW entries (entries, nodes and checkpoints already
 * written never change, so any later snapshot serves the rest).
 */
#include <stdlib.h>
#include <string.h>

#include "ledger/merkle.h"
#include "ledger/store.h"
#include "ledger/verify.h"

#define PROGRESS_EVERY	4096	/* entries between progress calls */

/*
 * The ordered pass asks for the stored nodes in increasing stored index
 * order, each the one after the last: the order of the nodes database.
 * So a cursor steps forward instead of descending from the root for each
 * node; anything else (a checkpoint's root, the first read after a renew)
 * seeks.
 */
struct node_reader {
	struct ledger_cursor	*c;
	uint64_t		 last;	/* index under the cursor, or NONE */
};
#define NONE	UINT64_MAX

struct scan {
	struct ledger_txn	*txn;
	struct node_reader	 nodes;
	struct ledger_verifier	*v;
	uint64_t		 end;		/* entries in the first snapshot */
	uint64_t		 last;		/* size of the latest checkpoint */
	int			 more;		/* next is valid */
	uint64_t		 next;		/* next checkpoint size to feed */
};

static int
node_read(void *ctx, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES])
{
	struct node_reader *r = ctx;
	uint64_t want = ledger_stored_hash_index(level, index);
	const uint8_t *k, *v;
	uint8_t key[8];
	size_t kl, vl;
	int rc;

	if (r->last != NONE && want == r->last + 1) {
		rc = ledger_cursor_next(r->c, (const void **)&k, &kl,
		    (const void **)&v, &vl);
	} else {
		ledger_be64_put(key, want);
		rc = ledger_cursor_seek(r->c, key, 8, (const void **)&k, &kl,
		    (const void **)&v, &vl);
	}
	r->last = NONE;
	if (rc != 0)
		return rc;
	if (kl != 8 || ledger_be64_get(k) != want)
		return LEDGER_ENOTFOUND;
	if (vl != LEDGER_HASH_BYTES)
		return LEDGER_ESTORE;
	memcpy(out, v, LEDGER_HASH_BYTES);
	r->last = want;
	return 0;
}

static int
feed_ckpt(struct scan *s, uint64_t size)
{
	const char *note;
	size_t len;
	int rc;

	if ((rc = ledger_ckpt_get(s->txn, size, &note, &len)) != 0)
		return rc;
	return ledger_verifier_checkpoint(s->v, note, len, size, 0);
}

/* Feed every stored checkpoint of size <= upto not yet fed. */
static int
feed_ckpts(struct scan *s, uint64_t upto)
{
	const char *note;
	uint64_t size;
	size_t len;
	int rc;

	while (s->more && s->next <= upto && s->next <= s->last) {
		if ((rc = feed_ckpt(s, s->next)) != 0)
			return rc;
		rc = ledger_ckpt_covering(s->txn, s->next, &size, &note, &len);
		if (rc == LEDGER_ENOTFOUND) {
			s->more = 0;
			break;
		}
		if (rc != 0)
			return rc;
		s->next = size;
	}
	return 0;
}

static int
scan(struct scan *s, ledger_vprogress progress, void *ctx)
{
	const uint8_t *data;
	const char *note;
	uint64_t seq;
	size_t len;
	int rc;

	if ((rc = ledger_meta_size(s->txn, &s->end)) != 0)
		return rc;
	ledger_verifier_expect(s->v, s->end);
	rc = ledger_ckpt_latest(s->txn, &s->last, &note, &len);
	if (rc == LEDGER_ENOTFOUND) {
		if ((rc = ledger_verifier_problem(s->v, 0, "checkpoint", "the "
		    "ledger has no signed checkpoint")) != 0)
			return rc;
	} else if (rc != 0)
		return rc;
	/* The first checkpoint: size 0 if there is one, else the next. */
	rc = ledger_ckpt_get(s->txn, 0, &note, &len);
	if (s->last == 0 && rc == LEDGER_ENOTFOUND)
		s->more = 0;
	else if (rc == 0) {
		s->more = 1;
		s->next = 0;
	} else if (rc == LEDGER_ENOTFOUND) {
		rc = ledger_ckpt_covering(s->txn, 0, &s->next, &note, &len);
		if (rc != 0 && rc != LEDGER_ENOTFOUND)
			return rc;
		s->more = rc == 0;
	} else
		return rc;
	for (seq = 0; seq < s->end; seq++) {
		if (ledger_verifier_stopped(s->v))
			return 0;
		if (seq > 0 && seq % LEDGER_VERIFY_RENEW == 0) {
			/* The renew takes the cursor's position too. */
			s->nodes.last = NONE;
			if ((rc = ledger_txn_renew(s->txn)) != 0)
				return rc;
		}
		if (progress != NULL && seq % PROGRESS_EVERY == 0)
			progress(ctx, seq, s->end);
		if ((rc = feed_ckpts(s, seq + 1)) != 0)
			return rc;
		rc = ledger_entry_get(s->txn, seq, &data, &len);
		if (rc == LEDGER_ENOTFOUND)
			return ledger_verifier_problem(s->v, seq, "seq",
			    "entry %llu is missing: the store holds %llu "
			    "entries", (unsigned long long)seq,
			    (unsigned long long)s->end);
		if (rc != 0)
			return rc;
		if ((rc = ledger_verifier_leaf(s->v, seq, data, len)) != 0)
			return rc;
	}
	/* Left: checkpoints past the entries, which finish reports. */
	if ((rc = feed_ckpts(s, UINT64_MAX)) != 0)
		return rc;
	if ((rc = ledger_verifier_flush(s->v)) != 0)
		return rc;
	if (progress != NULL)
		progress(ctx, s->end, s->end);
	return 0;
}

int
ledger_verify_store(struct ledger_store *st, struct ledger_verifier *v,
    ledger_vprogress progress, void *ctx, uint64_t *size)
{
	struct scan s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.v = v;
	if ((rc = ledger_txn_begin(st, 0, &s.txn)) != 0)
		return rc;
	s.nodes.last = NONE;
	if ((rc = ledger_cursor_open(s.txn, LEDGER_DB_NODES,
	    &s.nodes.c)) != 0) {
		ledger_txn_abort(s.txn);
		return rc;
	}
	ledger_verifier_set_nodes(v, node_read, &s.nodes);
	rc = scan(&s, progress, ctx);
	if (rc == 0)
		rc = ledger_verifier_finish(v);
	ledger_verifier_set_nodes(v, NULL, NULL);
	ledger_cursor_close(s.nodes.c);
	ledger_txn_abort(s.txn);
	if (size != NULL)
		*size = s.end;
	return rc;
}
