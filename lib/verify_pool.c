/*
 * verify_pool.c - the parallel half of the verifier (verify_int.h): a pool
 * of threads that prepares a batch of leaves while the caller's thread
 * walks the previous batch in seq order.
 *
 * Preparing a leaf needs nothing from the leaves before it except the
 * public keys of its signers.  A key's public key never changes once
 * registered and key names are never reused, so a key registered at an
 * earlier seq gives the right answer whenever it is looked up; a key the
 * table does not hold yet is left to the ordered pass (VSIG_LATER).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/kinds.h"
#include "ledger/verify.h"
#include "verify_int.h"

/* --- the key table --- */

static uint64_t
name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct vkey *
vkeys_find(struct vkey *slot, size_t cap, const char *name)
{
	size_t i = (size_t)name_hash(name) & (cap - 1);

	while (slot[i].pub.name[0] != '\0' &&
	    strcmp(slot[i].pub.name, name) != 0)
		i = (i + 1) & (cap - 1);
	return &slot[i];
}

static int
vkeys_get(struct vkeys *k, const char *name, struct vkey *out)
{
	struct vkey *s;
	int found = 0;

	pthread_rwlock_rdlock(&k->lk);
	if (k->cap > 0 && (s = vkeys_find(k->slot, k->cap, name))->pub.name[0]) {
		*out = *s;
		found = 1;
	}
	pthread_rwlock_unlock(&k->lk);
	return found;
}

int
vkeys_put(struct vkeys *k, const struct ledger_pubkey *pub,
    uint64_t registered)
{
	struct vkey *slot, *s;
	size_t cap, i;
	int rc = 0;

	if (pub->name[0] == '\0')
		return LEDGER_EINVAL;
	pthread_rwlock_wrlock(&k->lk);
	if ((k->n + 1) * 2 > k->cap) {
		cap = k->cap ? k->cap * 2 : 64;
		if ((slot = calloc(cap, sizeof(*slot))) == NULL) {
			rc = LEDGER_ENOMEM;
			goto out;
		}
		for (i = 0; i < k->cap; i++)
			if (k->slot[i].pub.name[0] != '\0')
				*vkeys_find(slot, cap, k->slot[i].pub.name) =
				    k->slot[i];
		free(k->slot);
		k->slot = slot;
		k->cap = cap;
	}
	s = vkeys_find(k->slot, k->cap, pub->name);
	if (s->pub.name[0] == '\0')
		k->n++;
	s->pub = *pub;
	s->registered = registered;
out:
	pthread_rwlock_unlock(&k->lk);
	return rc;
}

/* --- one leaf --- */

/*
 * The same message ledger_statement_message builds, made in a buffer the
 * thread reuses: no allocation per signature, and the signed part is the
 * stored leaf's own prefix, never serialized again.
 */
int
vsig_check(struct vworker *w, const struct vitem *it, const uint8_t *data,
    size_t i, const struct ledger_pubkey *k)
{
	const struct ledger_statement *st = it->leaf.st;
	size_t n = w->prefix + it->signed_end;

	if (i >= st->nsigs || strcmp(st->sigs[i].key, k->name) != 0 ||
	    it->signed_end == 0 || n + 1 > VMSG_MAX)
		return VSIG_BAD;
	memcpy(w->msg + w->prefix, data, it->signed_end);
	w->msg[n++] = '}';
	return crypto_sign_verify_detached(st->sigs[i].sig,
	    (const uint8_t *)w->msg, n, k->pk) == 0 ? VSIG_OK : VSIG_BAD;
}

static void
prepare(struct vworker *w, struct vbatch *b, struct vitem *it)
{
	struct vpool *p = w->p;
	const struct ledger_statement *st;
	const uint8_t *data = b->arena + it->off;
	struct vkey key;
	size_t i;

	memset(it->sig, VSIG_LATER, sizeof(it->sig));
	if (it->parse_rc != 0)
		return;		/* refused when fed; its hash is set */
	ledger_leaf_hash(data, it->len, it->hash);
	ledger_err_clear(&it->err);
	it->signed_end = 0;
	it->parse_rc = ledger_leaf_parse_lean(data, it->len, &it->leaf,
	    &it->signed_end, &it->err);
	if (it->parse_rc != 0)
		return;
	st = it->leaf.st;
	crypto_generichash(it->idh, sizeof(it->idh), (const uint8_t *)st->id,
	    strlen(st->id), NULL, 0);
	ledger_err_clear(&it->schema);
	it->schema_rc = ledger_kind_validate(st, &it->schema);
	if (p->flags & LEDGER_VERIFY_NOSIG)
		return;
	for (i = 0; i < st->nsigs; i++) {
		if (!vkeys_get(&p->keys, st->sigs[i].key, &key) ||
		    key.registered >= it->seq)
			continue;
		it->sig[i] = (uint8_t)vsig_check(w, it, data, i, &key.pub);
	}
}

