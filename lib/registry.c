/*
 * registry.c - the author key registry (DESIGN 3.6): who may sign what,
 * and when.  The daemon's sequencer, ledgerctl verify and ledgerctl audit
 * all decide key validity here, so there is one answer.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/registry.h"
#include "ledger/store.h"

/* Which roles may sign which kinds (docs/KINDS.md has the same table). */
static const struct {
	const char	*role;
	const char	*kinds;		/* space separated */
} permits[] = {
	{ "admin",	"key" },
	{ "convener",	"vote correction" },
	{ "purchaser",	"contract disbursement clawback correction" },
	{ "contractor",	"contract correction" },
	{ "finance",	"disbursement correction" },
	{ "evaluator",	"evaluation correction" },
};

static int
word_in(const char *word, const char *list)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static int
role_known(const char *role)
{
	size_t i;

	for (i = 0; i < sizeof(permits) / sizeof(permits[0]); i++)
		if (strcmp(role, permits[i].role) == 0)
			return 1;
	return 0;
}

int
ledger_role_permits(const char *role, const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(permits) / sizeof(permits[0]); i++)
		if (strcmp(role, permits[i].role) == 0)
			return word_in(kind, permits[i].kinds);
	return 0;
}

int
ledger_uscc_valid(const char *s)
{
	/*
	 * Value of each letter in the code set (GB 32100-2015); -1: not in
	 * the set (I, O, S, V, Z).  A-M, then N-Z.
	 */
	static const signed char letter[26] = {
		10, 11, 12, 13, 14, 15, 16, 17, -1, 18, 19, 20, 21,
		22, -1, 23, 24, 25, -1, 26, 27, -1, 28, 29, 30, -1
	};
	static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25,
	    13, 8, 24, 10, 30, 28 };
	int sum = 0, i, v[LEDGER_USCC_BYTES];

	for (i = 0; i < LEDGER_USCC_BYTES; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			v[i] = s[i] - '0';
		else if (s[i] >= 'A' && s[i] <= 'Z' && letter[s[i] - 'A'] >= 0)
			v[i] = letter[s[i] - 'A'];
		else
			return 0;
	}
	if (s[LEDGER_USCC_BYTES] != '\0')
		return 0;
	for (i = 0; i < 17; i++)
		sum += v[i] * w[i];
	return v[17] == (31 - sum % 31) % 31;
}

int
ledger_registry_check(const struct ledger_registry *reg,
    const struct ledger_statement *st, uint64_t seq, int64_t time_ms,
    const char *origin, int verify_crypto, struct ledger_err *err)
{
	struct ledger_keyrec rec;
	char path[LEDGER_SIG_PATH_BYTES];
	size_t i;
	int rc;

	if (seq == 0) {
		/* Genesis: the one entry the ledger's checkpoint alone covers. */
		json_t *role = json_object_get(st->body, "role");

		if (strcmp(st->kind, "key") != 0 || st->nsigs != 0 ||
		    !json_is_string(role) ||
		    strcmp(json_string_value(role), "admin") != 0)
			return ledger_errf(err, LEDGER_EAUTH, "", "genesis",
			    "entry 0 must be an unsigned key entry registering "
			    "an admin");
		return 0;
	}
	if (st->nsigs == 0)
		return ledger_errf(err, LEDGER_EAUTH, "signatures",
		    "sig.missing", "every entry after genesis needs at least "
		    "one author signature");
	for (i = 0; i < st->nsigs; i++) {
		rc = reg->get(reg->ctx, st->sigs[i].key, &rec);
		if (rc == LEDGER_ENOTFOUND)
			return ledger_errf(err, LEDGER_EAUTH,
			    ledger_sig_path(path, i),
			    "key.unknown", "key \"%s\" is not registered in "
			    "this ledger; register it with a key entry first",
			    st->sigs[i].key);
		if (rc != 0)
			return rc;
		if (rec.revoked != LEDGER_SEQ_NONE && rec.revoked < seq)
			return ledger_errf(err, LEDGER_EAUTH,
			    ledger_sig_path(path, i),
			    "key.revoked", "key \"%s\" was revoked at entry "
			    "%llu", st->sigs[i].key,
			    (unsigned long long)rec.revoked);
		if (time_ms < rec.valid_from)
			return ledger_errf(err, LEDGER_EAUTH,
			    ledger_sig_path(path, i),
			    "key.not-yet-valid", "key \"%s\" is not valid "
			    "before its valid_from", st->sigs[i].key);
		if (time_ms >= rec.valid_until)
			return ledger_errf(err, LEDGER_EAUTH,
			    ledger_sig_path(path, i),
			    "key.expired", "key \"%s\" expired (valid_until "
			    "has passed)", st->sigs[i].key);
		if (!ledger_role_permits(rec.role, st->kind))
			return ledger_errf(err, LEDGER_EAUTH,
			    ledger_sig_path(path, i), "key.role",
			    "key \"%s\" has role %s, which may not sign %s "
			    "entries", st->sigs[i].key, rec.role, st->kind);
		if (verify_crypto &&
		    ledger_statement_verify(st, i, origin, &rec.pub) != 0)
			return ledger_errf(err, LEDGER_ESIG,
			    ledger_sig_path(path, i),
			    "sig.invalid", "signature by \"%s\" does not "
			    "verify over this statement and origin",
			    st->sigs[i].key);
	}
	return 0;
}

