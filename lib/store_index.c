/*
 * store_index.c - DIR/index.mdb, the environment of the query indexes
 * (by_ocid, by_org, by_kind_time, by_contract), see ledger/store.h.
 *
 * Why a second environment: every statement adds a row to its project's
 * part of by_ocid, so a batch of n statements dirties about n scattered
 * pages there, and LMDB writes and syncs every dirty page at each commit.
 * Measured (bench/HISTORY.md), syncing them cost about a tenth of the
 * append rate of a new ledger.  The indexes are derived data: every row
 * follows from the entries.
 * So they commit right after data.mdb, in the same write, without a sync,
 * and what a crash takes from them is rebuilt from the entries:
 *
 *   - meta "upto" = u64 BE n || leaf hash of entry n - 1 (n > 0): rows of
 *     entries 0 .. n - 1 are stored;
 *   - meta "state" = "clean" after a close that synced the file, else
 *     "run:" + the kernel's boot id, synced at open before anything else
 *     is written.
 *
 * A process crash loses nothing the process wrote (the page cache keeps
 * it) and leaves LMDB at its last commit, so an index whose state names
 * this boot, or says clean, is intact; it may lag data.mdb by the last
 * batch, which ledger_index_catch_up re-indexes.  After a system crash
 * (another boot id) unsynced pages may be lost in any order, so the file
 * is deleted and rebuilt from the entries.  So is an index that does not
 * match the entries (upto past the end, or another tip: a restored or
 * copied data.mdb).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "ledger/error.h"
#include "ledger/store.h"
#include "store_int.h"

#define INDEX_MAXDBS	5	/* meta and the four indexes */
#define STATE_MAX	64

static const MDB_val key_state = { 5, "state" };
static const MDB_val key_upto = { 4, "upto" };

/* "run:" and this boot's id, or "run:" alone if the kernel does not say. */
static void
run_state(char out[STATE_MAX])
{
	FILE *f;

	snprintf(out, STATE_MAX, "run:");
	if ((f = fopen("/proc/sys/kernel/random/boot_id", "r")) == NULL)
		return;
	if (fgets(out + 4, STATE_MAX - 4, f) == NULL)
		out[4] = '\0';
	out[4 + strcspn(out + 4, "\n")] = '\0';
	fclose(f);
}

static int
index_env_open(struct ledger_store *st, uint64_t mapsize)
{
	unsigned flags = MDB_NOSUBDIR | MDB_NOTLS, dbflags = 0;
	MDB_txn *t = NULL;
	int i, rc;

	if (st->flags & LEDGER_STORE_RDONLY) {
		flags |= MDB_RDONLY;
	} else {
		flags |= MDB_NOSYNC;	/* see the top of this file */
		dbflags = MDB_CREATE;
	}
	if ((rc = mdb_env_create(&st->ienv)) != 0) {
		st->ienv = NULL;
		return store_err(rc);
	}
	if ((rc = mdb_env_set_maxdbs(st->ienv, INDEX_MAXDBS)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->ienv, (size_t)mapsize)) != 0 ||
	    (rc = mdb_env_set_maxreaders(st->ienv,
	    LEDGER_STORE_READERS)) != 0 ||
	    (rc = mdb_env_open(st->ienv, st->ipath, flags, 0600)) != 0 ||
	    (rc = mdb_txn_begin(st->ienv, NULL, flags & MDB_RDONLY, &t)) != 0)
		goto fail;
	rc = mdb_dbi_open(t, "meta", dbflags, &st->imeta);
	for (i = 0; rc == 0 && i < LEDGER_DB_COUNT; i++)
		if (store_db_indexed((enum ledger_db)i))
			rc = mdb_dbi_open(t, ledger_db_name((enum ledger_db)i),
			    dbflags, &st->dbi[i]);
	if (rc != 0) {
		mdb_txn_abort(t);
		goto fail;
	}
	if ((rc = mdb_txn_commit(t)) != 0)
		goto fail;
	return 0;

