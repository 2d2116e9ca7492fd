/*
 * export.c - "ledgerctl export": the entries of a ledger as JSON lines or
 * as CSV tables (one per kind), streamed in seq order.
 *
 * JSON lines keep the stored leaf bytes as they are and only put
 * "leaf_hash" in front, so a line is its own proof material.  CSV needs its
 * header before the rows, so the ledger is read twice: the first pass
 * collects the body fields of each kind (bounded by COLS_MAX), the second
 * writes the rows.  Nothing else grows with the ledger.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/merkle.h"
#include "ledger/registry.h"
#include "ledger/statement.h"
#include "ledgerctl.h"

#define COLS_MAX	2048	/* body columns of one kind's table */
#define PATH_MAX_BYTES	512	/* bytes of one dotted column path */
#define NKINDS		(sizeof(kinds) / sizeof(kinds[0]))

static const char *const kinds[] = {
	"key", "vote", "contract", "disbursement", "evaluation", "correction",
	"clawback"
};

enum { FMT_JSONL = 1, FMT_CSV, FMT_OCDS };

struct filter {
	const char	*kind;
	int64_t		 since, until;	/* ms; [since, until) */
};

struct out {
	FILE		*f;
	char		 path[4096], tmp[4200];
};

/* A kind's table: sorted column names. */
struct table {
	char		**col;
	size_t		  ncol, cap;
	uint64_t	  rows;
	struct out	  out;
};

/* --- output files: written to a temporary name, renamed when complete --- */

static int
out_open(struct out *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	if (path == NULL || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	snprintf(o->path, sizeof(o->path), "%s", path);
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((o->f = fopen(o->tmp, "wx")) == NULL)
		return fail(EXIT_IO, "cannot create %s: %s", o->tmp,
		    strerror(errno));
	return 0;
}

static int
out_close(struct out *o, int ok)
{
	int bad;

	if (o->f == NULL)
		return 0;
	bad = fflush(o->f) != 0 || ferror(o->f);
	if (o->f == stdout) {
		o->f = NULL;
		return bad && ok ? fail(EXIT_IO, "cannot write to standard "
		    "output: %s", strerror(errno)) : 0;
	}
	bad |= fsync(fileno(o->f)) != 0;
	bad |= fclose(o->f) != 0;
	o->f = NULL;
	if (ok && !bad && rename(o->tmp, o->path) == 0)
		return 0;
	unlink(o->tmp);
	return ok ? fail(EXIT_IO, "cannot write %s: %s", o->path,
	    strerror(errno)) : 0;
}

/* --- one leaf --- */

/* Parse a leaf enough to filter and write it. */
static int
leaf_open(uint64_t seq, const uint8_t *data, size_t len, json_t **root,
    const char **kind, int64_t *t)
{
	json_error_t e;
	json_t *k, *tm;

	*root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &e);
	if (*root != NULL && json_is_object(*root) &&
	    json_is_string(k = json_object_get(*root, "kind")) &&
	    json_is_string(tm = json_object_get(*root, "time")) &&
	    ledger_time_parse(json_string_value(tm), t) == 0 &&
	    json_is_object(json_object_get(*root, "body")) &&
	    data[0] == '{' && len >= 2) {
		*kind = json_string_value(k);
		return 0;
	}
	json_decref(*root);
	*root = NULL;
	return fail(EXIT_VERIFY, "entry %llu is not a valid leaf; run "
	    "\"ledgerctl verify\"", (unsigned long long)seq);
}

static int
wanted(const struct filter *fl, const char *kind, int64_t t)
{
	return (fl->kind == NULL || strcmp(fl->kind, kind) == 0) &&
	    t >= fl->since && t < fl->until;
}

static int
kind_index(const char *kind)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i], kind) == 0)
			return (int)i;
	return -1;
}

/* --- JSON lines --- */

