/*
 * rules.c - the procedure's rules between entries (rules.h): the engine
 * and the rules of votes.  rules_contract.c has contracts and corrections,
 * rules_funds.c disbursements, evaluations and clawbacks; rulestore.c
 * keeps the state laid out as below.
 *
 * Rule state (LEDGER_DB_RULES, or the in-memory map).  The sequencer
 * calls ledger_rules_apply for every entry, so an entry costs a key
 * lookup per signature, at most three small reads and two small writes,
 * and records are compact binary (under 600 bytes): a
 * format byte (1), then fields in the order below; integers are
 * big-endian (i64 as two's complement), str is a length byte and bytes.
 *
 *   "s:" statement id -> entry: kind u8 (1 vote, 2 contract,
 *       3 disbursement, 4 evaluation, 5 correction, 6 clawback), seq u64,
 *       ocid str, contract_id str ("" for votes; a correction's is its
 *       target's), signers u8 n then n x (role str, org USCC str),
 *       passed u8 (votes: recomputed outcome), held_at i64 (votes),
 *       amount u64 (votes: requested or 2^64-1; disbursements: value).
 *   "c:" contract_id -> contract: statement id str, ocid str, currency str,
 *       buyer str, supplier str, status u8 (1 pending, 2 active,
 *       3 cancelled, 4 terminated), date_signed i64 ms, value u64 (after
 *       corrections), disbursed u64, demanded u64 (clawbacks ordered),
 *       received u64 (clawbacks received), paid u64 (bit no-1 per tranche
 *       paid), tranches u8 n then n x (no u8, condition u8: 1 signing,
 *       2 mid_evaluation, 3 final_evaluation), highest tranche no u8,
 *       latest verdict u8 per phase initial, mid, final (0 none, 1 pass,
 *       2 conditional, 3 fail), highest phase seen u8.
 *
 * Net disbursed = disbursed - received.  Invariants kept by the rules:
 * received <= demanded, demanded - received <= net, net <= value.
 * Every check runs before the first write, so a refusal writes nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

static const char *const rule_names[R_COUNT] = {
	[R_PARTY_ORG] = "party.org",
	[R_PARTY_MISSING] = "party.missing",
	[R_DATE_FUTURE] = "date.future",
	[R_VOTE_COUNTS] = "vote.counts",
	[R_VOTE_QUORUM] = "vote.quorum",
	[R_VOTE_OUTCOME] = "vote.outcome",
	[R_VOTE_LEADER] = "vote.leader-recused",
	[R_VOTE_ANNOUNCED] = "vote.announced",
	[R_CONTRACT_UNIQUE] = "contract.unique",
	[R_CONTRACT_PARTIES] = "contract.parties",
	[R_CONTRACT_VOTE] = "contract.vote-passed",
	[R_CONTRACT_VOTE_OCID] = "contract.vote-ocid",
	[R_CONTRACT_VOTE_DATE] = "contract.vote-date",
	[R_CONTRACT_REQUESTED] = "contract.requested",
	[R_CONTRACT_TRANCHES] = "contract.tranches",
	[R_CONTRACT_PERIOD] = "contract.period",
	[R_DISB_CONTRACT] = "disbursement.contract",
	[R_DISB_ACTIVE] = "disbursement.active",
	[R_DISB_CURRENCY] = "disbursement.currency",
	[R_DISB_PAYER] = "disbursement.payer",
	[R_DISB_PAYEE] = "disbursement.payee",
	[R_DISB_DATE] = "disbursement.date",
	[R_DISB_TRANCHE] = "disbursement.tranche",
	[R_DISB_ONCE] = "disbursement.tranche-once",
	[R_DISB_MID] = "disbursement.mid-evaluation",
	[R_DISB_FINAL] = "disbursement.final-evaluation",
	[R_DISB_CAP] = "disbursement.cap",
	[R_EVAL_CONTRACT] = "evaluation.contract",
	[R_EVAL_INDEPENDENT] = "evaluation.independent",
	[R_EVAL_EVALUATED] = "evaluation.evaluated",
	[R_EVAL_ORDER] = "evaluation.order",
	[R_CORR_CITES] = "correction.cites",
	[R_CORR_FIELD] = "correction.rule-field",
	[R_CORR_OLD] = "correction.old-value",
	[R_CORR_CHANGE] = "correction.change",
	[R_CORR_NET] = "correction.value-below-net",
	[R_CLAW_CONTRACT] = "clawback.contract",
	[R_CLAW_CITES] = "clawback.cites",
	[R_CLAW_BASIS] = "clawback.basis",
	[R_CLAW_CURRENCY] = "clawback.currency",
	[R_CLAW_PARTIES] = "clawback.parties",
	[R_CLAW_NET] = "clawback.net",
	[R_CLAW_DEMAND] = "clawback.demand",
};

const char *const rules_kind_names[K_COUNT] = {
	"", "vote", "contract", "disbursement", "evaluation", "correction",
	"clawback",
};

const char *
ledger_rule_name(size_t i)
{
	return i < R_COUNT ? rule_names[i] : NULL;
}

/* Errors and body access. */
int
rules_refuse(struct apply *a, enum rule r, const char *path,
    const char *fmt, ...)
{
	char msg[LEDGER_ERR_MSG_MAX];
	int code = r == R_PARTY_ORG || r == R_PARTY_MISSING ? LEDGER_EAUTH :
	    LEDGER_ERULE;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ledger_errf(a->err, code, path, rule_names[r], "%s", msg);
}

