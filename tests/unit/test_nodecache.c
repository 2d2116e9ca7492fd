/*
 * test_nodecache.c - the shared cache of upper Merkle nodes gives the same
 * proofs as the stored nodes: every inclusion and consistency proof of
 * small trees, with a cache large enough never to evict and with one so
 * small that nodes keep taking each other's slots; and the same from
 * several threads sharing one small cache.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ledger/error.h"
#include "ledger/merkle.h"
#include "ledger/nodecache.h"
#include "ledger/store.h"

#define LEAVES	300u	/* upper tree of 19 blocks of 16 leaves, 5 levels */
#define THREADS	4

static struct ledger_store *
store_of(const char *name, uint64_t n)
{
	struct ledger_store *st = NULL;
	struct ledger_frontier f;
	struct ledger_txn *txn;
	uint8_t leaf[LEDGER_HASH_BYTES], data[8];
	char dir[PATH_MAX];
	uint64_t i;

	snprintf(dir, sizeof(dir), "%s/%s", harness_tmpdir(), name);
	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_CREATE, 0, &st), 0);
	if (st == NULL)
		return NULL;
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	ledger_frontier_init(&f);
	for (i = 0; i < n; i++) {
		memcpy(data, &i, sizeof(data));
		ledger_leaf_hash(data, sizeof(data), leaf);
		CHECK_INT(ledger_frontier_append(&f, leaf,
		    ledger_txn_node_sink, txn), 0);
	}
	CHECK_INT(ledger_txn_commit(txn), 0);
	return st;
}

