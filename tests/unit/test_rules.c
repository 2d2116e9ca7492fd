/*
 * test_rules.c - every rule of DESIGN 3.5 / DATA-STANDARDS 8, accepted and
 * refused at its edge, over an in-memory rule state and key registry.
 * The project is the worked example of tests/kinds/<kind>.json: the
 * known-answer vote, then its contract, payments, evaluations, a clawback
 * and a correction.  Every refusal checks the code, err->rule and
 * err->path.
 */
#include <limits.h>

#include "kinds_util.h"
#include "ledger/kinds.h"
#include "ledger/rules.h"
#include "ledger/store.h"
#include "../../lib/rules_int.h"	/* rules_join */

#define ORG_BODY	"91350100M000100Y43"	/* 象东社区居民委员会 */
#define ORG_BUYER	"11330382MB01234560"	/* 城东街道办事处 */
#define ORG_SUPPLIER	"52330382MJ5678901M"	/* 益心社工服务中心 */
#define ORG_FINANCE	"11330382002587311K"	/* 乐清市财政局 */
#define ORG_EVAL	"52330300MJ8765432E"	/* 启明评估中心 */
#define ORG_OTHER	"11330382MB09876545"	/* another street office */

#define CONV	"convener.xiangdong"
#define BUYER	"purchaser.chengdong"
#define SUPPL	"contractor.yixin"
#define FIN	"finance.yueqing"
#define EVAL	"evaluator.qiming"

struct fx {
	struct ledger_rulestore	rs;
	struct ledger_registry	reg;
	uint64_t		seq;
	int64_t			now;
};

static void
key(struct fx *f, const char *name, const char *role, const char *org)
{
	struct ledger_keyrec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.pub.name, sizeof(r.pub.name), "%s", name);
	snprintf(r.role, sizeof(r.role), "%s", role);
	snprintf(r.org, sizeof(r.org), "%s", org);
	r.valid_from = 0;
	r.valid_until = INT64_MAX;
	r.revoked = LEDGER_SEQ_NONE;
	CHECK_INT(f->reg.put(f->reg.ctx, &r), 0);
}

static void
fx_init(struct fx *f)
{
	CHECK_INT(ledger_memreg_new(&f->reg), 0);
	CHECK_INT(ledger_rulestore_mem_new(&f->rs), 0);
	key(f, CONV, "convener", ORG_BODY);
	key(f, BUYER, "purchaser", ORG_BUYER);
	key(f, SUPPL, "contractor", ORG_SUPPLIER);
	key(f, FIN, "finance", ORG_FINANCE);
	key(f, EVAL, "evaluator", ORG_EVAL);
	key(f, "purchaser.other", "purchaser", ORG_OTHER);
	key(f, "convener.other", "convener", ORG_OTHER);
	key(f, "evaluator.yixin", "evaluator", ORG_SUPPLIER);
	key(f, "evaluator.chengdong", "evaluator", ORG_BUYER);
	key(f, "admin", "admin", "");
	f->seq = 1;
	CHECK_INT(ledger_rfc3339_parse("2027-12-31T00:00:00Z", &f->now), 0);
}

static void
fx_free(struct fx *f)
{
	ledger_rulestore_mem_free(&f->rs);
	ledger_memreg_free(&f->reg);
}

/* Schema, then rules, as append.c runs them; takes the reference to sj. */
static int
run(struct fx *f, json_t *sj, const char *const *keys, int validate,
    struct ledger_err *err)
{
	struct ledger_statement *st = statement_by(sj, keys);
	int rc;

	json_decref(sj);
	if (st == NULL)
		return -1000;
	ledger_err_clear(err);
	rc = validate ? ledger_kind_validate(st, err) : 0;
	if (rc == 0)
		rc = ledger_rules_apply(&f->rs, &f->reg, st, f->seq, f->now,
		    err);
	if (rc == 0)
		f->seq++;
	ledger_statement_free(st);
	return rc;
}

static void
ok_(struct fx *f, json_t *sj, const char *const *keys, const char *file,
    int line)
{
	struct ledger_err e;
	int rc = run(f, sj, keys, 1, &e);

	if (rc != 0)
		harness_fail(file, line, "refused (%d): %s at %s: %s", rc,
		    e.rule, e.path, e.msg);
	else
		harness_pass();
}

static void
no_(struct fx *f, json_t *sj, const char *const *keys, int validate,
    int code, const char *rule, const char *path, const char *file, int line)
{
	struct ledger_err e;
	int rc = run(f, sj, keys, validate, &e);

	if (rc != code || strcmp(e.rule, rule) != 0 ||
	    strcmp(e.path, path) != 0 || strlen(e.msg) < 10)
		harness_fail(file, line, "got %d %s at %s (%s), want %d %s at "
		    "%s", rc, e.rule, e.path, e.msg, code, rule, path);
	else
		harness_pass();
}

