/*
 * test_canon_tree.c - canonical JSON, the other half (test_canon.c has the
 * parser's refusals): trees checked and dumped in memory, the output cap,
 * the known-answer vectors as fixed points, random round trips
 * parse(dump(x)) == x, every code point, and the UTF-8 validator against
 * an independent reference decoder.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ledger/canon.h"
#include "ledger/limits.h"

static int
dump_eq(const json_t *v, const char *want, size_t wantlen)
{
	char *out;
	size_t outlen;
	int ok;

	if (ledger_canon_dump(v, &out, &outlen, NULL) != 0)
		return 0;
	ok = outlen == wantlen && memcmp(out, want, wantlen) == 0 &&
	    out[outlen] == '\0';
	free(out);
	return ok;
}

/* Build {"a":{"b":[x, y, v]}} so paths can be checked. */
static json_t *
wrap(json_t *v)
{
	json_t *arr = json_pack("[iso]", 1, "y", v);

	return json_pack("{s:{s:o}}", "a", "b", arr);
}

static void
check_tree_at(int line, json_t *t, int code, const char *rule,
    const char *path)
{
	struct ledger_err e, e2;
	char *out = (char *)"x";
	size_t outlen = 1;
	int rc, rc2;

	rc = ledger_canon_check(t, &e);
	rc2 = ledger_canon_dump(t, &out, &outlen, &e2);
	if (rc == code && rc2 == code && strcmp(e.rule, rule) == 0 &&
	    strcmp(e.path, path) == 0 && strcmp(e2.path, path) == 0 &&
	    (code == 0 ? out != NULL && outlen > 0 :
	    out == NULL && outlen == 0))
		harness_pass();
	else
		harness_fail(__FILE__, line, "check %d/%d rule \"%s\" path "
		    "\"%s\", want %d \"%s\" \"%s\"", rc, rc2, e.rule, e.path,
		    code, rule, path);
	if (rc2 == 0)
		free(out);
	json_decref(t);
}

#define CHECK_TREE(t, code, rule, path) \
	check_tree_at(__LINE__, (t), (code), (rule), (path))

TEST(check_trees_in_memory)
{
	json_t *o, *deep;
	char big[LEDGER_JSON_MAX_STRING + 1];
	size_t i;

	CHECK_TREE(wrap(json_integer(5)), 0, "", "");
	CHECK_TREE(wrap(json_real(1.0)), LEDGER_ECANON, "float", "a.b[2]");
	CHECK_TREE(wrap(json_integer(LEDGER_JSON_MAX_INT)), 0, "", "");
	CHECK_TREE(wrap(json_integer(-LEDGER_JSON_MAX_INT)), 0, "", "");
	CHECK_TREE(wrap(json_integer(LEDGER_JSON_MAX_INT + 1)), LEDGER_ECANON,
	    "int-range", "a.b[2]");
	CHECK_TREE(wrap(json_integer(INT64_MIN)), LEDGER_ECANON, "int-range",
	    "a.b[2]");
	CHECK_TREE(wrap(json_stringn("a\0b", 3)), LEDGER_ECANON,
	    "control-char", "a.b[2]");
	CHECK_TREE(wrap(json_string("a\x1b")), LEDGER_ECANON, "control-char",
	    "a.b[2]");
	CHECK_TREE(wrap(json_stringn_nocheck("\xed\xa0\x80", 3)),
	    LEDGER_ECANON, "utf8", "a.b[2]");
	memset(big, 'x', sizeof(big));
	CHECK_TREE(wrap(json_stringn(big, sizeof(big) - 1)), 0, "", "");
	CHECK_TREE(wrap(json_stringn(big, sizeof(big))), LEDGER_ETOOBIG,
	    "string-size", "a.b[2]");
	CHECK_TREE(wrap(json_pack("{s:i}", "9x", 1)), LEDGER_ECANON, "bad-key",
	    "a.b[2]");
	CHECK_TREE(wrap(json_pack("{s:i}", "\xe2\x82\xac", 1)), LEDGER_ECANON,
	    "bad-key", "a.b[2]");
	o = json_object();
	json_object_setn_new(o, "k\0", 2, json_true());
	CHECK_TREE(wrap(o), LEDGER_ECANON, "control-char", "a.b[2]");
	o = json_object();
	json_object_set_new(o, "ok", json_pack("[f]", 0.5));
	CHECK_TREE(o, LEDGER_ECANON, "float", "ok[0]");
	CHECK_TREE(json_real(2.0), LEDGER_ECANON, "float", "");
	/* Depth: 3 levels from wrap plus 13 is the limit. */
	deep = json_array();
	for (i = 1; i < LEDGER_JSON_MAX_DEPTH - 3; i++)
		deep = json_pack("[o]", deep);
	CHECK_TREE(wrap(json_incref(deep)), 0, "", "");
	CHECK_TREE(wrap(json_pack("[o]", deep)), LEDGER_ETOOBIG, "depth",
	    "a.b[2][0][0][0][0][0][0][0][0][0][0][0][0][0]");
	o = json_array();
	for (i = 0; i < LEDGER_JSON_MAX_MEMBERS; i++)
		json_array_append_new(o, json_null());
	CHECK_TREE(wrap(json_incref(o)), 0, "", "");
	json_array_append_new(o, json_null());
	CHECK_TREE(wrap(o), LEDGER_ETOOBIG, "members", "a.b[2]");
	o = json_object();
	for (i = 0; i <= LEDGER_JSON_MAX_MEMBERS; i++) {
		snprintf(big, sizeof(big), "k%zu", i);
		json_object_set_new(o, big, json_null());
	}
	CHECK_TREE(o, LEDGER_ETOOBIG, "members", "");
	CHECK_INT(ledger_canon_check(NULL, NULL), LEDGER_EINVAL);
}

