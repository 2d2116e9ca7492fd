/*
 * ledger/storecheck.h - the structural check of a stored ledger that
 * ledgerd runs before it serves (its start-check setting).
 *
 * It proves that what LMDB holds is one consistent tree: entries 0..size-1
 * are all there and nothing lies past them; each entry hashes (RFC 6962
 * leaf hash) to its stored level-0 node; each stored interior node is the
 * hash of its two children; and every stored checkpoint is signed by the
 * ledger key, names the origin and the size it is filed under, and signs
 * the root of the stored tree at that size.  The id index must hold one id
 * per entry.  It does not parse leaves: chains, author signatures, keys
 * and rules are "ledgerctl verify", which replays everything.
 *
 * Leaves are hashed in blocks of 2^LEDGER_SCHECK_BLOCK_LOG entries on
 * several threads, each with its own read transaction and two cursors
 * (entries and nodes walked in key order); the nodes above the blocks and
 * the checkpoints come after, so a checkpoint is compared with a tree
 * already proven.  Run it while nothing writes the store (ledgerd runs it
 * before its sequencer starts).
 *
 * When several things are wrong, the one reported is the first found in
 * the lowest block, so the same store always gives the same answer.
 */
#ifndef LEDGER_STORECHECK_H
#define LEDGER_STORECHECK_H

#include <stdint.h>

#include "ledger/note.h"
#include "ledger/store.h"

#define LEDGER_SCHECK_BLOCK_LOG	14	/* 16384 entries per thread task */
#define LEDGER_SCHECK_THREADS_MAX 64

/* ledger_store_check flags */
#define LEDGER_SCHECK_NOLEAVES	0x1	/* trust level-0 nodes: tree only */

struct ledger_scheck_bad {
	uint64_t	 seq;	/* first entry concerned; a checkpoint's size */
	const char	*what;	/* "entry", "node", "checkpoint", "ids" */
	char		 msg[400];
};

struct ledger_scheck_stats {
	uint64_t	size;		/* entries in the tree (meta size) */
	uint64_t	leaves;		/* entries hashed */
	uint64_t	bytes;		/* bytes of those entries */
	uint64_t	nodes;		/* stored nodes compared */
	uint64_t	checkpoints;	/* checkpoints verified */
	unsigned	threads;
};

/*
 * Check st (see above) against the ledger key lkey for origin.  threads 0
 * means one per online CPU (at most LEDGER_SCHECK_THREADS_MAX).  Returns
 * 0 when the store checks out; LEDGER_EPROOF with *bad filled when it
 * does not; another negative code when it cannot be read (LEDGER_ENOMEM,
 * LEDGER_EIO, LEDGER_ESTORE).  stats may be NULL.
 */
int ledger_store_check(struct ledger_store *st, const char *origin,
    const struct ledger_pubkey *lkey, unsigned flags, unsigned threads,
    struct ledger_scheck_bad *bad, struct ledger_scheck_stats *stats);

#endif
