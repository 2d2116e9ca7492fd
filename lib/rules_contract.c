/*
 * rules_contract.c - the rules of contracts (a passed vote of the same
 * project, both parties signing, a tranche plan adding up to the value)
 * and of corrections (cite an earlier entry, by one of its authors, and
 * never touch what the rules depend on, except a contract's status and
 * value, which the contract's account follows).  Engine: rules.c.
 */
#include <stdio.h>
#include <string.h>

#include "rules_int.h"

/* contract (DATA-STANDARDS 8.3, 8.4, 8.6). */
static int
contract_party(struct apply *a, const char *buyer, const char *supplier)
{
	int purchaser = 0, contractor = 0;
	size_t i;

	for (i = 0; i < a->st->nsigs; i++) {
		const struct ledger_keyrec *k = &a->keys[i];

		if (strcmp(k->role, "purchaser") == 0 &&
		    strcmp(k->org, buyer) == 0)
			purchaser = 1;
		else if (strcmp(k->role, "contractor") == 0 &&
		    strcmp(k->org, supplier) == 0)
			contractor = 1;
		else
			return rules_party_refuse(a, i, strcmp(k->role,
			    "contractor") == 0 ? "the supplier" : "the buyer",
			    strcmp(k->role, "contractor") == 0 ? supplier :
			    buyer);
	}
	if (!purchaser || !contractor)
		return rules_refuse(a, R_PARTY_MISSING, "signatures",
		    "a contract needs the signatures of both the purchaser "
		    "(%s) and the contractor (%s); missing: %s", buyer,
		    supplier, purchaser ? "contractor" : "purchaser");
	return 0;
}

static int
contract_tranches(struct apply *a, const char *currency, uint64_t value)
{
	json_t *tr = json_object_get(a->st->body, "tranches"), *t;
	struct contract *c = &a->c;
	uint64_t sum = 0, seen = 0;
	char path[64];
	size_t i;

	if (!json_is_array(tr) || json_array_size(tr) == 0 ||
	    json_array_size(tr) > LEDGER_TRANCHES_MAX)
		return rules_malformed(a, "tranches");
	json_array_foreach(tr, i, t) {
		json_t *no = json_object_get(t, "no");
		json_t *amt = rules_body_at(t, "amount.amount_minor");
		json_t *cur = rules_body_at(t, "amount.currency");
		const char *cond = json_string_value(json_object_get(t,
		    "condition"));
		json_int_t n;

		if (!json_is_integer(no) || (n = json_integer_value(no)) < 1 ||
		    n > LEDGER_TRANCHES_MAX || !json_is_integer(amt) ||
		    json_integer_value(amt) < 0 ||
		    json_integer_value(amt) > LEDGER_JSON_MAX_INT ||
		    !json_is_string(cur) || cond == NULL)
			return rules_malformed(a, "tranches");
		if (seen & (1ULL << (n - 1))) {
			snprintf(path, sizeof(path), "body.tranches[%zu].no",
			    i);
			return rules_refuse(a, R_CONTRACT_TRANCHES, path,
			    "tranche %lld appears twice; number tranches "
			    "uniquely", (long long)n);
		}
		seen |= 1ULL << (n - 1);
		if (strcmp(json_string_value(cur), currency) != 0) {
			snprintf(path, sizeof(path),
			    "body.tranches[%zu].amount.currency", i);
			return rules_refuse(a, R_CONTRACT_TRANCHES, path,
			    "tranche currency differs from the contract's %s",
			    currency);
		}
		/* Each term is below 2^53: the sum cannot wrap in 64 bits. */
		sum += (uint64_t)json_integer_value(amt);
		c->tr[i].no = (uint8_t)n;
		c->tr[i].cond = strcmp(cond, "signing") == 0 ? C_SIGNING :
		    strcmp(cond, "mid_evaluation") == 0 ? C_MID : C_FINAL;
		if (n > c->highest)
			c->highest = (uint8_t)n;
	}
	c->ntranches = (uint8_t)json_array_size(tr);
	if (sum != value)
		return rules_refuse(a, R_CONTRACT_TRANCHES, "body.tranches",
		    "tranches sum to %llu fen, but the contract value is %llu "
		    "fen; the payment plan must add up to the value",
		    (unsigned long long)sum, (unsigned long long)value);
	return 0;
}

