/*
 * audit.c - "ledgerctl audit": replay every rule over the whole ledger
 * from entry 0 with a fresh registry and rule state, compare the result
 * with the daemon's stored rule state (offline), and report what an
 * auditor wants beyond the append-time refusals (docs/KINDS.md, "Audit
 * findings").
 *
 * The replay runs the daemon's own checks (ledger_registry_check,
 * ledger_kind_validate, ledger_rules_apply, ledger_registry_apply) in its
 * order, so on an honest ledger it refuses nothing; a finding means
 * something got past the daemon.  A refused entry leaves no trace in the
 * replayed state, exactly as the daemon would have left none.  Signatures,
 * the chain and the tree are "ledgerctl verify"'s business.
 *
 * The findings beyond the rules are audit_track.c's.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/append.h"
#include "ledger/kinds.h"
#include "ledger/registry.h"
#include "ledger/rules.h"
#include "ledger/statement.h"
#include "ledger/store.h"
#include "ledgerctl.h"

#define FINDINGS_MAX	100000	/* findings listed; more are only counted */
#define GRACE_DAYS	90	/* default --grace */
#define DAY_MS		(24LL * 3600 * 1000)
#define NO_SEQ		AUDIT_NO_SEQ

struct finding {
	uint64_t	 seq;		/* NO_SEQ: none */
	size_t		 order;		/* keeps equal seqs in report order */
	char		 rule[48];
	char		 path[LEDGER_ERR_PATH_MAX];
	char		 msg[512];
	char		*ocid, *id;	/* or NULL */
};

struct audit {
	struct ledger_registry	 reg;
	struct ledger_rulestore	 mem;	/* the replayed rule state */
	struct ledger_rulestore	 rs;	/* mem, recording what is written */
	json_t			*written;	/* key -> [seq, ocid|null] */
	struct tracker		*tracker;	/* audit-only findings */
	struct index_audit	*ix;		/* offline, with index.mdb */
	uint64_t		 seq;		/* entry being replayed */
	const char		*ocid;		/* its ocid, or NULL */
	const char		*origin;
	const char		*only;		/* --ocid */
	struct finding		*f;
	size_t			 nf, capf;
	uint64_t		 total;		/* findings, listed or not */
	int64_t			 now, grace;	/* ms */
	int			 nomem;
};

/* --- findings --- */

static void __attribute__((format(printf, 7, 8)))
finding(struct audit *au, uint64_t seq, const char *ocid, const char *id,
    const char *rule, const char *path, const char *fmt, ...)
{
	struct finding *f, *g;
	va_list ap;
	size_t n;

	if (au->only != NULL && (ocid == NULL || strcmp(ocid, au->only) != 0))
		return;
	au->total++;
	if (au->nf == FINDINGS_MAX)
		return;
	if (au->nf == au->capf) {
		n = au->capf ? au->capf * 2 : 16;
		if ((g = realloc(au->f, n * sizeof(*g))) == NULL) {
			au->nomem = 1;
			return;
		}
		au->f = g;
		au->capf = n;
	}
	f = &au->f[au->nf];
	memset(f, 0, sizeof(*f));
	f->seq = seq;
	f->order = au->nf;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->rule, sizeof(f->rule), "%s", rule);
	if ((ocid != NULL && ocid[0] != '\0' &&
	    (f->ocid = strdup(ocid)) == NULL) ||
	    (id != NULL && id[0] != '\0' && (f->id = strdup(id)) == NULL)) {
		free(f->ocid);
		au->nomem = 1;
		return;
	}
	au->nf++;
}

static void
err_finding(struct audit *au, const struct ledger_statement *st,
    const struct ledger_err *e)
{
	finding(au, au->seq, au->ocid, st->id, e->rule[0] ? e->rule :
	    "error", e->path, "%s", e->msg[0] ? e->msg :
	    ledger_strerror(e->code));
}