int
rules_party_refuse(struct apply *a, size_t i, const char *party,
    const char *org)
{
	char path[LEDGER_SIG_PATH_BYTES];

	return rules_refuse(a, R_PARTY_ORG, ledger_sig_path(path, i),
	    "key \"%s\" (role %s, org %s) does not act for %s (%s); sign "
	    "with that party's key",
	    a->st->sigs[i].key, a->keys[i].role,
	    a->keys[i].org[0] ? a->keys[i].org : "none", party, org);
}

int
rules_malformed(struct apply *a, const char *rel)
{
	return ledger_errf(a->err, LEDGER_ESCHEMA, "body", "schema",
	    "body.%s is missing or malformed; validate the body against its "
	    "kind (ledger_kind_validate) before the rules", rel);
}

json_t *
rules_body_at(json_t *o, const char *rel)
{
	size_t n;

	while (o != NULL && *rel != '\0') {
		n = strcspn(rel, ".");
		if (!json_is_object(o))
			return NULL;
		o = json_object_getn(o, rel, n);
		rel += n;
		if (*rel == '.')
			rel++;
	}
	return o;
}

int
rules_get_str(struct apply *a, const char *rel, const char **out)
{
	json_t *v = rules_body_at(a->st->body, rel);

	if (!json_is_string(v))
		return rules_malformed(a, rel);
	*out = json_string_value(v);
	return 0;
}

int
rules_get_int(struct apply *a, const char *rel, int64_t lo, int64_t hi,
    int64_t *out)
{
	json_t *v = rules_body_at(a->st->body, rel);

	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return rules_malformed(a, rel);
	*out = json_integer_value(v);
	return 0;
}

int
rules_get_date(struct apply *a, const char *rel, int64_t *ms)
{
	const char *s;
	int rc;

	if ((rc = rules_get_str(a, rel, &s)) != 0)
		return rc;
	if (ledger_rfc3339_parse(s, ms) != 0)
		return rules_malformed(a, rel);
	return 0;
}

void
rules_join(char *out, size_t outsz, const char *a, const char *b)
{
	size_t na = strnlen(a, outsz - 1), nb = strnlen(b, outsz - 1 - na);

	memcpy(out, a, na);
	memcpy(out + na, b, nb);
	out[na + nb] = '\0';
}