fail:
	mdb_env_close(st->ienv);
	st->ienv = NULL;
	return rc == MDB_NOTFOUND ? LEDGER_EVERSION : store_err(rc);
}

static int
index_unlink(const struct ledger_store *st)
{
	char lock[PATH_MAX + 8];

	snprintf(lock, sizeof(lock), "%s-lock", st->ipath);
	if ((unlink(st->ipath) == -1 && errno != ENOENT) ||
	    (unlink(lock) == -1 && errno != ENOENT))
		return LEDGER_EIO;
	return 0;
}

/* No row and no mark: a new file. */
static int
index_empty(MDB_txn *t, const struct ledger_store *st)
{
	MDB_stat ms;
	MDB_val v;
	int i;

	if (mdb_get(t, st->imeta, (MDB_val *)&key_upto, &v) != MDB_NOTFOUND)
		return 0;
	for (i = 0; i < LEDGER_DB_COUNT; i++)
		if (store_db_indexed((enum ledger_db)i) &&
		    (mdb_stat(t, st->dbi[i], &ms) != 0 || ms.ms_entries != 0))
			return 0;
	return 1;
}

/*
 * 1 if the index can be kept: written in this boot or closed cleanly, and
 * its mark at or below the entries, on the entry stored there.  0 if it
 * must be rebuilt.  Any read failure of index.mdb says rebuild too.
 */
static int
index_usable(struct ledger_store *st)
{
	char run[STATE_MAX];
	struct ledger_txn *txn;
	const uint8_t *leaf;
	uint8_t hash[LEDGER_HASH_BYTES], tip[LEDGER_HASH_BYTES];
	uint64_t size = 0, upto;
	size_t len;
	MDB_txn *t;
	MDB_val v;
	int rc, ok = 0;

	run_state(run);
	if (ledger_txn_begin(st, 0, &txn) != 0)
		return 0;
	if (store_itxn(txn, &t) != 0)
		goto out;
	rc = mdb_get(t, st->imeta, (MDB_val *)&key_state, &v);
	if (rc == MDB_NOTFOUND) {
		ok = index_empty(t, st);
		goto out;
	}
	if (rc != 0 || !((v.mv_size == 5 && memcmp(v.mv_data, "clean", 5) ==
	    0) || (v.mv_size == strlen(run) && strlen(run) > 4 &&
	    memcmp(v.mv_data, run, v.mv_size) == 0)))
		goto out;
	rc = ledger_meta_size(txn, &size);
	if (rc != 0 && rc != LEDGER_ENOTFOUND)
		goto out;
	if (ledger_index_upto(txn, &upto, tip) != 0 || upto > size)
		goto out;
	if (upto == 0) {
		ok = 1;
		goto out;
	}
	if (ledger_entry_get(txn, upto - 1, &leaf, &len) != 0)
		goto out;
	ledger_leaf_hash(leaf, len, hash);
	ok = memcmp(tip, hash, sizeof(hash)) == 0;
out:
	ledger_txn_abort(txn);
	return ok;
}

static int
index_put_state(struct ledger_store *st, const char *state)
{
	MDB_val v = { strlen(state), (void *)state };
	MDB_txn *t;
	int rc;

	if ((rc = mdb_env_sync(st->ienv, 1)) != 0 ||
	    (rc = mdb_txn_begin(st->ienv, NULL, 0, &t)) != 0)
		return store_err(rc);
	if ((rc = mdb_put(t, st->imeta, (MDB_val *)&key_state, &v, 0)) != 0) {
		mdb_txn_abort(t);
		return store_err(rc);
	}
	if ((rc = mdb_txn_commit(t)) != 0 ||
	    (rc = mdb_env_sync(st->ienv, 1)) != 0)
		return store_err(rc);
	return 0;
}