static void
tracked(void *ctx, uint64_t seq, const char *ocid, const char *id,
    const char *rule, const char *path, const char *msg)
{
	finding(ctx, seq, ocid, id, rule, path, "%s", msg);
}

static int
finding_cmp(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* --- the rule state, recording every key written --- */

static int
rec_get(void *ctx, const void *key, size_t klen, void **val, size_t *vlen)
{
	struct audit *au = ctx;

	return au->mem.get(au->mem.ctx, key, klen, val, vlen);
}

static int
rec_put(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	struct audit *au = ctx;
	json_t *w;
	int rc;

	if ((rc = au->mem.put(au->mem.ctx, key, klen, val, vlen)) != 0)
		return rc;
	w = json_pack("[Is?]", (json_int_t)au->seq, au->ocid);
	if (w == NULL || json_object_setn_new_nocheck(au->written, key, klen,
	    w) != 0)
		return LEDGER_ENOMEM;
	return 0;
}

/* --- replay --- */

static int
replay(struct audit *au, uint64_t seq, const uint8_t *data, size_t len)
{
	struct ledger_leaf leaf;
	struct ledger_err err;
	const struct ledger_statement *st;
	char key[2 + LEDGER_ID_MAX + 1];
	int rc, authorized;

	au->seq = seq;
	au->ocid = NULL;
	ledger_err_clear(&err);
	if (ledger_leaf_parse(data, len, &leaf, &err) != 0) {
		finding(au, seq, NULL, NULL, "entry.malformed", err.path,
		    "the stored leaf is not a valid leaf: %s (run "
		    "\"ledgerctl verify\")", err.msg);
		return 0;
	}
	st = leaf.st;
	au->ocid = json_string_value(json_object_get(st->body, "ocid"));
	/* The daemon indexed every stored entry, refused now or not. */
	if ((rc = index_audit_entry(au->ix, st, seq, leaf.time_ms,
	    au->ocid)) != 0)
		goto out;
	snprintf(key, sizeof(key), "s:%s", st->id);
	if (strcmp(st->kind, "key") != 0 && json_object_get(au->written,
	    key) != NULL) {
		finding(au, seq, au->ocid, st->id, "id.unique", "id",
		    "statement id \"%s\" is used by an earlier entry",
		    st->id);
		rc = 0;
		goto out;
	}
	ledger_err_clear(&err);
	rc = ledger_registry_check(&au->reg, st, seq, leaf.time_ms,
	    au->origin, 0, &err);
	if (rc == LEDGER_EAUTH || rc == LEDGER_ESIG)
		err_finding(au, st, &err);
	else if (rc != 0)
		goto out;
	authorized = rc == 0;
	if (strcmp(st->kind, "key") != 0 && authorized) {
		ledger_err_clear(&err);
		if ((rc = ledger_kind_validate(st, &err)) == 0)
			rc = ledger_rules_apply(&au->rs, &au->reg, st, seq,
			    leaf.time_ms, &err);
		if (rc == 0)
			rc = tracker_entry(au->tracker, st, seq);
		else if (rc == LEDGER_ERULE || rc == LEDGER_EAUTH ||
		    rc == LEDGER_ESCHEMA || rc == LEDGER_EINVAL) {
			err_finding(au, st, &err);
			rc = 0;
		}
		if (rc != 0)
			goto out;
	}
	/* Applied even after a refusal, as verify does, so no cascade. */
	ledger_err_clear(&err);
	rc = ledger_registry_apply(&au->reg, st, seq, &err);
	if (rc == LEDGER_ENOMEM || rc == LEDGER_EIO || rc == LEDGER_ESTORE)
		goto out;
	if (rc != 0)
		err_finding(au, st, &err);
	rc = 0;
out:
	au->ocid = NULL;
	ledger_leaf_clear(&leaf);
	return rc;
}

/* --- the daemon's stored rule state against the replayed one --- */

/* A key for a message: printable ASCII and UTF-8 as is, the rest \xNN. */
static void
key_text(const uint8_t *k, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < outsz; i++) {
		if (k[i] >= 0x20 && k[i] != 0x7f && k[i] != '"' &&
		    k[i] != '\\')
			out[o++] = (char)k[i];
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x",
			    k[i]);
	}
	out[o] = '\0';
}

