/* test_statement.c - statements, signing messages, leaves: the vectors. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"
#include "ledger/canon.h"
#include "ledger/statement.h"

static json_t *
vectors(void)
{
	char path[512];
	json_t *v;

	snprintf(path, sizeof(path), "%s/tests/vectors/ledgerd-v1.json",
	    harness_srcdir());
	v = json_load_file(path, 0, NULL);
	if (v == NULL)
		harness_fail(__FILE__, __LINE__, "cannot load %s", path);
	return v;
}

static struct ledger_statement *
vector_statement(json_t *v)
{
	struct ledger_statement *st = NULL;
	char *s = json_dumps(json_object_get(v, "statement"), JSON_INDENT(1));

	CHECK(s != NULL);
	CHECK_INT(ledger_statement_parse(s, strlen(s), &st, NULL), 0);
	free(s);
	return st;
}

TEST(signing_message_matches_vector)
{
	json_t *v = vectors();
	struct ledger_statement *st = vector_statement(v);
	const char *want = json_string_value(json_object_get(v,
	    "statement_signed_canonical"));
	const char *hex = json_string_value(json_object_get(v,
	    "statement_signing_message_hex"));
	char *msg, *got;
	size_t len;

	CHECK_STR(st->signed_canon, want);
	CHECK_INT(ledger_statement_message(st, json_string_value(
	    json_object_get(v, "origin")), &msg, &len), 0);
	got = malloc(len * 2 + 1);
	ledger_hex_encode((const uint8_t *)msg, len, got);
	CHECK_STR(got, hex);
	free(got);
	free(msg);
	ledger_statement_free(st);
	json_decref(v);
}

/*
 * Canonical request bytes take the signed part as a slice of the request;
 * any other spelling serializes it: both must give the vector's bytes,
 * and so must a statement whose kind is its last member.
 */
TEST(signed_part_slice_equals_serialized)
{
	json_t *v = vectors(), *stj = json_object_get(v, "statement");
	const char *want = json_string_value(json_object_get(v,
	    "statement_signed_canonical"));
	struct ledger_statement *a = NULL, *b = NULL, *c = NULL;
	char *canon = NULL, *pretty = json_dumps(stj, JSON_INDENT(2));
	size_t clen = 0;

	CHECK_INT(ledger_canon_dump(stj, &canon, &clen, NULL), 0);
	CHECK(pretty != NULL && canon != NULL);
	CHECK_INT(ledger_statement_parse(canon, clen, &a, NULL), 0);
	CHECK_INT(ledger_statement_parse(pretty, strlen(pretty), &b, NULL), 0);
	if (a != NULL && b != NULL) {
		CHECK_STR(a->signed_canon, want);
		CHECK_STR(b->signed_canon, want);
		CHECK_INT(a->signed_len, strlen(want));
	}
	/* No signatures member: kind ends the object; still a slice. */
	json_object_del(stj, "signatures");
	free(canon);
	CHECK_INT(ledger_canon_dump(stj, &canon, &clen, NULL), 0);
	CHECK_INT(ledger_statement_parse(canon, clen, &c, NULL), 0);
	if (c != NULL)
		CHECK_STR(c->signed_canon, want);
	ledger_statement_free(a);
	ledger_statement_free(b);
	ledger_statement_free(c);
	free(canon);
	free(pretty);
	json_decref(v);
}

