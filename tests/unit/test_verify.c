/*
 * test_verify.c - the ledger verifier against real ledgers built with the
 * append code the daemon uses: an honest ledger passes; each kind of
 * tampering is found at the right seq with the right code, with one
 * thread or several, and in a ledger longer than one verifier batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "harness.h"
#include "ledger/append.h"
#include "ledger/registry.h"
#include "ledger/statement.h"
#include "ledger/store.h"
#include "ledger/verify.h"

#include "ledger_util.h"

/* Stored nodes of a tree of n leaves: floor(n / 2^l) at each level l. */
static uint64_t
nodes_of(uint64_t n)
{
	uint64_t sum = 0;

	for (; n > 0; n >>= 1)
		sum += n;
	return sum;
}

struct vres {
	int			rc;
	struct ledger_vstats	st;
	struct ledger_vproblem	first;
	uint64_t		size;
	uint64_t		latest;
	int			ok;
};

static void
verify(const char *dir, unsigned threads, unsigned flags,
    const char *trusted, size_t tlen, struct vres *r)
{
	const struct ledger_vproblem *p;
	struct ledger_verifier *v = NULL;
	struct ledger_store *st = NULL;
	struct ledger_txn *txn;
	char origin[LEDGER_KEYNAME_MAX + 1];
	const char *note;
	size_t len;

	memset(r, 0, sizeof(*r));
	r->rc = ledger_store_open(dir, LEDGER_STORE_RDONLY, 1ULL << 30, &st);
	if (r->rc != 0)
		return;
	if ((r->rc = ledger_txn_begin(st, 0, &txn)) == 0) {
		r->rc = ledger_meta_origin(txn, origin, sizeof(origin));
		ledger_txn_abort(txn);
	}
	if (r->rc == 0)
		r->rc = ledger_verifier_new(origin, &lkey.pub, threads, flags,
		    &v);
	if (r->rc == 0 && trusted != NULL)
		r->rc = ledger_verifier_checkpoint(v, trusted, tlen,
		    LEDGER_SEQ_ANY, 1);
	if (r->rc == 0)
		r->rc = ledger_verify_store(st, v, NULL, NULL, &r->size);
	if (v != NULL) {
		ledger_verifier_stats(v, &r->st);
		if ((p = ledger_verifier_first(v)) != NULL)
			r->first = *p;
		r->ok = ledger_verifier_ok(v);
		if (ledger_verifier_latest(v, &note, &len, &r->latest) != 0)
			r->latest = UINT64_MAX;
	}
	ledger_verifier_free(v);
	ledger_store_close(st);
}

static void
expect(const char *dir, unsigned threads, const char *trusted, size_t tlen,
    uint64_t seq, const char *code)
{
	struct vres r;

	verify(dir, threads, 0, trusted, tlen, &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.ok, 0);
	CHECK_INT(r.st.problems, 1);
	CHECK_INT(r.first.seq, seq);
	CHECK_STR(r.first.code, code);
	if (r.first.code == NULL || strcmp(r.first.code, code) != 0 ||
	    r.first.seq != seq)
		fprintf(stderr, "  got seq %llu %s: %s\n",
		    (unsigned long long)r.first.seq,
		    r.first.code ? r.first.code : "-", r.first.msg);
}

/* --- tampering, with the daemon stopped --- */

static struct ledger_store *
open_rw(const char *dir, struct ledger_txn **txn)
{
	struct ledger_store *st = NULL;

	CHECK_INT(ledger_store_open(dir, 0, 1ULL << 30, &st), 0);
	if (st != NULL)
		CHECK_INT(ledger_txn_begin(st, 1, txn), 0);
	return st;
}

static void
close_rw(struct ledger_store *st, struct ledger_txn *txn)
{
	CHECK_INT(ledger_txn_commit(txn), 0);
	ledger_store_close(st);
}

static void
put_raw(struct ledger_txn *txn, uint64_t seq, const void *data, size_t len)
{
	int rc;

	/* Over a stored entry, else as the next one. */
	rc = ledger_entry_replace(txn, seq, data, len);
	if (rc == LEDGER_ENOTFOUND)
		rc = ledger_entry_append(txn, seq, data, len);
	CHECK_INT(rc, 0);
}

