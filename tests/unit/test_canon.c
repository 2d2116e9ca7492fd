/*
 * test_canon.c - canonical JSON: byte identity with an independent
 * serializer (python3, tests/unit/gen_canon.py), the RFC 8785 examples,
 * and every refusal rule at its edge with code, rule and path.  Trees in
 * memory and round trips are in test_canon_tree.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ledger/canon.h"
#include "ledger/limits.h"

#define GEN_SEED	20260815
#define GEN_COUNT	2500

/* Refusal of len bytes of s, with the expected code, rule and path. */
static void
refuse_at(int line, const char *s, size_t len, int code, const char *rule,
    const char *path)
{
	struct ledger_err e;
	json_t *v = json_null();
	int rc;

	rc = ledger_canon_parse(s, len, &v, &e);
	if (rc == code && strcmp(e.rule, rule) == 0 &&
	    strcmp(e.path, path) == 0 && e.code == code && e.msg[0] != '\0' &&
	    v == NULL)
		harness_pass();
	else
		harness_fail(__FILE__, line, "input %.60s: got %d rule \"%s\" "
		    "path \"%s\" (%s), want %d \"%s\" \"%s\"", s ? s : "", rc,
		    e.rule, e.path, e.msg, code, rule, path);
	if (rc == 0)
		json_decref(v);
}

#define REFUSE(s, code, rule, path) \
	refuse_at(__LINE__, (s), strlen(s), (code), (rule), (path))
#define REFUSE_N(s, n, code, rule, path) \
	refuse_at(__LINE__, (s), (n), (code), (rule), (path))

/* Acceptance of s whose canonical form is want. */
static void
accept_at(int line, const char *s, size_t len, const char *want)
{
	struct ledger_err e;
	json_t *v = NULL;
	char *out = NULL;
	size_t outlen = 0;
	int rc;

	if ((rc = ledger_canon_parse(s, len, &v, &e)) != 0) {
		harness_fail(__FILE__, line, "input %.60s refused: %s at "
		    "\"%s\": %s", s, e.rule, e.path, e.msg);
		return;
	}
	rc = ledger_canon_dump(v, &out, &outlen, &e);
	if (rc == 0 && outlen == strlen(want) && memcmp(out, want, outlen) == 0)
		harness_pass();
	else
		harness_fail(__FILE__, line, "input %.60s: dump %d \"%.80s\", "
		    "want \"%.80s\"", s, rc, out ? out : "", want);
	free(out);
	json_decref(v);
}

#define ACCEPT(s, want)	accept_at(__LINE__, (s), strlen(s), (want))

static int
parses(const char *s, size_t len)
{
	json_t *v = NULL;
	int rc = ledger_canon_parse(s, len, &v, NULL);

	json_decref(v);
	return rc == 0;
}

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

/* 1. Byte identity with Python's serializer on generated documents. */
TEST(generated_documents_match_python)
{
	char cmd[1024], *in = NULL, *ref = NULL;
	size_t inlen, reflen, n = 0, bad = 0, differ = 0;
	json_t *v, *v2, *j;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "python3 '%s/tests/unit/gen_canon.py' %d %d",
	    harness_srcdir(), GEN_SEED, GEN_COUNT);
	f = popen(cmd, "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fscanf(f, "%zu %zu", &inlen, &reflen) == 2 && fgetc(f) == '\n') {
		if ((in = realloc(in, inlen + 1)) == NULL ||
		    (ref = realloc(ref, reflen + 1)) == NULL ||
		    fread(in, 1, inlen, f) != inlen ||
		    fread(ref, 1, reflen, f) != reflen)
			break;
		n++;
		differ += inlen != reflen || memcmp(in, ref, inlen) != 0;
		v = v2 = NULL;
		if (ledger_canon_parse(in, inlen, &v, NULL) != 0 ||
		    !dump_eq(v, ref, reflen) ||
		    ledger_canon_parse(ref, reflen, &v2, NULL) != 0 ||
		    !dump_eq(v2, ref, reflen) || !json_equal(v, v2)) {
			if (bad++ < 5)
				harness_fail(__FILE__, __LINE__,
				    "document %zu: %.*s", n,
				    (int)(inlen < 200 ? inlen : 200), in);
		} else
			harness_pass();
		/* Jansson's own parser is a third opinion on the meaning. */
		j = json_loadb(ref, reflen, JSON_DECODE_ANY |
		    JSON_REJECT_DUPLICATES, NULL);
		CHECK(j != NULL && v != NULL && json_equal(j, v));
		json_decref(j);
		json_decref(v);
		json_decref(v2);
	}
	free(in);
	free(ref);
	CHECK_INT(pclose(f), 0);
	CHECK_INT(n, GEN_COUNT);
	CHECK_INT(bad, 0);
	/* The inputs really are non-canonical renderings. */
	CHECK(differ > n * 9 / 10);
}

