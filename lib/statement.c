/*
 * statement.c - statements, author signatures and leaves (DESIGN 3.2-3.3).
 *
 * A statement is parsed once into a canonical Jansson tree; its signed part
 * ({"body","id","kind"}) is serialized once and kept, because every worker
 * thread needs it for signature checks and the sequencer needs the tree to
 * build the leaf.  From a stored leaf, whose bytes are checked to be
 * exactly canonical, the signed part is a prefix of those bytes and is
 * never serialized.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ledger/canon.h"
#include "ledger/statement.h"

static const char *const kinds[] = {
	"key", "vote", "contract", "disbursement", "evaluation",
	"correction", "clawback",
};

int
ledger_kind_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(name, kinds[i]) == 0)
			return 1;
	return 0;
}

static int
id_valid(const char *id)
{
	size_t n = strlen(id), i;

	if (n == 0 || n > LEDGER_ID_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == ':' || c == '-'))
			return 0;
	}
	return 1;
}

void
ledger_statement_free(struct ledger_statement *st)
{
	if (st == NULL)
		return;
	json_decref(st->json);
	free(st->signed_canon);
	free(st);
}

/* Serialize {"body","id","kind"}: the bytes every author signs. */
static int
signed_part(struct ledger_statement *st)
{
	json_t *o;
	int rc;

	free(st->signed_canon);
	st->signed_canon = NULL;
	if ((o = json_object()) == NULL)
		return LEDGER_ENOMEM;
	if (json_object_set(o, "body", st->body) != 0 ||
	    json_object_set(o, "id", json_object_get(st->json, "id")) != 0 ||
	    json_object_set(o, "kind", json_object_get(st->json, "kind")) != 0) {
		json_decref(o);
		return LEDGER_ENOMEM;
	}
	rc = ledger_canon_dump(o, &st->signed_canon, &st->signed_len, NULL);
	json_decref(o);
	return rc;
}

const char *
ledger_sig_path(char buf[LEDGER_SIG_PATH_BYTES], size_t i)
{
	snprintf(buf, LEDGER_SIG_PATH_BYTES, "signatures[%zu]", i);
	return buf;
}

/* Check the "signatures" array and fill st->sigs. */
static int
parse_sigs(struct ledger_statement *st, json_t *sigs, struct ledger_err *err)
{
	char path[LEDGER_SIG_PATH_BYTES];
	size_t i, j, n;

	st->nsigs = 0;
	if (sigs == NULL)
		return 0;
	if (!json_is_array(sigs))
		return ledger_errf(err, LEDGER_ESCHEMA, "signatures", "type",
		    "signatures must be an array of {\"key\",\"sig\"} objects");
	n = json_array_size(sigs);
	if (n > LEDGER_SIGS_MAX)
		return ledger_errf(err, LEDGER_ETOOBIG, "signatures", "count",
		    "at most %d author signatures are allowed",
		    LEDGER_SIGS_MAX);
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(sigs, i), *k, *g;
		size_t got;

		if (!json_is_object(s) || json_object_size(s) != 2 ||
		    !json_is_string(k = json_object_get(s, "key")) ||
		    !json_is_string(g = json_object_get(s, "sig")))
			return ledger_errf(err, LEDGER_ESCHEMA,
			    ledger_sig_path(path, i), "type", "a signature is "
			    "exactly {\"key\": name, \"sig\": base64}");
		if (ledger_keyname_check(json_string_value(k)) != 0)
			return ledger_errf(err, LEDGER_ESCHEMA,
			    ledger_sig_path(path, i), "key-name",
			    "\"%s\" is not a valid key name",
			    json_string_value(k));
		for (j = 0; j < i; j++)
			if (strcmp(st->sigs[j].key, json_string_value(k)) == 0)
				return ledger_errf(err, LEDGER_ESCHEMA,
				    ledger_sig_path(path, i),
				    "duplicate-signer",
				    "key \"%s\" signs twice",
				    json_string_value(k));
		if (ledger_b64_decode_public(json_string_value(g),
		    json_string_length(g), st->sigs[i].sig,
		    sizeof(st->sigs[i].sig), &got) != 0 ||
		    got != LEDGER_SIG_BYTES)
			return ledger_errf(err, LEDGER_ESCHEMA,
			    ledger_sig_path(path, i), "sig", "sig must be the "
			    "base64 of a %d-byte Ed25519 signature",
			    LEDGER_SIG_BYTES);
		st->sigs[i].key = json_string_value(k);
		st->nsigs++;
	}
	return 0;
}

