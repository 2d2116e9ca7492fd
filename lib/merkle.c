/*
 * merkle.c - RFC 6962 / RFC 9162 Merkle tree: hashes, proofs, verification
 * and the append frontier.
 *
 * Storage keeps only perfect subtrees (level, index), each written once when
 * its last leaf arrives.  Every range the RFC recursion asks for is either
 * perfect or a "right edge" [begin, end) whose begin is aligned to the
 * smallest power of two >= end - begin; such a range is the concatenation of
 * one aligned perfect block per 1-bit of its length, largest first, and its
 * MTH is those blocks folded right to left.  So no function here ever needs
 * a node that a tree of the given size has not completed.
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "ledger/error.h"
#include "ledger/merkle.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>
#define HAVE_SHA_NI 1
#endif

/* Largest power of two strictly below n; n >= 2. */
static uint64_t
split_point(uint64_t n)
{
	return 1ULL << (63 - __builtin_clzll(n - 1));
}

static int
is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/*
 * A recursion range [begin, begin + len) starts on a multiple of the
 * smallest power of two >= len (2^64 when len > 2^63, so begin is 0).
 */
static int
range_aligned(uint64_t begin, uint64_t len)
{
	uint64_t p;

	if (len > 1ULL << 63)
		return begin == 0;
	p = is_pow2(len) ? len : split_point(len) << 1;
	return (begin & (p - 1)) == 0;
}

#ifdef HAVE_SHA_NI
/*
 * SHA-256 on the x86 SHA extensions.  Every served leaf is hashed (the
 * serve-time tamper check and "leaf_hash"), so a page of 100 entries
 * hashes ~140 KB: libsodium's portable SHA-256 was two thirds of a
 * query's CPU time.  Same digest, several times fewer cycles; machines
 * without the extensions keep libsodium.
 */
static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

/* st holds ABEF and CDGH, the order the round instruction wants. */
__attribute__((target("sha,sse4.1,ssse3")))
static void
sha_ni_blocks(__m128i st[2], const uint8_t *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
	    0x0405060700010203ULL);
	__m128i s0 = st[0], s1 = st[1], m[4], k, save0, save1;
	int g;

	for (; nblocks > 0; nblocks--, p += 64) {
		save0 = s0;
		save1 = s1;
		for (g = 0; g < 16; g++) {
			if (g < 4)
				m[g] = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(const void *)(p + 16 * g)),
				    bswap);
			else
				/* W[t-16] + s0(W[t-15]) + W[t-7] + s1(W[t-2]) */
				m[g & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(
				    _mm_sha256msg1_epu32(m[g & 3],
				    m[(g + 1) & 3]), _mm_alignr_epi8(
				    m[(g + 3) & 3], m[(g + 2) & 3], 4)),
				    m[(g + 3) & 3]);
			k = _mm_add_epi32(m[g & 3], _mm_loadu_si128(
			    (const __m128i *)(const void *)(sha_k + 4 * g)));
			s1 = _mm_sha256rnds2_epu32(s1, s0, k);
			k = _mm_shuffle_epi32(k, 0x0e);
			s0 = _mm_sha256rnds2_epu32(s0, s1, k);
		}
		s0 = _mm_add_epi32(s0, save0);
		s1 = _mm_add_epi32(s1, save1);
	}
	st[0] = s0;
	st[1] = s1;
}

__attribute__((target("sha,sse4.1,ssse3")))
static void
sha_ni_digest(uint8_t prefix, const uint8_t *data, size_t len,
    uint8_t out[LEDGER_HASH_BYTES])
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
	    0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	uint64_t bits = ((uint64_t)len + 1) * 8;
	uint8_t buf[64];
	uint32_t h[8];
	__m128i st[2], t;
	size_t take, r, i;

	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)
	    iv), 0xb1);					/* CDAB */
	st[1] = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)
	    (const void *)(iv + 4)), 0x1b);		/* HGFE */
	st[0] = _mm_alignr_epi8(t, st[1], 8);		/* ABEF */
	st[1] = _mm_blend_epi16(st[1], t, 0xf0);	/* CDGH */

	buf[0] = prefix;
	take = len < 63 ? len : 63;
	if (take > 0)
		memcpy(buf + 1, data, take);
	r = 1 + take;
	if (r == 64) {
		sha_ni_blocks(st, buf, 1);
		data += take;
		len -= take;
		sha_ni_blocks(st, data, len / 64);
		r = len % 64;
		if (r > 0)
			memcpy(buf, data + len - r, r);
	}
	buf[r++] = 0x80;
	if (r > 56) {
		memset(buf + r, 0, 64 - r);
		sha_ni_blocks(st, buf, 1);
		r = 0;
	}
	memset(buf + r, 0, 56 - r);
	for (i = 0; i < 8; i++)
		buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha_ni_blocks(st, buf, 1);

	t = _mm_shuffle_epi32(st[0], 0x1b);		/* FEBA */
	st[1] = _mm_shuffle_epi32(st[1], 0xb1);		/* DCHG */
	st[0] = _mm_blend_epi16(t, st[1], 0xf0);	/* DCBA */
	st[1] = _mm_alignr_epi8(st[1], t, 8);		/* HGFE */
	_mm_storeu_si128((__m128i *)(void *)h, st[0]);
	_mm_storeu_si128((__m128i *)(void *)(h + 4), st[1]);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

