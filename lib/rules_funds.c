/*
 * rules_funds.c - the rules of the money after signing: disbursements
 * against a contract's cap and tranche plan, the evaluations that gate
 * them, and clawbacks that recover funds (DATA-STANDARDS 8.5-8.10).
 * Shared machinery and the state layout: rules.c.
 */
#include <stdio.h>
#include <string.h>

#include "rules_int.h"

/* The contract named by body.contract_id, for an entry of the same ocid. */
static int
contract_of(struct apply *a, enum rule r, const char *what)
{
	const char *id;
	int rc;

	if ((rc = rules_get_str(a, "contract_id", &id)) != 0)
		return rc;
	rc = rules_load_contract(a, id);
	if (rc == LEDGER_ENOTFOUND)
		return rules_refuse(a, r, "body.contract_id", "no contract "
		    "\"%s\" in this ledger; a %s follows its signed contract",
		    id, what);
	if (rc != 0)
		return rc;
	if (strcmp(a->c.ocid, a->self.ocid) != 0)
		return rules_refuse(a, r, "body.ocid", "contract \"%s\" "
		    "belongs to project %s, not %s", id, a->c.ocid,
		    a->self.ocid);
	rules_join(a->self.contract, sizeof(a->self.contract), id, "");
	return 0;
}

/*
 * Each signature is by the purchaser (a purchaser key of the contract's
 * buyer) or by the paying finance bureau (a finance key whose org is the
 * payer named in the entry).
 */
static int
disbursement_party(struct apply *a, const char *payer, int *finance)
{
	size_t i;

	*finance = 0;
	for (i = 0; i < a->st->nsigs; i++) {
		const struct ledger_keyrec *k = &a->keys[i];

		if (strcmp(k->role, "purchaser") == 0 &&
		    strcmp(k->org, a->c.buyer) == 0)
			continue;
		if (strcmp(k->role, "finance") == 0 &&
		    strcmp(k->org, payer) == 0) {
			*finance = 1;
			continue;
		}
		if (strcmp(k->role, "finance") == 0)
			return rules_party_refuse(a, i, "the payer", payer);
		return rules_party_refuse(a, i, "the buyer", a->c.buyer);
	}
	return 0;
}

static int
tranche_index(const struct contract *c, int64_t no)
{
	int i;

	for (i = 0; i < c->ntranches; i++)
		if (c->tr[i].no == no)
			return i;
	return -1;
}

int
rules_disbursement(struct apply *a)
{
	struct contract *c = &a->c;
	const char *cur, *payer, *payee;
	uint64_t value, net, bit;
	int64_t no, paid_on;
	int rc, t, finance;

	if ((rc = contract_of(a, R_DISB_CONTRACT, "disbursement")) != 0)
		return rc;
	if ((rc = rules_get_int(a, "tranche_no", 1, LEDGER_TRANCHES_MAX,
	    &no)) != 0 ||
	    (rc = rules_get_money(a, "value", &value, &cur)) != 0 ||
	    (rc = rules_org_id(a, "payer", &payer)) != 0 ||
	    (rc = rules_org_id(a, "payee", &payee)) != 0 ||
	    (rc = rules_get_date(a, "paid_on", &paid_on)) != 0)
		return rc;
	if ((rc = disbursement_party(a, payer, &finance)) != 0)
		return rc;
	if (c->status != ST_ACTIVE)
		return rules_refuse(a, R_DISB_ACTIVE, "body.contract_id",
		    "contract \"%s\" is not active; payments need an active "
		    "contract", a->self.contract);
	if (strcmp(cur, c->currency) != 0)
		return rules_refuse(a, R_DISB_CURRENCY, "body.value.currency",
		    "the contract is in %s, not %s", c->currency, cur);
	if (!finance && strcmp(payer, c->buyer) != 0)
		return rules_refuse(a, R_DISB_PAYER, "body.payer.id",
		    "the payer is neither the buyer (%s) nor a finance bureau "
		    "signing this entry", c->buyer);
	if (strcmp(payee, c->supplier) != 0)
		return rules_refuse(a, R_DISB_PAYEE, "body.payee.id",
		    "the payee must be the contract's supplier (%s)",
		    c->supplier);
	if (paid_on < c->signed_at)
		return rules_refuse(a, R_DISB_DATE, "body.paid_on",
		    "paid before the contract was signed");
	if ((t = tranche_index(c, no)) < 0)
		return rules_refuse(a, R_DISB_TRANCHE, "body.tranche_no",
		    "the contract has no tranche %lld", (long long)no);
	bit = 1ULL << (no - 1);
	if (c->paid & bit)
		return rules_refuse(a, R_DISB_ONCE, "body.tranche_no",
		    "tranche %lld is already paid; a tranche is paid once",
		    (long long)no);
	if (c->tr[t].cond == C_MID && c->verdict[PH_MID] != V_PASS &&
	    c->verdict[PH_MID] != V_CONDITIONAL)
		return rules_refuse(a, R_DISB_MID, "body.tranche_no",
		    "tranche %lld is released by the mid-term evaluation, and "
		    "no mid evaluation has passed (pass or conditional)",
		    (long long)no);
	if ((no == c->highest || c->tr[t].cond == C_FINAL) &&
	    c->verdict[PH_FINAL] != V_PASS)
		return rules_refuse(a, R_DISB_FINAL, "body.tranche_no",
		    "tranche %lld is final: it needs a final evaluation with "
		    "verdict pass first", (long long)no);
	if ((rc = rules_net_of(a, &net)) != 0)
		return rc;
	if (net > c->value || value > c->value - net)
		return rules_refuse(a, R_DISB_CAP, "body.value.amount_minor",
		    "%llu fen would bring the net disbursed to more than the "
		    "contract value %llu fen (already %llu fen net)",
		    (unsigned long long)value, (unsigned long long)c->value,
		    (unsigned long long)net);
	if ((rc = rules_not_future(a, "paid_on", paid_on)) != 0)
		return rc;
	if (rules_add_u64(c->disbursed, value, &c->disbursed) != 0)
		return rules_refuse(a, R_DISB_CAP, "body.value.amount_minor",
		    "the contract's disbursement total would overflow");
	c->paid |= bit;
	a->c_dirty = 1;
	a->self.amount = value;
	return 0;
}