TEST(dump_output_is_capped)
{
	struct ledger_err e;
	json_t *arr = json_array();
	char *out = NULL, *s;
	size_t outlen, i, n = LEDGER_JSON_MAX_STRING;

	if ((s = malloc(n)) == NULL)
		abort();
	memset(s, 'x', n);
	/* 256 strings of 8 KiB each: every rule holds, the total does not. */
	for (i = 0; i < LEDGER_JSON_MAX_MEMBERS; i++)
		json_array_append_new(arr, json_stringn(s, n));
	CHECK_INT(ledger_canon_check(arr, &e), 0);
	CHECK_INT(ledger_canon_dump(arr, &out, &outlen, &e), LEDGER_ETOOBIG);
	CHECK_STR(e.rule, "size");
	CHECK(out == NULL);
	/* Down to 31 strings it fits again. */
	while (json_array_size(arr) > 31)
		json_array_remove(arr, 0);
	CHECK_INT(ledger_canon_dump(arr, &out, &outlen, &e), 0);
	CHECK_INT(outlen, 31 * (n + 3) + 1);
	free(out);
	json_decref(arr);
	free(s);
}

TEST(vectors_are_fixed_points)
{
	static const char *names[] = { "statement_signed_canonical",
	    "leaf_canonical" };
	char path[1024];
	json_t *vec, *v = NULL, *st, *sig;
	const char *c;
	size_t i;

	snprintf(path, sizeof(path), "%s/tests/vectors/ledgerd-v1.json",
	    harness_srcdir());
	vec = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	CHECK(vec != NULL);
	if (vec == NULL)
		return;
	for (i = 0; i < 2; i++) {
		c = json_string_value(json_object_get(vec, names[i]));
		CHECK(c != NULL);
		if (c == NULL)
			continue;
		CHECK_INT(ledger_canon_parse(c, strlen(c), &v, NULL), 0);
		CHECK(v != NULL && dump_eq(v, c, strlen(c)));
		json_decref(v);
	}
	/* The signed part of the statement object, built in memory. */
	st = json_deep_copy(json_object_get(vec, "statement"));
	CHECK(st != NULL && json_object_del(st, "signatures") == 0);
	sig = json_object_get(vec, "statement_signed_canonical");
	c = json_string_value(sig);
	CHECK(st != NULL && c != NULL && dump_eq(st, c, strlen(c)));
	json_decref(st);
	json_decref(vec);
}

