/*
 * verify.c - the streaming ledger verifier (verify.h): feeding, the
 * ordered pass and the checkpoints.  The pool that prepares batches in
 * parallel is verify_pool.c.
 *
 * Leaves are copied into a batch.  When it is full, the pool parses and
 * hashes every leaf, validates its schema and verifies the author
 * signatures whose keys are already known; meanwhile the caller's thread
 * walks the batch before it in seq order for everything that depends on
 * the order: chain, time, ids, key validity (ledger_registry_check without
 * crypto, then the crypto the pool could not do), the procedure's rules
 * (ledger_rules_apply on an in-memory rule state), registry updates, the
 * tree, and the checkpoints waiting for the size just reached.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/registry.h"
#include "ledger/rules.h"
#include "ledger/statement.h"
#include "ledger/table.h"
#include "ledger/verify.h"
#include "verify_int.h"

#define PENDING_MAX	1024		/* checkpoints waiting for their size */

struct pending {
	uint64_t	 size;
	int		 trusted;
	char		*note;
	size_t		 len;
};

/* Set of statement ids, by a 128-bit hash; open addressing. */
struct idset {
	uint8_t		(*slot)[VID_HASH_BYTES];
	size_t		 cap, n;
};

struct ledger_verifier {
	char			 origin[LEDGER_KEYNAME_MAX + 1];
	struct ledger_pubkey	 lkey;
	unsigned		 flags;
	ledger_vreport		 report;
	void			*report_ctx;
	ledger_vnode_reader	 nodes;
	void			*nodes_ctx;

	struct ledger_registry	 reg;
	struct ledger_rulestore	 rules;
	struct idset		 ids;
	struct ledger_frontier	 fr;
	uint8_t			 last_hash[LEDGER_HASH_BYTES];
	int64_t			 last_time;
	uint64_t		 fed;		/* leaves fed */
	uint64_t		 at;		/* seq in the ordered pass */

	struct vpool		 pool;
	struct vbatch		 b[2];
	int			 cur;		/* batch being filled */
	int			 prep;		/* batch in the pool, or -1 */

	struct pending		 pend[PENDING_MAX];
	size_t			 npend;
	char			*latest;	/* last verified checkpoint */
	size_t			 latest_len;
	uint64_t		 latest_size;

	struct ledger_vproblem	 first;
	struct ledger_vstats	 st;
	int			 stopped;
	int			 error;		/* a hard error stopped us */
};

/* --- problems --- */

static void
vproblem(struct ledger_verifier *v, uint64_t seq, const char *code,
    const char *fmt, va_list ap)
{
	struct ledger_vproblem p;

	if (v->stopped)
		return;
	memset(&p, 0, sizeof(p));
	p.seq = seq;
	p.code = code;
	vsnprintf(p.msg, sizeof(p.msg), fmt, ap);
	if (v->st.problems++ == 0)
		v->first = p;
	if (v->report != NULL)
		v->report(v->report_ctx, &p);
	if (!(v->flags & LEDGER_VERIFY_ALL))
		v->stopped = 1;
}

static void __attribute__((format(printf, 4, 5)))
problem(struct ledger_verifier *v, uint64_t seq, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vproblem(v, seq, code, fmt, ap);
	va_end(ap);
}

static void
hex(const uint8_t h[LEDGER_HASH_BYTES], char out[2 * LEDGER_HASH_BYTES + 1])
{
	ledger_hex_encode(h, LEDGER_HASH_BYTES, out);
}

/* --- the id set --- */

static int
idset_resize(struct idset *s, size_t cap)
{
	uint8_t (*slot)[VID_HASH_BYTES], zero[VID_HASH_BYTES] = { 0 };
	size_t i, j;

	if (cap > SIZE_MAX / VID_HASH_BYTES ||
	    (slot = ledger_table_alloc(cap * VID_HASH_BYTES)) == NULL)
		return LEDGER_ENOMEM;
	for (i = 0; i < s->cap; i++) {
		uint64_t h;

		if (memcmp(s->slot[i], zero, VID_HASH_BYTES) == 0)
			continue;
		memcpy(&h, s->slot[i], sizeof(h));
		for (j = h & (cap - 1); memcmp(slot[j], zero,
		    VID_HASH_BYTES) != 0; j = (j + 1) & (cap - 1))
			;
		memcpy(slot[j], s->slot[i], VID_HASH_BYTES);
	}
	ledger_table_free(s->slot, s->cap * VID_HASH_BYTES);
	s->slot = slot;
	s->cap = cap;
	return 0;
}