#define KEYS(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define OK(f, sj, ...)	ok_(f, sj, KEYS(__VA_ARGS__), __FILE__, __LINE__)
/* Refused by a rule (ERULE), or for a party (EAUTH). */
#define NO(f, sj, rule, path, ...) no_(f, sj, KEYS(__VA_ARGS__), 1,	\
	LEDGER_ERULE, rule, path, __FILE__, __LINE__)
#define NOAUTH(f, sj, rule, path, ...) no_(f, sj, KEYS(__VA_ARGS__), 1,	\
	LEDGER_EAUTH, rule, path, __FILE__, __LINE__)

/* Edit j at path (v NULL deletes); returns j, so edits chain. */
static json_t *
w(json_t *j, const char *path, json_t *v)
{
	jset(j, path, v);
	return j;
}

static json_t *
money(long long fen)
{
	return json_pack("{s:I,s:s}", "amount_minor", (json_int_t)fen,
	    "currency", "CNY");
}

static json_t *
org(const char *id)
{
	return json_pack("{s:s,s:s,s:s}", "scheme", "CN-USCI", "id", id,
	    "name", "某单位");
}

#define S(x)	json_string(x)
#define I(x)	json_integer(x)

/* The example vote and contract: a project ready to be paid. */
static void
signed_contract(struct fx *f)
{
	OK(f, example("vote"), CONV);
	OK(f, example("contract"), BUYER, SUPPL);
}

static json_t *
payment(const char *id, int tranche, long long fen)
{
	json_t *j = example("disbursement");

	w(j, "id", S(id));
	w(j, "body.disbursement_id", S(id));
	w(j, "body.tranche_no", I(tranche));
	return w(j, "body.value", money(fen));
}

static json_t *
evaluation(const char *id, const char *phase, const char *verdict)
{
	json_t *j = example("evaluation");

	w(j, "id", S(id));
	w(j, "body.phase", S(phase));
	return w(j, "body.verdict", S(verdict));
}

static json_t *
clawback(const char *id, const char *status, long long fen,
    const char *target)
{
	json_t *j = example("clawback");

	w(j, "id", S(id));
	w(j, "body.status", S(status));
	w(j, "body.value", money(fen));
	return w(j, "body.target_entry", S(target));
}

/* A vote of the example with other counts (yes, no, abstain, recused=1). */
static json_t *
vote_counts(const char *id, int eligible, int yes, int no, int abstain)
{
	json_t *j = example("vote");
	int present = yes + no + abstain + 1;

	w(j, "id", S(id));
	w(j, "body.eligible", I(eligible));
	w(j, "body.present", I(present));
	w(j, "body.counts[0].value", I(yes));
	w(j, "body.counts[1].value", I(no));
	w(j, "body.counts[2].value", I(abstain));
	return w(j, "body.counts[4].value", I(eligible - present));
}

/*
 * rules_join cuts like snprintf("%s%s"): every output size around the
 * joined length, with either part empty.
 */
TEST(rules_join_cuts_like_snprintf)
{
	static const char *const a[] = { "", "body", "tranches.no" };
	static const char *const b[] = { "", ".id", ".amount_minor" };
	char got[32], want[32];
	size_t i, j, n, bad = 0;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			for (n = 1; n <= sizeof(got); n++) {
				memset(got, 'x', sizeof(got));
				memset(want, 'x', sizeof(want));
				rules_join(got, n, a[i], b[j]);
				snprintf(want, n, "%s%s", a[i], b[j]);
				bad += memcmp(got, want, sizeof(got)) != 0;
			}
	CHECK_INT(bad, 0);
}

TEST(examples_replay_in_order)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, example("disbursement"), FIN);
	OK(&f, example("evaluation"), EVAL);
	OK(&f, example("clawback"), BUYER);
	OK(&f, example("correction"), FIN);
	CHECK_INT(f.seq, 7);
	fx_free(&f);
}

TEST(key_entries_have_no_rules_here)
{
	json_t *j = json_pack("{s:s,s:s,s:{}}", "id", "k", "kind", "key",
	    "body");
	struct fx f;

	fx_init(&f);
	OK(&f, j, "admin");
	fx_free(&f);
}

/* vote */
TEST(vote_counts_add_up)
{
	struct fx f;

	fx_init(&f);
	NO(&f, w(example("vote"), "body.counts[0].value", I(31)),
	    "vote.counts", "body.counts", CONV);
	NO(&f, w(example("vote"), "body.counts[4]", json_pack("{s:s,s:i}",
	    "option", "yes", "value", 0)), "vote.counts",
	    "body.counts[4].option", CONV);
	NO(&f, w(example("vote"), "body.eligible", I(37)), "vote.counts",
	    "body.present", CONV);
	NO(&f, w(example("vote"), "body.counts[4].value", I(8)),
	    "vote.counts", "body.counts", CONV);
	NO(&f, w(w(example("vote"), "body.counts[3].value", I(2)),
	    "body.counts[0].value", I(29)), "vote.counts", "body.recusals",
	    CONV);
	/* a project leader who is no representative: listed, not counted */
	OK(&f, w(w(w(w(example("vote"), "id", S("v-leader-out")),
	    "body.counts[3].value", I(0)), "body.counts[0].value", I(31)),
	    "body.recusals[1]", json_pack("{s:s,s:s}", "role", "member",
	    "reason", "relative")), CONV);
	/* absent may be omitted: counts may leave out what changes nothing */
	OK(&f, w(w(example("vote"), "id", S("v-noabsent")), "body.counts[4]",
	    NULL), CONV);
	fx_free(&f);
}

