/*
 * store.c - the LMDB environment of a ledger (DESIGN 4), see
 * ledger/store.h: open and layout checks, transactions, meta, generic
 * access and cursors.  The log's own tables are in store_log.c.
 *
 * Every LMDB return code passes through store_err(), so the mapping to
 * LEDGER_E* lives in one place.  Numeric keys are u64 big-endian: byte
 * order is numeric order, MDB_APPEND works, and the files read the same on
 * every host (MDB_INTEGERKEY would tie them to native byte order).
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "ledger/error.h"
#include "ledger/limits.h"
#include "ledger/store.h"
#include "store_int.h"

static const char *const db_names[LEDGER_DB_COUNT] = {
	[LEDGER_DB_META] = "meta",
	[LEDGER_DB_ENTRIES] = "entries",
	[LEDGER_DB_NODES] = "nodes",
	[LEDGER_DB_CHECKPOINTS] = "checkpoints",
	[LEDGER_DB_IDS] = "ids",
	[LEDGER_DB_KEYS] = "keys",
	[LEDGER_DB_BY_OCID] = "by_ocid",
	[LEDGER_DB_BY_ORG] = "by_org",
	[LEDGER_DB_BY_KIND_TIME] = "by_kind_time",
	[LEDGER_DB_BY_CONTRACT] = "by_contract",
	[LEDGER_DB_RULES] = "rules",
};

/* meta "version", ASCII. */
#define STORE_VERSION_STR	"2"
_Static_assert(LEDGER_STORE_VERSION == 2, "update STORE_VERSION_STR");

/* mdb_put must not see a NULL data pointer, even for an empty value. */
static const uint8_t empty_val[1];

int
store_err(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case MDB_NOTFOUND:
		return LEDGER_ENOTFOUND;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		return LEDGER_EFULL;	/* LMDB refused before writing */
	case ENOSPC:
		return LEDGER_ENOSPC;	/* a write or flush failed */
	case MDB_KEYEXIST:
		return LEDGER_EEXIST;
	case MDB_VERSION_MISMATCH:
	case MDB_INVALID:
		return LEDGER_EVERSION;
	case ENOMEM:
		return LEDGER_ENOMEM;
	case EINVAL:
		/* LMDB says EINVAL only for misuse (bad flags, wrong state). */
		return LEDGER_EINVAL;
	}
	if (rc > 0) {
		/* LMDB reports system failures as errno values. */
		errno = rc;
		return LEDGER_EIO;
	}
	return LEDGER_ESTORE;
}

void
ledger_be64_put(uint8_t out[8], uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

uint64_t
ledger_be64_get(const uint8_t in[8])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | in[i];
	return v;
}

const char *
ledger_db_name(enum ledger_db db)
{
	if ((unsigned)db >= LEDGER_DB_COUNT)
		return NULL;
	return db_names[db];
}

static int
db_valid(enum ledger_db db)
{
	return (unsigned)db < LEDGER_DB_COUNT;
}

static int
key_valid(const struct ledger_txn *txn, const void *key, size_t klen)
{
	return key != NULL && klen > 0 && klen <= txn->st->maxkey;
}

int
store_txn_of(struct ledger_txn *txn, enum ledger_db db, MDB_txn **out)
{
	if (!store_db_indexed(db)) {
		*out = txn->txn;
		return 0;
	}
	return store_itxn(txn, out);
}

int
store_itxn(struct ledger_txn *txn, MDB_txn **out)
{
	int rc;

	if (txn->st->ienv == NULL)
		return LEDGER_ENOTFOUND;
	if (!txn->ilive) {
		/* Only now: most readers never touch an index. */
		rc = txn->itxn == NULL ? mdb_txn_begin(txn->st->ienv, NULL,
		    MDB_RDONLY, &txn->itxn) : mdb_txn_renew(txn->itxn);
		if (rc != 0)
			return store_err(rc);
		txn->ilive = 1;
	}
	*out = txn->itxn;
	return 0;
}

