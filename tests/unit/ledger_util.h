/*
 * ledger_util.h - real ledgers for the unit tests, built with the append
 * code the daemon uses (test_verify.c, test_index.c): fixed keys from
 * seeds, key entries, votes that pass their schema and rules, and build().
 */
#ifndef LEDGER_UTIL_H
#define LEDGER_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"
#include "ledger/append.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "ledger/statement.h"
#include "ledger/store.h"

#define UTIL_UNUSED __attribute__((unused))

#define ORIGIN	"test.example.gov.cn/verify"
#define USCC	"91350100M000100Y43"
#define T0	1767225600000LL		/* 2026-01-01T00:00:00Z */

UTIL_UNUSED static struct ledger_seckey lkey, other_lkey, admin, conv,
    conv2, ghost, evil_conv, evil_conv2;

/* Each key from a seed of one repeated byte, so every run signs the same. */
UTIL_UNUSED static void
keys(void)
{
	static const struct {
		struct ledger_seckey	*key;
		const char		*name;
		uint8_t			 fill;
	} seeds[] = {
		{ &lkey, ORIGIN, 1 }, { &admin, "admin", 2 }, { &conv, "conv", 3 },
		{ &ghost, "ghost", 4 },
		/* Same names as real keys, other secrets. */
		{ &evil_conv, "conv", 5 }, { &other_lkey, ORIGIN, 6 },
		{ &conv2, "conv2", 7 }, { &evil_conv2, "conv2", 8 },
	};
	static int done;
	uint8_t seed[32];
	size_t i;

	if (done++)
		return;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		memset(seed, seeds[i].fill, sizeof(seed));
		ledger_seckey_from_seed(seeds[i].name, seed, seeds[i].key);
	}
}

UTIL_UNUSED static struct ledger_statement *
stmt(json_t *j, const struct ledger_seckey *k)
{
	struct ledger_statement *s = NULL;

	if (j == NULL || ledger_statement_from_json(j, &s, NULL) != 0)
		return NULL;
	if (k != NULL && ledger_statement_sign(s, ORIGIN, k) != 0) {
		ledger_statement_free(s);
		return NULL;
	}
	return s;
}

UTIL_UNUSED static struct ledger_statement *
key_entry(const char *id, const struct ledger_seckey *k, const char *role,
    const struct ledger_seckey *signer)
{
	char vkey[LEDGER_VKEY_MAX];
	json_t *body;

	ledger_vkey_format(&k->pub, vkey, sizeof(vkey));
	body = json_pack("{s:s, s:s, s:s, s:s}", "name", k->pub.name,
	    "public_key", vkey, "role", role,
	    "valid_from", "2020-01-01T00:00:00+08:00");
	if (body != NULL && strcmp(role, "admin") != 0)
		json_object_set_new(body, "org", json_pack("{s:s, s:s, s:s}",
		    "scheme", "CN-USCI", "id", USCC, "name", k->pub.name));
	return stmt(json_pack("{s:s, s:s, s:o, s:[]}", "id", id, "kind", "key",
	    "body", body, "signatures"), signer);
}

/* A vote that passes its kind's schema and rules (DATA-STANDARDS 7.1). */
UTIL_UNUSED static json_t *
vote_body(uint64_t n)
{
	char ocid[32], vid[32];

	snprintf(ocid, sizeof(ocid), "ocds-t-%llu", (unsigned long long)n);
	snprintf(vid, sizeof(vid), "v-%llu", (unsigned long long)n);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s,"
	    " s:{s:s, s:i, s:i, s:i, s:i}, s:i, s:i,"
	    " s:[{s:s, s:i}, {s:s, s:i}, {s:s, s:i}],"
	    " s:[{s:s, s:s}], s:s, s:b,"
	    " s:{s:s, s:s, s:s, s:i, s:s}}",
	    "ocid", ocid, "vote_id", vid,
	    "body", "scheme", "CN-USCI", "id", USCC, "name", "Village meeting",
	    "motion_text", "Build the bridge", "held_at",
	    "2025-12-30T10:00:00+08:00",
	    "requirement", "basis", "present", "num", 1, "den", 2,
	    "quorum_num", 2, "quorum_den", 3,
	    "eligible", 10, "present", 9,
	    "counts", "option", "yes", "value", 6, "option", "no", "value", 2,
	    "option", "recused", "value", 1,
	    "recusals", "role", "project_leader", "reason", "leads it",
	    "result", "pass", "announced_on_site", 1,
	    "minutes", "id", "m-1", "type", "minutes", "sha256",
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	    "size", 1234, "media_type", "application/pdf");
}

