/*
 * test_store.c - the LMDB layout (lib/store.c) on real files: open, meta,
 * entries, nodes, checkpoints, ids, indexes and cursors, aborts, a full
 * map, and a read-only reader in a second process.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "harness.h"
#include "ledger/error.h"
#include "ledger/limits.h"
#include "ledger/store.h"

#define ORIGIN	"ledger.example.gov.cn/pinghu-2026"

static char *
subdir(const char *name)
{
	static char path[16][PATH_MAX];
	static int next;
	char *p = path[next++ % 16];

	snprintf(p, PATH_MAX, "%s/%s", harness_tmpdir(), name);
	return p;
}

/* Deterministic leaf bytes, so a reader can check content, not just size. */
static size_t
leaf_fill(uint64_t seq, uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 31 + i * 7 + 1);
	return len;
}

static int
leaf_ok(uint64_t seq, const uint8_t *data, size_t len, size_t want)
{
	uint8_t buf[4096];

	if (len != want || want > sizeof(buf))
		return 0;
	leaf_fill(seq, buf, want);
	return memcmp(buf, data, len) == 0;
}

static struct ledger_store *
new_ledger(const char *dir, uint64_t mapsize)
{
	struct ledger_store *st = NULL;

	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_CREATE, mapsize, &st), 0);
	if (st != NULL)
		CHECK_INT(ledger_store_init(st, ORIGIN), 0);
	return st;
}

/* Append [from, to) with leaves of len bytes and set the size, committed. */
static int
append_range(struct ledger_store *st, uint64_t from, uint64_t to, size_t len)
{
	struct ledger_txn *txn;
	uint8_t buf[4096];
	uint64_t i;
	int rc;

	if ((rc = ledger_txn_begin(st, 1, &txn)) != 0)
		return rc;
	for (i = from; i < to; i++) {
		leaf_fill(i, buf, len);
		if ((rc = ledger_entry_append(txn, i, buf, len)) != 0) {
			ledger_txn_abort(txn);
			return rc;
		}
	}
	if ((rc = ledger_meta_set_size(txn, to)) != 0) {
		ledger_txn_abort(txn);
		return rc;
	}
	return ledger_txn_commit(txn);
}

/* Size n and entries [0, n) of leaf bytes, nothing at n. */
static int
verify_prefix(struct ledger_store *st, uint64_t n, size_t leaf)
{
	struct ledger_txn *txn;
	const uint8_t *d;
	uint64_t size, i;
	size_t len;
	int ok = 1;

	if (ledger_txn_begin(st, 0, &txn) != 0)
		return 0;
	if (ledger_meta_size(txn, &size) != 0 || size != n)
		ok = 0;
	for (i = 0; i < n; i++)
		if (ledger_entry_get(txn, i, &d, &len) != 0 ||
		    !leaf_ok(i, d, len, leaf))
			ok = 0;
	if (ledger_entry_get(txn, n, &d, &len) != LEDGER_ENOTFOUND)
		ok = 0;
	ledger_txn_abort(txn);
	return ok;
}

/*
 * The second process: a fresh image (exec), so no LMDB state crosses
 * fork().  It opens read-only and checks size and entries; the exit code
 * says what failed (100 + -rc when the open itself fails).
 */
static int
child_check(const char *dir, uint64_t want)
{
	struct ledger_store *st;
	struct ledger_txn *txn;
	char origin[LEDGER_KEYNAME_MAX + 1];
	int rc;

	alarm(20);	/* a reader blocked by the writer fails, not hangs */
	if ((rc = ledger_store_open(dir, LEDGER_STORE_RDONLY, 0, &st)) != 0)
		return 100 - rc;
	if (!verify_prefix(st, want, 100))
		return 3;
	if (ledger_txn_begin(st, 0, &txn) != 0)
		return 2;
	if (ledger_meta_origin(txn, origin, sizeof(origin)) != 0 ||
	    strcmp(origin, ORIGIN) != 0)
		return 4;
	ledger_txn_abort(txn);
	if (ledger_txn_begin(st, 1, &txn) != LEDGER_EINVAL)
		return 7;
	ledger_store_close(st);
	return 0;
}

__attribute__((constructor)) static void
child_entry(void)
{
	const char *dir = getenv("TEST_STORE_CHILD_DIR");
	const char *want = getenv("TEST_STORE_CHILD_WANT");

	if (dir != NULL && want != NULL)
		_exit(child_check(dir, strtoull(want, NULL, 10)));
}

static int
run_child(const char *dir, uint64_t want)
{
	char buf[32];
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)want);
		if (setenv("TEST_STORE_CHILD_DIR", dir, 1) == 0 &&
		    setenv("TEST_STORE_CHILD_WANT", buf, 1) == 0)
			execl("/proc/self/exe", "test_store", (char *)NULL);
		_exit(127);	/* not exit(): harness atexit removes tmpdir */
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status))
		return -2;
	return WEXITSTATUS(status);
}

