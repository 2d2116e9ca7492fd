/*
 * audit_track.c - the findings of "ledgerctl audit" that no append-time
 * rule can refuse (docs/KINDS.md, "Audit findings"): a running account per
 * contract, kept from the bodies of the entries the replayed rules
 * accepted.  It is reckoned here again rather than read from the rules'
 * private records, so the audit does not take their word for it.
 *
 * Findings about a single entry are reported as it comes; those about
 * something that did not happen (no final evaluation, a clawback never
 * received) once the whole ledger is read.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/kinds.h"
#include "ledger/registry.h"
#include "ledgerctl.h"

#define DAY_MS		(24LL * 3600 * 1000)

/* The running account of one contract. */
struct track {
	char		 id[LEDGER_ID_MAX + 1];
	char		 ocid[LEDGER_ID_MAX + 1];
	uint64_t	 value, disbursed, demanded, received;
	uint64_t	 plan[LEDGER_TRANCHES_MAX + 1];	/* by no; 0: none */
	uint64_t	 planned, paid;	/* bit no-1 per tranche */
	int		 final_pass;	/* latest final verdict is pass */
	int		 last_fail;	/* latest evaluation's verdict is fail */
	/* The entries end-of-ledger findings point at: seq and id. */
	uint64_t	 full_seq;	/* when it became fully disbursed */
	uint64_t	 final_seq;	/* latest final evaluation */
	uint64_t	 demand_seq;	/* first demand of the open balance */
	uint64_t	 misuse_seq;	/* oldest misuse not yet demanded */
	char		 full_id[LEDGER_ID_MAX + 1];
	char		 final_id[LEDGER_ID_MAX + 1];
	char		 demand_id[LEDGER_ID_MAX + 1];
	char		 misuse_id[LEDGER_ID_MAX + 1];
	int64_t		 demand_at, misuse_at;	/* ms */
	uint64_t	 misuse_base;	/* demanded when the misuse was found */
	uint64_t	 misuse_sum;
};

struct tracker {
	struct track	*tr;
	size_t		 ntr, cap;
	json_t		*by_id;		/* contract_id -> index */
	json_t		*by_stmt;	/* the contract's statement id -> index */
	json_t		*disb;		/* disbursement id -> [value, demanded] */
	audit_report	 fn;
	void		*ctx;
	uint64_t	 seq;		/* entry being tracked */
	const char	*ocid, *id;
};

static void __attribute__((format(printf, 7, 8)))
report(struct tracker *t, uint64_t seq, const char *ocid, const char *id,
    const char *rule, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->fn(t->ctx, seq, ocid, id, rule, path, msg);
}

static const char *
str_at(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static uint64_t
amount_at(json_t *o, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(json_object_get(o,
	    k), "amount_minor"));

	return v > 0 ? (uint64_t)v : 0;
}

static int64_t
date_at(json_t *o, const char *k)
{
	int64_t ms;

	return str_at(o, k) && ledger_rfc3339_parse(str_at(o, k), &ms) == 0 ?
	    ms : 0;
}

static struct track *
track_of(struct tracker *t, json_t *map, const char *key)
{
	json_t *i = key ? json_object_get(map, key) : NULL;

	return i ? &t->tr[json_integer_value(i)] : NULL;
}

/* Remember that the entry being tracked is where a finding points. */
static void
mark(struct tracker *t, uint64_t *seq, char *id, size_t idsz)
{
	*seq = t->seq;
	snprintf(id, idsz, "%s", t->id);
}

static int
fully_disbursed(const struct track *c)
{
	return (c->planned != 0 && (c->paid & c->planned) == c->planned) ||
	    (c->disbursed > 0 && c->disbursed - c->received >= c->value);
}

static int
on_contract(struct tracker *t, json_t *b)
{
	const char *id = str_at(b, "contract_id");
	struct track *c, *g;
	json_t *tr;
	json_int_t no;
	size_t i, n;

	if (id == NULL)
		return 0;
	if (t->ntr == t->cap) {
		n = t->cap ? t->cap * 2 : 16;
		if ((g = realloc(t->tr, n * sizeof(*g))) == NULL)
			return LEDGER_ENOMEM;
		t->tr = g;
		t->cap = n;
	}
	c = &t->tr[t->ntr];
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->ocid, sizeof(c->ocid), "%s", t->ocid ? t->ocid : "");
	c->value = amount_at(b, "value");
	c->full_seq = c->final_seq = c->demand_seq = c->misuse_seq =
	    AUDIT_NO_SEQ;
	json_array_foreach(json_object_get(b, "tranches"), i, tr) {
		no = json_integer_value(json_object_get(tr, "no"));
		if (no < 1 || no > LEDGER_TRANCHES_MAX)
			continue;
		c->plan[no] = amount_at(tr, "amount");
		c->planned |= 1ULL << (no - 1);
	}
	if (json_object_set_new(t->by_id, id, json_integer((json_int_t)
	    t->ntr)) != 0 || json_object_set_new(t->by_stmt, t->id,
	    json_integer((json_int_t)t->ntr)) != 0)
		return LEDGER_ENOMEM;
	t->ntr++;
	return 0;
}

