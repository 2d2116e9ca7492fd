/*
 * ledger/merkle.h - RFC 6962 / RFC 9162 Merkle tree over SHA-256.
 *
 * Leaf hash H(0x00||d), node hash H(0x01||l||r); the root of the empty tree
 * is H("").  Sizes and indexes are uint64_t.  Proof generation reads the
 * hashes of perfect subtrees through a caller callback, so storage can feed
 * stored nodes; every function that reads a range decomposes it into
 * perfect subtrees that are complete at the given tree size.
 *
 * Thread safety: all functions are reentrant.
 */
#ifndef LEDGER_MERKLE_H
#define LEDGER_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define LEDGER_HASH_BYTES	32	/* SHA-256 */
#define LEDGER_PROOF_MAX	64	/* hashes in any proof we make or accept */

/*
 * Read the hash of the perfect subtree at level (0 = leaf) and index, i.e.
 * of leaves [index << level, (index + 1) << level), into out.  Return 0 or a
 * negative LEDGER_E* code, which is passed back to the caller unchanged.
 */
typedef int (*ledger_hash_reader)(void *ctx, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES]);

void ledger_leaf_hash(const void *data, size_t len,
    uint8_t out[LEDGER_HASH_BYTES]);
void ledger_node_hash(const uint8_t left[LEDGER_HASH_BYTES],
    const uint8_t right[LEDGER_HASH_BYTES], uint8_t out[LEDGER_HASH_BYTES]);
void ledger_empty_root(uint8_t out[LEDGER_HASH_BYTES]);

/*
 * MTH of leaves [begin, end), 0 <= begin <= end; the range must be one that
 * RFC 6962 recursion produces (any [0, n), or a right part), which the
 * function decomposes into perfect subtrees read through rd.
 */
int ledger_merkle_range_hash(uint64_t begin, uint64_t end,
    ledger_hash_reader rd, void *ctx, uint8_t out[LEDGER_HASH_BYTES]);

/* Root of the tree of size leaves (H("") for 0). */
int ledger_merkle_root(uint64_t size, ledger_hash_reader rd, void *ctx,
    uint8_t out[LEDGER_HASH_BYTES]);

/*
 * Inclusion proof (RFC 6962 PATH) for index in a tree of size, leaf to root,
 * into proof (room for LEDGER_PROOF_MAX hashes), count in *n.
 * LEDGER_EINVAL if index >= size.
 */
int ledger_merkle_inclusion(uint64_t index, uint64_t size,
    ledger_hash_reader rd, void *ctx,
    uint8_t proof[][LEDGER_HASH_BYTES], size_t *n);

/*
 * Consistency proof (RFC 6962 PROOF(m, D[0:n])), 0 < m <= n; m == n gives
 * an empty proof.  LEDGER_EINVAL otherwise.
 */
int ledger_merkle_consistency(uint64_t m, uint64_t size,
    ledger_hash_reader rd, void *ctx,
    uint8_t proof[][LEDGER_HASH_BYTES], size_t *n);

/*
 * RFC 9162 2.1.3.2.  Returns 0 when leaf at index is in the tree of size
 * with root, LEDGER_EPROOF otherwise (also for index >= size, n too long or
 * too short).
 * WARNING: the only check between a leaf and a signed root; callers must
 * not ignore the result.
 */
int ledger_merkle_verify_inclusion(uint64_t index, uint64_t size,
    const uint8_t leaf[LEDGER_HASH_BYTES],
    const uint8_t proof[][LEDGER_HASH_BYTES], size_t n,
    const uint8_t root[LEDGER_HASH_BYTES]) __attribute__((warn_unused_result));

/*
 * RFC 9162 2.1.4.2, with the edge cases of TLOG-SPECS 1.4: m == n needs an
 * empty proof and equal roots; m == 0 needs an empty proof (the empty tree
 * is consistent with everything); m > n fails.  0 or LEDGER_EPROOF.
 */
int ledger_merkle_verify_consistency(uint64_t m, uint64_t size,
    const uint8_t root_m[LEDGER_HASH_BYTES],
    const uint8_t root_n[LEDGER_HASH_BYTES],
    const uint8_t proof[][LEDGER_HASH_BYTES], size_t n)
    __attribute__((warn_unused_result));

/*
 * Compact range of the tree's right edge: one hash per 1-bit of size,
 * highest level first.  Appending a leaf completes trailing_ones(size)
 * perfect subtrees; each new perfect node (the leaf itself at level 0
 * included) is reported through emit in increasing (level) order so storage
 * can write every node exactly once, in append order.
 */
struct ledger_frontier {
	uint64_t	size;
	unsigned	count;
	uint8_t		hash[64][LEDGER_HASH_BYTES];
};

typedef int (*ledger_node_sink)(void *ctx, unsigned level, uint64_t index,
    const uint8_t hash[LEDGER_HASH_BYTES]);

/* Empty frontier. */
void ledger_frontier_init(struct ledger_frontier *f);
/* Rebuild the frontier of a tree of size from stored nodes. */
int ledger_frontier_load(struct ledger_frontier *f, uint64_t size,
    ledger_hash_reader rd, void *ctx);
/* Append one leaf hash; emit (may be NULL) sees every completed node. */
int ledger_frontier_append(struct ledger_frontier *f,
    const uint8_t leaf[LEDGER_HASH_BYTES], ledger_node_sink emit, void *ctx);
/* Root of the frontier's tree. */
void ledger_frontier_root(const struct ledger_frontier *f,
    uint8_t out[LEDGER_HASH_BYTES]);

/*
 * The right edge of a tree, for inclusion proofs against it: the
 * frontier's subtree hashes (sub, largest first) and, for each subtree,
 * the hash of every leaf to its right (right[i]: the root of subtrees
 * i + 1 .. count - 1; unused for the last).  A proof then reads only the
 * nodes inside the one perfect subtree that holds its leaf; the rest of
 * the path is here, with no range of the edge hashed again per proof.
 * Only the first count entries of each array are meaningful.
 */
struct ledger_edge {
	uint64_t	size;
	unsigned	count;
	uint8_t		sub[64][LEDGER_HASH_BYTES];
	uint8_t		right[64][LEDGER_HASH_BYTES];
};

/*
 * The edge of the frontier's tree (count - 1 node hashes), and its root
 * into root (may be NULL), which a caller can check against the tree it
 * signed: the edge is the top of every proof made from it.
 */
void ledger_edge_init(struct ledger_edge *e, const struct ledger_frontier *f,
    uint8_t root[LEDGER_HASH_BYTES]);

/*
 * Exactly ledger_merkle_inclusion(index, e->size, ...), reading through rd
 * only the nodes below the frontier subtree that holds index.
 */
int ledger_merkle_inclusion_edge(uint64_t index, const struct ledger_edge *e,
    ledger_hash_reader rd, void *ctx,
    uint8_t proof[][LEDGER_HASH_BYTES], size_t *n);

/*
 * x/mod tlog StoredHashIndex: position of node (level, index) when every
 * node is stored once in append order.  Used as the LMDB key of nodes, so
 * node writes are appends.
 */
uint64_t ledger_stored_hash_index(unsigned level, uint64_t index);

#endif
