/*
 * test_merkle_ref.c - lib/merkle.c against a naive recursive reference that
 * follows RFC 6962 2.1 literally (memoized so it runs in seconds): every
 * root, inclusion and consistency proof up to 256 leaves, tampered proofs,
 * huge sizes, and the append frontier with its storage order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/error.h"
#include "ledger/merkle.h"
#include "harness.h"

#define HB		LEDGER_HASH_BYTES
#define EXH_MAX		256	/* exhaustive proofs up to this size */
#define FRONT_MAX	1000	/* frontier appends */
#define MEMO_SLOTS	(1 << 16)

typedef uint8_t hash_t[HB];

/* ---- reference: MTH, PATH and PROOF exactly as RFC 6962 2.1 reads ---- */

struct memo {
	uint64_t	b, e;
	int		used;
	hash_t		h;
};

struct ref {
	hash_t		*leaf;
	uint64_t	nleaf;
	struct memo	*tab;
};

static void
ref_sha(const uint8_t *p, size_t len, hash_t out)
{
	crypto_hash_sha256(out, p, len);
}

static void
ref_leaf(const void *d, size_t len, hash_t out)
{
	uint8_t buf[64];

	buf[0] = 0x00;
	memcpy(buf + 1, d, len);
	ref_sha(buf, len + 1, out);
}

static void
ref_node(const hash_t l, const hash_t r, hash_t out)
{
	uint8_t buf[1 + 2 * HB];

	buf[0] = 0x01;
	memcpy(buf + 1, l, HB);
	memcpy(buf + 1 + HB, r, HB);
	ref_sha(buf, sizeof(buf), out);
}

static uint64_t
ref_k(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k)	/* k * 2 < n, without overflow */
		k *= 2;
	return k;
}

static void
ref_mth(struct ref *r, uint64_t b, uint64_t e, hash_t out)
{
	struct memo *m;
	hash_t lh, rh;
	uint64_t k, slot;

	if (e == b) {
		ref_sha((const uint8_t *)"", 0, out);
		return;
	}
	if (e - b == 1) {
		memcpy(out, r->leaf[b], HB);
		return;
	}
	slot = (b * 2654435761u + e * 40503u) % MEMO_SLOTS;
	for (;;) {
		m = &r->tab[slot];
		if (!m->used)
			break;
		if (m->b == b && m->e == e) {
			memcpy(out, m->h, HB);
			return;
		}
		slot = (slot + 1) % MEMO_SLOTS;
	}
	k = ref_k(e - b);
	ref_mth(r, b, b + k, lh);
	ref_mth(r, b + k, e, rh);
	ref_node(lh, rh, out);
	m->used = 1;
	m->b = b;
	m->e = e;
	memcpy(m->h, out, HB);
}

/* PATH(m, D[b:e]), m relative to b. */
static void
ref_path(struct ref *r, uint64_t m, uint64_t b, uint64_t e, hash_t *out,
    size_t *n)
{
	uint64_t k;

	if (e - b == 1)
		return;
	k = ref_k(e - b);
	if (m < k) {
		ref_path(r, m, b, b + k, out, n);
		ref_mth(r, b + k, e, out[(*n)++]);
	} else {
		ref_path(r, m - k, b + k, e, out, n);
		ref_mth(r, b, b + k, out[(*n)++]);
	}
}

/* SUBPROOF(m, D[b:e], whole), m relative to b. */
static void
ref_subproof(struct ref *r, uint64_t m, uint64_t b, uint64_t e, int whole,
    hash_t *out, size_t *n)
{
	uint64_t k;

	if (m == e - b) {
		if (!whole)
			ref_mth(r, b, e, out[(*n)++]);
		return;
	}
	k = ref_k(e - b);
	if (m <= k) {
		ref_subproof(r, m, b, b + k, whole, out, n);
		ref_mth(r, b + k, e, out[(*n)++]);
	} else {
		ref_subproof(r, m - k, b + k, e, 0, out, n);
		ref_mth(r, b, b + k, out[(*n)++]);
	}
}