static int
jsonl_line(FILE *f, const uint8_t *data, size_t len)
{
	uint8_t h[LEDGER_HASH_BYTES];
	char hex[2 * LEDGER_HASH_BYTES + 1];

	ledger_leaf_hash(data, len, h);
	ledger_hex_encode(h, sizeof(h), hex);
	fprintf(f, "{\"leaf_hash\":\"%s\",", hex);
	fwrite(data + 1, 1, len - 1, f);
	return putc('\n', f) == EOF ? -1 : 0;
}

/* --- CSV --- */

static int
col_add(struct table *t, const char *name)
{
	size_t lo = 0, hi = t->ncol, mid;
	char **g;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(t->col[mid], name)) == 0)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (t->ncol == COLS_MAX)
		return fail(EXIT_IO, "over %d body fields in one kind; export "
		    "as jsonl instead", COLS_MAX);
	if (t->ncol == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		if ((g = realloc(t->col, t->cap * sizeof(*g))) == NULL)
			return fail(EXIT_IO, "out of memory");
		t->col = g;
	}
	memmove(t->col + lo + 1, t->col + lo, (t->ncol - lo) * sizeof(*t->col));
	if ((t->col[lo] = strdup(name)) == NULL)
		return fail(EXIT_IO, "out of memory");
	t->ncol++;
	return 0;
}

/* Every leaf path of an object; arrays and empty objects are leaves. */
static int
collect(struct table *t, json_t *obj, char *path, size_t plen)
{
	const char *k;
	json_t *m;
	size_t n;
	int rc;

	json_object_foreach(obj, k, m) {
		n = strlen(k);
		if (plen + 1 + n >= PATH_MAX_BYTES)
			return fail(EXIT_IO, "body field path %s.%s is too long",
			    path, k);
		path[plen] = '.';
		memcpy(path + plen + 1, k, n + 1);
		if (json_is_object(m) && json_object_size(m) > 0)
			rc = collect(t, m, path, plen + 1 + n);
		else
			rc = col_add(t, path);
		path[plen] = '\0';
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The value at a column's dotted path ("body.a.b"); keys have no dots. */
static json_t *
lookup(json_t *root, const char *col)
{
	char seg[PATH_MAX_BYTES];
	const char *p = col, *dot;
	json_t *v = root;
	size_t n;

	while (v != NULL && *p) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(seg) || !json_is_object(v))
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		v = json_object_get(v, seg);
		p += n + (dot != NULL);
	}
	return v;
}

/* RFC 4180: quote when the field holds , " CR or LF; double quotes. */
static void
csv_field(FILE *f, const char *s, size_t n, int first)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			break;
	if (!first)
		putc(',', f);
	if (i == n) {
		fwrite(s, 1, n, f);
		return;
	}
	putc('"', f);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', f);
		putc(s[i], f);
	}
	putc('"', f);
}

static int
csv_value(FILE *f, json_t *v)
{
	char num[32], *s;

	if (json_is_string(v))
		csv_field(f, json_string_value(v), json_string_length(v), 0);
	else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		csv_field(f, num, strlen(num), 0);
	} else if (json_is_true(v) || json_is_false(v))
		csv_field(f, json_is_true(v) ? "true" : "false",
		    json_is_true(v) ? 4 : 5, 0);
	else if (v == NULL || json_is_null(v))
		csv_field(f, "", 0, 0);
	else {
		if ((s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY)) == NULL)
			return fail(EXIT_IO, "out of memory");
		csv_field(f, s, strlen(s), 0);
		free(s);
	}
	return 0;
}

static void
csv_header(struct table *t)
{
	static const char *const fixed[] = { "seq", "leaf_hash", "time", "id",
	    "kind" };
	size_t i;

	for (i = 0; i < 5; i++)
		csv_field(t->out.f, fixed[i], strlen(fixed[i]), i == 0);
	for (i = 0; i < t->ncol; i++)
		csv_field(t->out.f, t->col[i], strlen(t->col[i]), 0);
	fputs("\r\n", t->out.f);
}