TEST(vote_quorum_edge)
{
	struct fx f;

	fx_init(&f);
	/* 2/3 of 45 is 30: 30 present meets it, 29 does not. */
	OK(&f, vote_counts("v-30", 45, 20, 5, 4), CONV);
	NO(&f, vote_counts("v-29", 45, 20, 5, 3), "vote.quorum",
	    "body.present", CONV);
	fx_free(&f);
}

TEST(vote_outcome_recomputed)
{
	struct fx f;

	fx_init(&f);
	NO(&f, w(example("vote"), "body.result", S("fail")), "vote.outcome",
	    "body.result", CONV);
	/* basis present, more than 1/2 of 38: 19 yes is exactly half. */
	NO(&f, vote_counts("v-19", 45, 19, 15, 3), "vote.outcome",
	    "body.result", CONV);
	OK(&f, w(vote_counts("v-19f", 45, 19, 15, 3), "body.result",
	    S("fail")), CONV);
	OK(&f, w(vote_counts("v-19a", 45, 19, 15, 3),
	    "body.requirement.compare", S("at_least")), CONV);
	OK(&f, vote_counts("v-20", 45, 20, 14, 3), CONV);
	/* basis cast: 17 of 34 cast is not more than half */
	NO(&f, w(vote_counts("v-c17", 45, 17, 17, 3),
	    "body.requirement.basis", S("cast")), "vote.outcome",
	    "body.result", CONV);
	OK(&f, w(w(vote_counts("v-c18", 45, 18, 16, 3),
	    "body.requirement.basis", S("cast")), "body.counts[2].value",
	    I(3)), CONV);
	/* basis eligible: 23 of 45 is more than half, 22 is not */
	OK(&f, w(vote_counts("v-e23", 45, 23, 11, 3),
	    "body.requirement.basis", S("eligible")), CONV);
	NO(&f, w(vote_counts("v-e22", 45, 22, 12, 3),
	    "body.requirement.basis", S("eligible")), "vote.outcome",
	    "body.result", CONV);
	fx_free(&f);
}

TEST(vote_leader_must_recuse)
{
	struct fx f;

	fx_init(&f);
	NO(&f, w(example("vote"), "body.recusals[0].role", S("member")),
	    "vote.leader-recused", "body.recusals", CONV);
	NO(&f, w(example("vote"), "body.announced_on_site", json_false()),
	    "vote.announced", "body.announced_on_site", CONV);
	fx_free(&f);
}

TEST(vote_signed_by_the_meeting_bodys_convener)
{
	struct fx f;

	fx_init(&f);
	NOAUTH(&f, example("vote"), "party.org", "signatures[0]",
	    "convener.other");
	NOAUTH(&f, example("vote"), "party.org", "signatures[1]", CONV,
	    "convener.other");
	fx_free(&f);
}

TEST(event_dates_not_in_the_future)
{
	struct fx f;

	fx_init(&f);
	/* now is 2027-12-31T00:00:00Z; authors' clocks get 15 minutes. */
	OK(&f, w(w(example("vote"), "id", S("v-edge")), "body.held_at",
	    S("2027-12-31T00:15:00Z")), CONV);
	NO(&f, w(w(example("vote"), "id", S("v-late")), "body.held_at",
	    S("2027-12-31T08:15:01+08:00")), "date.future", "body.held_at",
	    CONV);
	fx_free(&f);
}

/* contract */
TEST(contract_cites_a_passed_vote)
{
	struct fx f;

	fx_init(&f);
	OK(&f, w(w(vote_counts("v-failed", 45, 10, 24, 3), "body.result",
	    S("fail")), "id", S("v-failed")), CONV);
	NO(&f, w(example("contract"), "body.vote_ref", S("v-failed")),
	    "contract.vote-passed", "body.vote_ref", BUYER, SUPPL);
	NO(&f, w(example("contract"), "body.vote_ref", S("no-such-vote")),
	    "contract.vote-passed", "body.vote_ref", BUYER, SUPPL);
	OK(&f, w(w(vote_counts("v-other", 45, 30, 4, 3), "body.ocid",
	    S("ocds-ledgerd-yq-2026-002")), "id", S("v-other")), CONV);
	NO(&f, w(example("contract"), "body.vote_ref", S("v-other")),
	    "contract.vote-ocid", "body.vote_ref", BUYER, SUPPL);
	OK(&f, example("vote"), CONV);
	/* held 2026-08-15T19:30:00+08:00: signing a second earlier fails */
	NO(&f, w(example("contract"), "body.date_signed",
	    S("2026-08-15T19:29:59+08:00")), "contract.vote-date",
	    "body.date_signed", BUYER, SUPPL);
	OK(&f, w(example("contract"), "body.date_signed",
	    S("2026-08-15T11:30:00Z")), BUYER, SUPPL);
	NO(&f, w(w(example("contract"), "id", S("c-again")),
	    "body.vote_ref", S("vote-xiangdong-2026-001")),
	    "contract.unique", "body.contract_id", BUYER, SUPPL);
	fx_free(&f);
}

