/*
 * ledger/verify.h - replay a ledger from seq 0 and check everything a
 * verifier can see (DESIGN 3, 6): each leaf's canonical encoding, its seq,
 * its chain link (prev), time order, unique statement ids, the kind's
 * body schema, author signatures and key validity, and the procedure's
 * rules -- through the same library code the daemon's sequencer runs
 * (ledger_registry_check / _apply, ledger_kind_validate,
 * ledger_rules_apply) -- the Merkle tree (every node, compared with a
 * source of stored nodes if given), and signed checkpoints against the
 * recomputed root at their size.
 *
 * The verifier knows nothing of LMDB or HTTP: the caller feeds leaves in
 * seq order and checkpoints at or before the size they sign, from any
 * source.  Leaves are verified in batches: a pool of threads parses,
 * hashes and schema-checks the leaves of one batch and verifies their
 * author signatures, while the caller's thread walks the batch before it
 * in seq order for the chain, registry, rules and tree.  The pool checks a
 * signature when the key was registered by an entry already walked (a
 * key's public key never changes and names are never reused, so that
 * answer holds at any later seq); other signatures are checked in the
 * ordered pass.
 *
 * Problems are reported in seq order through a callback, each with a
 * short stable code:
 *   "encoding"    leaf bytes not canonical, or not a valid leaf
 *   "seq"         leaf.seq differs from its position, or an entry missing
 *   "prev"        prev is not the leaf hash of seq-1 (zeros for seq 0)
 *   "time"        time before the previous leaf's
 *   "id"          a statement id used twice
 *   "key"         key registry: unknown, revoked, expired, role, genesis,
 *                 or a key entry the registry refuses
 *   "signature"   an author signature does not verify
 *   "schema"      the body does not match its kind (ledger_kind_validate)
 *   "rule"        a procedure rule refuses the entry (ledger_rules_apply)
 *   "tree"        a signed checkpoint's root differs from the recomputed
 *   "checkpoint"  a checkpoint does not verify or does not parse
 *   "consistency" a trusted checkpoint disagrees with the ledger (fork,
 *                 rewritten or shrunk history)
 *   "node"        a stored Merkle node differs from the recomputed one
 * A problem found by the caller (a missing entry, a malformed bundle) is
 * reported through ledger_verifier_problem so it takes its place in order.
 *
 * Thread safety: a verifier belongs to one thread; its callbacks run in
 * that thread, inside the verifier calls.
 */
#ifndef LEDGER_VERIFY_H
#define LEDGER_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/error.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

/* ledger_verifier_new flags */
#define LEDGER_VERIFY_ALL	0x1	/* go on after a problem, count all */
#define LEDGER_VERIFY_NOSIG	0x2	/* skip Ed25519 of author signatures */

#define LEDGER_VERIFY_SKIP	1	/* node reader: source lacks this node */
#define LEDGER_VERIFY_THREADS_MAX 256	/* pool threads of one verifier */

struct ledger_verifier;

struct ledger_vproblem {
	uint64_t	 seq;	/* leaf seq; a checkpoint's tree size */
	const char	*code;	/* static string, see above */
	char		 msg[512];
};

/* Called once per problem, in seq order. */
typedef void (*ledger_vreport)(void *ctx, const struct ledger_vproblem *p);

/*
 * Stored node source: put the stored hash of (level, index) in out and
 * return 0; LEDGER_ENOTFOUND when the source should hold the node but has
 * none (reported as a "node" problem); LEDGER_VERIFY_SKIP when the source
 * does not publish nodes of this level (not a problem); any other negative
 * code stops the verifier and is returned to the caller.
 */
typedef int (*ledger_vnode_reader)(void *ctx, unsigned level,
    uint64_t index, uint8_t out[LEDGER_HASH_BYTES]);

struct ledger_vstats {
	uint64_t	entries;	/* leaves replayed */
	uint64_t	sigs;		/* author signatures verified */
	uint64_t	nodes;		/* stored nodes compared */
	uint64_t	checkpoints;	/* checkpoints verified */
	uint64_t	problems;
	uint8_t		root[LEDGER_HASH_BYTES];	/* at entries */
};

/*
 * New verifier for the ledger origin whose checkpoints are signed by lkey
 * (copied).  threads: 1 does everything in the caller's thread; N > 1
 * starts N - 1 pool threads for parsing and Ed25519 beside the caller's,
 * which does the ordered pass and then helps them; 0 means one per online
 * CPU.  *out is freed with
 * ledger_verifier_free.  LEDGER_EINVAL for a bad origin, LEDGER_ENOMEM,
 * LEDGER_EIO (threads).
 */
