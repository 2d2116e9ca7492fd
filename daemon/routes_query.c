/*
 * routes_query.c - GET /v1/entries?kind=&ocid=&org=&contract=&since=&until=
 * &after=&limit= for transparency portals.
 *
 * Served from the LMDB indexes (by_ocid, by_contract, by_org,
 * by_kind_time; rows carry time and kind so filters need no leaf reads),
 * in ascending seq order, with cursor pagination: "after" is the last seq
 * of the previous page and "next" the cursor for the following one.  A
 * page reads at most QUERY_SCAN_MAX index rows, so no request is a scan of
 * the ledger.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger/registry.h"
#include "ledgerd.h"

#define QUERY_LIMIT_DEFAULT	100
#define QUERY_SCAN_MAX		10000	/* index rows read for one page */

struct query {
	const char	*kind;
	int64_t		 since, until;	/* ms; INT64_MIN / INT64_MAX if unset */
	uint64_t	 start;		/* first seq to consider */
	uint64_t	 size;		/* served tree size */
	unsigned	 limit;
};

/* One result, comma-separated from the previous ones. */
static int
add_entry(struct ledger_txn *txn, struct jbuf *out, unsigned *n,
    uint64_t seq)
{
	if ((*n)++ > 0)
		JBUF_LIT(out, ",");
	return jbuf_entry(out, txn, seq);
}

/* Walk index db rows for value from q->start; fill arr, set *next. */
static int
scan_index(struct ledger_txn *txn, enum ledger_db db, const char *value,
    const struct query *q, struct jbuf *out, unsigned *count, int64_t *next)
{
	uint8_t key[LEDGER_INDEX_VALUE_MAX + 9];
	const uint8_t *k, *v;
	struct ledger_cursor *c;
	size_t n = strlen(value), kl, vl, kindlen = q->kind ?
	    strlen(q->kind) : 0;
	unsigned scanned = 0;
	uint64_t seq = 0;
	int64_t last = -1;	/* last row looked at: the cursor to resume */
	int rc;

	*next = -1;
	memcpy(key, value, n);
	key[n] = 0;
	ledger_be64_put(key + n + 1, q->start);
	if ((rc = ledger_cursor_open(txn, db, &c)) != 0)
		return rc;
	rc = ledger_cursor_seek(c, key, n + 9, (const void **)&k, &kl,
	    (const void **)&v, &vl);
	for (; rc == 0; rc = ledger_cursor_next(c, (const void **)&k, &kl,
	    (const void **)&v, &vl)) {
		int64_t t;

		if (kl != n + 9 || memcmp(k, key, n + 1) != 0 || vl < 8)
			break;		/* past this value's rows */
		seq = ledger_be64_get(k + n + 1);
		t = (int64_t)ledger_be64_get(v);
		if (seq >= q->size || t > q->until)
			break;		/* time never decreases with seq */
		if (*count == q->limit || ++scanned > QUERY_SCAN_MAX) {
			*next = last;	/* more rows follow */
			break;
		}
		last = (int64_t)seq;
		if (t < q->since || (q->kind && (vl - 8 != kindlen ||
		    memcmp(v + 8, q->kind, kindlen) != 0)))
			continue;
		if ((rc = add_entry(txn, out, count, seq)) != 0)
			break;
	}
	ledger_cursor_close(c);
	return rc == LEDGER_ENOTFOUND ? 0 : rc;
}

/* Leaf time from its canonical bytes: ..."time":"<24 chars>","v":1} */
static int
leaf_time(const uint8_t *d, size_t len, int64_t *t)
{
	static const char tail[] = "\",\"v\":1}", head[] = "\"time\":\"";
	char ts[LEDGER_TIME_BYTES];
	size_t tl = sizeof(tail) - 1, hl = sizeof(head) - 1, w = 24;

	if (len < tl + w + hl ||
	    memcmp(d + len - tl, tail, tl) != 0 ||
	    memcmp(d + len - tl - w - hl, head, hl) != 0)
		return LEDGER_ESTORE;
	memcpy(ts, d + len - tl - w, w);
	ts[w] = '\0';
	return ledger_time_parse(ts, t);
}

/* First seq in [lo, size) whose time is >= since (times never decrease). */
static int
first_since(struct ledger_txn *txn, uint64_t lo, uint64_t size,
    int64_t since, uint64_t *out)
{
	uint64_t hi = size;
	const uint8_t *d;
	size_t len;
	int64_t t;
	int rc;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if ((rc = ledger_entry_get(txn, mid, &d, &len)) != 0 ||
		    (rc = leaf_time(d, len, &t)) != 0)
			return rc;
		if (t < since)
			lo = mid + 1;
		else
			hi = mid;
	}
	*out = lo;
	return 0;
}