/* 2. RFC 8785 examples: outside the subset, refused at the right place. */
TEST(rfc8785_numbers_example_refused)
{
	REFUSE("{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
	    "0.000000000000000000000000001], \"string\": "
	    "\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\", "
	    "\"literals\": [null, true, false]}",
	    LEDGER_ECANON, "float", "numbers[0]");
	/* Each number alone, and the string alone (\u000F). */
	REFUSE("{\"numbers\": [1E30]}", LEDGER_ECANON, "float", "numbers[0]");
	REFUSE("{\"numbers\": [4.50]}", LEDGER_ECANON, "float", "numbers[0]");
	REFUSE("{\"numbers\": [2e-3]}", LEDGER_ECANON, "float", "numbers[0]");
	REFUSE("{\"numbers\": [0.000000000000000000000000001]}",
	    LEDGER_ECANON, "float", "numbers[0]");
	REFUSE("{\"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c"
	    "\\\\\\\"\\/\"}", LEDGER_ECANON, "control-char", "string");
}

TEST(rfc8785_number_serialization_table)
{
	/* RFC 8785 appendix B, as JSON text: only the integers fit. */
	static const struct { const char *num, *rule; } t[] = {
		{ "0", NULL },
		{ "-0", NULL },
		{ "5e-324", "float" },
		{ "-5e-324", "float" },
		{ "1.7976931348623157e+308", "float" },
		{ "-1.7976931348623157e+308", "float" },
		{ "9007199254740992", "int-range" },
		{ "-9007199254740992", "int-range" },
		{ "295147905179352830000", "int-range" },
		{ "9.999999999999997e+22", "float" },
		{ "1e+23", "float" },
		{ "1.0000000000000001e+23", "float" },
		{ "999999999999999700000", "int-range" },
		{ "999999999999999900000", "int-range" },
		{ "1e+21", "float" },
		{ "9.999999999999997e-7", "float" },
		{ "0.000001", "float" },
		{ "333333333.3333332", "float" },
		{ "333333333.33333325", "float" },
		{ "333333333.3333333", "float" },
		{ "333333333.3333334", "float" },
		{ "333333333.33333343", "float" },
		{ "-0.0000033333333333333333", "float" },
		{ "1424953923781206.2", "float" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"n\":[%s]}", t[i].num);
		if (t[i].rule == NULL)
			ACCEPT(buf, "{\"n\":[0]}");
		else
			REFUSE(buf, LEDGER_ECANON, t[i].rule, "n[0]");
	}
	/* NaN and Infinity are not JSON at all. */
	REFUSE("{\"n\":NaN}", LEDGER_EJSON, "syntax", "n");
	REFUSE("{\"n\":Infinity}", LEDGER_EJSON, "syntax", "n");
	REFUSE("{\"n\":-Infinity}", LEDGER_EJSON, "syntax", "n");
}

TEST(rfc8785_sorting_example_refused)
{
	static const char *keys[] = {
		"\\u20ac", "\\r", "\\ufb33", "1", "\\ud83d\\ude00", "\\u0080",
		"\\u00f6", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
		"\xf0\x9f\x98\x80", "_x", "a-b", "a b", "", "\\u0000",
	};
	char buf[128];
	size_t i;

	REFUSE("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", "
	    "\"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\", "
	    "\"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": "
	    "\"Control\", \"\\u00f6\": \"Latin Small Letter O With "
	    "Diaeresis\"}", LEDGER_ECANON, "bad-key", "");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"a\":{\"ok\":1,\"%s\":1}}",
		    keys[i]);
		if (strcmp(keys[i], "\\u0000") == 0)
			REFUSE(buf, LEDGER_ECANON, "control-char", "a");
		else
			REFUSE(buf, LEDGER_ECANON, "bad-key", "a");
	}
}