TEST(be64)
{
	uint8_t b[8], c[8];
	const uint8_t want[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	ledger_be64_put(b, 0x0102030405060708ULL);
	CHECK_MEM(b, want, 8);
	CHECK(ledger_be64_get(b) == 0x0102030405060708ULL);
	ledger_be64_put(b, 255);
	ledger_be64_put(c, 256);
	CHECK(memcmp(b, c, 8) < 0);	/* byte order is numeric order */
	ledger_be64_put(b, UINT64_MAX);
	CHECK(ledger_be64_get(b) == UINT64_MAX);
}

TEST(db_names)
{
	CHECK_STR(ledger_db_name(LEDGER_DB_META), "meta");
	CHECK_STR(ledger_db_name(LEDGER_DB_CHECKPOINTS), "checkpoints");
	CHECK_STR(ledger_db_name(LEDGER_DB_BY_KIND_TIME), "by_kind_time");
	CHECK_STR(ledger_db_name(LEDGER_DB_RULES), "rules");
	CHECK(ledger_db_name(LEDGER_DB_COUNT) == NULL);
}

TEST(create_init_reopen)
{
	const char *dir = subdir("basic");
	char path[PATH_MAX], origin[LEDGER_KEYNAME_MAX + 1], longname[200];
	struct ledger_store *st = NULL;
	struct ledger_txn *txn;
	struct stat sb;
	uint64_t size;

	CHECK_INT(ledger_store_open(dir, 0, 0, &st), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_RDONLY, 0, &st),
	    LEDGER_ENOTFOUND);
	CHECK_INT(ledger_store_open(dir,
	    LEDGER_STORE_RDONLY | LEDGER_STORE_CREATE, 0, &st), LEDGER_EINVAL);
	CHECK(st == NULL);

	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_CREATE, 0, &st), 0);
	CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	CHECK(stat(path, &sb) == 0);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	CHECK(stat(path, &sb) == 0);

	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_meta_origin(txn, origin, sizeof(origin)),
	    LEDGER_ENOTFOUND);
	CHECK_INT(ledger_meta_size(txn, &size), LEDGER_ENOTFOUND);
	ledger_txn_abort(txn);

	CHECK_INT(ledger_store_init(st, ""), LEDGER_EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[LEDGER_KEYNAME_MAX + 1] = '\0';
	CHECK_INT(ledger_store_init(st, longname), LEDGER_ETOOBIG);
	CHECK_INT(ledger_store_init(st, ORIGIN), 0);
	CHECK_INT(ledger_store_init(st, "other.example/x"), LEDGER_EEXIST);
	ledger_store_close(st);

	CHECK_INT(ledger_store_open(dir, 0, 0, &st), 0);
	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_meta_origin(txn, origin, sizeof(origin)), 0);
	CHECK_STR(origin, ORIGIN);
	CHECK_INT(ledger_meta_origin(txn, origin, strlen(ORIGIN)),
	    LEDGER_ETOOBIG);
	CHECK_INT(ledger_meta_size(txn, &size), 0);
	CHECK_INT(size, 0);
	CHECK_INT(ledger_meta_set_size(txn, 3), LEDGER_EINVAL);	/* read txn */
	ledger_txn_abort(txn);
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_meta_set_size(txn, 12345678901ULL), 0);
	CHECK_INT(ledger_txn_commit(txn), 0);
	ledger_store_close(st);

	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_RDONLY, 0, &st), 0);
	CHECK_INT(ledger_txn_begin(st, 1, &txn), LEDGER_EINVAL);
	CHECK_INT(ledger_store_init(st, "x.example/y"), LEDGER_EINVAL);
	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_meta_size(txn, &size), 0);
	CHECK(size == 12345678901ULL);
	ledger_txn_abort(txn);
	ledger_store_close(st);
}

TEST(open_errors)
{
	struct ledger_store *st = NULL;
	char path[PATH_MAX];

	/* An existing directory without data.mdb is no ledger. */
	CHECK(mkdir(subdir("emptydir"), 0700) == 0);
	CHECK_INT(ledger_store_open(subdir("emptydir"), 0, 0, &st),
	    LEDGER_ENOTFOUND);
	CHECK_INT(ledger_store_open(subdir("emptydir"), LEDGER_STORE_RDONLY, 0,
	    &st), LEDGER_ENOTFOUND);
	/* CREATE makes the last component only. */
	snprintf(path, sizeof(path), "%s/no/such", harness_tmpdir());
	errno = 0;
	CHECK_INT(ledger_store_open(path, LEDGER_STORE_CREATE, 0, &st),
	    LEDGER_EIO);
	CHECK_INT(errno, ENOENT);
	CHECK_INT(ledger_store_open(subdir("x"), 0x80, 0, &st), LEDGER_EINVAL);
}

/* Write meta "version" and optionally leave out every other database. */
static void
raw_env(const char *dir, const char *version, int all_dbs)
{
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;
	MDB_val k = { 7, "version" }, v;
	int i;

	CHECK(mkdir(dir, 0700) == 0 || errno == EEXIST);
	CHECK_INT(mdb_env_create(&env), 0);
	CHECK_INT(mdb_env_set_maxdbs(env, 32), 0);
	CHECK_INT(mdb_env_open(env, dir, 0, 0600), 0);
	CHECK_INT(mdb_txn_begin(env, NULL, 0, &t), 0);
	if (version != NULL) {
		CHECK_INT(mdb_dbi_open(t, "meta", MDB_CREATE, &dbi), 0);
		v.mv_size = strlen(version);
		v.mv_data = (void *)version;
		CHECK_INT(mdb_put(t, dbi, &k, &v, 0), 0);
	}
	for (i = 1; all_dbs && i < LEDGER_DB_COUNT; i++)
		CHECK_INT(mdb_dbi_open(t, ledger_db_name((enum ledger_db)i),
		    MDB_CREATE, &dbi), 0);
	CHECK_INT(mdb_txn_commit(t), 0);
	mdb_env_close(env);
}