static int
on_disbursement(struct tracker *t, json_t *b)
{
	struct track *c = track_of(t, t->by_id, str_at(b, "contract_id"));
	json_int_t no = json_integer_value(json_object_get(b, "tranche_no"));
	uint64_t v = amount_at(b, "value");
	int was_full;

	if (c == NULL || no < 1 || no > LEDGER_TRANCHES_MAX)
		return 0;
	if (c->last_fail)
		report(t, t->seq, t->ocid, t->id, "audit.paid-after-fail",
		    "body.tranche_no", "paid while the latest evaluation of "
		    "contract \"%s\" has verdict fail", c->id);
	if (v > c->plan[no])
		report(t, t->seq, t->ocid, t->id, "audit.tranche-amount",
		    "body.value.amount_minor", "%" PRIu64 " fen pays tranche "
		    "%lld, planned at %" PRIu64 " fen", v, (long long)no,
		    c->plan[no]);
	was_full = fully_disbursed(c);
	c->disbursed += v;
	c->paid |= 1ULL << (no - 1);
	if (!was_full && fully_disbursed(c))
		mark(t, &c->full_seq, c->full_id, sizeof(c->full_id));
	if (json_object_set_new(t->disb, t->id, json_pack("[II]",
	    (json_int_t)v, (json_int_t)0)) != 0)
		return LEDGER_ENOMEM;
	return 0;
}

static void
on_evaluation(struct tracker *t, json_t *b)
{
	struct track *c = track_of(t, t->by_id, str_at(b, "contract_id"));
	const char *phase = str_at(b, "phase"), *verdict = str_at(b,
	    "verdict");
	uint64_t misused = amount_at(b, "misused");

	if (c == NULL || phase == NULL || verdict == NULL)
		return;
	c->last_fail = strcmp(verdict, "fail") == 0;
	if (strcmp(phase, "final") == 0) {
		c->final_pass = strcmp(verdict, "pass") == 0;
		mark(t, &c->final_seq, c->final_id, sizeof(c->final_id));
	}
	if (misused == 0)
		return;
	if (c->misuse_seq == AUDIT_NO_SEQ) {
		mark(t, &c->misuse_seq, c->misuse_id, sizeof(c->misuse_id));
		c->misuse_at = date_at(b, "assessed_on");
		c->misuse_base = c->demanded;
		c->misuse_sum = 0;
	}
	c->misuse_sum += misused;
}

static void
on_clawback(struct tracker *t, json_t *b)
{
	struct track *c = track_of(t, t->by_id, str_at(b, "contract_id"));
	const char *status = str_at(b, "status");
	const char *target = str_at(b, "target_entry");
	json_t *d = target ? json_object_get(t->disb, target) : NULL;
	uint64_t v = amount_at(b, "value"), paid, against;

	if (c == NULL || status == NULL)
		return;
	if (strcmp(status, "received") == 0) {
		c->received += v;
		if (c->received >= c->demanded)
			c->demand_seq = AUDIT_NO_SEQ;
		return;
	}
	if (c->demand_seq == AUDIT_NO_SEQ) {
		mark(t, &c->demand_seq, c->demand_id, sizeof(c->demand_id));
		c->demand_at = date_at(b, "date");
	}
	c->demanded += v;
	if (c->misuse_seq != AUDIT_NO_SEQ &&
	    c->demanded - c->misuse_base >= c->misuse_sum)
		c->misuse_seq = AUDIT_NO_SEQ;
	if (d == NULL)
		return;
	paid = (uint64_t)json_integer_value(json_array_get(d, 0));
	against = (uint64_t)json_integer_value(json_array_get(d, 1)) + v;
	json_array_set_new(d, 1, json_integer((json_int_t)against));
	if (against > paid)
		report(t, t->seq, t->ocid, t->id, "audit.clawback-exceeds",
		    "body.value.amount_minor", "clawbacks ordered against "
		    "\"%s\" total %" PRIu64 " fen, more than the %" PRIu64
		    " fen it paid", target, against, paid);
}