/* Lengths of PATH(m, D[0:s]) and PROOF(m, D[0:s]) without hashing. */
static size_t
ref_path_len(uint64_t m, uint64_t s)
{
	uint64_t k;

	if (s == 1)
		return 0;
	k = ref_k(s);
	return 1 + (m < k ? ref_path_len(m, k) : ref_path_len(m - k, s - k));
}

static size_t
ref_proof_len(uint64_t m, uint64_t s, int whole)
{
	uint64_t k;

	if (m == s)
		return whole ? 0 : 1;
	k = ref_k(s);
	return 1 + (m <= k ? ref_proof_len(m, k, whole) :
	    ref_proof_len(m - k, s - k, 0));
}

static struct ref *
ref_new(uint64_t nleaf)
{
	struct ref *r;
	uint8_t d[8];
	uint64_t i;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->leaf = calloc(nleaf, HB)) == NULL ||
	    (r->tab = calloc(MEMO_SLOTS, sizeof(*r->tab))) == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	r->nleaf = nleaf;
	for (i = 0; i < nleaf; i++) {
		memcpy(d, &i, sizeof(d));
		ref_leaf(d, sizeof(d), r->leaf[i]);
	}
	return r;
}

static void
ref_free(struct ref *r)
{
	free(r->tab);
	free(r->leaf);
	free(r);
}

/* ---- hash reader over the reference, policing what it is asked ---- */

struct rd {
	struct ref	*ref;
	uint64_t	size;	/* the tree the caller works on */
	long		reads;
	long		bad;	/* nodes not complete within size */
};

static int
rd_ref(void *ctx, unsigned level, uint64_t index, hash_t out)
{
	struct rd *c = ctx;

	c->reads++;
	if (level >= 64 || index >= (c->size >> level)) {
		c->bad++;
		return LEDGER_ENOTFOUND;
	}
	ref_mth(c->ref, index << level, (index + 1) << level, out);
	return 0;
}

/* Synthetic reader for huge trees: only checks which nodes are asked. */
static int
rd_fake(void *ctx, unsigned level, uint64_t index, hash_t out)
{
	struct rd *c = ctx;

	c->reads++;
	if (level >= 64 || index >= (c->size >> level)) {
		c->bad++;
		return LEDGER_ENOTFOUND;
	}
	memset(out, 0, HB);
	memcpy(out, &index, sizeof(index));
	out[31] = (uint8_t)level;
	return 0;
}

/* ---- exhaustive against the reference ---- */

TEST(exhaustive)
{
	struct ref *r = ref_new(EXH_MAX);
	struct rd c = { .ref = r };
	hash_t p[LEDGER_PROOF_MAX], q[LEDGER_PROOF_MAX], root[EXH_MAX + 1];
	uint64_t m, s, i;
	size_t n, qn;
	long worst = 0;

	for (s = 0; s <= EXH_MAX; s++) {
		c.size = s;
		CHECK_INT(ledger_merkle_root(s, rd_ref, &c, root[s]), 0);
		ref_mth(r, 0, s, q[0]);
		CHECK_MEM(root[s], q[0], HB);
	}
	for (s = 1; s <= EXH_MAX; s++) {
		c.size = s;
		for (i = 0; i < s; i++) {
			c.reads = 0;
			CHECK_INT(ledger_merkle_inclusion(i, s, rd_ref, &c, p,
			    &n), 0);
			if (c.reads > worst)
				worst = c.reads;
			qn = 0;
			ref_path(r, i, 0, s, q, &qn);
			if (n != qn || memcmp(p, q, n * HB) != 0)
				CHECK(!"inclusion differs from reference");
			if (ledger_merkle_verify_inclusion(i, s, r->leaf[i], p,
			    n, root[s]) != 0)
				CHECK(!"inclusion does not verify");
		}
		for (m = 1; m <= s; m++) {
			c.reads = 0;
			CHECK_INT(ledger_merkle_consistency(m, s, rd_ref, &c, p,
			    &n), 0);
			if (c.reads > worst)
				worst = c.reads;
			qn = 0;
			if (m < s)
				ref_subproof(r, m, 0, s, 1, q, &qn);
			if (n != qn || memcmp(p, q, n * HB) != 0)
				CHECK(!"consistency differs from reference");
			if (ledger_merkle_verify_consistency(m, s, root[m],
			    root[s], p, n) != 0)
				CHECK(!"consistency does not verify");
		}
	}
	CHECK_INT(c.bad, 0);
	/* O(log n): at most two reads per level of a 256-leaf tree. */
	CHECK(worst <= 2 * 9);
	ref_free(r);
}

