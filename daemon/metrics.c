/* metrics.c - counters and histograms, rendered as Prometheus text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledgerd.h"

struct metrics metrics;

const uint64_t metrics_latency_bounds[HIST_BUCKETS] = {
	500, 1000, 2000, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 5000000,
};
const uint64_t metrics_batch_bounds[HIST_BUCKETS] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096,
};

/* Reads take microseconds: nanosecond buckets from 2 us to 0.1 s. */
const uint64_t metrics_handler_bounds[HIST_BUCKETS] = {
	2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000,
	5000000, 20000000, 100000000,
};

void
metrics_observe(struct histogram *h, const uint64_t *bounds, uint64_t v)
{
	int i;

	for (i = 0; i < HIST_BUCKETS && v > bounds[i]; i++)
		;
	atomic_fetch_add(&h->bucket[i], 1);
	atomic_fetch_add(&h->count, 1);
	atomic_fetch_add(&h->sum, v);
}

void
metrics_status(unsigned code)
{
	if (code >= 100 && code < 600)
		atomic_fetch_add(&metrics.status[code / 100][code % 100], 1);
}

/* One series, labelled route="METHOD PATH" when method is not NULL. */
static void
series(struct jbuf *b, const char *name, const char *method,
    const char *path, struct histogram *h, const uint64_t *bounds,
    double scale)
{
	char label[16 + 2 * 64];	/* route="", a method, a path */
	uint64_t cum = 0;
	int i;

	label[0] = '\0';
	if (method != NULL)
		snprintf(label, sizeof(label), "route=\"%s %s\"", method, path);
	for (i = 0; i < HIST_BUCKETS; i++) {
		cum += atomic_load(&h->bucket[i]);
		jbuf_addf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, label,
		    *label ? "," : "", (double)bounds[i] * scale,
		    (unsigned long long)cum);
	}
	cum += atomic_load(&h->bucket[HIST_BUCKETS]);
	jbuf_addf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, label,
	    *label ? "," : "", (unsigned long long)cum);
	jbuf_addf(b, "%s_sum%s%s%s %.17g\n%s_count%s%s%s %llu\n", name,
	    *label ? "{" : "", label, *label ? "}" : "",
	    (double)atomic_load(&h->sum) * scale, name, *label ? "{" : "",
	    label, *label ? "}" : "", (unsigned long long)atomic_load(&h->count));
}

static void
hist(struct jbuf *b, const char *name, const char *help,
    struct histogram *h, const uint64_t *bounds, double scale)
{
	jbuf_addf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	series(b, name, NULL, NULL, h, bounds, scale);
}

char *
metrics_render(uint64_t tree_size, uint64_t entries, size_t *len)
{
	const char *method, *path;
	struct jbuf b;
	int c, r;

	jbuf_init(&b, 4096);
	jbuf_addf(&b, "# HELP ledgerd_entries_total Entries in the ledger "
	    "(committed).\n# TYPE ledgerd_entries_total counter\n"
	    "ledgerd_entries_total %llu\n", (unsigned long long)entries);
	jbuf_addf(&b, "# HELP ledgerd_appended_total Entries appended by this "
	    "process.\n# TYPE ledgerd_appended_total counter\n"
	    "ledgerd_appended_total %llu\n",
	    (unsigned long long)atomic_load(&metrics.appended));
	jbuf_addf(&b, "# HELP ledgerd_tree_size Size of the latest signed "
	    "checkpoint.\n# TYPE ledgerd_tree_size gauge\n"
	    "ledgerd_tree_size %llu\n", (unsigned long long)tree_size);
	jbuf_addf(&b, "# HELP ledgerd_commits_total Durable batch commits.\n"
	    "# TYPE ledgerd_commits_total counter\nledgerd_commits_total %llu\n",
	    (unsigned long long)atomic_load(&metrics.commits));
	hist(&b, "ledgerd_append_latency_seconds", "Time from a complete "
	    "append request to its answer.", &metrics.append_us,
	    metrics_latency_bounds, 1e-6);
	hist(&b, "ledgerd_batch_size", "Statements per durable commit.",
	    &metrics.batch, metrics_batch_bounds, 1);
	hist(&b, "ledgerd_batch_apply_seconds", "Per batch: opening the "
	    "write transaction, checking and writing its statements.",
	    &metrics.apply_us, metrics_latency_bounds, 1e-6);
	hist(&b, "ledgerd_batch_commit_seconds", "Per batch: the durable "
	    "commit (last leaf bundle, pages written, data and meta page "
	    "synced).", &metrics.commit_us, metrics_latency_bounds, 1e-6);
	hist(&b, "ledgerd_batch_sign_seconds", "Per batch: the new tree's "
	    "root and consistency proof, signed by the signer process.",
	    &metrics.sign_us, metrics_latency_bounds, 1e-6);
	jbuf_addf(&b, "# HELP ledgerd_handler_seconds Time inside a route's "
	    "handler: a read's storage work and its answer built (for POST "
	    "/v1/entries, until the statement is queued or refused).\n"
	    "# TYPE ledgerd_handler_seconds histogram\n");
	/* Every route from the start: rate() needs the zero. */
	for (r = 0; http_route((size_t)r, &method, &path) == 0; r++)
		series(&b, "ledgerd_handler_seconds", method, path,
		    &metrics.handler_ns[r], metrics_handler_bounds, 1e-9);
	jbuf_addf(&b, "# HELP ledgerd_http_responses_total HTTP responses by "
	    "status.\n# TYPE ledgerd_http_responses_total counter\n");
	for (c = 1; c < 6; c++)
		for (r = 0; r < 100; r++) {
			uint64_t n = atomic_load(&metrics.status[c][r]);

			if (n)
				jbuf_addf(&b, "ledgerd_http_responses_total{code=\"%d\"}"
				    " %llu\n", c * 100 + r, (unsigned long long)n);
		}
	return jbuf_take(&b, len);
}
