/*
 * ocds_release.c - one ledger entry as an Open Contracting Data Standard
 * 1.1 release (DATA-STANDARDS 1, the mapping in docs/KINDS.md, "OCDS
 * export"); ocds.c gathers the releases into packages.
 *
 * A release is built from its entry and from what the earlier entries of
 * its contracting process left in the process's state: the award id,
 * parties and currency of each contract (later releases name the contract
 * they concern), the kind and seq of each entry (corrections point at the
 * release they amend), and every role each party has had (OCDS replaces a
 * party's roles with the latest release's, so each release lists them
 * all).
 *
 * Amounts are strings "\x01<fen>" here; ocds.c prints them as decimals.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/merkle.h"
#include "ledger/statement.h"
#include "ledgerctl.h"

/* --- values --- */

static const char *
str_at(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Drop a UTF-8 sequence that snprintf cut short, so jansson takes s. */
static void
utf8_cut(char *s)
{
	size_t n = strlen(s), i = n, need;
	unsigned char c;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

/* "12345.67": fen as yuan, for text (amounts in Values are marked). */
static void
yuan(char *out, size_t outsz, json_int_t fen)
{
	json_int_t a = fen < 0 ? -fen : fen;

	snprintf(out, outsz, "%s%" JSON_INTEGER_FORMAT ".%02d",
	    fen < 0 ? "-" : "", a / 100, (int)(a % 100));
}

static json_t *
amount(json_int_t fen)
{
	char s[32];

	snprintf(s, sizeof(s), OCDS_AMOUNT_MARK "%" JSON_INTEGER_FORMAT, fen);
	return json_string(s);
}

/* OCDS Value from a ledger money object; sign -1 for a refund. */
static json_t *
value(json_t *money, int sign)
{
	json_t *a = json_object_get(money, "amount_minor");

	if (!json_is_integer(a) || str_at(money, "currency") == NULL)
		return NULL;
	return json_pack("{s:o,s:s}", "amount", amount(sign *
	    json_integer_value(a)), "currency", str_at(money, "currency"));
}

/* Set o.k = v unless v is NULL (optional members stay absent). */
static void
opt(json_t *o, const char *k, json_t *v)
{
	if (v != NULL)
		json_object_set_new(o, k, v);
}

static json_t *
opt_str(json_t *body, const char *k)
{
	const char *s = str_at(body, k);

	return s ? json_string(s) : NULL;
}

static json_t *
org_ref(json_t *org)
{
	char id[64];

	snprintf(id, sizeof(id), "CN-USCI-%s", str_at(org, "id") ?
	    str_at(org, "id") : "");
	return json_pack("{s:s,s:s*}", "id", id, "name", str_at(org, "name"));
}

static json_t *
document(json_t *d)
{
	json_t *o;

	if (!json_is_object(d))
		return NULL;
	o = json_pack("{s:s*,s:s*}", "id", str_at(d, "id"), "documentType",
	    str_at(d, "type"));
	if (o == NULL)
		return NULL;
	opt(o, "title", opt_str(d, "title"));
	opt(o, "url", opt_str(d, "url"));
	opt(o, "format", opt_str(d, "media_type"));
	opt(o, "ledgerd", json_pack("{s:s*,s:O*}", "sha256", str_at(d,
	    "sha256"), "size", json_object_get(d, "size")));
	return o;
}

static json_t *
documents(json_t *arr)
{
	json_t *out = json_array(), *d;
	size_t i;

	json_array_foreach(arr, i, d)
		json_array_append_new(out, document(d));
	return out;
}

/* --- one release --- */

struct rel {
	json_t		*state;		/* see ocds_state_new */
	json_t		*body;
	json_t		*o;		/* the release */
	json_t		*parties;	/* party id -> party */
	const char	*ocid;
};

/* Name a party in this release with role; roles accumulate per process. */
static void
party(struct rel *r, json_t *org, const char *role)
{
	json_t *roles = json_object_get(r->state, "roles"), *have, *p;
	const char *uscc = str_at(org, "id");
	char id[64];
	size_t i;

	if (uscc == NULL)
		return;
	snprintf(id, sizeof(id), "CN-USCI-%s", uscc);
	if ((have = json_object_get(roles, id)) == NULL &&
	    (json_object_set_new(roles, id, json_array()) != 0 ||
	    (have = json_object_get(roles, id)) == NULL))
		return;
	for (i = 0; i < json_array_size(have); i++)
		if (strcmp(json_string_value(json_array_get(have, i)),
		    role) == 0)
			break;
	if (i == json_array_size(have))
		json_array_append_new(have, json_string(role));
	if (json_object_get(r->parties, id) != NULL)
		return;
	p = json_pack("{s:s,s:s*,s:{s:s,s:s,s:s*}}", "id", id, "name",
	    str_at(org, "name"), "identifier", "scheme", "CN-USCI", "id", uscc,
	    "legalName", str_at(org, "name"));
	json_object_set_new(r->parties, id, p);
}

/* The contract of a later entry: {id, awardID} as the process knows it. */
static json_t *
contract_ref(struct rel *r, const char *cid)
{
	json_t *c = json_object_get(json_object_get(r->state, "contracts"),
	    cid ? cid : "");

	return json_pack("{s:s*,s:s*}", "id", cid, "awardID",
	    c ? str_at(c, "award") : cid);
}

static void
in_contract(struct rel *r, json_t *c)
{
	json_object_set_new(r->o, "contracts", json_pack("[o]", c));
}

static void
rel_vote(struct rel *r)
{
	static const char *const opts[] = { "yes", "no", "abstain",
	    "recused" };
	json_t *b = r->body, *plan, *ms, *c;
	long long n[4] = { 0 };
	const char *o;
	char desc[256];
	size_t i, k;
	int pass = strcmp(str_at(b, "result") ? str_at(b, "result") : "",
	    "pass") == 0;

	json_array_foreach(json_object_get(b, "counts"), i, c)
		for (k = 0; k < 4; k++)
			if ((o = str_at(c, "option")) != NULL &&
			    strcmp(o, opts[k]) == 0)
				n[k] = json_integer_value(json_object_get(c,
				    "value"));
	snprintf(desc, sizeof(desc), "residents' representatives vote: yes "
	    "%lld, no %lld, abstain %lld, recused %lld; %lld of %lld present; "
	    "result %s", n[0], n[1], n[2], n[3],
	    (long long)json_integer_value(json_object_get(b, "present")),
	    (long long)json_integer_value(json_object_get(b, "eligible")),
	    pass ? "pass" : "fail");
	ms = json_pack("{s:s*,s:s*,s:s,s:s,s:s,s:s*,s:s}", "id",
	    str_at(b, "vote_id"), "title", str_at(b, "motion_text"), "type",
	    "approval", "code", "residentsMeetingVote", "status",
	    pass ? "met" : "notMet", "dateModified", str_at(b, "held_at"),
	    "description", desc);
	if (pass)
		opt(ms, "dateMet", opt_str(b, "held_at"));
	plan = json_pack("{s:s*,s:[o],s:[o]}", "rationale", str_at(b,
	    "motion_text"), "milestones", ms, "documents",
	    document(json_object_get(b, "minutes")));
	if (json_object_get(b, "requested") != NULL)
		json_object_set_new(plan, "budget", json_pack("{s:s,s:o}",
		    "description", "budget applied for", "amount",
		    value(json_object_get(b, "requested"), 1)));
	json_object_set_new(r->o, "planning", plan);
	party(r, json_object_get(b, "body"), "interestedParty");
}

static json_t *
tranches(json_t *arr)
{
	json_t *out = json_array(), *t, *m, *amt;
	char id[32], title[32], desc[128], y[32];
	size_t i;

	json_array_foreach(arr, i, t) {
		amt = json_object_get(t, "amount");
		yuan(y, sizeof(y), json_integer_value(json_object_get(amt,
		    "amount_minor")));
		snprintf(id, sizeof(id), "tranche-%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(t, "no")));
		snprintf(title, sizeof(title), "Tranche %" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(t, "no")));
		snprintf(desc, sizeof(desc), "%s %s, released on %s", y,
		    str_at(amt, "currency") ? str_at(amt, "currency") : "",
		    str_at(t, "condition") ? str_at(t, "condition") : "");
		m = json_pack("{s:s,s:s,s:s,s:s*,s:s,s:s}", "id", id, "title",
		    title, "type", "payment", "code", str_at(t, "condition"),
		    "status", "scheduled", "description", desc);
		opt(m, "dueDate", opt_str(t, "due"));
		json_array_append_new(out, m);
	}
	return out;
}

static void
rel_contract(struct rel *r)
{
	json_t *b = r->body, *period = json_object_get(b, "period"), *p = NULL;
	json_t *tender, *award, *c;
	const char *cid = str_at(b, "contract_id");
	const char *aid = str_at(b, "award_id") ? str_at(b, "award_id") : cid;
	char tid[LEDGER_ID_MAX + 16];

	if (period != NULL)
		p = json_pack("{s:s*,s:s*}", "startDate", str_at(period,
		    "start"), "endDate", str_at(period, "end"));
	snprintf(tid, sizeof(tid), "%s-tender", r->ocid);
	tender = json_pack("{s:s,s:s*,s:s,s:s,s:o}", "id", tid, "title",
	    str_at(b, "title"), "status", "complete",
	    "mainProcurementCategory", "services", "value",
	    value(json_object_get(b, "value"), 1));
	opt(tender, "procurementMethod", opt_str(b, "method"));
	award = json_pack("{s:s*,s:s*,s:s,s:s*,s:o,s:[o]}", "id", aid,
	    "title", str_at(b, "title"), "status", "active", "date",
	    str_at(b, "date_signed"), "value", value(json_object_get(b,
	    "value"), 1), "suppliers", org_ref(json_object_get(b,
	    "supplier")));
	if (p != NULL)
		json_object_set(award, "contractPeriod", p);
	c = json_pack("{s:s*,s:s*,s:s*,s:s*,s:o,s:s*}", "id", cid, "awardID",
	    aid, "title", str_at(b, "title"), "status", str_at(b, "status"),
	    "value", value(json_object_get(b, "value"), 1), "dateSigned",
	    str_at(b, "date_signed"));
	opt(c, "description", opt_str(b, "description"));
	opt(c, "period", p);
	json_object_set_new(c, "documents", documents(json_object_get(b,
	    "documents")));
	json_object_set_new(c, "milestones", tranches(json_object_get(b,
	    "tranches")));
	json_object_set_new(r->o, "buyer", org_ref(json_object_get(b,
	    "buyer")));
	json_object_set_new(r->o, "tender", tender);
	json_object_set_new(r->o, "awards", json_pack("[o]", award));
	in_contract(r, c);
	party(r, json_object_get(b, "buyer"), "buyer");
	party(r, json_object_get(b, "supplier"), "supplier");
	/* What later releases of the process need to know. */
	json_object_set_new(json_object_get(r->state, "contracts"),
	    cid ? cid : "", json_pack("{s:s*,s:O*,s:O*,s:s*}", "award", aid,
	    "buyer", json_object_get(b, "buyer"), "supplier",
	    json_object_get(b, "supplier"), "currency",
	    str_at(json_object_get(b, "value"), "currency")));
}

static void
rel_disbursement(struct rel *r)
{
	json_t *b = r->body, *c, *tx, *ms;
	char mid[32];

	c = contract_ref(r, str_at(b, "contract_id"));
	tx = json_pack("{s:s*,s:s*,s:o,s:o,s:o}", "id",
	    str_at(b, "disbursement_id"), "date", str_at(b, "paid_on"),
	    "value", value(json_object_get(b, "value"), 1), "payer",
	    org_ref(json_object_get(b, "payer")), "payee",
	    org_ref(json_object_get(b, "payee")));
	snprintf(mid, sizeof(mid), "tranche-%" JSON_INTEGER_FORMAT,
	    json_integer_value(json_object_get(b, "tranche_no")));
	ms = json_pack("{s:s,s:s,s:s*}", "id", mid, "status", "met",
	    "dateMet", str_at(b, "paid_on"));
	json_object_set_new(c, "implementation", json_pack("{s:[o]}",
	    "transactions", tx));
	json_object_set_new(c, "milestones", json_pack("[o]", ms));
	in_contract(r, c);
	party(r, json_object_get(b, "payer"), "payer");
	party(r, json_object_get(b, "payee"), "payee");
}

static void
rel_evaluation(struct rel *r)
{
	json_t *b = r->body, *c, *ms, *impl;
	const char *phase = str_at(b, "phase") ? str_at(b, "phase") : "";
	const char *v = str_at(b, "verdict") ? str_at(b, "verdict") : "";
	const char *status = strcmp(v, "pass") == 0 ? "met" :
	    strcmp(v, "conditional") == 0 ? "partiallyMet" : "notMet";
	char title[64], code[64], desc[160], y[32];
	json_t *score = json_object_get(b, "score");
	json_t *mis = json_object_get(json_object_get(b, "misused"),
	    "amount_minor");
	size_t n;

	snprintf(title, sizeof(title), "%s evaluation", phase);
	snprintf(code, sizeof(code), "evaluation%c%s",
	    toupper((unsigned char)phase[0]), phase[0] ? phase + 1 : "");
	n = (size_t)snprintf(desc, sizeof(desc), "verdict %s", v);
	if (json_is_integer(score) && n < sizeof(desc))
		n += (size_t)snprintf(desc + n, sizeof(desc) - n, ", score %"
		    JSON_INTEGER_FORMAT "/1000", json_integer_value(score));
	if (json_is_integer(mis) && json_integer_value(mis) > 0 &&
	    n < sizeof(desc)) {
		yuan(y, sizeof(y), json_integer_value(mis));
		snprintf(desc + n, sizeof(desc) - n, ", %s misused", y);
	}
	ms = json_pack("{s:s*,s:s,s:s,s:s,s:s,s:s*,s:s}", "id",
	    str_at(b, "evaluation_id"), "title", title, "type", "assessment",
	    "code", code, "status", status, "dateModified",
	    str_at(b, "assessed_on"), "description", desc);
	if (strcmp(status, "notMet") != 0)
		opt(ms, "dateMet", opt_str(b, "assessed_on"));
	impl = json_pack("{s:[o],s:[o]}", "milestones", ms, "documents",
	    document(json_object_get(b, "report")));
	c = contract_ref(r, str_at(b, "contract_id"));
	json_object_set_new(c, "implementation", impl);
	in_contract(r, c);
	party(r, json_object_get(b, "evaluator"), "evaluator");
	party(r, json_object_get(b, "evaluated"), "supplier");
}

/*
 * A receipt is a negative transaction in the direction of the payment it
 * reverses, so a contract's transactions sum to the net disbursed.
 */
static void
rel_clawback(struct rel *r)
{
	json_t *b = r->body, *c, *k, *impl, *from, *to;
	const char *cid = str_at(b, "contract_id");
	char desc[2200], y[32];

	k = json_object_get(json_object_get(r->state, "contracts"),
	    cid ? cid : "");
	c = contract_ref(r, cid);
	if (strcmp(str_at(b, "status") ? str_at(b, "status") : "",
	    "received") == 0) {
		from = json_object_get(b, "payee") ? json_object_get(b,
		    "payee") : json_object_get(k, "buyer");
		to = json_object_get(b, "payer") ? json_object_get(b,
		    "payer") : json_object_get(k, "supplier");
		impl = json_pack("{s:[{s:s*,s:s*,s:o,s:o,s:o}]}",
		    "transactions", "id", str_at(b, "clawback_id"), "date",
		    str_at(b, "date"), "value", value(json_object_get(b,
		    "value"), -1), "payer", org_ref(from), "payee",
		    org_ref(to));
		party(r, from, "payer");
		party(r, to, "payee");
	} else {
		yuan(y, sizeof(y), json_integer_value(json_object_get(
		    json_object_get(b, "value"), "amount_minor")));
		snprintf(desc, sizeof(desc), "recovery of %s ordered: %s", y,
		    str_at(b, "rationale") ? str_at(b, "rationale") : "");
		utf8_cut(desc);
		impl = json_pack("{s:[{s:s*,s:s,s:s,s:s,s:s,s:s*,s:s}]}",
		    "milestones", "id", str_at(b, "clawback_id"), "title",
		    "Clawback ordered", "type", "financing", "code",
		    "clawbackOrdered", "status", "scheduled", "dateModified",
		    str_at(b, "date"), "description", desc);
	}
	json_object_set_new(c, "implementation", impl);
	in_contract(r, c);
}

/* "/pointer: old -> new; ..." for an amendment's description. */
static void
describe_changes(json_t *changes, char *out, size_t outsz)
{
	json_t *ch, *v;
	char *o, *n;
	size_t i, len = 0;

	out[0] = '\0';
	json_array_foreach(changes, i, ch) {
		v = json_object_get(ch, "old");
		o = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		v = json_object_get(ch, "new");
		n = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		if (len < outsz)
			len += (size_t)snprintf(out + len, outsz - len,
			    "%s%s: %s -> %s", i ? "; " : "",
			    str_at(ch, "pointer") ? str_at(ch, "pointer") : "",
			    o ? o : "(absent)", n ? n : "(absent)");
		free(o);
		free(n);
	}
	utf8_cut(out);
}

static void
rel_correction(struct rel *r, const char *rid)
{
	json_t *b = r->body, *t, *c, *am, *ch, *k;
	const char *tkind = "", *tcid, *type, *ptr, *tag;
	char desc[2048], amends[LEDGER_ID_MAX * 2 + 24];
	size_t i;

	t = json_object_get(json_object_get(r->state, "entries"),
	    str_at(b, "target_entry") ? str_at(b, "target_entry") : "");
	if (t != NULL)
		tkind = json_string_value(json_array_get(t, 0));
	tcid = json_string_value(json_array_get(t, 2));
	type = str_at(b, "type") ? str_at(b, "type") : "";
	tag = strcmp(tkind, "vote") == 0 ? "planningUpdate" :
	    strcmp(type, "amendment") == 0 ? "contractAmendment" :
	    strcmp(type, "termination") == 0 ? "contractTermination" :
	    strcmp(tkind, "contract") == 0 ? "contractUpdate" :
	    "implementationUpdate";
	json_object_set_new(r->o, "tag", json_pack("[s]", tag));
	snprintf(amends, sizeof(amends), "%s-%" JSON_INTEGER_FORMAT,
	    r->ocid, json_integer_value(json_array_get(t, 1)));
	if (t != NULL)
		json_object_set_new(json_object_get(r->o, "ledgerd"),
		    "amends", json_string(amends));
	if (tcid == NULL)
		return;	/* a vote: planning has no amendments */
	describe_changes(json_object_get(b, "changes"), desc, sizeof(desc));
	am = json_pack("{s:s*,s:s*,s:s*,s:s,s:s,s:s}", "id",
	    str_at(b, "correction_id"), "date", json_string_value(
	    json_object_get(r->o, "date")), "rationale", str_at(b,
	    "rationale"), "description", desc, "amendsReleaseID", amends,
	    "releaseID", rid);
	c = contract_ref(r, tcid);
	json_object_set_new(c, "amendments", json_pack("[o]", am));
	/* The two contract members a correction may change (rules). */
	k = json_object_get(json_object_get(r->state, "contracts"), tcid);
	json_array_foreach(json_object_get(b, "changes"), i, ch) {
		if (strcmp(tkind, "contract") != 0 ||
		    (ptr = str_at(ch, "pointer")) == NULL)
			continue;
		if (strcmp(ptr, "/status") == 0)
			opt(c, "status", opt_str(ch, "new"));
		else if (strcmp(ptr, "/value/amount_minor") == 0 &&
		    json_is_integer(json_object_get(ch, "new")))
			json_object_set_new(c, "value", json_pack("{s:o,s:s*}",
			    "amount", amount(json_integer_value(
			    json_object_get(ch, "new"))), "currency",
			    str_at(k, "currency")));
	}
	in_contract(r, c);
}

/* The first tag of a kind's release (a contract's adds two more). */
static const char *
kind_tag(const char *kind)
{
	if (strcmp(kind, "vote") == 0)
		return "planning";
	if (strcmp(kind, "contract") == 0)
		return "tender";
	return "implementation";
}

json_t *
ocds_state_new(void)
{
	return json_pack("{s:{},s:{},s:{}}", "contracts", "entries", "roles");
}

json_t *
ocds_release(json_t *state, const char *ocid, const struct ledger_leaf *leaf,
    const uint8_t *data, size_t len)
{
	const struct ledger_statement *st = leaf->st;
	uint8_t h[LEDGER_HASH_BYTES];
	char hex[2 * LEDGER_HASH_BYTES + 1], t[LEDGER_TIME_BYTES];
	char rid[LEDGER_ID_MAX * 2 + 24];
	struct rel r;
	const char *k, *cid;
	json_t *v, *arr;

	ledger_leaf_hash(data, len, h);
	ledger_hex_encode(h, sizeof(h), hex);
	ledger_time_format(leaf->time_ms, t);
	snprintf(rid, sizeof(rid), "%s-%" PRIu64, ocid, leaf->seq);
	memset(&r, 0, sizeof(r));
	r.state = state;
	r.ocid = ocid;
	r.body = st->body;
	r.parties = json_object();
	r.o = json_pack("{s:s,s:s,s:s,s:[s],s:s,s:{s:I,s:s,s:s,s:s}}",
	    "ocid", ocid, "id", rid, "date", t, "tag", kind_tag(st->kind),
	    "initiationType", "tender", "ledgerd", "seq",
	    (json_int_t)leaf->seq, "leaf_hash", hex, "statement_id", st->id,
	    "kind", st->kind);
	if (r.o == NULL || r.parties == NULL) {
		json_decref(r.o);
		json_decref(r.parties);
		return NULL;
	}
	if (strcmp(st->kind, "contract") == 0) {
		json_array_append_new(json_object_get(r.o, "tag"),
		    json_string("award"));
		json_array_append_new(json_object_get(r.o, "tag"),
		    json_string("contract"));
		rel_contract(&r);
	} else if (strcmp(st->kind, "vote") == 0)
		rel_vote(&r);
	else if (strcmp(st->kind, "disbursement") == 0)
		rel_disbursement(&r);
	else if (strcmp(st->kind, "evaluation") == 0)
		rel_evaluation(&r);
	else if (strcmp(st->kind, "clawback") == 0)
		rel_clawback(&r);
	else if (strcmp(st->kind, "correction") == 0)
		rel_correction(&r, rid);
	/* Each party with every role it has had in the process so far. */
	if (json_object_size(r.parties) > 0) {
		arr = json_array();
		json_object_foreach(r.parties, k, v) {
			json_object_set(v, "roles", json_object_get(
			    json_object_get(state, "roles"), k));
			json_array_append(arr, v);
		}
		json_object_set_new(r.o, "parties", arr);
	}
	json_decref(r.parties);
	/* Later corrections cite this entry (a correction: its target's). */
	if ((cid = str_at(st->body, "contract_id")) == NULL)
		cid = json_string_value(json_array_get(json_object_get(
		    json_object_get(state, "entries"), str_at(st->body,
		    "target_entry") ? str_at(st->body, "target_entry") : ""),
		    2));
	json_object_set_new(json_object_get(state, "entries"), st->id,
	    json_pack("[s,I,s?]", st->kind, (json_int_t)leaf->seq, cid));
	return r.o;
}