int
rules_contract(struct apply *a)
{
	const char *id, *ocid, *vote_ref, *buyer, *supplier, *cur, *status;
	struct contract *c = &a->c;
	struct entry vote;
	uint64_t value;
	int64_t signed_at, start, end;
	int rc;

	if ((rc = rules_get_str(a, "contract_id", &id)) != 0 ||
	    (rc = rules_get_str(a, "ocid", &ocid)) != 0 ||
	    (rc = rules_get_str(a, "vote_ref", &vote_ref)) != 0 ||
	    (rc = rules_org_id(a, "buyer", &buyer)) != 0 ||
	    (rc = rules_org_id(a, "supplier", &supplier)) != 0 ||
	    (rc = rules_get_money(a, "value", &value, &cur)) != 0 ||
	    (rc = rules_get_date(a, "date_signed", &signed_at)) != 0 ||
	    (rc = rules_get_str(a, "status", &status)) != 0)
		return rc;
	if (strlen(id) > LEDGER_ID_MAX || strlen(ocid) > LEDGER_ID_MAX)
		return rules_malformed(a, "contract_id");
	rc = rules_load_contract(a, id);
	if (rc == 0)
		return rules_refuse(a, R_CONTRACT_UNIQUE, "body.contract_id",
		    "contract \"%s\" is already recorded (entry %s); amend it "
		    "with a correction", id, c->stmt);
	if (rc != LEDGER_ENOTFOUND)
		return rc;
	memset(c, 0, sizeof(*c));
	c->signed_at = signed_at;
	if (strcmp(buyer, supplier) == 0)
		return rules_refuse(a, R_CONTRACT_PARTIES, "body.supplier.id",
		    "buyer and supplier are the same organization (%s)", buyer);
	if ((rc = contract_party(a, buyer, supplier)) != 0)
		return rc;
	rc = rules_load_entry(a, vote_ref, &vote);
	if (rc == LEDGER_ENOTFOUND || (rc == 0 && vote.kind != K_VOTE))
		return rules_refuse(a, R_CONTRACT_VOTE, "body.vote_ref",
		    "vote_ref \"%s\" is not a vote entry in this ledger; a "
		    "contract cites the passed vote that approved it",
		    vote_ref);
	if (rc != 0)
		return rc;
	if (strcmp(vote.ocid, ocid) != 0)
		return rules_refuse(a, R_CONTRACT_VOTE_OCID, "body.vote_ref",
		    "the vote cited is for project %s, not %s", vote.ocid,
		    ocid);
	if (!vote.passed)
		return rules_refuse(a, R_CONTRACT_VOTE, "body.vote_ref",
		    "the vote cited (\"%s\") did not pass", vote_ref);
	if (vote.held_at > c->signed_at)
		return rules_refuse(a, R_CONTRACT_VOTE_DATE,
		    "body.date_signed", "the contract is dated before the "
		    "vote that approves it was held");
	if (vote.amount != AMOUNT_NONE && value > vote.amount)
		return rules_refuse(a, R_CONTRACT_REQUESTED,
		    "body.value.amount_minor", "value %llu fen exceeds the "
		    "%llu fen the vote approved", (unsigned long long)value,
		    (unsigned long long)vote.amount);
	if ((rc = contract_tranches(a, cur, value)) != 0)
		return rc;
	if (json_object_get(a->st->body, "period") != NULL) {
		if ((rc = rules_get_date(a, "period.start", &start)) != 0 ||
		    (rc = rules_get_date(a, "period.end", &end)) != 0)
			return rc;
		if (end < start)
			return rules_refuse(a, R_CONTRACT_PERIOD,
			    "body.period.end", "the period ends before it "
			    "starts");
	}
	if ((rc = rules_not_future(a, "date_signed", c->signed_at)) != 0)
		return rc;
	rules_join(c->stmt, sizeof(c->stmt), a->st->id, "");
	rules_join(c->ocid, sizeof(c->ocid), ocid, "");
	rules_join(c->currency, sizeof(c->currency), cur, "");
	rules_join(c->buyer, sizeof(c->buyer), buyer, "");
	rules_join(c->supplier, sizeof(c->supplier), supplier, "");
	c->status = strcmp(status, "active") == 0 ? ST_ACTIVE : ST_PENDING;
	c->value = value;
	a->c_dirty = 1;
	rules_join(a->self.contract, sizeof(a->self.contract), id, "");
	return 0;
}

