/*
 * rulestore.c - the two homes of rule state (rules.h), LMDB for the
 * daemon and a hash table in memory for verifiers that replay a ledger,
 * and the encoding of the records kept there (layout: rules.c).
 */
#include <stdlib.h>
#include <string.h>

#include "ledger/store.h"
#include "ledger/table.h"
#include "rules_int.h"

#define REC_VERSION	1
#define REC_MAX		2048	/* bytes; both records fit well below */

#define MEM_SLOTS_MIN	1024
#define MEM_SLOTS_MAX	(1UL << 30)	/* hard cap: ~half as many records */

static int
txn_get(void *ctx, const void *key, size_t klen, void **val, size_t *vlen)
{
	const void *v;
	size_t n;
	int rc;

	if ((rc = ledger_db_get(ctx, LEDGER_DB_RULES, key, klen, &v, &n)) != 0)
		return rc;
	/* One spare byte, so an empty value still has a distinct pointer. */
	if ((*val = malloc(n + 1)) == NULL)
		return LEDGER_ENOMEM;
	memcpy(*val, v, n);
	*vlen = n;
	return 0;
}

static int
txn_put(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	return ledger_db_put(ctx, LEDGER_DB_RULES, key, klen, val, vlen, 0);
}

void
ledger_rulestore_txn(struct ledger_rulestore *rs, struct ledger_txn *txn)
{
	rs->ctx = txn;
	rs->get = txn_get;
	rs->put = txn_put;
}

/*
 * In memory: open addressing with linear probing.  Records are never
 * deleted (rule state only grows), so no tombstones are needed.
 */
struct slot {
	uint64_t	 hash;
	uint8_t		*key;	/* key bytes, then value bytes */
	size_t		 klen, vlen;
};

struct memstore {
	struct slot	*slots;
	size_t		 nslots, used;
};

static uint64_t
fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct slot *
mem_find(struct memstore *m, const void *key, size_t klen, uint64_t h)
{
	size_t i = (size_t)h & (m->nslots - 1);

	for (;; i = (i + 1) & (m->nslots - 1)) {
		struct slot *s = &m->slots[i];

		if (s->key == NULL || (s->hash == h && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0))
			return s;
	}
}

/* Rehash into to slots (a power of two above twice the records). */
static int
mem_resize(struct memstore *m, size_t to)
{
	struct slot *old = m->slots, *s;
	size_t n = m->nslots, i;

	if (to > MEM_SLOTS_MAX || to > SIZE_MAX / sizeof(*m->slots))
		return LEDGER_ENOMEM;
	if ((m->slots = ledger_table_alloc(to * sizeof(*m->slots))) == NULL) {
		m->slots = old;
		return LEDGER_ENOMEM;
	}
	m->nslots = to;
	for (i = 0; i < n; i++) {
		if (old[i].key == NULL)
			continue;
		s = mem_find(m, old[i].key, old[i].klen, old[i].hash);
		*s = old[i];
	}
	ledger_table_free(old, n * sizeof(*old));
	return 0;
}

static int
mem_grow(struct memstore *m)
{
	return mem_resize(m, m->nslots * 2);
}

int
ledger_rulestore_mem_reserve(struct ledger_rulestore *rs, size_t records)
{
	struct memstore *m = rs->ctx;
	size_t to = m->nslots;

	if (records > MEM_SLOTS_MAX / 2)
		return LEDGER_ENOMEM;
	while ((records + 1) * 2 > to)
		to *= 2;
	return to == m->nslots ? 0 : mem_resize(m, to);
}

static int
mem_get(void *ctx, const void *key, size_t klen, void **val, size_t *vlen)
{
	struct memstore *m = ctx;
	struct slot *s = mem_find(m, key, klen, fnv1a(key, klen));

	if (s->key == NULL)
		return LEDGER_ENOTFOUND;
	if ((*val = malloc(s->vlen + 1)) == NULL)
		return LEDGER_ENOMEM;
	memcpy(*val, s->key + s->klen, s->vlen);
	*vlen = s->vlen;
	return 0;
}