/*
 * Above 2^63 leaves an honest consistency proof can need 65 hashes (64
 * levels plus the subtree ending at m); those are refused, not truncated.
 */
static void
huge_consistency(uint64_t m, struct rd *c)
{
	hash_t p[LEDGER_PROOF_MAX];
	size_t n, want = ref_proof_len(m, c->size, 1);
	int rc;

	rc = ledger_merkle_consistency(m, c->size, rd_fake, c, p, &n);
	if (want > LEDGER_PROOF_MAX)
		CHECK_INT(rc, LEDGER_EINVAL);
	else {
		CHECK_INT(rc, 0);
		CHECK_INT(n, want);
	}
}

/* Huge sizes: no read beyond the tree, proofs within the cap. */
TEST(huge_sizes)
{
	static const uint64_t sizes[] = {
		(1ULL << 40) + 12345, (1ULL << 63) - 1, 1ULL << 63,
		(1ULL << 63) + 5, UINT64_MAX,
	};
	struct rd c = { 0 };
	hash_t p[LEDGER_PROOF_MAX], h;
	struct ledger_frontier f;
	size_t k, n;
	uint64_t s, x;
	long worst = 0;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		s = c.size = sizes[k];
		CHECK_INT(ledger_merkle_root(s, rd_fake, &c, h), 0);
		for (x = 1; x < 200; x++) {
			c.reads = 0;
			CHECK_INT(ledger_merkle_inclusion(s - x, s, rd_fake,
			    &c, p, &n), 0);
			worst = c.reads > worst ? c.reads : worst;
			CHECK_INT(n, ref_path_len(s - x, s));
			CHECK_INT(ledger_merkle_inclusion(x * 7919, s, rd_fake,
			    &c, p, &n), 0);
			CHECK_INT(n, ref_path_len(x * 7919, s));
			huge_consistency(x, &c);
			huge_consistency(s - x, &c);
		}
		CHECK_INT(ledger_frontier_load(&f, s, rd_fake, &c), 0);
		CHECK_INT(f.count, __builtin_popcountll(s));
	}
	CHECK_INT(c.bad, 0);
	CHECK(worst <= 2 * 64);
	/* The frontier of 2^64-1 leaves is full: one more must be refused. */
	CHECK_INT(ledger_frontier_append(&f, h, NULL, NULL), LEDGER_EINVAL);
	CHECK(f.size == UINT64_MAX);
}

/*
 * Proofs from the right edge equal ledger_merkle_inclusion's, byte for
 * byte, for every leaf of every tree up to EXH_MAX and near the ends of
 * huge trees, and read only nodes inside the leaf's frontier subtree.
 */
static void
edge_check(uint64_t i, uint64_t s, struct rd *c, const struct ledger_edge *e,
    ledger_hash_reader rd)
{
	hash_t p[LEDGER_PROOF_MAX], q[LEDGER_PROOF_MAX];
	size_t n, qn;
	/* i < s: they first differ at a 1-bit of s, the level of i's subtree */
	long k = 63 - __builtin_clzll(s ^ i);

	c->reads = 0;
	CHECK_INT(ledger_merkle_inclusion_edge(i, e, rd, c, p, &n), 0);
	CHECK_INT(c->reads, k);
	CHECK_INT(ledger_merkle_inclusion(i, s, rd, c, q, &qn), 0);
	if (n != qn || memcmp(p, q, n * HB) != 0)
		CHECK(!"edge proof differs from ledger_merkle_inclusion");
}