/* A correction of a contract's value moves its account. */
static void
on_correction(struct tracker *t, json_t *b)
{
	struct track *c = track_of(t, t->by_stmt, str_at(b, "target_entry"));
	const char *ptr;
	json_t *ch;
	size_t i;
	int was_full;

	if (c == NULL)
		return;
	was_full = fully_disbursed(c);
	json_array_foreach(json_object_get(b, "changes"), i, ch) {
		ptr = str_at(ch, "pointer");
		if (ptr != NULL && strcmp(ptr, "/value/amount_minor") == 0 &&
		    json_is_integer(json_object_get(ch, "new")))
			c->value = (uint64_t)json_integer_value(
			    json_object_get(ch, "new"));
	}
	if (!was_full && fully_disbursed(c))
		mark(t, &c->full_seq, c->full_id, sizeof(c->full_id));
}

int
tracker_entry(struct tracker *t, const struct ledger_statement *st,
    uint64_t seq)
{
	int rc = 0;

	t->seq = seq;
	t->id = st->id;
	t->ocid = str_at(st->body, "ocid");
	if (strcmp(st->kind, "contract") == 0)
		rc = on_contract(t, st->body);
	else if (strcmp(st->kind, "disbursement") == 0)
		rc = on_disbursement(t, st->body);
	else if (strcmp(st->kind, "evaluation") == 0)
		on_evaluation(t, st->body);
	else if (strcmp(st->kind, "clawback") == 0)
		on_clawback(t, st->body);
	else if (strcmp(st->kind, "correction") == 0)
		on_correction(t, st->body);
	t->id = t->ocid = NULL;
	return rc;
}

void
tracker_finish(struct tracker *t, int64_t now, int64_t grace)
{
	struct track *c;
	const char *id;
	uint64_t seq;
	size_t i;

	for (i = 0; i < t->ntr; i++) {
		c = &t->tr[i];
		if (fully_disbursed(c) && !c->final_pass) {
			seq = c->full_seq;
			id = c->full_id;
			if (c->final_seq != AUDIT_NO_SEQ && (seq ==
			    AUDIT_NO_SEQ || c->final_seq > seq)) {
				seq = c->final_seq;
				id = c->final_id;
			}
			report(t, seq, c->ocid, id, "audit.final-evaluation",
			    "body.contract_id", "contract \"%s\" is fully "
			    "disbursed (%" PRIu64 " of %" PRIu64 " fen net) "
			    "without a final evaluation that passed", c->id,
			    c->disbursed - c->received, c->value);
		}
		if (c->demand_seq != AUDIT_NO_SEQ &&
		    c->demanded > c->received && now - c->demand_at > grace)
			report(t, c->demand_seq, c->ocid, c->demand_id,
			    "audit.clawback-outstanding",
			    "body.value.amount_minor", "of %" PRIu64 " fen "
			    "ordered back under contract \"%s\", %" PRIu64
			    " fen are not received %lld days after the demand",
			    c->demanded, c->id, c->demanded - c->received,
			    (long long)((now - c->demand_at) / DAY_MS));
		if (c->misuse_seq != AUDIT_NO_SEQ &&
		    now - c->misuse_at > grace)
			report(t, c->misuse_seq, c->ocid, c->misuse_id,
			    "audit.misuse-unrecovered", "body.misused",
			    "evaluations found %" PRIu64 " fen misused under "
			    "contract \"%s\", and only %" PRIu64 " fen were "
			    "ordered back since", c->misuse_sum, c->id,
			    c->demanded - c->misuse_base);
	}
}

int
tracker_new(struct tracker **out, audit_report fn, void *ctx)
{
	struct tracker *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return LEDGER_ENOMEM;
	t->fn = fn;
	t->ctx = ctx;
	if ((t->by_id = json_object()) == NULL ||
	    (t->by_stmt = json_object()) == NULL ||
	    (t->disb = json_object()) == NULL) {
		tracker_free(t);
		return LEDGER_ENOMEM;
	}
	*out = t;
	return 0;
}

void
tracker_free(struct tracker *t)
{
	if (t == NULL)
		return;
	free(t->tr);
	json_decref(t->by_id);
	json_decref(t->by_stmt);
	json_decref(t->disb);
	free(t);
}