TEST(rfc8785_in_subset_versions_canonicalize)
{
	/* 3.2.2 with integers and without \u000F: JCS output minus floats. */
	ACCEPT("{\n  \"numbers\": [333333333, 1000000000000000, 4, 2, 0],\n"
	    "  \"string\": "
	    "\"\\u20ac$\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
	    "  \"literals\": [null, true, false]\n}",
	    "{\"literals\":[null,true,false],\"numbers\":[333333333,"
	    "1000000000000000,4,2,0],\"string\":\"\xe2\x82\xac$\\nA'B\\\"\\\\"
	    "\\\\\\\"/\"}");
	/* 3.2.3 with ASCII keys: sorted bytewise, values kept raw. */
	ACCEPT("{\"euro\": \"\\u20ac\", \"cr\": \"\\r\", "
	    "\"dalet\": \"\\ufb33\", "
	    "\"One\": \"1\", \"emoji\": \"\\ud83d\\ude00\", \"control\": "
	    "\"\\u0080\", \"o\": \"\\u00f6\"}",
	    "{\"One\":\"1\",\"control\":\"\xc2\x80\",\"cr\":\"\\r\","
	    "\"dalet\":\"\xef\xac\xb3\",\"emoji\":\"\xf0\x9f\x98\x80\","
	    "\"euro\":\"\xe2\x82\xac\",\"o\":\"\xc3\xb6\"}");
	/* JCS escapes: only " \ and the allowed controls; / and DEL raw. */
	ACCEPT("[\"\\/\\\"\\\\\t\\t\n\\n\r\\r\x7f\\u007f\\u2028\"]",
	    "[\"/\\\"\\\\\\t\\t\\n\\n\\r\\r\x7f\x7f\xe2\x80\xa8\"]");
	ACCEPT(" 42 ", "42");
	ACCEPT("\"x\"", "\"x\"");
	ACCEPT("\t\n\r null\n", "null");
	ACCEPT("[ ]", "[]");
	ACCEPT("{ }", "{}");
}

/* 3. One test per refusal class. */
TEST(refuse_float)
{
	REFUSE("{\"body\":{\"value\":{\"amount_minor\":1.0}}}", LEDGER_ECANON,
	    "float", "body.value.amount_minor");
	REFUSE("{\"a\":1e5}", LEDGER_ECANON, "float", "a");
	REFUSE("{\"a\":-0.0}", LEDGER_ECANON, "float", "a");
	REFUSE("{\"a\":0E0}", LEDGER_ECANON, "float", "a");
	REFUSE("{\"body\":{\"counts\":[{\"value\":1},{\"value\":2},"
	    "{\"value\":3.5}]}}", LEDGER_ECANON, "float",
	    "body.counts[2].value");
	REFUSE("[[1,[2,2.5]]]", LEDGER_ECANON, "float", "[0][1][1]");
	REFUSE("1.5", LEDGER_ECANON, "float", "");
	/* Grammar violations are syntax, not float. */
	REFUSE("{\"a\":1.}", LEDGER_EJSON, "syntax", "a");
	REFUSE("{\"a\":.5}", LEDGER_EJSON, "syntax", "a");
	REFUSE("{\"a\":1e}", LEDGER_EJSON, "syntax", "a");
	REFUSE("{\"a\":1e+}", LEDGER_EJSON, "syntax", "a");
	REFUSE("{\"a\":01}", LEDGER_EJSON, "syntax", "a");
	REFUSE("{\"a\":-01}", LEDGER_EJSON, "syntax", "a");
	REFUSE("{\"a\":+1}", LEDGER_EJSON, "syntax", "a");
	REFUSE("{\"a\":-}", LEDGER_EJSON, "syntax", "a");
	REFUSE("{\"a\":0x10}", LEDGER_EJSON, "syntax", "");
}