/* Room for n ids: the table is never more than three quarters full. */
static int
idset_reserve(struct idset *s, size_t n)
{
	size_t cap = s->cap ? s->cap : 4096;

	while (n > cap / 4 * 3)
		cap *= 2;
	return cap == s->cap ? 0 : idset_resize(s, cap);
}

/* 1 if the id (by its hash) was already in the set, 0 if added. */
static int
idset_add(struct idset *s, const uint8_t idh[VID_HASH_BYTES])
{
	uint8_t key[VID_HASH_BYTES], zero[VID_HASH_BYTES] = { 0 };
	uint64_t h;
	size_t j;
	int rc;

	if ((rc = idset_reserve(s, s->n + 1)) != 0)
		return rc;
	memcpy(key, idh, sizeof(key));
	key[0] |= 1;	/* never the all-zero empty marker */
	memcpy(&h, key, sizeof(h));
	for (j = h & (s->cap - 1); memcmp(s->slot[j], zero,
	    VID_HASH_BYTES) != 0; j = (j + 1) & (s->cap - 1))
		if (memcmp(s->slot[j], key, VID_HASH_BYTES) == 0)
			return 1;
	memcpy(s->slot[j], key, VID_HASH_BYTES);
	s->n++;
	return 0;
}

/* --- ordered part --- */

static int
node_check(void *ctx, unsigned level, uint64_t index,
    const uint8_t hash[LEDGER_HASH_BYTES])
{
	struct ledger_verifier *v = ctx;
	uint8_t stored[LEDGER_HASH_BYTES];
	char a[2 * LEDGER_HASH_BYTES + 1], b[2 * LEDGER_HASH_BYTES + 1];
	int rc;

	if (v->nodes == NULL || v->stopped)
		return 0;
	rc = v->nodes(v->nodes_ctx, level, index, stored);
	if (rc == LEDGER_VERIFY_SKIP)
		return 0;
	if (rc == LEDGER_ENOTFOUND) {
		problem(v, v->at, "node", "Merkle node (level %u, index %llu) "
		    "is missing from the store", level,
		    (unsigned long long)index);
		return 0;
	}
	if (rc != 0)
		return rc;
	v->st.nodes++;
	if (memcmp(stored, hash, LEDGER_HASH_BYTES) != 0) {
		hex(stored, a);
		hex(hash, b);
		problem(v, v->at, "node", "stored Merkle node (level %u, "
		    "index %llu) is %s, the entries give %s", level,
		    (unsigned long long)index, a, b);
	}
	return 0;
}

static void
check_ckpt(struct ledger_verifier *v, struct pending *p)
{
	struct ledger_checkpoint c;
	uint8_t root[LEDGER_HASH_BYTES];
	char a[LEDGER_HASH_B64_BYTES], b[LEDGER_HASH_B64_BYTES], what[64];
	int rc;

	snprintf(what, sizeof(what), "%scheckpoint at size %llu",
	    p->trusted ? "trusted " : "", (unsigned long long)p->size);
	rc = ledger_checkpoint_open(p->note, p->len, &v->lkey, &c);
	if (rc == LEDGER_ESIG) {
		problem(v, p->size, "checkpoint", "%s is not signed by the "
		    "ledger key %s (its signature is missing or does not "
		    "verify)", what, v->lkey.name);
		return;
	}
	if (rc != 0) {
		problem(v, p->size, "checkpoint", "%s is not a valid signed "
		    "checkpoint for origin %s (%s)", what, v->lkey.name,
		    ledger_strerror(rc));
		return;
	}
	if (strcmp(c.origin, v->origin) != 0 || c.size != p->size) {
		problem(v, p->size, "checkpoint", "%s says origin %s and size "
		    "%llu, expected %s and %llu", what, c.origin,
		    (unsigned long long)c.size, v->origin,
		    (unsigned long long)p->size);
		return;
	}
	ledger_frontier_root(&v->fr, root);
	if (memcmp(root, c.root, LEDGER_HASH_BYTES) != 0) {
		ledger_hash_b64(c.root, a);
		ledger_hash_b64(root, b);
		if (p->trusted)
			problem(v, p->size, "consistency", "%s has root %s but "
			    "the ledger's first %llu entries give %s: the "
			    "history was rewritten (a fork)", what, a,
			    (unsigned long long)p->size, b);
		else
			problem(v, p->size, "tree", "%s signs root %s but the "
			    "entries give %s", what, a, b);
		return;
	}
	v->st.checkpoints++;
	if (v->latest == NULL || p->size >= v->latest_size) {
		free(v->latest);
		v->latest = p->note;
		v->latest_len = p->len;
		v->latest_size = p->size;
		p->note = NULL;
	}
}

