/*
 * ocds.c - "ledgerctl export --format ocds": the ledger as Open
 * Contracting Data Standard 1.1 releases (DATA-STANDARDS 1), one release
 * per entry, gathered into one release package per contracting process
 * (ocid), written one package per line.  ocds_release.c builds each
 * release; this file reads the ledger and writes the packages.
 *
 * A package needs every release of its process, and the processes of a
 * ledger interleave, so the ledger is read more than once: a first pass
 * lists the processes (in order of their first entry) and sizes them, then
 * each further pass builds the releases of a window of processes whose
 * estimated size fits WINDOW_BYTES and writes their packages.  A small
 * ledger takes two passes; memory stays bounded by the window (or by the
 * largest single process).
 *
 * Amounts: OCDS wants a JSON number in major units, which must not pass
 * through a double.  Releases are built with jansson, each amount as a
 * string that starts with U+0001 (a character no canonical leaf holds)
 * and holds the integer fen; when the release is written the string is
 * replaced by the exact decimal ("55000.00").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/merkle.h"
#include "ledger/statement.h"
#include "ledgerctl.h"

#define WINDOW_BYTES	(64UL << 20)	/* release text held at once */
#define ESTIMATE(n)	((n) * 2)	/* release bytes per leaf byte */
#define BUF_MAX		(1UL << 30)	/* bytes of one package */

struct proc {			/* one contracting process */
	char		*ocid;
	uint64_t	 bytes;		/* estimated release bytes */
	size_t		 window;
	json_t		*state;		/* contracts, entries, party roles */
	char		*buf;		/* its releases, comma separated */
	size_t		 len, cap;
};

struct ocds {
	struct source	*src;
	FILE		*f;
	const char	*kind;
	int64_t		 since, until;
	json_t		*index;		/* ocid -> proc index */
	struct proc	*p;
	size_t		 np, cap;
	int64_t		 last;		/* leaf time of the last entry */
	uint64_t	 count;
};

static const char *
str_at(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* --- output --- */

static int
buf_add(struct proc *p, const char *s, size_t n)
{
	size_t cap;
	char *b;

	if (p->len + n > p->cap) {
		cap = p->cap ? p->cap : 4096;
		while (cap < p->len + n)
			cap *= 2;
		if (cap > BUF_MAX || (b = realloc(p->buf, cap)) == NULL)
			return -1;
		p->buf = b;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	return 0;
}

/* Append dumped JSON, every marked amount as its exact decimal. */
static int
buf_json(struct proc *p, const char *s)
{
	char num[40], *end;
	const char *m;
	long long fen;
	size_t mk = strlen(OCDS_AMOUNT_JSON);

	while ((m = strstr(s, OCDS_AMOUNT_JSON)) != NULL) {
		if (buf_add(p, s, (size_t)(m - s)) != 0)
			return -1;
		errno = 0;
		fen = strtoll(m + mk, &end, 10);
		if (errno != 0 || *end != '"' || end == m + mk)
			return -1;	/* built here: never happens */
		snprintf(num, sizeof(num), "%s%lld.%02lld", fen < 0 ? "-" : "",
		    (fen < 0 ? -fen : fen) / 100, (fen < 0 ? -fen : fen) % 100);
		if (buf_add(p, num, strlen(num)) != 0)
			return -1;
		s = end + 1;
	}
	return buf_add(p, s, strlen(s));
}

/* RFC 3986 unreserved characters stay, every other byte is %XX. */
static void
pct_encode(const char *s, char *out, size_t outsz)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0' && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hexd[c >> 4];
			out[o++] = hexd[c & 15];
		}
	}
	out[o] = '\0';
}