int
store_get(struct ledger_txn *txn, enum ledger_db db, const void *k, size_t kl,
    MDB_val *val)
{
	MDB_val key = { .mv_size = kl, .mv_data = (void *)k };
	MDB_txn *t;
	int rc;

	if (txn == NULL)
		return LEDGER_EINVAL;
	if ((rc = store_txn_of(txn, db, &t)) != 0)
		return rc;
	return store_err(mdb_get(t, txn->st->dbi[db], &key, val));
}

int
store_get_ptr(struct ledger_txn *txn, enum ledger_db db, const void *k,
    size_t kl, const void **v, size_t *vl)
{
	MDB_val val;
	int rc;

	if (v == NULL || vl == NULL)
		return LEDGER_EINVAL;
	if ((rc = store_get(txn, db, k, kl, &val)) != 0)
		return rc;
	*v = val.mv_data;
	*vl = val.mv_size;
	return 0;
}

int
store_get_u64(struct ledger_txn *txn, enum ledger_db db, const void *k,
    size_t kl, uint64_t *out)
{
	MDB_val val;
	int rc;

	if (out == NULL)
		return LEDGER_EINVAL;
	if ((rc = store_get(txn, db, k, kl, &val)) != 0)
		return rc;
	if (val.mv_size != 8)
		return LEDGER_ESTORE;
	*out = ledger_be64_get(val.mv_data);
	return 0;
}

int
store_put(struct ledger_txn *txn, enum ledger_db db, const void *k, size_t kl,
    const void *v, size_t vl, unsigned mflags, MDB_val *old)
{
	MDB_val key = { .mv_size = kl, .mv_data = (void *)k };
	MDB_val val = { .mv_size = vl, .mv_data = (void *)v };
	MDB_txn *t;
	int rc;

	if (txn == NULL || !txn->write)
		return LEDGER_EINVAL;
	if ((rc = store_txn_of(txn, db, &t)) != 0)
		return rc;
	if (vl == 0)
		val.mv_data = (void *)empty_val;
	rc = mdb_put(t, txn->st->dbi[db], &key, &val, mflags);
	if (rc == MDB_KEYEXIST && old != NULL)
		*old = val;
	return store_err(rc);
}

/* Refuse to touch a ledger written by another layout version. */
static int
store_check_version(MDB_txn *t, MDB_dbi meta)
{
	MDB_val key = { .mv_size = 7, .mv_data = "version" }, val;
	size_t n = strlen(STORE_VERSION_STR);
	int rc;

	rc = mdb_get(t, meta, &key, &val);
	if (rc == MDB_NOTFOUND)
		return 0;	/* created but not yet initialized */
	if (rc != 0)
		return store_err(rc);
	if (val.mv_size != n || memcmp(val.mv_data, STORE_VERSION_STR, n) != 0)
		return LEDGER_EVERSION;
	return 0;
}

/*
 * Open every DBI once, in one transaction, and commit it: lmdb.h says a
 * handle becomes shared by the environment only after a successful commit
 * (also of a read-only transaction), and mdb_dbi_open must not race with
 * other transactions of this process, which holds only here.
 */
static int
store_open_dbs(struct ledger_store *st)
{
	MDB_txn *t;
	unsigned dbflags = 0;
	int i, rc;

	if (st->flags & LEDGER_STORE_CREATE)
		dbflags = MDB_CREATE;
	rc = mdb_txn_begin(st->env, NULL,
	    (st->flags & LEDGER_STORE_RDONLY) ? MDB_RDONLY : 0, &t);
	if (rc != 0)
		return store_err(rc);
	for (i = 0; i < LEDGER_DB_COUNT; i++) {
		if (store_db_indexed((enum ledger_db)i))
			continue;	/* in index.mdb */
		rc = mdb_dbi_open(t, db_names[i], dbflags, &st->dbi[i]);
		if (rc == MDB_NOTFOUND) {
			/*
			 * No meta: not a ledger (or never created).  Meta but
			 * a database missing: a layout we do not know.
			 */
			rc = i == LEDGER_DB_META ? LEDGER_ENOTFOUND :
			    LEDGER_EVERSION;
			goto txn_abort;
		}
		if (rc != 0) {
			rc = store_err(rc);
			goto txn_abort;
		}
		/* Check before creating the others in a foreign ledger. */
		if (i == LEDGER_DB_META &&
		    (rc = store_check_version(t, st->dbi[i])) != 0)
			goto txn_abort;
	}
	return store_err(mdb_txn_commit(t));

txn_abort:
	mdb_txn_abort(t);
	return rc;
}