TEST(version_refusal)
{
	const char *dir = subdir("v3");
	struct ledger_store *st = NULL;
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;

	st = new_ledger(dir, 0);
	ledger_store_close(st);
	raw_env(dir, "3", 0);
	CHECK_INT(ledger_store_open(dir, 0, 0, &st), LEDGER_EVERSION);
	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_RDONLY, 0, &st),
	    LEDGER_EVERSION);
	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_CREATE, 0, &st),
	    LEDGER_EVERSION);
	/* Version 1 kept one leaf per value: not readable as bundles. */
	raw_env(dir, "1", 0);
	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_RDONLY, 0, &st),
	    LEDGER_EVERSION);
	raw_env(dir, "2", 0);
	CHECK_INT(ledger_store_open(dir, 0, 0, &st), 0);
	ledger_store_close(st);

	/* A current meta but a database missing: unknown layout. */
	raw_env(subdir("partial"), "2", 0);
	CHECK_INT(ledger_store_open(subdir("partial"), LEDGER_STORE_RDONLY, 0,
	    &st), LEDGER_EVERSION);
	CHECK_INT(ledger_store_open(subdir("partial"), 0, 0, &st),
	    LEDGER_EVERSION);
	/* A future version with our databases is refused before the rest. */
	raw_env(subdir("future"), "10", 1);
	CHECK_INT(ledger_store_open(subdir("future"), LEDGER_STORE_RDONLY, 0,
	    &st), LEDGER_EVERSION);
	/* An LMDB environment without meta is not a ledger. */
	raw_env(subdir("nometa"), NULL, 0);
	CHECK_INT(ledger_store_open(subdir("nometa"), LEDGER_STORE_RDONLY, 0,
	    &st), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_store_open(subdir("nometa"), 0, 0, &st),
	    LEDGER_ENOTFOUND);
	/* A refused CREATE open adds nothing to a foreign ledger. */
	raw_env(subdir("v3only"), "3", 0);
	CHECK_INT(ledger_store_open(subdir("v3only"), LEDGER_STORE_CREATE, 0,
	    &st), LEDGER_EVERSION);
	CHECK(st == NULL);
	CHECK_INT(mdb_env_create(&env), 0);
	CHECK_INT(mdb_env_set_maxdbs(env, 32), 0);
	CHECK_INT(mdb_env_open(env, subdir("v3only"), MDB_RDONLY, 0600), 0);
	CHECK_INT(mdb_txn_begin(env, NULL, MDB_RDONLY, &t), 0);
	CHECK_INT(mdb_dbi_open(t, "entries", 0, &dbi), MDB_NOTFOUND);
	mdb_txn_abort(t);
	mdb_env_close(env);
}

TEST(entries)
{
	struct ledger_store *st = new_ledger(subdir("entries"), 0);
	struct ledger_txn *txn;
	static uint8_t big[LEDGER_LEAF_MAX + 1];
	const uint8_t *d;
	uint64_t i, n = 1000;
	size_t len;
	int ok = 1;

	CHECK_INT(append_range(st, 0, n, 100), 0);
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	/* Not above the last seq: MDB_APPEND refuses. */
	CHECK_INT(ledger_entry_append(txn, 5, "x", 1), LEDGER_EEXIST);
	CHECK_INT(ledger_entry_append(txn, n - 1, "x", 1), LEDGER_EEXIST);
	CHECK_INT(ledger_entry_append(txn, n, big, sizeof(big)),
	    LEDGER_ETOOBIG);
	CHECK_INT(ledger_entry_append(txn, n, big, LEDGER_LEAF_MAX), 0);
	CHECK_INT(ledger_txn_commit(txn), 0);

	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	for (i = 0; i < n; i++)
		if (ledger_entry_get(txn, i, &d, &len) != 0 ||
		    !leaf_ok(i, d, len, 100))
			ok = 0;
	CHECK(ok);
	CHECK_INT(ledger_entry_get(txn, n, &d, &len), 0);
	CHECK_INT(len, LEDGER_LEAF_MAX);
	CHECK_INT(ledger_entry_get(txn, n + 1, &d, &len), LEDGER_ENOTFOUND);
	/* Appends go to a write transaction, and leave no gap. */
	CHECK_INT(ledger_entry_append(txn, n + 1, "x", 1), LEDGER_EINVAL);
	ledger_txn_abort(txn);
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_entry_append(txn, n + 2, "x", 1), LEDGER_EINVAL);
	CHECK_INT(ledger_entry_append(txn, n + 1, "", 0), LEDGER_EINVAL);
	CHECK_INT(ledger_entry_append(txn, n + 1, NULL, 1), LEDGER_EINVAL);
	CHECK_INT(ledger_entry_append(txn, n + 1, "x", 1), 0);
	CHECK_INT(ledger_entry_append(txn, n + 1, "x", 1), LEDGER_EEXIST);
	ledger_txn_abort(txn);
	ledger_store_close(st);
}