/* How from_json gets the signed part. */
enum signed_from {
	SIGNED_DUMP,	/* serialize it from the tree */
	SIGNED_SLICE,	/* copy it from bytes known to be canonical */
	SIGNED_NONE	/* the caller keeps the bytes (lean leaf parse) */
};

/*
 * For SIGNED_SLICE, slice is the canonical {"body","id","kind"} without
 * its closing brace, taken from a stored leaf: nothing is serialized.
 */
static int
from_json(json_t *root, enum signed_from how, const char *slice,
    size_t slice_len, struct ledger_statement **out, struct ledger_err *err)
{
	struct ledger_statement *st;
	const char *member;
	json_t *v;
	int rc;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		json_decref(root);
		return LEDGER_ENOMEM;
	}
	st->json = root;
	if (!json_is_object(root)) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "", "type",
		    "a statement is a JSON object {id, kind, body, "
		    "signatures}");
		goto fail;
	}
	json_object_foreach(root, member, v) {
		if (strcmp(member, "id") && strcmp(member, "kind") &&
		    strcmp(member, "body") && strcmp(member, "signatures")) {
			rc = ledger_errf(err, LEDGER_ESCHEMA, member,
			    "unknown-field", "unknown member \"%s\"; a "
			    "statement has only id, kind, body, signatures",
			    member);
			goto fail;
		}
	}
	v = json_object_get(root, "id");
	if (!json_is_string(v) || !id_valid(json_string_value(v))) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "id", "id",
		    "id must be 1-%d characters of [A-Za-z0-9._:-]",
		    LEDGER_ID_MAX);
		goto fail;
	}
	st->id = json_string_value(v);
	v = json_object_get(root, "kind");
	if (!json_is_string(v) || !ledger_kind_known(json_string_value(v))) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "kind", "kind",
		    "kind must be one of key, vote, contract, disbursement, "
		    "evaluation, correction, clawback");
		goto fail;
	}
	st->kind = json_string_value(v);
	st->body = json_object_get(root, "body");
	if (!json_is_object(st->body)) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "body", "type",
		    "body must be an object");
		goto fail;
	}
	if ((rc = parse_sigs(st, json_object_get(root, "signatures"),
	    err)) != 0)
		goto fail;
	if (how == SIGNED_SLICE) {
		if ((st->signed_canon = malloc(slice_len + 2)) == NULL) {
			rc = LEDGER_ENOMEM;
			goto fail;
		}
		memcpy(st->signed_canon, slice, slice_len);
		memcpy(st->signed_canon + slice_len, "}", 2);
		st->signed_len = slice_len + 1;
	} else if (how == SIGNED_DUMP && (rc = signed_part(st)) != 0) {
		ledger_errf(err, rc, "", "encode", "cannot encode statement");
		goto fail;
	}
	*out = st;
	return 0;
fail:
	ledger_statement_free(st);
	return rc;
}

int
ledger_statement_from_json(json_t *root, struct ledger_statement **out,
    struct ledger_err *err)
{
	return from_json(root, SIGNED_DUMP, NULL, 0, out, err);
}

int
ledger_statement_parse(const char *buf, size_t len,
    struct ledger_statement **out, struct ledger_err *err)
{
	json_t *root;
	size_t kind_end = 0;
	int rc;

	*out = NULL;
	/*
	 * A client that sends the canonical bytes it signed (ledgerctl and
	 * the load generator do) has members sorted body, id, kind,
	 * signatures, so the signed part is the request up to the end of
	 * the kind value: a slice, not serialized again (it was 8 % of the
	 * daemon's CPU at 64 clients).  Other bytes are parsed once more
	 * leniently, which also gives their errors.
	 */
	if (ledger_canon_parse_exact_end(buf, len, "kind", &kind_end, &root,
	    NULL) == 0) {
		if (kind_end > 0)
			return from_json(root, SIGNED_SLICE, buf, kind_end,
			    out, err);
		json_decref(root);
	}
	if ((rc = ledger_canon_parse(buf, len, &root, err)) != 0)
		return rc;
	return ledger_statement_from_json(root, out, err);
}

