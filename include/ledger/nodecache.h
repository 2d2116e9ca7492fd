/*
 * ledger/nodecache.h - an in-memory cache of the upper Merkle tree, shared
 * by the threads that build proofs.
 *
 * An inclusion proof at 1,000,000 entries needs 20 stored nodes, and each
 * was one LMDB descent to a page that is rarely in the CPU cache: two
 * thirds of a proof's storage time.  The upper levels are few (one node
 * per 2^LEDGER_NODECACHE_LEVEL leaves at that level, half as many above)
 * and every proof walks through them, so they are kept here.
 *
 * Nothing is ever invalidated: a stored node is the hash of a perfect
 * subtree, fixed once its last leaf is appended, and the same in every
 * later tree.  A node is cached only after it was read from storage, so a
 * reader never sees a node its own snapshot does not hold (it asks only
 * for nodes complete at its tree size).
 *
 * The cache is direct-mapped, 2^slots_log2 slots of 40 bytes, numbered by
 * the node's position in the upper tree (in append order), so up to
 * 2^slots_log2 << (LEVEL - 1) leaves it never evicts (2^20 leaves, 5 MiB,
 * at LEDGER_NODECACHE_SLOTS_LOG2); past that, nodes that share a slot take
 * turns, and a miss is only a storage read.
 *
 * Thread safety: any number of threads may read and fill it at once
 * (a slot is a small seqlock whose writers take it with a compare and
 * swap; a writer that finds it taken simply does not cache).
 */
#ifndef LEDGER_NODECACHE_H
#define LEDGER_NODECACHE_H

#include <stdint.h>

#include "ledger/merkle.h"

#define LEDGER_NODECACHE_LEVEL	4		/* lowest level cached */
#define LEDGER_NODECACHE_SLOTS_LOG2	17	/* ledgerd's: 5 MiB */
#define LEDGER_NODECACHE_SLOTS_LOG2_MAX	30

struct ledger_nodecache;
struct ledger_txn;

/*
 * A new, empty cache of 2^slots_log2 slots; NULL when out of memory or
 * slots_log2 > LEDGER_NODECACHE_SLOTS_LOG2_MAX.
 */
struct ledger_nodecache *ledger_nodecache_new(unsigned slots_log2);
void ledger_nodecache_free(struct ledger_nodecache *c);

/*
 * Read the upper nodes of the tree of size from txn into the cache: every
 * node from LEDGER_NODECACHE_LEVEL up, or, when they would not all fit,
 * from the lowest level at which they do.  Proofs asked for right after
 * start-up then find them, instead of each random proof missing at the
 * lower cached levels for the first few hundred thousand requests.
 * Returns the number of nodes read (*n) and 0, or a ledger_node_get error.
 */
int ledger_nodecache_fill(struct ledger_nodecache *c, struct ledger_txn *txn,
    uint64_t size, uint64_t *n);

/*
 * A ledger_hash_reader (merkle.h) over stored nodes through the cache:
 * pass a pointer to this as ctx.  Nodes below LEDGER_NODECACHE_LEVEL, and
 * misses, are read from txn (ledger_node_get); cache may be NULL.
 */
struct ledger_cached_nodes {
	struct ledger_nodecache	*cache;
	struct ledger_txn	*txn;
};
int ledger_cached_hash_reader(void *ctx, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES]);

#endif /* LEDGER_NODECACHE_H */
