/*
 * test_merkle.c - lib/merkle.c against the published vectors: TLOG-SPECS
 * 6.1 (transparency-dev/merkle, the CT suite), the RFC 6962 worked example,
 * the edge cases of TLOG-SPECS 1.4 and the x/mod StoredHashIndex checks.
 * test_merkle_ref.c compares against a recursive reference exhaustively.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/error.h"
#include "ledger/merkle.h"
#include "harness.h"

#define HB	LEDGER_HASH_BYTES

typedef uint8_t hash_t[HB];

/*
 * The 8-leaf tree of 6.1, hashed independently of lib/merkle.c, served as
 * perfect subtrees by a reader that counts requests for nodes a tree of
 * the current size has not completed.
 */
struct vt {
	hash_t		leaf[8];
	uint64_t	size;	/* the tree the caller works on */
	long		bad;	/* nodes not complete within size */
	int		fail;	/* return this from every read when != 0 */
};

static void
ref_leaf(const void *d, size_t len, hash_t out)
{
	uint8_t buf[64];

	buf[0] = 0x00;
	memcpy(buf + 1, d, len);
	crypto_hash_sha256(out, buf, len + 1);
}

static void
ref_node(const hash_t l, const hash_t r, hash_t out)
{
	uint8_t buf[1 + 2 * HB];

	buf[0] = 0x01;
	memcpy(buf + 1, l, HB);
	memcpy(buf + 1 + HB, r, HB);
	crypto_hash_sha256(out, buf, sizeof(buf));
}

/* MTH of a perfect subtree [b, b + len), len a power of two. */
static void
vt_mth(const struct vt *v, uint64_t b, uint64_t len, hash_t out)
{
	hash_t l, r;

	if (len == 1) {
		memcpy(out, v->leaf[b], HB);
		return;
	}
	vt_mth(v, b, len / 2, l);
	vt_mth(v, b + len / 2, len / 2, r);
	ref_node(l, r, out);
}

static int
rd_vt(void *ctx, unsigned level, uint64_t index, hash_t out)
{
	struct vt *v = ctx;

	if (v->fail)
		return v->fail;
	if (level >= 64 || index >= (v->size >> level) || v->size > 8) {
		v->bad++;
		return LEDGER_ENOTFOUND;
	}
	vt_mth(v, index << level, 1ULL << level, out);
	return 0;
}

static void
hex(const char *s, hash_t out)
{
	if (sodium_hex2bin(out, HB, s, strlen(s), NULL, NULL, NULL) != 0) {
		fprintf(stderr, "bad hex in test: %s\n", s);
		exit(2);
	}
}

/* ---- TLOG-SPECS 6.1 ---- */

static const char *const vec_data[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
static const char *const vec_leaf[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	"4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	"46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
};
static const char *const vec_root[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};
#define N01	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
#define N23	"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
#define N45	"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
#define N67	"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
#define N03	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
#define N47	"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
#define N46	"837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"
#define L0	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
#define L1	"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
#define L2	"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"
#define L3	"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"
#define L4	"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
#define L6	"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"

struct vproof {
	uint64_t	a, b;
	const char	*h[4];
};

static const struct vproof vec_incl[] = {
	{ 0, 8, { L1, N23, N47 } },
	{ 5, 8, { L4, N67, N03 } },
	{ 2, 3, { N01 } },
	{ 1, 5, { L0, N23, L4 } },
};
static const struct vproof vec_cons[] = {
	{ 1, 8, { L1, N23, N47 } },
	{ 6, 8, { N45, N67, N03 } },
	{ 2, 5, { N23, L4 } },
	{ 6, 7, { N45, L6, N03 } },
	{ 3, 7, { L2, L3, N01, N46 } },
	{ 4, 7, { N46 } },
};

static size_t
vproof_len(const struct vproof *v)
{
	size_t n = 0;

	while (n < 4 && v->h[n] != NULL)
		n++;
	return n;
}

static struct vt
vt_new(uint64_t size, int fail)
{
	struct vt v = { .size = size, .fail = fail };
	uint8_t d[16];
	size_t len, i;

	for (i = 0; i < 8; i++) {
		if (sodium_hex2bin(d, sizeof(d), vec_data[i],
		    strlen(vec_data[i]), NULL, &len, NULL) != 0)
			exit(2);
		ref_leaf(d, len, v.leaf[i]);
	}
	return v;
}

TEST(hashes)
{
	hash_t h, want, a, b;
	char b64[64];
	uint8_t d[16];
	size_t i, len;

	ledger_empty_root(h);
	hex(vec_root[0], want);
	CHECK_MEM(h, want, HB);

	for (i = 0; i < 8; i++) {
		CHECK(sodium_hex2bin(d, sizeof(d), vec_data[i],
		    strlen(vec_data[i]), NULL, &len, NULL) == 0);
		ledger_leaf_hash(d, len, h);
		hex(vec_leaf[i], want);
		CHECK_MEM(h, want, HB);
	}

	ledger_leaf_hash("hello world", 11, h);
	sodium_bin2base64(b64, sizeof(b64), h, HB,
	    sodium_base64_VARIANT_ORIGINAL);
	CHECK_STR(b64, "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=");
	ref_leaf("hello world", 11, want);
	CHECK_MEM(h, want, HB);

	/* Output aliasing an input is allowed (the library relies on it). */
	hex(L0, a);
	hex(L1, b);
	ledger_node_hash(a, b, a);
	hex(N01, want);
	CHECK_MEM(a, want, HB);
	hex(L0, a);
	ledger_node_hash(a, b, b);
	CHECK_MEM(b, want, HB);
}

/*
 * ledger_leaf_hash has its own SHA-256 on CPUs with the SHA extensions:
 * every length across the padding edges (55/56/63/64 bytes with the
 * prefix) and multi-block leaves must give libsodium's digest.
 */
TEST(leaf_hash_all_lengths)
{
	static uint8_t d[2200], buf[2201];
	hash_t h, want;
	size_t i, len;

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 131 + 7);
	buf[0] = 0x00;
	memcpy(buf + 1, d, sizeof(d));
	for (len = 0; len <= sizeof(d); len++) {
		ledger_leaf_hash(d, len, h);
		crypto_hash_sha256(want, buf, len + 1);
		CHECK_MEM(h, want, HB);
	}
	ref_node(d, d + HB, want);
	ledger_node_hash(d, d + HB, h);
	CHECK_MEM(h, want, HB);
}

