/*
 * test_index.c - the query indexes in DIR/index.mdb against real ledgers:
 * their rows, and the rebuild after each way a crash or an operator can
 * leave the file (lost, from another boot, from another ledger, ahead of
 * a restored data.mdb, lagging by a batch).  A rebuilt index must hold
 * exactly the rows the append path wrote.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "harness.h"
#include "ledger/error.h"
#include "ledger/index.h"
#include "ledger/merkle.h"
#include "ledger/store.h"

#include "ledger_util.h"

static const enum ledger_db index_dbs[] = {
	LEDGER_DB_BY_OCID, LEDGER_DB_BY_ORG, LEDGER_DB_BY_KIND_TIME,
	LEDGER_DB_BY_CONTRACT,
};

static struct ledger_store *
open_store(const char *dir, unsigned flags)
{
	struct ledger_store *st = NULL;

	CHECK_INT(ledger_store_open(dir, flags, 1ULL << 30, &st), 0);
	return st;
}

/* Every row of the four indexes, as text, in key order (malloc'd). */
static char *
dump(struct ledger_store *st)
{
	struct ledger_cursor *c;
	struct ledger_txn *txn;
	const uint8_t *k, *v;
	size_t kl, vl, i, j, len = 0, cap = 1 << 16;
	char *out = calloc(1, cap);
	int rc;

	if (out == NULL || ledger_txn_begin(st, 0, &txn) != 0)
		return out;
	for (i = 0; i < sizeof(index_dbs) / sizeof(index_dbs[0]); i++) {
		if (ledger_cursor_open(txn, index_dbs[i], &c) != 0)
			continue;
		for (rc = ledger_cursor_seek(c, NULL, 0, (const void **)&k,
		    &kl, (const void **)&v, &vl); rc == 0;
		    rc = ledger_cursor_next(c, (const void **)&k, &kl,
		    (const void **)&v, &vl)) {
			if (len + 2 * (kl + vl) + 8 >= cap &&
			    (out = realloc(out, cap *= 2)) == NULL)
				break;
			len += (size_t)sprintf(out + len, "%zu ", i);
			for (j = 0; j < kl; j++)
				len += (size_t)sprintf(out + len, "%02x", k[j]);
			out[len++] = ':';
			for (j = 0; j < vl; j++)
				len += (size_t)sprintf(out + len, "%02x", v[j]);
			out[len++] = '\n';
			out[len] = '\0';
		}
		ledger_cursor_close(c);
	}
	ledger_txn_abort(txn);
	return out;
}

static uint64_t
mark_of(struct ledger_store *st)
{
	struct ledger_txn *txn;
	uint64_t upto = UINT64_MAX;

	if (ledger_txn_begin(st, 0, &txn) != 0)
		return upto;
	CHECK_INT(ledger_index_upto(txn, &upto, NULL), 0);
	ledger_txn_abort(txn);
	return upto;
}

/* The rows of value in index db. */
static unsigned
rows_for(struct ledger_store *st, enum ledger_db db, const char *value)
{
	struct ledger_cursor *c;
	struct ledger_txn *txn;
	const char *k;
	size_t kl, n = strlen(value);
	unsigned count = 0;
	int rc;

	if (ledger_txn_begin(st, 0, &txn) != 0)
		return 0;
	if (ledger_cursor_open(txn, db, &c) == 0) {
		for (rc = ledger_cursor_seek(c, value, n, (const void **)&k,
		    &kl, NULL, NULL); rc == 0 && kl == n + 9 &&
		    memcmp(k, value, n) == 0 && k[n] == 0;
		    rc = ledger_cursor_next(c, (const void **)&k, &kl, NULL,
		    NULL))
			count++;
		ledger_cursor_close(c);
	}
	ledger_txn_abort(txn);
	return count;
}

/* Write meta key = val of DIR/index.mdb behind the store's back. */
static void
poke(const char *dir, const char *key, const void *val, size_t vlen)
{
	char path[512];
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;
	MDB_val k = { strlen(key), (void *)key }, v = { vlen, (void *)val };

	snprintf(path, sizeof(path), "%s/index.mdb", dir);
	CHECK_INT(mdb_env_create(&env), 0);
	CHECK_INT(mdb_env_set_maxdbs(env, 8), 0);
	CHECK_INT(mdb_env_open(env, path, MDB_NOSUBDIR, 0600), 0);
	CHECK_INT(mdb_txn_begin(env, NULL, 0, &t), 0);
	CHECK_INT(mdb_dbi_open(t, "meta", 0, &dbi), 0);
	CHECK_INT(mdb_put(t, dbi, &k, &v, 0), 0);
	CHECK_INT(mdb_txn_commit(t), 0);
	mdb_env_close(env);
}

