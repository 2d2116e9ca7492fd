/*
 * store_check.c - the structural check of a stored ledger
 * (ledger/storecheck.h), run by ledgerd before it serves.
 *
 * Three phases, each a list of tasks handed to a few threads in
 * increasing order:
 *   1. blocks of 2^LEDGER_SCHECK_BLOCK_LOG entries: walk the entries and
 *      the nodes of the block with cursors (nodes are keyed in append
 *      order, so a block's nodes are one run of keys), hash each entry and
 *      rebuild the block's subtree, comparing every node it completes with
 *      the next stored one;
 *   2. (this thread) the few nodes above the blocks, from their stored
 *      children, and nothing stored past the tree;
 *   3. every stored checkpoint: signature, origin, size, and the root the
 *      stored nodes (proven by 1 and 2) give at its size.
 * A task that finds a problem lowers the "first bad task" mark, and tasks
 * above the mark are skipped, so the problem reported is always the first
 * one of the lowest bad task, whatever the threads' timing.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "ledger/error.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/storecheck.h"
#include "store_int.h"

#define BLOCK		(1ULL << LEDGER_SCHECK_BLOCK_LOG)
#define NO_TASK		UINT64_MAX

struct worker;

struct check {
	struct ledger_store		*st;
	const char			*origin;
	const struct ledger_pubkey	*lkey;
	unsigned			 flags;
	unsigned			 threads;
	uint64_t			 size;
	uint64_t			*ckpts;		/* stored checkpoint sizes */
	size_t				 nckpts;
	/* the phase running */
	int				(*task)(struct worker *, uint64_t);
	uint64_t			 ntasks;
	atomic_uint_least64_t		 next;
	atomic_uint_least64_t		 bad_task;	/* NO_TASK: none yet */
	atomic_int			 err;		/* a hard error */
	pthread_mutex_t			 mu;
	struct ledger_scheck_bad	 bad;
	struct ledger_scheck_stats	 stats;
};

struct worker {
	struct check		*c;
	struct ledger_txn	*txn;
	struct ledger_cursor	*nod;
	uint64_t		 base;		/* first seq of the block */
	int			 have;		/* nod is on a node: k, v */
	const void		*k, *v;
	size_t			 kl, vl;
	int			 found;		/* bad is filled */
	struct ledger_scheck_bad bad;
	uint64_t		 leaves, bytes, nodes, ckpts;
};

static int __attribute__((format(printf, 4, 5)))
found(struct worker *w, uint64_t seq, const char *what, const char *fmt, ...)
{
	va_list ap;

	w->found = 1;
	w->bad.seq = seq;
	w->bad.what = what;
	va_start(ap, fmt);
	vsnprintf(w->bad.msg, sizeof(w->bad.msg), fmt, ap);
	va_end(ap);
	return LEDGER_EPROOF;
}

static void
hex(const void *h, char out[2 * LEDGER_HASH_BYTES + 1])
{
	ledger_hex_encode(h, LEDGER_HASH_BYTES, out);
}

/* Entries a node (level, index) covers, as "a..b" for messages. */
static void
span(unsigned level, uint64_t index, char *out, size_t outsz)
{
	uint64_t a = index << level;

	snprintf(out, outsz, "%llu..%llu", (unsigned long long)a,
	    (unsigned long long)(a + (1ULL << level) - 1));
}

static uint64_t
key_u64(const void *k, size_t kl)
{
	return kl == 8 ? ledger_be64_get(k) : NO_TASK;
}

/* --- phase 1: blocks of entries and their nodes --- */

static int
node_next(struct worker *w)
{
	int rc;

	rc = ledger_cursor_next(w->nod, &w->k, &w->kl, &w->v, &w->vl);
	w->have = rc == 0;
	return rc == LEDGER_ENOTFOUND ? 0 : rc;
}