TEST(inclusion_edge)
{
	static const uint64_t huge[] = {
		(1ULL << 40) + 12345, (1ULL << 63) - 1, 1ULL << 63, UINT64_MAX,
	};
	struct ref *r = ref_new(EXH_MAX);
	struct rd c = { .ref = r };
	struct ledger_frontier f;
	struct ledger_edge e;
	hash_t p[LEDGER_PROOF_MAX];
	uint64_t s, i;
	size_t k, n;

	for (s = 1; s <= EXH_MAX; s++) {
		c.size = s;
		CHECK_INT(ledger_frontier_load(&f, s, rd_ref, &c), 0);
		ledger_edge_init(&e, &f, p[0]);
		ref_mth(r, 0, s, p[1]);
		CHECK_MEM(p[0], p[1], HB);
		for (i = 0; i < s; i++)
			edge_check(i, s, &c, &e, rd_ref);
		CHECK_INT(ledger_merkle_inclusion_edge(s, &e, rd_ref, &c, p,
		    &n), LEDGER_EINVAL);
		e.count++;	/* out of step with size */
		CHECK_INT(ledger_merkle_inclusion_edge(0, &e, rd_ref, &c, p,
		    &n), LEDGER_EINVAL);
	}
	for (k = 0; k < sizeof(huge) / sizeof(huge[0]); k++) {
		s = c.size = huge[k];
		CHECK_INT(ledger_frontier_load(&f, s, rd_fake, &c), 0);
		ledger_edge_init(&e, &f, NULL);
		for (i = 1; i < 200; i++) {
			edge_check(s - i, s, &c, &e, rd_fake);
			edge_check(i * 7919, s, &c, &e, rd_fake);
		}
	}
	CHECK_INT(c.bad, 0);
	ref_free(r);
}

/* ---- tampering ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Flip bits of each element (all of them when all, else one at random);
 * return how many tampered proofs still verified. */