int ledger_verifier_new(const char *origin, const struct ledger_pubkey *lkey,
    unsigned threads, unsigned flags, struct ledger_verifier **out);
/* Joins the threads; safe on NULL. */
void ledger_verifier_free(struct ledger_verifier *v);
/*
 * A hint: about entries leaves will be fed.  The rule state is sized for
 * them at once instead of being rebuilt as it fills (each entry leaves
 * about one record).  Only memory: when it cannot be had, nothing changes
 * and the state grows as it would have.
 */
void ledger_verifier_expect(struct ledger_verifier *v, uint64_t entries);

/* Callbacks (both optional); set them before feeding. */
void ledger_verifier_set_report(struct ledger_verifier *v, ledger_vreport fn,
    void *ctx);
void ledger_verifier_set_nodes(struct ledger_verifier *v,
    ledger_vnode_reader fn, void *ctx);

/*
 * Feed the leaf stored at seq (len bytes, copied).  seq must be the number
 * of leaves fed so far (LEDGER_EINVAL otherwise: a gap is reported with
 * ledger_verifier_problem, not fed).  Returns 0 while verification goes
 * on, also after a problem; once stopped (a problem without
 * LEDGER_VERIFY_ALL) feeding is a no-op.  Negative codes are errors of the
 * verifier itself or of the node reader (LEDGER_ENOMEM, ...).
 */
int ledger_verifier_leaf(struct ledger_verifier *v, uint64_t seq,
    const void *data, size_t len);

/*
 * Feed a signed checkpoint note (copied), to be checked when the tree
 * reaches its size: the signature by lkey, the origin, and the root.  size
 * is the size the source files it under (a store key), or LEDGER_SEQ_ANY
 * to take it from the note.  A trusted checkpoint (trusted != 0) is one
 * the user verified earlier: disagreement is a "consistency" problem
 * (fork), as is a size past the end (ledger_verifier_finish).  size below
 * the leaves already fed is LEDGER_EINVAL.
 */
#define LEDGER_SEQ_ANY	UINT64_MAX
int ledger_verifier_checkpoint(struct ledger_verifier *v, const char *note,
    size_t len, uint64_t size, int trusted);

/*
 * Report a problem found by the caller at seq: pending leaves are
 * verified first so problems stay in order.  code is a static string.
 */
int ledger_verifier_problem(struct ledger_verifier *v, uint64_t seq,
    const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Verify every leaf fed so far. */
int ledger_verifier_flush(struct ledger_verifier *v);

/*
 * End of input: flush, then report every checkpoint still waiting (its
 * size is past the last leaf).  Returns 0 or an error as _leaf does;
 * whether the ledger verified is ledger_verifier_ok.
 */
int ledger_verifier_finish(struct ledger_verifier *v);

/* 1 if no problem was found so far, else 0. */
int ledger_verifier_ok(const struct ledger_verifier *v);
/* 1 if stopped on a problem (no more feeding needed). */
int ledger_verifier_stopped(const struct ledger_verifier *v);
/* The first problem, or NULL. */
const struct ledger_vproblem *ledger_verifier_first(
    const struct ledger_verifier *v);
void ledger_verifier_stats(const struct ledger_verifier *v,
    struct ledger_vstats *s);

/*
 * The verified checkpoint of the largest size (pointer valid until the
 * next call on v): LEDGER_ENOTFOUND if none verified yet.
 */
int ledger_verifier_latest(const struct ledger_verifier *v,
    const char **note, size_t *len, uint64_t *size);

/*
 * Offline: feed v from a ledger's LMDB store (opened read-only, safe while
 * ledgerd writes) and finish it.  Every entry stored when the scan begins
 * (*size on return), every stored checkpoint up to the latest (including
 * one past the entries, which is a problem), and every stored node
 * (through ledger_verifier_set_nodes, reset on return).  The read
 * transaction is renewed every LEDGER_VERIFY_RENEW entries so the scan
 * does not pin old pages.  progress (may be NULL) is called every few
 * thousand entries with (done, total).  Returns 0 (whether the ledger
 * verified is ledger_verifier_ok) or a storage or verifier error.
 */
#define LEDGER_VERIFY_RENEW	10000	/* entries per read snapshot */
struct ledger_store;
typedef void (*ledger_vprogress)(void *ctx, uint64_t done, uint64_t total);
int ledger_verify_store(struct ledger_store *st, struct ledger_verifier *v,
    ledger_vprogress progress, void *ctx, uint64_t *size);

#endif