/* Entry seq's bytes in the bundles test: length and content vary. */
static size_t
bundle_leaf(uint64_t seq, uint8_t *buf)
{
	size_t len = 1 + (seq * 37) % 2000;

	leaf_fill(seq, buf, len);
	return len;
}

static int
bundle_entries_ok(struct ledger_txn *txn, uint64_t from, uint64_t to)
{
	uint8_t buf[4096];
	const uint8_t *d;
	uint64_t i;
	size_t len;

	for (i = from; i < to; i++)
		if (ledger_entry_get(txn, i, &d, &len) != 0 ||
		    len != bundle_leaf(i, buf) || memcmp(d, buf, len) != 0)
			return 0;
	return 1;
}

/* Entries [0, n) as bundle_leaf makes them, and nothing at n. */
static int
bundle_prefix_ok(struct ledger_txn *txn, uint64_t n)
{
	const uint8_t *d;
	size_t len;

	return bundle_entries_ok(txn, 0, n) &&
	    ledger_entry_get(txn, n, &d, &len) == LEDGER_ENOTFOUND;
}

TEST(bundles)
{
	struct ledger_store *st = new_ledger(subdir("bundles"), 0);
	struct ledger_txn *txn;
	/* Batches that start, fill, straddle and end bundles of 16. */
	static const unsigned batch[] = { 1, 7, 8, 16, 3, 40, 1, 15, 17, 2 };
	uint8_t buf[4096], bad[8];
	const uint8_t *d;
	uint64_t seq = 0, count;
	size_t len, b;
	unsigned i;

	CHECK_INT(LEDGER_BUNDLE_LEAVES, 16);
	for (b = 0; b < sizeof(batch) / sizeof(batch[0]); b++) {
		CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
		for (i = 0; i < batch[b]; i++, seq++) {
			CHECK_INT(ledger_entry_append(txn, seq, buf,
			    bundle_leaf(seq, buf)), 0);
			/* Seen at once by the writer, the tail included. */
			CHECK(bundle_prefix_ok(txn, seq + 1));
			CHECK_INT(ledger_entry_count(txn, &count), 0);
			CHECK_INT(count, seq + 1);
		}
		CHECK_INT(ledger_txn_commit(txn), 0);
		CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
		CHECK(bundle_prefix_ok(txn, seq));
		CHECK_INT(ledger_entry_count(txn, &count), 0);
		CHECK_INT(count, seq);
		ledger_txn_abort(txn);
	}
	CHECK_INT(seq, 110);
	/* An aborted append leaves the stored tail as it was. */
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_entry_append(txn, seq, "x", 1), 0);
	ledger_txn_abort(txn);
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK(bundle_prefix_ok(txn, seq));
	/* Raw reads of the entries database see the gathered tail. */
	CHECK_INT(ledger_entry_append(txn, seq, buf, bundle_leaf(seq, buf)), 0);
	ledger_be64_put(bad, seq / LEDGER_BUNDLE_LEAVES);
	CHECK_INT(ledger_db_get(txn, LEDGER_DB_ENTRIES, bad, 8,
	    (const void **)&d, &len), 0);
	CHECK_INT(d[0], seq % LEDGER_BUNDLE_LEAVES + 1);
	CHECK_INT(ledger_txn_commit(txn), 0);
	seq++;

	/* Damage: a longer and an emptied leaf; the others keep their bytes. */
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	memset(buf, 'z', 3000);
	CHECK_INT(ledger_entry_replace(txn, 20, buf, 3000), 0);
	CHECK_INT(ledger_entry_replace(txn, 21, NULL, 0), 0);
	CHECK_INT(ledger_entry_replace(txn, seq, "x", 1), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_txn_commit(txn), 0);
	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_entry_get(txn, 20, &d, &len), 0);
	CHECK(len == 3000 && d[0] == 'z' && d[2999] == 'z');
	CHECK_INT(ledger_entry_get(txn, 21, &d, &len), LEDGER_ENOTFOUND);
	CHECK(bundle_entries_ok(txn, 22, seq) && bundle_entries_ok(txn, 0, 20));
	CHECK_INT(ledger_entry_get(txn, seq, &d, &len), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_entry_count(txn, &count), 0);
	CHECK_INT(count, seq);
	ledger_txn_abort(txn);

	/* A malformed bundle is a damaged store; so is a missing one. */
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	ledger_be64_put(bad, 0);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_ENTRIES, bad, 8, "\x11", 1, 0),
	    0);
	CHECK_INT(ledger_entry_get(txn, 3, &d, &len), LEDGER_ESTORE);
	ledger_be64_put(bad, seq / LEDGER_BUNDLE_LEAVES);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_ENTRIES, bad, 8,
	    "\x01\0\0\0\x02x", 6, 0), 0);
	CHECK_INT(ledger_entry_get(txn, seq - 1, &d, &len), LEDGER_ESTORE);
	CHECK_INT(ledger_entry_count(txn, &count), LEDGER_ESTORE);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_ENTRIES, bad, 8,
	    "\x01\0\0\0\x01x", 6, 0), 0);
	CHECK_INT(ledger_entry_count(txn, &count), 0);
	CHECK_INT(count, seq / LEDGER_BUNDLE_LEAVES * LEDGER_BUNDLE_LEAVES + 1);
	ledger_be64_put(bad, 1);
	CHECK_INT(ledger_db_del(txn, LEDGER_DB_ENTRIES, bad, 8), 0);
	CHECK_INT(ledger_entry_count(txn, &count), LEDGER_ESTORE);
	ledger_txn_abort(txn);
	ledger_store_close(st);
}