/* The seq and ocid a stored record names (layout: lib/rules.c). */
static void
record_origin(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl,
    uint64_t *seq, char *ocid, size_t ocidsz)
{
	size_t off, n;

	*seq = NO_SEQ;
	ocid[0] = '\0';
	if (kl < 2 || vl < 2)
		return;
	if (k[0] == 's' && vl >= 11) {
		*seq = ledger_be64_get(v + 2);
		off = 10;
	} else if (k[0] == 'c')
		off = 2 + (size_t)v[1];
	else
		return;
	if (off < vl && (n = v[off]) < ocidsz && off + 1 + n <= vl) {
		memcpy(ocid, v + off + 1, n);
		ocid[n] = '\0';
	}
}

static int
compare_state(struct audit *au, struct ledger_txn *txn)
{
	struct ledger_cursor *cur;
	const void *k, *v;
	size_t kl, vl, ml, i;
	char text[2 * 512], ocid[LEDGER_ID_MAX + 1];
	const char *key;
	uint64_t seq;
	void *mv;
	json_t *w;
	int rc;

	if ((rc = ledger_cursor_open(txn, LEDGER_DB_RULES, &cur)) != 0)
		return rc;
	while ((rc = ledger_cursor_next(cur, &k, &kl, &v, &vl)) == 0) {
		key_text(k, kl, text, sizeof(text));
		w = json_object_getn(au->written, k, kl);
		if (w == NULL) {
			record_origin(k, kl, v, vl, &seq, ocid, sizeof(ocid));
			finding(au, seq, ocid[0] ? ocid : NULL, NULL,
			    "state.mismatch", text, "the stored rule state "
			    "has a record the replay from entry 0 never "
			    "wrote");
			continue;
		}
		json_array_append_new(w, json_true());	/* seen */
		seq = (uint64_t)json_integer_value(json_array_get(w, 0));
		rc = au->mem.get(au->mem.ctx, k, kl, &mv, &ml);
		if (rc != 0)
			break;
		if (ml != vl || memcmp(mv, v, vl) != 0) {
			for (i = 0; i < ml && i < vl && ((uint8_t *)mv)[i] ==
			    ((const uint8_t *)v)[i]; i++)
				;
			finding(au, seq, json_string_value(
			    json_array_get(w, 1)), NULL, "state.mismatch",
			    text, "the stored rule state differs from the "
			    "replay from entry 0 (%zu bytes stored, %zu "
			    "replayed, first difference at byte %zu)", vl, ml,
			    i);
		}
		free(mv);
	}
	ledger_cursor_close(cur);
	if (rc != LEDGER_ENOTFOUND)
		return rc;
	json_object_foreach(au->written, key, w) {
		if (json_array_size(w) == 3)
			continue;
		key_text((const uint8_t *)key, strlen(key), text,
		    sizeof(text));
		finding(au, (uint64_t)json_integer_value(json_array_get(w, 0)),
		    json_string_value(json_array_get(w, 1)), NULL,
		    "state.mismatch", text, "the stored rule state lacks "
		    "a record the replay from entry 0 wrote");
	}
	return 0;
}

/*
 * Offline, also replay what was committed after the latest checkpoint,
 * in the snapshot the stored rule state is read from, so both describe
 * the same entries.
 */