TEST(contract_value_within_the_vote_and_tranches_add_up)
{
	struct fx f;
	json_t *j;

	fx_init(&f);
	OK(&f, example("vote"), CONV);
	/* the vote approved 5,500,000 fen */
	j = w(example("contract"), "body.value", money(5500001));
	NO(&f, w(j, "body.tranches[0].amount", money(2500001)),
	    "contract.requested", "body.value.amount_minor", BUYER, SUPPL);
	NO(&f, w(example("contract"), "body.tranches[0].amount",
	    money(2000001)), "contract.tranches", "body.tranches", BUYER,
	    SUPPL);
	NO(&f, w(example("contract"), "body.tranches[1].no", I(1)),
	    "contract.tranches", "body.tranches[1].no", BUYER, SUPPL);
	NO(&f, w(example("contract"), "body.period.end",
	    S("2026-08-31T23:59:59+08:00")), "contract.period",
	    "body.period.end", BUYER, SUPPL);
	NO(&f, w(example("contract"), "body.supplier", org(ORG_BUYER)),
	    "contract.parties", "body.supplier.id", BUYER, SUPPL);
	j = w(example("contract"), "body.value", money(5500000));
	OK(&f, w(j, "body.tranches[0].amount", money(2500000)), BUYER, SUPPL);
	fx_free(&f);
}

TEST(contract_signed_by_both_parties)
{
	struct fx f;

	fx_init(&f);
	OK(&f, example("vote"), CONV);
	NOAUTH(&f, example("contract"), "party.org", "signatures[0]",
	    "purchaser.other", SUPPL);
	NOAUTH(&f, example("contract"), "party.missing", "signatures",
	    BUYER);
	NOAUTH(&f, example("contract"), "party.missing", "signatures",
	    SUPPL);
	NOAUTH(&f, example("contract"), "party.org", "signatures[1]", SUPPL,
	    "evaluator.yixin");
	OK(&f, example("contract"), SUPPL, BUYER);
	fx_free(&f);
}

/* disbursement */
TEST(cap_exact_value_accepted_one_fen_over_refused)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, payment("d1", 1, 2000000), FIN);
	OK(&f, evaluation("e-mid", "mid", "pass"), EVAL);
	OK(&f, payment("d2", 2, 2000000), FIN);
	OK(&f, evaluation("e-final", "final", "pass"), EVAL);
	NO(&f, payment("d3", 3, 1000001), "disbursement.cap",
	    "body.value.amount_minor", FIN);
	/* the refusal wrote nothing: tranche 3 is still unpaid */
	OK(&f, payment("d3", 3, 1000000), FIN);
	NO(&f, payment("d4", 3, 1), "disbursement.tranche-once",
	    "body.tranche_no", FIN);
	fx_free(&f);
}

TEST(cap_two_payments_that_each_fit)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, payment("d1", 1, 4000000), FIN);
	OK(&f, evaluation("e-mid", "mid", "conditional"), EVAL);
	NO(&f, payment("d2", 2, 1000001), "disbursement.cap",
	    "body.value.amount_minor", FIN);
	OK(&f, payment("d2", 2, 1000000), FIN);
	fx_free(&f);
}

TEST(tranche_paid_once_and_must_exist)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, payment("d1", 1, 1000000), FIN);
	NO(&f, payment("d1b", 1, 1000000), "disbursement.tranche-once",
	    "body.tranche_no", FIN);
	NO(&f, payment("d9", 9, 1000), "disbursement.tranche",
	    "body.tranche_no", FIN);
	fx_free(&f);
}

TEST(mid_tranche_needs_mid_evaluation)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	NO(&f, payment("d2", 2, 2000000), "disbursement.mid-evaluation",
	    "body.tranche_no", FIN);
	OK(&f, evaluation("e-init", "initial", "pass"), EVAL);
	NO(&f, payment("d2", 2, 2000000), "disbursement.mid-evaluation",
	    "body.tranche_no", FIN);
	OK(&f, evaluation("e-mid1", "mid", "fail"), EVAL);
	NO(&f, payment("d2", 2, 2000000), "disbursement.mid-evaluation",
	    "body.tranche_no", FIN);
	OK(&f, evaluation("e-mid2", "mid", "conditional"), EVAL);
	OK(&f, payment("d2", 2, 2000000), FIN);
	fx_free(&f);
}