static int
csv_row(struct table *t, uint64_t seq, const uint8_t *data, size_t len,
    json_t *root)
{
	uint8_t h[LEDGER_HASH_BYTES];
	char hex[2 * LEDGER_HASH_BYTES + 1], num[24];
	size_t i;
	int rc;

	ledger_leaf_hash(data, len, h);
	ledger_hex_encode(h, sizeof(h), hex);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)seq);
	csv_field(t->out.f, num, strlen(num), 1);
	csv_field(t->out.f, hex, strlen(hex), 0);
	if ((rc = csv_value(t->out.f, json_object_get(root, "time"))) != 0 ||
	    (rc = csv_value(t->out.f, json_object_get(root, "id"))) != 0 ||
	    (rc = csv_value(t->out.f, json_object_get(root, "kind"))) != 0)
		return rc;
	for (i = 0; i < t->ncol; i++)
		if ((rc = csv_value(t->out.f, lookup(root, t->col[i]))) != 0)
			return rc;
	fputs("\r\n", t->out.f);
	t->rows++;
	return 0;
}

static void
tables_free(struct table *tab)
{
	size_t i, j;

	for (i = 0; i < NKINDS; i++) {
		for (j = 0; j < tab[i].ncol; j++)
			free(tab[i].col[j]);
		free(tab[i].col);
		out_close(&tab[i].out, 0);
	}
}

/*
 * Walk every wanted leaf: pass 1 (csv) collects columns, pass 2 writes.
 * jsonl has only pass 2, into tab[0].out.
 */
static int
walk(struct source *src, const struct filter *fl, int fmt, int pass,
    struct table *tab, uint64_t *count)
{
	char path[PATH_MAX_BYTES];
	const uint8_t *data;
	const char *kind = NULL;
	json_t *root;
	uint64_t seq;
	int64_t t = 0;
	size_t len;
	int rc, k;

	*count = 0;
	for (;;) {
		if ((rc = source_next(src, &seq, &data, &len)) != 0) {
			if (rc == EXIT_VERIFY)
				return fail(rc, "%s: %s", src->url ? src->url :
				    "the store", src->why);
			return rc;
		}
		if (data == NULL)
			return 0;
		if ((rc = leaf_open(seq, data, len, &root, &kind, &t)) != 0)
			return rc;
		if (!wanted(fl, kind, t) || (k = kind_index(kind)) < 0) {
			json_decref(root);
			continue;
		}
		(*count)++;
		if (fmt == FMT_JSONL) {
			if (jsonl_line(tab[0].out.f, data, len) != 0)
				rc = fail(EXIT_IO, "cannot write: %s",
				    strerror(errno));
		} else if (pass == 1) {
			snprintf(path, sizeof(path), "body");
			tab[k].rows++;
			rc = collect(&tab[k], json_object_get(root, "body"),
			    path, 4);
		} else
			rc = csv_row(&tab[k], seq, data, len, root);
		json_decref(root);
		if (rc != 0)
			return rc;
	}
}

static int
time_arg(const char *s, const char *what, int64_t *ms)
{
	if (ledger_rfc3339_parse(s, ms) == 0)
		return 0;
	return fail(EXIT_USAGE, "%s \"%s\" is not an RFC 3339 date-time with "
	    "an offset, e.g. 2026-01-01T00:00:00+08:00", what, s);
}