/*
 * correction (DATA-STANDARDS 8.1, 8.11).  Members the rules depend on, per
 * kind of the corrected entry; an '@' marks an org, whose name alone may
 * be corrected.  A contract's /status and /value/amount_minor are the two
 * rule-bearing members a correction may change: the contract's account
 * follows them.
 */
static const char *const rule_fields[] = {
	[K_VOTE] = "ocid @body held_at requirement eligible present counts "
	    "recusals result announced_on_site requested",
	[K_CONTRACT] = "ocid contract_id vote_ref @buyer @supplier value "
	    "date_signed status tranches",
	[K_DISBURSEMENT] = "ocid contract_id tranche_no value @payer @payee "
	    "paid_on",
	[K_EVALUATION] = "ocid contract_id phase @evaluator @evaluated verdict "
	    "independence_declared",
	[K_CORRECTION] = "ocid target_entry changes",
	[K_CLAWBACK] = "ocid contract_id target_entry basis_ref status value "
	    "@payer @payee date",
};

static const char *const status_names[] = {
	"", "pending", "active", "cancelled", "terminated",
};

/* 0: not a rule field; 1: one; 2: an org. */
static int
rule_field(const char *list, const char *seg, size_t n)
{
	const char *p = list;

	while (*p) {
		size_t m = strcspn(p, " ");
		int org = *p == '@';

		if (m - (size_t)org == n && memcmp(p + org, seg, n) == 0)
			return 1 + org;
		p += m;
		p += strspn(p, " ");
	}
	return 0;
}

static int
correct_status(struct apply *a, json_t *ch, size_t i)
{
	const char *old = json_string_value(json_object_get(ch, "old"));
	const char *nw = json_string_value(json_object_get(ch, "new"));
	struct contract *c = &a->c;
	char path[64];
	int s;

	snprintf(path, sizeof(path), "body.changes[%zu].old", i);
	if (old == NULL || c->status > ST_TERMINATED ||
	    strcmp(old, status_names[c->status]) != 0)
		return rules_refuse(a, R_CORR_OLD, path, "old must be the "
		    "contract's current status, \"%s\"",
		    status_names[c->status <= ST_TERMINATED ? c->status : 0]);
	snprintf(path, sizeof(path), "body.changes[%zu].new", i);
	for (s = ST_PENDING; nw != NULL && s <= ST_TERMINATED; s++)
		if (strcmp(nw, status_names[s]) == 0)
			break;
	if (nw == NULL || s > ST_TERMINATED)
		return rules_refuse(a, R_CORR_CHANGE, path, "new status must "
		    "be pending, active, cancelled or terminated");
	if (c->status == ST_CANCELLED || c->status == ST_TERMINATED)
		return rules_refuse(a, R_CORR_CHANGE, path, "a %s contract "
		    "stays %s; sign a new contract instead",
		    status_names[c->status], status_names[c->status]);
	c->status = (uint8_t)s;
	a->c_dirty = 1;
	return 0;
}