/* Check the checkpoints waiting for the current size (pend is sorted). */
static void
check_pending(struct ledger_verifier *v)
{
	size_t i, n = 0;

	while (n < v->npend && v->pend[n].size == v->fr.size)
		n++;
	for (i = 0; i < n; i++) {
		check_ckpt(v, &v->pend[i]);
		free(v->pend[i].note);
	}
	memmove(v->pend, v->pend + n, (v->npend - n) * sizeof(v->pend[0]));
	v->npend -= n;
}

static void
leaf_err(struct ledger_verifier *v, uint64_t seq, const char *code,
    const struct ledger_err *e)
{
	problem(v, seq, code, "%s%s%s (%s)", e->path, e->path[0] ? ": " : "",
	    e->msg[0] ? e->msg : ledger_strerror(e->code), e->rule);
}

/* A key entry registered a key: let the pool verify its signatures. */
static int
share_key(struct ledger_verifier *v, const struct ledger_statement *st,
    uint64_t seq)
{
	struct ledger_keyrec rec;
	json_t *name;

	if (strcmp(st->kind, "key") != 0 ||
	    json_object_get(st->body, "public_key") == NULL ||
	    !json_is_string(name = json_object_get(st->body, "name")) ||
	    v->reg.get(v->reg.ctx, json_string_value(name), &rec) != 0 ||
	    rec.registered != seq)
		return 0;
	return vkeys_put(&v->pool.keys, &rec.pub, seq);
}

