/*
 * routes_views.c - the portal views: GET /v1/projects/{ocid},
 * GET /v1/contracts/{id}, GET /v1/orgs/{uscc}.
 *
 * Each view walks one index (by_ocid, by_contract, by_org) up to
 * VIEW_ENTRIES_MAX rows and takes money figures from the contract accounts
 * the rules keep, so what a portal shows is what the append-time rules
 * enforced.  Every entry listed carries its seq and leaf hash, so a portal
 * can prove it against a signed checkpoint (GET /v1/proofs/inclusion).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger/registry.h"
#include "ledger/rules.h"
#include "ledgerd.h"

#define VIEW_ENTRIES_MAX	1000	/* index rows one view reads */

static const char *const view_kinds[] = { "vote", "contract",
    "disbursement", "evaluation", "correction", "clawback", "key" };
#define NKINDS (sizeof(view_kinds) / sizeof(view_kinds[0]))

/* {"seq","leaf_hash","id","time","body"} of seq, and its kind. */
static json_t *
summary(struct ledger_txn *txn, uint64_t seq, const char **kind)
{
	const uint8_t *data;
	uint8_t hash[32];
	char hex[65];
	json_t *leaf, *v;
	size_t len;

	if (ledger_entry_get(txn, seq, &data, &len) != 0 ||
	    (leaf = json_loadb((const char *)data, len, 0, NULL)) == NULL)
		return NULL;
	ledger_leaf_hash(data, len, hash);
	ledger_hex_encode(hash, 32, hex);
	v = json_pack("{s:I, s:s, s:O, s:O, s:O}", "seq", (json_int_t)seq,
	    "leaf_hash", hex, "id", json_object_get(leaf, "id"),
	    "time", json_object_get(leaf, "time"),
	    "body", json_object_get(leaf, "body"));
	*kind = NULL;
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(json_string_value(json_object_get(leaf, "kind")),
		    view_kinds[i]) == 0)
			*kind = view_kinds[i];
	json_decref(leaf);
	return v;
}

/*
 * Entries of one index value in the signed tree, grouped by kind
 * ({"vote":[...], ...}); *truncated when VIEW_ENTRIES_MAX was reached.
 */
static json_t *
collect(struct ledger_txn *txn, enum ledger_db db, const char *value,
    uint64_t size, int *truncated)
{
	uint8_t key[LEDGER_INDEX_VALUE_MAX + 9];
	struct ledger_cursor *c;
	const uint8_t *k, *v;
	size_t n = strlen(value), kl, vl, i;
	unsigned rows = 0;
	json_t *groups;
	int rc;

	*truncated = 0;
	if ((groups = json_object()) == NULL)
		return NULL;
	for (i = 0; i < NKINDS; i++)
		json_object_set_new(groups, view_kinds[i], json_array());
	memcpy(key, value, n);
	key[n] = 0;
	ledger_be64_put(key + n + 1, 0);
	if (ledger_cursor_open(txn, db, &c) != 0) {
		json_decref(groups);
		return NULL;
	}
	for (rc = ledger_cursor_seek(c, key, n + 9, (const void **)&k, &kl,
	    (const void **)&v, &vl); rc == 0; rc = ledger_cursor_next(c,
	    (const void **)&k, &kl, (const void **)&v, &vl)) {
		uint64_t seq;
		const char *kind;
		json_t *e;

		if (kl != n + 9 || memcmp(k, key, n + 1) != 0)
			break;
		if ((seq = ledger_be64_get(k + n + 1)) >= size)
			break;
		if (++rows > VIEW_ENTRIES_MAX) {
			*truncated = 1;
			break;
		}
		if ((e = summary(txn, seq, &kind)) != NULL && kind != NULL)
			json_array_append_new(json_object_get(groups, kind), e);
		else
			json_decref(e);
	}
	ledger_cursor_close(c);
	return groups;
}