static const char *
str_member(json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Parse a registration body into rec (not yet stored). */
static int
parse_registration(json_t *body, uint64_t seq, struct ledger_keyrec *rec,
    struct ledger_err *err)
{
	const char *s, *member;
	json_t *org, *v;

	json_object_foreach(body, member, v) {
		if (strcmp(member, "name") && strcmp(member, "public_key") &&
		    strcmp(member, "role") && strcmp(member, "org") &&
		    strcmp(member, "valid_from") &&
		    strcmp(member, "valid_until") && strcmp(member, "revokes"))
			return ledger_errf(err, LEDGER_ESCHEMA, "body",
			    "unknown-field", "unknown member body.%s in a key "
			    "entry", member);
	}
	memset(rec, 0, sizeof(*rec));
	if ((s = str_member(body, "public_key")) == NULL ||
	    ledger_vkey_parse(s, &rec->pub) != 0)
		return ledger_errf(err, LEDGER_ESCHEMA, "body.public_key",
		    "key.string", "public_key must be a verifier-key string "
		    "name+id+base64 (ledgerctl keygen writes one to FILE.pub)");
	if ((s = str_member(body, "name")) == NULL ||
	    strcmp(s, rec->pub.name) != 0)
		return ledger_errf(err, LEDGER_ESCHEMA, "body.name", "key.name",
		    "name must equal the name inside public_key");
	if ((s = str_member(body, "role")) == NULL || !role_known(s))
		return ledger_errf(err, LEDGER_ESCHEMA, "body.role", "key.role",
		    "role must be one of admin, convener, purchaser, "
		    "contractor, finance, evaluator");
	snprintf(rec->role, sizeof(rec->role), "%s", s);
	org = json_object_get(body, "org");
	/* Admins run the ledger itself; every other role acts for an org. */
	if (org == NULL && strcmp(rec->role, "admin") == 0)
		goto dates;
	if (!json_is_object(org) || (s = str_member(org, "scheme")) == NULL ||
	    strcmp(s, "CN-USCI") != 0 || str_member(org, "name") == NULL ||
	    json_object_size(org) != 3)
		return ledger_errf(err, LEDGER_ESCHEMA, "body.org", "org",
		    "org must be {\"scheme\":\"CN-USCI\",\"id\":USCC,"
		    "\"name\":...}");
	if ((s = str_member(org, "id")) == NULL || !ledger_uscc_valid(s))
		return ledger_errf(err, LEDGER_ESCHEMA, "body.org.id", "uscc",
		    "org.id must be an 18-character Unified Social Credit "
		    "Code with a valid check character (GB 32100-2015)");
	memcpy(rec->org, s, LEDGER_USCC_BYTES + 1);
dates:
	if ((s = str_member(body, "valid_from")) == NULL ||
	    ledger_rfc3339_parse(s, &rec->valid_from) != 0)
		return ledger_errf(err, LEDGER_ESCHEMA, "body.valid_from",
		    "date", "valid_from must be an RFC 3339 date-time with "
		    "offset, e.g. 2026-01-01T00:00:00+08:00");
	rec->valid_until = INT64_MAX;
	if ((v = json_object_get(body, "valid_until")) != NULL &&
	    (!json_is_string(v) || ledger_rfc3339_parse(json_string_value(v),
	    &rec->valid_until) != 0 || rec->valid_until <= rec->valid_from))
		return ledger_errf(err, LEDGER_ESCHEMA, "body.valid_until",
		    "date", "valid_until must be an RFC 3339 date-time with "
		    "offset, after valid_from");
	rec->registered = seq;
	rec->revoked = LEDGER_SEQ_NONE;
	return 0;
}

int
ledger_registry_apply(const struct ledger_registry *reg,
    const struct ledger_statement *st, uint64_t seq, struct ledger_err *err)
{
	struct ledger_keyrec rec, old;
	const char *revokes;
	json_t *rv;
	int rc, registers;

	if (strcmp(st->kind, "key") != 0)
		return 0;
	rv = json_object_get(st->body, "revokes");
	if (rv != NULL && !json_is_string(rv))
		return ledger_errf(err, LEDGER_ESCHEMA, "body.revokes", "type",
		    "revokes must be a key name");
	revokes = rv ? json_string_value(rv) : NULL;
	registers = json_object_get(st->body, "public_key") != NULL;
	if (!registers) {
		const char *member;
		json_t *v;

		if (revokes == NULL)
			return ledger_errf(err, LEDGER_ESCHEMA, "body",
			    "key.body", "a key entry registers a key "
			    "(name, public_key, role, org, valid_from) or "
			    "revokes one (revokes)");
		json_object_foreach(st->body, member, v) {
			if (strcmp(member, "revokes") && strcmp(member,
			    "reason"))
				return ledger_errf(err, LEDGER_ESCHEMA, "body",
				    "unknown-field", "a revocation has only "
				    "revokes and reason, not %s", member);
		}
		if (json_object_get(st->body, "reason") != NULL &&
		    !json_is_string(json_object_get(st->body, "reason")))
			return ledger_errf(err, LEDGER_ESCHEMA, "body.reason",
			    "type", "reason must be a string");
	}
	if (registers) {
		if ((rc = parse_registration(st->body, seq, &rec, err)) != 0)
			return rc;
		if (seq == 0 && strcmp(rec.role, "admin") != 0)
			return ledger_errf(err, LEDGER_EAUTH, "body.role",
			    "genesis", "entry 0 must register an admin");
		rc = reg->get(reg->ctx, rec.pub.name, &old);
		if (rc == 0)
			return ledger_errf(err, LEDGER_ECONFLICT, "body.name",
			    "key.exists", "a key named \"%s\" is already "
			    "registered; key names are never reused",
			    rec.pub.name);
		if (rc != LEDGER_ENOTFOUND)
			return rc;
	}
	if (revokes != NULL) {
		rc = reg->get(reg->ctx, revokes, &old);
		if (rc == LEDGER_ENOTFOUND)
			return ledger_errf(err, LEDGER_ERULE, "body.revokes",
			    "key.unknown", "cannot revoke \"%s\": no such key",
			    revokes);
		if (rc != 0)
			return rc;
		if (old.revoked != LEDGER_SEQ_NONE)
			return ledger_errf(err, LEDGER_ERULE, "body.revokes",
			    "key.revoked", "key \"%s\" is already revoked",
			    revokes);
		old.revoked = seq;
		if ((rc = reg->put(reg->ctx, &old)) != 0)
			return rc;
	}
	if (registers && (rc = reg->put(reg->ctx, &rec)) != 0)
		return rc;
	return 0;
}

/* In-memory registry: a sorted-on-demand array is plenty for key counts. */
struct memreg {
	struct ledger_keyrec	*recs;
	size_t			 n, cap;
};

static int
mem_get(void *ctx, const char *name, struct ledger_keyrec *out)
{
	struct memreg *m = ctx;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->recs[i].pub.name, name) == 0) {
			*out = m->recs[i];
			return 0;
		}
	return LEDGER_ENOTFOUND;
}