/* Everything about one leaf that depends on the leaves before it. */
static int
replay(struct ledger_verifier *v, struct vitem *it, const uint8_t *data)
{
	const struct ledger_statement *st = it->leaf.st;
	struct ledger_keyrec rec;
	struct ledger_err err;
	char a[2 * LEDGER_HASH_BYTES + 1], b[2 * LEDGER_HASH_BYTES + 1];
	char ta[LEDGER_TIME_BYTES], tb[LEDGER_TIME_BYTES];
	uint64_t seq = it->seq;
	size_t i;
	int rc, authorized;

	if (it->leaf.seq != seq)
		problem(v, seq, "seq", "the entry stored at seq %llu says "
		    "seq %llu", (unsigned long long)seq,
		    (unsigned long long)it->leaf.seq);
	if (memcmp(it->leaf.prev, v->last_hash, LEDGER_HASH_BYTES) != 0) {
		hex(it->leaf.prev, a);
		hex(v->last_hash, b);
		problem(v, seq, "prev", "prev is %s but %s %s", a,
		    seq == 0 ? "entry 0 needs" : "the leaf hash of the "
		    "entry before is", b);
	}
	if (seq > 0 && it->leaf.time_ms < v->last_time) {
		ledger_time_format(it->leaf.time_ms, ta);
		ledger_time_format(v->last_time, tb);
		problem(v, seq, "time", "time %s is before the previous "
		    "entry's %s", ta, tb);
	}
	if ((rc = idset_add(&v->ids, it->idh)) < 0)
		return rc;
	if (rc == 1)
		problem(v, seq, "id", "statement id \"%s\" was already used by "
		    "an earlier entry", st->id);
	ledger_err_clear(&err);
	rc = ledger_registry_check(&v->reg, st, seq, it->leaf.time_ms,
	    v->origin, 0, &err);
	if (rc == LEDGER_EAUTH || rc == LEDGER_ESIG)
		leaf_err(v, seq, rc == LEDGER_ESIG ? "signature" : "key", &err);
	else if (rc != 0)
		return rc;
	authorized = rc == 0;
	for (i = 0; rc == 0 && i < st->nsigs &&
	    !(v->flags & LEDGER_VERIFY_NOSIG); i++) {
		if (it->sig[i] == VSIG_LATER) {
			if ((rc = v->reg.get(v->reg.ctx, st->sigs[i].key,
			    &rec)) != 0)
				return rc;
			it->sig[i] = (uint8_t)vsig_check(
			    &v->pool.w[v->pool.nth], it, data, i, &rec.pub);
		}
		v->st.sigs++;
		if (it->sig[i] == VSIG_BAD)
			problem(v, seq, "signature", "signatures[%zu]: the "
			    "signature by \"%s\" does not verify over this "
			    "statement and origin (sig.invalid)", i,
			    st->sigs[i].key);
	}
	/* The daemon's order: registry, schema, rules, registry update. */
	if (it->schema_rc != 0)
		leaf_err(v, seq, "schema", &it->schema);
	else if (authorized) {
		ledger_err_clear(&err);
		rc = ledger_rules_apply(&v->rules, &v->reg, st, seq,
		    it->leaf.time_ms, &err);
		if (rc == LEDGER_ERULE || rc == LEDGER_EAUTH ||
		    rc == LEDGER_ESCHEMA || rc == LEDGER_EINVAL)
			leaf_err(v, seq, "rule", &err);
		else if (rc != 0)
			return rc;
	}
	/* Applied even after a refusal, so --all does not cascade. */
	ledger_err_clear(&err);
	rc = ledger_registry_apply(&v->reg, st, seq, &err);
	if (rc == LEDGER_ENOMEM || rc == LEDGER_EIO || rc == LEDGER_ESTORE)
		return rc;
	if (rc != 0)
		leaf_err(v, seq, "key", &err);
	else if ((rc = share_key(v, st, seq)) != 0)
		return rc;
	v->last_time = it->leaf.time_ms;
	return 0;
}

static int
ordered_pass(struct ledger_verifier *v, struct vbatch *b)
{
	struct vitem *it;
	size_t i;
	int rc = 0;

	for (i = 0; i < b->n && rc == 0 && !v->stopped; i++) {
		it = &b->items[i];
		check_pending(v);
		v->at = it->seq;
		if (it->parse_rc != 0)
			leaf_err(v, it->seq, "encoding", &it->err);
		else if ((rc = replay(v, it, b->arena + it->off)) != 0)
			break;
		v->st.entries++;
		memcpy(v->last_hash, it->hash, LEDGER_HASH_BYTES);
		rc = ledger_frontier_append(&v->fr, it->hash, node_check, v);
	}
	if (rc == 0 && !v->stopped)
		check_pending(v);
	b->n = 0;
	b->len = 0;
	return rc;
}

/*
 * Hand the batch being filled to the pool and walk the one the pool
 * prepared before it; the two overlap.
 */
static int
advance(struct ledger_verifier *v)
{
	int p = v->prep, rc = 0;

	if (p >= 0)
		vpool_wait(&v->pool);
	v->prep = -1;
	if (!v->stopped && v->b[v->cur].n > 0) {
		vpool_start(&v->pool, &v->b[v->cur]);
		v->prep = v->cur;
	} else {
		v->b[v->cur].n = 0;
		v->b[v->cur].len = 0;
	}
	if (p >= 0)
		rc = ordered_pass(v, &v->b[p]);
	if (v->prep >= 0)
		v->cur = 1 - v->cur;
	if (rc != 0)
		v->error = rc;
	return rc;
}

int
ledger_verifier_flush(struct ledger_verifier *v)
{
	int rc;

	if (v->error)
		return v->error;
	/* Twice: the batch in the pool, then the one being filled. */
	if ((rc = advance(v)) != 0 || (rc = advance(v)) != 0)
		return rc;
	if (!v->stopped)
		check_pending(v);
	return 0;
}

/* --- feeding --- */