int
rules_get_money(struct apply *a, const char *rel, uint64_t *amount,
    const char **currency)
{
	char path[64];
	int64_t v;
	int rc;

	rules_join(path, sizeof(path), rel, ".amount_minor");
	if ((rc = rules_get_int(a, path, 0, LEDGER_JSON_MAX_INT, &v)) != 0)
		return rc;
	*amount = (uint64_t)v;
	rules_join(path, sizeof(path), rel, ".currency");
	if ((rc = rules_get_str(a, path, currency)) != 0)
		return rc;
	if (strlen(*currency) != 3)
		return rules_malformed(a, path);
	return 0;
}

/* Event dates are facts of the past, give or take authors' clocks. */
int
rules_not_future(struct apply *a, const char *rel, int64_t ms)
{
	char path[64];

	if (ms <= a->time_ms || ms - a->time_ms <= LEDGER_RULES_CLOCK_SLACK_MS)
		return 0;
	snprintf(path, sizeof(path), "body.%s", rel);
	return rules_refuse(a, R_DATE_FUTURE, path, "%s lies after the time "
	    "this entry is recorded; record events once they happened",
	    path);
}

int
rules_add_u64(uint64_t x, uint64_t y, uint64_t *sum)
{
	if (y > UINT64_MAX - x)
		return -1;
	*sum = x + y;
	return 0;
}

int
rules_net_of(struct apply *a, uint64_t *net)
{
	if (a->c.received > a->c.disbursed)
		return LEDGER_ESTORE;
	*net = a->c.disbursed - a->c.received;
	return 0;
}

int
rules_org_id(struct apply *a, const char *rel, const char **id)
{
	char path[64];
	int rc;

	rules_join(path, sizeof(path), rel, ".id");
	if ((rc = rules_get_str(a, path, id)) != 0)
		return rc;
	if (!ledger_uscc_valid(*id))
		return rules_malformed(a, path);
	return 0;
}

/* vote (DATA-STANDARDS 8.2). */
enum { O_YES, O_NO, O_ABSTAIN, O_RECUSED, O_ABSENT, O_COUNT };

static int
vote_counts(struct apply *a, int64_t cnt[O_COUNT], int *absent_given)
{
	static const char *const opts[O_COUNT] = {
		"yes", "no", "abstain", "recused", "absent",
	};
	json_t *counts = json_object_get(a->st->body, "counts"), *c;
	char path[64];
	size_t i, o;
	int seen[O_COUNT] = { 0 };

	if (!json_is_array(counts))
		return rules_malformed(a, "counts");
	json_array_foreach(counts, i, c) {
		const char *opt = json_string_value(json_object_get(c,
		    "option"));
		json_t *val = json_object_get(c, "value");

		for (o = 0; opt != NULL && o < O_COUNT; o++)
			if (strcmp(opt, opts[o]) == 0)
				break;
		if (opt == NULL || o == O_COUNT || !json_is_integer(val) ||
		    json_integer_value(val) < 0 ||
		    json_integer_value(val) > 1000000)
			return rules_malformed(a, "counts");
		if (seen[o]) {
			snprintf(path, sizeof(path), "body.counts[%zu].option",
			    i);
			return rules_refuse(a, R_VOTE_COUNTS, path, "option "
			    "\"%s\" is counted twice; give each option once",
			    opt);
		}
		seen[o] = 1;
		cnt[o] = json_integer_value(val);
	}
	*absent_given = seen[O_ABSENT];
	return 0;
}

static int
vote_passes(struct apply *a, const int64_t cnt[O_COUNT], int64_t eligible,
    int64_t present, int *pass)
{
	const char *basis, *cmp = "more_than";
	int64_t num, den, b;
	json_t *v;
	int rc;

	if ((rc = rules_get_str(a, "requirement.basis", &basis)) != 0 ||
	    (rc = rules_get_int(a, "requirement.num", 1, 1000, &num)) != 0 ||
	    (rc = rules_get_int(a, "requirement.den", 1, 1000, &den)) != 0)
		return rc;
	v = rules_body_at(a->st->body, "requirement.compare");
	if (v != NULL && (rc = rules_get_str(a, "requirement.compare",
	    &cmp)) != 0)
		return rc;
	if (strcmp(basis, "present") == 0)
		b = present;
	else if (strcmp(basis, "eligible") == 0)
		b = eligible;
	else if (strcmp(basis, "cast") == 0)
		b = cnt[O_YES] + cnt[O_NO];
	else
		return rules_malformed(a, "requirement.basis");
	/* Cross-multiplied: all factors are at most 10^6 * 10^3. */
	if (b == 0)
		*pass = 0;
	else if (strcmp(cmp, "at_least") == 0)
		*pass = cnt[O_YES] * den >= num * b;
	else
		*pass = cnt[O_YES] * den > num * b;
	return 0;
}