/* Read the leaf at seq: its statement, time and prev. */
static void
get_leaf(struct ledger_txn *txn, uint64_t seq, struct ledger_leaf *leaf)
{
	const uint8_t *data;
	size_t len;

	CHECK_INT(ledger_entry_get(txn, seq, &data, &len), 0);
	CHECK_INT(ledger_leaf_parse(data, len, leaf, NULL), 0);
}

/* Store st as the leaf at seq with the given time and prev. */
static void
put_leaf(struct ledger_txn *txn, uint64_t seq,
    const struct ledger_statement *st, int64_t t,
    const uint8_t prev[LEDGER_HASH_BYTES])
{
	uint8_t hash[LEDGER_HASH_BYTES];
	char *leaf = NULL;
	size_t len;

	CHECK_INT(ledger_leaf_build(st, seq, t, prev, &leaf, &len, hash, NULL),
	    0);
	if (leaf != NULL)
		put_raw(txn, seq, leaf, len);
	free(leaf);
}

TEST(honest_ledger_verifies)
{
	char dir[512], note[LEDGER_NOTE_MAX];
	const char *cn;
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct vres r, r4, nosig;
	size_t len;

	build(dir, sizeof(dir), 40, 7, 0);
	verify(dir, 1, 0, NULL, 0, &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.ok, 1);
	CHECK_INT(r.st.problems, 0);
	CHECK_INT(r.st.entries, 40);
	CHECK_INT(r.size, 40);
	CHECK_INT(r.st.sigs, 39);		/* genesis has none */
	CHECK_INT(r.st.checkpoints, 40 / 7 + 1);
	CHECK_INT(r.st.nodes, nodes_of(40));
	CHECK_INT(r.latest, 40);
	verify(dir, 4, 0, NULL, 0, &r4);
	CHECK_INT(r4.ok, 1);
	CHECK_MEM(r4.st.root, r.st.root, LEDGER_HASH_BYTES);
	CHECK_INT(r4.st.sigs, 39);
	verify(dir, 2, LEDGER_VERIFY_NOSIG, NULL, 0, &nosig);
	CHECK_INT(nosig.ok, 1);
	CHECK_INT(nosig.st.sigs, 0);

	/* A trusted checkpoint taken earlier is consistent. */
	st = NULL;
	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_RDONLY, 1ULL << 30, &st),
	    0);
	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_ckpt_get(txn, 14, &cn, &len), 0);
	memcpy(note, cn, len);
	ledger_txn_abort(txn);
	ledger_store_close(st);
	verify(dir, 2, 0, note, len, &r);
	CHECK_INT(r.ok, 1);
	CHECK_INT(r.st.checkpoints, 40 / 7 + 2);
}

TEST(node_count)
{
	char dir[512];
	struct vres r;

	build(dir, sizeof(dir), 33, 33, 0);
	verify(dir, 1, 0, NULL, 0, &r);
	CHECK_INT(r.ok, 1);
	CHECK_INT(r.st.nodes, 33 + 16 + 8 + 4 + 2 + 1);
	CHECK_INT(r.st.checkpoints, 1);
}

TEST(changed_byte_in_body)
{
	char dir[512], *buf;
	struct ledger_store *st;
	struct ledger_txn *txn;
	const uint8_t *data;
	size_t len;
	char *p;

	build(dir, sizeof(dir), 30, 10, 0);
	st = open_rw(dir, &txn);
	CHECK_INT(ledger_entry_get(txn, 17, &data, &len), 0);
	buf = malloc(len);
	memcpy(buf, data, len);
	/* One letter of the motion: still canonical, signature broken. */
	p = memmem(buf, len, "Build the bridge", 16);
	CHECK(p != NULL);
	if (p != NULL)
		p[0] = 'G';
	put_raw(txn, 17, buf, len);
	free(buf);
	close_rw(st, txn);
	expect(dir, 1, NULL, 0, 17, "signature");
	expect(dir, 3, NULL, 0, 17, "signature");
}

TEST(not_canonical)
{
	char dir[512], *buf;
	struct ledger_store *st;
	struct ledger_txn *txn;
	const uint8_t *data;
	size_t len;

	build(dir, sizeof(dir), 12, 4, 0);
	st = open_rw(dir, &txn);
	CHECK_INT(ledger_entry_get(txn, 5, &data, &len), 0);
	buf = malloc(len + 1);
	buf[0] = '{';
	buf[1] = ' ';		/* whitespace: same JSON, other bytes */
	memcpy(buf + 2, data + 1, len - 1);
	put_raw(txn, 5, buf, len + 1);
	free(buf);
	close_rw(st, txn);
	expect(dir, 2, NULL, 0, 5, "encoding");
}