/* Round trips. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t
put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static uint32_t
rnd_char(void)
{
	static const uint32_t tops[] = { 0x80, 0x800, 0x10000, 0x110000 };
	uint32_t c;

	do
		c = (uint32_t)(rnd() % tops[rnd() % 4]);
	while ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
	    (c >= 0xd800 && c <= 0xdfff));
	return c;
}

static json_t *
rnd_tree(int depth)
{
	char buf[256];
	json_t *v;
	size_t i, n, len;

	switch (rnd() % (depth < 5 ? 7 : 4)) {
	case 0:
		/* Uniform over the whole range, both edges included. */
		return json_integer((json_int_t)(rnd() %
		    (2 * (uint64_t)LEDGER_JSON_MAX_INT + 1)) -
		    LEDGER_JSON_MAX_INT);
	case 1:
		for (len = 0, n = rnd() % 40; n > 0; n--)
			len += put_utf8(buf + len, rnd_char());
		return json_stringn(buf, len);
	case 2:
		return rnd() % 2 ? json_boolean(rnd() % 2) : json_null();
	case 3:
		return json_integer((json_int_t)(rnd() % 2001) - 1000);
	case 4:
	case 5:
		v = json_object();
		for (n = rnd() % 8, i = 0; i < n; i++) {
			len = (size_t)snprintf(buf, sizeof(buf), "%c%llx",
			    "aBzZ"[rnd() % 4], (unsigned long long)(rnd() %
			    (rnd() % 2 ? 16 : 0xfffffff)));
			json_object_setn_new(v, buf, len, rnd_tree(depth + 1));
		}
		return v;
	default:
		v = json_array();
		for (n = rnd() % 8, i = 0; i < n; i++)
			json_array_append_new(v, rnd_tree(depth + 1));
		return v;
	}
}

TEST(random_trees_round_trip)
{
	json_t *t, *back, *j;
	char *a, *b;
	size_t alen, blen;
	int i, bad = 0;

	for (i = 0; i < 3000; i++) {
		t = rnd_tree(0);
		a = b = NULL;
		back = j = NULL;
		if (ledger_canon_dump(t, &a, &alen, NULL) != 0 ||
		    strlen(a) != alen ||
		    ledger_canon_parse(a, alen, &back, NULL) != 0 ||
		    !json_equal(t, back) ||
		    ledger_canon_dump(back, &b, &blen, NULL) != 0 ||
		    alen != blen || memcmp(a, b, alen) != 0 ||
		    (j = json_loadb(a, alen, JSON_DECODE_ANY, NULL)) == NULL ||
		    !json_equal(j, t))
			bad++;
		free(a);
		free(b);
		json_decref(t);
		json_decref(back);
		json_decref(j);
	}
	CHECK_INT(bad, 0);
}

/*
 * Exact mode skips the duplicate-key lookup (keys must ascend strictly),
 * so a repeated key must still be refused, and a key that is a prefix of
 * the next one sorts first.
 */
TEST(exact_mode_key_order_and_duplicates)
{
	static const char dup[] = "{\"a\":1,\"a\":1}";
	static const char nested[] = "{\"x\":{\"k\":1,\"k\":2}}";
	static const char prefix[] = "{\"a\":1,\"ab\":2,\"b\":3}";
	struct ledger_err err;
	json_t *t = NULL;

	CHECK_INT(ledger_canon_parse_exact(dup, sizeof(dup) - 1, &t, &err),
	    LEDGER_ECANON);
	CHECK(t == NULL);
	CHECK_INT(ledger_canon_parse_exact(nested, sizeof(nested) - 1, &t,
	    &err), LEDGER_ECANON);
	CHECK_STR(err.path, "x");	/* key order is the object's */
	CHECK_STR(err.rule, "not-canonical");
	CHECK_INT(ledger_canon_parse(dup, sizeof(dup) - 1, &t, &err),
	    LEDGER_ECANON);
	CHECK_STR(err.rule, "duplicate-key");
	CHECK_INT(ledger_canon_parse_exact(prefix, sizeof(prefix) - 1, &t,
	    &err), 0);
	CHECK_INT(json_object_size(t), 3);
	json_decref(t);
}