int
ledger_statement_message(const struct ledger_statement *st,
    const char *origin, char **msg, size_t *len)
{
	size_t dlen = strlen(LEDGER_STATEMENT_DOMAIN), olen = strlen(origin);
	size_t n = dlen + olen + 1 + st->signed_len;
	char *m;

	if (st->signed_canon == NULL)	/* a lean leaf parse */
		return LEDGER_EINVAL;
	if ((m = malloc(n + 1)) == NULL)
		return LEDGER_ENOMEM;
	memcpy(m, LEDGER_STATEMENT_DOMAIN, dlen);
	memcpy(m + dlen, origin, olen);
	m[dlen + olen] = '\n';
	memcpy(m + dlen + olen + 1, st->signed_canon, st->signed_len);
	m[n] = '\0';
	*msg = m;
	*len = n;
	return 0;
}

/*
 * Sign the message in place of a copy: the signing message is domain ||
 * origin || "\n" || signed part, fed to Ed25519 as one buffer because pure
 * Ed25519 has no streaming interface.
 */
int
ledger_statement_sign(struct ledger_statement *st, const char *origin,
    const struct ledger_seckey *k)
{
	uint8_t sig[LEDGER_SIG_BYTES];
	char b64[LEDGER_SIG_BYTES * 2], *msg;
	json_t *sigs, *entry;
	size_t len, i;
	int rc;

	if ((rc = ledger_statement_message(st, origin, &msg, &len)) != 0)
		return rc;
	crypto_sign_detached(sig, NULL, (const uint8_t *)msg, len, k->sk);
	free(msg);
	if ((rc = ledger_b64_encode(sig, sizeof(sig), b64, sizeof(b64))) != 0)
		return rc;
	sigs = json_object_get(st->json, "signatures");
	if (sigs == NULL) {
		if ((sigs = json_array()) == NULL ||
		    json_object_set_new(st->json, "signatures", sigs) != 0)
			return LEDGER_ENOMEM;
	}
	entry = json_pack("{s:s, s:s}", "key", k->pub.name, "sig", b64);
	if (entry == NULL)
		return LEDGER_ENOMEM;
	for (i = 0; i < st->nsigs; i++)
		if (strcmp(st->sigs[i].key, k->pub.name) == 0)
			break;
	if (i < st->nsigs)
		rc = json_array_set_new(sigs, i, entry);
	else if (st->nsigs == LEDGER_SIGS_MAX) {
		json_decref(entry);
		return LEDGER_ETOOBIG;
	} else
		rc = json_array_append_new(sigs, entry);
	if (rc != 0)
		return LEDGER_ENOMEM;
	return parse_sigs(st, sigs, NULL);
}

int
ledger_statement_verify(const struct ledger_statement *st, size_t i,
    const char *origin, const struct ledger_pubkey *k)
{
	char *msg;
	size_t len;
	int ok;

	if (i >= st->nsigs || strcmp(st->sigs[i].key, k->name) != 0 ||
	    st->signed_canon == NULL)
		return LEDGER_ESIG;
	if (ledger_statement_message(st, origin, &msg, &len) != 0)
		return LEDGER_ENOMEM;
	ok = crypto_sign_verify_detached(st->sigs[i].sig,
	    (const uint8_t *)msg, len, k->pk) == 0;
	free(msg);
	return ok ? 0 : LEDGER_ESIG;
}

int
ledger_statement_dump(const struct ledger_statement *st, char **out,
    size_t *len)
{
	return ledger_canon_dump(st->json, out, len, NULL);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's method). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
ledger_time_format(int64_t ms, char out[LEDGER_TIME_BYTES])
{
	time_t secs;
	struct tm tm;

	if (ms < 0 || ms > 253402300799999LL)	/* 9999-12-31T23:59:59.999 */
		return LEDGER_EINVAL;
	secs = (time_t)(ms / 1000);
	if (gmtime_r(&secs, &tm) == NULL)
		return LEDGER_EINVAL;
	/* A roomy buffer: the compiler cannot see the fields are bounded. */
	char tmp[64];

	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	memcpy(out, tmp, LEDGER_TIME_BYTES);
	out[LEDGER_TIME_BYTES - 1] = '\0';
	return 0;
}

static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
ledger_time_parse(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h, mi, se, f;

	if (strlen(s) != LEDGER_TIME_BYTES - 1 || s[4] != '-' ||
	    s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != '.' || s[23] != 'Z' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) ||
	    digits(s + 20, 3, &f))
		return LEDGER_EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 || y % 400 == 0))) ||
	    h > 23 || mi > 59 || se > 59)
		return LEDGER_EINVAL;
	*ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) *
	    1000) + f;
	return 0;
}