/* The leaf hash of entry seq. */
static void
leaf_hash_of(struct ledger_store *st, uint64_t seq,
    uint8_t out[LEDGER_HASH_BYTES])
{
	struct ledger_txn *txn;
	const uint8_t *data;
	size_t len;

	memset(out, 0, LEDGER_HASH_BYTES);
	if (ledger_txn_begin(st, 0, &txn) != 0)
		return;
	if (ledger_entry_get(txn, seq, &data, &len) == 0)
		ledger_leaf_hash(data, len, out);
	ledger_txn_abort(txn);
}

static void
copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	CHECK(in != NULL && out != NULL);
	while (in != NULL && out != NULL && (n = fread(buf, 1, sizeof(buf),
	    in)) > 0)
		CHECK(fwrite(buf, 1, n, out) == n);
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
}

static void
path_in(char *out, size_t outsz, const char *dir, const char *name)
{
	snprintf(out, outsz, "%s/%s", dir, name);
}

/* Append votes seq .. n - 1 to a built ledger. */
static void
grow(const char *dir, uint64_t n)
{
	struct ledger_store *st = open_store(dir, 0);
	struct ledger_appender a;
	struct ledger_txn *txn;
	char id[32];

	if (st == NULL)
		return;
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_appender_load(&a, txn), 0);
	while (a.size < n) {
		snprintf(id, sizeof(id), "vote-%llu",
		    (unsigned long long)a.size);
		if (add(&a, txn, vote(id, a.size, &conv)) != 0)
			break;
	}
	CHECK_INT(a.size, n);
	CHECK_INT(ledger_txn_commit(txn), 0);
	ledger_store_close(st);
}

TEST(rows_follow_appends)
{
	char dir[256], path[512];
	uint8_t tip[LEDGER_HASH_BYTES], hash[LEDGER_HASH_BYTES];
	struct ledger_store *st;
	struct ledger_txn *txn;
	uint64_t upto = 0;
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;

	build(dir, sizeof(dir), 20, 10, 0);
	st = open_store(dir, 0);
	if (st == NULL)
		return;
	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_index_upto(txn, &upto, tip), 0);
	ledger_txn_abort(txn);
	CHECK_INT(upto, 20);
	leaf_hash_of(st, 19, hash);
	CHECK(memcmp(tip, hash, sizeof(hash)) == 0);
	/* Votes 2..19, one project each; the kinds; the convener's org. */
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-7"), 1);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-1"), 0);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_KIND_TIME, "vote"), 18);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_KIND_TIME, "key"), 2);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_ORG, USCC), 19);
	ledger_store_close(st);

	/* data.mdb holds no index; index.mdb does. */
	CHECK_INT(mdb_env_create(&env), 0);
	CHECK_INT(mdb_env_set_maxdbs(env, 32), 0);
	CHECK_INT(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
	CHECK_INT(mdb_txn_begin(env, NULL, MDB_RDONLY, &t), 0);
	CHECK_INT(mdb_dbi_open(t, "by_ocid", 0, &dbi), MDB_NOTFOUND);
	CHECK_INT(mdb_dbi_open(t, "entries", 0, &dbi), 0);
	mdb_txn_abort(t);
	mdb_env_close(env);
	path_in(path, sizeof(path), dir, "index.mdb");
	CHECK(access(path, F_OK) == 0);
}

/* The file lost (or never made by an older ledgerd): rebuilt the same. */
TEST(lost_index_is_rebuilt)
{
	char dir[256], path[512], *before, *after;
	struct ledger_store *st;
	uint64_t done = 0;

	build(dir, sizeof(dir), 30, 10, 12);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	before = dump(st);
	ledger_store_close(st);
	path_in(path, sizeof(path), dir, "index.mdb");
	CHECK_INT(unlink(path), 0);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	CHECK_INT(mark_of(st), 0);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_KIND_TIME, "vote"), 0);
	CHECK_INT(ledger_index_catch_up(st, &done), 0);
	CHECK_INT(done, 30);
	CHECK_INT(mark_of(st), 30);
	after = dump(st);
	CHECK(before != NULL && after != NULL && strlen(before) > 1000);
	CHECK_STR(after, before);
	/* Nothing left to do. */
	CHECK_INT(ledger_index_catch_up(st, &done), 0);
	CHECK_INT(done, 0);
	ledger_store_close(st);
	free(before);
	free(after);
}

/*
 * Closed cleanly, or written in this boot (ledgerd was killed): kept.
 * Written in another boot and not closed (the system crashed): unsynced
 * pages may be lost, so it is rebuilt.
 */
