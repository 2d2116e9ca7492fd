/*
 * ledger/rules.h - the procedure's rules between entries (DESIGN 3.5,
 * DATA-STANDARDS 8), enforced at append and replayed from seq 0 by
 * ledgerctl verify and ledgerctl audit, so every one of them has a single
 * implementation.
 *
 * Rule state lives in a byte-keyed map behind two callbacks: the daemon
 * keeps it in LMDB (LEDGER_DB_RULES, committed with the batch), verifiers
 * keep it in memory while replaying.  Its layout is described at the top
 * of lib/rules.c and is part of storage format version 1.
 *
 * Call order for one statement (append.c): replay check, registry check
 * (ledger_registry_check), ledger_kind_validate, leaf build,
 * ledger_rules_apply, ledger_registry_apply, writes.
 *
 * Thread safety: a rulestore belongs to one thread at a time (the
 * sequencer, or one verifier pass); the functions are reentrant.
 */
#ifndef LEDGER_RULES_H
#define LEDGER_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/error.h"
#include "ledger/kinds.h"
#include "ledger/registry.h"
#include "ledger/statement.h"

/*
 * How far an event date (held_at, date_signed, paid_on, assessed_on, a
 * clawback's date) may lie after the leaf time before "date.future"
 * refuses it: authors' clocks are not the sequencer's.  ms.
 */
#define LEDGER_RULES_CLOCK_SLACK_MS	(15 * 60 * 1000)

struct ledger_rulestore {	/* rule state: a byte-keyed map */
	void	*ctx;
	/* *val is a malloc'd copy (caller frees); LEDGER_ENOTFOUND if absent */
	int	(*get)(void *ctx, const void *key, size_t klen, void **val,
		    size_t *vlen);
	int	(*put)(void *ctx, const void *key, size_t klen,
		    const void *val, size_t vlen);
};

/* The LMDB rule state of a transaction (database LEDGER_DB_RULES). */
struct ledger_txn;
void ledger_rulestore_txn(struct ledger_rulestore *rs, struct ledger_txn *txn);

/* An in-memory rule state (audit, verify); free with _mem_free. */
int ledger_rulestore_mem_new(struct ledger_rulestore *rs);
void ledger_rulestore_mem_free(struct ledger_rulestore *rs);
/*
 * Make room for records records at once (an in-memory state only), so
 * the table is not rebuilt as it fills: a replay of n entries stores
 * about n records.  0, or LEDGER_ENOMEM with the state unchanged.
 */
int ledger_rulestore_mem_reserve(struct ledger_rulestore *rs,
    size_t records);

/*
 * Check every rule for st, appended at seq with leaf time time_ms, against
 * the state left by the entries before it; on success record st's effects
 * in the state.  reg is the key registry as it stands before st (party
 * checks read each signing key's role and org from it).
 * Returns 0, or a refusal that wrote nothing: LEDGER_ERULE, or
 * LEDGER_EAUTH for a party mismatch ("party.org", "party.missing"), with
 * err->rule the rule's stable name ("contract.vote-passed",
 * "disbursement.cap", ...; docs/KINDS.md lists them all), err->path the
 * member concerned and err->msg a sentence for a human.  LEDGER_ESCHEMA if
 * the body does not match its kind (call ledger_kind_validate first).
 * Failures of rs (LEDGER_ENOMEM, storage codes) pass through; after one
 * the state may be partly written, as the transaction is then aborted.
 * "key" entries have no rules here (the registry's) and record nothing.
 */
int ledger_rules_apply(const struct ledger_rulestore *rs,
    const struct ledger_registry *reg, const struct ledger_statement *st,
    uint64_t seq, int64_t time_ms, struct ledger_err *err);

/*
 * The stable rule names, for docs and reports: the i-th name, or NULL past
 * the last.
 */
const char *ledger_rule_name(size_t i);

/*
 * The running account of a contract, as the rules keep it (what portals
 * show as contracted, paid, clawed back and remaining).  Amounts are in
 * minor units of currency.
 */
struct ledger_contract_account {
	char		 statement_id[LEDGER_ID_MAX + 1];
	char		 ocid[LEDGER_ID_MAX + 1];
	char		 currency[4];
	char		 buyer[LEDGER_USCC_BYTES + 1];
	char		 supplier[LEDGER_USCC_BYTES + 1];
	const char	*status;	/* pending, active, cancelled, terminated */
	uint64_t	 value;		/* after corrections */
	uint64_t	 disbursed;	/* gross paid */
	uint64_t	 demanded;	/* clawbacks ordered */
	uint64_t	 received;	/* clawbacks received */
	unsigned	 ntranches;
	struct {
		unsigned	 no;
		const char	*condition;	/* signing, mid_evaluation, ... */
		int		 paid;
	}		 tranches[LEDGER_TRANCHES_MAX];
	const char	*verdict[3];	/* latest: initial, mid, final; or NULL */
};

/* Read contract_id's account from rs: 0, LEDGER_ENOTFOUND or a store error. */
int ledger_rules_contract(const struct ledger_rulestore *rs,
    const char *contract_id, struct ledger_contract_account *out);

#endif