static int
mem_put(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	struct memstore *m = ctx;
	uint64_t h = fnv1a(key, klen);
	struct slot *s;
	uint8_t *rec;
	int rc;

	if (klen == 0 || klen > 511 || vlen > SIZE_MAX / 2)
		return LEDGER_EINVAL;
	if ((m->used + 1) * 2 > m->nslots && (rc = mem_grow(m)) != 0)
		return rc;
	if ((rec = malloc(klen + vlen + 1)) == NULL)
		return LEDGER_ENOMEM;
	memcpy(rec, key, klen);
	memcpy(rec + klen, val, vlen);
	s = mem_find(m, key, klen, h);
	if (s->key == NULL)
		m->used++;
	free(s->key);
	s->hash = h;
	s->key = rec;
	s->klen = klen;
	s->vlen = vlen;
	return 0;
}

int
ledger_rulestore_mem_new(struct ledger_rulestore *rs)
{
	struct memstore *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return LEDGER_ENOMEM;
	if ((m->slots = ledger_table_alloc(MEM_SLOTS_MIN *
	    sizeof(*m->slots))) == NULL) {
		free(m);
		return LEDGER_ENOMEM;
	}
	m->nslots = MEM_SLOTS_MIN;
	rs->ctx = m;
	rs->get = mem_get;
	rs->put = mem_put;
	return 0;
}

void
ledger_rulestore_mem_free(struct ledger_rulestore *rs)
{
	struct memstore *m = rs->ctx;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nslots; i++)
		free(m->slots[i].key);
	ledger_table_free(m->slots, m->nslots * sizeof(*m->slots));
	free(m);
	rs->ctx = NULL;
}

/* Record encoding. */
struct wbuf {
	uint8_t	b[REC_MAX];
	size_t	n;
};

struct rbuf {
	const uint8_t	*p;
	size_t		 n, off;
	int		 bad;
};

static void
w_u8(struct wbuf *w, unsigned v)
{
	if (w->n < sizeof(w->b))
		w->b[w->n++] = (uint8_t)v;
}

static void
w_u64(struct wbuf *w, uint64_t v)
{
	int i;

	for (i = 56; i >= 0; i -= 8)
		w_u8(w, (unsigned)(v >> i) & 0xff);
}

static void
w_str(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);

	w_u8(w, (unsigned)n);
	if (w->n + n <= sizeof(w->b)) {
		memcpy(w->b + w->n, s, n);
		w->n += n;
	}
}

static unsigned
r_u8(struct rbuf *r)
{
	if (r->off >= r->n) {
		r->bad = 1;
		return 0;
	}
	return r->p[r->off++];
}

static uint64_t
r_u64(struct rbuf *r)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | r_u8(r);
	return v;
}

static void
r_str(struct rbuf *r, char *out, size_t cap)
{
	size_t n = r_u8(r);

	if (r->bad || n >= cap || r->n - r->off < n) {
		r->bad = 1;
		out[0] = '\0';
		return;
	}
	memcpy(out, r->p + r->off, n);
	out[n] = '\0';
	r->off += n;
}

static void
entry_encode(const struct entry *e, struct wbuf *w)
{
	size_t i;

	w->n = 0;
	w_u8(w, REC_VERSION);
	w_u8(w, e->kind);
	w_u64(w, e->seq);
	w_str(w, e->ocid);
	w_str(w, e->contract);
	w_u8(w, e->nsigners);
	for (i = 0; i < e->nsigners; i++) {
		w_str(w, e->signers[i].role);
		w_str(w, e->signers[i].org);
	}
	w_u8(w, e->passed);
	w_u64(w, (uint64_t)e->held_at);
	w_u64(w, e->amount);
}