/*
 * A read transaction keeps the last bundle it read, for its snapshot
 * only: renewed, it sees the leaves a writer added to that bundle since.
 */
TEST(bundle_cache_ends_with_snapshot)
{
	struct ledger_store *st = new_ledger(subdir("bcache"), 0);
	struct ledger_txn *txn, *rd;
	uint8_t buf[4096];
	const uint8_t *d;
	uint64_t seq;
	size_t len;

	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	for (seq = 0; seq < 20; seq++)
		CHECK_INT(ledger_entry_append(txn, seq, buf,
		    bundle_leaf(seq, buf)), 0);
	CHECK_INT(ledger_txn_commit(txn), 0);
	CHECK_INT(ledger_txn_begin(st, 0, &rd), 0);
	CHECK(bundle_prefix_ok(rd, 20));	/* across two bundles */
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_entry_append(txn, 20, buf, bundle_leaf(20, buf)), 0);
	CHECK_INT(ledger_txn_commit(txn), 0);
	CHECK_INT(ledger_entry_get(rd, 20, &d, &len), LEDGER_ENOTFOUND);
	CHECK(bundle_entries_ok(rd, 16, 20));
	CHECK_INT(ledger_txn_renew(rd), 0);
	CHECK(bundle_prefix_ok(rd, 21));
	ledger_txn_abort(rd);
	ledger_store_close(st);
}

static void
node_hash(unsigned level, uint64_t index, uint8_t h[LEDGER_HASH_BYTES])
{
	int i;

	for (i = 0; i < LEDGER_HASH_BYTES; i++)
		h[i] = (uint8_t)(level * 17 + index * 3 + (uint64_t)i);
}

TEST(nodes)
{
	struct ledger_store *st = new_ledger(subdir("nodes"), 0);
	struct ledger_txn *txn;
	uint8_t h[LEDGER_HASH_BYTES], got[LEDGER_HASH_BYTES];
	uint64_t i, next = 0, n = 300, idx;
	unsigned l;
	int ok = 1, order = 1;

	/* Emit as the frontier does: the leaf, then each completed parent. */
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	for (i = 0; i < n; i++) {
		for (l = 0; l == 0 || ((i + 1) & ((1ULL << l) - 1)) == 0; l++) {
			idx = ledger_stored_hash_index(l, ((i + 1) >> l) - 1);
			if (idx < next)	/* strictly increasing */
				order = 0;
			next = idx + 1;
			node_hash(l, ((i + 1) >> l) - 1, h);
			if (ledger_txn_node_sink(txn, l, ((i + 1) >> l) - 1,
			    h) != 0)
				ok = 0;
		}
	}
	CHECK(order);
	CHECK(ok);
	node_hash(0, 3, h);
	CHECK_INT(ledger_node_put(txn, 0, 3, h), LEDGER_EEXIST);
	CHECK_INT(ledger_node_put(txn, 64, 0, h), LEDGER_EINVAL);
	CHECK_INT(ledger_txn_commit(txn), 0);

	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	ok = 1;
	for (l = 0; (n >> l) > 0; l++) {
		for (i = 0; i < (n >> l); i++) {
			node_hash(l, i, h);
			if (ledger_txn_hash_reader(txn, l, i, got) != 0 ||
			    memcmp(h, got, sizeof(h)) != 0)
				ok = 0;
		}
		/* The incomplete subtree at the right edge is never stored. */
		if (ledger_node_get(txn, l, n >> l, got) != LEDGER_ENOTFOUND)
			ok = 0;
	}
	CHECK(ok);
	ledger_txn_abort(txn);
	ledger_store_close(st);
}