/* Every proof of every tree up to LEAVES, cached and not, must agree. */
static void
all_proofs(struct ledger_store *st, struct ledger_nodecache *c)
{
	uint8_t want[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	uint8_t got[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	uint8_t r1[LEDGER_HASH_BYTES], r2[LEDGER_HASH_BYTES];
	struct ledger_cached_nodes cn = { c, NULL };
	struct ledger_txn *txn;
	uint64_t size, i;
	size_t nw, ng;
	int bad = 0;

	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	cn.txn = txn;
	for (size = 1; size <= LEAVES && !bad; size++) {
		CHECK_INT(ledger_merkle_root(size, ledger_txn_hash_reader, txn,
		    r1), 0);
		CHECK_INT(ledger_merkle_root(size, ledger_cached_hash_reader,
		    &cn, r2), 0);
		bad |= memcmp(r1, r2, sizeof(r1)) != 0;
		for (i = 0; i < size; i++) {
			CHECK_INT(ledger_merkle_inclusion(i, size,
			    ledger_txn_hash_reader, txn, want, &nw), 0);
			CHECK_INT(ledger_merkle_inclusion(i, size,
			    ledger_cached_hash_reader, &cn, got, &ng), 0);
			bad |= nw != ng || memcmp(want, got, nw * 32) != 0;
			CHECK_INT(ledger_merkle_consistency(i + 1, size,
			    ledger_txn_hash_reader, txn, want, &nw), 0);
			CHECK_INT(ledger_merkle_consistency(i + 1, size,
			    ledger_cached_hash_reader, &cn, got, &ng), 0);
			bad |= nw != ng || memcmp(want, got, nw * 32) != 0;
			if (bad)
				harness_fail(__FILE__, __LINE__, "proofs of "
				    "%llu in %llu differ",
				    (unsigned long long)i,
				    (unsigned long long)size);
			if (bad)
				break;
		}
	}
	/* A node the tree does not have is still an error, not a hit. */
	CHECK_INT(ledger_cached_hash_reader(&cn, LEDGER_NODECACHE_LEVEL,
	    LEAVES, r1), LEDGER_ENOTFOUND);
	ledger_txn_abort(txn);
	CHECK(!bad);
}

TEST(same_proofs_as_storage)
{
	struct ledger_store *st = store_of("exhaustive", LEAVES);
	struct ledger_nodecache *big, *tiny;

	big = ledger_nodecache_new(10);
	tiny = ledger_nodecache_new(1);	/* two slots for ~40 nodes */
	CHECK(st != NULL && big != NULL && tiny != NULL);
	if (st == NULL || big == NULL || tiny == NULL)
		return;
	all_proofs(st, NULL);
	all_proofs(st, big);	/* fills it */
	all_proofs(st, big);	/* all from it */
	all_proofs(st, tiny);
	CHECK(ledger_nodecache_new(LEDGER_NODECACHE_SLOTS_LOG2_MAX + 1) ==
	    NULL);
	ledger_nodecache_free(big);
	ledger_nodecache_free(tiny);
	ledger_store_close(st);
}

struct hammer {
	struct ledger_store	*st;
	struct ledger_nodecache	*c;
	unsigned		 id;
	int			 bad;
};

/* Proofs of leaves spread by a per-thread stride over a small cache. */
static void *
hammer(void *arg)
{
	uint8_t want[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	uint8_t got[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	struct hammer *h = arg;
	struct ledger_cached_nodes cn = { h->c, NULL };
	struct ledger_txn *txn;
	uint64_t k, seq, size;
	size_t nw, ng;

	if (ledger_txn_begin(h->st, 0, &txn) != 0) {
		h->bad = 1;
		return NULL;
	}
	cn.txn = txn;
	for (k = 0; k < 20000 && !h->bad; k++) {
		size = LEAVES - (k * (h->id + 3)) % 64;
		seq = (k * (2 * h->id + 7)) % size;
		if (ledger_merkle_inclusion(seq, size, ledger_txn_hash_reader,
		    txn, want, &nw) != 0 ||
		    ledger_merkle_inclusion(seq, size,
		    ledger_cached_hash_reader, &cn, got, &ng) != 0 ||
		    nw != ng || memcmp(want, got, nw * 32) != 0)
			h->bad = 1;
	}
	ledger_txn_abort(txn);
	return NULL;
}

TEST(threads_share_a_small_cache)
{
	struct ledger_store *st = store_of("threads", LEAVES);
	struct ledger_nodecache *c = ledger_nodecache_new(3);
	struct hammer h[THREADS];
	pthread_t t[THREADS];
	unsigned i;

	CHECK(st != NULL && c != NULL);
	if (st == NULL || c == NULL)
		return;
	for (i = 0; i < THREADS; i++) {
		h[i] = (struct hammer){ st, c, i, 0 };
		CHECK_INT(pthread_create(&t[i], NULL, hammer, &h[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(h[i].bad, 0);
	}
	ledger_nodecache_free(c);
	ledger_store_close(st);
}

/*
 * After a fill, every upper node is served from the cache alone: the
 * reader's storage is an empty ledger, where any miss is ENOTFOUND.
 */
TEST(fill_serves_without_storage)
{
	struct ledger_store *st = store_of("fill", LEAVES),
	    *empty = store_of("fill-empty", 0);
	struct ledger_nodecache *c = ledger_nodecache_new(10),
	    *tiny = ledger_nodecache_new(2);
	struct ledger_cached_nodes cn = { c, NULL };
	struct ledger_txn *txn, *etxn;
	uint8_t want[LEDGER_HASH_BYTES], got[LEDGER_HASH_BYTES];
	uint64_t n = 0, i, expect = 0;
	unsigned l;
	int bad = 0;

	CHECK(st != NULL && empty != NULL && c != NULL && tiny != NULL);
	if (st == NULL || empty == NULL || c == NULL || tiny == NULL)
		return;
	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_txn_begin(empty, 0, &etxn), 0);
	CHECK_INT(ledger_nodecache_fill(c, txn, LEAVES, &n), 0);
	for (l = LEDGER_NODECACHE_LEVEL; LEAVES >> l > 0; l++)
		expect += LEAVES >> l;
	CHECK(n == expect);
	cn.txn = etxn;
	for (l = LEDGER_NODECACHE_LEVEL; LEAVES >> l > 0; l++)
		for (i = 0; i < LEAVES >> l; i++) {
			CHECK_INT(ledger_node_get(txn, l, i, want), 0);
			if (ledger_cached_hash_reader(&cn, l, i, got) != 0 ||
			    memcmp(want, got, sizeof(got)) != 0)
				bad++;
		}
	CHECK_INT(bad, 0);
	/* Below the cached levels it reads storage: here, nothing. */
	CHECK_INT(ledger_cached_hash_reader(&cn, 0, 0, got), LEDGER_ENOTFOUND);
	/* Four slots: only the levels that fit (the 7 nodes of levels 6 and
	 * up would not; the 3 of levels 7 and 8 do), and proofs agree. */
	CHECK_INT(ledger_nodecache_fill(tiny, txn, LEAVES, &n), 0);
	CHECK(n == (LEAVES >> 7) + (LEAVES >> 8));
	ledger_txn_abort(etxn);
	ledger_txn_abort(txn);
	all_proofs(st, tiny);
	ledger_nodecache_free(c);
	ledger_nodecache_free(tiny);
	ledger_store_close(empty);
	ledger_store_close(st);
}