int
ledger_store_open(const char *dir, unsigned flags, uint64_t mapsize,
    struct ledger_store **out)
{
	struct ledger_store *st;
	struct stat sb;
	unsigned envflags = MDB_NOTLS;
	int n, rc, dead;

	if (out == NULL)
		return LEDGER_EINVAL;
	*out = NULL;
	if (dir == NULL ||
	    (flags & ~(unsigned)(LEDGER_STORE_RDONLY | LEDGER_STORE_CREATE)) ||
	    ((flags & LEDGER_STORE_RDONLY) && (flags & LEDGER_STORE_CREATE)))
		return LEDGER_EINVAL;
	if (mapsize == 0)
		mapsize = LEDGER_STORE_MAPSIZE;
	if (mapsize > SIZE_MAX)
		return LEDGER_EINVAL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return LEDGER_ENOMEM;
	st->flags = flags;
	n = snprintf(st->datapath, sizeof(st->datapath), "%s/data.mdb", dir);
	if (n < 0 || (size_t)n >= sizeof(st->datapath)) {
		errno = ENAMETOOLONG;
		rc = LEDGER_EINVAL;
		goto free_st;
	}

	if (flags & LEDGER_STORE_CREATE) {
		/* Only the last component: a missing parent is a typo. */
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			rc = LEDGER_EIO;
			goto free_st;
		}
	} else if (stat(st->datapath, &sb) == -1) {
		/* Otherwise mdb_env_open would create an empty data.mdb. */
		rc = errno == ENOENT ? LEDGER_ENOTFOUND : LEDGER_EIO;
		goto free_st;
	}

	if ((rc = mdb_env_create(&st->env)) != 0) {
		rc = store_err(rc);
		goto free_st;
	}
	/*
	 * Durability comes from LMDB's default synchronous commit, so no
	 * NOSYNC, NOMETASYNC, MAPASYNC or WRITEMAP, ever.  NOTLS lets a
	 * read transaction move between threads of the daemon's pool.
	 */
	if (flags & LEDGER_STORE_RDONLY)
		envflags |= MDB_RDONLY;
	if ((rc = mdb_env_set_maxdbs(st->env, LEDGER_DB_COUNT)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, (size_t)mapsize)) != 0 ||
	    (rc = mdb_env_set_maxreaders(st->env, LEDGER_STORE_READERS)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, envflags, 0600)) != 0 ||
	    (!(flags & LEDGER_STORE_RDONLY) &&
	    (rc = mdb_reader_check(st->env, &dead)) != 0)) {
		rc = store_err(rc);
		goto env_close;
	}
	st->maxkey = (size_t)mdb_env_get_maxkeysize(st->env);
	if ((rc = store_open_dbs(st)) != 0 ||
	    (rc = store_index_open(st, dir, mapsize)) != 0)
		goto env_close;
	*out = st;
	return 0;

env_close:
	mdb_env_close(st->env);
free_st:
	free(st);	/* keeps errno (POSIX.1-2024, glibc) */
	return rc;
}

void
ledger_store_close(struct ledger_store *st)
{
	if (st == NULL)
		return;
	store_index_close(st);
	mdb_env_close(st->env);
	free(st->tail.data);
	free(st);
}

int
ledger_store_index_error(const struct ledger_store *st)
{
	return st == NULL ? LEDGER_EINVAL : st->index_error;
}