static int
entry_decode(const void *p, size_t n, struct entry *e)
{
	struct rbuf r = { p, n, 0, 0 };
	size_t i;

	memset(e, 0, sizeof(*e));
	if (r_u8(&r) != REC_VERSION)
		return LEDGER_ESTORE;
	e->kind = (uint8_t)r_u8(&r);
	e->seq = r_u64(&r);
	r_str(&r, e->ocid, sizeof(e->ocid));
	r_str(&r, e->contract, sizeof(e->contract));
	e->nsigners = (uint8_t)r_u8(&r);
	if (e->nsigners > LEDGER_SIGS_MAX)
		return LEDGER_ESTORE;
	for (i = 0; i < e->nsigners; i++) {
		r_str(&r, e->signers[i].role, sizeof(e->signers[i].role));
		r_str(&r, e->signers[i].org, sizeof(e->signers[i].org));
	}
	e->passed = (uint8_t)r_u8(&r);
	e->held_at = (int64_t)r_u64(&r);
	e->amount = r_u64(&r);
	if (r.bad || r.off != r.n || e->kind == K_NONE || e->kind > K_CLAWBACK)
		return LEDGER_ESTORE;
	return 0;
}

static void
contract_encode(const struct contract *c, struct wbuf *w)
{
	size_t i;

	w->n = 0;
	w_u8(w, REC_VERSION);
	w_str(w, c->stmt);
	w_str(w, c->ocid);
	w_str(w, c->currency);
	w_str(w, c->buyer);
	w_str(w, c->supplier);
	w_u8(w, c->status);
	w_u64(w, (uint64_t)c->signed_at);
	w_u64(w, c->value);
	w_u64(w, c->disbursed);
	w_u64(w, c->demanded);
	w_u64(w, c->received);
	w_u64(w, c->paid);
	w_u8(w, c->ntranches);
	for (i = 0; i < c->ntranches; i++) {
		w_u8(w, c->tr[i].no);
		w_u8(w, c->tr[i].cond);
	}
	w_u8(w, c->highest);
	for (i = PH_INITIAL; i <= PH_FINAL; i++)
		w_u8(w, c->verdict[i]);
	w_u8(w, c->maxphase);
}

static int
contract_decode(const void *p, size_t n, struct contract *c)
{
	struct rbuf r = { p, n, 0, 0 };
	size_t i;

	memset(c, 0, sizeof(*c));
	if (r_u8(&r) != REC_VERSION)
		return LEDGER_ESTORE;
	r_str(&r, c->stmt, sizeof(c->stmt));
	r_str(&r, c->ocid, sizeof(c->ocid));
	r_str(&r, c->currency, sizeof(c->currency));
	r_str(&r, c->buyer, sizeof(c->buyer));
	r_str(&r, c->supplier, sizeof(c->supplier));
	c->status = (uint8_t)r_u8(&r);
	c->signed_at = (int64_t)r_u64(&r);
	c->value = r_u64(&r);
	c->disbursed = r_u64(&r);
	c->demanded = r_u64(&r);
	c->received = r_u64(&r);
	c->paid = r_u64(&r);
	c->ntranches = (uint8_t)r_u8(&r);
	if (c->ntranches > LEDGER_TRANCHES_MAX)
		return LEDGER_ESTORE;
	for (i = 0; i < c->ntranches; i++) {
		c->tr[i].no = (uint8_t)r_u8(&r);
		c->tr[i].cond = (uint8_t)r_u8(&r);
	}
	c->highest = (uint8_t)r_u8(&r);
	for (i = PH_INITIAL; i <= PH_FINAL; i++)
		c->verdict[i] = (uint8_t)r_u8(&r);
	c->maxphase = (uint8_t)r_u8(&r);
	if (r.bad || r.off != r.n || c->received > c->demanded ||
	    c->received > c->disbursed)
		return LEDGER_ESTORE;
	return 0;
}

static size_t
make_key(uint8_t *key, char tag, const char *id)
{
	size_t n = strlen(id);

	key[0] = (uint8_t)tag;
	key[1] = ':';
	memcpy(key + 2, id, n);
	return n + 2;
}