static int
write_package(struct ocds *oc, struct proc *p)
{
	char uri[3 * LEDGER_ID_MAX + 2 * LEDGER_KEYNAME_MAX + 64];
	char enc[3 * LEDGER_ID_MAX + 1], home[LEDGER_KEYNAME_MAX + 16];
	char t[LEDGER_TIME_BYTES], *head;
	json_t *pkg;
	size_t n;
	int rc = 0;

	/* Addresses under the origin: a C2SP origin names the log's home. */
	pct_encode(p->ocid, enc, sizeof(enc));
	snprintf(home, sizeof(home), "https://%s", oc->src->origin);
	snprintf(uri, sizeof(uri), "%s/v1/projects/%s", home, enc);
	ledger_time_format(oc->last, t);
	pkg = json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "uri", uri, "version",
	    "1.1", "publishedDate", t, "publisher", "name", oc->src->origin,
	    "uri", home);
	if (pkg == NULL || (head = json_dumps(pkg, JSON_COMPACT)) == NULL) {
		json_decref(pkg);
		return fail(EXIT_IO, "out of memory");
	}
	json_decref(pkg);
	n = strlen(head);
	if (fwrite(head, 1, n - 1, oc->f) != n - 1 ||
	    fputs(",\"releases\":[", oc->f) == EOF ||
	    fwrite(p->buf, 1, p->len, oc->f) != p->len ||
	    fputs("]}\n", oc->f) == EOF)
		rc = fail(EXIT_IO, "cannot write: %s", strerror(errno));
	free(head);
	return rc;
}

/* --- passes --- */

static int
wanted(const struct ocds *oc, const char *kind, int64_t t)
{
	return (oc->kind == NULL || strcmp(oc->kind, kind) == 0) &&
	    t >= oc->since && t < oc->until;
}

static int
next_leaf(struct ocds *oc, uint64_t *seq, const uint8_t **data, size_t *len,
    struct ledger_leaf *leaf, int *end)
{
	int rc;

	*end = 0;
	if ((rc = source_next(oc->src, seq, data, len)) != 0) {
		if (rc == EXIT_VERIFY)
			return fail(rc, "%s: %s", oc->src->url ? oc->src->url :
			    "the store", oc->src->why);
		return rc;
	}
	if (*data == NULL) {
		*end = 1;
		return 0;
	}
	if (ledger_leaf_parse(*data, *len, leaf, NULL) != 0)
		return fail(EXIT_VERIFY, "entry %" PRIu64 " is not a valid "
		    "leaf; run \"ledgerctl verify\"", *seq);
	return 0;
}

/* List the processes with something to export, and size them. */
static int
pass_index(struct ocds *oc)
{
	struct ledger_leaf leaf;
	const uint8_t *data;
	const char *ocid;
	struct proc *g;
	uint64_t seq;
	size_t len, n;
	json_t *i;
	int rc, end;

	for (;;) {
		if ((rc = next_leaf(oc, &seq, &data, &len, &leaf, &end)) != 0)
			return rc;
		if (end)
			return 0;
		oc->last = leaf.time_ms;
		ocid = str_at(leaf.st->body, "ocid");
		if (strcmp(leaf.st->kind, "key") == 0 || ocid == NULL ||
		    !wanted(oc, leaf.st->kind, leaf.time_ms)) {
			ledger_leaf_clear(&leaf);
			continue;
		}
		if ((i = json_object_get(oc->index, ocid)) == NULL) {
			if (oc->np == oc->cap) {
				n = oc->cap ? oc->cap * 2 : 16;
				if ((g = realloc(oc->p, n * sizeof(*g))) ==
				    NULL)
					goto nomem;
				oc->p = g;
				oc->cap = n;
			}
			memset(&oc->p[oc->np], 0, sizeof(*oc->p));
			if ((oc->p[oc->np].ocid = strdup(ocid)) == NULL)
				goto nomem;
			/* Counted first, so the cleanup frees the copy. */
			oc->np++;
			if (json_object_set_new(oc->index, ocid,
			    json_integer((json_int_t)oc->np - 1)) != 0)
				goto nomem;
			i = json_object_get(oc->index, ocid);
		}
		oc->p[json_integer_value(i)].bytes += ESTIMATE(len);
		ledger_leaf_clear(&leaf);
	}
nomem:
	ledger_leaf_clear(&leaf);
	return fail(EXIT_IO, "out of memory");
}