TEST(final_tranche_needs_passing_final_evaluation)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, payment("d1", 1, 2000000), FIN);
	OK(&f, evaluation("e-mid", "mid", "pass"), EVAL);
	OK(&f, payment("d2", 2, 2000000), FIN);
	NO(&f, payment("d3", 3, 1000000), "disbursement.final-evaluation",
	    "body.tranche_no", FIN);
	OK(&f, evaluation("e-f1", "final", "conditional"), EVAL);
	NO(&f, payment("d3", 3, 1000000), "disbursement.final-evaluation",
	    "body.tranche_no", FIN);
	OK(&f, evaluation("e-f2", "final", "fail"), EVAL);
	NO(&f, payment("d3", 3, 1000000), "disbursement.final-evaluation",
	    "body.tranche_no", FIN);
	OK(&f, evaluation("e-f3", "final", "pass"), EVAL);
	OK(&f, payment("d3", 3, 1000000), FIN);
	fx_free(&f);
}

TEST(highest_tranche_is_final_whatever_its_condition)
{
	struct fx f;
	json_t *c;

	fx_init(&f);
	OK(&f, example("vote"), CONV);
	c = w(example("contract"), "body.tranches[2]", NULL);
	c = w(c, "body.tranches[1].condition", S("signing"));
	OK(&f, w(c, "body.value", money(4000000)), BUYER, SUPPL);
	OK(&f, payment("d1", 1, 2000000), FIN);
	NO(&f, payment("d2", 2, 2000000), "disbursement.final-evaluation",
	    "body.tranche_no", FIN);
	fx_free(&f);
}

TEST(disbursement_contract_parties_and_dates)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	NO(&f, w(payment("d1", 1, 1), "body.contract_id", S("YQ-CD-0")),
	    "disbursement.contract", "body.contract_id", FIN);
	NO(&f, w(payment("d1", 1, 1), "body.ocid", S("ocds-other")),
	    "disbursement.contract", "body.ocid", FIN);
	NO(&f, w(payment("d1", 1, 1), "body.payee", org(ORG_EVAL)),
	    "disbursement.payee", "body.payee.id", FIN);
	NO(&f, w(payment("d1", 1, 1), "body.paid_on",
	    S("2026-08-28T09:59:59+08:00")), "disbursement.date",
	    "body.paid_on", FIN);
	/* the purchaser pays itself, or signs with the finance bureau */
	NO(&f, payment("d1", 1, 1), "disbursement.payer", "body.payer.id",
	    BUYER);
	OK(&f, w(payment("d1", 1, 1), "body.payer", org(ORG_BUYER)), BUYER);
	fx_free(&f);
}

TEST(disbursement_signed_by_payer_or_purchaser)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	NOAUTH(&f, payment("d1", 1, 1), "party.org", "signatures[0]",
	    "purchaser.other");
	NOAUTH(&f, w(payment("d1", 1, 1), "body.payer", org(ORG_BUYER)),
	    "party.org", "signatures[0]", FIN);
	NOAUTH(&f, payment("d1", 1, 1), "party.org", "signatures[0]", EVAL);
	OK(&f, payment("d1", 1, 1), FIN, BUYER);
	fx_free(&f);
}

TEST(money_moves_in_the_contracts_currency)
{
	struct fx f;
	json_t *j;

	fx_init(&f);
	signed_contract(&f);
	/* The schema accepts only CNY; the rules stand behind it. */
	j = w(payment("d1", 1, 1), "body.value.currency", S("USD"));
	no_(&f, j, KEYS(FIN), 0, LEDGER_ERULE, "disbursement.currency",
	    "body.value.currency", __FILE__, __LINE__);
	OK(&f, payment("d1", 1, 1), FIN);
	j = w(clawback("k1", "ordered", 1, "d1"), "body.value.currency",
	    S("USD"));
	no_(&f, w(j, "body.basis_ref", NULL), KEYS(BUYER), 0, LEDGER_ERULE,
	    "clawback.currency", "body.value.currency", __FILE__, __LINE__);
	fx_free(&f);
}