TEST(signature_reproduced_and_verified)
{
	json_t *v = vectors(), *a = json_object_get(v, "author");
	const char *origin = json_string_value(json_object_get(v, "origin"));
	struct ledger_statement *st = vector_statement(v);
	struct ledger_seckey k;
	uint8_t seed[32];
	char b64[128];

	CHECK_INT(ledger_hex_decode(json_string_value(json_object_get(a,
	    "seed_hex")), seed, 32), 0);
	CHECK_INT(ledger_seckey_from_seed(json_string_value(json_object_get(a,
	    "name")), seed, &k), 0);
	/* The vector's own signature verifies ... */
	CHECK_INT(ledger_statement_verify(st, 0, origin, &k.pub), 0);
	/* ... and re-signing gives the same bytes (Ed25519 is deterministic). */
	memset(st->sigs[0].sig, 0, 64);
	CHECK_INT(ledger_statement_sign(st, origin, &k), 0);
	CHECK_INT(st->nsigs, 1);
	ledger_b64_encode(st->sigs[0].sig, 64, b64, sizeof(b64));
	CHECK_STR(b64, json_string_value(json_object_get(v,
	    "statement_signature_b64")));
	/* Another origin: the signature does not carry over. */
	CHECK_INT(ledger_statement_verify(st, 0, "other.example/x", &k.pub),
	    LEDGER_ESIG);
	ledger_seckey_wipe(&k);
	ledger_statement_free(st);
	json_decref(v);
}

TEST(leaf_matches_vector)
{
	json_t *v = vectors();
	struct ledger_statement *st = vector_statement(v);
	const char *want = json_string_value(json_object_get(v,
	    "leaf_canonical"));
	uint8_t prev[32], hash[32];
	char *leaf, hex[65];
	struct ledger_leaf lf;
	int64_t t;
	size_t len;

	CHECK_INT(ledger_hex_decode("f8a11ef6f4173e1fb95940cab6947d032756c102"
	    "5de8f49620911d79b8d582cc", prev, 32), 0);
	CHECK_INT(ledger_time_parse("2026-08-15T11:31:02.125Z", &t), 0);
	CHECK_INT(ledger_leaf_build(st, 1, t, prev, &leaf, &len, hash, NULL),
	    0);
	CHECK_STR(leaf, want);
	ledger_hex_encode(hash, 32, hex);
	CHECK_STR(hex, json_string_value(json_object_get(v, "leaf_hash_hex")));
	CHECK_INT(ledger_leaf_parse(leaf, len, &lf, NULL), 0);
	CHECK_INT(lf.seq, 1);
	CHECK_INT(lf.time_ms, t);
	CHECK_MEM(lf.prev, prev, 32);
	CHECK_STR(lf.st->id, "vote-xiangdong-2026-001");
	CHECK_STR(lf.st->signed_canon, st->signed_canon);
	ledger_leaf_clear(&lf);
	free(leaf);
	ledger_statement_free(st);
	json_decref(v);
}

TEST(leaf_parse_refuses_non_canonical_and_bad_fields)
{
	static const char *bad[] = {
		/* whitespace: not the stored canonical bytes */
		"{\"body\":{}, \"id\":\"a\",\"kind\":\"vote\",\"prev\":\"" 
		"0000000000000000000000000000000000000000000000000000000000000000"
		"\",\"seq\":0,\"signatures\":[],\"time\":\"2026-01-01T00:00:00.000Z\",\"v\":1}",
		/* v = 2 */
		"{\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
		"0000000000000000000000000000000000000000000000000000000000000000"
		"\",\"seq\":0,\"signatures\":[],\"time\":\"2026-01-01T00:00:00.000Z\",\"v\":2}",
		/* upper-case prev: not what the sequencer writes */
		"{\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
		"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"
		"\",\"seq\":0,\"signatures\":[],\"time\":\"2026-01-01T00:00:00.000Z\",\"v\":1}",
		/* short prev */
		"{\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\"00\","
		"\"seq\":0,\"signatures\":[],\"time\":\"2026-01-01T00:00:00.000Z\",\"v\":1}",
		/* bad time */
		"{\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
		"0000000000000000000000000000000000000000000000000000000000000000"
		"\",\"seq\":0,\"signatures\":[],\"time\":\"2026-02-30T00:00:00.000Z\",\"v\":1}",
		/* extra member */
		"{\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
		"0000000000000000000000000000000000000000000000000000000000000000"
		"\",\"seq\":0,\"signatures\":[],\"time\":\"2026-01-01T00:00:00.000Z\",\"v\":1,\"x\":1}",
	};
	static const char *good =
		"{\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
		"0000000000000000000000000000000000000000000000000000000000000000"
		"\",\"seq\":0,\"signatures\":[],\"time\":\"2026-01-01T00:00:00.000Z\",\"v\":1}";
	struct ledger_leaf lf;
	size_t i;

	CHECK_INT(ledger_leaf_parse(good, strlen(good), &lf, NULL), 0);
	ledger_leaf_clear(&lf);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = ledger_leaf_parse(bad[i], strlen(bad[i]), &lf, NULL);

		if (rc == 0)
			harness_fail(__FILE__, __LINE__, "bad leaf %zu accepted",
			    i);
		else
			harness_pass();
	}
}