int
ledger_rfc3339_parse(const char *s, int64_t *ms)
{
	char base[LEDGER_TIME_BYTES];
	const char *p;
	int frac = 0, fd = 0, oh, om, sign;
	int64_t t;

	/* Date and time to the second, then reuse the leaf-time parser. */
	if (strlen(s) < 20 || s[10] != 'T')
		return LEDGER_EINVAL;
	memcpy(base, s, 19);
	memcpy(base + 19, ".000Z", 6);
	if (ledger_time_parse(base, &t) != 0)
		return LEDGER_EINVAL;
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fd++)
			if (fd < 3)
				frac = frac * 10 + (*p - '0');
		if (fd == 0 || fd > 9)
			return LEDGER_EINVAL;
		for (; fd < 3; fd++)
			frac *= 10;
	}
	if (*p == 'Z' && p[1] == '\0') {
		*ms = t + frac;
		return 0;
	}
	if ((*p != '+' && *p != '-') || strlen(p) != 6 || p[3] != ':' ||
	    digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 23 || om > 59)
		return LEDGER_EINVAL;
	sign = *p == '+' ? 1 : -1;
	*ms = t + frac - sign * ((int64_t)oh * 3600 + om * 60) * 1000;
	return 0;
}

/*
 * The leaf is the signed part with the sequencer's members spliced in:
 * canonical key order is body, id, kind, prev, seq, signatures, time, v,
 * so the signed part's bytes (already canonical) are reused up to its
 * closing brace and nothing is serialized twice.  The known-answer vectors
 * and docs/FORMAT.md's examples pin the result byte for byte.
 */
int
ledger_leaf_build(const struct ledger_statement *st, uint64_t seq,
    int64_t time_ms, const uint8_t prev[LEDGER_HASH_BYTES], char **leaf,
    size_t *len, uint8_t hash[LEDGER_HASH_BYTES], struct ledger_err *err)
{
	char ts[LEDGER_TIME_BYTES], hex[LEDGER_HASH_BYTES * 2 + 1];
	char *sigs = NULL, *out;
	json_t *sj;
	size_t slen = 2, n, cap;
	int rc, w;

	*leaf = NULL;
	if (st->signed_canon == NULL)
		return ledger_errf(err, LEDGER_EINVAL, "", "leaf",
		    "the statement has no signed part (a lean leaf parse)");
	if (seq > (uint64_t)LEDGER_JSON_MAX_INT ||
	    ledger_time_format(time_ms, ts) != 0)
		return ledger_errf(err, LEDGER_EINVAL, "", "leaf",
		    "seq or time out of range");
	ledger_hex_encode(prev, LEDGER_HASH_BYTES, hex);
	if ((sj = json_object_get(st->json, "signatures")) != NULL &&
	    (rc = ledger_canon_dump(sj, &sigs, &slen, err)) != 0)
		return rc;
	n = st->signed_len - 1;		/* without the closing brace */
	cap = n + slen + 160;		/* the fixed members and numbers */
	if ((out = malloc(cap)) == NULL) {
		free(sigs);
		return LEDGER_ENOMEM;
	}
	memcpy(out, st->signed_canon, n);
	w = snprintf(out + n, cap - n, ",\"prev\":\"%s\",\"seq\":%llu,"
	    "\"signatures\":%s,\"time\":\"%s\",\"v\":1}", hex,
	    (unsigned long long)seq, sigs ? sigs : "[]", ts);
	free(sigs);
	if (w < 0 || (size_t)w >= cap - n) {
		free(out);
		return LEDGER_ENOMEM;
	}
	*len = n + (size_t)w;
	if (*len > LEDGER_LEAF_MAX) {
		free(out);
		return ledger_errf(err, LEDGER_ETOOBIG, "", "leaf-size",
		    "the entry would be %zu bytes; a leaf is at most %d bytes",
		    *len, LEDGER_LEAF_MAX);
	}
	*leaf = out;
	ledger_leaf_hash(out, *len, hash);
	return 0;
}

