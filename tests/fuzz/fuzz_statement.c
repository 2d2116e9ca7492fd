/*
 * fuzz_statement.c - statements and leaves (ledger/statement.h) under
 * libFuzzer, with the signature check on the path.
 *
 * The input is tried as a statement and as a stored leaf.  Invariants:
 * refusals are explained; an accepted statement dumps, re-parses to the
 * same signed part and signing message, and each of its signatures goes
 * through ledger_statement_verify without crashing (it verifies only for
 * the vectors' author key over the vectors' origin, which the seed corpus
 * holds); an accepted leaf is rebuilt byte for byte by ledger_leaf_build
 * from its own parts, so a leaf has exactly one spelling; a time string
 * accepted by ledger_time_parse formats back to itself.
 */
#include <jansson.h>

#include "ledger/canon.h"
#include "ledger/error.h"
#include "ledger/note.h"
#include "ledger/statement.h"
#include "fuzz.h"

/* tests/vectors/ledgerd-v1.json: author and origin. */
static const char origin[] = "ledger.example.gov.cn/yueqing-2026";
static const char author[] = "convener.xiangdong";

static void
statement(const uint8_t *data, size_t size)
{
	static struct ledger_seckey k;
	static int have_key;
	struct ledger_statement *st = NULL, *st2 = NULL;
	struct ledger_pubkey pub;
	struct ledger_err err;
	char *dump = NULL, *m1 = NULL, *m2 = NULL;
	size_t n, l1, l2, i;
	int rc;

	if (!have_key) {
		uint8_t seed[32];

		for (i = 0; i < 32; i++)
			seed[i] = (uint8_t)(0x40 + i);
		FUZZ_CHECK(ledger_seckey_from_seed(author, seed, &k) == 0);
		have_key = 1;
	}
	ledger_err_clear(&err);
	rc = ledger_statement_parse((const char *)data, size, &st, &err);
	if (rc != 0) {
		if (rc != LEDGER_ENOMEM)
			FUZZ_CHECK_ERR(rc, err);
		return;
	}
	FUZZ_CHECK(st->nsigs <= LEDGER_SIGS_MAX);
	FUZZ_CHECK(strlen(st->signed_canon) == st->signed_len);
	if (ledger_statement_dump(st, &dump, &n) != 0)
		goto out;
	FUZZ_CHECK(ledger_statement_parse(dump, n, &st2, NULL) == 0);
	FUZZ_CHECK(st2->signed_len == st->signed_len &&
	    memcmp(st2->signed_canon, st->signed_canon, st->signed_len) == 0);
	FUZZ_CHECK(st2->nsigs == st->nsigs);
	FUZZ_CHECK(ledger_statement_message(st, origin, &m1, &l1) == 0);
	FUZZ_CHECK(ledger_statement_message(st2, origin, &m2, &l2) == 0);
	FUZZ_CHECK(l1 == l2 && memcmp(m1, m2, l1) == 0);
	for (i = 0; i < st->nsigs; i++) {
		FUZZ_CHECK(strcmp(st->sigs[i].key, st2->sigs[i].key) == 0);
		FUZZ_CHECK(memcmp(st->sigs[i].sig, st2->sigs[i].sig,
		    LEDGER_SIG_BYTES) == 0);
		/* Another name than the key's: refused without looking. */
		pub = k.pub;
		if (strcmp(st->sigs[i].key, author) != 0)
			FUZZ_CHECK(ledger_statement_verify(st, i, origin,
			    &pub) == LEDGER_ESIG);
		else
			(void)!ledger_statement_verify(st, i, origin, &pub);
	}
out:
	free(dump);
	free(m1);
	free(m2);
	ledger_statement_free(st);
	ledger_statement_free(st2);
}

static void
leaf(const uint8_t *data, size_t size)
{
	struct ledger_leaf lf;
	struct ledger_err err;
	uint8_t hash[LEDGER_HASH_BYTES], h2[LEDGER_HASH_BYTES];
	char *again = NULL;
	size_t n;
	int rc;

	memset(&lf, 0, sizeof(lf));
	ledger_err_clear(&err);
	rc = ledger_leaf_parse(data, size, &lf, &err);
	if (rc != 0) {
		if (rc != LEDGER_ENOMEM)
			FUZZ_CHECK_ERR(rc, err);
		ledger_leaf_clear(&lf);
		return;
	}
	/*
	 * The signed part is a slice of the input: hold it to an independent
	 * serialization, and the verifier's lean parse to the same answer.
	 */
	{
		struct ledger_leaf lean;
		json_t *o = json_pack("{s:O,s:s,s:s}", "body", lf.st->body,
		    "id", lf.st->id, "kind", lf.st->kind);
		char *dump = NULL;
		size_t dlen, end = 0;

		FUZZ_CHECK(o != NULL);
		if (ledger_canon_dump(o, &dump, &dlen, NULL) == 0)
			FUZZ_CHECK(dlen == lf.st->signed_len &&
			    memcmp(dump, lf.st->signed_canon, dlen) == 0);
		free(dump);
		json_decref(o);
		rc = ledger_leaf_parse_lean(data, size, &lean, &end, NULL);
		FUZZ_CHECK(rc == 0 || rc == LEDGER_ENOMEM);
		if (rc == 0)
			FUZZ_CHECK(end + 1 == lf.st->signed_len &&
			    memcmp(data, lf.st->signed_canon, end) == 0);
		ledger_leaf_clear(&lean);
	}
	rc = ledger_leaf_build(lf.st, lf.seq, lf.time_ms, lf.prev, &again,
	    &n, hash, NULL);
	FUZZ_CHECK(rc == 0 || rc == LEDGER_ENOMEM);
	if (rc == 0) {
		FUZZ_CHECK(n == size && memcmp(again, data, size) == 0);
		ledger_leaf_hash(data, size, h2);
		FUZZ_CHECK(memcmp(hash, h2, sizeof(hash)) == 0);
	}
	free(again);
	ledger_leaf_clear(&lf);
}

static void
timestamp(const uint8_t *data, size_t size)
{
	char s[LEDGER_TIME_BYTES + 8], out[LEDGER_TIME_BYTES];
	int64_t ms;

	if (size >= sizeof(s))
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ledger_time_parse(s, &ms) != 0)
		return;
	FUZZ_CHECK(ledger_time_format(ms, out) == 0);
	FUZZ_CHECK(strcmp(out, s) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	statement(data, size);
	leaf(data, size);
	timestamp(data, size);
	return 0;
}
