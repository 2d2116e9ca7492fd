/*
 * test_kinds.c - the per-kind schemas: the known-answer vote and every
 * worked example validate, each schema rule refuses at the right path,
 * and docs/KINDS.md shows exactly the tables and examples the code uses.
 * KINDS_DUMP=1 prints the rendered tables (to refresh docs/KINDS.md).
 */
#include "kinds_util.h"
#include "ledger/kinds.h"
#include "ledger/registry.h"

static const char *const kinds[] = {
	"vote", "contract", "disbursement", "evaluation", "correction",
	"clawback",
};

/* Validate the example of kind after one edit at path (v NULL: delete). */
static int
edited(const char *kind, const char *path, json_t *v, struct ledger_err *err)
{
	json_t *ex = example(kind);
	struct ledger_statement *st;
	int rc;

	jset(ex, path, v);
	st = statement_by(ex, NULL);
	json_decref(ex);
	if (st == NULL)
		return -1000;
	ledger_err_clear(err);
	rc = ledger_kind_validate(st, err);
	ledger_statement_free(st);
	return rc;
}

/* One refusal: code, rule and path. */
#define REFUSED(kind, at, v, want_rule, want_path) do {		\
	struct ledger_err e_;						\
	CHECK_INT(edited(kind, at, v, &e_), LEDGER_ESCHEMA);		\
	CHECK_STR(e_.rule, want_rule);					\
	CHECK_STR(e_.path, want_path);					\
	CHECK(strlen(e_.msg) > 10);					\
} while (0)

#define ACCEPTED(kind, at, v) do {					\
	struct ledger_err e_;						\
	int rc_ = edited(kind, at, v, &e_);				\
	if (rc_ != 0)							\
		harness_fail(__FILE__, __LINE__, "%s %s: %s at %s: %s",	\
		    kind, at, e_.rule, e_.path, e_.msg);		\
	else								\
		harness_pass();						\
} while (0)

TEST(vector_vote_validates_as_is)
{
	char path[512];
	json_t *v;
	struct ledger_statement *st = NULL;
	struct ledger_err err;

	snprintf(path, sizeof(path), "%s/tests/vectors/ledgerd-v1.json",
	    harness_srcdir());
	v = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	CHECK(v != NULL);
	CHECK_INT(ledger_statement_from_json(json_incref(json_object_get(v,
	    "statement")), &st, NULL), 0);
	CHECK_INT(st->nsigs, 1);
	CHECK_INT(ledger_kind_validate(st, &err), 0);
	ledger_statement_free(st);
	json_decref(v);
}

TEST(every_example_validates)
{
	struct ledger_err err;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		json_t *ex = example(kinds[i]);
		struct ledger_statement *st = statement_by(ex, NULL);

		CHECK_STR(json_string_value(json_object_get(ex, "kind")),
		    kinds[i]);
		CHECK(st != NULL);
		if (st == NULL)
			continue;
		ledger_err_clear(&err);
		if (ledger_kind_validate(st, &err) != 0)
			harness_fail(__FILE__, __LINE__, "%s: %s at %s: %s",
			    kinds[i], err.rule, err.path, err.msg);
		ledger_statement_free(st);
		json_decref(ex);
	}
}

TEST(the_vote_example_is_the_vector)
{
	json_t *ex = example("vote"), *v;
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/vectors/ledgerd-v1.json",
	    harness_srcdir());
	v = json_load_file(path, 0, NULL);
	CHECK(json_equal(json_object_get(ex, "body"), json_object_get(
	    json_object_get(v, "statement"), "body")));
	json_decref(v);
	json_decref(ex);
}

TEST(key_bodies_are_the_registrys)
{
	json_t *j = json_pack("{s:s,s:s,s:{s:i}}", "id", "k1", "kind", "key",
	    "body", "anything", 1);
	struct ledger_statement *st = statement_by(j, NULL);

	CHECK_INT(ledger_kind_validate(st, NULL), 0);
	CHECK(ledger_kind_fields("key") == NULL);
	CHECK(ledger_kind_fields("vote") != NULL);
	ledger_statement_free(st);
	json_decref(j);
}