UTIL_UNUSED static struct ledger_statement *
vote(const char *id, uint64_t n, const struct ledger_seckey *k)
{
	return stmt(json_pack("{s:s, s:s, s:o, s:[]}", "id", id, "kind",
	    "vote", "body", vote_body(n), "signatures"), k);
}

UTIL_UNUSED static int
add(struct ledger_appender *a, struct ledger_txn *txn,
    struct ledger_statement *s)
{
	struct ledger_appended res;
	struct ledger_err err;
	int rc;

	if (s == NULL)
		return LEDGER_ENOMEM;
	ledger_err_clear(&err);
	rc = ledger_appender_add(a, txn, s, T0 + (int64_t)a->size * 1000, 0,
	    &res, &err);
	if (rc != 0)
		fprintf(stderr, "append refused: %s: %s\n", err.path, err.msg);
	ledger_statement_free(s);
	return rc;
}

UTIL_UNUSED static int
sign_ckpt(const struct ledger_seckey *k, uint64_t size,
    const uint8_t root[LEDGER_HASH_BYTES], char *note, size_t *len)
{
	struct ledger_checkpoint c;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	c.size = size;
	memcpy(c.root, root, LEDGER_HASH_BYTES);
	return ledger_checkpoint_sign(k, &c, note, LEDGER_NOTE_MAX, len);
}

/*
 * A ledger of n entries in a fresh directory: genesis, the convener's key
 * at seq 1, votes; with late > 1 the entry at seq late registers conv2,
 * which then signs every other vote.  A checkpoint every `every` entries
 * and one at the end.
 */
UTIL_UNUSED static void
build(char *dir, size_t dirsz, uint64_t n, uint64_t every, uint64_t late)
{
	static unsigned count;
	struct ledger_appender a;
	struct ledger_store *st = NULL;
	struct ledger_txn *txn = NULL;
	char note[LEDGER_NOTE_MAX], id[32];
	uint8_t root[LEDGER_HASH_BYTES];
	size_t len;
	int rc = 0;

	keys();
	snprintf(dir, dirsz, "%s/l%u", harness_tmpdir(), count++);
	CHECK_INT(ledger_store_open(dir, LEDGER_STORE_CREATE, 1ULL << 30, &st),
	    0);
	if (st == NULL)
		return;
	CHECK_INT(ledger_store_init(st, ORIGIN), 0);
	CHECK_INT(ledger_txn_begin(st, 1, &txn), 0);
	CHECK_INT(ledger_appender_load(&a, txn), 0);
	while (rc == 0 && a.size < n) {
		uint64_t s = a.size;

		snprintf(id, sizeof(id), "vote-%llu", (unsigned long long)s);
		if (s == 0)
			rc = add(&a, txn, key_entry("genesis", &admin, "admin",
			    NULL));
		else if (s == 1)
			rc = add(&a, txn, key_entry("key-conv", &conv,
			    "convener", &admin));
		else if (s == late)
			rc = add(&a, txn, key_entry("key-conv2", &conv2,
			    "convener", &admin));
		else
			rc = add(&a, txn, vote(id, s, late > 1 && s > late &&
			    s % 2 ? &conv2 : &conv));
		if (rc == 0 && (a.size % every == 0 || a.size == n)) {
			ledger_frontier_root(&a.fr, root);
			rc = sign_ckpt(&lkey, a.size, root, note, &len);
			if (rc == 0)
				rc = ledger_ckpt_put(txn, a.size, note, len);
		}
	}
	CHECK_INT(rc, 0);
	CHECK_INT(ledger_txn_commit(txn), 0);
	ledger_store_close(st);
}


#endif