/* A node of the block's subtree: the next stored node must be it. */
static int
node_emit(void *ctx, unsigned level, uint64_t local,
    const uint8_t hash[LEDGER_HASH_BYTES])
{
	struct worker *w = ctx;
	uint64_t index = (w->base >> level) + local;
	char a[2 * LEDGER_HASH_BYTES + 1], b[2 * LEDGER_HASH_BYTES + 1], s[48];

	span(level, index, s, sizeof(s));
	if (!w->have || key_u64(w->k, w->kl) !=
	    ledger_stored_hash_index(level, index))
		return found(w, index << level, "node", "Merkle node level %u "
		    "index %llu (entries %s) is missing from the store", level,
		    (unsigned long long)index, s);
	if (w->vl != LEDGER_HASH_BYTES || memcmp(w->v, hash,
	    LEDGER_HASH_BYTES) != 0) {
		if (w->vl != LEDGER_HASH_BYTES)
			snprintf(a, sizeof(a), "%zu bytes", w->vl);
		else
			hex(w->v, a);
		hex(hash, b);
		if (level == 0)
			return found(w, index, "entry", "entry %llu does not "
			    "hash to the stored tree: its leaf hash is %s but "
			    "the stored node (level 0, index %llu) is %s",
			    (unsigned long long)index, b,
			    (unsigned long long)index, a);
		return found(w, index << level, "node", "stored Merkle node "
		    "level %u index %llu (entries %s) is %s but its children "
		    "hash to %s", level, (unsigned long long)index, s, a, b);
	}
	w->nodes++;
	return node_next(w);
}

static int
block_task(struct worker *w, uint64_t blk)
{
	struct check *c = w->c;
	struct ledger_frontier fr;
	uint64_t seq, end;
	uint8_t key[8], hash[LEDGER_HASH_BYTES];
	const uint8_t *v;
	size_t vl;
	int leaves = !(c->flags & LEDGER_SCHECK_NOLEAVES), rc = 0;

	w->base = blk << LEDGER_SCHECK_BLOCK_LOG;
	end = c->size - w->base < BLOCK ? c->size : w->base + BLOCK;
	ledger_frontier_init(&fr);
	ledger_be64_put(key, ledger_stored_hash_index(0, w->base));
	rc = ledger_cursor_seek(w->nod, key, 8, &w->k, &w->kl, &w->v, &w->vl);
	if (rc != 0 && rc != LEDGER_ENOTFOUND)
		return rc;
	w->have = rc == 0;
	for (seq = w->base; seq < end; seq++) {
		if (leaves) {
			rc = ledger_entry_get(w->txn, seq, &v, &vl);
			if (rc == LEDGER_ENOTFOUND)
				return found(w, seq, "entry", "entry %llu is "
				    "missing: the store says it holds %llu "
				    "entries", (unsigned long long)seq,
				    (unsigned long long)c->size);
			if (rc == LEDGER_ESTORE)
				return found(w, seq, "entry", "entry %llu is in "
				    "a damaged bundle (key %llu of the entries "
				    "database)", (unsigned long long)seq,
				    (unsigned long long)(seq /
				    LEDGER_BUNDLE_LEAVES));
			if (rc != 0)
				return rc;
			ledger_leaf_hash(v, vl, hash);
			w->leaves++;
			w->bytes += vl;
		} else {
			/* Trust the stored leaf hash: only the tree is checked. */
			if (!w->have || w->vl != LEDGER_HASH_BYTES || key_u64(w->k,
			    w->kl) != ledger_stored_hash_index(0, seq))
				return found(w, seq, "node", "Merkle node level "
				    "0 index %llu (entry %llu) is missing or "
				    "malformed", (unsigned long long)seq,
				    (unsigned long long)seq);
			memcpy(hash, w->v, LEDGER_HASH_BYTES);
		}
		if ((rc = ledger_frontier_append(&fr, hash, node_emit, w)) != 0)
			return rc;
	}
	return 0;
}

/* --- phase 3: checkpoints --- */