int
ledger_store_init(struct ledger_store *st, const char *origin)
{
	struct ledger_txn *txn;
	MDB_val val;
	size_t olen;
	int rc;

	if (st == NULL || origin == NULL || (olen = strlen(origin)) == 0)
		return LEDGER_EINVAL;
	if (olen > LEDGER_KEYNAME_MAX)
		return LEDGER_ETOOBIG;
	if ((rc = ledger_txn_begin(st, 1, &txn)) != 0)
		return rc;
	rc = store_get(txn, LEDGER_DB_META, "origin", 6, &val);
	if (rc == 0) {
		rc = LEDGER_EEXIST;
		goto txn_abort;
	}
	if (rc != LEDGER_ENOTFOUND)
		goto txn_abort;
	if ((rc = store_put(txn, LEDGER_DB_META, "version", 7, STORE_VERSION_STR,
	    strlen(STORE_VERSION_STR), 0, NULL)) != 0 ||
	    (rc = store_put(txn, LEDGER_DB_META, "origin", 6, origin, olen,
	    0, NULL)) != 0 ||
	    (rc = ledger_meta_set_size(txn, 0)) != 0)
		goto txn_abort;
	return ledger_txn_commit(txn);

txn_abort:
	ledger_txn_abort(txn);
	return rc;
}

int
ledger_store_usage(struct ledger_store *st, uint64_t *file_bytes,
    uint64_t db_bytes[LEDGER_DB_COUNT])
{
	struct ledger_txn *t;
	struct stat sb;
	MDB_stat ms;
	int i, rc;

	if (st == NULL)
		return LEDGER_EINVAL;
	if (file_bytes != NULL) {
		if (stat(st->datapath, &sb) == -1)
			return LEDGER_EIO;
		*file_bytes = (uint64_t)sb.st_size;
		if (st->ienv != NULL && stat(st->ipath, &sb) == 0)
			*file_bytes += (uint64_t)sb.st_size;
	}
	if (db_bytes == NULL)
		return 0;
	if ((rc = ledger_txn_begin(st, 0, &t)) != 0)
		return rc;
	for (i = 0; i < LEDGER_DB_COUNT; i++) {
		MDB_txn *mt;

		db_bytes[i] = 0;
		if (store_txn_of(t, (enum ledger_db)i, &mt) != 0)
			continue;	/* no index.mdb */
		if ((rc = mdb_stat(mt, st->dbi[i], &ms)) != 0) {
			ledger_txn_abort(t);
			return store_err(rc);
		}
		db_bytes[i] = ((uint64_t)ms.ms_branch_pages + ms.ms_leaf_pages +
		    ms.ms_overflow_pages) * ms.ms_psize;
	}
	ledger_txn_abort(t);
	return 0;
}

int
ledger_txn_begin(struct ledger_store *st, int write, struct ledger_txn **out)
{
	struct ledger_txn *txn;
	int rc;

	if (out == NULL)
		return LEDGER_EINVAL;
	*out = NULL;
	if (st == NULL || (write && (st->flags & LEDGER_STORE_RDONLY)))
		return LEDGER_EINVAL;
	if ((txn = calloc(1, sizeof(*txn))) == NULL)
		return LEDGER_ENOMEM;
	/*
	 * A writer locks data.mdb, then index.mdb; a reader takes its index
	 * snapshot at its first use (store_itxn).
	 */
	rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &txn->txn);
	if (rc != 0)
		goto free_txn;
	if (write && st->ienv != NULL) {
		if ((rc = mdb_txn_begin(st->ienv, NULL, 0, &txn->itxn)) != 0) {
			mdb_txn_abort(txn->txn);
			goto free_txn;
		}
		txn->ilive = 1;
	}
	txn->st = st;
	txn->write = write != 0;
	if (write)
		st->tail.live = 0;
	*out = txn;
	return 0;

free_txn:
	free(txn);
	return store_err(rc);
}

/* LMDB cursors may not outlive their transaction; leave handles inert. */
static void
txn_close_cursors(struct ledger_txn *txn)
{
	struct ledger_cursor *c, *next;

	for (c = txn->cursors; c != NULL; c = next) {
		next = c->next;
		mdb_cursor_close(c->cur);
		c->cur = NULL;
		c->txn = NULL;
		c->next = NULL;
	}
	txn->cursors = NULL;
}