static int
rules_vote(struct apply *a)
{
	int64_t cnt[O_COUNT] = { 0 }, eligible, present, qn, qd;
	json_t *recusals, *r, *announced;
	const char *org, *result;
	int absent_given = 0, pass = 0, leader = 0, rc;
	size_t i;

	if ((rc = rules_org_id(a, "body", &org)) != 0)
		return rc;
	for (i = 0; i < a->st->nsigs; i++)
		if (strcmp(a->keys[i].role, "convener") != 0 ||
		    strcmp(a->keys[i].org, org) != 0)
			return rules_party_refuse(a, i,
			    "the meeting body's convener", org);
	if ((rc = rules_get_int(a, "eligible", 1, 1000000, &eligible)) != 0 ||
	    (rc = rules_get_int(a, "present", 0, 1000000, &present)) != 0 ||
	    (rc = rules_get_int(a, "requirement.quorum_num", 0, 1000,
	    &qn)) != 0 ||
	    (rc = rules_get_int(a, "requirement.quorum_den", 1, 1000,
	    &qd)) != 0 ||
	    (rc = rules_get_date(a, "held_at", &a->self.held_at)) != 0 ||
	    (rc = rules_get_str(a, "result", &result)) != 0)
		return rc;
	if ((rc = vote_counts(a, cnt, &absent_given)) != 0)
		return rc;
	recusals = json_object_get(a->st->body, "recusals");
	if (!json_is_array(recusals))
		return rules_malformed(a, "recusals");
	if (present > eligible)
		return rules_refuse(a, R_VOTE_COUNTS, "body.present",
		    "present (%lld) exceeds eligible (%lld)",
		    (long long)present, (long long)eligible);
	if (cnt[O_YES] + cnt[O_NO] + cnt[O_ABSTAIN] + cnt[O_RECUSED] !=
	    present)
		return rules_refuse(a, R_VOTE_COUNTS, "body.counts",
		    "yes + no + abstain + recused = %lld, but present is "
		    "%lld; every member present is counted exactly once",
		    (long long)(cnt[O_YES] + cnt[O_NO] + cnt[O_ABSTAIN] +
		    cnt[O_RECUSED]), (long long)present);
	if (absent_given && cnt[O_ABSENT] != eligible - present)
		return rules_refuse(a, R_VOTE_COUNTS, "body.counts",
		    "absent is %lld, but eligible - present is %lld",
		    (long long)cnt[O_ABSENT], (long long)(eligible - present));
	/* A leader who is no representative recuses without being counted. */
	if ((size_t)cnt[O_RECUSED] > json_array_size(recusals))
		return rules_refuse(a, R_VOTE_COUNTS, "body.recusals",
		    "recused is %lld, but only %zu recusals are listed; list "
		    "one recusal per recused member", (long long)cnt[O_RECUSED],
		    json_array_size(recusals));
	if (present * qd < qn * eligible)
		return rules_refuse(a, R_VOTE_QUORUM, "body.present",
		    "quorum not met: %lld of %lld present, %lld/%lld needed",
		    (long long)present, (long long)eligible, (long long)qn,
		    (long long)qd);
	json_array_foreach(recusals, i, r) {
		json_t *role = json_object_get(r, "role");

		if (json_is_string(role) &&
		    strcmp(json_string_value(role), "project_leader") == 0)
			leader = 1;
	}
	if (!leader)
		return rules_refuse(a, R_VOTE_LEADER, "body.recusals",
		    "the project leader must recuse from the vote (a recusal "
		    "with role project_leader)");
	if ((rc = vote_passes(a, cnt, eligible, present, &pass)) != 0)
		return rc;
	if (strcmp(result, pass ? "pass" : "fail") != 0)
		return rules_refuse(a, R_VOTE_OUTCOME, "body.result",
		    "the counts and requirement give \"%s\", not \"%s\"",
		    pass ? "pass" : "fail", result);
	announced = json_object_get(a->st->body, "announced_on_site");
	if (!json_is_true(announced))
		return rules_refuse(a, R_VOTE_ANNOUNCED,
		    "body.announced_on_site", "the result must be announced "
		    "at the meeting (announced_on_site true)");
	if ((rc = rules_not_future(a, "held_at", a->self.held_at)) != 0)
		return rc;
	a->self.passed = (uint8_t)pass;
	a->self.amount = AMOUNT_NONE;
	if (json_object_get(a->st->body, "requested") != NULL) {
		const char *cur;

		if ((rc = rules_get_money(a, "requested", &a->self.amount,
		    &cur)) != 0)
			return rc;
	}
	return 0;
}