int
store_index_open(struct ledger_store *st, const char *dir, uint64_t mapsize)
{
	char run[STATE_MAX];
	struct stat sb;
	int n, rc;

	n = snprintf(st->ipath, sizeof(st->ipath), "%s/index.mdb", dir);
	if (n < 0 || (size_t)n >= sizeof(st->ipath)) {
		errno = ENAMETOOLONG;
		return LEDGER_EINVAL;
	}
	if (st->flags & LEDGER_STORE_RDONLY) {
		/* A reader takes the index as it is, if there is one. */
		if (stat(st->ipath, &sb) == -1 ||
		    index_env_open(st, mapsize) != 0)
			st->ienv = NULL;
		return 0;
	}
	if (index_env_open(st, mapsize) != 0 || !index_usable(st)) {
		if (st->ienv != NULL)
			mdb_env_close(st->ienv);
		st->ienv = NULL;
		if ((rc = index_unlink(st)) != 0 ||
		    (rc = index_env_open(st, mapsize)) != 0)
			return rc;
	}
	run_state(run);
	if ((rc = index_put_state(st, run)) != 0) {
		mdb_env_close(st->ienv);
		st->ienv = NULL;
	}
	return rc;
}

void
store_index_close(struct ledger_store *st)
{
	if (st->ienv == NULL)
		return;
	if (!(st->flags & LEDGER_STORE_RDONLY))
		(void)index_put_state(st, "clean");	/* else: rebuilt */
	mdb_env_close(st->ienv);
	st->ienv = NULL;
}

int
ledger_index_upto(struct ledger_txn *txn, uint64_t *upto,
    uint8_t tip[LEDGER_HASH_BYTES])
{
	MDB_txn *t;
	MDB_val v;
	int rc;

	if (txn == NULL || upto == NULL)
		return LEDGER_EINVAL;
	if ((rc = store_itxn(txn, &t)) != 0)
		return rc;
	if (txn->imark_set) {
		*upto = txn->imark;
		if (tip != NULL)
			memcpy(tip, txn->itip, LEDGER_HASH_BYTES);
		return 0;
	}
	rc = mdb_get(t, txn->st->imeta, (MDB_val *)&key_upto, &v);
	if (rc == MDB_NOTFOUND) {
		*upto = 0;
		if (tip != NULL)
			memset(tip, 0, LEDGER_HASH_BYTES);
		return 0;
	}
	if (rc != 0)
		return store_err(rc);
	if (v.mv_size != 8 + LEDGER_HASH_BYTES)
		return LEDGER_ESTORE;
	*upto = ledger_be64_get(v.mv_data);
	if (tip != NULL)
		memcpy(tip, (const uint8_t *)v.mv_data + 8, LEDGER_HASH_BYTES);
	return 0;
}

/*
 * A batch moves the mark once per entry; it is kept in the transaction
 * and written once, at commit, so the sequencer does not rewrite the same
 * record per entry.
 */
int
ledger_index_mark(struct ledger_txn *txn, uint64_t upto,
    const uint8_t tip[LEDGER_HASH_BYTES])
{
	MDB_txn *t;
	int rc;

	if (txn == NULL || tip == NULL || !txn->write || upto == 0)
		return LEDGER_EINVAL;
	if ((rc = store_itxn(txn, &t)) != 0)
		return rc;
	txn->imark = upto;
	memcpy(txn->itip, tip, LEDGER_HASH_BYTES);
	txn->imark_set = 1;
	return 0;
}

int
store_index_flush(struct ledger_txn *txn)
{
	uint8_t buf[8 + LEDGER_HASH_BYTES];
	MDB_val v = { sizeof(buf), buf };

	if (!txn->imark_set)
		return 0;
	ledger_be64_put(buf, txn->imark);
	memcpy(buf + 8, txn->itip, LEDGER_HASH_BYTES);
	return store_err(mdb_put(txn->itxn, txn->st->imeta,
	    (MDB_val *)&key_upto, &v, 0));
}