/* evaluation */
TEST(evaluator_is_independent)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	NO(&f, w(evaluation("e1", "mid", "pass"), "body.evaluator",
	    org(ORG_SUPPLIER)), "evaluation.independent",
	    "body.evaluator.id", "evaluator.yixin");
	NO(&f, w(evaluation("e1", "mid", "pass"), "body.evaluator",
	    org(ORG_BUYER)), "evaluation.independent", "body.evaluator.id",
	    "evaluator.chengdong");
	NO(&f, w(evaluation("e1", "mid", "pass"),
	    "body.independence_declared", json_false()),
	    "evaluation.independent", "body.independence_declared", EVAL);
	NO(&f, w(evaluation("e1", "mid", "pass"), "body.evaluated",
	    org(ORG_OTHER)), "evaluation.evaluated", "body.evaluated.id",
	    EVAL);
	NOAUTH(&f, w(evaluation("e1", "mid", "pass"), "body.evaluator",
	    org(ORG_OTHER)), "party.org", "signatures[0]", EVAL);
	NO(&f, w(evaluation("e1", "mid", "pass"), "body.contract_id",
	    S("YQ-CD-0")), "evaluation.contract", "body.contract_id", EVAL);
	OK(&f, evaluation("e1", "mid", "pass"), EVAL);
	fx_free(&f);
}

TEST(evaluation_phases_run_forward)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, evaluation("e1", "mid", "pass"), EVAL);
	OK(&f, evaluation("e2", "mid", "pass"), EVAL);
	NO(&f, evaluation("e3", "initial", "pass"), "evaluation.order",
	    "body.phase", EVAL);
	OK(&f, evaluation("e4", "final", "fail"), EVAL);
	NO(&f, evaluation("e5", "mid", "pass"), "evaluation.order",
	    "body.phase", EVAL);
	OK(&f, evaluation("e6", "final", "pass"), EVAL);
	fx_free(&f);
}

/* clawback */
TEST(clawback_received_lowers_net)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, payment("d1", 1, 4000000), FIN);
	OK(&f, evaluation("e-mid", "mid", "pass"), EVAL);
	OK(&f, payment("d2", 2, 1000000), FIN);
	OK(&f, evaluation("e-final", "final", "pass"), EVAL);
	NO(&f, payment("d3", 3, 1), "disbursement.cap",
	    "body.value.amount_minor", FIN);
	OK(&f, w(clawback("k1", "ordered", 500000, "d1"), "body.basis_ref",
	    NULL), BUYER);
	/* a demand alone does not lower the net */
	NO(&f, payment("d3", 3, 1), "disbursement.cap",
	    "body.value.amount_minor", FIN);
	OK(&f, w(clawback("k2", "received", 500000, "d1"), "body.basis_ref",
	    NULL), BUYER);
	NO(&f, payment("d3", 3, 500001), "disbursement.cap",
	    "body.value.amount_minor", FIN);
	OK(&f, payment("d3", 3, 500000), FIN);
	fx_free(&f);
}

TEST(clawback_receipt_needs_a_demand)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, example("disbursement"), FIN);
	OK(&f, example("evaluation"), EVAL);
	NO(&f, clawback("k1", "received", 1, "disb-yq-cd-2026-017-1"),
	    "clawback.demand", "body.value.amount_minor", BUYER);
	/* net is 2,000,000 fen: no more can be demanded back */
	NO(&f, clawback("k1", "ordered", 2000001, "disb-yq-cd-2026-017-1"),
	    "clawback.net", "body.value.amount_minor", BUYER);
	OK(&f, clawback("k1", "ordered", 1500000, "disb-yq-cd-2026-017-1"),
	    BUYER);
	NO(&f, clawback("k2", "ordered", 500001, "disb-yq-cd-2026-017-1"),
	    "clawback.net", "body.value.amount_minor", BUYER);
	NO(&f, clawback("k2", "received", 1500001, "disb-yq-cd-2026-017-1"),
	    "clawback.demand", "body.value.amount_minor", BUYER);
	OK(&f, clawback("k2", "received", 1500000, "disb-yq-cd-2026-017-1"),
	    BUYER);
	fx_free(&f);
}

TEST(clawback_cites_a_disbursement_of_the_contract)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, example("disbursement"), FIN);
	OK(&f, example("evaluation"), EVAL);
	NO(&f, clawback("k1", "ordered", 1, "vote-xiangdong-2026-001"),
	    "clawback.cites", "body.target_entry", BUYER);
	NO(&f, clawback("k1", "ordered", 1, "no-such-entry"),
	    "clawback.cites", "body.target_entry", BUYER);
	NO(&f, w(example("clawback"), "body.basis_ref",
	    S("disb-yq-cd-2026-017-1")), "clawback.basis", "body.basis_ref",
	    BUYER);
	NO(&f, w(example("clawback"), "body.payer", org(ORG_OTHER)),
	    "clawback.parties", "body.payer.id", BUYER);
	NO(&f, w(example("clawback"), "body.payee", org(ORG_OTHER)),
	    "clawback.parties", "body.payee.id", BUYER);
	NO(&f, w(example("clawback"), "body.contract_id", S("YQ-CD-0")),
	    "clawback.contract", "body.contract_id", BUYER);
	NOAUTH(&f, example("clawback"), "party.org", "signatures[0]",
	    "purchaser.other");
	NOAUTH(&f, example("clawback"), "party.org", "signatures[0]", FIN);
	OK(&f, example("clawback"), BUYER);
	fx_free(&f);
}