TEST(refuse_int_range_at_edges)
{
	ACCEPT("{\"a\":9007199254740991}", "{\"a\":9007199254740991}");
	ACCEPT("{\"a\":-9007199254740991}", "{\"a\":-9007199254740991}");
	ACCEPT("{\"a\":-0}", "{\"a\":0}");
	REFUSE("{\"a\":9007199254740992}", LEDGER_ECANON, "int-range", "a");
	REFUSE("{\"a\":-9007199254740992}", LEDGER_ECANON, "int-range", "a");
	REFUSE("{\"a\":9999999999999999}", LEDGER_ECANON, "int-range", "a");
	REFUSE("{\"a\":18446744073709551617}", LEDGER_ECANON, "int-range", "a");
	REFUSE("{\"a\":[1234567890123456789012345678901234567890]}",
	    LEDGER_ECANON, "int-range", "a[0]");
	REFUSE("-1234567890123456789012345678901234567890", LEDGER_ECANON,
	    "int-range", "");
}

TEST(refuse_duplicate_key)
{
	REFUSE("{\"a\":1,\"a\":1}", LEDGER_ECANON, "duplicate-key", "a");
	REFUSE("{\"body\":{\"value\":{\"x\":1,\"amount\":1,\"amount\":2}}}",
	    LEDGER_ECANON, "duplicate-key", "body.value.amount");
	/* Escapes do not hide a duplicate. */
	REFUSE("{\"list\":[{},{\"ab\":1,\"\\u0061b\":2}]}", LEDGER_ECANON,
	    "duplicate-key", "list[1].ab");
	/* The same key in sibling objects is fine. */
	ACCEPT("[{\"a\":1},{\"a\":2}]", "[{\"a\":1},{\"a\":2}]");
}

TEST(refuse_bad_key)
{
	char buf[256];

	REFUSE("{\"id\":{\"9lives\":1}}", LEDGER_ECANON, "bad-key", "id");
	REFUSE("{\"_a\":1}", LEDGER_ECANON, "bad-key", "");
	REFUSE("{\"\":1}", LEDGER_ECANON, "bad-key", "");
	REFUSE("[{\"a.b\":1}]", LEDGER_ECANON, "bad-key", "[0]");
	REFUSE("{\"caf\xc3\xa9\":1}", LEDGER_ECANON, "bad-key", "");
	/* 64 bytes is the longest key; 65 is refused. */
	snprintf(buf, sizeof(buf), "{\"%.64s\":1}", "k123456789012345678901234"
	    "5678901234567890123456789012345678901234567890");
	ACCEPT(buf, buf);
	snprintf(buf, sizeof(buf), "{\"%.65s\":1}", "k123456789012345678901234"
	    "5678901234567890123456789012345678901234567890");
	REFUSE(buf, LEDGER_ECANON, "bad-key", "");
	/* Letters, digits and '_'; an escaped key is decoded first. */
	ACCEPT("{\"aZ_09\":1}", "{\"aZ_09\":1}");
	ACCEPT("{\"\\u0061b\":1}", "{\"ab\":1}");
	REFUSE("{\"a\\u002eb\":1}", LEDGER_ECANON, "bad-key", "");
	/* A non-string key is a syntax error. */
	REFUSE("{a:1}", LEDGER_EJSON, "syntax", "");
	REFUSE("{1:1}", LEDGER_EJSON, "syntax", "");
}

/*
 * Every byte as a key's first and as its second byte, in both modes,
 * against the rule written out: a letter, then letters, digits or '_'.
 * Also every such key cut short by the end of the input.
 */
TEST(key_bytes)
{
	json_t *v;
	char doc[16];
	size_t n;
	int c, pos, ok, rc, first, rest;

	for (pos = 0; pos < 2; pos++)
		for (c = 1; c < 256; c++) {
			first = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
			rest = first || (c >= '0' && c <= '9') || c == '_';
			n = (size_t)snprintf(doc, sizeof(doc), "{\"%s%c\":1}",
			    pos ? "k" : "", c);
			ok = pos ? rest : first;
			v = NULL;
			rc = ledger_canon_parse(doc, n, &v, NULL);
			CHECK_INT(rc == 0, ok);
			json_decref(v);
			v = NULL;
			rc = ledger_canon_parse_exact(doc, n, &v, NULL);
			CHECK_INT(rc == 0, ok);
			json_decref(v);
			/* Cut after the key's bytes: never a document. */
			v = NULL;
			CHECK(ledger_canon_parse(doc, (size_t)pos + 3, &v,
			    NULL) != 0);
			json_decref(v);
		}
}