TEST(refuses_wrong_types)
{
	REFUSED("vote", "body.eligible", json_string("45"), "schema.type",
	    "body.eligible");
	REFUSED("vote", "body.announced_on_site", json_integer(1),
	    "schema.type", "body.announced_on_site");
	REFUSED("vote", "body.minutes", json_string("minutes.pdf"),
	    "schema.type", "body.minutes");
	REFUSED("vote", "body.counts", json_object(), "schema.type",
	    "body.counts");
	REFUSED("vote", "body.counts[2]", json_integer(3), "schema.type",
	    "body.counts[2]");
	REFUSED("contract", "body.value", json_integer(5000000), "schema.type",
	    "body.value");
}

TEST(refuses_missing_members)
{
	REFUSED("vote", "body.minutes", NULL, "schema.required",
	    "body.minutes");
	REFUSED("vote", "body.ocid", NULL, "schema.required", "body.ocid");
	REFUSED("vote", "body.requirement.quorum_den", NULL,
	    "schema.required", "body.requirement.quorum_den");
	REFUSED("contract", "body.tranches[1].condition", NULL,
	    "schema.required", "body.tranches[1].condition");
	REFUSED("disbursement", "body.value.currency", NULL,
	    "schema.required", "body.value.currency");
	REFUSED("evaluation", "body.independence_declared", NULL,
	    "schema.required", "body.independence_declared");
	/* Optional members may be left out. */
	ACCEPTED("vote", "body.requested", NULL);
	ACCEPTED("vote", "body.minutes.title", NULL);
	ACCEPTED("contract", "body.period", NULL);
	ACCEPTED("clawback", "body.basis_ref", NULL);
}

TEST(refuses_unknown_members)
{
	REFUSED("vote", "body.note", json_string("x"), "unknown-field",
	    "body.note");
	REFUSED("contract", "body.value.amount", json_integer(1),
	    "unknown-field", "body.value.amount");
	REFUSED("contract", "body.buyer.address", json_string("x"),
	    "unknown-field", "body.buyer.address");
	REFUSED("vote", "body.counts[0].group", json_string("x"),
	    "unknown-field", "body.counts[0].group");
	/* DATA-STANDARDS 7.0's envelope members are not body members. */
	REFUSED("disbursement", "body.entry_id", json_string("x"),
	    "unknown-field", "body.entry_id");
}

/*
 * motion_text (1-2000 characters) of 1-, 2-, 3- and 4-byte characters in
 * turn, after 0-7 ASCII letters and from each of the four widths: exactly
 * 2000 characters pass and 2001 are refused, whatever the byte alignment.
 */
TEST(text_limit_at_every_alignment)
{
	static const char *const ch[4] = { "a", "\xc3\xa9", "\xe8\xae\xae",
	    "\xf0\x9f\x98\x80" };
	char *t = malloc(2001 * 4 + 1);
	size_t lead, rot, i, n, len;

	for (lead = 0; lead < 8; lead++)
		for (rot = 0; rot < 4; rot++)
			for (n = 2000; n <= 2001; n++) {
				for (i = len = 0; i < n; i++) {
					const char *c = i < lead ? "b" :
					    ch[(i + rot) % 4];

					memcpy(t + len, c, strlen(c));
					len += strlen(c);
				}
				t[len] = '\0';
				if (n == 2000)
					ACCEPTED("vote", "body.motion_text",
					    json_string(t));
				else
					REFUSED("vote", "body.motion_text",
					    json_string(t), "schema.length",
					    "body.motion_text");
			}
	free(t);
}

