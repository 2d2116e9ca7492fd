/*
 * edbench.c - what one core of this machine can do per entry: Ed25519
 * verify (the physical bound of "ledgerctl verify" with signatures),
 * Ed25519 sign, SHA-256 of a leaf, and the library's per-entry steps
 * (statement parse as the HTTP workers do it, leaf build as the sequencer
 * does it, strict leaf parse as a verifier does it, and the parse and
 * re-serialization of a leaf that JSON responses embedding it pay).
 * Then the verify rate with every core busy.
 *
 *   edbench [-t SECONDS] [--json]
 *
 * Each figure is a closed loop on realistic input: the signing message
 * and leaf of a ~1 KB vote from bench/common.c.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/append.h"
#include "ledger/arena.h"
#include "ledger/statement.h"
#include "bench.h"

#define NSIGS	64	/* distinct signatures cycled through */

static struct {
	char		*msg;		/* signing message of the vote */
	size_t		 msglen;
	char		*stmt;		/* signed statement JSON */
	size_t		 stmtlen;
	char		*leaf;		/* its leaf */
	size_t		 leaflen;
	struct ledger_statement *st;	/* the signed statement, parsed */
	struct ledger_arena arena;	/* for the leaf parse */
	uint8_t		 pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t		 sk[crypto_sign_SECRETKEYBYTES];
	uint8_t		 sig[NSIGS][crypto_sign_BYTES];
	double		 seconds;
	_Atomic int	 stop;
} E;

typedef int (*op_fn)(uint64_t i);

static int
op_verify(uint64_t i)
{
	return crypto_sign_verify_detached(E.sig[i % NSIGS],
	    (const uint8_t *)E.msg, E.msglen, E.pk);
}

static int
op_sign(uint64_t i)
{
	uint8_t sig[crypto_sign_BYTES];

	E.msg[0] = (char)('a' + i % 26);	/* distinct messages */
	crypto_sign_detached(sig, NULL, (const uint8_t *)E.msg, E.msglen,
	    E.sk);
	E.msg[0] = 'l';
	return 0;
}

static int
op_sha256(uint64_t i)
{
	uint8_t h[LEDGER_HASH_BYTES];

	(void)i;
	ledger_leaf_hash(E.leaf, E.leaflen, h);
	return 0;
}

static int
op_stmt_parse(uint64_t i)
{
	struct ledger_statement *st;

	(void)i;
	if (ledger_statement_parse(E.stmt, E.stmtlen, &st, NULL) != 0)
		return -1;
	ledger_statement_free(st);
	return 0;
}

static int
op_leaf_parse(uint64_t i)
{
	struct ledger_leaf leaf;
	size_t signed_end;
	int rc;

	(void)i;
	/* As the verifier's pool does it: lean, into an arena. */
	ledger_arena_enter(&E.arena);
	rc = ledger_leaf_parse_lean(E.leaf, E.leaflen, &leaf, &signed_end,
	    NULL);
	ledger_arena_leave();
	ledger_leaf_forget(&leaf);
	ledger_arena_reset(&E.arena);
	return rc != 0 ? -1 : 0;
}

/* What the sequencer does per entry to make its leaf. */
static int
op_leaf_build(uint64_t i)
{
	uint8_t prev[LEDGER_HASH_BYTES] = { 0 }, h[LEDGER_HASH_BYTES];
	char *leaf;
	size_t len;

	if (ledger_leaf_build(E.st, i, 1795000000000LL, prev, &leaf, &len, h,
	    NULL) != 0)
		return -1;
	free(leaf);
	return 0;
}

/*
 * What a JSON response that embeds a stored leaf as a parsed tree costs
 * per leaf (receipts, GET /v1/entries/{seq}, queries): parse the stored
 * bytes, serialize again with sorted keys.
 */
static int
op_leaf_roundtrip(uint64_t i)
{
	json_t *v;
	char *s;

	(void)i;
	if ((v = json_loadb(E.leaf, E.leaflen, 0, NULL)) == NULL)
		return -1;
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(v);
	if (s == NULL)
		return -1;
	free(s);
	return 0;
}

/* Ops per second of fn on this thread for E.seconds, or until stop. */
static double
rate(op_fn fn, int shared)
{
	uint64_t n = 0, t0 = bench_now_us(), t, lim;

	lim = t0 + (uint64_t)(E.seconds * 1e6);
	do {
		int k;

		for (k = 0; k < 64; k++, n++)
			if (fn(n) < 0) {
				fprintf(stderr, "edbench: operation failed\n");
				exit(1);
			}
		t = bench_now_us();
	} while (t < lim && !(shared && atomic_load(&E.stop)));
	return (double)n / ((double)(t - t0) / 1e6);
}

struct worker {
	pthread_t	tid;
	double		rate;
};

static void *
verify_worker(void *arg)
{
	struct worker *w = arg;

	w->rate = rate(op_verify, 1);
	return NULL;
}