TEST(refuse_control_chars)
{
	char buf[32];
	int c;

	for (c = 0; c < 0x20; c++) {
		snprintf(buf, sizeof(buf), "{\"s\":\"a\\u%04x\"}", c);
		if (c == '\t' || c == '\n' || c == '\r')
			CHECK(parses(buf, strlen(buf)));
		else
			REFUSE(buf, LEDGER_ECANON, "control-char", "s");
	}
	/* Raw bytes (including NUL, so lengths are explicit). */
	for (c = 0; c < 0x20; c++) {
		memcpy(buf, "{\"s\":[\"a\0\"]}", 13);
		buf[8] = (char)c;
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		REFUSE_N(buf, 12, LEDGER_ECANON, "control-char", "s[0]");
	}
	REFUSE("{\"s\":\"\\b\"}", LEDGER_ECANON, "control-char", "s");
	REFUSE("{\"s\":\"\\f\"}", LEDGER_ECANON, "control-char", "s");
	REFUSE("{\"s\":\"\\u0000\"}", LEDGER_ECANON, "control-char", "s");
	ACCEPT("{\"s\":\"\t\r\n\\t\\r\\n\"}", "{\"s\":\"\\t\\r\\n\\t\\r\\n\"}");
	/* Outside strings a control character is just bad grammar. */
	REFUSE("{\"s\":\x01" "1}", LEDGER_EJSON, "syntax", "s");
}

/*
 * A string's plain runs are copied whole: every byte value at every
 * position of a 24-byte string is taken exactly when it is printable ASCII
 * other than '"' and '\\' (or TAB, LF, CR for the lenient parser), and
 * what is taken comes back unchanged.
 */
TEST(every_byte_at_every_string_position)
{
	char doc[64];
	json_t *v;
	size_t pos, bad = 0, taken = 0;
	int b, exact, ok, want;

	for (exact = 0; exact <= 1; exact++)
		for (pos = 0; pos < 24; pos++)
			for (b = 1; b < 256; b++) {
				memcpy(doc, "{\"s\":\"", 6);
				memset(doc + 6, 'a', 24);
				doc[6 + pos] = (char)b;
				memcpy(doc + 30, "\"}", 2);
				want = (b >= 0x20 && b < 0x80 && b != '"' &&
				    b != '\\') || (!exact && (b == '\t' ||
				    b == '\n' || b == '\r'));
				ok = (exact ? ledger_canon_parse_exact(doc, 32,
				    &v, NULL) : ledger_canon_parse(doc, 32, &v,
				    NULL)) == 0;
				if (ok) {
					json_t *str = json_object_get(v, "s");

					taken++;
					bad += json_string_length(str) != 24 ||
					    memcmp(json_string_value(str),
					    doc + 6, 24) != 0;
					json_decref(v);
				}
				bad += ok != want;
			}
	CHECK_INT(bad, 0);
	CHECK_INT(taken, 2 * 24 * 94 + 24 * 3);
}