static int
audit_tail(struct audit *au, struct source *src, uint64_t *entries)
{
	const uint8_t *data;
	uint64_t size, seq;
	size_t len;
	int rc;

	if ((rc = ledger_meta_size(src->txn, &size)) != 0)
		return rc;
	for (seq = *entries; seq < size; seq++) {
		if ((rc = ledger_entry_get(src->txn, seq, &data, &len)) != 0)
			return rc;
		if ((rc = replay(au, seq, data, len)) != 0)
			return rc;
		(*entries)++;
	}
	if ((rc = compare_state(au, src->txn)) != 0)
		return rc;
	return index_audit_finish(au->ix);
}

/* --- output --- */

static int
print_text(const struct audit *au, uint64_t entries, int compared,
    const char *dir)
{
	const struct finding *f;
	size_t i;

	for (i = 0; i < au->nf; i++) {
		f = &au->f[i];
		if (f->seq == NO_SEQ)
			printf("seq -: ");
		else
			printf("seq %" PRIu64 ": ", f->seq);
		printf("%s: %s%s%s", f->rule, f->path, f->path[0] ? ": " : "",
		    f->msg);
		if (f->id != NULL)
			printf(" [id %s]", f->id);
		if (f->ocid != NULL)
			printf(" [ocid %s]", f->ocid);
		putchar('\n');
	}
	if (au->total > au->nf)
		printf("... and %" PRIu64 " more findings not listed\n",
		    au->total - (uint64_t)au->nf);
	printf("%s: %" PRIu64 " entries replayed, %" PRIu64 " finding%s%s%s; "
	    "%s", au->total ? "FAIL" : "ok", entries, au->total,
	    au->total == 1 ? "" : "s", au->only ? " for ocid " : "",
	    au->only ? au->only : "", compared ? "rule state compared with "
	    "the stored state" : dir ? "no stored rule state to compare" :
	    "online: the daemon's stored rule state is not compared");
	if (au->ix != NULL)
		printf("; query index rows of %" PRIu64 " entries compared",
		    index_audit_compared(au->ix));
	else if (compared)
		printf("; no query index (index.mdb) to compare");
	putchar('\n');
	return fflush(stdout) != 0 ? EXIT_IO : 0;
}

static int
print_json(const struct audit *au, uint64_t entries, int compared)
{
	const struct finding *f;
	json_t *root, *arr, *o;
	size_t i;
	int rc;

	if ((root = json_object()) == NULL || (arr = json_array()) == NULL ||
	    json_object_set_new(root, "findings", arr) != 0)
		goto nomem;
	for (i = 0; i < au->nf; i++) {
		f = &au->f[i];
		o = json_pack("{s:o,s:s,s:s,s:s,s:s?,s:s?}", "seq",
		    f->seq == NO_SEQ ? json_null() : json_integer((json_int_t)
		    f->seq), "rule", f->rule, "path", f->path, "message",
		    f->msg, "ocid", f->ocid, "id", f->id);
		if (o == NULL || json_array_append_new(arr, o) != 0)
			goto nomem;
	}
	if (json_object_set_new(root, "entries", json_integer((json_int_t)
	    entries)) != 0 || json_object_set_new(root, "total",
	    json_integer((json_int_t)au->total)) != 0 ||
	    json_object_set_new(root, "state_compared",
	    json_boolean(compared)) != 0 ||
	    json_object_set_new(root, "index_compared", au->ix == NULL ?
	    json_null() : json_integer((json_int_t)index_audit_compared(
	    au->ix))) != 0)
		goto nomem;
	rc = json_dumpf(root, stdout, JSON_COMPACT);
	json_decref(root);
	if (rc != 0 || putchar('\n') == EOF || fflush(stdout) != 0)
		return fail(EXIT_IO, "cannot write to standard output: %s",
		    strerror(errno));
	return 0;
nomem:
	json_decref(root);
	return fail(EXIT_IO, "out of memory");
}

/* --- the command --- */