static int
ckpt_task(struct worker *w, uint64_t i)
{
	struct check *c = w->c;
	struct ledger_checkpoint cp;
	uint64_t size = c->ckpts[i];
	uint8_t root[LEDGER_HASH_BYTES];
	const char *note;
	char a[LEDGER_HASH_B64_BYTES], b[LEDGER_HASH_B64_BYTES];
	size_t len;
	int rc;

	if ((rc = ledger_ckpt_get(w->txn, size, &note, &len)) != 0)
		return rc;
	if (size > c->size)
		return found(w, size, "checkpoint", "checkpoint %llu covers "
		    "entries that are not stored: the ledger holds %llu",
		    (unsigned long long)size, (unsigned long long)c->size);
	if (ledger_checkpoint_open(note, len, c->lkey, &cp) != 0)
		return found(w, size, "checkpoint", "checkpoint %llu does not "
		    "verify with the ledger key %s: its text or signature was "
		    "changed", (unsigned long long)size, c->lkey->name);
	if (cp.size != size || strcmp(cp.origin, c->origin) != 0)
		return found(w, size, "checkpoint", "checkpoint filed under "
		    "size %llu says origin %s and size %llu",
		    (unsigned long long)size, cp.origin,
		    (unsigned long long)cp.size);
	if ((rc = ledger_merkle_root(size, ledger_txn_hash_reader, w->txn,
	    root)) != 0)
		return rc;
	if (memcmp(root, cp.root, LEDGER_HASH_BYTES) != 0) {
		ledger_hash_b64(cp.root, a);
		ledger_hash_b64(root, b);
		return found(w, size, "checkpoint", "checkpoint %llu does not "
		    "match the tree: it signs root %s but the stored tree at "
		    "size %llu gives %s", (unsigned long long)size, a,
		    (unsigned long long)size, b);
	}
	w->ckpts++;
	return 0;
}

/* --- running a phase on threads --- */

static void
set_err(struct check *c, int rc)
{
	int zero = 0;

	atomic_compare_exchange_strong(&c->err, &zero, rc);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct check *c = w->c;
	uint64_t t;
	int rc;

	if ((rc = ledger_txn_begin(c->st, 0, &w->txn)) != 0 ||
	    (rc = ledger_cursor_open(w->txn, LEDGER_DB_NODES, &w->nod)) != 0) {
		set_err(c, rc);
		goto out;
	}
	/* Tasks come in increasing order: past the mark, all are. */
	while ((t = atomic_fetch_add(&c->next, 1)) < c->ntasks &&
	    t < atomic_load(&c->bad_task) && atomic_load(&c->err) == 0) {
		w->found = 0;
		rc = c->task(w, t);
		if (w->found) {
			pthread_mutex_lock(&c->mu);
			if (t < atomic_load(&c->bad_task)) {
				atomic_store(&c->bad_task, t);
				c->bad = w->bad;
			}
			pthread_mutex_unlock(&c->mu);
		} else if (rc != 0) {
			set_err(c, rc);
			break;
		}
	}
out:
	ledger_txn_abort(w->txn);	/* closes the cursors: free them */
	ledger_cursor_close(w->nod);
	return NULL;
}

static int
run_phase(struct check *c, int (*task)(struct worker *, uint64_t),
    uint64_t ntasks)
{
	struct worker w[LEDGER_SCHECK_THREADS_MAX];
	pthread_t th[LEDGER_SCHECK_THREADS_MAX];
	unsigned i, n = 1;

	c->task = task;
	c->ntasks = ntasks;
	atomic_store(&c->next, 0);
	memset(w, 0, sizeof(w));
	for (i = 0; i < c->threads; i++)
		w[i].c = c;
	/* The caller's thread is worker 0; fewer threads is only slower. */
	for (i = 1; i < c->threads && i < ntasks; i++, n++)
		if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
			break;
	worker_main(&w[0]);
	for (i = 1; i < n; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < n; i++) {
		c->stats.leaves += w[i].leaves;
		c->stats.bytes += w[i].bytes;
		c->stats.nodes += w[i].nodes;
		c->stats.checkpoints += w[i].ckpts;
	}
	if (atomic_load(&c->err) != 0)
		return atomic_load(&c->err);
	return atomic_load(&c->bad_task) != NO_TASK ? LEDGER_EPROOF : 0;
}