TEST(refuse_invalid_utf8)
{
	static const struct { const char *bytes, *why; } t[] = {
		{ "\x80", "lone continuation" },
		{ "\xbf", "lone continuation" },
		{ "\xc0\x80", "overlong NUL" },
		{ "\xc1\xbf", "overlong 2-byte" },
		{ "\xe0\x80\x80", "overlong 3-byte" },
		{ "\xe0\x9f\xbf", "overlong 3-byte" },
		{ "\xf0\x80\x80\x80", "overlong 4-byte" },
		{ "\xf0\x8f\xbf\xbf", "overlong 4-byte" },
		{ "\xed\xa0\x80", "UTF-8 encoded high surrogate" },
		{ "\xed\xbf\xbf", "UTF-8 encoded low surrogate" },
		{ "\xed\xa0\xbd\xed\xb8\x80", "CESU-8 pair" },
		{ "\xf4\x90\x80\x80", "above U+10FFFF" },
		{ "\xf5\x80\x80\x80", "lead F5" },
		{ "\xff", "byte FF" },
		{ "\xc3", "truncated 2-byte" },
		{ "\xe2\x82", "truncated 3-byte" },
		{ "\xf0\x9f\x98", "truncated 4-byte" },
		{ "\xe2\x28\xa1", "bad continuation" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"t\":{\"u\":\"ok%sok\"}}",
		    t[i].bytes);
		REFUSE(buf, LEDGER_ECANON, "utf8", "t.u");
		/* Truncated at the very end of the input. */
		snprintf(buf, sizeof(buf), "\"%s", t[i].bytes);
		REFUSE(buf, LEDGER_ECANON, "utf8", "");
	}
	/* Invalid UTF-8 in a key is refused too, at the object. */
	REFUSE("{\"o\":{\"k\xff\":1}}", LEDGER_ECANON, "utf8", "o");
	ACCEPT("\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\xc2\x80\"",
	    "\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\xc2\x80\"");
}

TEST(refuse_lone_surrogate_escapes)
{
	REFUSE("{\"s\":\"\\ud800\"}", LEDGER_ECANON, "utf8", "s");
	REFUSE("{\"s\":\"\\uDBFFx\"}", LEDGER_ECANON, "utf8", "s");
	REFUSE("{\"s\":\"\\udc00\"}", LEDGER_ECANON, "utf8", "s");
	REFUSE("{\"s\":\"\\ude00\\ud83d\"}", LEDGER_ECANON, "utf8", "s");
	REFUSE("{\"s\":\"\\ud83d\\ud83d\"}", LEDGER_ECANON, "utf8", "s");
	REFUSE("{\"s\":\"\\ud83d\\u0041\"}", LEDGER_ECANON, "utf8", "s");
	REFUSE("{\"s\":\"\\ud83d\\n\"}", LEDGER_ECANON, "utf8", "s");
	REFUSE("{\"s\":\"\\ud83d", LEDGER_ECANON, "utf8", "s");
	ACCEPT("{\"s\":\"\\ud83d\\ude00\\uDBFF\\uDFFF\"}",
	    "{\"s\":\"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"}");
	/* Malformed escapes are syntax. */
	REFUSE("{\"s\":\"\\u12\"}", LEDGER_EJSON, "syntax", "s");
	REFUSE("{\"s\":\"\\u12g4\"}", LEDGER_EJSON, "syntax", "s");
	REFUSE("{\"s\":\"\\x41\"}", LEDGER_EJSON, "syntax", "s");
	REFUSE("{\"s\":\"\\U0041\"}", LEDGER_EJSON, "syntax", "s");
	REFUSE("{\"s\":\"\\", LEDGER_EJSON, "syntax", "s");
}

/* "[" x n, then "]" x n. */
static char *
nested(int n, const char *inner)
{
	size_t il = strlen(inner);
	char *s = malloc((size_t)n * 2 + il + 1);
	int i;

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[(size_t)n + il + (size_t)i] = ']';
	}
	memcpy(s + n, inner, il);
	s[(size_t)n * 2 + il] = '\0';
	return s;
}

TEST(depth_at_and_over_limit)
{
	char path[128];
	char *s;
	int i;

	s = nested(LEDGER_JSON_MAX_DEPTH, "7");
	ACCEPT(s, s);
	free(s);
	s = nested(LEDGER_JSON_MAX_DEPTH - 1, "{\"a\":1}");
	ACCEPT(s, s);
	free(s);
	for (i = 0; i < LEDGER_JSON_MAX_DEPTH; i++)
		memcpy(path + 3 * i, "[0]", 4);
	s = nested(LEDGER_JSON_MAX_DEPTH + 1, "");
	REFUSE(s, LEDGER_ETOOBIG, "depth", path);
	free(s);
	s = nested(LEDGER_JSON_MAX_DEPTH, "{}");
	REFUSE(s, LEDGER_ETOOBIG, "depth", path);
	free(s);
	/* Deep enough to crash a naive recursive parser. */
	s = nested(100000, "");
	REFUSE(s, LEDGER_ETOOBIG, "depth", path);
	free(s);
}

