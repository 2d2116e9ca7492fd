/*
 * fuzz_canon.c - canonical JSON (ledger/canon.h) under libFuzzer.
 *
 * Invariants: the parser never crashes and explains every refusal (code,
 * rule, NUL-terminated path); what it accepts passes ledger_canon_check,
 * dumps, and the dump is a fixed point: it parses back to an equal tree
 * whose dump is the same bytes.
 */
#include <jansson.h>

#include "ledger/canon.h"
#include "ledger/error.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ledger_err err;
	json_t *v = NULL, *w = NULL;
	char *d1 = NULL, *d2 = NULL;
	size_t n1, n2;
	int rc;

	ledger_err_clear(&err);
	rc = ledger_canon_parse((const char *)data, size, &v, &err);
	if (rc != 0) {
		FUZZ_CHECK(v == NULL);
		if (rc != LEDGER_ENOMEM) {
			FUZZ_CHECK_ERR(rc, err);
			FUZZ_CHECK(err.rule[0] != '\0');
			FUZZ_CHECK(rc == LEDGER_EJSON || rc == LEDGER_ECANON ||
			    rc == LEDGER_ETOOBIG);
		}
		return 0;
	}
	FUZZ_CHECK(v != NULL);
	FUZZ_CHECK(ledger_canon_check(v, NULL) == 0);
	rc = ledger_canon_dump(v, &d1, &n1, NULL);
	/* A parsed document is at most the size limit, and so is its dump. */
	FUZZ_CHECK(rc == 0 || rc == LEDGER_ENOMEM);
	if (rc != 0)
		goto out;
	FUZZ_CHECK(strlen(d1) == n1);
	FUZZ_CHECK(ledger_canon_parse(d1, n1, &w, NULL) == 0);
	FUZZ_CHECK(json_equal(v, w));
	FUZZ_CHECK(ledger_canon_dump(w, &d2, &n2, NULL) == 0);
	FUZZ_CHECK(n1 == n2 && memcmp(d1, d2, n1) == 0);
out:
	free(d1);
	free(d2);
	json_decref(v);
	json_decref(w);
	return 0;
}