/* --- phase 2 and the counts, in this thread --- */

static int
bad_here(struct check *c, uint64_t seq, const char *what, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
bad_here(struct check *c, uint64_t seq, const char *what, const char *fmt,
    ...)
{
	va_list ap;

	c->bad.seq = seq;
	c->bad.what = what;
	va_start(ap, fmt);
	vsnprintf(c->bad.msg, sizeof(c->bad.msg), fmt, ap);
	va_end(ap);
	return LEDGER_EPROOF;
}

/* Nodes above the blocks, each from its stored children. */
static int
upper_nodes(struct check *c, struct ledger_txn *txn)
{
	uint8_t l[LEDGER_HASH_BYTES], r[LEDGER_HASH_BYTES], want[32], got[32];
	char a[2 * LEDGER_HASH_BYTES + 1], b[2 * LEDGER_HASH_BYTES + 1], s[48];
	unsigned level;
	uint64_t i;
	int rc;

	for (level = LEDGER_SCHECK_BLOCK_LOG + 1; level < 64 &&
	    (c->size >> level) > 0; level++) {
		for (i = 0; i < c->size >> level; i++) {
			span(level, i, s, sizeof(s));
			rc = ledger_node_get(txn, level - 1, 2 * i, l);
			if (rc == 0)
				rc = ledger_node_get(txn, level - 1, 2 * i + 1,
				    r);
			if (rc == 0)
				rc = ledger_node_get(txn, level, i, got);
			if (rc == LEDGER_ENOTFOUND || rc == LEDGER_ESTORE)
				return bad_here(c, i << level, "node", "Merkle "
				    "node level %u index %llu (entries %s) or "
				    "one of its children is missing or "
				    "malformed", level, (unsigned long long)i,
				    s);
			if (rc != 0)
				return rc;
			ledger_node_hash(l, r, want);
			if (memcmp(want, got, LEDGER_HASH_BYTES) != 0) {
				hex(got, a);
				hex(want, b);
				return bad_here(c, i << level, "node", "stored "
				    "Merkle node level %u index %llu (entries "
				    "%s) is %s but its children hash to %s",
				    level, (unsigned long long)i, s, a, b);
			}
			c->stats.nodes++;
		}
	}
	return 0;
}

static int
db_count(struct ledger_txn *txn, enum ledger_db db, uint64_t *n)
{
	MDB_stat ms;
	int rc;

	if ((rc = mdb_stat(txn->txn, txn->st->dbi[db], &ms)) != 0)
		return store_err(rc);
	*n = ms.ms_entries;
	return 0;
}

/*
 * After phase 1 and 2: nothing stored past the tree, one id per entry;
 * the sizes of the stored checkpoints for phase 3.
 */
static int
tails(struct check *c, struct ledger_txn *txn)
{
	struct ledger_cursor *cur = NULL;
	uint64_t n = 0, want = 0, *grown;
	const void *k;
	size_t kl, cap = 0;
	unsigned t;
	int rc;

	/*
	 * The bundles, one per LEDGER_BUNDLE_LEAVES seqs with none missing,
	 * end at seq size-1 (in full mode phase 1 has read every entry, so
	 * this finds extras).
	 */
	rc = ledger_entry_count(txn, &n);
	if (rc == LEDGER_ESTORE)
		return bad_here(c, c->size, "entry", "the entries database is "
		    "damaged: bundles are missing below the last one, or the "
		    "last one is malformed");
	if (rc != 0)
		return rc;
	if (n != c->size)
		return bad_here(c, c->size, "entry", "the store holds %llu "
		    "entries, but its tree has %llu", (unsigned long long)n,
		    (unsigned long long)c->size);
	if ((rc = ledger_cursor_open(txn, LEDGER_DB_NODES, &cur)) != 0)
		return rc;
	rc = ledger_cursor_last(cur, &k, &kl, NULL, NULL);
	ledger_cursor_close(cur);
	if (rc != 0 && rc != LEDGER_ENOTFOUND)
		return rc;
	if (c->size > 0) {
		t = (unsigned)__builtin_ctzll(c->size);
		want = ledger_stored_hash_index(t, (c->size - 1) >> t);
	}
	if ((c->size == 0 && rc == 0) || (c->size > 0 && (rc != 0 ||
	    key_u64(k, kl) != want)))
		return bad_here(c, c->size, "node", "the stored Merkle nodes "
		    "end at key %llu, but a tree of %llu entries ends at %llu: "
		    "nodes were added or removed", rc == 0 ?
		    (unsigned long long)key_u64(k, kl) : 0ULL,
		    (unsigned long long)c->size,
		    c->size > 0 ? (unsigned long long)want : 0ULL);
	if ((rc = db_count(txn, LEDGER_DB_IDS, &n)) != 0)
		return rc;
	if (n != c->size)
		return bad_here(c, c->size, "ids", "the statement id index "
		    "holds %llu ids for %llu entries",
		    (unsigned long long)n, (unsigned long long)c->size);
	if ((rc = ledger_cursor_open(txn, LEDGER_DB_CHECKPOINTS, &cur)) != 0)
		return rc;
	for (rc = ledger_cursor_seek(cur, NULL, 0, &k, &kl, NULL, NULL);
	    rc == 0; rc = ledger_cursor_next(cur, &k, &kl, NULL, NULL)) {
		if (kl != 8) {
			ledger_cursor_close(cur);
			return bad_here(c, c->size, "checkpoint", "a checkpoint "
			    "is filed under a key of %zu bytes, not a tree "
			    "size", kl);
		}
		if (c->nckpts == cap) {
			cap = cap ? cap * 2 : 256;
			if ((grown = realloc(c->ckpts, cap *
			    sizeof(*grown))) == NULL) {
				ledger_cursor_close(cur);
				return LEDGER_ENOMEM;
			}
			c->ckpts = grown;
		}
		c->ckpts[c->nckpts++] = ledger_be64_get(k);
	}
	ledger_cursor_close(cur);
	return rc == LEDGER_ENOTFOUND ? 0 : rc;
}

int
ledger_store_check(struct ledger_store *st, const char *origin,
    const struct ledger_pubkey *lkey, unsigned flags, unsigned threads,
    struct ledger_scheck_bad *bad, struct ledger_scheck_stats *stats)
{
	struct check c;
	struct ledger_txn *txn;
	long ncpu;
	int rc;

	if (st == NULL || origin == NULL || lkey == NULL || bad == NULL ||
	    (flags & ~(unsigned)LEDGER_SCHECK_NOLEAVES))
		return LEDGER_EINVAL;
	memset(&c, 0, sizeof(c));
	memset(bad, 0, sizeof(*bad));
	c.st = st;
	c.origin = origin;
	c.lkey = lkey;
	c.flags = flags;
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	c.threads = threads > LEDGER_SCHECK_THREADS_MAX ?
	    LEDGER_SCHECK_THREADS_MAX : threads;
	atomic_init(&c.bad_task, NO_TASK);
	atomic_init(&c.err, 0);
	pthread_mutex_init(&c.mu, NULL);
	if ((rc = ledger_txn_begin(st, 0, &txn)) != 0)
		goto out;
	if ((rc = ledger_meta_size(txn, &c.size)) == 0 &&
	    (rc = run_phase(&c, block_task, c.size / BLOCK +
	    (c.size % BLOCK != 0))) == 0 &&
	    (rc = upper_nodes(&c, txn)) == 0 &&
	    (rc = tails(&c, txn)) == 0) {
		atomic_store(&c.bad_task, NO_TASK);
		rc = run_phase(&c, ckpt_task, c.nckpts);
	}
	ledger_txn_abort(txn);
out:
	if (rc == LEDGER_EPROOF)
		*bad = c.bad;
	c.stats.size = c.size;
	c.stats.threads = c.threads;
	if (stats != NULL)
		*stats = c.stats;
	free(c.ckpts);
	pthread_mutex_destroy(&c.mu);
	return rc;
}