TEST(state_decides_trust)
{
	char dir[256], boot[64] = "", state[80];
	struct ledger_store *st;
	uint64_t done = 0;
	FILE *f;

	build(dir, sizeof(dir), 12, 10, 0);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	CHECK_INT(mark_of(st), 12);
	ledger_store_close(st);

	if ((f = fopen("/proc/sys/kernel/random/boot_id", "r")) != NULL) {
		if (fgets(boot, sizeof(boot), f) == NULL)
			boot[0] = '\0';
		boot[strcspn(boot, "\n")] = '\0';
		fclose(f);
	}
	if (boot[0] != '\0') {
		snprintf(state, sizeof(state), "run:%s", boot);
		poke(dir, "state", state, strlen(state));
		if ((st = open_store(dir, 0)) == NULL)
			return;
		CHECK_INT(mark_of(st), 12);
		ledger_store_close(st);
	}

	poke(dir, "state", "run:00000000-0000-0000-0000-000000000000", 40);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	CHECK_INT(mark_of(st), 0);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-5"), 0);
	CHECK_INT(ledger_index_catch_up(st, &done), 0);
	CHECK_INT(done, 12);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-5"), 1);
	ledger_store_close(st);

	/* A state that is neither: rebuilt too. */
	poke(dir, "state", "run:", 4);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	CHECK_INT(mark_of(st), 0);
	ledger_store_close(st);
}

/*
 * data.mdb restored from a backup older than index.mdb: the index has
 * rows of entries the ledger no longer holds, and they must not be
 * served (a later entry at that seq would be another one).
 */
TEST(restored_data_is_rebuilt)
{
	char dir[256], data[512], saved[512];
	struct ledger_store *st;
	uint64_t done = 0;

	build(dir, sizeof(dir), 10, 10, 0);
	path_in(data, sizeof(data), dir, "data.mdb");
	path_in(saved, sizeof(saved), dir, "data.mdb.saved");
	copy_file(data, saved);
	grow(dir, 16);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	CHECK_INT(mark_of(st), 16);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-12"), 1);
	ledger_store_close(st);
	CHECK_INT(rename(saved, data), 0);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	CHECK_INT(mark_of(st), 0);
	CHECK_INT(ledger_index_catch_up(st, &done), 0);
	CHECK_INT(done, 10);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-12"), 0);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-9"), 1);
	ledger_store_close(st);
}

/* Another ledger's index.mdb (same size, other entries): rebuilt. */
TEST(other_ledgers_index_is_rebuilt)
{
	char a[256], b[256], from[512], to[512], *before, *after;
	struct ledger_store *st;
	uint64_t done = 0;

	build(a, sizeof(a), 14, 10, 0);
	build(b, sizeof(b), 14, 10, 6);	/* conv2 from seq 6 */
	if ((st = open_store(b, 0)) == NULL)
		return;
	before = dump(st);
	ledger_store_close(st);
	path_in(from, sizeof(from), a, "index.mdb");
	path_in(to, sizeof(to), b, "index.mdb");
	copy_file(from, to);
	if ((st = open_store(b, 0)) == NULL)
		return;
	CHECK_INT(mark_of(st), 0);
	CHECK_INT(ledger_index_catch_up(st, &done), 0);
	CHECK_INT(done, 14);
	after = dump(st);
	CHECK(before != NULL && after != NULL);
	CHECK_STR(after, before);
	ledger_store_close(st);
	free(before);
	free(after);
}

/*
 * ledgerd killed between the two commits: data.mdb has the batch,
 * index.mdb not.  The next append re-indexes the gap first.
 */
TEST(lagging_index_filled_by_next_append)
{
	char dir[256], *before, *after;
	uint8_t buf[8 + LEDGER_HASH_BYTES];
	struct ledger_store *st;
	struct ledger_txn *txn;
	static const char *const gone[] = { "ocds-t-15", "ocds-t-16",
	    "ocds-t-17" };
	uint8_t key[32];
	size_t i, n;

	build(dir, sizeof(dir), 18, 10, 0);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	before = dump(st);
	/* Take the rows of 15..17 away and put the mark back at 15. */
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	for (i = 0; i < 3; i++) {
		n = strlen(gone[i]);
		memcpy(key, gone[i], n);
		key[n] = 0;
		ledger_be64_put(key + n + 1, 15 + i);
		CHECK_INT(ledger_db_del(txn, LEDGER_DB_BY_OCID, key, n + 9), 0);
		memcpy(key, "vote", 5);
		ledger_be64_put(key + 5, 15 + i);
		CHECK_INT(ledger_db_del(txn, LEDGER_DB_BY_KIND_TIME, key, 13),
		    0);
		memcpy(key, USCC, sizeof(USCC));
		ledger_be64_put(key + sizeof(USCC), 15 + i);
		CHECK_INT(ledger_db_del(txn, LEDGER_DB_BY_ORG, key,
		    sizeof(USCC) + 8), 0);
	}
	CHECK_INT(ledger_txn_commit(txn), 0);
	ledger_store_close(st);
	ledger_be64_put(buf, 15);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	leaf_hash_of(st, 14, buf + 8);
	ledger_store_close(st);
	poke(dir, "upto", buf, sizeof(buf));

	if ((st = open_store(dir, 0)) == NULL)
		return;
	CHECK_INT(mark_of(st), 15);	/* kept: it matches entry 14 */
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-16"), 0);
	ledger_store_close(st);
	grow(dir, 19);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	CHECK_INT(mark_of(st), 19);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-16"), 1);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-18"), 1);
	/* Rows of 0..17 as they were, and one more of each kind. */
	after = dump(st);
	CHECK(before != NULL && after != NULL &&
	    strlen(after) > strlen(before));
	CHECK_INT(rows_for(st, LEDGER_DB_BY_KIND_TIME, "vote"), 17);
	/* A mark past the entry being indexed is a damaged store. */
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_index_entry(txn, NULL, 3, 0, buf + 8),
	    LEDGER_ESTORE);
	ledger_txn_abort(txn);
	ledger_store_close(st);
	free(before);
	free(after);
}