int
ledger_rules_apply(const struct ledger_rulestore *rs,
    const struct ledger_registry *reg, const struct ledger_statement *st,
    uint64_t seq, int64_t time_ms, struct ledger_err *err)
{
	struct apply a;
	const char *ocid;
	size_t i, k;
	int rc;

	if (strcmp(st->kind, "key") == 0)
		return 0;
	for (k = K_VOTE; k <= K_CLAWBACK; k++)
		if (strcmp(st->kind, rules_kind_names[k]) == 0)
			break;
	if (k > K_CLAWBACK)
		return ledger_errf(err, LEDGER_EINVAL, "kind", "kind",
		    "no rules for kind \"%s\"", st->kind);
	memset(&a, 0, sizeof(a));
	a.rs = rs;
	a.st = st;
	a.seq = seq;
	a.time_ms = time_ms;
	a.err = err;
	if (st->nsigs == 0 || st->nsigs > LEDGER_SIGS_MAX)
		return rules_refuse(&a, R_PARTY_MISSING, "signatures",
		    "a %s entry needs its author's signature", st->kind);
	for (i = 0; i < st->nsigs; i++) {
		rc = reg->get(reg->ctx, st->sigs[i].key, &a.keys[i]);
		if (rc == LEDGER_ENOTFOUND)
			return ledger_errf(err, LEDGER_EAUTH, "signatures",
			    "key.unknown", "key \"%s\" is not registered",
			    st->sigs[i].key);
		if (rc != 0)
			return rc;
		a.keys[i].role[sizeof(a.keys[i].role) - 1] = '\0';
		a.keys[i].org[sizeof(a.keys[i].org) - 1] = '\0';
		memcpy(a.self.signers[i].role, a.keys[i].role,
		    sizeof(a.self.signers[i].role));
		memcpy(a.self.signers[i].org, a.keys[i].org,
		    sizeof(a.self.signers[i].org));
	}
	a.self.nsigners = (uint8_t)st->nsigs;
	a.self.kind = (uint8_t)k;
	a.self.seq = seq;
	if ((rc = rules_get_str(&a, "ocid", &ocid)) != 0)
		return rc;
	if (strlen(ocid) > LEDGER_ID_MAX)
		return rules_malformed(&a, "ocid");
	rules_join(a.self.ocid, sizeof(a.self.ocid), ocid, "");
	switch (k) {
	case K_VOTE:
		rc = rules_vote(&a);
		break;
	case K_CONTRACT:
		rc = rules_contract(&a);
		break;
	case K_DISBURSEMENT:
		rc = rules_disbursement(&a);
		break;
	case K_EVALUATION:
		rc = rules_evaluation(&a);
		break;
	case K_CORRECTION:
		rc = rules_correction(&a);
		break;
	default:
		rc = rules_clawback(&a);
		break;
	}
	if (rc != 0)
		return rc;
	return rules_store_records(&a);
}