static int
mem_put(void *ctx, const struct ledger_keyrec *rec)
{
	struct memreg *m = ctx;
	struct ledger_keyrec *grown;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->recs[i].pub.name, rec->pub.name) == 0) {
			m->recs[i] = *rec;
			return 0;
		}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;

		if ((grown = realloc(m->recs, cap * sizeof(*grown))) == NULL)
			return LEDGER_ENOMEM;
		m->recs = grown;
		m->cap = cap;
	}
	m->recs[m->n++] = *rec;
	return 0;
}

int
ledger_memreg_new(struct ledger_registry *reg)
{
	struct memreg *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return LEDGER_ENOMEM;
	reg->ctx = m;
	reg->get = mem_get;
	reg->put = mem_put;
	return 0;
}

void
ledger_memreg_free(struct ledger_registry *reg)
{
	struct memreg *m = reg->ctx;

	if (m == NULL)
		return;
	free(m->recs);
	free(m);
	reg->ctx = NULL;
}

/*
 * LMDB registry: records are stored as the raw struct.  The layout is part
 * of storage format version 1 (store.h); changing it needs a new version.
 */
static int
txn_get(void *ctx, const char *name, struct ledger_keyrec *out)
{
	const void *v;
	size_t vlen;
	int rc;

	rc = ledger_db_get(ctx, LEDGER_DB_KEYS, name, strlen(name), &v, &vlen);
	if (rc != 0)
		return rc;
	if (vlen != sizeof(*out))
		return LEDGER_ESTORE;
	memcpy(out, v, sizeof(*out));
	return 0;
}

static int
txn_put(void *ctx, const struct ledger_keyrec *rec)
{
	return ledger_db_put(ctx, LEDGER_DB_KEYS, rec->pub.name,
	    strlen(rec->pub.name), rec, sizeof(*rec), 0);
}

void
ledger_txnreg_init(struct ledger_registry *reg, struct ledger_txn *txn)
{
	reg->ctx = txn;
	reg->get = txn_get;
	reg->put = txn_put;
}
