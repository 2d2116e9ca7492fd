/*
 * store_int.h - private to lib/store.c and lib/store_log.c: the handles
 * behind ledger/store.h and the few LMDB helpers both files use.
 */
#ifndef LEDGER_STORE_INT_H
#define LEDGER_STORE_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "ledger/store.h"

/*
 * The last bundle of entries while a write transaction appends to it:
 * leaves gather here and are written once, at commit (or before anything
 * else touches the entries database), so a batch does not rewrite the
 * bundle's overflow pages once per leaf.  One per store: LMDB runs one
 * write transaction at a time, and each one starts it empty.
 */
struct store_tail {
	int		 live;		/* holds leaves not yet written */
	int		 stored;	/* bundle num exists in the store */
	uint64_t	 num;		/* bundle number: first seq / BUNDLE */
	unsigned	 n;		/* leaves */
	uint32_t	 end[LEDGER_BUNDLE_LEAVES];	/* in data */
	uint8_t		*data;		/* the leaves back to back */
	size_t		 cap;
};

struct ledger_store {
	MDB_env		*env;		/* DIR/data.mdb */
	/*
	 * DIR/index.mdb: the query indexes, committed after env without a
	 * sync (see ledger/store.h).  NULL in a RDONLY store when the file
	 * does not exist.
	 */
	MDB_env		*ienv;
	MDB_dbi		 dbi[LEDGER_DB_COUNT];	/* query indexes: ienv's */
	MDB_dbi		 imeta;		/* ienv's "meta" */
	unsigned	 flags;
	size_t		 maxkey;	/* bytes, mdb_env_get_maxkeysize */
	char		 datapath[PATH_MAX];
	char		 ipath[PATH_MAX];
	int		 index_error;	/* first failed index.mdb commit */
	struct store_tail tail;		/* of the current write transaction */
};

/* The query indexes live in ienv. */
static inline int
store_db_indexed(enum ledger_db db)
{
	return db == LEDGER_DB_BY_OCID || db == LEDGER_DB_BY_ORG ||
	    db == LEDGER_DB_BY_KIND_TIME || db == LEDGER_DB_BY_CONTRACT;
}

/* A stored bundle of leaves, parsed (store_log.c). */
struct bundle {
	const uint8_t	*area;		/* the leaves */
	unsigned	 n;
	uint32_t	 end[LEDGER_BUNDLE_LEAVES];
};

struct ledger_txn {
	struct ledger_store	*st;
	MDB_txn			*txn;
	MDB_txn			*itxn;	/* of st->ienv; NULL if none yet */
	int			 ilive;	/* itxn begun (not reset) */
	/* Write transactions: the index mark, stored once, at commit. */
	int			 imark_set;
	uint64_t		 imark;
	uint8_t			 itip[LEDGER_HASH_BYTES];
	int			 write;
	struct ledger_cursor	*cursors;	/* open ones, closed at end */
	/* Read transactions: the bundle read last, until a renew. */
	struct bundle		 bundle;
	uint64_t		 bundle_num;
	int			 bundle_ok;
};

struct ledger_cursor {
	struct ledger_txn	*txn;	/* NULL once the transaction ended */
	MDB_cursor		*cur;
	int			 indexed;	/* on txn->itxn */
	struct ledger_cursor	*next;	/* in txn->cursors */
};

/* store.c */
/* The one mapping of LMDB/errno codes to LEDGER_E* (see ledger/store.h). */
int store_err(int rc);
/*
 * The LMDB transaction that holds db: txn->txn, or for a query index
 * txn->itxn, which a read transaction begins at its first use.
 * LEDGER_ENOTFOUND when the store has no index.mdb.
 */
int store_txn_of(struct ledger_txn *txn, enum ledger_db db, MDB_txn **out);
/* txn->itxn, begun if need be; LEDGER_ENOTFOUND without index.mdb. */
int store_itxn(struct ledger_txn *txn, MDB_txn **out);
/* txn NULL is LEDGER_EINVAL; db and key are trusted. */
int store_get(struct ledger_txn *txn, enum ledger_db db, const void *k,
    size_t kl, MDB_val *val);
int store_get_ptr(struct ledger_txn *txn, enum ledger_db db, const void *k,
    size_t kl, const void **v, size_t *vl);
/* A u64 BE value; another length is LEDGER_ESTORE (damaged store). */
int store_get_u64(struct ledger_txn *txn, enum ledger_db db, const void *k,
    size_t kl, uint64_t *out);
/*
 * LEDGER_EINVAL in a read transaction.  On MDB_KEYEXIST *old (if not
 * NULL) receives the stored value, which MDB_NOOVERWRITE hands back.
 */
int store_put(struct ledger_txn *txn, enum ledger_db db, const void *k,
    size_t kl, const void *v, size_t vl, unsigned mflags, MDB_val *old);


/* store_index.c */
/*
 * Open DIR/index.mdb for st (its flags set): a reader's only if it
 * exists; a writer's checked, and deleted and made anew when it cannot be
 * trusted, then marked as written in this boot.
 */
int store_index_open(struct ledger_store *st, const char *dir,
    uint64_t mapsize);
/* Sync and mark clean (writers), close. */
void store_index_close(struct ledger_store *st);
/* Store the mark a write transaction set, if any (before commit). */
int store_index_flush(struct ledger_txn *txn);

/* store_log.c */
/*
 * Write the gathered tail bundle, if any (before commit, and before a
 * cursor or generic call reads or writes entries); 0 when there is none.
 */
int store_tail_flush(struct ledger_txn *txn);

#endif