static int
export_csv(struct source *src, const struct filter *fl, const char *outp)
{
	struct table tab[NKINDS];
	char path[4096];
	struct stat sb;
	uint64_t n;
	size_t i;
	int rc, todir, one = fl->kind ? kind_index(fl->kind) : -1;

	memset(tab, 0, sizeof(tab));
	todir = outp != NULL && stat(outp, &sb) == 0 && S_ISDIR(sb.st_mode);
	if (fl->kind == NULL && outp == NULL)
		return fail(EXIT_USAGE, "csv makes one table per kind: give "
		    "--kind KIND, or -o DIR for one file per kind");
	if (fl->kind == NULL && !todir && mkdir(outp, 0755) != 0)
		return fail(EXIT_USAGE, "-o %s: without --kind, -o names a "
		    "directory (%s)", outp, strerror(errno));
	if ((rc = walk(src, fl, FMT_CSV, 1, tab, &n)) != 0 ||
	    (rc = source_rewind(src)) != 0)
		goto out;
	for (i = 0; i < NKINDS; i++) {
		if (one >= 0 ? (int)i != one : tab[i].rows == 0)
			continue;
		tab[i].rows = 0;
		if (one >= 0 && !todir)
			rc = out_open(&tab[i].out, outp);
		else {
			snprintf(path, sizeof(path), "%s/%s.csv", outp,
			    kinds[i]);
			rc = out_open(&tab[i].out, path);
		}
		if (rc != 0)
			goto out;
		csv_header(&tab[i]);
	}
	if ((rc = walk(src, fl, FMT_CSV, 2, tab, &n)) != 0)
		goto out;
	for (i = 0; i < NKINDS && rc == 0; i++)
		rc = out_close(&tab[i].out, 1);
	if (rc == 0 && outp != NULL)
		printf("exported %llu entries to %s\n", (unsigned long long)n,
		    outp);
out:
	tables_free(tab);
	return rc;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "dir",	required_argument, NULL, 'd' },
		{ "url",	required_argument, NULL, 'u' },
		{ "format",	required_argument, NULL, 'f' },
		{ "kind",	required_argument, NULL, 'k' },
		{ "since",	required_argument, NULL, 's' },
		{ "until",	required_argument, NULL, 't' },
		{ "output",	required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *url = NULL, *outp = NULL;
	struct table tab[1];
	struct filter fl;
	struct source src;
	uint64_t n;
	int ch, rc, fmt = 0;

	memset(&fl, 0, sizeof(fl));
	fl.since = INT64_MIN;
	fl.until = INT64_MAX;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:o:", lopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'u': url = optarg; break;
		case 'o': outp = optarg; break;
		case 'k': fl.kind = optarg; break;
		case 'f':
			if (strcmp(optarg, "jsonl") == 0)
				fmt = FMT_JSONL;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else if (strcmp(optarg, "ocds") == 0)
				fmt = FMT_OCDS;
			else
				return fail(EXIT_USAGE, "--format is jsonl, "
				    "csv or ocds, not \"%s\"", optarg);
			break;
		case 's':
			if ((rc = time_arg(optarg, "--since", &fl.since)) != 0)
				return rc;
			break;
		case 't':
			if ((rc = time_arg(optarg, "--until", &fl.until)) != 0)
				return rc;
			break;
		default:
			print_help("export", stderr);
			return EXIT_USAGE;
		}
	}
	if ((dir == NULL) == (url == NULL) || fmt == 0 || optind != argc) {
		print_help("export", stderr);
		return EXIT_USAGE;
	}
	if (fl.kind != NULL && kind_index(fl.kind) < 0)
		return fail(EXIT_USAGE, "no kind \"%s\": one of key, vote, "
		    "contract, disbursement, evaluation, correction, clawback",
		    fl.kind);
	if ((rc = source_open(&src, dir, url, NULL, NULL, 0)) != 0)
		return rc;
	if (fmt == FMT_CSV)
		rc = export_csv(&src, &fl, outp);
	else {
		memset(tab, 0, sizeof(tab));
		if ((rc = out_open(&tab[0].out, outp)) == 0) {
			rc = fmt == FMT_OCDS ? ocds_export(&src,
			    tab[0].out.f, fl.kind, fl.since, fl.until, &n) :
			    walk(&src, &fl, FMT_JSONL, 2, tab, &n);
			if (out_close(&tab[0].out, rc == 0) != 0 && rc == 0)
				rc = EXIT_IO;
			if (rc == 0 && outp != NULL)
				printf("exported %llu entries to %s\n",
				    (unsigned long long)n, outp);
		}
	}
	source_close(&src);
	return rc;
}