static int
time_arg(struct request *rq, const char *name, int64_t *v)
{
	const char *s = http_arg(rq, name);

	if (s == NULL)
		return 0;
	return ledger_rfc3339_parse(s, v);
}

int
route_query(struct ledgerd *d, struct request *rq)
{
	const char *ocid = http_arg(rq, "ocid"), *org = http_arg(rq, "org");
	const char *contract = http_arg(rq, "contract"), *value;
	struct query q = { NULL, INT64_MIN, INT64_MAX, 0, 0,
	    QUERY_LIMIT_DEFAULT };
	struct ledger_txn *txn;
	enum ledger_db db;
	uint64_t after, limit, seq;
	int has_after, has_limit, rc = 0;
	int64_t next = -1;
	unsigned count = 0;
	struct jbuf out;
	size_t len;
	char *body;

	q.kind = http_arg(rq, "kind");
	if (http_arg_u64(rq, "after", &after, &has_after) != 0 ||
	    http_arg_u64(rq, "limit", &limit, &has_limit) != 0 ||
	    (has_limit && (limit == 0 || limit > d->cfg.page_max)))
		return http_error(rq, 400, "args", "after and limit are decimal "
		    "integers; limit is 1..%u", d->cfg.page_max);
	if (time_arg(rq, "since", &q.since) != 0 ||
	    time_arg(rq, "until", &q.until) != 0)
		return http_error(rq, 400, "args", "since and until are RFC "
		    "3339 date-times with offset, e.g. 2026-08-15T00:00:00+08:00");
	if (q.kind != NULL && !ledger_kind_known(q.kind))
		return http_error(rq, 400, "args", "unknown kind \"%s\"",
		    q.kind);
	if (has_limit)
		q.limit = (unsigned)limit;
	if (has_after && after == UINT64_MAX)
		return http_error(rq, 400, "args", "after is out of range");
	q.start = has_after ? after + 1 : 0;
	if ((ocid != NULL) + (contract != NULL) + (org != NULL) > 1)
		return http_error(rq, 400, "args", "use one of ocid, contract "
		    "and org per query (kind, since and until combine with "
		    "any of them)");
	/* The most selective index first; other filters ride on its rows. */
	if (ocid != NULL)
		db = LEDGER_DB_BY_OCID, value = ocid;
	else if (contract != NULL)
		db = LEDGER_DB_BY_CONTRACT, value = contract;
	else if (org != NULL)
		db = LEDGER_DB_BY_ORG, value = org;
	else if (q.kind != NULL)
		db = LEDGER_DB_BY_KIND_TIME, value = q.kind;
	else
		db = LEDGER_DB_ENTRIES, value = NULL;
	if (value != NULL && (value[0] == '\0' ||
	    strlen(value) > LEDGER_INDEX_VALUE_MAX))
		return http_error(rq, 400, "args", "filter values are 1..%d "
		    "bytes", LEDGER_INDEX_VALUE_MAX);
	served_get(d, &q.size, NULL, NULL, NULL);
	if ((rc = ledger_txn_begin(d->store, 0, &txn)) != 0)
		return http_error(rq, 503, "storage", "cannot read");
	jbuf_init(&out, 16384);
	JBUF_LIT(&out, "{\"entries\":[");
	if (q.since != INT64_MIN && q.start < q.size)
		rc = first_since(txn, q.start, q.size, q.since, &q.start);
	if (rc == 0 && value != NULL)
		rc = scan_index(txn, db, value, &q, &out, &count, &next);
	else if (rc == 0) {
		/* No filter but time: consecutive seqs, no index needed. */
		for (seq = q.start; seq < q.size && rc == 0; seq++) {
			const uint8_t *dd;
			size_t dlen;
			int64_t t;

			if (count == q.limit) {
				next = (int64_t)seq - 1;
				break;
			}
			if ((rc = ledger_entry_get(txn, seq, &dd, &dlen)) != 0 ||
			    (rc = leaf_time(dd, dlen, &t)) != 0)
				break;
			if (t > q.until)
				break;
			rc = add_entry(txn, &out, &count, seq);
		}
	}
	ledger_txn_abort(txn);
	if (rc == LEDGERD_ETAMPERED && tamper_seen(&seq)) {
		jbuf_free(&out);
		return http_tampered(rq, seq);
	}
	if (rc != 0) {
		jbuf_free(&out);
		return http_error(rq, 500, "storage", "query failed: %s",
		    ledger_strerror(rc));
	}
	if (next >= 0)
		jbuf_addf(&out, "],\"next\":%lld,", (long long)next);
	else
		JBUF_LIT(&out, "],\"next\":null,");
	jbuf_addf(&out, "\"tree_size\":%llu}", (unsigned long long)q.size);
	if ((body = jbuf_take(&out, &len)) == NULL)
		return http_error(rq, 500, "internal", "out of memory");
	return http_reply(rq, 200, "application/json", body, len, NULL);
}