static void
audit_free(struct audit *au)
{
	size_t i;

	for (i = 0; i < au->nf; i++) {
		free(au->f[i].ocid);
		free(au->f[i].id);
	}
	free(au->f);
	json_decref(au->written);
	tracker_free(au->tracker);
	index_audit_free(au->ix);
	if (au->mem.ctx != NULL)
		ledger_rulestore_mem_free(&au->mem);
	if (au->reg.ctx != NULL)
		ledger_memreg_free(&au->reg);
}

static int
audit_init(struct audit *au)
{
	if ((au->written = json_object()) == NULL ||
	    tracker_new(&au->tracker, tracked, au) != 0 ||
	    ledger_rulestore_mem_new(&au->mem) != 0 ||
	    ledger_memreg_new(&au->reg) != 0)
		return LEDGER_ENOMEM;
	au->rs.ctx = au;
	au->rs.get = rec_get;
	au->rs.put = rec_put;
	au->now = ledger_now_ms();
	return 0;
}

static int
run(struct audit *au, struct source *src, const char *dir, int json)
{
	const uint8_t *data;
	uint64_t seq, entries = 0;
	size_t len;
	int rc, compared = 0;

	au->origin = src->origin;
	if (src->txn != NULL &&
	    (rc = index_audit_new(src->txn, tracked, au, &au->ix)) != 0)
		goto storage;
	for (;;) {
		if ((rc = source_next(src, &seq, &data, &len)) != 0) {
			if (rc == EXIT_VERIFY)
				return fail(rc, "%s: %s (run \"ledgerctl "
				    "verify\")", src->url ? src->url :
				    "the store", src->why);
			return rc;
		}
		if (data == NULL)
			break;
		if ((rc = replay(au, seq, data, len)) != 0)
			goto storage;
		entries++;
	}
	if (src->txn != NULL) {
		if ((rc = audit_tail(au, src, &entries)) != 0)
			goto storage;
		compared = 1;
	}
	tracker_finish(au->tracker, au->now, au->grace);
	if (au->nomem)
		return fail(EXIT_IO, "out of memory");
	if (au->nf > 1)
		qsort(au->f, au->nf, sizeof(*au->f), finding_cmp);
	rc = json ? print_json(au, entries, compared) :
	    print_text(au, entries, compared, dir);
	if (rc != 0)
		return rc;
	return au->total ? EXIT_VERIFY : EXIT_OK;
storage:
	return fail(EXIT_IO, "cannot audit entry %" PRIu64 ": %s", au->seq,
	    ledger_strerror(rc));
}

int
cmd_audit(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "dir",	required_argument, NULL, 'd' },
		{ "url",	required_argument, NULL, 'u' },
		{ "ocid",	required_argument, NULL, 'p' },
		{ "format",	required_argument, NULL, 'f' },
		{ "grace",	required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *url = NULL;
	struct source src;
	struct audit au;
	char *end;
	long days = GRACE_DAYS;
	int ch, rc, json = 0;

	memset(&au, 0, sizeof(au));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:", lopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'u': url = optarg; break;
		case 'p': au.only = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "text") != 0)
				return fail(EXIT_USAGE, "--format is text or "
				    "json, not \"%s\"", optarg);
			break;
		case 'g':
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    days < 0 || days > 36500)
				return fail(EXIT_USAGE, "--grace takes a "
				    "number of days from 0 to 36500, not "
				    "\"%s\"", optarg);
			break;
		default:
			print_help("audit", stderr);
			return EXIT_USAGE;
		}
	}
	if ((dir == NULL) == (url == NULL) || optind != argc) {
		print_help("audit", stderr);
		return EXIT_USAGE;
	}
	au.grace = days * DAY_MS;
	if (audit_init(&au) != 0) {
		audit_free(&au);
		return fail(EXIT_IO, "out of memory");
	}
	if ((rc = source_open(&src, dir, url, NULL, NULL, 0)) == 0) {
		rc = run(&au, &src, dir, json);
		source_close(&src);
	}
	audit_free(&au);
	return rc;
}