static long
tamper(hash_t *p, size_t n, int all, int incl, uint64_t a, uint64_t s,
    const uint8_t *leaf, const uint8_t *ra, const uint8_t *rs)
{
	long ok = 0;
	size_t e, bit, lo, hi;
	int rc;

	for (e = 0; e < n; e++) {
		lo = all ? 0 : rnd() % (HB * 8);
		hi = all ? HB * 8 : lo + 1;
		for (bit = lo; bit < hi; bit++) {
			p[e][bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (incl)
				rc = ledger_merkle_verify_inclusion(a, s, leaf,
				    p, n, rs);
			else
				rc = ledger_merkle_verify_consistency(a, s, ra,
				    rs, p, n);
			p[e][bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (rc != LEDGER_EPROOF)
				ok++;
		}
	}
	return ok;
}

/*
 * A proof does not bind the size beyond its shape (the signed root does),
 * so a proof made for size s verifies at another size s' with the same
 * root[s] exactly when the shapes agree.  What must always fail: the real
 * root of the other size, and any size whose proof has another length.
 */
static long
wrong_inclusion(hash_t *p, size_t n, uint64_t i, uint64_t s,
    const uint8_t *leaf, hash_t *root)
{
	hash_t bad;
	long wrong = 0;
	uint64_t t;

	if (s > 1 && ledger_merkle_verify_inclusion((i + 1) % s, s, leaf, p, n,
	    root[s]) == 0)
		wrong++;
	for (t = s - 1; t <= s + 1; t += 2) {
		if (ledger_merkle_verify_inclusion(i, t, leaf, p, n,
		    root[t]) == 0)
			wrong++;
		if (i < t && ref_path_len(i, t) != n &&
		    ledger_merkle_verify_inclusion(i, t, leaf, p, n,
		    root[s]) == 0)
			wrong++;
	}
	memcpy(bad, root[s], HB);
	bad[rnd() % HB] ^= (uint8_t)(1u << (rnd() % 8));
	if (ledger_merkle_verify_inclusion(i, s, leaf, p, n, bad) == 0)
		wrong++;
	if (n > 0 && ledger_merkle_verify_inclusion(i, s, leaf, p, n - 1,
	    root[s]) == 0)
		wrong++;
	memcpy(p[n], root[s], HB);
	if (ledger_merkle_verify_inclusion(i, s, leaf, p, n + 1, root[s]) == 0)
		wrong++;
	return wrong;
}

static long
wrong_consistency(hash_t *p, size_t n, uint64_t m, uint64_t s, hash_t *root)
{
	hash_t bad;
	long wrong = 0;

	if (ledger_merkle_verify_consistency(m, s + 1, root[m], root[s + 1], p,
	    n) == 0 || ledger_merkle_verify_consistency(m + 1, s, root[m + 1],
	    root[s], p, n) == 0 || ledger_merkle_verify_consistency(m - 1, s,
	    root[m - 1], root[s], p, n) == 0)
		wrong++;
	if (ledger_merkle_verify_consistency(s, m, root[s], root[m], p,
	    n) == 0)
		wrong++;
	if ((ref_proof_len(m, s + 1, 1) != n &&
	    ledger_merkle_verify_consistency(m, s + 1, root[m], root[s], p,
	    n) == 0) || (m + 1 < s && ref_proof_len(m + 1, s, 1) != n &&
	    ledger_merkle_verify_consistency(m + 1, s, root[m], root[s], p,
	    n) == 0))
		wrong++;
	memcpy(bad, root[s], HB);
	bad[rnd() % HB] ^= (uint8_t)(1u << (rnd() % 8));
	if (ledger_merkle_verify_consistency(m, s, root[m], bad, p, n) == 0 ||
	    ledger_merkle_verify_consistency(m, s, bad, root[s], p, n) == 0)
		wrong++;
	if (ledger_merkle_verify_consistency(m, s, root[m], root[s], p,
	    n - 1) == 0)
		wrong++;
	memcpy(p[n], root[m], HB);
	if (ledger_merkle_verify_consistency(m, s, root[m], root[s], p,
	    n + 1) == 0)
		wrong++;
	return wrong;
}

/*
 * Every bit of every element up to 32 leaves; above, one random bit per
 * element for a random quarter of the indexes and pairs, to stay within a
 * few seconds (the test is SHA-256 bound).
 */
#define SAMPLE	4

TEST(tampering)
{
	struct ref *r = ref_new(EXH_MAX + 1);
	struct rd c = { .ref = r };
	hash_t p[LEDGER_PROOF_MAX + 1], root[EXH_MAX + 2];
	uint64_t m, s, i;
	size_t n;
	long survived = 0, wrong = 0;
	int all;

	for (s = 0; s <= EXH_MAX + 1; s++)
		ref_mth(r, 0, s, root[s]);
	for (s = 1; s <= EXH_MAX; s++) {
		c.size = s;
		all = s <= 32;
		for (i = 0; i < s; i++) {
			if (!all && rnd() % SAMPLE != 0)
				continue;
			if (ledger_merkle_inclusion(i, s, rd_ref, &c, p, &n))
				wrong++;
			survived += tamper(p, n, all, 1, i, s, r->leaf[i],
			    NULL, root[s]);
			wrong += wrong_inclusion(p, n, i, s, r->leaf[i], root);
		}
		for (m = 1; m < s; m++) {
			if (!all && rnd() % SAMPLE != 0)
				continue;
			if (ledger_merkle_consistency(m, s, rd_ref, &c, p, &n))
				wrong++;
			survived += tamper(p, n, all, 0, m, s, NULL, root[m],
			    root[s]);
			wrong += wrong_consistency(p, n, m, s, root);
		}
	}
	CHECK_INT(survived, 0);
	CHECK_INT(wrong, 0);
	CHECK_INT(c.bad, 0);
	ref_free(r);
}

/* ---- frontier and storage order ---- */

struct store {
	struct ref	*ref;
	uint64_t	next;	/* stored-hash index expected next */
	long		misorder, mismatch;
	hash_t		*node;	/* by stored-hash index */
	uint64_t	cap;
	int		fail_at_level;	/* sink fails at this level if >= 0 */
};

static int
store_sink(void *ctx, unsigned level, uint64_t index, const hash_t h)
{
	struct store *st = ctx;
	hash_t want;

	if ((int)level == st->fail_at_level)
		return LEDGER_EFULL;
	if (ledger_stored_hash_index(level, index) != st->next ||
	    st->next >= st->cap) {
		st->misorder++;
		return LEDGER_ESTORE;
	}
	ref_mth(st->ref, index << level, (index + 1) << level, want);
	if (memcmp(want, h, HB) != 0)
		st->mismatch++;
	memcpy(st->node[st->next++], h, HB);
	return 0;
}

static int
store_read(void *ctx, unsigned level, uint64_t index, hash_t out)
{
	struct store *st = ctx;
	uint64_t i = ledger_stored_hash_index(level, index);

	if (i >= st->next)
		return LEDGER_ENOTFOUND;
	memcpy(out, st->node[i], HB);
	return 0;
}

TEST(frontier)
{
	struct ref *r = ref_new(FRONT_MAX);
	struct store st = { .ref = r, .cap = 2 * FRONT_MAX,
	    .fail_at_level = -1 };
	struct ledger_frontier f, g, keep;
	hash_t h, want;
	uint64_t s;
	long bad_root = 0, bad_load = 0;

	if ((st.node = calloc(st.cap, HB)) == NULL)
		exit(2);
	ledger_frontier_init(&f);
	for (s = 0; s <= FRONT_MAX; s++) {
		ref_mth(r, 0, s, want);
		ledger_frontier_root(&f, h);
		if (f.size != s || f.count != (unsigned)__builtin_popcountll(s)
		    || memcmp(h, want, HB) != 0)
			bad_root++;
		if (ledger_frontier_load(&g, s, store_read, &st) != 0 ||
		    g.size != f.size || g.count != f.count ||
		    memcmp(g.hash, f.hash, (size_t)f.count * HB) != 0)
			bad_load++;
		if (s == 8)	/* StoredHashCount(8) */
			CHECK_INT(st.next, 15);
		if (s == FRONT_MAX)
			break;
		/* A failing sink leaves the frontier as it was. */
		if ((s & 3) == 3) {
			keep = f;
			st.fail_at_level = 2;
			CHECK_INT(ledger_frontier_append(&f, r->leaf[s],
			    store_sink, &st), LEDGER_EFULL);
			CHECK(memcmp(&keep, &f, sizeof(f)) == 0);
			st.next -= 2;	/* levels 0 and 1 got through */
			st.fail_at_level = -1;
		}
		CHECK_INT(ledger_frontier_append(&f, r->leaf[s], store_sink,
		    &st), 0);
	}
	CHECK_INT(bad_root, 0);
	CHECK_INT(bad_load, 0);
	CHECK_INT(st.misorder, 0);
	CHECK_INT(st.mismatch, 0);
	/* Every node written once, densely: StoredHashCount(1000). */
	CHECK_INT(st.next, 2 * FRONT_MAX - __builtin_popcountll(FRONT_MAX));

	/* A sink-less frontier agrees. */
	ledger_frontier_init(&g);
	for (s = 0; s < FRONT_MAX; s++)
		CHECK_INT(ledger_frontier_append(&g, r->leaf[s], NULL, NULL),
		    0);
	CHECK(memcmp(&f, &g, sizeof(f)) == 0);
	free(st.node);
	ref_free(r);
}
