/*
 * rules_int.h - shared between rules.c (engine, records, votes, contracts,
 * corrections) and rules_funds.c (disbursements, evaluations, clawbacks).
 * Not installed.
 */
#ifndef LEDGER_RULES_INT_H
#define LEDGER_RULES_INT_H

#include <stdint.h>

#include "ledger/kinds.h"
#include "ledger/registry.h"
#include "ledger/rules.h"

/* Rule ids; names in rule_names[] (rules.c), same order. */
enum rule {
	R_PARTY_ORG, R_PARTY_MISSING, R_DATE_FUTURE,
	R_VOTE_COUNTS, R_VOTE_QUORUM, R_VOTE_OUTCOME, R_VOTE_LEADER,
	R_VOTE_ANNOUNCED,
	R_CONTRACT_UNIQUE, R_CONTRACT_PARTIES, R_CONTRACT_VOTE,
	R_CONTRACT_VOTE_OCID, R_CONTRACT_VOTE_DATE, R_CONTRACT_REQUESTED,
	R_CONTRACT_TRANCHES, R_CONTRACT_PERIOD,
	R_DISB_CONTRACT, R_DISB_ACTIVE, R_DISB_CURRENCY, R_DISB_PAYER,
	R_DISB_PAYEE, R_DISB_DATE, R_DISB_TRANCHE, R_DISB_ONCE, R_DISB_MID,
	R_DISB_FINAL, R_DISB_CAP,
	R_EVAL_CONTRACT, R_EVAL_INDEPENDENT, R_EVAL_EVALUATED, R_EVAL_ORDER,
	R_CORR_CITES, R_CORR_FIELD, R_CORR_OLD, R_CORR_CHANGE, R_CORR_NET,
	R_CLAW_CONTRACT, R_CLAW_CITES, R_CLAW_BASIS, R_CLAW_CURRENCY,
	R_CLAW_PARTIES, R_CLAW_NET, R_CLAW_DEMAND,
	R_COUNT
};

enum { K_NONE, K_VOTE, K_CONTRACT, K_DISBURSEMENT, K_EVALUATION,
    K_CORRECTION, K_CLAWBACK, K_COUNT };
enum { ST_NONE, ST_PENDING, ST_ACTIVE, ST_CANCELLED, ST_TERMINATED };
enum { PH_NONE, PH_INITIAL, PH_MID, PH_FINAL };
enum { V_NONE, V_PASS, V_CONDITIONAL, V_FAIL };
enum { C_NONE, C_SIGNING, C_MID, C_FINAL };

#define AMOUNT_NONE	UINT64_MAX
#define USCC_SZ		(LEDGER_USCC_BYTES + 1)

struct signer {
	char	role[LEDGER_ROLE_MAX];
	char	org[USCC_SZ];
};

/* "s:" id: what later entries need to know about an earlier one. */
struct entry {
	uint8_t		kind;
	uint64_t	seq;
	char		ocid[LEDGER_ID_MAX + 1];
	char		contract[LEDGER_ID_MAX + 1];	/* or "" */
	uint8_t		nsigners;
	struct signer	signers[LEDGER_SIGS_MAX];
	uint8_t		passed;		/* vote: recomputed outcome */
	int64_t		held_at;	/* vote */
	uint64_t	amount;		/* requested (vote), value (payment) */
};

/* "c:" contract_id: the running account of one contract. */
struct contract {
	char		stmt[LEDGER_ID_MAX + 1];
	char		ocid[LEDGER_ID_MAX + 1];
	char		currency[4];
	char		buyer[USCC_SZ], supplier[USCC_SZ];
	uint8_t		status;
	int64_t		signed_at;
	uint64_t	value;		/* after corrections */
	uint64_t	disbursed;	/* gross paid */
	uint64_t	demanded;	/* clawbacks ordered */
	uint64_t	received;	/* clawbacks received */
	uint64_t	paid;		/* bit no-1 set: tranche no paid */
	uint8_t		ntranches;
	uint8_t		highest;	/* the final tranche's no */
	struct {
		uint8_t	no, cond;
	}		tr[LEDGER_TRANCHES_MAX];
	uint8_t		verdict[4];	/* latest verdict per phase */
	uint8_t		maxphase;
};

/* One ledger_rules_apply call. */
struct apply {
	const struct ledger_rulestore	*rs;
	const struct ledger_statement	*st;
	uint64_t			 seq;
	int64_t				 time_ms;
	struct ledger_err		*err;
	struct ledger_keyrec		 keys[LEDGER_SIGS_MAX];
	struct entry			 self;	/* recorded for st */
	struct contract			 c;	/* the contract concerned */
	int				 c_dirty;
};

/* rules.c */
extern const char *const rules_kind_names[K_COUNT];
int	rules_refuse(struct apply *, enum rule, const char *,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
int	rules_party_refuse(struct apply *, size_t, const char *,
	    const char *);
int	rules_malformed(struct apply *, const char *);
/* a then b into out (outsz > 0), cut like snprintf "%s%s", no printf. */
void	rules_join(char *out, size_t outsz, const char *a, const char *b);
json_t	*rules_body_at(json_t *, const char *);
int	rules_get_str(struct apply *, const char *, const char **);
int	rules_get_int(struct apply *, const char *, int64_t, int64_t,
	    int64_t *);
int	rules_get_date(struct apply *, const char *, int64_t *);
int	rules_get_money(struct apply *, const char *, uint64_t *,
	    const char **);
int	rules_org_id(struct apply *, const char *, const char **);
int	rules_not_future(struct apply *, const char *, int64_t);
int	rules_add_u64(uint64_t, uint64_t, uint64_t *);
int	rules_net_of(struct apply *, uint64_t *);

/* rulestore.c */
int	rules_load_entry(struct apply *, const char *, struct entry *);
int	rules_load_contract(struct apply *, const char *);
int	rules_store_records(struct apply *);

/* rules_contract.c */
int	rules_contract(struct apply *);
int	rules_correction(struct apply *);

/* rules_funds.c */
int	rules_disbursement(struct apply *);
int	rules_evaluation(struct apply *);
int	rules_clawback(struct apply *);

#endif