TEST(vector_tree)
{
	struct vt c = vt_new(8, 0);
	struct ledger_frontier f;
	hash_t h, want;
	uint64_t i;

	for (i = 0; i < 8; i++) {
		hex(vec_leaf[i], want);
		CHECK_MEM(c.leaf[i], want, HB);
	}
	ledger_frontier_init(&f);
	for (i = 0; i <= 8; i++) {
		c.size = i;
		CHECK_INT(ledger_merkle_root(i, rd_vt, &c, h), 0);
		hex(vec_root[i], want);
		CHECK_MEM(h, want, HB);
		ledger_frontier_root(&f, h);
		CHECK_MEM(h, want, HB);
		if (i < 8)
			CHECK_INT(ledger_frontier_append(&f, c.leaf[i], NULL,
			    NULL), 0);
	}
	c.size = 8;
	CHECK_INT(ledger_merkle_range_hash(2, 4, rd_vt, &c, h), 0);
	hex(N23, want);
	CHECK_MEM(h, want, HB);
	CHECK_INT(ledger_merkle_range_hash(4, 8, rd_vt, &c, h), 0);
	hex(N47, want);
	CHECK_MEM(h, want, HB);
	CHECK_INT(ledger_merkle_range_hash(4, 7, rd_vt, &c, h), 0);
	hex(N46, want);
	CHECK_MEM(h, want, HB);
	CHECK_INT(c.bad, 0);
}

TEST(vector_proofs)
{
	struct vt c = vt_new(0, 0);
	hash_t p[LEDGER_PROOF_MAX], want, rm, rn;
	size_t i, j, n;

	for (i = 0; i < sizeof(vec_incl) / sizeof(vec_incl[0]); i++) {
		const struct vproof *v = &vec_incl[i];

		c.size = v->b;
		CHECK_INT(ledger_merkle_inclusion(v->a, v->b, rd_vt, &c, p,
		    &n), 0);
		CHECK_INT(n, vproof_len(v));
		for (j = 0; j < n && j < 4; j++) {
			hex(v->h[j], want);
			CHECK_MEM(p[j], want, HB);
		}
		hex(vec_root[v->b], rn);
		CHECK_INT(ledger_merkle_verify_inclusion(v->a, v->b,
		    c.leaf[v->a], p, n, rn), 0);
	}
	for (i = 0; i < sizeof(vec_cons) / sizeof(vec_cons[0]); i++) {
		const struct vproof *v = &vec_cons[i];

		c.size = v->b;
		CHECK_INT(ledger_merkle_consistency(v->a, v->b, rd_vt, &c, p,
		    &n), 0);
		CHECK_INT(n, vproof_len(v));
		for (j = 0; j < n && j < 4; j++) {
			hex(v->h[j], want);
			CHECK_MEM(p[j], want, HB);
		}
		hex(vec_root[v->a], rm);
		hex(vec_root[v->b], rn);
		CHECK_INT(ledger_merkle_verify_consistency(v->a, v->b, rm, rn,
		    p, n), 0);
	}
	CHECK_INT(c.bad, 0);
}