int
rules_load_entry(struct apply *a, const char *id, struct entry *e)
{
	uint8_t key[2 + LEDGER_ID_MAX];
	void *v;
	size_t vlen;
	int rc;

	if (strlen(id) > LEDGER_ID_MAX)
		return LEDGER_ENOTFOUND;
	rc = a->rs->get(a->rs->ctx, key, make_key(key, 's', id), &v, &vlen);
	if (rc != 0)
		return rc;
	rc = entry_decode(v, vlen, e);
	free(v);
	return rc;
}

int
rules_load_contract(struct apply *a, const char *id)
{
	uint8_t key[2 + LEDGER_ID_MAX];
	void *v;
	size_t vlen;
	int rc;

	if (strlen(id) > LEDGER_ID_MAX)
		return LEDGER_ENOTFOUND;
	rc = a->rs->get(a->rs->ctx, key, make_key(key, 'c', id), &v, &vlen);
	if (rc != 0)
		return rc;
	rc = contract_decode(v, vlen, &a->c);
	free(v);
	return rc;
}

int
rules_store_records(struct apply *a)
{
	uint8_t key[2 + LEDGER_ID_MAX];
	struct wbuf w;
	int rc;

	if (a->c_dirty) {
		contract_encode(&a->c, &w);
		if ((rc = a->rs->put(a->rs->ctx, key, make_key(key, 'c',
		    a->self.contract), w.b, w.n)) != 0)
			return rc;
	}
	entry_encode(&a->self, &w);
	return a->rs->put(a->rs->ctx, key, make_key(key, 's', a->st->id), w.b,
	    w.n);
}

int
ledger_rules_contract(const struct ledger_rulestore *rs,
    const char *contract_id, struct ledger_contract_account *out)
{
	static const char *const status[] = { "none", "pending", "active",
	    "cancelled", "terminated" };
	static const char *const cond[] = { "none", "signing",
	    "mid_evaluation", "final_evaluation" };
	static const char *const verdict[] = { NULL, "pass", "conditional",
	    "fail" };
	uint8_t key[2 + LEDGER_ID_MAX];
	struct contract c;
	size_t vlen, i;
	void *v;
	int rc;

	if (strlen(contract_id) > LEDGER_ID_MAX)
		return LEDGER_ENOTFOUND;
	if ((rc = rs->get(rs->ctx, key, make_key(key, 'c', contract_id), &v,
	    &vlen)) != 0)
		return rc;
	rc = contract_decode(v, vlen, &c);
	free(v);
	if (rc != 0)
		return rc;
	memset(out, 0, sizeof(*out));
	memcpy(out->statement_id, c.stmt, sizeof(out->statement_id));
	memcpy(out->ocid, c.ocid, sizeof(out->ocid));
	memcpy(out->currency, c.currency, sizeof(out->currency));
	memcpy(out->buyer, c.buyer, sizeof(out->buyer));
	memcpy(out->supplier, c.supplier, sizeof(out->supplier));
	out->status = status[c.status <= ST_TERMINATED ? c.status : 0];
	out->value = c.value;
	out->disbursed = c.disbursed;
	out->demanded = c.demanded;
	out->received = c.received;
	out->ntranches = c.ntranches;
	for (i = 0; i < c.ntranches && i < LEDGER_TRANCHES_MAX; i++) {
		out->tranches[i].no = c.tr[i].no;
		out->tranches[i].condition = cond[c.tr[i].cond <= C_FINAL ?
		    c.tr[i].cond : 0];
		out->tranches[i].paid = c.tr[i].no >= 1 && c.tr[i].no <= 64 &&
		    (c.paid >> (c.tr[i].no - 1)) & 1;
	}
	for (i = 0; i < 3; i++)
		out->verdict[i] = verdict[c.verdict[i + 1] <= V_FAIL ?
		    c.verdict[i + 1] : 0];
	return 0;
}