TEST(refuses_lengths_ranges_counts)
{
	char big[128 + 2];
	json_t *s;
	char *zh;
	size_t i;

	REFUSED("vote", "body.motion_text", json_string(""), "schema.length",
	    "body.motion_text");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	REFUSED("vote", "body.ocid", json_string(big), "schema.length",
	    "body.ocid");
	big[128] = '\0';
	ACCEPTED("vote", "body.ocid", json_string(big));
	/* Text limits count characters, not bytes: 2000 CJK pass. */
	zh = malloc(2001 * 3 + 1);
	for (i = 0; i < 2001; i++)
		memcpy(zh + i * 3, "\xe8\xae\xae", 3);	/* 议 */
	zh[2000 * 3] = '\0';
	s = json_string(zh);
	ACCEPTED("vote", "body.motion_text", s);
	zh[2000 * 3] = '\xe8';
	zh[2001 * 3] = '\0';
	REFUSED("vote", "body.motion_text", json_string(zh), "schema.length",
	    "body.motion_text");
	free(zh);
	REFUSED("contract", "body.tranches[0].no", json_integer(0),
	    "schema.range", "body.tranches[0].no");
	REFUSED("contract", "body.tranches[0].no", json_integer(65),
	    "schema.range", "body.tranches[0].no");
	ACCEPTED("contract", "body.tranches[0].no", json_integer(64));
	REFUSED("evaluation", "body.score", json_integer(1001),
	    "schema.range", "body.score");
	REFUSED("vote", "body.eligible", json_integer(0), "schema.range",
	    "body.eligible");
	REFUSED("vote", "body.counts", json_array(), "schema.count",
	    "body.counts");
	REFUSED("contract", "body.documents", json_array(), "schema.count",
	    "body.documents");
	REFUSED("correction", "body.changes", json_array(), "schema.count",
	    "body.changes");
}

TEST(refuses_bad_formats)
{
	REFUSED("vote", "body.minutes.sha256", json_string(
	    "ED05AF6005BB2B66E11F90795F6D5386434580EA433A8E69E51CBA6EA19375AD"),
	    "schema.format", "body.minutes.sha256");
	REFUSED("vote", "body.minutes.sha256", json_string("ed05af"),
	    "schema.format", "body.minutes.sha256");
	REFUSED("vote", "body.minutes.media_type", json_string("pdf"),
	    "schema.format", "body.minutes.media_type");
	REFUSED("vote", "body.minutes.media_type",
	    json_string("application/pdf; q=1"), "schema.format",
	    "body.minutes.media_type");
	ACCEPTED("vote", "body.minutes.media_type",
	    json_string("application/vnd.oasis.opendocument.text"));
	REFUSED("contract", "body.vote_ref", json_string("vote 1"),
	    "schema.format", "body.vote_ref");
	REFUSED("contract", "body.contract_id", json_string("YQ CD"),
	    "schema.format", "body.contract_id");
	REFUSED("correction", "body.changes[0].pointer",
	    json_string("voucher_ref"), "schema.format",
	    "body.changes[0].pointer");
	REFUSED("correction", "body.changes[0].pointer", json_string("/a~2"),
	    "schema.format", "body.changes[0].pointer");
	ACCEPTED("correction", "body.changes[0].pointer", json_string("/a~1b"));
}

TEST(refuses_values_outside_enums)
{
	REFUSED("vote", "body.result", json_string("passed"), "enum",
	    "body.result");
	REFUSED("vote", "body.counts[1].option", json_string("maybe"), "enum",
	    "body.counts[1].option");
	REFUSED("vote", "body.requirement.basis", json_string("members"),
	    "enum", "body.requirement.basis");
	REFUSED("evaluation", "body.phase", json_string("final "), "enum",
	    "body.phase");
	REFUSED("contract", "body.status", json_string("terminated"), "enum",
	    "body.status");
	REFUSED("vote", "body.body.scheme", json_string("CN-SAIC"), "enum",
	    "body.body.scheme");
	ACCEPTED("vote", "body.requirement.compare", json_string("at_least"));
}

TEST(refuses_bad_dates)
{
	REFUSED("vote", "body.held_at", json_string("2026-08-15 19:30:00"),
	    "date", "body.held_at");
	REFUSED("vote", "body.held_at", json_string("2026-08-15T19:30:00"),
	    "date", "body.held_at");
	REFUSED("vote", "body.held_at", json_string("2026-08-15"), "date",
	    "body.held_at");
	REFUSED("vote", "body.held_at", json_string("2026-02-30T10:00:00Z"),
	    "date", "body.held_at");
	REFUSED("contract", "body.tranches[2].due", json_string("soon"),
	    "date", "body.tranches[2].due");
	ACCEPTED("vote", "body.held_at", json_string("2026-08-15T11:30:00Z"));
	ACCEPTED("vote", "body.held_at",
	    json_string("2026-08-15T19:30:00.250+08:00"));
}

