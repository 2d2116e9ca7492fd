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
 * Pool threads, and the caller's once its ordered pass is done, claim
 * slots one at a time, so none idles while another still has work.  Each
 * parses its slots' trees into its own arena for that batch (arena.h):
 * the trees die together when the batch is started again, and nothing
 * walks them to free them node by node.
 */
#ifndef LEDGER_VERIFY_INT_H
#define LEDGER_VERIFY_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/arena.h"
#include "ledger/error.h"
#include "ledger/note.h"
#include "ledger/statement.h"

/* Leaves per batch: small enough that a batch's trees stay in cache. */
#define VBATCH_LEAVES	256
#define VBATCH_BYTES	(8u << 20)	/* bytes of leaf copies per batch */
#define VID_HASH_BYTES	16		/* 128-bit id hashes never collide */
/* A signing message: domain, origin, "\n", signed part (< the leaf). */
#define VMSG_MAX	(sizeof(LEDGER_STATEMENT_DOMAIN) + \
			    LEDGER_KEYNAME_MAX + 1 + LEDGER_LEAF_MAX + 1)

enum { VSIG_LATER = 0, VSIG_OK, VSIG_BAD };

struct vitem {
	uint64_t		seq;
	size_t			off, len;	/* bytes in the batch arena */
	size_t			signed_end;	/* signed part: arena[off,
						   off + signed_end) "}" */
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
	size_t		 next;		/* next slot to claim (atomic) */
	int		 id;		/* 0 or 1: which arena of a worker */
	uint8_t		*arena;
	size_t		 len;
	/* The batch being filled never shares a cache line with the claimed. */
	char		 pad[64];
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

/*
 * One thread of the pool, with its buffer for signing messages and an
 * arena for the trees it parses in each of the two batches.
 */
struct vworker {
	struct vpool	*p;
	struct ledger_arena ar[2];
	char		*msg;		/* VMSG_MAX bytes */
	size_t		 prefix;	/* domain, origin, "\n" already in msg */
};

struct vpool {
	const char		*origin;
	unsigned		 flags;		/* LEDGER_VERIFY_* */
	struct vkeys		 keys;
	pthread_t		*th;
	unsigned		 nth;		/* 0: prepare in the caller */
	struct vworker		*w;		/* nth + 1: the caller's last */
	unsigned		 nw;
	pthread_mutex_t		 mu;
	pthread_cond_t		 go, done;
	unsigned		 gen, busy;
	int			 quit;
	struct vbatch		*job;
};

/* verify_pool.c */
int	vbatch_init(struct vbatch *b, int id);
/* Drop every parsed leaf (their trees die with the pool's arenas). */
void	vbatch_free(struct vbatch *b);
/* threads workers (0: none, prepare in the caller). */
int	vpool_init(struct vpool *p, const char *origin, unsigned flags,
	    unsigned threads);
/* Waits for the batch in hand, then joins the workers. */
void	vpool_destroy(struct vpool *p);
/* Prepare b in the pool (returns at once), or here without workers. */
void	vpool_start(struct vpool *p, struct vbatch *b);
/* Help prepare the batch started last, then wait until it is done. */
void	vpool_wait(struct vpool *p);
/*
 * Verify signature i of the item's statement with key k, over the signing
 * message built in w's buffer from the leaf's bytes (data: the item's
 * copy in the batch arena).  VSIG_OK or VSIG_BAD.
 */
int	vsig_check(struct vworker *w, const struct vitem *it,
	    const uint8_t *data, size_t i, const struct ledger_pubkey *k);
/* Record a registered key for the pool's signature checks. */
int	vkeys_put(struct vkeys *k, const struct ledger_pubkey *pub,
	    uint64_t registered);

#endif