/* Claim one slot at a time until the batch is all taken. */
static void
run_items(struct vworker *w, struct vbatch *b)
{
	size_t i;

	ledger_arena_enter(&w->ar[b->id]);
	while ((i = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED)) < b->n)
		prepare(w, b, &b->items[i]);
	ledger_arena_leave();
}

/*
 * The batch's leaves from its last round are dead once the ordered pass
 * has walked them: drop them and start the workers' arenas for this
 * batch over.  Runs in the caller's thread while no worker holds b.
 */
static void
recycle(struct vpool *p, struct vbatch *b)
{
	size_t i;

	for (i = 0; i < VBATCH_LEAVES; i++)
		ledger_leaf_forget(&b->items[i].leaf);
	for (i = 0; i < p->nw; i++)
		ledger_arena_reset(&p->w[i].ar[b->id]);
	b->next = 0;
}

static void *
worker(void *arg)
{
	struct vworker *w = arg;
	struct vpool *p = w->p;
	struct vbatch *b;
	unsigned seen = 0;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->quit && p->gen == seen)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->quit) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		seen = p->gen;
		b = p->job;
		pthread_mutex_unlock(&p->mu);
		run_items(w, b);
		pthread_mutex_lock(&p->mu);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
}

/*
 * A new batch is started only after vpool_wait has seen every worker
 * finish the last one (busy == 0), so each worker wakes exactly once per
 * generation and busy counts right.
 */
void
vpool_start(struct vpool *p, struct vbatch *b)
{
	recycle(p, b);
	if (p->nth == 0) {
		run_items(&p->w[0], b);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->job = b;
	p->busy = p->nth;
	p->gen++;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
}

/*
 * The caller's thread claims what the workers have not taken yet instead
 * of sleeping, so a pool of ncpu - 1 threads and the caller keep every
 * core busy without more runnable threads than cores.
 */
void
vpool_wait(struct vpool *p)
{
	if (p->nth == 0 || p->job == NULL)
		return;
	run_items(&p->w[p->nth], p->job);
	pthread_mutex_lock(&p->mu);
	while (p->busy > 0)
		pthread_cond_wait(&p->done, &p->mu);
	p->job = NULL;
	pthread_mutex_unlock(&p->mu);
}

/* --- life cycle --- */

int
vbatch_init(struct vbatch *b, int id)
{
	memset(b, 0, sizeof(*b));
	b->id = id;
	b->items = calloc(VBATCH_LEAVES, sizeof(*b->items));
	b->arena = malloc(VBATCH_BYTES);
	if (b->items == NULL || b->arena == NULL) {
		vbatch_free(b);
		return LEDGER_ENOMEM;
	}
	return 0;
}

void
vbatch_free(struct vbatch *b)
{
	size_t i;

	if (b->items != NULL)
		for (i = 0; i < VBATCH_LEAVES; i++)
			ledger_leaf_forget(&b->items[i].leaf);
	free(b->items);
	free(b->arena);
	memset(b, 0, sizeof(*b));
}

int
vpool_init(struct vpool *p, const char *origin, unsigned flags,
    unsigned threads)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->origin = origin;
	p->flags = flags;
	pthread_rwlock_init(&p->keys.lk, NULL);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	/* One buffer per worker and one for the caller's thread. */
	if ((p->w = calloc(threads + 1, sizeof(*p->w))) == NULL)
		return LEDGER_ENOMEM;
	p->nw = threads + 1;
	for (i = 0; i <= threads; i++) {
		p->w[i].p = p;
		ledger_arena_init(&p->w[i].ar[0], 0);
		ledger_arena_init(&p->w[i].ar[1], 0);
		if ((p->w[i].msg = malloc(VMSG_MAX)) == NULL)
			return LEDGER_ENOMEM;
		p->w[i].prefix = (size_t)snprintf(p->w[i].msg, VMSG_MAX,
		    "%s%s\n", LEDGER_STATEMENT_DOMAIN, origin);
	}
	if (threads == 0)
		return 0;
	if ((p->th = calloc(threads, sizeof(*p->th))) == NULL)
		return LEDGER_ENOMEM;
	for (i = 0; i < threads; i++) {
		if (pthread_create(&p->th[i], NULL, worker, &p->w[i]) != 0)
			return LEDGER_EIO;
		p->nth++;
	}
	return 0;
}

void
vpool_destroy(struct vpool *p)
{
	unsigned i;

	vpool_wait(p);
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	free(p->th);
	if (p->w != NULL)
		for (i = 0; i < p->nw; i++) {
			free(p->w[i].msg);
			ledger_arena_destroy(&p->w[i].ar[0]);
			ledger_arena_destroy(&p->w[i].ar[1]);
		}
	free(p->w);
	free(p->keys.slot);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->go);
	pthread_mutex_destroy(&p->mu);
	pthread_rwlock_destroy(&p->keys.lk);
}