TEST(size_at_and_over_limit)
{
	size_t n = LEDGER_JSON_MAX_BYTES;
	char *s = malloc(n + 2);
	json_t *v = NULL;

	if (s == NULL)
		abort();
	/* A string value padded with whitespace to exactly the limit. */
	memset(s, ' ', n + 1);
	memcpy(s, "{\"a\":\"x\"}", 9);
	s[n + 1] = '\0';
	CHECK_INT(ledger_canon_parse(s, n, &v, NULL), 0);
	CHECK(v != NULL && dump_eq(v, "{\"a\":\"x\"}", 9));
	json_decref(v);
	REFUSE_N(s, n + 1, LEDGER_ETOOBIG, "size", "");
	free(s);
}

TEST(string_size_at_and_over_limit)
{
	size_t max = LEDGER_JSON_MAX_STRING, i;
	char *s = malloc(max * 6 + 64);

	if (s == NULL)
		abort();
	memcpy(s, "{\"s\":\"", 6);
	memset(s + 6, 'x', max);
	memcpy(s + 6 + max, "\"}", 3);
	ACCEPT(s, s);
	memcpy(s + 6 + max, "x\"}", 4);
	REFUSE(s, LEDGER_ETOOBIG, "string-size", "s");
	/* The limit counts decoded bytes: a 4-byte character over the edge. */
	memcpy(s + 6 + max - 2, "\xf0\x9f\x98\x80\"}", 7);
	REFUSE(s, LEDGER_ETOOBIG, "string-size", "s");
	memcpy(s + 6 + max - 4, "\xf0\x9f\x98\x80\"}", 7);
	ACCEPT(s, s);
	/* 4096 escapes of a 2-byte character decode to exactly the limit. */
	for (i = 0; i < max / 2; i++)
		memcpy(s + 6 + 6 * i, "\\u00e9", 6);
	memcpy(s + 6 + 6 * i, "\"}", 3);
	CHECK(parses(s, strlen(s)));
	memcpy(s + 6 + 6 * i, "e\"}", 4);
	REFUSE(s, LEDGER_ETOOBIG, "string-size", "s");
	free(s);
}

static char *
many(size_t n, int object)
{
	char *s = malloc(n * 16 + 8), *p;
	size_t i;

	if (s == NULL)
		abort();
	p = s;
	*p++ = object ? '{' : '[';
	for (i = 0; i < n; i++)
		p += object ? snprintf(p, 16, "%s\"k%zu\":%zu", i ? "," : "",
		    i, i) : snprintf(p, 16, "%s%zu", i ? "," : "", i);
	*p++ = object ? '}' : ']';
	*p = '\0';
	return s;
}

TEST(members_at_and_over_limit)
{
	char *s, *in;

	s = many(LEDGER_JSON_MAX_MEMBERS, 0);
	ACCEPT(s, s);
	free(s);
	s = many(LEDGER_JSON_MAX_MEMBERS + 1, 0);
	REFUSE(s, LEDGER_ETOOBIG, "members", "");
	free(s);
	s = many(LEDGER_JSON_MAX_MEMBERS, 1);
	CHECK(parses(s, strlen(s)));
	free(s);
	s = many(LEDGER_JSON_MAX_MEMBERS + 1, 1);
	if ((in = malloc(strlen(s) + 16)) == NULL)
		abort();
	snprintf(in, strlen(s) + 16, "{\"x\":[%s]}", s);
	REFUSE(in, LEDGER_ETOOBIG, "members", "x[0]");
	free(in);
	free(s);
}