/*
 * The lean leaf parse (the verifier's) takes the signed part as a slice of
 * the stored bytes: it must equal the signed part serialized from the
 * tree, and be refused on exactly the inputs the full parse refuses.
 */
static int
check_lean(const char *leaf)
{
	struct ledger_leaf full, lean;
	struct ledger_err e1, e2;
	size_t end = 0, len = strlen(leaf);
	int rc1, rc2;
	char *slice;

	rc1 = ledger_leaf_parse(leaf, len, &full, &e1);
	rc2 = ledger_leaf_parse_lean(leaf, len, &lean, &end, &e2);
	CHECK_INT(rc2, rc1);
	if (rc1 != 0 || rc2 != 0) {
		CHECK_STR(e2.rule, e1.rule);
		CHECK_STR(e2.path, e1.path);
		if (rc1 == 0)
			ledger_leaf_clear(&full);
		if (rc2 == 0)
			ledger_leaf_clear(&lean);
		return rc1;
	}
	CHECK(lean.st->signed_canon == NULL);
	CHECK(end > 0 && end < len);
	slice = malloc(end + 2);
	CHECK(slice != NULL);
	memcpy(slice, leaf, end);
	memcpy(slice + end, "}", 2);
	/* full.st->signed_canon is a copy of the same slice: check it too
	 * against a serialization of the tree. */
	CHECK_STR(slice, full.st->signed_canon);
	{
		json_t *o = json_pack("{s:O,s:s,s:s}", "body", lean.st->body,
		    "id", lean.st->id, "kind", lean.st->kind);
		char *dump = NULL;
		size_t dlen;

		CHECK_INT(ledger_canon_dump(o, &dump, &dlen, NULL), 0);
		CHECK_STR(slice, dump);
		free(dump);
		json_decref(o);
	}
	CHECK_INT(lean.seq, full.seq);
	CHECK_INT(lean.time_ms, full.time_ms);
	CHECK_MEM(lean.prev, full.prev, 32);
	CHECK_INT(lean.st->nsigs, full.st->nsigs);
	free(slice);
	ledger_leaf_clear(&full);
	ledger_leaf_clear(&lean);
	return 0;
}

#define ZPREV "0000000000000000000000000000000000000000000000000000000000000000"
#define TAIL(v) "\",\"seq\":0,\"signatures\":[],\"time\":" \
	"\"2026-01-01T00:00:00.000Z\",\"v\":" v "}"