/* 1 if this CPU has SHA, SSE4.1 and SSSE3; asked once. */
static int
sha_ni(void)
{
	static atomic_int have = -1;
	unsigned a, b, c, d;
	int v = atomic_load_explicit(&have, memory_order_relaxed);

	if (v >= 0)
		return v;
	v = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) &&
	    (c & (1u << 9)) && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
	    (b & (1u << 29));
	atomic_store_explicit(&have, v, memory_order_relaxed);
	return v;
}
#endif

void
ledger_leaf_hash(const void *data, size_t len, uint8_t out[LEDGER_HASH_BYTES])
{
	crypto_hash_sha256_state st;
	static const uint8_t prefix = 0x00;

#ifdef HAVE_SHA_NI
	if (sha_ni()) {
		sha_ni_digest(0x00, data, len, out);
		return;
	}
#endif
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	if (len > 0)
		crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

/* out may alias left or right: both are consumed before final writes. */
void
ledger_node_hash(const uint8_t left[LEDGER_HASH_BYTES],
    const uint8_t right[LEDGER_HASH_BYTES], uint8_t out[LEDGER_HASH_BYTES])
{
	crypto_hash_sha256_state st;
	static const uint8_t prefix = 0x01;
#ifdef HAVE_SHA_NI
	uint8_t both[2 * LEDGER_HASH_BYTES];

	if (sha_ni()) {
		memcpy(both, left, LEDGER_HASH_BYTES);
		memcpy(both + LEDGER_HASH_BYTES, right, LEDGER_HASH_BYTES);
		sha_ni_digest(0x01, both, sizeof(both), out);
		return;
	}
#endif

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, left, LEDGER_HASH_BYTES);
	crypto_hash_sha256_update(&st, right, LEDGER_HASH_BYTES);
	crypto_hash_sha256_final(&st, out);
}

void
ledger_empty_root(uint8_t out[LEDGER_HASH_BYTES])
{
	static const uint8_t none[1];

	crypto_hash_sha256(out, none, 0);
}

/*
 * Blocks are read from the right (lowest 1-bit of the length first), so the
 * right-to-left fold needs a single accumulator and no buffer.  The
 * alignment check refuses ranges whose blocks would straddle a perfect
 * subtree: those are not ranges of the RFC recursion and the reader could
 * not serve them.
 */
int
ledger_merkle_range_hash(uint64_t begin, uint64_t end,
    ledger_hash_reader rd, void *ctx, uint8_t out[LEDGER_HASH_BYTES])
{
	uint8_t h[LEDGER_HASH_BYTES], acc[LEDGER_HASH_BYTES];
	uint64_t len, pos;
	unsigned level;
	int first = 1, rc;

	if (begin > end)
		return LEDGER_EINVAL;
	len = end - begin;
	if (len == 0) {
		ledger_empty_root(out);
		return 0;
	}
	if (!range_aligned(begin, len))
		return LEDGER_EINVAL;

	pos = end;
	for (level = 0; level < 64; level++) {
		if ((len & (1ULL << level)) == 0)
			continue;
		pos -= 1ULL << level;
		if ((rc = rd(ctx, level, pos >> level, h)) != 0)
			return rc;
		if (first)
			memcpy(acc, h, sizeof(acc));
		else
			ledger_node_hash(h, acc, acc);
		first = 0;
	}
	memcpy(out, acc, LEDGER_HASH_BYTES);
	return 0;
}