int
ledger_txn_commit(struct ledger_txn *txn)
{
	int rc, irc;

	if (txn == NULL)
		return LEDGER_EINVAL;
	txn_close_cursors(txn);
	if (txn->write && ((rc = store_tail_flush(txn)) != 0 ||
	    (rc = store_index_flush(txn)) != 0)) {
		ledger_txn_abort(txn);
		return rc;
	}
	/* data.mdb durably first; then the index, which a crash may lose. */
	rc = mdb_txn_commit(txn->txn);
	if (txn->itxn != NULL) {
		if (rc == 0 && txn->write) {
			irc = mdb_txn_commit(txn->itxn);
			if (irc != 0 && txn->st->index_error == 0)
				txn->st->index_error = store_err(irc);
		} else {
			mdb_txn_abort(txn->itxn);
		}
	}
	free(txn);
	return store_err(rc);
}

void
ledger_txn_abort(struct ledger_txn *txn)
{
	if (txn == NULL)
		return;
	txn_close_cursors(txn);
	if (txn->write)
		txn->st->tail.live = 0;
	mdb_txn_abort(txn->txn);
	if (txn->itxn != NULL)
		mdb_txn_abort(txn->itxn);
	free(txn);
}

int
ledger_txn_renew(struct ledger_txn *txn)
{
	struct ledger_cursor *c;
	int rc;

	if (txn == NULL || txn->write)
		return LEDGER_EINVAL;
	mdb_txn_reset(txn->txn);
	if (txn->ilive) {
		mdb_txn_reset(txn->itxn);
		txn->ilive = 0;
	}
	txn->bundle_ok = 0;
	if ((rc = mdb_txn_renew(txn->txn)) != 0)
		return store_err(rc);
	for (c = txn->cursors; c != NULL; c = c->next) {
		MDB_txn *mt = txn->txn;

		if (c->indexed && (rc = store_itxn(txn, &mt)) != 0)
			return rc;
		if ((rc = mdb_cursor_renew(mt, c->cur)) != 0)
			return store_err(rc);
	}
	return 0;
}

int
ledger_meta_origin(struct ledger_txn *txn, char *out, size_t outsz)
{
	MDB_val val;
	int rc;

	if (out == NULL || outsz == 0)
		return LEDGER_EINVAL;
	if ((rc = store_get(txn, LEDGER_DB_META, "origin", 6, &val)) != 0)
		return rc;
	if (val.mv_size >= outsz)
		return LEDGER_ETOOBIG;
	memcpy(out, val.mv_data, val.mv_size);
	out[val.mv_size] = '\0';
	return 0;
}

int
ledger_meta_size(struct ledger_txn *txn, uint64_t *size)
{
	return store_get_u64(txn, LEDGER_DB_META, "size", 4, size);
}

int
ledger_meta_set_size(struct ledger_txn *txn, uint64_t size)
{
	uint8_t v[8];

	ledger_be64_put(v, size);
	return store_put(txn, LEDGER_DB_META, "size", 4, v, 8, 0, NULL);
}

/*
 * Raw access to entries must see the bundles as stored, so the gathered
 * tail of a write transaction is written first.
 */
static int
entries_settled(struct ledger_txn *txn, enum ledger_db db)
{
	if (db != LEDGER_DB_ENTRIES || !txn->write)
		return 0;
	return store_tail_flush(txn);
}

int
ledger_db_get(struct ledger_txn *txn, enum ledger_db db, const void *key,
    size_t klen, const void **val, size_t *vlen)
{
	int rc;

	if (txn == NULL || !db_valid(db) || !key_valid(txn, key, klen))
		return LEDGER_EINVAL;
	if ((rc = entries_settled(txn, db)) != 0)
		return rc;
	return store_get_ptr(txn, db, key, klen, val, vlen);
}

int
ledger_db_put(struct ledger_txn *txn, enum ledger_db db, const void *key,
    size_t klen, const void *val, size_t vlen, unsigned flags)
{
	unsigned mflags = 0;
	int rc;

	if (txn == NULL || !db_valid(db) || !key_valid(txn, key, klen) ||
	    (val == NULL && vlen > 0) ||
	    (flags & ~(unsigned)(LEDGER_PUT_APPEND | LEDGER_PUT_NOOVERWRITE)))
		return LEDGER_EINVAL;
	if ((rc = entries_settled(txn, db)) != 0)
		return rc;
	if (flags & LEDGER_PUT_APPEND)
		mflags |= MDB_APPEND;
	if (flags & LEDGER_PUT_NOOVERWRITE)
		mflags |= MDB_NOOVERWRITE;
	return store_put(txn, db, key, klen, val, vlen, mflags, NULL);
}