TEST(lean_leaf_parse_matches_full)
{
	static const char *leaves[] = {
		"{\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
		    ZPREV TAIL("1"),
		/* members named like the envelope inside the body */
		"{\"body\":{\"kind\":\"x\",\"prev\":{\"kind\":\"y\"},"
		    "\"v\":[\"\\\",\\\"kind\\\":\\\"\"]},\"id\":\"b\","
		    "\"kind\":\"contract\",\"prev\":\"" ZPREV TAIL("1"),
		/* escapes and UTF-8 in the signed part */
		"{\"body\":{\"a\":\"\\t\\n\\\\\u5e73\u6e56/\x7f\",\"b\":-5},"
		    "\"id\":\"c:1\",\"kind\":\"key\",\"prev\":\"" ZPREV
		    TAIL("1"),
		/* signatures present */
		"{\"body\":{},\"id\":\"d\",\"kind\":\"vote\",\"prev\":\""
		    ZPREV "\",\"seq\":7,\"signatures\":[{\"key\":\"k1\","
		    "\"sig\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\"}],\"time\":"
		    "\"2026-01-01T00:00:00.000Z\",\"v\":1}",
		/* refused: not canonical (escaped '/', key order, space) */
		"{\"body\":{\"a\":\"\\/\"},\"id\":\"a\",\"kind\":\"vote\","
		    "\"prev\":\"" ZPREV TAIL("1"),
		"{\"body\":{\"b\":1,\"a\":1},\"id\":\"a\",\"kind\":\"vote\","
		    "\"prev\":\"" ZPREV TAIL("1"),
		"{\"body\":{},\"id\":\"a\",\"kind\":\"vote\" ,\"prev\":\""
		    ZPREV TAIL("1"),
		/* refused: members missing, extra, or out of place */
		"{\"body\":{},\"id\":\"a\",\"prev\":\"" ZPREV TAIL("1"),
		"{\"a\":1,\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
		    ZPREV "\",\"seq\":0,\"time\":\"2026-01-01T00:00:00.000Z\","
		    "\"v\":1}",
		"{\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
		    ZPREV TAIL("2"),
		"{\"body\":[],\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
		    ZPREV TAIL("1"),
		"{\"body\":{},\"id\":\"a\",\"kind\":\"nope\",\"prev\":\""
		    ZPREV TAIL("1"),
	};
	size_t i, ok = 0;

	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		ok += check_lean(leaves[i]) == 0;
	CHECK_INT(ok, 4);	/* the first four; the rest are refused */
}

TEST(lean_statement_cannot_sign_verify_or_build)
{
	static const char *leaf =
	    "{\"body\":{},\"id\":\"a\",\"kind\":\"vote\",\"prev\":\""
	    ZPREV TAIL("1");
	struct ledger_pubkey pk;
	struct ledger_leaf lf;
	uint8_t prev[32] = { 0 }, h[32];
	char *out = NULL;
	size_t end, len;

	memset(&pk, 0, sizeof(pk));
	CHECK_INT(ledger_leaf_parse_lean(leaf, strlen(leaf), &lf, &end, NULL),
	    0);
	/* Without the stored bytes the statement has no signed part. */
	CHECK_INT(ledger_statement_verify(lf.st, 0, "o", &pk), LEDGER_ESIG);
	CHECK_INT(ledger_leaf_build(lf.st, 0, 0, prev, &out, &len, h, NULL),
	    LEDGER_EINVAL);
	CHECK(out == NULL);
	ledger_leaf_clear(&lf);
}

/* Leaf length for a body of 9 members: 8 of 8000 bytes and one of last. */
static int
leaf_with(size_t last, size_t *len, struct ledger_err *err)
{
	struct ledger_statement *st;
	uint8_t prev[32] = { 0 }, h[32];
	char key[16], *chunk = malloc(8001), *leaf = NULL;
	json_t *body = json_object();
	int rc;

	memset(chunk, 'y', 8000);
	for (int i = 0; i < 9; i++) {
		chunk[i < 8 ? 8000 : last] = '\0';
		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(body, key, json_string(chunk));
	}
	free(chunk);
	if (ledger_statement_from_json(json_pack("{s:s, s:s, s:o}", "id",
	    "huge", "kind", "vote", "body", body), &st, NULL) != 0)
		return -100;
	rc = ledger_leaf_build(st, 1, 0, prev, &leaf, len, h, err);
	free(leaf);
	ledger_statement_free(st);
	return rc;
}