int
ledger_merkle_root(uint64_t size, ledger_hash_reader rd, void *ctx,
    uint8_t out[LEDGER_HASH_BYTES])
{
	return ledger_merkle_range_hash(0, size, rd, ctx, out);
}

/* Proofs are collected root first while descending; RFCs list leaf first. */
static void
proof_reverse(uint8_t proof[][LEDGER_HASH_BYTES], size_t n)
{
	uint8_t t[LEDGER_HASH_BYTES];
	size_t i;

	for (i = 0; i < n / 2; i++) {
		memcpy(t, proof[i], sizeof(t));
		memcpy(proof[i], proof[n - 1 - i], sizeof(t));
		memcpy(proof[n - 1 - i], t, sizeof(t));
	}
}

/*
 * PATH(index, D[0:size]) unrolled top-down.  Only the first right sibling
 * taken (while end is still size) can be a non-perfect range; after that
 * every sibling is perfect, so the proof costs O(log size) reads.
 */
int
ledger_merkle_inclusion(uint64_t index, uint64_t size,
    ledger_hash_reader rd, void *ctx,
    uint8_t proof[][LEDGER_HASH_BYTES], size_t *n)
{
	uint64_t b = 0, e = size, k;
	size_t cnt = 0;
	int rc;

	*n = 0;
	if (index >= size)
		return LEDGER_EINVAL;
	while (e - b > 1) {
		if (cnt == LEDGER_PROOF_MAX)
			return LEDGER_EINVAL;
		k = split_point(e - b);
		if (index < b + k) {
			rc = ledger_merkle_range_hash(b + k, e, rd, ctx,
			    proof[cnt]);
			e = b + k;
		} else {
			rc = ledger_merkle_range_hash(b, b + k, rd, ctx,
			    proof[cnt]);
			b += k;
		}
		if (rc != 0)
			return rc;
		cnt++;
	}
	proof_reverse(proof, cnt);
	*n = cnt;
	return 0;
}

/*
 * PROOF(m, D[0:size]) = SUBPROOF(m, D[0:size], true) unrolled top-down;
 * "whole" is SUBPROOF's b flag: it turns false once we step into a right
 * part, and then the subtree that ends exactly at m must be sent too.
 * Trees above 2^63 leaves can need 65 hashes; we refuse those.
 */
int
ledger_merkle_consistency(uint64_t m, uint64_t size,
    ledger_hash_reader rd, void *ctx,
    uint8_t proof[][LEDGER_HASH_BYTES], size_t *n)
{
	uint64_t b = 0, e = size, k;
	size_t cnt = 0;
	int whole = 1, rc;

	*n = 0;
	if (m == 0 || m > size)
		return LEDGER_EINVAL;
	if (m == size)
		return 0;
	/* Invariant: b < m <= e, and [b, e) is a range of the recursion. */
	for (;;) {
		if (m == e && whole)
			break;
		if (cnt == LEDGER_PROOF_MAX)
			return LEDGER_EINVAL;
		if (m == e) {
			if ((rc = ledger_merkle_range_hash(b, e, rd, ctx,
			    proof[cnt])) != 0)
				return rc;
			cnt++;
			break;
		}
		k = split_point(e - b);
		if (m - b <= k) {
			rc = ledger_merkle_range_hash(b + k, e, rd, ctx,
			    proof[cnt]);
			e = b + k;
		} else {
			rc = ledger_merkle_range_hash(b, b + k, rd, ctx,
			    proof[cnt]);
			b += k;
			whole = 0;
		}
		if (rc != 0)
			return rc;
		cnt++;
	}
	proof_reverse(proof, cnt);
	*n = cnt;
	return 0;
}

/* Not secret data, but a fixed-time compare costs nothing here. */
static int
hash_equal(const uint8_t a[LEDGER_HASH_BYTES],
    const uint8_t b[LEDGER_HASH_BYTES])
{
	return sodium_memcmp(a, b, LEDGER_HASH_BYTES) == 0;
}

/*
 * RFC 9162 2.1.3.2, step for step.  fn/sn are the index and the last index
 * at the current level; sn reaching 0 is the root, so a proof that runs out
 * before it (too short) or goes past it (too long) fails.
 */