int
ledger_db_del(struct ledger_txn *txn, enum ledger_db db, const void *key,
    size_t klen)
{
	MDB_val k = { .mv_size = klen, .mv_data = (void *)key };
	MDB_txn *t;
	int rc;

	if (txn == NULL || !txn->write || !db_valid(db) ||
	    !key_valid(txn, key, klen))
		return LEDGER_EINVAL;
	if ((rc = entries_settled(txn, db)) != 0 ||
	    (rc = store_txn_of(txn, db, &t)) != 0)
		return rc;
	return store_err(mdb_del(t, txn->st->dbi[db], &k, NULL));
}

int
ledger_cursor_open(struct ledger_txn *txn, enum ledger_db db,
    struct ledger_cursor **out)
{
	struct ledger_cursor *c;
	MDB_txn *t;
	int rc;

	if (out == NULL)
		return LEDGER_EINVAL;
	*out = NULL;
	if (txn == NULL || !db_valid(db))
		return LEDGER_EINVAL;
	if ((rc = entries_settled(txn, db)) != 0 ||
	    (rc = store_txn_of(txn, db, &t)) != 0)
		return rc;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return LEDGER_ENOMEM;
	if ((rc = mdb_cursor_open(t, txn->st->dbi[db], &c->cur)) != 0) {
		free(c);
		return store_err(rc);
	}
	c->indexed = store_db_indexed(db);
	c->txn = txn;
	c->next = txn->cursors;
	txn->cursors = c;
	*out = c;
	return 0;
}

void
ledger_cursor_close(struct ledger_cursor *c)
{
	struct ledger_cursor **pp;

	if (c == NULL)
		return;
	if (c->txn != NULL) {
		/* A transaction holds a handful of cursors at most. */
		for (pp = &c->txn->cursors; *pp != c; pp = &(*pp)->next)
			;
		*pp = c->next;
		mdb_cursor_close(c->cur);
	}
	free(c);
}

static int
cursor_get(struct ledger_cursor *c, MDB_val *key, MDB_cursor_op op,
    const void **k, size_t *kl, const void **v, size_t *vl)
{
	MDB_val kv = { 0, NULL }, dv = { 0, NULL };
	int rc;

	if (c == NULL || c->cur == NULL)
		return LEDGER_EINVAL;
	if (key != NULL)
		kv = *key;
	if ((rc = mdb_cursor_get(c->cur, &kv, &dv, op)) != 0)
		return store_err(rc);
	if (k != NULL)
		*k = kv.mv_data;
	if (kl != NULL)
		*kl = kv.mv_size;
	if (v != NULL)
		*v = dv.mv_data;
	if (vl != NULL)
		*vl = dv.mv_size;
	return 0;
}

int
ledger_cursor_seek(struct ledger_cursor *c, const void *key, size_t klen,
    const void **k, size_t *kl, const void **v, size_t *vl)
{
	MDB_val kv = { .mv_size = klen, .mv_data = (void *)key };

	if (klen == 0)
		return cursor_get(c, NULL, MDB_FIRST, k, kl, v, vl);
	if (c == NULL || c->txn == NULL || !key_valid(c->txn, key, klen))
		return LEDGER_EINVAL;
	return cursor_get(c, &kv, MDB_SET_RANGE, k, kl, v, vl);
}

int
ledger_cursor_next(struct ledger_cursor *c, const void **k, size_t *kl,
    const void **v, size_t *vl)
{
	return cursor_get(c, NULL, MDB_NEXT, k, kl, v, vl);
}

int
ledger_cursor_prev(struct ledger_cursor *c, const void **k, size_t *kl,
    const void **v, size_t *vl)
{
	return cursor_get(c, NULL, MDB_PREV, k, kl, v, vl);
}

int
ledger_cursor_last(struct ledger_cursor *c, const void **k, size_t *kl,
    const void **v, size_t *vl)
{
	return cursor_get(c, NULL, MDB_LAST, k, kl, v, vl);
}