/* correction */
TEST(correction_cites_an_existing_entry)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, example("disbursement"), FIN);
	NO(&f, w(example("correction"), "body.target_entry", S("missing-1")),
	    "correction.cites", "body.target_entry", FIN);
	NO(&f, w(example("correction"), "body.ocid", S("ocds-other")),
	    "correction.cites", "body.ocid", FIN);
	/* by an author of the corrected entry: role and org */
	NOAUTH(&f, example("correction"), "party.org", "signatures[0]",
	    BUYER);
	NO(&f, w(example("correction"), "body.changes[0].pointer",
	    S("/tranche_no")), "correction.rule-field",
	    "body.changes[0].pointer", FIN);
	NO(&f, w(example("correction"), "body.changes[0].pointer",
	    S("/value/amount_minor")), "correction.rule-field",
	    "body.changes[0].pointer", FIN);
	OK(&f, w(w(example("correction"), "id", S("c2")),
	    "body.changes[0].pointer", S("/payee/name")), FIN);
	OK(&f, example("correction"), FIN);
	/* never an edit: tranche 1 is still paid */
	NO(&f, payment("d1b", 1, 1), "disbursement.tranche-once",
	    "body.tranche_no", FIN);
	fx_free(&f);
}

static json_t *
contract_change(const char *id, const char *pointer, json_t *old,
    json_t *nw)
{
	json_t *j = example("correction");

	w(j, "id", S(id));
	w(j, "body.type", S("amendment"));
	w(j, "body.target_entry", S("contract-yq-cd-2026-017"));
	w(j, "body.changes[0].pointer", S(pointer));
	w(j, "body.changes[0].old", old);
	return w(j, "body.changes[0].new", nw);
}

TEST(correction_amends_contract_value_and_status)
{
	struct fx f;

	fx_init(&f);
	signed_contract(&f);
	OK(&f, payment("d1", 1, 2000000), FIN);
	NO(&f, contract_change("c1", "/value/amount_minor", I(4000000),
	    I(3000000)), "correction.old-value", "body.changes[0].old", BUYER,
	    SUPPL);
	NO(&f, contract_change("c1", "/value/amount_minor", I(5000000),
	    I(1999999)), "correction.value-below-net", "body.changes[0].new",
	    BUYER);
	OK(&f, contract_change("c1", "/value/amount_minor", I(5000000),
	    I(2000000)), BUYER, SUPPL);
	OK(&f, evaluation("e-mid", "mid", "pass"), EVAL);
	NO(&f, payment("d2", 2, 1), "disbursement.cap",
	    "body.value.amount_minor", FIN);
	OK(&f, contract_change("c2", "/value/amount_minor", I(2000000),
	    I(3000000)), SUPPL);
	OK(&f, payment("d2", 2, 1000000), FIN);
	NO(&f, contract_change("c3", "/status", S("pending"),
	    S("terminated")), "correction.old-value", "body.changes[0].old",
	    BUYER);
	NO(&f, contract_change("c3", "/status", S("active"), S("ended")),
	    "correction.change", "body.changes[0].new", BUYER);
	OK(&f, contract_change("c3", "/status", S("active"),
	    S("terminated")), BUYER);
	OK(&f, evaluation("e-final", "final", "pass"), EVAL);
	NO(&f, payment("d3", 3, 1), "disbursement.active", "body.contract_id",
	    FIN);
	NO(&f, contract_change("c4", "/status", S("terminated"),
	    S("active")), "correction.change", "body.changes[0].new", BUYER);
	NOAUTH(&f, contract_change("c4", "/status", S("terminated"),
	    S("active")), "party.org", "signatures[0]", FIN);
	fx_free(&f);
}

TEST(pending_contract_is_not_paid)
{
	struct fx f;

	fx_init(&f);
	OK(&f, example("vote"), CONV);
	OK(&f, w(example("contract"), "body.status", S("pending")), BUYER,
	    SUPPL);
	NO(&f, payment("d1", 1, 1), "disbursement.active", "body.contract_id",
	    FIN);
	OK(&f, contract_change("c1", "/status", S("pending"), S("active")),
	    BUYER);
	OK(&f, payment("d1", 1, 1), FIN);
	fx_free(&f);
}

/* the machinery */
TEST(rules_on_an_unvalidated_body_refuse_cleanly)
{
	struct fx f;
	struct ledger_err e;

	fx_init(&f);
	signed_contract(&f);
	CHECK_INT(run(&f, w(payment("d1", 1, 1), "body.value", NULL),
	    KEYS(FIN), 0, &e), LEDGER_ESCHEMA);
	CHECK_INT(run(&f, w(example("vote"), "body.counts", S("x")),
	    KEYS(CONV), 0, &e), LEDGER_ESCHEMA);
	CHECK_INT(run(&f, w(example("vote"), "body.eligible", I(1LL << 40)),
	    KEYS(CONV), 0, &e), LEDGER_ESCHEMA);
	fx_free(&f);
}