int
rules_evaluation(struct apply *a)
{
	static const char *const phases[] = { "", "initial", "mid", "final" };
	static const char *const verdicts[] = {
		"", "pass", "conditional", "fail",
	};
	struct contract *c = &a->c;
	const char *evaluator, *evaluated, *phase, *verdict;
	json_t *indep;
	int64_t on;
	size_t i;
	int p, v, rc;

	if ((rc = contract_of(a, R_EVAL_CONTRACT, "evaluation")) != 0)
		return rc;
	if ((rc = rules_org_id(a, "evaluator", &evaluator)) != 0 ||
	    (rc = rules_org_id(a, "evaluated", &evaluated)) != 0 ||
	    (rc = rules_get_str(a, "phase", &phase)) != 0 ||
	    (rc = rules_get_str(a, "verdict", &verdict)) != 0 ||
	    (rc = rules_get_date(a, "assessed_on", &on)) != 0)
		return rc;
	for (p = PH_INITIAL; p <= PH_FINAL; p++)
		if (strcmp(phase, phases[p]) == 0)
			break;
	for (v = V_PASS; v <= V_FAIL; v++)
		if (strcmp(verdict, verdicts[v]) == 0)
			break;
	if (p > PH_FINAL)
		return rules_malformed(a, "phase");
	if (v > V_FAIL)
		return rules_malformed(a, "verdict");
	for (i = 0; i < a->st->nsigs; i++)
		if (strcmp(a->keys[i].role, "evaluator") != 0 ||
		    strcmp(a->keys[i].org, evaluator) != 0)
			return rules_party_refuse(a, i, "the evaluator",
			    evaluator);
	if (strcmp(evaluator, c->supplier) == 0 ||
	    strcmp(evaluator, c->buyer) == 0)
		return rules_refuse(a, R_EVAL_INDEPENDENT, "body.evaluator.id",
		    "the evaluator is the contract's %s; evaluations are made "
		    "by an independent third party",
		    strcmp(evaluator, c->supplier) == 0 ? "contractor" :
		    "purchaser");
	indep = json_object_get(a->st->body, "independence_declared");
	if (!json_is_true(indep))
		return rules_refuse(a, R_EVAL_INDEPENDENT,
		    "body.independence_declared", "the evaluator must declare "
		    "independence (independence_declared true)");
	if (strcmp(evaluated, c->supplier) != 0)
		return rules_refuse(a, R_EVAL_EVALUATED, "body.evaluated.id",
		    "the organization evaluated must be the contract's "
		    "supplier (%s)", c->supplier);
	if (p < c->maxphase)
		return rules_refuse(a, R_EVAL_ORDER, "body.phase",
		    "a %s evaluation cannot follow a %s one; phases run "
		    "initial, mid, final", phases[p], phases[c->maxphase]);
	if ((rc = rules_not_future(a, "assessed_on", on)) != 0)
		return rc;
	c->verdict[p] = (uint8_t)v;
	c->maxphase = (uint8_t)p;
	a->c_dirty = 1;
	return 0;
}