/* The contract account as JSON, or null. */
static json_t *
account_json(struct ledger_txn *txn, const char *contract_id)
{
	struct ledger_contract_account a;
	struct ledger_rulestore rs;
	json_t *tr, *ev;
	uint64_t net;
	unsigned i;

	ledger_rulestore_txn(&rs, txn);
	if (ledger_rules_contract(&rs, contract_id, &a) != 0)
		return json_null();
	net = a.disbursed - (a.received < a.disbursed ? a.received :
	    a.disbursed);
	tr = json_array();
	for (i = 0; i < a.ntranches; i++)
		json_array_append_new(tr, json_pack("{s:i, s:s, s:b}", "no",
		    (int)a.tranches[i].no, "condition", a.tranches[i].condition,
		    "paid", a.tranches[i].paid));
	ev = json_pack("{s:s?, s:s?, s:s?}", "initial", a.verdict[0],
	    "mid", a.verdict[1], "final", a.verdict[2]);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:o, s:o}",
	    "contract_id", contract_id, "statement_id", a.statement_id,
	    "currency", a.currency,
	    "ocid", a.ocid, "status", a.status, "buyer", a.buyer,
	    "supplier", a.supplier,
	    "value_minor", (json_int_t)a.value,
	    "disbursed_minor", (json_int_t)a.disbursed,
	    "clawback_ordered_minor", (json_int_t)a.demanded,
	    "clawback_received_minor", (json_int_t)a.received,
	    "net_disbursed_minor", (json_int_t)net,
	    "remaining_minor", (json_int_t)(a.value > net ? a.value - net : 0),
	    "tranches", tr, "latest_verdicts", ev);
}

/*
 * Account of every contract listed in groups["contract"]; *currency is the
 * accounts' currency (borrowed from the returned array), NULL if none.
 */
static json_t *
accounts_of(struct ledger_txn *txn, json_t *groups, const char **currency)
{
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(json_object_get(groups, "contract"), i, e) {
		json_t *id = json_object_get(json_object_get(e, "body"),
		    "contract_id");
		json_t *acc;

		if (!json_is_string(id))
			continue;
		acc = account_json(txn, json_string_value(id));
		if (json_is_object(acc))
			*currency = json_string_value(json_object_get(acc,
			    "currency"));
		json_array_append_new(out, acc);
	}
	return out;
}

static int
path_value(struct request *rq, const char *prefix, const char **out)
{
	const char *v = rq->url + strlen(prefix);

	if (*v == '\0' || strlen(v) > LEDGER_INDEX_VALUE_MAX ||
	    strchr(v, '/') != NULL)
		return -1;
	*out = v;
	return 0;
}

/* Sum a money member over the accounts. */
static json_int_t
sum(json_t *accounts, const char *member)
{
	json_int_t t = 0;
	json_t *a;
	size_t i;

	json_array_foreach(accounts, i, a)
		t += json_integer_value(json_object_get(a, member));
	return t;
}

int
route_project(struct ledgerd *d, struct request *rq)
{
	struct ledger_txn *txn;
	const char *ocid, *currency = NULL;
	json_t *groups, *accounts, *vote;
	uint64_t size;
	int truncated;

	if (path_value(rq, "/v1/projects/", &ocid) != 0)
		return http_error(rq, 400, "ocid", "the project id (ocid) is "
		    "1..%d bytes", LEDGER_INDEX_VALUE_MAX);
	served_get(d, &size, NULL, NULL, NULL);
	if (ledger_txn_begin(d->store, 0, &txn) != 0)
		return http_error(rq, 503, "storage", "cannot read");
	groups = collect(txn, LEDGER_DB_BY_OCID, ocid, size, &truncated);
	if (groups == NULL || json_object_size(groups) == 0 ||
	    (json_array_size(json_object_get(groups, "vote")) == 0 &&
	    json_array_size(json_object_get(groups, "contract")) == 0 &&
	    json_array_size(json_object_get(groups, "disbursement")) == 0)) {
		ledger_txn_abort(txn);
		json_decref(groups);
		return http_error(rq, 404, "not-found", "no project %s in the "
		    "signed tree", ocid);
	}
	accounts = accounts_of(txn, groups, &currency);
	ledger_txn_abort(txn);
	vote = json_array_get(json_object_get(groups, "vote"),
	    json_array_size(json_object_get(groups, "vote")) - 1);
	return http_json(rq, 200, json_pack("{s:s, s:I, s:b, s:o, s:o, "
	    "s:{s:s, s:O, s:I, s:I, s:I, s:I, s:I}}",
	    "ocid", ocid, "tree_size", (json_int_t)size,
	    "truncated", truncated, "entries", groups, "contracts", accounts,
	    "money", "currency", currency ? currency : "CNY",
	    "requested", vote ? json_object_get(json_object_get(vote, "body"),
	    "requested") : json_null(),
	    "contracted_minor", sum(accounts, "value_minor"),
	    "disbursed_minor", sum(accounts, "disbursed_minor"),
	    "clawback_received_minor", sum(accounts,
	    "clawback_received_minor"),
	    "net_disbursed_minor", sum(accounts, "net_disbursed_minor"),
	    "remaining_minor", sum(accounts, "remaining_minor")));
}