TEST(resigned_with_foreign_key)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	get_leaf(txn, 9, &leaf);
	/* Same key name "conv", another secret: the registered key fails. */
	CHECK_INT(ledger_statement_sign(leaf.st, ORIGIN, &evil_conv), 0);
	put_leaf(txn, 9, leaf.st, leaf.time_ms, leaf.prev);
	ledger_leaf_clear(&leaf);
	/* An unregistered key name. */
	get_leaf(txn, 20, &leaf);
	CHECK_INT(ledger_statement_sign(leaf.st, ORIGIN, &ghost), 0);
	put_leaf(txn, 20, leaf.st, leaf.time_ms, leaf.prev);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	expect(dir, 2, NULL, 0, 9, "signature");
}

TEST(unregistered_key)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;
	json_t *sigs;

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	get_leaf(txn, 11, &leaf);
	/* Only the ghost's signature left. */
	sigs = json_object_get(leaf.st->json, "signatures");
	json_array_clear(sigs);
	leaf.st->nsigs = 0;
	CHECK_INT(ledger_statement_sign(leaf.st, ORIGIN, &ghost), 0);
	put_leaf(txn, 11, leaf.st, leaf.time_ms, leaf.prev);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	expect(dir, 1, NULL, 0, 11, "key");
}

TEST(broken_prev)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	get_leaf(txn, 13, &leaf);
	leaf.prev[31] ^= 1;
	put_leaf(txn, 13, leaf.st, leaf.time_ms, leaf.prev);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	expect(dir, 2, NULL, 0, 13, "prev");
}

TEST(time_goes_back)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	get_leaf(txn, 16, &leaf);
	put_leaf(txn, 16, leaf.st, leaf.time_ms - 5000, leaf.prev);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	expect(dir, 1, NULL, 0, 16, "time");
}

TEST(duplicate_id)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;
	struct ledger_statement *s;

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	get_leaf(txn, 19, &leaf);
	s = vote("vote-18", 19, &conv);
	CHECK(s != NULL);
	if (s != NULL)
		put_leaf(txn, 19, s, leaf.time_ms, leaf.prev);
	ledger_statement_free(s);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	expect(dir, 1, NULL, 0, 19, "id");
}

TEST(body_off_schema)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;
	struct ledger_statement *s;
	json_t *body;

	build(dir, sizeof(dir), 12, 4, 0);
	st = open_rw(dir, &txn);
	get_leaf(txn, 8, &leaf);
	body = vote_body(8);
	json_object_del(body, "minutes");
	/* Properly signed by the convener, but no minutes. */
	s = stmt(json_pack("{s:s, s:s, s:o, s:[]}", "id", "vote-8", "kind",
	    "vote", "body", body, "signatures"), &conv);
	CHECK(s != NULL);
	if (s != NULL)
		put_leaf(txn, 8, s, leaf.time_ms, leaf.prev);
	ledger_statement_free(s);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	expect(dir, 2, NULL, 0, 8, "schema");
}

TEST(rule_broken)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;
	struct ledger_statement *s;
	json_t *body;

	build(dir, sizeof(dir), 12, 4, 0);
	st = open_rw(dir, &txn);
	get_leaf(txn, 6, &leaf);
	body = vote_body(6);
	/* 6 of 9 present is more than half: "fail" is not the outcome. */
	json_object_set_new(body, "result", json_string("fail"));
	s = stmt(json_pack("{s:s, s:s, s:o, s:[]}", "id", "vote-6", "kind",
	    "vote", "body", body, "signatures"), &conv);
	CHECK(s != NULL);
	if (s != NULL)
		put_leaf(txn, 6, s, leaf.time_ms, leaf.prev);
	ledger_statement_free(s);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	expect(dir, 2, NULL, 0, 6, "rule");
}

TEST(swapped_entries)
{
	char dir[512], *a, *b;
	struct ledger_store *st;
	struct ledger_txn *txn;
	const uint8_t *data;
	size_t alen, blen;

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	CHECK_INT(ledger_entry_get(txn, 6, &data, &alen), 0);
	a = malloc(alen);
	memcpy(a, data, alen);
	CHECK_INT(ledger_entry_get(txn, 7, &data, &blen), 0);
	b = malloc(blen);
	memcpy(b, data, blen);
	put_raw(txn, 6, b, blen);
	put_raw(txn, 7, a, alen);
	free(a);
	free(b);
	close_rw(st, txn);
	expect(dir, 2, NULL, 0, 6, "seq");
}