/*
 * Exact mode: every canonical dump parses exactly, and every one-edit
 * variant that is still valid JSON (a space, swapped keys, a needless
 * escape, -0, a raw TAB) is refused as not-canonical.
 */
TEST(exact_mode_accepts_only_canonical_bytes)
{
	static const char *const bad[] = {
		"{\"a\":1 }",
		" {\"a\":1}",
		"{\"a\": 1}",
		"[1, 2]",
		"{\"b\":1,\"a\":2}",
		"{\"ab\":1,\"a\":2}",
		"{\"a\":{\"ab\":1,\"a\":2}}",
		"{\"a\":\"\\/\"}",
		"{\"a\":\"\\u0041\"}",
		"{\"a\":\"\\u00e9\"}",
		"{\"a\":-0}",
		"{\"a\":\"x\ty\"}",
		"{\"a\":\"x\ny\"}",
	};
	struct ledger_err err;
	json_t *t, *back;
	char *a;
	size_t alen, i;
	int bad_ok = 0, good_bad = 0;

	for (i = 0; i < 2000; i++) {
		t = rnd_tree(0);
		if (ledger_canon_dump(t, &a, &alen, NULL) != 0 ||
		    ledger_canon_parse_exact(a, alen, &back, NULL) != 0)
			good_bad++;
		else if (!json_equal(t, back))
			good_bad++;
		else
			json_decref(back);
		free(a);
		json_decref(t);
	}
	CHECK_INT(good_bad, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Valid in the subset, refused only for its form. */
		CHECK_INT(ledger_canon_parse(bad[i], strlen(bad[i]),
		    &back, NULL), 0);
		json_decref(back);
		ledger_err_clear(&err);
		if (ledger_canon_parse_exact(bad[i], strlen(bad[i]),
		    &back, &err) != LEDGER_ECANON ||
		    strcmp(err.rule, "not-canonical") != 0) {
			harness_fail(__FILE__, __LINE__, "exact mode accepted "
			    "%s (rule %s)", bad[i], err.rule);
			bad_ok++;
		} else
			harness_pass();
	}
	CHECK_INT(bad_ok, 0);
}

/* Every code point, escaped and raw, in strings of 1024 at a time. */
TEST(every_code_point)
{
	static char in[1024 * 12 + 8], want[1024 * 4 + 8];
	struct ledger_err e;
	uint32_t base, c;
	size_t il, wl;
	json_t *v;
	int raw, bad = 0;

	for (raw = 0; raw < 2; raw++)
		for (base = 0; base < 0x110000; base += 1024) {
			il = wl = 0;
			in[il++] = want[wl++] = '"';
			for (c = base; c < base + 1024; c++) {
				if ((c < 0x20 && c != '\t' && c != '\n' &&
				    c != '\r') || (c >= 0xd800 && c <= 0xdfff))
					continue;
				if (c == '"' || c == '\\' || c == '\t' ||
				    c == '\n' || c == '\r') {
					want[wl++] = '\\';
					want[wl++] = c == '\t' ? 't' :
					    c == '\n' ? 'n' : c == '\r' ? 'r' :
					    (char)c;
				} else
					wl += put_utf8(want + wl, c);
				if (!raw && c >= 0x10000)
					il += (size_t)snprintf(in + il, 13,
					    "\\u%04x\\u%04x",
					    0xd800 + ((c - 0x10000) >> 10),
					    0xdc00 + ((c - 0x10000) & 0x3ff));
				else if (!raw)
					il += (size_t)snprintf(in + il, 7,
					    "\\u%04X", c);
				else if (c == '"' || c == '\\') {
					in[il++] = '\\';
					in[il++] = (char)c;
				} else
					il += put_utf8(in + il, c);
			}
			in[il++] = want[wl++] = '"';
			v = NULL;
			if (ledger_canon_parse(in, il, &v, &e) != 0 ||
			    !dump_eq(v, want, wl))
				bad++;
			json_decref(v);
		}
	CHECK_INT(bad, 0);
	/* Surrogates alone, escaped and UTF-8 encoded. */
	for (c = 0xd800; c <= 0xdfff; c++) {
		il = (size_t)snprintf(in, sizeof(in), "[\"\\u%04x\"]", c);
		if (ledger_canon_parse(in, il, &v, &e) != LEDGER_ECANON ||
		    strcmp(e.rule, "utf8") != 0 || strcmp(e.path, "[0]") != 0)
			bad++;
		in[0] = '"';
		il = 1 + put_utf8(in + 1, c);
		if (ledger_canon_parse(in, il, &v, &e) != LEDGER_ECANON ||
		    strcmp(e.rule, "utf8") != 0)
			bad++;
	}
	CHECK_INT(bad, 0);
}