TEST(checkpoints)
{
	struct ledger_store *st = new_ledger(subdir("ckpt"), 0);
	struct ledger_txn *txn;
	static char big[LEDGER_NOTE_MAX + 1];
	const char *note;
	char want[32];
	uint64_t size, seq, expect;
	size_t len;
	int ok = 1;

	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_ckpt_latest(txn, &size, &note, &len),
	    LEDGER_ENOTFOUND);
	CHECK_INT(ledger_ckpt_covering(txn, 0, &size, &note, &len),
	    LEDGER_ENOTFOUND);
	/* Out of order on purpose: only the key orders them. */
	CHECK_INT(ledger_ckpt_put(txn, 9, "note 9\n", 7), 0);
	CHECK_INT(ledger_ckpt_put(txn, 1, "note 1\n", 7), 0);
	CHECK_INT(ledger_ckpt_put(txn, 5, "note 5\n", 7), 0);
	CHECK_INT(ledger_ckpt_put(txn, 5, "note 5\n", 7), 0);
	CHECK_INT(ledger_ckpt_put(txn, 5, "fork 5\n", 7), LEDGER_ECONFLICT);
	CHECK_INT(ledger_ckpt_put(txn, 5, "note 5\n\n", 8), LEDGER_ECONFLICT);
	CHECK_INT(ledger_ckpt_put(txn, 7, big, sizeof(big)), LEDGER_ETOOBIG);
	CHECK_INT(ledger_ckpt_put(txn, 7, "", 0), LEDGER_EINVAL);
	/* A refusal leaves the transaction usable. */
	CHECK_INT(ledger_txn_commit(txn), 0);

	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_ckpt_latest(txn, &size, &note, &len), 0);
	CHECK_INT(size, 9);
	CHECK(len == 7 && memcmp(note, "note 9\n", 7) == 0);
	CHECK_INT(ledger_ckpt_get(txn, 5, &note, &len), 0);
	CHECK(len == 7 && memcmp(note, "note 5\n", 7) == 0);
	CHECK_INT(ledger_ckpt_get(txn, 4, &note, &len), LEDGER_ENOTFOUND);
	for (seq = 0; seq < 9; seq++) {
		expect = seq < 1 ? 1 : seq < 5 ? 5 : 9;
		snprintf(want, sizeof(want), "note %llu\n",
		    (unsigned long long)expect);
		if (ledger_ckpt_covering(txn, seq, &size, &note, &len) != 0 ||
		    size != expect || len != 7 || memcmp(note, want, 7) != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK_INT(ledger_ckpt_covering(txn, 9, &size, &note, &len),
	    LEDGER_ENOTFOUND);
	CHECK_INT(ledger_ckpt_covering(txn, UINT64_MAX, &size, &note, &len),
	    LEDGER_ENOTFOUND);
	ledger_txn_abort(txn);
	ledger_store_close(st);
}

TEST(ids)
{
	struct ledger_store *st = new_ledger(subdir("ids"), 0);
	struct ledger_txn *txn;
	char longid[LEDGER_ID_MAX + 2];
	uint64_t seq;

	memset(longid, 'i', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_id_put(txn, "stmt-1", 7), 0);
	CHECK_INT(ledger_id_put(txn, "stmt-1", 8), LEDGER_EEXIST);
	CHECK_INT(ledger_id_put(txn, longid, 9), LEDGER_ETOOBIG);
	longid[LEDGER_ID_MAX] = '\0';
	CHECK_INT(ledger_id_put(txn, longid, 9), 0);
	CHECK_INT(ledger_id_put(txn, "", 1), LEDGER_EINVAL);
	/* The duplicate refusal left the transaction usable. */
	CHECK_INT(ledger_txn_commit(txn), 0);

	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_id_get(txn, "stmt-1", &seq), 0);
	CHECK_INT(seq, 7);
	CHECK_INT(ledger_id_get(txn, longid, &seq), 0);
	CHECK_INT(seq, 9);
	CHECK_INT(ledger_id_get(txn, "stmt-2", &seq), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_id_get(txn, "stmt-", &seq), LEDGER_ENOTFOUND);
	ledger_txn_abort(txn);
	ledger_store_close(st);
}

TEST(abort_leaves_nothing)
{
	struct ledger_store *st = new_ledger(subdir("abort"), 0);
	struct ledger_txn *txn;
	uint8_t h[LEDGER_HASH_BYTES] = { 1 };
	const uint8_t *d;
	const void *v;
	const char *note;
	uint64_t size, seq;
	size_t len, vl;

	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_entry_append(txn, 0, "leaf", 4), 0);
	CHECK_INT(ledger_node_put(txn, 0, 0, h), 0);
	CHECK_INT(ledger_id_put(txn, "a", 0), 0);
	CHECK_INT(ledger_ckpt_put(txn, 1, "n\n", 2), 0);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_RULES, "k", 1, "v", 1, 0), 0);
	CHECK_INT(ledger_meta_set_size(txn, 1), 0);
	/* The transaction sees its own writes. */
	CHECK_INT(ledger_entry_get(txn, 0, &d, &len), 0);
	CHECK(len == 4 && memcmp(d, "leaf", 4) == 0);
	ledger_txn_abort(txn);

	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_entry_get(txn, 0, &d, &len), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_node_get(txn, 0, 0, h), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_id_get(txn, "a", &seq), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_ckpt_latest(txn, &size, &note, &len),
	    LEDGER_ENOTFOUND);
	CHECK_INT(ledger_db_get(txn, LEDGER_DB_RULES, "k", 1, &v, &vl),
	    LEDGER_ENOTFOUND);
	CHECK_INT(ledger_meta_size(txn, &size), 0);
	CHECK_INT(size, 0);
	ledger_txn_abort(txn);
	ledger_store_close(st);
}

