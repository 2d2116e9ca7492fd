/*
 * nodecache.c - the upper Merkle levels in memory (nodecache.h).
 *
 * A slot is a seqlock in the form C11 can express without a data race: the
 * tag and the four words of the hash are atomics.  A writer swaps the tag
 * from its value to BUSY (giving up if another writer holds it), stores
 * the words, then publishes the new tag with release order.  A reader
 * loads the tag (acquire), the words, then the tag again after an acquire
 * fence: equal tags and no BUSY mean the words are the node's, since only
 * a writer holding BUSY stores words, and a writer that took and released
 * the slot in between with the same tag stored the same, immutable hash.
 */
#include <sys/mman.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/nodecache.h"
#include "ledger/store.h"

#define TAG_EMPTY	0
#define TAG_BUSY	UINT64_MAX

struct slot {
	_Atomic uint64_t	tag;	/* stored index in the upper tree + 1 */
	_Atomic uint64_t	w[LEDGER_HASH_BYTES / 8];
};

/* Transparent huge pages come in aligned 2 MiB units. */
#define HUGE_PAGE	((size_t)2 << 20)

struct ledger_nodecache {
	uint64_t	 mask;		/* slots - 1 */
	struct slot	*slot;		/* in map, aligned to HUGE_PAGE */
	void		*map;
	size_t		 maplen;
};

struct ledger_nodecache *
ledger_nodecache_new(unsigned slots_log2)
{
	struct ledger_nodecache *c;
	uintptr_t at;
	size_t n;

	if (slots_log2 > LEDGER_NODECACHE_SLOTS_LOG2_MAX)
		return NULL;
	n = (size_t)1 << slots_log2;
	/*
	 * Anonymous pages, not a loop of atomic_init: lock-free 64-bit
	 * atomics are plain words here (checked below), so zero bytes are
	 * TAG_EMPTY, and the pages stay unmapped until a slot is filled.
	 * ledgerd's memory grows with the tree it serves (in 2 MiB steps
	 * where huge pages apply), not by 5 MiB at start.  Huge pages where
	 * the kernel allows them (madvise mode): a proof reads 16 slots at
	 * random, each on its own 4 KiB page, and on a core that was idle
	 * every one of them was a TLB miss.
	 */
	_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 &&
	    sizeof(_Atomic uint64_t) == sizeof(uint64_t),
	    "a zeroed _Atomic uint64_t must read as 0");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->maplen = n * sizeof(c->slot[0]) + HUGE_PAGE;
	c->map = mmap(NULL, c->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->map == MAP_FAILED) {
		free(c);
		return NULL;
	}
	at = ((uintptr_t)c->map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	(void)madvise((void *)at, n * sizeof(c->slot[0]), MADV_HUGEPAGE);
	c->slot = (struct slot *)at;
	c->mask = n - 1;
	return c;
}

void
ledger_nodecache_free(struct ledger_nodecache *c)
{
	if (c == NULL)
		return;
	munmap(c->map, c->maplen);
	free(c);
}

static int
lookup(struct slot *s, uint64_t tag, uint8_t out[LEDGER_HASH_BYTES])
{
	uint64_t w[LEDGER_HASH_BYTES / 8];
	size_t k;

	if (atomic_load_explicit(&s->tag, memory_order_acquire) != tag)
		return 0;
	for (k = 0; k < LEDGER_HASH_BYTES / 8; k++)
		w[k] = atomic_load_explicit(&s->w[k], memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&s->tag, memory_order_relaxed) != tag)
		return 0;
	memcpy(out, w, LEDGER_HASH_BYTES);
	return 1;
}

static void
fill(struct slot *s, uint64_t tag, const uint8_t hash[LEDGER_HASH_BYTES])
{
	uint64_t w[LEDGER_HASH_BYTES / 8], old;
	size_t k;

	if (tag == TAG_BUSY)	/* a node past 2^64 - 2: not cacheable */
		return;
	old = atomic_load_explicit(&s->tag, memory_order_relaxed);
	if (old == TAG_BUSY || !atomic_compare_exchange_strong_explicit(
	    &s->tag, &old, TAG_BUSY, memory_order_acquire,
	    memory_order_relaxed))
		return;
	/* Readers that see a new word must also see BUSY or the new tag. */
	atomic_thread_fence(memory_order_release);
	memcpy(w, hash, LEDGER_HASH_BYTES);
	for (k = 0; k < LEDGER_HASH_BYTES / 8; k++)
		atomic_store_explicit(&s->w[k], w[k], memory_order_relaxed);
	atomic_store_explicit(&s->tag, tag, memory_order_release);
}

/* Its slot: numbered as in storage, over the tree of 2^LEVEL-leaf blocks. */
static uint64_t
slot_pos(unsigned level, uint64_t index)
{
	return ledger_stored_hash_index(level - LEDGER_NODECACHE_LEVEL, index);
}

int
ledger_nodecache_fill(struct ledger_nodecache *c, struct ledger_txn *txn,
    uint64_t size, uint64_t *n)
{
	uint8_t h[LEDGER_HASH_BYTES];
	uint64_t i, pos, above;
	unsigned level = LEDGER_NODECACHE_LEVEL, l;
	int rc;

	*n = 0;
	for (;; level++) {
		for (above = 0, l = level; l < 64 && size >> l > 0; l++)
			above += size >> l;
		if (above <= c->mask + 1)
			break;
	}
	/* Upward, so that where two nodes share a slot the upper one stays. */
	for (l = level; l < 64 && size >> l > 0; l++) {
		for (i = 0; i < size >> l; i++) {
			if ((rc = ledger_node_get(txn, l, i, h)) != 0)
				return rc;
			pos = slot_pos(l, i);
			fill(&c->slot[pos & c->mask], pos + 1, h);
			(*n)++;
		}
	}
	return 0;
}

int
ledger_cached_hash_reader(void *ctx, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES])
{
	struct ledger_cached_nodes *cn = ctx;
	struct slot *s;
	uint64_t pos;
	int rc;

	if (cn->cache == NULL || level < LEDGER_NODECACHE_LEVEL ||
	    level > 63)
		return ledger_node_get(cn->txn, level, index, out);
	pos = slot_pos(level, index);
	s = &cn->cache->slot[pos & cn->cache->mask];
	if (lookup(s, pos + 1, out))
		return 0;
	if ((rc = ledger_node_get(cn->txn, level, index, out)) != 0)
		return rc;
	fill(s, pos + 1, out);
	return 0;
}
