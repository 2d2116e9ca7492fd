/*
 * startcheck.c - tamper evidence in the daemon (issue 6.5).
 *
 * Before serving, the store is proven to be one consistent tree
 * (ledger_store_check: every entry hashes to its stored leaf node, every
 * stored node to its children, every checkpoint verifies and signs the
 * stored root at its size); on a mismatch ledgerd refuses to start and
 * names the seq.  start-check = tree trusts the stored leaf hashes (no
 * leaf is read), none skips it; both are for a ledger too large to hash
 * at every start, and full is the default because only it catches a
 * changed byte in an entry.
 *
 * While serving, every leaf sent (an entry, a query result, a receipt,
 * an entry bundle, the leaf hash of a proof) is hashed anyway, so it is
 * also compared with its stored level-0 node: one B-tree lookup.  A leaf
 * that differs is answered 500 naming its seq, logged once, and /healthz
 * turns 503 "tampered"; nothing inconsistent leaves the daemon.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "ledger/storecheck.h"
#include "ledgerd.h"

/* seq + 1 of the first leaf found not to match the tree; 0: none. */
static atomic_uint_least64_t tamper_mark;

int
startcheck_run(struct ledgerd *d)
{
	struct ledger_scheck_bad bad;
	struct ledger_scheck_stats s;
	unsigned flags = 0;
	uint64_t t0;
	int rc;

	if (strcmp(d->cfg.start_check, "none") == 0) {
		log_info("start-check = none: serving without checking the "
		    "stored tree");
		return 0;
	}
	if (strcmp(d->cfg.start_check, "tree") == 0)
		flags |= LEDGER_SCHECK_NOLEAVES;
	t0 = mono_us();
	rc = ledger_store_check(d->store, d->origin, signer_pubkey(d->signer),
	    flags, 0, &bad, &s);
	if (rc == LEDGER_EPROOF) {
		fprintf(stderr, "ledgerd: refusing to start: %s\n"
		    "ledgerd: the ledger in %s was changed outside ledgerd or "
		    "is damaged (%s %llu); nothing was served.  Run \"ledgerctl "
		    "verify -d %s --all\" to list every problem, then restore "
		    "the data directory from a backup or a replica\n", bad.msg,
		    d->cfg.datadir, bad.what, (unsigned long long)bad.seq,
		    d->cfg.datadir);
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, "ledgerd: cannot check the stored ledger in %s: "
		    "%s\n", d->cfg.datadir, ledger_strerror(rc));
		return -1;
	}
	log_info("start-check %s: %llu entries (%llu MB hashed), %llu nodes, "
	    "%llu checkpoints in %.2f s on %u threads", d->cfg.start_check,
	    (unsigned long long)s.size, (unsigned long long)(s.bytes >> 20),
	    (unsigned long long)s.nodes, (unsigned long long)s.checkpoints,
	    (double)(mono_us() - t0) / 1e6, s.threads);
	return 0;
}

int
leaf_served(struct ledger_txn *txn, uint64_t seq,
    const uint8_t hash[LEDGER_HASH_BYTES])
{
	uint8_t stored[LEDGER_HASH_BYTES];
	uint_least64_t none = 0;
	int rc;

	if ((rc = ledger_node_get(txn, 0, seq, stored)) != 0)
		return rc;
	if (memcmp(stored, hash, LEDGER_HASH_BYTES) == 0)
		return 0;
	if (atomic_compare_exchange_strong(&tamper_mark, &none, seq + 1))
		log_warnx("entry %llu does not hash to the stored tree: the "
		    "ledger's files were changed outside ledgerd.  It is not "
		    "served and /healthz says \"tampered\"; stop ledgerd, run "
		    "\"ledgerctl verify -d DATADIR --all\" and restore from a "
		    "backup or a replica", (unsigned long long)seq);
	return LEDGERD_ETAMPERED;
}

int
tamper_seen(uint64_t *seq)
{
	uint64_t m = atomic_load(&tamper_mark);

	if (m == 0)
		return 0;
	if (seq != NULL)
		*seq = m - 1;
	return 1;
}

int
http_tampered(struct request *rq, uint64_t seq)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "entry %llu does not hash to the stored "
	    "tree: the ledger's files were changed; it is not served.  The "
	    "operator must check the ledger (ledgerctl verify)",
	    (unsigned long long)seq);
	return http_json(rq, 500, json_pack("{s:{s:s, s:s, s:I}}", "error",
	    "code", "tampered", "message", msg, "seq", (json_int_t)seq));
}