TEST(map_full)
{
	const char *dir = subdir("full");
	struct ledger_store *st = new_ledger(dir, 1 << 20);
	uint64_t n = 0, file;
	int rc = 0, rounds = 0;

	/* 3000-byte leaves take an overflow page each: ~250 fit in 1 MiB. */
	while (rounds++ < 1000) {
		if ((rc = append_range(st, n, n + 8, 3000)) != 0)
			break;
		n += 8;
	}
	CHECK_INT(rc, LEDGER_EFULL);
	CHECK(n > 64);
	CHECK(verify_prefix(st, n, 3000));
	CHECK_INT(ledger_store_usage(st, &file, NULL), 0);
	CHECK(file <= (1 << 20));
	/* Full stays full, cleanly. */
	CHECK_INT(append_range(st, n, n + 8, 3000), LEDGER_EFULL);
	ledger_store_close(st);

	CHECK_INT(ledger_store_open(dir, 0, 1 << 20, &st), 0);
	CHECK(verify_prefix(st, n, 3000));
	ledger_store_close(st);
	/* A larger map lets the same ledger grow on. */
	CHECK_INT(ledger_store_open(dir, 0, 0, &st), 0);
	CHECK_INT(append_range(st, n, n + 64, 3000), 0);
	CHECK(verify_prefix(st, n + 64, 3000));
	ledger_store_close(st);
}

TEST(reader_process)
{
	const char *dir = subdir("proc");
	struct ledger_store *st = new_ledger(dir, 0);
	struct ledger_txn *txn;
	uint8_t buf[100];
	uint64_t i;
	int ok = 1;

	CHECK_INT(append_range(st, 0, 10, 100), 0);
	/* The reader sees the last commit while a write is under way. */
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	for (i = 10; i < 20; i++)
		if (ledger_entry_append(txn, i, buf, leaf_fill(i, buf,
		    sizeof(buf))) != 0)
			ok = 0;
	CHECK(ok);
	CHECK_INT(ledger_meta_set_size(txn, 20), 0);
	CHECK_INT(run_child(dir, 10), 0);
	CHECK_INT(ledger_txn_commit(txn), 0);
	CHECK_INT(run_child(dir, 20), 0);
	/* The child really checks: a wrong expectation fails it. */
	CHECK_INT(run_child(dir, 21), 3);
	ledger_store_close(st);
	CHECK_INT(run_child(subdir("proc-missing"), 0),
	    100 - LEDGER_ENOTFOUND);
}

TEST(renew)
{
	struct ledger_store *st = new_ledger(subdir("renew"), 0);
	struct ledger_txn *r, *w;
	struct ledger_cursor *c;
	const uint8_t *d;
	const void *k;
	uint64_t size;
	size_t len, kl;

	CHECK_INT(ledger_txn_begin(st, 0, &r), 0);
	CHECK_INT(ledger_cursor_open(r, LEDGER_DB_ENTRIES, &c), 0);
	CHECK_INT(ledger_cursor_seek(c, NULL, 0, &k, &kl, NULL, NULL),
	    LEDGER_ENOTFOUND);
	CHECK_INT(append_range(st, 0, 3, 100), 0);
	/* The old snapshot does not move by itself. */
	CHECK_INT(ledger_meta_size(r, &size), 0);
	CHECK_INT(size, 0);
	CHECK_INT(ledger_entry_get(r, 0, &d, &len), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_txn_renew(r), 0);
	CHECK_INT(ledger_meta_size(r, &size), 0);
	CHECK_INT(size, 3);
	CHECK_INT(ledger_entry_get(r, 2, &d, &len), 0);
	CHECK(leaf_ok(2, d, len, 100));
	/* Its cursor was renewed with it: bundle 0 holds the three. */
	CHECK_INT(ledger_cursor_last(c, &k, &kl, NULL, &len), 0);
	CHECK(kl == 8 && ledger_be64_get(k) == 0 && len == 1 + 3 * 4 + 300);
	CHECK_INT(ledger_txn_begin(st, 1, &w), 0);
	CHECK_INT(ledger_txn_renew(w), LEDGER_EINVAL);
	ledger_txn_abort(w);
	ledger_cursor_close(c);
	ledger_txn_abort(r);
	ledger_store_close(st);
}

/* by_ocid-style key: value || 0x00 || u64 BE seq. */
static size_t
index_key(uint8_t *out, const char *value, uint64_t seq)
{
	size_t n = strlen(value);

	memcpy(out, value, n);
	out[n] = 0;
	ledger_be64_put(out + n + 1, seq);
	return n + 9;
}

static int
key_is(const void *k, size_t kl, const char *value, uint64_t seq)
{
	uint8_t want[64];
	size_t n = index_key(want, value, seq);

	return kl == n && memcmp(k, want, n) == 0;
}