int
ledger_verifier_leaf(struct ledger_verifier *v, uint64_t seq,
    const void *data, size_t len)
{
	struct vbatch *b = &v->b[v->cur];
	struct vitem *it;
	int rc;

	if (v->error)
		return v->error;
	if (seq != v->fed)
		return LEDGER_EINVAL;
	if (v->stopped)
		return 0;
	if (b->n == VBATCH_LEAVES || b->len + len > VBATCH_BYTES) {
		if ((rc = advance(v)) != 0)
			return rc;
		b = &v->b[v->cur];
	}
	/* it->leaf may hold a leaf of the slot's last batch: recycle drops it. */
	it = &b->items[b->n++];
	it->seq = seq;
	it->off = b->len;
	it->len = 0;
	it->parse_rc = 0;
	it->schema_rc = 0;
	v->fed++;
	if (len > LEDGER_LEAF_MAX) {
		/* Not copied; the tree still needs its hash. */
		ledger_leaf_hash(data, len, it->hash);
		it->parse_rc = ledger_errf(&it->err, LEDGER_ETOOBIG, "",
		    "leaf-size", "leaf of %zu bytes is over %d", len,
		    LEDGER_LEAF_MAX);
		return 0;
	}
	it->len = len;
	memcpy(b->arena + b->len, data, len);
	b->len += len;
	return 0;
}

/* Size of the checkpoint text of a note, without checking signatures. */
static int
note_size(const char *note, size_t len, uint64_t *size)
{
	struct ledger_checkpoint c;
	size_t i;

	for (i = len; i >= 2; i--)
		if (note[i - 1] == '\n' && note[i - 2] == '\n')
			break;
	if (i < 2 || ledger_checkpoint_parse(note, i - 1, &c) != 0)
		return LEDGER_ENOTE;
	*size = c.size;
	return 0;
}

int
ledger_verifier_checkpoint(struct ledger_verifier *v, const char *note,
    size_t len, uint64_t size, int trusted)
{
	struct pending p;
	size_t i;
	int rc;

	if (v->error)
		return v->error;
	if (size == LEDGER_SEQ_ANY && note_size(note, len, &size) != 0) {
		if ((rc = ledger_verifier_flush(v)) != 0)
			return rc;
		problem(v, v->fed, "checkpoint", "the %scheckpoint is not a "
		    "signed checkpoint note", trusted ? "trusted " : "");
		return 0;
	}
	if (size < v->fed)
		return LEDGER_EINVAL;
	if (v->npend == PENDING_MAX && (rc = ledger_verifier_flush(v)) != 0)
		return rc;
	if (v->npend == PENDING_MAX)
		return LEDGER_ENOMEM;
	memset(&p, 0, sizeof(p));
	p.size = size;
	p.trusted = trusted != 0;
	p.len = len;
	if ((p.note = malloc(len + 1)) == NULL)
		return LEDGER_ENOMEM;
	memcpy(p.note, note, len);
	p.note[len] = '\0';
	/* Keep pend sorted by size; a stored one before a trusted one. */
	for (i = v->npend; i > 0 && v->pend[i - 1].size > size; i--)
		v->pend[i] = v->pend[i - 1];
	v->pend[i] = p;
	v->npend++;
	return 0;
}

int
ledger_verifier_problem(struct ledger_verifier *v, uint64_t seq,
    const char *code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if ((rc = ledger_verifier_flush(v)) != 0)
		return rc;
	va_start(ap, fmt);
	vproblem(v, seq, code, fmt, ap);
	va_end(ap);
	return 0;
}

int
ledger_verifier_finish(struct ledger_verifier *v)
{
	size_t i;
	int rc;

	if ((rc = ledger_verifier_flush(v)) != 0)
		return rc;
	if (!v->stopped)
		check_pending(v);
	for (i = 0; i < v->npend; i++) {
		if (v->pend[i].trusted)
			problem(v, v->pend[i].size, "consistency", "the trusted "
			    "checkpoint at size %llu is past the ledger's %llu "
			    "entries: the ledger shrank or its history was "
			    "rewritten", (unsigned long long)v->pend[i].size,
			    (unsigned long long)v->fr.size);
		else
			problem(v, v->pend[i].size, "checkpoint", "a checkpoint "
			    "at size %llu covers entries that are not there "
			    "(the ledger has %llu)",
			    (unsigned long long)v->pend[i].size,
			    (unsigned long long)v->fr.size);
		free(v->pend[i].note);
	}
	v->npend = 0;
	return 0;
}