static int
correct_value(struct apply *a, json_t *ch, size_t i)
{
	json_t *old = json_object_get(ch, "old"), *nw = json_object_get(ch,
	    "new");
	struct contract *c = &a->c;
	uint64_t net;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "body.changes[%zu].old", i);
	if (!json_is_integer(old) || json_integer_value(old) < 0 ||
	    (uint64_t)json_integer_value(old) != c->value)
		return rules_refuse(a, R_CORR_OLD, path, "old must be the "
		    "contract's current value, %llu fen",
		    (unsigned long long)c->value);
	snprintf(path, sizeof(path), "body.changes[%zu].new", i);
	if (!json_is_integer(nw) || json_integer_value(nw) < 1 ||
	    json_integer_value(nw) > LEDGER_JSON_MAX_INT)
		return rules_refuse(a, R_CORR_CHANGE, path, "new value must be "
		    "an integer number of fen from 1 to 2^53-1");
	if ((rc = rules_net_of(a, &net)) != 0)
		return rc;
	if ((uint64_t)json_integer_value(nw) < net)
		return rules_refuse(a, R_CORR_NET, path, "new value %lld fen "
		    "is below the %llu fen already disbursed (net); recover "
		    "funds with a clawback first",
		    (long long)json_integer_value(nw), (unsigned long long)net);
	c->value = (uint64_t)json_integer_value(nw);
	a->c_dirty = 1;
	return 0;
}

static int
correction_party(struct apply *a, const struct entry *t)
{
	size_t i, j;

	for (i = 0; i < a->st->nsigs; i++) {
		for (j = 0; j < t->nsigners; j++)
			if (strcmp(a->keys[i].role, t->signers[j].role) == 0 &&
			    strcmp(a->keys[i].org, t->signers[j].org) == 0)
				break;
		if (j == t->nsigners)
			return rules_party_refuse(a, i, "an author of the "
			    "corrected entry", t->nsigners ?
			    t->signers[0].org : "none");
	}
	return 0;
}

int
rules_correction(struct apply *a)
{
	const char *target, *ocid, *ptr, *seg, *rest;
	json_t *changes, *ch;
	struct entry t;
	char path[64];
	size_t i;
	int rc, f;

	if ((rc = rules_get_str(a, "target_entry", &target)) != 0 ||
	    (rc = rules_get_str(a, "ocid", &ocid)) != 0)
		return rc;
	rc = rules_load_entry(a, target, &t);
	if (rc == LEDGER_ENOTFOUND)
		return rules_refuse(a, R_CORR_CITES, "body.target_entry",
		    "no entry \"%s\" to correct; cite the statement id of an "
		    "earlier vote, contract, disbursement, evaluation, "
		    "correction or clawback", target);
	if (rc != 0)
		return rc;
	if (strcmp(t.ocid, ocid) != 0)
		return rules_refuse(a, R_CORR_CITES, "body.ocid", "the entry "
		    "corrected belongs to project %s, not %s", t.ocid, ocid);
	if ((rc = correction_party(a, &t)) != 0)
		return rc;
	rules_join(a->self.contract, sizeof(a->self.contract), t.contract,
	    "");
	if (t.kind == K_CONTRACT && (rc = rules_load_contract(a,
	    t.contract)) != 0)
		return rc == LEDGER_ENOTFOUND ? LEDGER_ESTORE : rc;
	changes = json_object_get(a->st->body, "changes");
	if (!json_is_array(changes))
		return rules_malformed(a, "changes");
	json_array_foreach(changes, i, ch) {
		if ((ptr = json_string_value(json_object_get(ch,
		    "pointer"))) == NULL || ptr[0] != '/')
			return rules_malformed(a, "changes");
		seg = ptr + 1;
		rest = seg + strcspn(seg, "/");
		f = rule_field(rule_fields[t.kind], seg, (size_t)(rest - seg));
		if (f == 0 || (f == 2 && strcmp(rest, "/name") == 0))
			continue;
		if (t.kind == K_CONTRACT && strcmp(ptr, "/status") == 0)
			rc = correct_status(a, ch, i);
		else if (t.kind == K_CONTRACT &&
		    strcmp(ptr, "/value/amount_minor") == 0)
			rc = correct_value(a, ch, i);
		else {
			snprintf(path, sizeof(path),
			    "body.changes[%zu].pointer", i);
			rc = rules_refuse(a, R_CORR_FIELD, path, "%s of a %s "
			    "drives the procedure's rules and cannot be "
			    "corrected; record what happened as a new entry",
			    ptr, rules_kind_names[t.kind]);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}