TEST(cursors_and_generic)
{
	static const struct { const char *v; uint64_t seq; } rows[] = {
		{ "ocds-b", 9 }, { "ocds-a", 1 }, { "ocds-b", 2 },
		{ "ocds-ab", 7 }, { "ocds-c", 4 }, { "ocds-b", 3 },
		{ "ocds-a", 5 },
	};
	struct ledger_store *st = new_ledger(subdir("cursor"), 0);
	struct ledger_txn *txn;
	struct ledger_cursor *c, *c2;
	uint8_t key[64], toolong[512] = { 0 };
	const void *k, *v;
	size_t i, kl, vl, n;

	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		n = index_key(key, rows[i].v, rows[i].seq);
		CHECK_INT(ledger_db_put(txn, LEDGER_DB_BY_OCID, key, n, NULL, 0,
		    0), 0);
	}
	n = index_key(key, "ocds-a", 5);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_BY_OCID, key, n, NULL, 0,
	    LEDGER_PUT_NOOVERWRITE), LEDGER_EEXIST);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_BY_OCID, key, n, NULL, 0,
	    LEDGER_PUT_APPEND), LEDGER_EEXIST);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_RULES, toolong, sizeof(toolong),
	    "v", 1, 0), LEDGER_EINVAL);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_RULES, toolong, 511, "v", 1, 0),
	    0);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_COUNT, "k", 1, "v", 1, 0),
	    LEDGER_EINVAL);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_RULES, "k", 1, "v", 1, 0x10),
	    LEDGER_EINVAL);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_RULES, "k", 1, "value", 5, 0), 0);
	CHECK_INT(ledger_db_put(txn, LEDGER_DB_RULES, "k", 1, "value2", 6, 0),
	    0);
	CHECK_INT(ledger_db_get(txn, LEDGER_DB_RULES, "k", 1, &v, &vl), 0);
	CHECK(vl == 6 && memcmp(v, "value2", 6) == 0);
	CHECK_INT(ledger_db_del(txn, LEDGER_DB_RULES, "k", 1), 0);
	CHECK_INT(ledger_db_del(txn, LEDGER_DB_RULES, "k", 1),
	    LEDGER_ENOTFOUND);
	CHECK_INT(ledger_db_get(txn, LEDGER_DB_RULES, "k", 1, &v, &vl),
	    LEDGER_ENOTFOUND);
	/* A cursor left open is closed by the commit and turns inert. */
	CHECK_INT(ledger_cursor_open(txn, LEDGER_DB_BY_OCID, &c2), 0);
	CHECK_INT(ledger_txn_commit(txn), 0);
	CHECK_INT(ledger_cursor_next(c2, &k, &kl, NULL, NULL), LEDGER_EINVAL);
	ledger_cursor_close(c2);

	CHECK_INT(ledger_txn_begin(st, 0, &txn), 0);
	CHECK_INT(ledger_db_del(txn, LEDGER_DB_RULES, toolong, 511),
	    LEDGER_EINVAL);
	CHECK_INT(ledger_cursor_open(txn, LEDGER_DB_BY_OCID, &c), 0);
	CHECK_INT(ledger_cursor_open(txn, LEDGER_DB_BY_OCID, &c2), 0);
	/* Every row of "ocds-a", stopping before "ocds-ab". */
	n = index_key(key, "ocds-a", 0) - 8;
	CHECK_INT(ledger_cursor_seek(c, key, n, &k, &kl, &v, &vl), 0);
	CHECK(key_is(k, kl, "ocds-a", 1) && vl == 0);
	CHECK_INT(ledger_cursor_next(c, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-a", 5));
	CHECK_INT(ledger_cursor_next(c, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-ab", 7));
	CHECK(kl < n || memcmp(k, key, n) != 0);
	n = index_key(key, "ocds-b", 3);
	CHECK_INT(ledger_cursor_seek(c, key, n, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-b", 3));
	CHECK_INT(ledger_cursor_prev(c, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-b", 2));
	CHECK_INT(ledger_cursor_last(c, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-c", 4));
	CHECK_INT(ledger_cursor_next(c, &k, &kl, NULL, NULL), LEDGER_ENOTFOUND);
	CHECK_INT(ledger_cursor_prev(c, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-b", 9));
	CHECK_INT(ledger_cursor_seek(c, "ocds-z", 6, &k, &kl, NULL, NULL),
	    LEDGER_ENOTFOUND);
	CHECK_INT(ledger_cursor_seek(c, NULL, 0, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-a", 1));
	/* Two cursors in one transaction move independently. */
	CHECK_INT(ledger_cursor_last(c2, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-c", 4));
	CHECK_INT(ledger_cursor_next(c, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-a", 5));
	ledger_cursor_close(c);
	CHECK_INT(ledger_cursor_prev(c2, &k, &kl, NULL, NULL), 0);
	CHECK(key_is(k, kl, "ocds-b", 9));
	/* An empty database has no first key. */
	CHECK_INT(ledger_cursor_open(txn, LEDGER_DB_BY_ORG, &c), 0);
	CHECK_INT(ledger_cursor_seek(c, NULL, 0, &k, &kl, NULL, NULL),
	    LEDGER_ENOTFOUND);
	ledger_txn_abort(txn);	/* closes c and c2 */
	ledger_cursor_close(c);
	ledger_cursor_close(c2);
	ledger_store_close(st);
}

TEST(usage)
{
	struct ledger_store *st = new_ledger(subdir("usage"), 0);
	uint64_t file = 0, db[LEDGER_DB_COUNT];

	CHECK_INT(append_range(st, 0, 200, 1000), 0);
	CHECK_INT(ledger_store_usage(st, &file, db), 0);
	CHECK(file > 200 * 1000);
	CHECK(db[LEDGER_DB_ENTRIES] >= 200 * 1000);
	/* Bundles: within 10 % of the leaves (one leaf per value took 2x). */
	CHECK(db[LEDGER_DB_ENTRIES] <= 200 * 1000 * 11 / 10);
	CHECK(db[LEDGER_DB_META] > 0);
	CHECK(db[LEDGER_DB_KEYS] == 0);
	CHECK(file >= db[LEDGER_DB_ENTRIES] + db[LEDGER_DB_META]);
	ledger_store_close(st);
}
