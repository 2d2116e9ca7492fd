/*
 * ledger/registry.h - the author key registry, kept in the ledger itself
 * (DESIGN 3.6).
 *
 * A "key" entry registers an author key:
 *   {"name", "public_key": verifier-key string, "role", "org":
 *    {"scheme":"CN-USCI","id","name"}, "valid_from": RFC 3339,
 *    "valid_until"?: RFC 3339, "revokes"?: key name}
 * or revokes one:  {"revokes": key name, "reason"?: text}.
 * With both a registration and "revokes", the entry rotates a key.
 * Entry 0 (genesis) registers the first admin and is the only entry without
 * an author signature; every later key entry is signed by a valid admin.
 *
 * The registry is a map name -> struct ledger_keyrec behind two callbacks,
 * so the daemon keeps it in LMDB (committed with the batch) and verifiers
 * keep it in memory while replaying from seq 0.
 */
#ifndef LEDGER_REGISTRY_H
#define LEDGER_REGISTRY_H

#include <stdint.h>

#include "ledger/error.h"
#include "ledger/note.h"
#include "ledger/statement.h"

#define LEDGER_ROLE_MAX		16	/* bytes incl. NUL */
#define LEDGER_USCC_BYTES	18	/* Unified Social Credit Code length */
#define LEDGER_SEQ_NONE		UINT64_MAX

struct ledger_keyrec {
	struct ledger_pubkey	pub;
	char		role[LEDGER_ROLE_MAX];
	char		org[LEDGER_USCC_BYTES + 1];	/* USCC of the key's org */
	int64_t		valid_from;	/* ms since the epoch, UTC */
	int64_t		valid_until;	/* ms, INT64_MAX when open-ended */
	uint64_t	registered;	/* seq of the registering entry */
	uint64_t	revoked;	/* seq of the revoking entry or NONE */
};

/* Registry access: get returns LEDGER_ENOTFOUND for an unknown name. */
struct ledger_registry {
	void	*ctx;
	int	(*get)(void *ctx, const char *name, struct ledger_keyrec *out);
	int	(*put)(void *ctx, const struct ledger_keyrec *rec);
};

/*
 * Check that every author signature of st (being appended at seq with
 * leaf time time_ms) is by a registered key, valid at time_ms, not
 * revoked, whose role may sign st->kind, and that it verifies for origin.
 * Also enforces the genesis rule (seq 0: a key entry registering an
 * admin, no signatures) and "at least one signature" after it.  On refusal
 * returns LEDGER_EAUTH or LEDGER_ESIG with err naming the signature
 * ("signatures[1]") and the rule ("key.unknown", "key.revoked",
 * "key.expired", "key.not-yet-valid", "key.role", "sig.invalid",
 * "sig.missing", "genesis").
 * verify_crypto = 0 skips the Ed25519 check (the daemon's workers did it).
 */
int ledger_registry_check(const struct ledger_registry *reg,
    const struct ledger_statement *st, uint64_t seq, int64_t time_ms,
    const char *origin, int verify_crypto, struct ledger_err *err);

/*
 * Validate a key entry's body (schema, key string, role, USCC check
 * character, dates, a registered name not reused, a revoked key existing)
 * and apply it to the registry.  Call after ledger_registry_check.
 */
int ledger_registry_apply(const struct ledger_registry *reg,
    const struct ledger_statement *st, uint64_t seq, struct ledger_err *err);

/* May a key with role sign entries of kind? */
int ledger_role_permits(const char *role, const char *kind);

/*
 * GB 32100-2015: 18 characters from "0-9A-HJ-NP-RTUW-Y" with a valid
 * MOD-31 check character.  1 if valid, 0 if not.
 */
int ledger_uscc_valid(const char *code);

/* A small in-memory registry (verifiers); free with ledger_memreg_free. */
int ledger_memreg_new(struct ledger_registry *reg);
void ledger_memreg_free(struct ledger_registry *reg);

/* The LMDB registry of a write (or read) transaction. */
struct ledger_txn;
void ledger_txnreg_init(struct ledger_registry *reg, struct ledger_txn *txn);

#endif