/* A cited entry must be of kind k and of this entry's contract. */
static int
cites(struct apply *a, const char *rel, int kind, enum rule r,
    const char *what)
{
	char path[64];
	const char *id;
	struct entry e;
	int rc;

	if ((rc = rules_get_str(a, rel, &id)) != 0)
		return rc;
	rules_join(path, sizeof(path), "body.", rel);
	rc = rules_load_entry(a, id, &e);
	if (rc != 0 && rc != LEDGER_ENOTFOUND)
		return rc;
	if (rc == LEDGER_ENOTFOUND || e.kind != kind ||
	    strcmp(e.contract, a->self.contract) != 0)
		return rules_refuse(a, r, path, "\"%s\" is not %s of contract "
		    "\"%s\" in this ledger", id, what, a->self.contract);
	return 0;
}

int
rules_clawback(struct apply *a)
{
	struct contract *c = &a->c;
	const char *status, *cur, *id;
	uint64_t value, net, outstanding;
	int64_t on;
	size_t i;
	int rc;

	if ((rc = contract_of(a, R_CLAW_CONTRACT, "clawback")) != 0)
		return rc;
	for (i = 0; i < a->st->nsigs; i++)
		if (strcmp(a->keys[i].role, "purchaser") != 0 ||
		    strcmp(a->keys[i].org, c->buyer) != 0)
			return rules_party_refuse(a, i, "the buyer", c->buyer);
	if ((rc = rules_get_str(a, "status", &status)) != 0 ||
	    (rc = rules_get_money(a, "value", &value, &cur)) != 0 ||
	    (rc = rules_get_date(a, "date", &on)) != 0)
		return rc;
	if ((rc = cites(a, "target_entry", K_DISBURSEMENT, R_CLAW_CITES,
	    "a disbursement")) != 0)
		return rc;
	if (json_object_get(a->st->body, "basis_ref") != NULL &&
	    (rc = cites(a, "basis_ref", K_EVALUATION, R_CLAW_BASIS,
	    "an evaluation")) != 0)
		return rc;
	if (strcmp(cur, c->currency) != 0)
		return rules_refuse(a, R_CLAW_CURRENCY, "body.value.currency",
		    "the contract is in %s, not %s", c->currency, cur);
	if (json_object_get(a->st->body, "payer") != NULL) {
		if ((rc = rules_org_id(a, "payer", &id)) != 0)
			return rc;
		if (strcmp(id, c->supplier) != 0)
			return rules_refuse(a, R_CLAW_PARTIES, "body.payer.id",
			    "funds are returned by the supplier (%s)",
			    c->supplier);
	}
	if (json_object_get(a->st->body, "payee") != NULL) {
		if ((rc = rules_org_id(a, "payee", &id)) != 0)
			return rc;
		if (strcmp(id, c->buyer) != 0)
			return rules_refuse(a, R_CLAW_PARTIES, "body.payee.id",
			    "funds are returned to the buyer (%s)", c->buyer);
	}
	if ((rc = rules_net_of(a, &net)) != 0)
		return rc;
	outstanding = c->demanded - c->received;
	if (strcmp(status, "ordered") != 0 && strcmp(status, "received") != 0)
		return rules_malformed(a, "status");
	if (strcmp(status, "ordered") == 0) {
		if (outstanding > net || value > net - outstanding)
			return rules_refuse(a, R_CLAW_NET,
			    "body.value.amount_minor", "%llu fen more would "
			    "demand back more than the %llu fen net disbursed "
			    "(%llu fen already demanded)",
			    (unsigned long long)value,
			    (unsigned long long)net,
			    (unsigned long long)outstanding);
	} else if (value > outstanding)
		return rules_refuse(a, R_CLAW_DEMAND, "body.value.amount_minor",
		    "%llu fen received exceeds the %llu fen demanded and not "
		    "yet returned; record the demand (status ordered) first",
		    (unsigned long long)value,
		    (unsigned long long)outstanding);
	if ((rc = rules_not_future(a, "date", on)) != 0)
		return rc;
	if (strcmp(status, "ordered") == 0)
		c->demanded += value;	/* <= net <= value: no overflow */
	else
		c->received += value;
	a->c_dirty = 1;
	return 0;
}
