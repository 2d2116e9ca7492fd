/*
 * common.c - clocks, latency samples and the statement generator shared
 * by the benchmark programs (bench.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/statement.h"
#include "bench.h"

uint64_t
bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

double
bench_now_s(void)
{
	return (double)bench_now_us() / 1e6;
}

uint64_t
bench_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

unsigned
bench_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (unsigned)n;
}

void
bench_lat_add(struct bench_lat *l, uint64_t us)
{
	uint32_t v = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;

	l->sum_us += us;
	if (v > l->max_us)
		l->max_us = v;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		uint32_t *p;

		if (cap > BENCH_SAMPLES_MAX || (p = realloc(l->v,
		    cap * sizeof(*p))) == NULL) {
			l->n_lost++;
			return;
		}
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = v;
}

int
bench_lat_merge(struct bench_lat *dst, const struct bench_lat *src)
{
	size_t need = dst->n + src->n;
	uint32_t *p;

	if (need > dst->cap) {
		if ((p = realloc(dst->v, need * sizeof(*p))) == NULL)
			return -1;
		dst->v = p;
		dst->cap = need;
	}
	if (src->n > 0)
		memcpy(dst->v + dst->n, src->v, src->n * sizeof(*p));
	dst->n = need;
	dst->n_lost += src->n_lost;
	dst->sum_us += src->sum_us;
	if (src->max_us > dst->max_us)
		dst->max_us = src->max_us;
	return 0;
}

void
bench_lat_free(struct bench_lat *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples. */
static double
pct(const struct bench_lat *l, double q)
{
	size_t k;

	if (l->n == 0)
		return 0;
	k = (size_t)(q * (double)l->n);
	if (k >= l->n)
		k = l->n - 1;
	return l->v[k] / 1000.0;
}

void
bench_lat_summary(struct bench_lat *l, struct bench_pct *p)
{
	memset(p, 0, sizeof(*p));
	if (l->n > 0)
		qsort(l->v, l->n, sizeof(*l->v), cmp_u32);
	p->count = l->n + l->n_lost;
	if (p->count == 0)
		return;
	p->mean_ms = (double)l->sum_us / (double)p->count / 1000.0;
	p->p50_ms = pct(l, 0.50);
	p->p90_ms = pct(l, 0.90);
	p->p99_ms = pct(l, 0.99);
	p->p999_ms = pct(l, 0.999);
	p->max_ms = l->max_us / 1000.0;
}

/* ---- statements ------------------------------------------------------ */

static const char *const communities[] = {
	"东湖", "西湖", "南河", "北港", "新华", "金桥", "梅园", "桃源",
	"龙湾", "清溪", "胜利", "解放", "朝阳", "和平", "长安", "白鹭",
};

static const char *const works[] = {
	"老旧小区路灯改造", "垃圾分类投放点建设", "老年食堂运营补助",
	"电动自行车集中充电设施", "公共绿地修缮", "无障碍通道增设",
	"社区儿童之家改造", "雨污分流管网疏通", "楼道照明与消防设施更新",
	"邻里中心活动室装修",
};

void
bench_votegen_init(struct bench_votegen *g, const char *prefix,
    const char *org, const char *org_name, unsigned projects)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->prefix, sizeof(g->prefix), "%s", prefix);
	snprintf(g->org, sizeof(g->org), "%s", org);
	snprintf(g->org_name, sizeof(g->org_name), "%s", org_name);
	g->projects = projects ? projects : 1000;
	/* A day ago, whole minutes: well before any leaf made from now on. */
	g->held_ms = ((int64_t)time(NULL) - 86400) / 60 * 60000;
}

void
bench_ocid(unsigned p, char *out, size_t outsz)
{
	snprintf(out, outsz, "ocds-pinghu-2026-P%05u", p);
}

/* RFC 3339 in China Standard Time. */
static void
cst_time(int64_t ms, char *out, size_t outsz)
{
	time_t t = (time_t)(ms / 1000) + 8 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, outsz, "%Y-%m-%dT%H:%M:%S+08:00", &tm) == 0)
		out[0] = '\0';
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb3fe1a85ec53ULL;
	return x ^ (x >> 33);
}