int
ledger_merkle_verify_inclusion(uint64_t index, uint64_t size,
    const uint8_t leaf[LEDGER_HASH_BYTES],
    const uint8_t proof[][LEDGER_HASH_BYTES], size_t n,
    const uint8_t root[LEDGER_HASH_BYTES])
{
	uint8_t r[LEDGER_HASH_BYTES];
	uint64_t fn, sn;
	size_t i;

	if (index >= size || n > LEDGER_PROOF_MAX)
		return LEDGER_EPROOF;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, sizeof(r));
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return LEDGER_EPROOF;
		if ((fn & 1) || fn == sn) {
			ledger_node_hash(proof[i], r, r);
			/* Skip levels where we are the lone right-edge node. */
			if (!(fn & 1))
				while (!((fn & 1) || fn == 0)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			ledger_node_hash(r, proof[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || !hash_equal(r, root))
		return LEDGER_EPROOF;
	return 0;
}

/*
 * RFC 9162 2.1.4.2.  When m is a power of two the old root is itself a node
 * of the new tree and the proof omits it; it is prepended here virtually
 * (element i of the path is root_m or proof[i - 1]) instead of copying.
 * fr rebuilds root_m and sr root_n from the same path.
 */
int
ledger_merkle_verify_consistency(uint64_t m, uint64_t size,
    const uint8_t root_m[LEDGER_HASH_BYTES],
    const uint8_t root_n[LEDGER_HASH_BYTES],
    const uint8_t proof[][LEDGER_HASH_BYTES], size_t n)
{
	uint8_t fr[LEDGER_HASH_BYTES], sr[LEDGER_HASH_BYTES];
	const uint8_t *c;
	uint64_t fn, sn;
	size_t i, skip, total;

	if (m > size || n > LEDGER_PROOF_MAX)
		return LEDGER_EPROOF;
	/*
	 * A tree is consistent only with its own root; tested first, so
	 * that two empty trees with different roots are not consistent.
	 */
	if (m == size)
		return n == 0 && hash_equal(root_m, root_n) ? 0 : LEDGER_EPROOF;
	/* TLOG-SPECS 1.4: the empty tree is consistent with every tree. */
	if (m == 0)
		return n == 0 ? 0 : LEDGER_EPROOF;
	if (n == 0)
		return LEDGER_EPROOF;

	skip = is_pow2(m) ? 1 : 0;
	total = n + skip;
	fn = m - 1;
	sn = size - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	c = skip ? root_m : proof[0];
	memcpy(fr, c, sizeof(fr));
	memcpy(sr, c, sizeof(sr));
	for (i = 1; i < total; i++) {
		c = proof[i - skip];
		if (sn == 0)
			return LEDGER_EPROOF;
		if ((fn & 1) || fn == sn) {
			ledger_node_hash(c, fr, fr);
			ledger_node_hash(c, sr, sr);
			if (!(fn & 1))
				while (!((fn & 1) || fn == 0)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			ledger_node_hash(sr, c, sr);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || !hash_equal(fr, root_m) || !hash_equal(sr, root_n))
		return LEDGER_EPROOF;
	return 0;
}

void
ledger_frontier_init(struct ledger_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

/*
 * One read per 1-bit of size, highest level first, matching the layout of
 * hash[] (see merkle.h: hash[0] is the largest, leftmost subtree).  f is
 * left untouched on error.
 */
int
ledger_frontier_load(struct ledger_frontier *f, uint64_t size,
    ledger_hash_reader rd, void *ctx)
{
	struct ledger_frontier t;
	uint64_t pos = 0;
	int level, rc;

	ledger_frontier_init(&t);
	for (level = 63; level >= 0; level--) {
		if ((size & (1ULL << level)) == 0)
			continue;
		if ((rc = rd(ctx, (unsigned)level, pos >> level,
		    t.hash[t.count])) != 0)
			return rc;
		pos += 1ULL << level;
		t.count++;
	}
	t.size = size;
	*f = t;
	return 0;
}

/*
 * The new leaf absorbs one stack entry per trailing 1-bit of the old size.
 * The merges build in a local accumulator and commit only after every emit
 * succeeded, so a failing sink (a storage error) leaves f as it was and
 * the append can simply be retried.
 */
int
ledger_frontier_append(struct ledger_frontier *f,
    const uint8_t leaf[LEDGER_HASH_BYTES], ledger_node_sink emit, void *ctx)
{
	uint8_t acc[LEDGER_HASH_BYTES];
	uint64_t old = f->size, next;
	unsigned level = 0, c = f->count;
	int rc;

	/* A count out of step with size would index hash[] out of bounds. */
	if (old == UINT64_MAX ||
	    f->count != (unsigned)__builtin_popcountll(old))
		return LEDGER_EINVAL;
	next = old + 1;
	memcpy(acc, leaf, sizeof(acc));
	if (emit != NULL && (rc = emit(ctx, 0, old, acc)) != 0)
		return rc;
	while (old & 1) {
		ledger_node_hash(f->hash[--c], acc, acc);
		old >>= 1;
		level++;
		if (emit != NULL &&
		    (rc = emit(ctx, level, (next >> level) - 1, acc)) != 0)
			return rc;
	}
	memcpy(f->hash[c], acc, sizeof(acc));
	f->count = c + 1;
	f->size = next;
	return 0;
}

void
ledger_frontier_root(const struct ledger_frontier *f,
    uint8_t out[LEDGER_HASH_BYTES])
{
	uint8_t acc[LEDGER_HASH_BYTES];
	unsigned i;

	if (f->count == 0) {
		ledger_empty_root(out);
		return;
	}
	memcpy(acc, f->hash[f->count - 1], sizeof(acc));
	for (i = f->count - 1; i > 0; i--)
		ledger_node_hash(f->hash[i - 1], acc, acc);
	memcpy(out, acc, LEDGER_HASH_BYTES);
}

/* right[i - 1] is the fold of sub[i ..], built from the last one leftward. */
void
ledger_edge_init(struct ledger_edge *e, const struct ledger_frontier *f,
    uint8_t root[LEDGER_HASH_BYTES])
{
	uint8_t acc[LEDGER_HASH_BYTES];
	unsigned i;

	e->size = f->size;
	e->count = f->count;
	memcpy(e->sub, f->hash, (size_t)f->count * LEDGER_HASH_BYTES);
	if (f->count == 0) {
		if (root != NULL)
			ledger_empty_root(root);
		return;
	}
	memcpy(acc, f->hash[f->count - 1], sizeof(acc));
	for (i = f->count - 1; i > 0; i--) {
		memcpy(e->right[i - 1], acc, sizeof(acc));
		ledger_node_hash(f->hash[i - 1], acc, acc);
	}
	if (root != NULL)
		memcpy(root, acc, sizeof(acc));
}

/*
 * RFC 6962 PATH for a leaf in subtree t of the frontier (the perfect
 * block [pos, pos + 2^k)): the recursion splits at each 1-bit of size, so
 * the path is the block's own path, leaf up, then the hash of everything
 * right of the block (unless it is the last), then the blocks left of it,
 * nearest first.
 */
int
ledger_merkle_inclusion_edge(uint64_t index, const struct ledger_edge *e,
    ledger_hash_reader rd, void *ctx,
    uint8_t proof[][LEDGER_HASH_BYTES], size_t *n)
{
	uint64_t pos = 0;
	unsigned t = 0, level;
	size_t cnt = 0;
	int k, rc;

	*n = 0;
	if (index >= e->size ||
	    e->count != (unsigned)__builtin_popcountll(e->size))
		return LEDGER_EINVAL;
	for (k = 63; k >= 0; k--) {
		if ((e->size >> k & 1) == 0)
			continue;
		if (index - pos < 1ULL << k)
			break;
		pos += 1ULL << k;
		t++;
	}
	for (level = 0; level < (unsigned)k; level++) {
		if ((rc = rd(ctx, level, (index >> level) ^ 1,
		    proof[cnt])) != 0)
			return rc;
		cnt++;
	}
	if (t + 1 < e->count)
		memcpy(proof[cnt++], e->right[t], LEDGER_HASH_BYTES);
	for (; t > 0; t--)
		memcpy(proof[cnt++], e->sub[t - 1], LEDGER_HASH_BYTES);
	*n = cnt;
	return 0;
}

/*
 * x/mod tlog StoredHashIndex.  Before leaf n come the nodes of leaves
 * 0..n-1: n leaves, n/2 level-1 nodes, n/4 level-2 nodes, and so on.  Node
 * (L, n) comes L slots after leaf ((n + 1) << L) - 1, the leaf whose append
 * completes it (ledger_frontier_append emits in exactly this order).
 */
uint64_t
ledger_stored_hash_index(unsigned level, uint64_t index)
{
	uint64_t i = 0, n = index;
	unsigned l;

	for (l = 0; l < level; l++)
		n = 2 * n + 1;
	for (; n > 0; n >>= 1)
		i += n;
	return i + level;
}
