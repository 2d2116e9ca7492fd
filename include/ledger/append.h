/*
 * ledger/append.h - add entries to a ledger inside one LMDB write
 * transaction: the single code path used by "ledgerctl init" (genesis) and
 * by the daemon's sequencer for every batch.
 *
 * For each statement, in seq order: idempotency on id, key registry and
 * rules against the state as written so far in this transaction (so earlier
 * entries of the same batch count), then the leaf, the entry, its Merkle
 * nodes, the id, the indexes, the registry and the meta size.
 */
#ifndef LEDGER_APPEND_H
#define LEDGER_APPEND_H

#include <stdint.h>

#include "ledger/merkle.h"
#include "ledger/statement.h"
#include "ledger/store.h"

struct ledger_appender {
	char			origin[LEDGER_KEYNAME_MAX + 1];
	uint64_t		size;		/* entries written so far */
	uint8_t			last_hash[LEDGER_HASH_BYTES];
	int64_t			last_time;	/* ms of the last leaf */
	struct ledger_frontier	fr;
};

/* Load the appender state of the ledger as seen by txn. */
int ledger_appender_load(struct ledger_appender *a, struct ledger_txn *txn);

/* Result of one append. */
struct ledger_appended {
	uint64_t	seq;
	uint8_t		hash[LEDGER_HASH_BYTES];
	int		replay;		/* 1: same statement already at seq */
};

/* ledger_appender_add prechecked flags: what the caller already did. */
#define LEDGER_PRECHECKED_SIGS		0x1	/* Ed25519 of every signature */
#define LEDGER_PRECHECKED_SCHEMA	0x2	/* ledger_kind_validate */

/*
 * Append st at a->size with time max(now_ms, last leaf time).  Returns 0
 * (out filled; out->replay = 1 when the same {id, kind, body} is already in
 * the ledger, and nothing is written), or a refusal that wrote nothing and
 * left *a unchanged: LEDGER_ECONFLICT (id taken by other content),
 * LEDGER_EAUTH / LEDGER_ESIG (registry), LEDGER_ESCHEMA / LEDGER_ERULE
 * (kind schema and procedure rules), LEDGER_ETOOBIG (leaf size), all with
 * err filled.  Storage failures (LEDGER_EFULL, LEDGER_ENOSPC, LEDGER_EIO,
 * LEDGER_ESTORE) poison the transaction: abort it and reload the appender.
 * prechecked (LEDGER_PRECHECKED_*) names the statement-only checks the
 * caller already made, so the single sequencer thread skips them; 0 checks
 * everything.  Key validity, rules and idempotency are always checked here,
 * in seq order.
 */
int ledger_appender_add(struct ledger_appender *a, struct ledger_txn *txn,
    const struct ledger_statement *st, int64_t now_ms, unsigned prechecked,
    struct ledger_appended *out, struct ledger_err *err);

/* Current wall clock in ms since the epoch (UTC). */
int64_t ledger_now_ms(void);

#endif