void
ledger_leaf_clear(struct ledger_leaf *leaf)
{
	ledger_statement_free(leaf->st);
	memset(leaf, 0, sizeof(*leaf));
}

void
ledger_leaf_forget(struct ledger_leaf *leaf)
{
	if (leaf->st != NULL) {
		free(leaf->st->signed_canon);
		free(leaf->st);
	}
	memset(leaf, 0, sizeof(*leaf));
}

/*
 * A leaf's members sort as body, id, kind, prev, seq, signatures, time, v,
 * so once the bytes are known to be exactly canonical with those eight
 * members, its prefix up to the end of the kind value is the signed part
 * without its closing brace: taken as a slice, never serialized again.
 */
static int
leaf_parse(const void *data, size_t len, struct ledger_leaf *out,
    size_t *signed_end, struct ledger_err *err)
{
	static const char *const envelope[] = { "prev", "seq", "time", "v" };
	json_t *root, *v;
	size_t kind_end = 0, i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > LEDGER_LEAF_MAX)
		return ledger_errf(err, LEDGER_ETOOBIG, "", "leaf-size",
		    "leaf of %zu bytes is over %d", len, LEDGER_LEAF_MAX);
	/* Stored bytes must be exactly the canonical form, never re-encoded. */
	if ((rc = ledger_canon_parse_exact_end(data, len, "kind", &kind_end,
	    &root, err)) != 0)
		return rc;
	if (json_integer_value(json_object_get(root, "v")) != 1 ||
	    !json_is_integer(json_object_get(root, "v"))) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "v", "version",
		    "leaf version must be 1");
		goto fail;
	}
	v = json_object_get(root, "seq");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "seq", "type",
		    "seq must be a non-negative integer");
		goto fail;
	}
	out->seq = (uint64_t)json_integer_value(v);
	v = json_object_get(root, "time");
	if (!json_is_string(v) ||
	    ledger_time_parse(json_string_value(v), &out->time_ms) != 0) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "time", "type",
		    "time must be YYYY-MM-DDTHH:MM:SS.sssZ");
		goto fail;
	}
	v = json_object_get(root, "prev");
	if (!json_is_string(v) || json_string_length(v) != 64 ||
	    strspn(json_string_value(v), "0123456789abcdef") != 64 ||
	    ledger_hex_decode(json_string_value(v), out->prev,
	    LEDGER_HASH_BYTES) != 0) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "prev", "type",
		    "prev must be 64 lower-case hex digits");
		goto fail;
	}
	if (json_object_size(root) != 8) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "", "members",
		    "a leaf has exactly v, seq, time, prev, id, kind, body, "
		    "signatures");
		goto fail;
	}
	if (json_object_get(root, "id") == NULL ||
	    json_object_get(root, "kind") == NULL ||
	    json_object_get(root, "body") == NULL ||
	    json_object_get(root, "signatures") == NULL || kind_end < 2) {
		rc = ledger_errf(err, LEDGER_ESCHEMA, "", "members",
		    "a leaf needs id, kind, body and signatures");
		goto fail;
	}
	/* What is left is the statement the authors signed. */
	for (i = 0; i < sizeof(envelope) / sizeof(envelope[0]); i++)
		json_object_del(root, envelope[i]);
	if (signed_end != NULL) {
		*signed_end = kind_end;
		rc = from_json(root, SIGNED_NONE, NULL, 0, &out->st, err);
	} else
		rc = from_json(root, SIGNED_SLICE, data, kind_end, &out->st,
		    err);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
fail:
	json_decref(root);
	return rc;
}

int
ledger_leaf_parse(const void *data, size_t len, struct ledger_leaf *out,
    struct ledger_err *err)
{
	return leaf_parse(data, len, out, NULL, err);
}

int
ledger_leaf_parse_lean(const void *data, size_t len, struct ledger_leaf *out,
    size_t *signed_end, struct ledger_err *err)
{
	return leaf_parse(data, len, out, signed_end, err);
}