/* Verify on n threads at once; the sum of their rates. */
static double
verify_parallel(unsigned n)
{
	struct worker *w = calloc(n, sizeof(*w));
	double sum = 0;
	unsigned i, started = 0;

	if (w == NULL)
		return 0;
	atomic_store(&E.stop, 0);
	for (i = 0; i < n; i++)
		if (pthread_create(&w[i].tid, NULL, verify_worker, &w[i]) == 0)
			started++;
	for (i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		sum += w[i].rate;
	}
	free(w);
	return sum;
}

static int
setup(void)
{
	struct bench_votegen g;
	struct ledger_statement *st;
	struct ledger_seckey k;
	uint8_t prev[LEDGER_HASH_BYTES] = { 0 }, h[LEDGER_HASH_BYTES];
	json_t *v;
	int i;

	if (ledger_seckey_generate("bench-convener", &k) != 0)
		return -1;
	memcpy(E.pk, k.pub.pk, sizeof(E.pk));
	memcpy(E.sk, k.sk, sizeof(E.sk));
	bench_votegen_init(&g, "edbench", "91350100M000100Y43",
	    "平湖市当湖街道东湖社区居民代表会议", 1000);
	if ((v = bench_vote(&g, 7)) == NULL ||
	    ledger_statement_from_json(v, &st, NULL) != 0 ||
	    ledger_statement_sign(st, "bench.example/ledger", &k) != 0 ||
	    ledger_statement_message(st, "bench.example/ledger", &E.msg,
	    &E.msglen) != 0 ||
	    ledger_statement_dump(st, &E.stmt, &E.stmtlen) != 0 ||
	    ledger_leaf_build(st, 123456, ledger_now_ms(), prev, &E.leaf,
	    &E.leaflen, h, NULL) != 0)
		return -1;
	E.st = st;
	ledger_seckey_wipe(&k);
	for (i = 0; i < NSIGS; i++) {
		E.msg[0] = 'l';
		crypto_sign_detached(E.sig[i], NULL, (const uint8_t *)E.msg,
		    E.msglen, E.sk);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seconds", 1, NULL, 't' }, { "json", 0, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	double verify1, sign1, sha1, sparse1, lparse1, lbuild1, ltrip1;
	double verifyn;
	unsigned ncpu = bench_ncpu();
	int ch, json = 0;

	E.seconds = 2;
	ledger_arena_init(&E.arena, 0);
	while ((ch = getopt_long(argc, argv, "t:", lo, NULL)) != -1) {
		switch (ch) {
		case 't': E.seconds = strtod(optarg, NULL); break;
		case 'J': json = 1; break;
		default:
			fprintf(stderr, "usage: edbench [-t SECONDS] "
			    "[--json]\n");
			return 2;
		}
	}
	if (sodium_init() < 0 || setup() != 0) {
		fprintf(stderr, "edbench: setup failed\n");
		return 3;
	}
	if (op_verify(0) != 0) {
		fprintf(stderr, "edbench: signature does not verify\n");
		return 1;
	}
	verify1 = rate(op_verify, 0);
	sign1 = rate(op_sign, 0);
	sha1 = rate(op_sha256, 0);
	sparse1 = rate(op_stmt_parse, 0);
	lparse1 = rate(op_leaf_parse, 0);
	lbuild1 = rate(op_leaf_build, 0);
	ltrip1 = rate(op_leaf_roundtrip, 0);
	verifyn = verify_parallel(ncpu);
	fprintf(stderr,
	    "edbench (%u cpus, message %zu B, leaf %zu B, statement %zu B)\n"
	    "  ed25519 verify, 1 core     %9.0f /s\n"
	    "  ed25519 verify, %2u threads %9.0f /s (%.2f x)\n"
	    "  ed25519 sign, 1 core       %9.0f /s\n"
	    "  sha-256 leaf hash, 1 core  %9.0f /s\n"
	    "  statement parse, 1 core    %9.0f /s\n"
	    "  strict leaf parse, 1 core  %9.0f /s\n"
	    "  leaf build, 1 core         %9.0f /s\n"
	    "  leaf JSON round trip       %9.0f /s\n", ncpu, E.msglen,
	    E.leaflen, E.stmtlen, verify1, ncpu, verifyn, verifyn / verify1,
	    sign1, sha1, sparse1, lparse1, lbuild1, ltrip1);
	if (json) {
		json_t *o;
		char *s;

		o = json_pack("{s:i, s:I, s:I, s:f, s:f, s:f, s:f, "
		    "s:f, s:f, s:f, s:f}", "cpus", (int)ncpu, "message_bytes",
		    (json_int_t)E.msglen, "leaf_bytes", (json_int_t)E.leaflen,
		    "verify_1core", verify1, "verify_allcores", verifyn,
		    "sign_1core", sign1, "sha256_leaf_1core", sha1,
		    "statement_parse_1core", sparse1, "leaf_parse_1core",
		    lparse1, "leaf_build_1core", lbuild1,
		    "leaf_roundtrip_1core", ltrip1);
		s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(7)) :
		    NULL;
		if (s != NULL)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	}
	ledger_statement_free(E.st);
	free(E.msg);
	free(E.stmt);
	free(E.leaf);
	sodium_memzero(E.sk, sizeof(E.sk));
	return 0;
}