TEST(leaf_size_limit_edge)
{
	struct ledger_err err;
	size_t len, base;

	/* Measure, then aim at exactly LEDGER_LEAF_MAX and one byte more. */
	CHECK_INT(leaf_with(0, &base, NULL), 0);
	CHECK(base < LEDGER_LEAF_MAX);
	CHECK_INT(leaf_with(LEDGER_LEAF_MAX - base, &len, NULL), 0);
	CHECK_INT(len, LEDGER_LEAF_MAX);
	ledger_err_clear(&err);
	CHECK_INT(leaf_with(LEDGER_LEAF_MAX - base + 1, &len, &err),
	    LEDGER_ETOOBIG);
	CHECK_STR(err.rule, "leaf-size");
}

TEST(statement_envelope_refusals)
{
	static const struct { const char *json, *path; int code; } cases[] = {
		{ "{\"id\":\"\",\"kind\":\"vote\",\"body\":{}}", "id",
		    LEDGER_ESCHEMA },
		{ "{\"id\":\"a b\",\"kind\":\"vote\",\"body\":{}}", "id",
		    LEDGER_ESCHEMA },
		{ "{\"id\":\"a\",\"kind\":\"bribe\",\"body\":{}}", "kind",
		    LEDGER_ESCHEMA },
		{ "{\"id\":\"a\",\"kind\":\"vote\",\"body\":[]}", "body",
		    LEDGER_ESCHEMA },
		{ "{\"id\":\"a\",\"kind\":\"vote\",\"body\":{},\"extra\":1}",
		    "extra", LEDGER_ESCHEMA },
		{ "{\"id\":\"a\",\"kind\":\"vote\",\"body\":{},\"signatures\":"
		    "[{\"key\":\"k\",\"sig\":\"AAAA\"}]}", "signatures[0]",
		    LEDGER_ESCHEMA },
		{ "{\"id\":\"a\",\"kind\":\"vote\",\"body\":{\"x\":1.5}}",
		    "body.x", LEDGER_ECANON },
	};
	struct ledger_statement *st;
	struct ledger_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ledger_err_clear(&err);
		CHECK_INT(ledger_statement_parse(cases[i].json,
		    strlen(cases[i].json), &st, &err), cases[i].code);
		CHECK_STR(err.path, cases[i].path);
		CHECK(err.msg[0] != '\0');
	}
	/* 128-character id accepted, 129 refused. */
	{
		char buf[400], id[130];

		memset(id, 'a', 129);
		id[128] = '\0';
		snprintf(buf, sizeof(buf), "{\"id\":\"%s\",\"kind\":\"vote\","
		    "\"body\":{}}", id);
		CHECK_INT(ledger_statement_parse(buf, strlen(buf), &st, NULL), 0);
		ledger_statement_free(st);
		id[128] = 'a';
		id[129] = '\0';
		snprintf(buf, sizeof(buf), "{\"id\":\"%s\",\"kind\":\"vote\","
		    "\"body\":{}}", id);
		CHECK_INT(ledger_statement_parse(buf, strlen(buf), &st, NULL),
		    LEDGER_ESCHEMA);
	}
}

TEST(time_format_and_parse)
{
	char ts[LEDGER_TIME_BYTES];
	int64_t t;

	CHECK_INT(ledger_time_format(0, ts), 0);
	CHECK_STR(ts, "1970-01-01T00:00:00.000Z");
	CHECK_INT(ledger_time_parse("2024-02-29T23:59:59.999Z", &t), 0);
	CHECK_INT(ledger_time_format(t, ts), 0);
	CHECK_STR(ts, "2024-02-29T23:59:59.999Z");
	CHECK_INT(ledger_time_parse("2023-02-29T00:00:00.000Z", &t),
	    LEDGER_EINVAL);
	CHECK_INT(ledger_time_parse("2023-01-01T00:00:00Z", &t), LEDGER_EINVAL);
	CHECK_INT(ledger_time_parse("2023-01-01T24:00:00.000Z", &t),
	    LEDGER_EINVAL);
	CHECK_INT(ledger_time_format(-1, ts), LEDGER_EINVAL);
}