TEST(changed_node)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	uint8_t key[8], h[LEDGER_HASH_BYTES];

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	/* Node (level 2, index 3) covers leaves 12..15: done at leaf 15. */
	CHECK_INT(ledger_node_get(txn, 2, 3, h), 0);
	h[0] ^= 0x80;
	ledger_be64_put(key, ledger_stored_hash_index(2, 3));
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_NODES, key, 8, h, sizeof(h), 0),
	    0);
	close_rw(st, txn);
	expect(dir, 1, NULL, 0, 15, "node");
}

/*
 * A node gone from the store: one problem at the leaf that completes it,
 * and every later node still found (the reader steps a cursor forward
 * and must seek again past the gap).
 */
TEST(missing_node)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct vres r;
	uint8_t key[8];

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	/* Node (level 1, index 5) covers leaves 10 and 11. */
	ledger_be64_put(key, ledger_stored_hash_index(1, 5));
	CHECK_INT(ledger_db_del(txn, LEDGER_DB_NODES, key, 8), 0);
	close_rw(st, txn);
	verify(dir, 1, LEDGER_VERIFY_ALL, NULL, 0, &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.st.problems, 1);
	CHECK_INT(r.first.seq, 11);
	CHECK_STR(r.first.code, "node");
	CHECK_INT(r.st.nodes, nodes_of(25) - 1);
}

TEST(missing_entry)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	CHECK_INT(ledger_entry_replace(txn, 21, NULL, 0), 0);
	close_rw(st, txn);
	expect(dir, 2, NULL, 0, 21, "seq");
}

TEST(checkpoint_by_other_key)
{
	char dir[512], note[LEDGER_NOTE_MAX];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_checkpoint c;
	uint8_t key[8];
	const char *cn;
	size_t len;

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	CHECK_INT(ledger_ckpt_get(txn, 15, &cn, &len), 0);
	CHECK_INT(ledger_checkpoint_open(cn, len, &lkey.pub, &c), 0);
	/* Same origin and root, signed by a key of the same name. */
	CHECK_INT(sign_ckpt(&other_lkey, 15, c.root, note, &len), 0);
	ledger_be64_put(key, 15);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_CHECKPOINTS, key, 8, note, len,
	    0), 0);
	close_rw(st, txn);
	expect(dir, 2, NULL, 0, 15, "checkpoint");
}

TEST(checkpoint_wrong_root)
{
	char dir[512], note[LEDGER_NOTE_MAX];
	struct ledger_store *st;
	struct ledger_txn *txn;
	uint8_t key[8], root[LEDGER_HASH_BYTES];
	size_t len;

	build(dir, sizeof(dir), 25, 5, 0);
	st = open_rw(dir, &txn);
	memset(root, 0x42, sizeof(root));
	CHECK_INT(sign_ckpt(&lkey, 10, root, note, &len), 0);
	ledger_be64_put(key, 10);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_CHECKPOINTS, key, 8, note, len,
	    0), 0);
	close_rw(st, txn);
	expect(dir, 1, NULL, 0, 10, "tree");
}

TEST(trusted_fork_and_shrink)
{
	char dir[512], note[LEDGER_NOTE_MAX];
	uint8_t root[LEDGER_HASH_BYTES];
	struct vres r;
	size_t len;

	build(dir, sizeof(dir), 25, 5, 0);
	/* Same size, another root, signed by the real ledger key: a fork. */
	memset(root, 0x17, sizeof(root));
	CHECK_INT(sign_ckpt(&lkey, 12, root, note, &len), 0);
	expect(dir, 2, note, len, 12, "consistency");
	/* A size the ledger no longer reaches: it shrank. */
	CHECK_INT(sign_ckpt(&lkey, 30, root, note, &len), 0);
	expect(dir, 1, note, len, 30, "consistency");
	/* A trusted checkpoint by another key is refused. */
	CHECK_INT(sign_ckpt(&other_lkey, 12, root, note, &len), 0);
	expect(dir, 1, note, len, 12, "checkpoint");
	/* --all: both the fork and the shrink are counted. */
	CHECK_INT(sign_ckpt(&lkey, 12, root, note, &len), 0);
	verify(dir, 2, LEDGER_VERIFY_ALL, note, len, &r);
	CHECK_INT(r.st.problems, 1);
	CHECK_INT(r.st.entries, 25);
}

