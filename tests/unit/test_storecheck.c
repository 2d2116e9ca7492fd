/*
 * test_storecheck.c - ledger_store_check (ledger/storecheck.h) on a store
 * built here with arbitrary leaves: past two blocks, so the nodes above
 * the blocks (checked in the caller's thread) are covered too.  Each
 * damage is made on a fresh store and must be reported with its seq,
 * whatever the thread count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ledger/error.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/store.h"
#include "ledger/storecheck.h"

#define ORIGIN	"storecheck.example/unit"
/* Two whole blocks make a level-15 node; a few more leave a right edge. */
#define N	((1ULL << (LEDGER_SCHECK_BLOCK_LOG + 1)) + 1000 + 5)

static struct ledger_seckey key;

/* Leaves, nodes, ids, and a checkpoint every 1000 entries and at N. */
static struct ledger_store *
build(const char *name)
{
	struct ledger_store *st = NULL;
	struct ledger_frontier fr;
	struct ledger_checkpoint c;
	struct ledger_txn *txn;
	char dir[512], leaf[64], note[LEDGER_NOTE_MAX];
	uint8_t h[LEDGER_HASH_BYTES];
	uint64_t i;
	size_t len, nlen;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/%s", harness_tmpdir(), name);
	if (ledger_store_open(dir, LEDGER_STORE_CREATE, 1ULL << 30, &st) != 0 ||
	    ledger_store_init(st, ORIGIN) != 0 ||
	    ledger_txn_begin(st, 1, &txn) != 0) {
		CHECK(0);
		ledger_store_close(st);
		return NULL;
	}
	ledger_frontier_init(&fr);
	for (i = 0; i < N && rc == 0; i++) {
		len = (size_t)snprintf(leaf, sizeof(leaf), "{\"leaf\":%llu}",
		    (unsigned long long)i);
		ledger_leaf_hash(leaf, len, h);
		snprintf(note, sizeof(note), "id-%llu", (unsigned long long)i);
		if ((rc = ledger_entry_append(txn, i, leaf, len)) != 0 ||
		    (rc = ledger_frontier_append(&fr, h, ledger_txn_node_sink,
		    txn)) != 0 || (rc = ledger_id_put(txn, note, i)) != 0)
			break;
		if ((i + 1) % 1000 != 0 && i + 1 != N)
			continue;
		snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
		c.size = i + 1;
		ledger_frontier_root(&fr, c.root);
		if ((rc = ledger_checkpoint_sign(&key, &c, note, sizeof(note),
		    &nlen)) == 0)
			rc = ledger_ckpt_put(txn, c.size, note, nlen);
	}
	if (rc == 0)
		rc = ledger_meta_set_size(txn, N);
	CHECK_INT(rc == 0 ? ledger_txn_commit(txn) : rc, 0);
	if (rc != 0)
		ledger_txn_abort(txn);
	return st;
}

static int
check(struct ledger_store *st, unsigned flags, unsigned threads,
    struct ledger_scheck_bad *bad)
{
	struct ledger_scheck_stats s;
	int rc;

	rc = ledger_store_check(st, ORIGIN, &key.pub, flags, threads, bad, &s);
	if (rc == 0) {
		CHECK_INT(s.size, N);
		CHECK_INT(s.checkpoints, N / 1000 + 1);
		CHECK_INT(s.leaves, flags ? 0 : N);
	}
	return rc;
}

/* Write db[key] through f, in its own transaction. */
static void
poke(struct ledger_store *st, enum ledger_db db, uint64_t k,
    void (*f)(uint8_t *, size_t))
{
	struct ledger_txn *txn;
	const void *v;
	uint8_t kb[8], buf[LEDGER_NOTE_MAX];
	size_t n;

	ledger_be64_put(kb, k);
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	/* Entries live in bundles: k is a seq, changed in place. */
	if (db == LEDGER_DB_ENTRIES)
		CHECK_INT(ledger_entry_get(txn, k, (const uint8_t **)&v, &n),
		    0);
	else
		CHECK_INT(ledger_db_get(txn, db, kb, 8, &v, &n), 0);
	if (n > sizeof(buf))
		n = sizeof(buf);
	memcpy(buf, v, n);
	f(buf, n);
	if (db == LEDGER_DB_ENTRIES)
		CHECK_INT(ledger_entry_replace(txn, k, buf, n), 0);
	else
		CHECK_INT(ledger_db_put(txn, db, kb, 8, buf, n, 0), 0);
	CHECK_INT(ledger_txn_commit(txn), 0);
}