/* RFC 6962 2.1.3's 7-leaf example, with its letters for the nodes. */
TEST(rfc_example)
{
	struct vt c = vt_new(7, 0);
	hash_t a, b, cc, d, e, f, g, h, i, j, k, l, p[LEDGER_PROOF_MAX];
	static const struct { uint64_t idx; int len; } incl[] = {
		{ 0, 3 }, { 3, 3 }, { 4, 3 }, { 6, 2 },
	};
	const uint8_t *want[4][3] = {
		{ b, h, l }, { cc, g, l }, { f, j, k }, { i, k },
	};
	const uint8_t *c3[] = { cc, d, g, l }, *c6[] = { i, j, k };
	size_t n, x, y;

	memcpy(a, c.leaf[0], HB);
	memcpy(b, c.leaf[1], HB);
	memcpy(cc, c.leaf[2], HB);
	memcpy(d, c.leaf[3], HB);
	memcpy(e, c.leaf[4], HB);
	memcpy(f, c.leaf[5], HB);
	memcpy(j, c.leaf[6], HB);
	ref_node(a, b, g);
	ref_node(cc, d, h);
	ref_node(e, f, i);
	ref_node(g, h, k);
	ref_node(i, j, l);
	for (x = 0; x < 4; x++) {
		CHECK_INT(ledger_merkle_inclusion(incl[x].idx, 7, rd_vt, &c,
		    p, &n), 0);
		CHECK_INT(n, incl[x].len);
		for (y = 0; y < n && y < 3; y++)
			CHECK_MEM(p[y], want[x][y], HB);
	}
	CHECK_INT(ledger_merkle_consistency(3, 7, rd_vt, &c, p, &n), 0);
	CHECK_INT(n, 4);
	for (y = 0; y < n && y < 4; y++)
		CHECK_MEM(p[y], c3[y], HB);
	CHECK_INT(ledger_merkle_consistency(4, 7, rd_vt, &c, p, &n), 0);
	CHECK_INT(n, 1);
	CHECK_MEM(p[0], l, HB);
	CHECK_INT(ledger_merkle_consistency(6, 7, rd_vt, &c, p, &n), 0);
	CHECK_INT(n, 3);
	for (y = 0; y < n && y < 3; y++)
		CHECK_MEM(p[y], c6[y], HB);
}