TEST(all_counts_every_problem)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;
	struct vres r;

	build(dir, sizeof(dir), 30, 10, 0);
	st = open_rw(dir, &txn);
	get_leaf(txn, 4, &leaf);
	leaf.prev[0] ^= 1;
	put_leaf(txn, 4, leaf.st, leaf.time_ms, leaf.prev);
	ledger_leaf_clear(&leaf);
	get_leaf(txn, 22, &leaf);
	CHECK_INT(ledger_statement_sign(leaf.st, ORIGIN, &evil_conv), 0);
	put_leaf(txn, 22, leaf.st, leaf.time_ms, leaf.prev);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	verify(dir, 2, LEDGER_VERIFY_ALL, NULL, 0, &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.st.entries, 30);
	CHECK_INT(r.first.seq, 4);
	CHECK_STR(r.first.code, "prev");
	/*
	 * prev at 4; the new hashes of leaves 4 and 22 break prev at 5 and
	 * 23, the checkpoints at 10, 20 and 30, and the stored nodes above
	 * them: (0,4) (1,2) (2,1) (3,0) (4,0) and (0,22) (1,11) (2,5) (3,2);
	 * and the signature at 22.
	 */
	CHECK_INT(r.st.problems, 1 + 2 + 3 + 9 + 1);
}

/*
 * Longer than one batch, with a key registered inside the first batch and
 * used in both: exercises the ordered crypto path and the pool's.
 */
TEST(across_batches)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;
	struct vres r;

	build(dir, sizeof(dir), 2300, 500, 2040);
	verify(dir, 3, 0, NULL, 0, &r);
	CHECK_INT(r.ok, 1);
	CHECK_INT(r.st.entries, 2300);
	CHECK_INT(r.st.sigs, 2299);
	CHECK_INT(r.st.checkpoints, 5);
	CHECK_INT(r.st.nodes, nodes_of(2300));

	/* conv2's bad signatures: in its own batch, and in the next. */
	st = open_rw(dir, &txn);
	get_leaf(txn, 2047, &leaf);
	CHECK_INT(ledger_statement_sign(leaf.st, ORIGIN, &evil_conv2), 0);
	put_leaf(txn, 2047, leaf.st, leaf.time_ms, leaf.prev);
	ledger_leaf_clear(&leaf);
	get_leaf(txn, 2201, &leaf);
	CHECK_INT(ledger_statement_sign(leaf.st, ORIGIN, &evil_conv2), 0);
	put_leaf(txn, 2201, leaf.st, leaf.time_ms, leaf.prev);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	expect(dir, 3, NULL, 0, 2047, "signature");
	expect(dir, 1, NULL, 0, 2047, "signature");
	verify(dir, 2, LEDGER_VERIFY_ALL, NULL, 0, &r);
	CHECK_INT(r.first.seq, 2047);
	CHECK_INT(r.st.entries, 2300);
	/* Both signatures and both broken links, then tree and nodes. */
	CHECK(r.st.problems >= 4);
}

/* A source that publishes only even levels, with one node wrong. */
struct evens {
	struct ledger_txn	*txn;
	unsigned		 calls;
};

static int
evens_reader(void *ctx, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES])
{
	struct evens *e = ctx;
	int rc;

	if (level % 2 == 1)
		return LEDGER_VERIFY_SKIP;
	e->calls++;
	if ((rc = ledger_node_get(e->txn, level, index, out)) != 0)
		return rc;
	if (level == 2 && index == 4)
		out[5] ^= 1;
	return 0;
}