/* The mark moves with the transaction: seen inside it, stored at commit. */
TEST(mark_moves_at_commit)
{
	char dir[256];
	uint8_t tip[LEDGER_HASH_BYTES], got[LEDGER_HASH_BYTES];
	struct ledger_store *st;
	struct ledger_txn *txn;
	uint64_t upto = 0;

	build(dir, sizeof(dir), 6, 10, 0);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	leaf_hash_of(st, 2, tip);
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_index_mark(txn, 3, tip), 0);
	CHECK_INT(ledger_index_upto(txn, &upto, got), 0);
	CHECK_INT(upto, 3);
	CHECK(memcmp(got, tip, sizeof(tip)) == 0);
	CHECK_INT(ledger_index_mark(txn, 0, tip), LEDGER_EINVAL);
	ledger_txn_abort(txn);
	CHECK_INT(mark_of(st), 6);	/* aborted: unchanged */
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_index_mark(txn, 3, tip), 0);
	CHECK_INT(ledger_txn_commit(txn), 0);
	CHECK_INT(mark_of(st), 3);
	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_index_mark(txn, 3, tip), LEDGER_EINVAL);
	ledger_txn_abort(txn);
	ledger_store_close(st);
}

/* More entries than one catch-up transaction takes. */
TEST(catch_up_in_chunks)
{
	char dir[256], path[512];
	struct ledger_store *st;
	uint64_t done = 0, n = LEDGER_INDEX_CHUNK + 5;

	build(dir, sizeof(dir), n, n, 0);
	path_in(path, sizeof(path), dir, "index.mdb");
	CHECK_INT(unlink(path), 0);
	if ((st = open_store(dir, 0)) == NULL)
		return;
	CHECK_INT(ledger_index_catch_up(st, &done), 0);
	CHECK_INT(done, n);
	CHECK_INT(mark_of(st), n);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_KIND_TIME, "vote"), n - 2);
	ledger_store_close(st);
}

/* A reader takes index.mdb as it is, and does without one. */
TEST(readers)
{
	char dir[256], path[512];
	uint64_t file = 0, db[LEDGER_DB_COUNT];
	struct ledger_store *st;
	struct ledger_txn *txn;
	struct ledger_cursor *c = NULL;
	uint64_t upto;

	build(dir, sizeof(dir), 8, 10, 0);
	if ((st = open_store(dir, LEDGER_STORE_RDONLY)) == NULL)
		return;
	CHECK_INT(mark_of(st), 8);
	CHECK_INT(rows_for(st, LEDGER_DB_BY_OCID, "ocds-t-3"), 1);
	CHECK_INT(ledger_store_usage(st, &file, db), 0);
	CHECK(db[LEDGER_DB_BY_OCID] > 0);
	ledger_store_close(st);

	path_in(path, sizeof(path), dir, "index.mdb");
	CHECK_INT(unlink(path), 0);
	if ((st = open_store(dir, LEDGER_STORE_RDONLY)) == NULL)
		return;
	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_cursor_open(txn, LEDGER_DB_BY_OCID, &c),
	    LEDGER_ENOTFOUND);
	CHECK(c == NULL);
	CHECK_INT(ledger_index_upto(txn, &upto, NULL), LEDGER_ENOTFOUND);
	ledger_txn_abort(txn);
	CHECK_INT(ledger_store_usage(st, &file, db), 0);
	CHECK_INT(db[LEDGER_DB_BY_OCID], 0);
	CHECK(db[LEDGER_DB_ENTRIES] > 0);
	CHECK(access(path, F_OK) == -1 && errno == ENOENT);
	ledger_store_close(st);
}