/* Build the releases of window w, then write its packages. */
static int
pass_window(struct ocds *oc, size_t w)
{
	struct ledger_leaf leaf;
	const uint8_t *data;
	struct proc *p;
	uint64_t seq;
	size_t len, i;
	json_t *ix, *rel;
	char *s;
	int rc, end, oom = 0;

	for (i = 0; i < oc->np; i++)
		if (oc->p[i].window == w &&
		    (oc->p[i].state = ocds_state_new()) == NULL)
			return fail(EXIT_IO, "out of memory");
	for (;;) {
		if ((rc = next_leaf(oc, &seq, &data, &len, &leaf, &end)) != 0)
			return rc;
		if (end)
			break;
		ix = json_object_get(oc->index, str_at(leaf.st->body, "ocid") ?
		    str_at(leaf.st->body, "ocid") : "");
		p = ix ? &oc->p[json_integer_value(ix)] : NULL;
		if (p == NULL || p->window != w ||
		    strcmp(leaf.st->kind, "key") == 0) {
			ledger_leaf_clear(&leaf);
			continue;
		}
		/* Every entry feeds the state; wanted ones are written. */
		if ((rel = ocds_release(p->state, p->ocid, &leaf, data,
		    len)) == NULL)
			oom = 1;
		s = NULL;
		if (rel != NULL && wanted(oc, leaf.st->kind, leaf.time_ms)) {
			if ((s = json_dumps(rel, JSON_COMPACT)) == NULL ||
			    (p->len > 0 && buf_add(p, ",", 1) != 0) ||
			    buf_json(p, s) != 0)
				oom = 1;
			oc->count++;
		}
		free(s);
		json_decref(rel);
		ledger_leaf_clear(&leaf);
		if (oom)
			return fail(EXIT_IO, "out of memory (the releases of "
			    "one contracting process exceed %lu bytes?)",
			    BUF_MAX);
	}
	for (i = 0; i < oc->np && rc == 0; i++) {
		p = &oc->p[i];
		if (p->window != w)
			continue;
		if (p->len > 0)
			rc = write_package(oc, p);
		json_decref(p->state);
		free(p->buf);
		p->state = NULL;
		p->buf = NULL;
		p->len = p->cap = 0;
	}
	return rc;
}

int
ocds_export(struct source *src, FILE *f, const char *kind, int64_t since,
    int64_t until, uint64_t *count)
{
	const char *env = getenv("LEDGERCTL_OCDS_WINDOW");
	uint64_t acc = 0, window = WINDOW_BYTES;
	struct ocds oc;
	size_t i, w = 0;
	int rc;

	memset(&oc, 0, sizeof(oc));
	oc.src = src;
	oc.f = f;
	oc.kind = kind;
	oc.since = since;
	oc.until = until;
	if ((oc.index = json_object()) == NULL)
		return fail(EXIT_IO, "out of memory");
	rc = pass_index(&oc);
	/* Tests make the window small to exercise several passes. */
	if (env != NULL && strtoull(env, NULL, 10) > 0)
		window = strtoull(env, NULL, 10);
	/* Windows of processes, in the order of their first entry. */
	for (i = 0; i < oc.np; i++) {
		if (acc > 0 && acc + oc.p[i].bytes > window) {
			w++;
			acc = 0;
		}
		oc.p[i].window = w;
		acc += oc.p[i].bytes;
	}
	for (i = 0; rc == 0 && oc.np > 0 && i <= w; i++)
		if ((rc = source_rewind(src)) == 0)
			rc = pass_window(&oc, i);
	for (i = 0; i < oc.np; i++) {
		free(oc.p[i].ocid);
		free(oc.p[i].buf);
		json_decref(oc.p[i].state);
	}
	free(oc.p);
	json_decref(oc.index);
	*count = oc.count;
	return rc;
}
