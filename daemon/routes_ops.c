/* routes_ops.c - GET /healthz and GET /metrics. */
#include <string.h>

#include <jansson.h>

#include "ledgerd.h"

int
route_healthz(struct ledgerd *d, struct request *rq)
{
	uint64_t size, bad;
	int fatal, full;

	served_get(d, &size, NULL, NULL, NULL);
	/* A served leaf that did not match the tree outranks everything. */
	if (tamper_seen(&bad))
		return http_json(rq, 503, json_pack("{s:s, s:I, s:s, s:I}",
		    "status", "tampered", "tree_size", (json_int_t)size,
		    "origin", d->origin, "seq", (json_int_t)bad));
	/* Read once: the sequencer may set them between two reads. */
	fatal = d->fatal;
	full = d->full;
	return http_json(rq, fatal || full ? 503 : 200, json_pack("{s:s, s:I, "
	    "s:s}", "status", fatal ? "storage-failed" : full ?
	    "storage-full" : "ok", "tree_size", (json_int_t)size, "origin",
	    d->origin));
}

int
route_metrics(struct ledgerd *d, struct request *rq)
{
	struct ledger_txn *txn;
	uint64_t size, entries = 0;
	size_t len;
	char *s;

	served_get(d, &size, NULL, NULL, NULL);
	if (ledger_txn_begin(d->store, 0, &txn) == 0) {
		if (ledger_meta_size(txn, &entries) != 0)
			entries = 0;
		ledger_txn_abort(txn);
	}
	if ((s = metrics_render(size, entries, &len)) == NULL)
		return http_error(rq, 500, "internal", "out of memory");
	return http_reply(rq, 200, "text/plain; version=0.0.4", s, len, NULL);
}