TEST(refuse_trailing_and_syntax)
{
	REFUSE("{} x", LEDGER_EJSON, "trailing", "");
	REFUSE("{}{}", LEDGER_EJSON, "trailing", "");
	REFUSE("1 2", LEDGER_EJSON, "trailing", "");
	REFUSE("[1]]", LEDGER_EJSON, "trailing", "");
	REFUSE("\"a\"\"b\"", LEDGER_EJSON, "trailing", "");
	REFUSE("truex", LEDGER_EJSON, "trailing", "");
	REFUSE_N("{}\0", 3, LEDGER_EJSON, "trailing", "");
	REFUSE("", LEDGER_EJSON, "syntax", "");
	REFUSE(" \t\r\n", LEDGER_EJSON, "syntax", "");
	REFUSE_N(NULL, 0, LEDGER_EJSON, "syntax", "");
	REFUSE("[1,]", LEDGER_EJSON, "syntax", "[1]");
	REFUSE("{\"a\":1,}", LEDGER_EJSON, "syntax", "");
	REFUSE("[1 2]", LEDGER_EJSON, "syntax", "");
	REFUSE("{\"a\" 1}", LEDGER_EJSON, "syntax", "a");
	REFUSE("{\"a\":1", LEDGER_EJSON, "syntax", "");
	REFUSE("{\"a\":", LEDGER_EJSON, "syntax", "a");
	REFUSE("[", LEDGER_EJSON, "syntax", "[0]");
	REFUSE("\"abc", LEDGER_EJSON, "syntax", "");
	REFUSE("tru", LEDGER_EJSON, "syntax", "");
	REFUSE("nul", LEDGER_EJSON, "syntax", "");
	REFUSE("False", LEDGER_EJSON, "syntax", "");
	REFUSE("'a'", LEDGER_EJSON, "syntax", "");
	REFUSE("\xef\xbb\xbf{}", LEDGER_EJSON, "syntax", "");
	REFUSE("{\"a\":1}\f", LEDGER_EJSON, "trailing", "");
	REFUSE("[1,\v2]", LEDGER_EJSON, "syntax", "[1]");
}

TEST(error_details)
{
	struct ledger_err e;
	json_t *v = NULL;
	char deep[4096], want[LEDGER_ERR_PATH_MAX];
	size_t n = 0;
	int i;

	CHECK_INT(ledger_canon_parse("{\"amount\":1.5}", 14, &v, &e),
	    LEDGER_ECANON);
	CHECK(strstr(e.msg, "minor units") != NULL);
	/* err may be NULL. */
	CHECK_INT(ledger_canon_parse("[1.5]", 5, &v, NULL), LEDGER_ECANON);
	CHECK(v == NULL);
	CHECK_INT(ledger_canon_parse("[]", 2, NULL, &e), LEDGER_EINVAL);
	/* Success clears a stale error. */
	CHECK_INT(ledger_canon_parse("[]", 2, &v, &e), 0);
	CHECK_INT(e.code, 0);
	CHECK_STR(e.rule, "");
	json_decref(v);
	/* A bad key is quoted safely in the message. */
	CHECK_INT(ledger_canon_parse("{\"\\u0001x\":1}", 13, &v, &e),
	    LEDGER_ECANON);
	CHECK_STR(e.rule, "control-char");
	CHECK_INT(ledger_canon_parse("{\"a\\\"\xe2\x82\xac\":1}", 11, &v, &e),
	    LEDGER_ECANON);
	CHECK_STR(e.rule, "bad-key");
	CHECK(strstr(e.msg, "a\\x22\\xe2\\x82\\xac") != NULL);
	/* A path longer than the buffer is cut and marked. */
	for (i = 0; i < LEDGER_JSON_MAX_DEPTH - 1; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n,
		    "{\"level%02d_abcdefghij\":", i);
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "[1.5]");
	for (i = 0; i < LEDGER_JSON_MAX_DEPTH - 1; i++)
		deep[n++] = '}';
	CHECK_INT(ledger_canon_parse(deep, n, &v, &e), LEDGER_ECANON);
	CHECK_STR(e.rule, "float");
	CHECK_INT(strlen(e.path), LEDGER_ERR_PATH_MAX - 1);
	CHECK(strcmp(e.path + LEDGER_ERR_PATH_MAX - 4, "...") == 0);
	snprintf(want, sizeof(want), "level00_abcdefghij.level01_abcdefghij.");
	CHECK(strncmp(e.path, want, strlen(want)) == 0);
}
