/*
 * fuzz_tilepath.c - the URL parsers of the read API under libFuzzer: tile
 * and entry-bundle paths (c2sp.org/tlog-tiles) and entry numbers.
 *
 * The parsers are static in daemon/routes_tiles.c and routes_entries.c, so
 * this target includes those files whole and stubs what they call outside
 * them (nothing of it runs here).  If the parsers move to lib/, include
 * their header instead.
 *
 * Invariants, both ways: a path the parser accepts is the one canonical
 * spelling of its (N, W): encoding them again gives the same bytes; and
 * every (N, W) the fuzzer derives encodes to a path that parses back to
 * it.  An accepted entry number prints back to the same digits.
 */
#include "../../daemon/routes_tiles.c"
#include "../../daemon/routes_entries.c"
#include "fuzz.h"

/* --- stubs: never called by the parsers ------------------------------- */

void
served_get(struct ledgerd *d, uint64_t *size, uint8_t *root, char *note,
    size_t *notelen)
{
	(void)d, (void)root, (void)note, (void)notelen;
	*size = 0;
}

int
http_reply(struct request *rq, unsigned status, const char *ctype,
    char *body, size_t len, const char *cache)
{
	(void)rq, (void)status, (void)ctype, (void)len, (void)cache;
	free(body);
	abort();
}

int
http_error(struct request *rq, unsigned status, const char *code,
    const char *fmt, ...)
{
	(void)rq, (void)status, (void)code, (void)fmt;
	abort();
}

int
http_ledger_error(struct request *rq, int rc, const struct ledger_err *e)
{
	(void)rq, (void)rc, (void)e;
	abort();
}

int
http_json(struct request *rq, unsigned status, json_t *v)
{
	(void)rq, (void)status, (void)v;
	abort();
}

unsigned
http_status_for(int rc)
{
	(void)rc;
	abort();
}

int
http_suspend_append(struct ledgerd *d, struct request *rq,
    struct append_req *a)
{
	(void)d, (void)rq, (void)a;
	abort();
}

const struct ledger_pubkey *
signer_pubkey(const struct signer *s)
{
	(void)s;
	abort();
}

int
leaf_served(struct ledger_txn *txn, uint64_t seq,
    const uint8_t hash[LEDGER_HASH_BYTES])
{
	(void)txn, (void)seq, (void)hash;
	abort();
}

int
http_tampered(struct request *rq, uint64_t seq)
{
	(void)rq, (void)seq;
	abort();
}

/* --- the target ------------------------------------------------------- */

static void
spell(uint64_t n, unsigned w, char *out, size_t outsz)
{
	char nb[64];

	encode_n(n, nb, sizeof(nb));
	if (w == TILE_WIDTH)
		snprintf(out, outsz, "%s", nb);
	else
		snprintf(out, outsz, "%s.p/%u", nb, w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, again[96];
	const char *p;
	uint64_t n, v;
	unsigned w, level;

	if ((s = fuzz_cstr(data, size)) == NULL)
		return 0;
	if (parse_nw(s, &n, &w) == 0) {
		FUZZ_CHECK(w >= 1 && w <= TILE_WIDTH);
		FUZZ_CHECK(n < 1000000000000000000ULL);
		spell(n, w, again, sizeof(again));
		FUZZ_CHECK(strcmp(again, s) == 0);
	}
	p = s;
	if (parse_dec(&p, 0, 63, &level) == 0) {
		FUZZ_CHECK(level <= 63 && p > s);
		snprintf(again, sizeof(again), "%u", level);
		FUZZ_CHECK(strlen(again) == (size_t)(p - s) &&
		    memcmp(again, s, (size_t)(p - s)) == 0);
	}
	if (http_parse_u64(s, &v) == 0) {
		snprintf(again, sizeof(again), "%llu", (unsigned long long)v);
		FUZZ_CHECK(strcmp(again, s) == 0);
	}
	free(s);
	/* The other way: (N, W) from the input's first bytes. */
	if (size >= 9) {
		memcpy(&n, data, 8);
		n %= 1000000000000000000ULL;
		w = data[8] == 0 ? TILE_WIDTH : data[8];
		spell(n, w, again, sizeof(again));
		FUZZ_CHECK(parse_nw(again, &v, &level) == 0);
		FUZZ_CHECK(v == n && level == w);
	}
	return 0;
}