json_t *
bench_vote(const struct bench_votegen *g, uint64_t i)
{
	uint64_t h = mix(i + 0x51ed2701), h2 = mix(h);
	unsigned proj = (unsigned)(h % g->projects);
	const char *cm = communities[(h >> 16) % (sizeof(communities) /
	    sizeof(communities[0]))];
	const char *wk = works[(h >> 24) % (sizeof(works) / sizeof(works[0]))];
	long long fen = 100000 + (long long)(h2 % 99900000);
	int eligible = 40 + (int)(h % 21), absent = 2 + (int)((h >> 8) % 4);
	int present = eligible - absent, recused = 1;
	int abstain = (int)((h >> 12) % 3), no = 2 + (int)((h >> 20) % 5);
	int yes = present - recused - abstain - no;
	char id[128], vid[128], ocid[48], motion[1024], held[40], title[160];
	char hex[65];
	uint8_t digest[32];

	snprintf(id, sizeof(id), "%s-%llu", g->prefix, (unsigned long long)i);
	snprintf(vid, sizeof(vid), "V-%s-%llu", g->prefix,
	    (unsigned long long)i);
	bench_ocid(proj, ocid, sizeof(ocid));
	cst_time(g->held_ms - (int64_t)(i % 1440) * 60000, held, sizeof(held));
	snprintf(motion, sizeof(motion), "关于%s社区%s项目（P%05u）申请社区"
	    "自治金的议案：拟实施%s，预算人民币%lld.%02lld元，由社区自治金列支，"
	    "实施期限六个月，完工后由独立第三方机构评估验收。", cm, wk, proj, wk,
	    fen / 100, fen % 100);
	snprintf(title, sizeof(title), "%s社区第%llu次居民代表会议记录", cm,
	    (unsigned long long)(i % 100000 + 1));
	crypto_hash_sha256(digest, (const uint8_t *)id, strlen(id));
	ledger_hex_encode(digest, sizeof(digest), hex);
	return json_pack("{s:s, s:s, s:{"
	    "s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s,"
	    "s:{s:s, s:i, s:i, s:s, s:i, s:i},"
	    "s:i, s:i,"
	    "s:[{s:s,s:i},{s:s,s:i},{s:s,s:i},{s:s,s:i},{s:s,s:i}],"
	    "s:[{s:s, s:s}], s:s, s:b, s:{s:I, s:s},"
	    "s:{s:s, s:s, s:s, s:s, s:I, s:s}}}",
	    "id", id, "kind", "vote", "body",
	    "ocid", ocid, "vote_id", vid,
	    "body", "scheme", "CN-USCI", "id", g->org, "name", g->org_name,
	    "motion_text", motion, "held_at", held,
	    "requirement", "basis", "present", "num", 1, "den", 2,
	    "compare", "more_than", "quorum_num", 2, "quorum_den", 3,
	    "eligible", eligible, "present", present,
	    "counts", "option", "yes", "value", yes, "option", "no",
	    "value", no, "option", "abstain", "value", abstain,
	    "option", "recused", "value", recused, "option", "absent",
	    "value", absent,
	    "recusals", "role", "project_leader", "reason",
	    "项目负责人回避表决",
	    "result", "pass", "announced_on_site", 1,
	    "requested", "amount_minor", (json_int_t)fen, "currency", "CNY",
	    "minutes", "id", "minutes-1", "type", "minutes", "title", title,
	    "sha256", hex, "size", (json_int_t)(200000 + h2 % 800000),
	    "media_type", "application/pdf");
}

struct presign_job {
	const struct bench_votegen	*g;
	const struct ledger_seckey	*key;
	const char			*origin;
	uint64_t			 first;
	size_t				 from, to;	/* slice of the output */
	struct ledger_statement		**sts;
	char				**bufs;
	size_t				*lens;
	int				 rc;
};

static void *
presign_main(void *arg)
{
	struct presign_job *j = arg;
	struct ledger_statement *st;
	struct ledger_err err;
	size_t k;
	json_t *v;
	int rc;

	for (k = j->from; k < j->to; k++) {
		if ((v = bench_vote(j->g, j->first + k)) == NULL) {
			j->rc = LEDGER_ENOMEM;
			return NULL;
		}
		if ((rc = ledger_statement_from_json(v, &st, &err)) != 0) {
			fprintf(stderr, "bench: statement %llu: %s: %s\n",
			    (unsigned long long)(j->first + k), err.path,
			    err.msg);
			j->rc = rc;
			return NULL;
		}
		if ((rc = ledger_statement_sign(st, j->origin, j->key)) != 0 ||
		    (j->bufs != NULL && (rc = ledger_statement_dump(st,
		    &j->bufs[k], &j->lens[k])) != 0)) {
			ledger_statement_free(st);
			j->rc = rc;
			return NULL;
		}
		if (j->sts != NULL)
			j->sts[k] = st;
		else
			ledger_statement_free(st);
	}
	return NULL;
}

int
bench_presign(const struct bench_votegen *g, const struct ledger_seckey *key,
    const char *origin, uint64_t first, size_t n, unsigned threads,
    struct ledger_statement **sts, char **bufs, size_t *lens)
{
	struct presign_job *jobs;
	pthread_t *tids;
	unsigned t, started = 0;
	int rc = 0;

	if (threads == 0)
		threads = 1;
	if (threads > n)
		threads = n ? (unsigned)n : 1;
	jobs = calloc(threads, sizeof(*jobs));
	tids = calloc(threads, sizeof(*tids));
	if (jobs == NULL || tids == NULL) {
		free(jobs);
		free(tids);
		return LEDGER_ENOMEM;
	}
	for (t = 0; t < threads; t++) {
		jobs[t] = (struct presign_job){ g, key, origin, first,
		    n * t / threads, n * (t + 1) / threads, sts, bufs, lens,
		    0 };
		if (pthread_create(&tids[t], NULL, presign_main, &jobs[t]) != 0)
			break;
		started++;
	}
	if (started < threads)
		rc = LEDGER_ENOMEM;
	for (t = 0; t < started; t++) {
		pthread_join(tids[t], NULL);
		if (rc == 0 && jobs[t].rc != 0)
			rc = jobs[t].rc;
	}
	free(jobs);
	free(tids);
	return rc;
}