TEST(edge_cases)
{
	struct vt c = vt_new(8, 0);
	hash_t p[LEDGER_PROOF_MAX + 1], r1, r2, r8, h;
	size_t n;
	uint64_t s;

	hex(vec_root[1], r1);
	hex(vec_root[2], r2);
	hex(vec_root[8], r8);
	memset(p, 0, sizeof(p));

	/* Generation: m == n gives an empty proof; bad arguments refused. */
	for (s = 1; s <= 8; s++) {
		n = 99;
		CHECK_INT(ledger_merkle_consistency(s, s, rd_vt, &c, p, &n),
		    0);
		CHECK_INT(n, 0);
	}
	CHECK_INT(ledger_merkle_consistency(0, 8, rd_vt, &c, p, &n),
	    LEDGER_EINVAL);
	CHECK_INT(ledger_merkle_consistency(0, 0, rd_vt, &c, p, &n),
	    LEDGER_EINVAL);
	CHECK_INT(ledger_merkle_consistency(3, 2, rd_vt, &c, p, &n),
	    LEDGER_EINVAL);
	CHECK_INT(ledger_merkle_inclusion(8, 8, rd_vt, &c, p, &n),
	    LEDGER_EINVAL);
	CHECK_INT(ledger_merkle_inclusion(0, 0, rd_vt, &c, p, &n),
	    LEDGER_EINVAL);
	c.size = 1;
	CHECK_INT(ledger_merkle_inclusion(0, 1, rd_vt, &c, p, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(c.bad, 0);

	/* Range hashes the recursion never produces. */
	c.size = 8;
	CHECK_INT(ledger_merkle_range_hash(3, 2, rd_vt, &c, h), LEDGER_EINVAL);
	CHECK_INT(ledger_merkle_range_hash(1, 3, rd_vt, &c, h), LEDGER_EINVAL);
	CHECK_INT(ledger_merkle_range_hash(2, 6, rd_vt, &c, h), LEDGER_EINVAL);
	CHECK_INT(ledger_merkle_range_hash(4, 4, rd_vt, &c, h), 0);
	hex(vec_root[0], r2);
	CHECK_MEM(h, r2, HB);
	hex(vec_root[2], r2);

	/* Inclusion: size 1 is the leaf itself; bad index/size fail. */
	CHECK_INT(ledger_merkle_verify_inclusion(0, 1, r1, p, 0, r1), 0);
	CHECK_INT(ledger_merkle_verify_inclusion(0, 0, r1, p, 0, r1),
	    LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_inclusion(1, 1, r1, p, 0, r1),
	    LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_inclusion(0, 1, r1, p, 1, r1),
	    LEDGER_EPROOF);

	/* Consistency: (1,1), (n,n) empty and equal roots; else fail. */
	CHECK_INT(ledger_merkle_verify_consistency(1, 1, r1, r1, p, 0), 0);
	CHECK_INT(ledger_merkle_verify_consistency(8, 8, r8, r8, p, 0), 0);
	CHECK_INT(ledger_merkle_verify_consistency(8, 8, r8, r2, p, 0),
	    LEDGER_EPROOF);
	memcpy(p[0], r8, HB);
	CHECK_INT(ledger_merkle_verify_consistency(8, 8, r8, r8, p, 1),
	    LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_consistency(1, 2, r1, r2, p, 0),
	    LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_consistency(1, 0, r1, r2, p, 0),
	    LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_consistency(2, 1, r2, r1, p, 0),
	    LEDGER_EPROOF);
	/* An empty proof may be NULL: nothing is read from it. */
	hex(vec_root[3], h);
	CHECK_INT(ledger_merkle_verify_consistency(3, 8, h, r8, NULL, 0),
	    LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_inclusion(0, 8, r1, NULL, 0, r8),
	    LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_inclusion(0, 1, r1, NULL, 0, r1), 0);
	/* m == 0: empty proof only (TLOG-SPECS 1.4). */
	hex(vec_root[0], h);
	CHECK_INT(ledger_merkle_verify_consistency(0, 8, h, r8, p, 0), 0);
	CHECK_INT(ledger_merkle_verify_consistency(0, 0, h, h, p, 0), 0);
	/* Two empty trees: the roots must still agree, either way round. */
	CHECK_INT(ledger_merkle_verify_consistency(0, 0, h, r8, p, 0),
	    LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_consistency(0, 0, r8, h, p, 0),
	    LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_consistency(0, 8, h, r8, p, 1),
	    LEDGER_EPROOF);

	/* Over the cap fails before looking at the hashes. */
	CHECK_INT(ledger_merkle_verify_consistency(1, 8, r1, r8, p,
	    LEDGER_PROOF_MAX + 1), LEDGER_EPROOF);
	CHECK_INT(ledger_merkle_verify_inclusion(0, 8, r1, p,
	    LEDGER_PROOF_MAX + 1, r8), LEDGER_EPROOF);
}

/* Reader errors come back unchanged; the frontier survives them. */
TEST(reader_errors)
{
	struct vt c = vt_new(8, LEDGER_EIO);
	struct ledger_frontier f, g;
	hash_t p[LEDGER_PROOF_MAX], h;
	size_t n;

	CHECK_INT(ledger_merkle_root(7, rd_vt, &c, h), LEDGER_EIO);
	CHECK_INT(ledger_merkle_inclusion(3, 7, rd_vt, &c, p, &n),
	    LEDGER_EIO);
	CHECK_INT(ledger_merkle_consistency(3, 7, rd_vt, &c, p, &n),
	    LEDGER_EIO);
	ledger_frontier_init(&f);
	CHECK_INT(ledger_frontier_append(&f, c.leaf[0], NULL, NULL), 0);
	g = f;
	CHECK_INT(ledger_frontier_load(&f, 7, rd_vt, &c), LEDGER_EIO);
	CHECK(memcmp(&f, &g, sizeof(f)) == 0);
}

TEST(stored_hash_index)
{
	CHECK_INT(ledger_stored_hash_index(0, 0), 0);
	CHECK_INT(ledger_stored_hash_index(0, 1), 1);
	CHECK_INT(ledger_stored_hash_index(1, 0), 2);
	CHECK_INT(ledger_stored_hash_index(0, 5), 8);
	CHECK_INT(ledger_stored_hash_index(1, 2), 9);
	/* StoredHashCount(8): leaf 7 then its three completed parents. */
	CHECK_INT(ledger_stored_hash_index(3, 0) + 1, 15);
	CHECK_INT(ledger_stored_hash_index(0, 8), 15);
}

