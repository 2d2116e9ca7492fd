/*
 * bench.h - shared by the benchmark programs (loadgen, genledger,
 * edbench): clocks, latency samples, and the generator of realistic
 * signed statements.  Compiled into each of them from bench/common.c.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ledger/note.h"
#include "ledger/statement.h"

/* Monotonic clock. */
uint64_t bench_now_us(void);
double bench_now_s(void);

/* xorshift64*: cheap, per-thread, good enough to pick seqs and projects. */
uint64_t bench_rand(uint64_t *state);

/*
 * Latency samples in microseconds.  A sample set grows up to
 * BENCH_SAMPLES_MAX, then keeps counting (n_lost) without storing, so a
 * long run cannot eat the machine's memory.
 */
#define BENCH_SAMPLES_MAX	(64u * 1024 * 1024)
struct bench_lat {
	uint32_t	*v;
	size_t		 n, cap;
	uint64_t	 n_lost;
	uint64_t	 sum_us;
	uint32_t	 max_us;
};
void bench_lat_add(struct bench_lat *l, uint64_t us);
/* Append src's samples to dst (src is left as is). */
int bench_lat_merge(struct bench_lat *dst, const struct bench_lat *src);
void bench_lat_free(struct bench_lat *l);

struct bench_pct {
	uint64_t	count;
	double		mean_ms, p50_ms, p90_ms, p99_ms, p999_ms, max_ms;
};
/* Sorts l in place. */
void bench_lat_summary(struct bench_lat *l, struct bench_pct *p);

/*
 * Vote statements (DATA-STANDARDS 7.1, docs/KINDS.md) of about 1 KB, with
 * Chinese text, an ocid from a pool of projects, money in fen, and
 * consistent counts (counts sum to eligible, yes + no + abstain + recused
 * = present, quorum met, the project leader recused, result "pass"), so
 * that they pass the kind schema and the vote rules.  Statement i is a
 * pure function of (generator, i): loadgen and genledger make the same.
 */
struct bench_votegen {
	char		prefix[64];	/* statement ids are prefix-i */
	char		org[32];	/* USCC of the meeting body = signer's org */
	char		org_name[128];
	unsigned	projects;	/* ocid pool size */
	int64_t		held_ms;	/* meeting time, before any leaf time */
};
void bench_votegen_init(struct bench_votegen *g, const char *prefix,
    const char *org, const char *org_name, unsigned projects);
/* The ocid of project p ("ocds-pinghu-2026-P00042"). */
void bench_ocid(unsigned p, char *out, size_t outsz);
/* Unsigned statement {id, kind, body} i; NULL on allocation failure. */
json_t *bench_vote(const struct bench_votegen *g, uint64_t i);

/*
 * Build and sign statements first .. first+n-1 with key for origin, on
 * threads.  Outputs, either may be NULL: sts[k] keeps the parsed, signed
 * statement (caller frees with ledger_statement_free); bufs[k]/lens[k]
 * its canonical JSON with the signature (malloc'd).  0 or a LEDGER_E*
 * code (with a message on stderr: these are programs, not the library);
 * after a failure the outputs made so far stay in the (zeroed by the
 * caller) arrays, for the caller to free.
 */
int bench_presign(const struct bench_votegen *g,
    const struct ledger_seckey *key, const char *origin, uint64_t first,
    size_t n, unsigned threads, struct ledger_statement **sts, char **bufs,
    size_t *lens);

/* Number of online CPUs (at least 1). */
unsigned bench_ncpu(void);

#endif
