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
	MDB_env		*env;
	MDB_dbi		 dbi[LEDGER_DB_COUNT];
	unsigned	 flags;
	size_t		 maxkey;	/* bytes, mdb_env_get_maxkeysize */
	char		 datapath[PATH_MAX];
	struct store_tail tail;		/* of the current write transaction */
};

/* A stored bundle of leaves, parsed (store_log.c). */
struct bundle {
	const uint8_t	*area;		/* the leaves */
	unsigned	 n;
	uint32_t	 end[LEDGER_BUNDLE_LEAVES];
};

struct ledger_txn {
	struct ledger_store	*st;
	MDB_txn			*txn;
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
	struct ledger_cursor	*next;	/* in txn->cursors */
};

/* store.c */
/* The one mapping of LMDB/errno codes to LEDGER_E* (see ledger/store.h). */
int store_err(int rc);
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


/* store_log.c */
/*
 * Write the gathered tail bundle, if any (before commit, and before a
 * cursor or generic call reads or writes entries); 0 when there is none.
 */
int store_tail_flush(struct ledger_txn *txn);

#endif