TEST(corrupt_state_is_a_storage_error)
{
	static const char key[] = "c:YQ-CD-2026-017";
	struct fx f;
	struct ledger_err e;

	fx_init(&f);
	signed_contract(&f);
	CHECK_INT(f.rs.put(f.rs.ctx, key, sizeof(key) - 1, "\x01\x05zz", 4),
	    0);
	CHECK_INT(run(&f, payment("d1", 1, 1), KEYS(FIN), 1, &e),
	    LEDGER_ESTORE);
	fx_free(&f);
}

TEST(memory_state_holds_many_entries)
{
	struct fx f;
	char id[32];
	int i, fails = 0;

	fx_init(&f);
	for (i = 0; i < 3000; i++) {
		struct ledger_err e;

		snprintf(id, sizeof(id), "vote-%d", i);
		if (run(&f, w(example("vote"), "id", S(id)), KEYS(CONV), 0,
		    &e) != 0)
			fails++;
	}
	CHECK_INT(fails, 0);
	OK(&f, w(example("contract"), "body.vote_ref", S("vote-2999")), BUYER,
	    SUPPL);
	fx_free(&f);
}

TEST(lmdb_state_survives_commit)
{
	struct ledger_rulestore rs;
	struct ledger_store *store;
	struct ledger_txn *txn;
	struct ledger_err e;
	struct fx f;
	char dir[512];
	json_t *j;
	int rc;

	fx_init(&f);
	ledger_rulestore_mem_free(&f.rs);
	snprintf(dir, sizeof(dir), "%s/rules", harness_tmpdir());
	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_CREATE, 1 << 24,
	    &store), 0);
	CHECK_INT(ledger_store_init(store, "test/rules"), 0);
	CHECK_INT(ledger_txn_begin(store, 1, &txn), 0);
	ledger_rulestore_txn(&f.rs, txn);
	signed_contract(&f);
	CHECK_INT(ledger_txn_commit(txn), 0);
	CHECK_INT(ledger_txn_begin(store, 1, &txn), 0);
	ledger_rulestore_txn(&rs, txn);
	f.rs = rs;
	OK(&f, payment("d1", 1, 2000000), FIN);
	NO(&f, payment("d1b", 1, 1), "disbursement.tranche-once",
	    "body.tranche_no", FIN);
	j = w(example("contract"), "id", S("c-again"));
	rc = run(&f, j, KEYS(BUYER, SUPPL), 1, &e);
	CHECK_INT(rc, LEDGER_ERULE);
	CHECK_STR(e.rule, "contract.unique");
	ledger_txn_abort(txn);
	ledger_store_close(store);
	ledger_memreg_free(&f.reg);
}

TEST(every_rule_is_documented_and_tested)
{
	char *md = read_text("docs/KINDS.md");
	char *me = read_text("tests/unit/test_rules.c");
	char quoted[64], row[80];
	const char *name;
	size_t i;

	CHECK(md != NULL && me != NULL);
	for (i = 0; md != NULL && me != NULL &&
	    (name = ledger_rule_name(i)) != NULL; i++) {
		snprintf(row, sizeof(row), "| `%s` |", name);
		snprintf(quoted, sizeof(quoted), "\"%s\"", name);
		if (strstr(md, row) == NULL)
			harness_fail(__FILE__, __LINE__, "docs/KINDS.md has no "
			    "row for rule %s", name);
		else if (strstr(me, quoted) == NULL)
			harness_fail(__FILE__, __LINE__, "no test refuses with "
			    "rule %s", name);
		else
			harness_pass();
	}
	CHECK(i > 40);
	free(md);
	free(me);
}

/* The in-memory state keeps every record across a reserve. */
TEST(memstore_reserve_keeps_records)
{
	struct ledger_rulestore rs;
	char key[32], val[32];
	void *got;
	size_t len;
	int i, bad = 0;

	CHECK_INT(ledger_rulestore_mem_new(&rs), 0);
	for (i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(val, sizeof(val), "v%d", i * 7);
		if (i == 1500)	/* mid-way, with 1500 records stored */
			CHECK_INT(ledger_rulestore_mem_reserve(&rs, 100000), 0);
		CHECK_INT(rs.put(rs.ctx, key, strlen(key), val, strlen(val)),
		    0);
	}
	CHECK_INT(ledger_rulestore_mem_reserve(&rs, 10), 0);	/* no shrink */
	CHECK_INT(ledger_rulestore_mem_reserve(&rs, SIZE_MAX / 2),
	    LEDGER_ENOMEM);
	for (i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(val, sizeof(val), "v%d", i * 7);
		got = NULL;
		if (rs.get(rs.ctx, key, strlen(key), &got, &len) != 0 ||
		    len != strlen(val) || memcmp(got, val, len) != 0)
			bad++;
		free(got);
	}
	CHECK_INT(bad, 0);
	ledger_rulestore_mem_free(&rs);
}