TEST(refuses_bad_money)
{
	REFUSED("vote", "body.requested.currency", json_string("RMB"),
	    "money", "body.requested.currency");
	REFUSED("vote", "body.requested.currency", json_string("USD"),
	    "money", "body.requested.currency");
	REFUSED("vote", "body.requested.amount_minor", json_integer(-1),
	    "money", "body.requested.amount_minor");
	REFUSED("vote", "body.requested.amount_minor", json_string("55000.00"),
	    "schema.type", "body.requested.amount_minor");
	REFUSED("contract", "body.value.amount_minor", json_integer(0),
	    "money", "body.value.amount_minor");
	REFUSED("disbursement", "body.value.amount_minor", json_integer(0),
	    "money", "body.value.amount_minor");
	ACCEPTED("vote", "body.requested.amount_minor", json_integer(0));
	/* 2^53 and beyond never get here: canonical JSON refuses them. */
	ACCEPTED("contract", "body.value.amount_minor",
	    json_integer(9007199254740991LL));
}

TEST(refuses_bad_uscc)
{
	/* GB 32100-2015's worked example with its check character broken. */
	REFUSED("vote", "body.body.id", json_string("91350100M000100Y4Z"),
	    "uscc", "body.body.id");
	REFUSED("vote", "body.body.id", json_string("91350100M000100Y42"),
	    "uscc", "body.body.id");
	REFUSED("contract", "body.supplier.id",
	    json_string("52330382MJ5678901"), "uscc", "body.supplier.id");
	REFUSED("evaluation", "body.evaluator.id",
	    json_string("52330300mj8765432e"), "uscc", "body.evaluator.id");
	ACCEPTED("vote", "body.body.id", json_string("91440300093677087R"));
}

/* GB 32100-2015 as written: the code set, weights and check by search. */
static int
uscc_reference(const char *s)
{
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25,
	    13, 8, 24, 10, 30, 28 };
	int sum = 0, i;

	if (strlen(s) != 18)
		return 0;
	for (i = 0; i < 18; i++)
		if (strchr(set, s[i]) == NULL)
			return 0;
	for (i = 0; i < 17; i++)
		sum += (int)(strchr(set, s[i]) - set) * w[i];
	return s[17] == set[(31 - sum % 31) % 31];
}

/*
 * The check agrees with the reference for every byte at every position of
 * a valid code (so with exactly one valid check character per prefix), and
 * refuses codes a byte short or long.
 */
TEST(uscc_matches_reference)
{
	char s[20] = "91350100M000100Y43";
	size_t i, v, bad = 0, valid = 0;

	CHECK(ledger_uscc_valid(s));
	for (i = 0; i < 18; i++)
		for (v = 1; v < 256; v++) {
			char t[20];

			memcpy(t, s, sizeof(t));
			t[i] = (char)v;
			bad += !ledger_uscc_valid(t) != !uscc_reference(t);
			valid += ledger_uscc_valid(t);
		}
	CHECK_INT(bad, 0);
	/* Each changed position but the check digit breaks the sum. */
	CHECK_INT(valid, 18);
	s[17] = '\0';
	CHECK(!ledger_uscc_valid(s));
	memcpy(s, "91350100M000100Y430", 20);
	CHECK(!ledger_uscc_valid(s));
}

/*
 * The docs' tables, rendered from the code's tables: one row per member,
 * nested members as "requirement.basis" and "counts[].option".
 */
struct out {
	char	*buf;
	size_t	 len, cap;
};

static void
put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->buf = realloc(o->buf, o->cap);
		if (o->buf == NULL)
			abort();
	}
	memcpy(o->buf + o->len, s, n + 1);
	o->len += n;
}

