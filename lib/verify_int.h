/*
 * verify_int.h - private to lib/verify*.c: the batches of leaves and the
 * thread pool that prepares them (verify_pool.c) for the ordered pass
 * (verify.c).
 *
 * A batch is filled by the caller's thread, prepared by the pool (parse,
 * leaf hash, schema, id hash, Ed25519 with keys already known), then
 * walked in seq order by the caller's thread.  Two batches alternate, so
 * the ordered pass over one overlaps the preparation of the next; the
 * ordered pass shares only the key table with the pool, behind a lock.
 */
#ifndef LEDGER_VERIFY_INT_H
#define LEDGER_VERIFY_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/error.h"
#include "ledger/note.h"
#include "ledger/statement.h"

#define VBATCH_LEAVES	2048		/* leaves per batch */
#define VBATCH_BYTES	(8u << 20)	/* bytes of leaf copies per batch */
#define VID_HASH_BYTES	16		/* 128-bit id hashes never collide */

enum { VSIG_LATER = 0, VSIG_OK, VSIG_BAD };

struct vitem {
	uint64_t		seq;
	size_t			off, len;	/* bytes in the batch arena */
	int			parse_rc;	/* set when fed if too big */
	struct ledger_err	err;
	int			schema_rc;
	struct ledger_err	schema;
	uint8_t			hash[LEDGER_HASH_BYTES];
	uint8_t			idh[VID_HASH_BYTES];
	struct ledger_leaf	leaf;		/* freed when the slot is reused */
	uint8_t			sig[LEDGER_SIGS_MAX];	/* VSIG_* */
};

struct vbatch {
	struct vitem	*items;
	size_t		 n;
	uint8_t		*arena;
	size_t		 len;
};

/* Public keys of registered keys: name -> key and registering seq. */
struct vkey {
	struct ledger_pubkey	pub;
	uint64_t		registered;
};

struct vkeys {
	pthread_rwlock_t	 lk;
	struct vkey		*slot;		/* pub.name[0] == 0: empty */
	size_t			 cap, n;
};

struct vpool {
	const char		*origin;
	unsigned		 flags;		/* LEDGER_VERIFY_* */
	struct vkeys		 keys;
	pthread_t		*th;
	unsigned		 nth;		/* 0: prepare in the caller */
	pthread_mutex_t		 mu;
	pthread_cond_t		 go, done;
	unsigned		 gen, busy;
	int			 quit;
	struct vbatch		*job;
	atomic_size_t		 next;
};

/* verify_pool.c */
int	vbatch_init(struct vbatch *b);
/* Free every parsed leaf and the buffers. */
void	vbatch_free(struct vbatch *b);
/* threads workers (0: none, prepare in the caller). */
int	vpool_init(struct vpool *p, const char *origin, unsigned flags,
	    unsigned threads);
/* Waits for the batch in hand, then joins the workers. */
void	vpool_destroy(struct vpool *p);
/* Prepare b in the pool (returns at once), or here without workers. */
void	vpool_start(struct vpool *p, struct vbatch *b);
/* Help with the batch started last, then wait until it is prepared. */
void	vpool_wait(struct vpool *p);
/* Record a registered key for the pool's signature checks. */
int	vkeys_put(struct vkeys *k, const struct ledger_pubkey *pub,
	    uint64_t registered);

#endif