int
route_contract(struct ledgerd *d, struct request *rq)
{
	struct ledger_txn *txn;
	const char *id;
	json_t *groups, *acc;
	uint64_t size;
	int truncated;

	if (path_value(rq, "/v1/contracts/", &id) != 0)
		return http_error(rq, 400, "contract", "the contract id is "
		    "1..%d bytes", LEDGER_INDEX_VALUE_MAX);
	served_get(d, &size, NULL, NULL, NULL);
	if (ledger_txn_begin(d->store, 0, &txn) != 0)
		return http_error(rq, 503, "storage", "cannot read");
	groups = collect(txn, LEDGER_DB_BY_CONTRACT, id, size, &truncated);
	acc = account_json(txn, id);
	ledger_txn_abort(txn);
	if (groups == NULL || !json_is_object(acc) ||
	    json_array_size(json_object_get(groups, "contract")) == 0) {
		json_decref(groups);
		json_decref(acc);
		return http_error(rq, 404, "not-found", "no contract %s in the "
		    "signed tree", id);
	}
	json_object_set_new(acc, "entries", groups);
	json_object_set_new(acc, "truncated", json_boolean(truncated));
	json_object_set_new(acc, "tree_size", json_integer((json_int_t)size));
	return http_json(rq, 200, acc);
}

int
route_org(struct ledgerd *d, struct request *rq)
{
	struct ledger_txn *txn;
	const char *uscc, *currency = NULL;
	json_t *groups, *accounts, *evals, *e, *a;
	json_int_t received = 0;
	uint64_t size;
	int truncated;
	size_t i;

	if (path_value(rq, "/v1/orgs/", &uscc) != 0 ||
	    !ledger_uscc_valid(uscc))
		return http_error(rq, 400, "uscc", "an organization is named by "
		    "its 18-character Unified Social Credit Code with a valid "
		    "check character");
	served_get(d, &size, NULL, NULL, NULL);
	if (ledger_txn_begin(d->store, 0, &txn) != 0)
		return http_error(rq, 503, "storage", "cannot read");
	groups = collect(txn, LEDGER_DB_BY_ORG, uscc, size, &truncated);
	accounts = groups ? accounts_of(txn, groups, &currency) : NULL;
	ledger_txn_abort(txn);
	if (groups == NULL || accounts == NULL) {
		json_decref(groups);
		json_decref(accounts);
		return http_error(rq, 500, "internal", "out of memory");
	}
	/* What the org received as a supplier, net of clawbacks. */
	json_array_foreach(accounts, i, a)
		if (json_is_object(a) && strcmp(json_string_value(
		    json_object_get(a, "supplier")), uscc) == 0)
			received += json_integer_value(json_object_get(a,
			    "net_disbursed_minor"));
	evals = json_array();
	json_array_foreach(json_object_get(groups, "evaluation"), i, e) {
		json_t *b = json_object_get(e, "body");

		json_array_append_new(evals, json_pack("{s:O, s:O, s:O, s:O, "
		    "s:O, s:O}", "seq", json_object_get(e, "seq"),
		    "contract_id", json_object_get(b, "contract_id"),
		    "phase", json_object_get(b, "phase"),
		    "verdict", json_object_get(b, "verdict"),
		    "evaluator", json_object_get(json_object_get(b,
		    "evaluator"), "id"),
		    "evaluated", json_object_get(json_object_get(b,
		    "evaluated"), "id")));
	}
	return http_json(rq, 200, json_pack("{s:s, s:I, s:b, s:o, s:o, s:o, "
	    "s:{s:s, s:I}}", "uscc", uscc, "tree_size", (json_int_t)size,
	    "truncated", truncated, "contracts", accounts,
	    "evaluations", evals, "entries", groups,
	    "money", "currency", currency ? currency : "CNY",
	    "received_net_minor", received));
}