/* --- life cycle and queries --- */

int
ledger_verifier_new(const char *origin, const struct ledger_pubkey *lkey,
    unsigned threads, unsigned flags, struct ledger_verifier **out)
{
	struct ledger_verifier *v;
	long ncpu;
	int rc;

	*out = NULL;
	if (origin == NULL || lkey == NULL ||
	    strlen(origin) > LEDGER_KEYNAME_MAX || sodium_init() < 0)
		return LEDGER_EINVAL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return LEDGER_ENOMEM;
	snprintf(v->origin, sizeof(v->origin), "%s", origin);
	v->lkey = *lkey;
	v->flags = flags;
	v->prep = -1;
	ledger_frontier_init(&v->fr);
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	if (threads > LEDGER_VERIFY_THREADS_MAX)
		threads = LEDGER_VERIFY_THREADS_MAX;
	/*
	 * One thread prepares and walks in turn.  With N, N - 1 pool threads
	 * prepare a batch while the caller's thread walks the one before,
	 * then helps prepare what is left: N threads busy on N cores (one
	 * more thread than cores made each entry cost 10-15 % more CPU).
	 */
	if ((rc = vpool_init(&v->pool, v->origin, flags,
	    threads > 1 ? threads - 1 : 0)) != 0 ||
	    (rc = vbatch_init(&v->b[0], 0)) != 0 ||
	    (rc = vbatch_init(&v->b[1], 1)) != 0 ||
	    (rc = ledger_memreg_new(&v->reg)) != 0 ||
	    (rc = ledger_rulestore_mem_new(&v->rules)) != 0) {
		ledger_verifier_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

void
ledger_verifier_expect(struct ledger_verifier *v, uint64_t entries)
{
	if (entries > SIZE_MAX / 64)
		return;
	(void)ledger_rulestore_mem_reserve(&v->rules, (size_t)entries);
	(void)idset_reserve(&v->ids, (size_t)entries + 1);	/* one per entry */
}

void
ledger_verifier_free(struct ledger_verifier *v)
{
	size_t i;

	if (v == NULL)
		return;
	vpool_destroy(&v->pool);
	vbatch_free(&v->b[0]);
	vbatch_free(&v->b[1]);
	for (i = 0; i < v->npend; i++)
		free(v->pend[i].note);
	free(v->latest);
	ledger_table_free(v->ids.slot, v->ids.cap * VID_HASH_BYTES);
	ledger_rulestore_mem_free(&v->rules);
	ledger_memreg_free(&v->reg);
	free(v);
}

void
ledger_verifier_set_report(struct ledger_verifier *v, ledger_vreport fn,
    void *ctx)
{
	v->report = fn;
	v->report_ctx = ctx;
}

void
ledger_verifier_set_nodes(struct ledger_verifier *v, ledger_vnode_reader fn,
    void *ctx)
{
	v->nodes = fn;
	v->nodes_ctx = ctx;
}

int
ledger_verifier_ok(const struct ledger_verifier *v)
{
	return v->st.problems == 0 && v->error == 0;
}

int
ledger_verifier_stopped(const struct ledger_verifier *v)
{
	return v->stopped || v->error != 0;
}

const struct ledger_vproblem *
ledger_verifier_first(const struct ledger_verifier *v)
{
	return v->st.problems ? &v->first : NULL;
}

void
ledger_verifier_stats(const struct ledger_verifier *v,
    struct ledger_vstats *s)
{
	*s = v->st;
	ledger_frontier_root(&v->fr, s->root);
}

int
ledger_verifier_latest(const struct ledger_verifier *v, const char **note,
    size_t *len, uint64_t *size)
{
	if (v->latest == NULL)
		return LEDGER_ENOTFOUND;
	*note = v->latest;
	*len = v->latest_len;
	*size = v->latest_size;
	return 0;
}