static void
limits(const struct ledger_field *f, char *b, size_t n)
{
	const char *p;
	size_t used;

	b[0] = '\0';
	switch (f->type) {
	case LEDGER_F_STRING:
		snprintf(b, n, "%lld-%lld chars", f->min, f->max);
		break;
	case LEDGER_F_IDENT:
		snprintf(b, n, "%lld-%lld bytes, no spaces", f->min, f->max);
		break;
	case LEDGER_F_POINTER:
		snprintf(b, n, "%lld-%lld bytes", f->min, f->max);
		break;
	case LEDGER_F_INT:
	case LEDGER_F_AMOUNT:
		if (f->max == LEDGER_JSON_MAX_INT)
			snprintf(b, n, "%lld-2^53-1", f->min);
		else
			snprintf(b, n, "%lld-%lld", f->min, f->max);
		break;
	case LEDGER_F_MONEY:
		snprintf(b, n, "amount_minor >= %lld", f->min);
		break;
	case LEDGER_F_ARRAY:
		snprintf(b, n, "%lld-%lld items", f->min, f->max);
		break;
	case LEDGER_F_ENUM:
		for (p = f->values, used = 0; *p && used + 1 < n; ) {
			size_t m = strcspn(p, " ");
			int w = snprintf(b + used, n - used, "%s`%.*s`",
			    used ? ", " : "", (int)m, p);

			if (w < 0)
				break;
			used += (size_t)w;
			p += m;
			p += strspn(p, " ");
		}
		break;
	default:
		break;
	}
}

static void
render(struct out *o, const struct ledger_field *tab, const char *prefix)
{
	const struct ledger_field *f;
	char line[1024], name[160], lim[256], type[64];

	for (f = tab; f->name != NULL; f++) {
		snprintf(name, sizeof(name), "%s%s", prefix, f->name);
		if (f->type == LEDGER_F_ARRAY)
			snprintf(type, sizeof(type), "array of %s",
			    ledger_ftype_name(f->elem));
		else
			snprintf(type, sizeof(type), "%s",
			    ledger_ftype_name(f->type));
		limits(f, lim, sizeof(lim));
		snprintf(line, sizeof(line), "| `%s` | %s | %s | %s | %s |\n",
		    name, type, f->flags & LEDGER_F_REQ ? "R" : "O", lim,
		    f->doc);
		put(o, line);
		if (f->type == LEDGER_F_OBJECT ||
		    (f->type == LEDGER_F_ARRAY && f->sub != NULL)) {
			snprintf(name, sizeof(name), "%s%s%s.", prefix, f->name,
			    f->type == LEDGER_F_ARRAY ? "[]" : "");
			render(o, f->sub, name);
		}
	}
}

static char *
table_of(const struct ledger_field *tab)
{
	struct out o = { NULL, 0, 0 };

	put(&o, "| member | type | req | limits | meaning |\n"
	    "|---|---|---|---|---|\n");
	render(&o, tab, "");
	return o.buf;
}

TEST(kinds_md_shows_the_tables)
{
	static const enum ledger_ftype shapes[] = {
		LEDGER_F_MONEY, LEDGER_F_ORG, LEDGER_F_DOC,
	};
	char *md = read_text("docs/KINDS.md"), *t;
	int dump = getenv("KINDS_DUMP") != NULL;
	size_t i;

	CHECK(md != NULL);
	if (md == NULL)
		md = strdup("");
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		t = table_of(ledger_shape_fields(shapes[i]));
		if (dump)
			printf("\n%s:\n%s", ledger_ftype_name(shapes[i]), t);
		if (strstr(md, t) == NULL)
			harness_fail(__FILE__, __LINE__, "docs/KINDS.md lacks "
			    "the %s table:\n%s", ledger_ftype_name(shapes[i]),
			    t);
		else
			harness_pass();
		free(t);
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		t = table_of(ledger_kind_fields(kinds[i]));
		if (dump)
			printf("\n%s:\n%s", kinds[i], t);
		if (strstr(md, t) == NULL)
			harness_fail(__FILE__, __LINE__, "docs/KINDS.md lacks "
			    "the %s table (KINDS_DUMP=1 prints it):\n%s",
			    kinds[i], t);
		else
			harness_pass();
		free(t);
	}
	free(md);
}

TEST(kinds_md_quotes_every_example)
{
	char *md = read_text("docs/KINDS.md"), *ex, rel[64];
	size_t i;

	CHECK(md != NULL);
	for (i = 0; md != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(rel, sizeof(rel), "tests/kinds/%s.json", kinds[i]);
		ex = read_text(rel);
		CHECK(ex != NULL);
		if (ex != NULL && strstr(md, ex) == NULL)
			harness_fail(__FILE__, __LINE__, "docs/KINDS.md does "
			    "not quote %s verbatim", rel);
		else
			harness_pass();
		free(ex);
	}
	free(md);
}