/* Bundle num of the entries database: its count byte made 0, or gone. */
static void
bundle_damage(struct ledger_store *st, uint64_t num, int del)
{
	struct ledger_txn *txn;
	const void *v;
	uint8_t kb[8], *copy;
	size_t n;

	CHECK_INT(LEDGER_BUNDLE_LEAVES, 16);
	ledger_be64_put(kb, num);
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	if (del)
		CHECK_INT(ledger_db_del(txn, LEDGER_DB_ENTRIES, kb, 8), 0);
	else {
		CHECK_INT(ledger_db_get(txn, LEDGER_DB_ENTRIES, kb, 8, &v, &n),
		    0);
		if ((copy = malloc(n)) == NULL) {
			CHECK(0);
			ledger_txn_abort(txn);
			return;
		}
		memcpy(copy, v, n);
		copy[0] = 0;
		CHECK_INT(ledger_db_put(txn, LEDGER_DB_ENTRIES, kb, 8, copy, n,
		    0), 0);
		free(copy);
	}
	CHECK_INT(ledger_txn_commit(txn), 0);
}

static void
flip_first(uint8_t *p, size_t n)
{
	(void)n;
	p[0] ^= 1;
}

static void
flip_before_end(uint8_t *p, size_t n)
{
	p[n - 10] ^= 0x20;	/* a letter of the signature's base64 */
}

/* Damage st, check with 1 and 2 threads: rc, seq and the message. */
static void
expect(struct ledger_store *st, unsigned flags, uint64_t seq,
    const char *what, const char *msg)
{
	struct ledger_scheck_bad bad;
	unsigned t;

	for (t = 1; t <= 3; t++) {
		CHECK_INT(check(st, flags, t, &bad), LEDGER_EPROOF);
		CHECK_INT(bad.seq, seq);
		CHECK_STR(bad.what, what);
		if (strstr(bad.msg, msg) == NULL)
			harness_fail(__FILE__, __LINE__, "message \"%s\" lacks "
			    "\"%s\"", bad.msg, msg);
	}
}

TEST(storecheck_clean)
{
	struct ledger_scheck_bad bad;
	struct ledger_store *st;

	CHECK_INT(ledger_seckey_generate(ORIGIN, &key), 0);
	if ((st = build("clean")) == NULL)
		return;
	CHECK_INT(check(st, 0, 0, &bad), 0);
	CHECK_INT(check(st, 0, 1, &bad), 0);
	CHECK_INT(check(st, LEDGER_SCHECK_NOLEAVES, 2, &bad), 0);
	CHECK_INT(ledger_store_check(st, ORIGIN, &key.pub, 0x80, 1, &bad, NULL),
	    LEDGER_EINVAL);
	ledger_store_close(st);
}

TEST(storecheck_damage)
{
	struct ledger_store *st;
	uint64_t mid = 20000, top = 1ULL << (LEDGER_SCHECK_BLOCK_LOG + 1);

	CHECK_INT(ledger_seckey_generate(ORIGIN, &key), 0);
	/* An entry in the second block, and the last entry. */
	if ((st = build("leaf")) == NULL)
		return;
	poke(st, LEDGER_DB_ENTRIES, mid, flip_first);
	poke(st, LEDGER_DB_ENTRIES, N - 1, flip_first);
	expect(st, 0, mid, "entry", "entry 20000 does not hash to the stored");
	/* tree mode does not read leaves */
	{
		struct ledger_scheck_bad bad;

		CHECK_INT(check(st, LEDGER_SCHECK_NOLEAVES, 2, &bad), 0);
	}
	ledger_store_close(st);

	/* The level-15 node over both blocks: above them, this thread. */
	if ((st = build("top")) == NULL)
		return;
	poke(st, LEDGER_DB_NODES, ledger_stored_hash_index(15, 0),
	    flip_first);
	expect(st, 0, 0, "node", "node level 15 index 0 (entries 0..32767)");
	expect(st, LEDGER_SCHECK_NOLEAVES, 0, "node", "level 15 index 0");
	ledger_store_close(st);

	/* A block's own top node and a low one in the last block. */
	if ((st = build("block")) == NULL)
		return;
	poke(st, LEDGER_DB_NODES, ledger_stored_hash_index(3, top / 8 + 2),
	    flip_first);
	poke(st, LEDGER_DB_NODES, ledger_stored_hash_index(14, 1),
	    flip_first);
	expect(st, 0, 1ULL << 14, "node", "node level 14 index 1");
	ledger_store_close(st);

	/* An older checkpoint's signature, then a later one's size line. */
	if ((st = build("ckpt")) == NULL)
		return;
	poke(st, LEDGER_DB_CHECKPOINTS, 5000, flip_before_end);
	poke(st, LEDGER_DB_CHECKPOINTS, N, flip_before_end);
	expect(st, 0, 5000, "checkpoint", "checkpoint 5000 does not verify");
	ledger_store_close(st);

	/* A bundle's leaf count, then a bundle gone (tree mode counts). */
	if ((st = build("bundle")) == NULL)
		return;
	bundle_damage(st, 62, 0);
	expect(st, 0, 62 * 16, "entry", "entry 992 is in a damaged bundle "
	    "(key 62 of the entries database)");
	ledger_store_close(st);
	if ((st = build("nobundle")) == NULL)
		return;
	bundle_damage(st, 62, 1);
	expect(st, 0, 62 * 16, "entry", "entry 992 is missing");
	expect(st, LEDGER_SCHECK_NOLEAVES, N, "entry", "bundles are missing "
	    "below the last one");
	ledger_store_close(st);
}