TEST(node_reader_skips_and_finds)
{
	char dir[512];
	struct ledger_verifier *v = NULL;
	struct ledger_store *st = NULL;
	struct ledger_vstats vs;
	const struct ledger_vproblem *p;
	const uint8_t *data;
	struct evens e;
	uint64_t seq;
	size_t len;

	build(dir, sizeof(dir), 30, 30, 0);
	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_RDONLY, 1ULL << 30, &st),
	    0);
	if (st == NULL)
		return;
	memset(&e, 0, sizeof(e));
	CHECK_INT(ledger_txn_begin(st, 0, &e.txn), 0);
	CHECK_INT(ledger_verifier_new(ORIGIN, &lkey.pub, 2,
	    LEDGER_VERIFY_ALL, &v), 0);
	ledger_verifier_set_nodes(v, evens_reader, &e);
	for (seq = 0; seq < 30; seq++) {
		CHECK_INT(ledger_entry_get(e.txn, seq, &data, &len), 0);
		CHECK_INT(ledger_verifier_leaf(v, seq, data, len), 0);
	}
	CHECK_INT(ledger_verifier_finish(v), 0);
	ledger_verifier_stats(v, &vs);
	/* levels 0, 2, 4 of 30 leaves: 30 + 7 + 1 nodes. */
	CHECK_INT(vs.nodes, 38);
	CHECK_INT(e.calls, 38);
	CHECK_INT(vs.problems, 1);
	p = ledger_verifier_first(v);
	CHECK(p != NULL);
	if (p != NULL) {
		CHECK_INT(p->seq, 19);		/* (2, 4) covers 16..19 */
		CHECK_STR(p->code, "node");
	}
	/* No checkpoint was fed: nothing signed was verified. */
	CHECK_INT(ledger_verifier_latest(v, (const char **)&data, &len, &seq),
	    LEDGER_ENOTFOUND);
	ledger_verifier_free(v);
	ledger_txn_abort(e.txn);
	ledger_store_close(st);
}

/*
 * The store scan renews its snapshot every LEDGER_VERIFY_RENEW entries:
 * across a renew every leaf is verified once, and a tampered one past it
 * is still found.
 */
TEST(across_snapshots)
{
	char dir[512];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_leaf leaf;
	uint64_t n = LEDGER_VERIFY_RENEW + 300;
	struct vres r;

	build(dir, sizeof(dir), n, 1000, 0);
	verify(dir, 2, 0, NULL, 0, &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.ok, 1);
	CHECK_INT(r.st.entries, n);
	CHECK_INT(r.st.sigs, n - 1);
	CHECK_INT(r.st.nodes, nodes_of(n));

	st = open_rw(dir, &txn);
	get_leaf(txn, LEDGER_VERIFY_RENEW + 1, &leaf);
	CHECK_INT(ledger_statement_sign(leaf.st, ORIGIN, &evil_conv), 0);
	put_leaf(txn, LEDGER_VERIFY_RENEW + 1, leaf.st, leaf.time_ms,
	    leaf.prev);
	ledger_leaf_clear(&leaf);
	close_rw(st, txn);
	expect(dir, 2, NULL, 0, LEDGER_VERIFY_RENEW + 1, "signature");
}

TEST(api_misuse)
{
	struct ledger_verifier *v = NULL;
	struct vres r;

	keys();
	CHECK_INT(ledger_verifier_new(ORIGIN, &lkey.pub, 2, 0, &v), 0);
	if (v == NULL)
		return;
	CHECK_INT(ledger_verifier_leaf(v, 1, "{}", 2), LEDGER_EINVAL);
	CHECK_INT(ledger_verifier_leaf(v, 0, "{}", 2), 0);
	/* A checkpoint for a size already fed past comes too late. */
	CHECK_INT(ledger_verifier_checkpoint(v, "x", 1, 0, 0), LEDGER_EINVAL);
	CHECK_INT(ledger_verifier_finish(v), 0);
	CHECK_INT(ledger_verifier_ok(v), 0);
	CHECK(ledger_verifier_first(v) != NULL);
	CHECK_STR(ledger_verifier_first(v)->code, "encoding");
	ledger_verifier_free(v);
	ledger_verifier_free(NULL);

	/* A trusted "checkpoint" that is not a note at all. */
	CHECK_INT(ledger_verifier_new(ORIGIN, &lkey.pub, 1, 0, &v), 0);
	if (v == NULL)
		return;
	CHECK_INT(ledger_verifier_checkpoint(v, "hello\n", 6, LEDGER_SEQ_ANY,
	    1), 0);
	CHECK_INT(ledger_verifier_ok(v), 0);
	CHECK(ledger_verifier_first(v) != NULL &&
	    strcmp(ledger_verifier_first(v)->code, "checkpoint") == 0);
	/* Stopped: feeding is a no-op. */
	CHECK_INT(ledger_verifier_leaf(v, 0, "{}", 2), 0);
	CHECK(ledger_verifier_stopped(v));
	ledger_verifier_free(v);

	verify("/nonexistent/ledger", 1, 0, NULL, 0, &r);
	CHECK_INT(r.rc, LEDGER_ENOTFOUND);
}