/*
 * Reference UTF-8 decoder, by arithmetic rather than tables: the verdict
 * on the bytes of a string body, or -1 when they contain '"' or '\'.
 */
enum { REF_OK, REF_UTF8, REF_CONTROL, REF_SKIP };

static int
ref_verdict(const unsigned char *s, size_t n)
{
	static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
	size_t i = 0, k, j;
	uint32_t c;

	while (i < n) {
		if (s[i] < 0x80)
			k = 0, c = s[i];
		else if ((s[i] & 0xe0) == 0xc0)
			k = 1, c = s[i] & 0x1f;
		else if ((s[i] & 0xf0) == 0xe0)
			k = 2, c = s[i] & 0x0f;
		else if ((s[i] & 0xf8) == 0xf0)
			k = 3, c = s[i] & 0x07;
		else
			return REF_UTF8;
		if (n - i < k + 1)
			return REF_UTF8;
		for (j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return REF_UTF8;
			c = c << 6 | (s[i + j] & 0x3f);
		}
		if (c < min[k] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return REF_UTF8;
		if (c == '"' || c == '\\')
			return REF_SKIP;
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return REF_CONTROL;
		i += k + 1;
	}
	return REF_OK;
}

TEST(utf8_against_reference_decoder)
{
	static const unsigned char tails[][3] = {
		{ 0 }, { 1, 0x80 }, { 2, 0x80, 0x80 }, { 2, 0xbf, 0xbf },
		{ 1, 'A' }, { 2, 0x8f, 0xc0 },
	};
	static const unsigned char set[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f,
	    0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xf4, 0xff };
	struct ledger_err e;
	unsigned char in[8];
	size_t t, n, a, b, c, d;
	json_t *v;
	int want, rc, bad = 0, tested = 0;

	for (t = 0; t < 6 * 256 * 256 + 64 * 12 * 12 * 12; t++) {
		in[0] = '"';
		if (t < 6 * 256 * 256) {
			in[1] = (unsigned char)(t >> 8 & 0xff);
			in[2] = (unsigned char)(t & 0xff);
			memcpy(in + 3, tails[t >> 16] + 1, tails[t >> 16][0]);
			n = 3 + tails[t >> 16][0];
		} else {
			a = t - 6 * 256 * 256;
			b = a / 1728, c = a / 144 % 12, d = a / 12 % 12;
			in[1] = (unsigned char)(0xc0 + b);
			in[2] = set[c];
			in[3] = set[d];
			in[4] = set[a % 12];
			n = 5;
		}
		if ((want = ref_verdict(in + 1, n - 1)) == REF_SKIP)
			continue;
		in[n++] = '"';
		tested++;
		v = NULL;
		rc = ledger_canon_parse((const char *)in, n, &v, &e);
		if (want == REF_OK ? rc != 0 ||
		    json_string_length(v) != n - 2 ||
		    memcmp(json_string_value(v), in + 1, n - 2) != 0 :
		    rc != LEDGER_ECANON || strcmp(e.rule, want == REF_UTF8 ?
		    "utf8" : "control-char") != 0) {
			if (bad++ < 5)
				harness_fail(__FILE__, __LINE__, "bytes %02x "
				    "%02x %02x %02x: rc %d rule %s, reference "
				    "%d", in[1], in[2], in[3], in[4], rc,
				    e.rule, want);
		}
		json_decref(v);
	}
	CHECK_INT(bad, 0);
	CHECK(tested > 400000);
}
