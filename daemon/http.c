/*
 * http.c - libmicrohttpd glue: the routes table, request bodies with a hard
 * cap, per-address rate limits, JSON errors, and suspension of appends
 * until the sequencer answers them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ledgerd.h"

static const struct route {
	const char	*method;
	const char	*path;
	int		 prefix;	/* path is a prefix */
	route_fn	 fn;
} routes[] = {
	{ "POST",	"/v1/entries",			0, route_append },
	{ "GET",	"/v1/entries",			0, route_query },
	{ "GET",	"/v1/projects/",		1, route_project },
	{ "GET",	"/v1/contracts/",		1, route_contract },
	{ "GET",	"/v1/orgs/",			1, route_org },
	{ "GET",	"/v1/entries/",			1, route_entry },
	{ "POST",	"/v1/verify",			0, route_verify },
	{ "GET",	"/v1/proofs/inclusion",		0, route_inclusion },
	{ "GET",	"/v1/proofs/consistency",	0, route_consistency },
	{ "GET",	"/checkpoint",			0, route_checkpoint },
	{ "GET",	"/tile/",			1, route_tile },
	{ "GET",	"/healthz",			0, route_healthz },
	{ "GET",	"/metrics",			0, route_metrics },
};
_Static_assert(sizeof(routes) / sizeof(routes[0]) == HTTP_ROUTES,
    "HTTP_ROUTES must count routes[] (metrics.handler_ns)");

int
http_route(size_t i, const char **method, const char **path)
{
	if (i >= HTTP_ROUTES)
		return -1;
	*method = routes[i].method;
	*path = routes[i].path;
	return 0;
}

/* Appends whose connections are suspended or being answered. */
static _Atomic unsigned inflight;

/* Per-address token buckets; collisions share a bucket (harmless). */
#define RATE_SLOTS 4096
/*
 * libmicrohttpd's per-connection pool (request line, headers, read and
 * write buffers; bodies stream through it, responses are our buffers).
 * It zeroes the whole pool after every request on a kept-alive
 * connection: at 128 KiB that memset was 3 % of a GET's CPU.
 */
#define HTTP_CONN_POOL	(32 * 1024)
static struct {
	pthread_mutex_t	mu;
	struct {
		char	 ip[64];
		double	 tokens;
		uint64_t last_us;
	} slot[RATE_SLOTS];
} rate = { .mu = PTHREAD_MUTEX_INITIALIZER };

static int
rate_allow(const struct config *cfg, const char *ip)
{
	uint64_t now = mono_us(), h = 1469598103934665603ULL;
	const char *p;
	int ok;

	if (cfg->rate == 0)
		return 1;
	for (p = ip; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	pthread_mutex_lock(&rate.mu);
	h %= RATE_SLOTS;
	if (strcmp(rate.slot[h].ip, ip) != 0) {
		snprintf(rate.slot[h].ip, sizeof(rate.slot[h].ip), "%s", ip);
		rate.slot[h].tokens = cfg->rate;
		rate.slot[h].last_us = now;
	}
	rate.slot[h].tokens += (double)(now - rate.slot[h].last_us) *
	    cfg->rate / 1e6;
	if (rate.slot[h].tokens > cfg->rate)
		rate.slot[h].tokens = cfg->rate;	/* burst = 1 s */
	rate.slot[h].last_us = now;
	ok = rate.slot[h].tokens >= 1.0;
	if (ok)
		rate.slot[h].tokens -= 1.0;
	pthread_mutex_unlock(&rate.mu);
	return ok;
}

int
http_reply(struct request *rq, unsigned status, const char *ctype,
    char *body, size_t len, const char *cache)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control",
	    cache ? cache : "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (status == 429 || status == 503)
		MHD_add_response_header(resp, "Retry-After", "1");
	rq->status = status;
	ret = MHD_queue_response(rq->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int
http_json(struct request *rq, unsigned status, json_t *v)
{
	char *s;

	if (v == NULL)
		return http_error(rq, 500, "internal", "out of memory");
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(v);
	if (s == NULL)
		return http_error(rq, 500, "internal", "out of memory");
	return http_reply(rq, status, "application/json", s, strlen(s), NULL);
}

/* Bytes of the well-formed UTF-8 character at p; 0 if there is none. */
static size_t
utf8_len(const unsigned char *p)
{
	uint32_t c;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

/*
 * Error messages quote paths and arguments, which may hold any bytes, and
 * a full buffer cuts a character in two; jansson refuses such strings,
 * which made a 404 a bogus 500 "out of memory" (found by fuzz_http).  So
 * every byte that does not start a well-formed character becomes '?'.
 */
static void
utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		if ((n = utf8_len(p)) == 0)
			*p++ = '?';
		else
			p += n;
	}
}

int
http_error(struct request *rq, unsigned status, const char *code,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_scrub(msg);
	return http_json(rq, status, json_pack("{s:{s:s, s:s}}", "error",
	    "code", code, "message", msg));
}

unsigned
http_status_for(int rc)
{
	switch (rc) {
	case LEDGER_EJSON:
	case LEDGER_ECANON:
	case LEDGER_EINVAL:
		return 400;
	case LEDGER_ENOTFOUND:
		return 404;
	case LEDGER_ECONFLICT:
	case LEDGER_EEXIST:
		return 409;
	case LEDGER_ETOOBIG:
		return 413;
	case LEDGER_ESCHEMA:
	case LEDGER_ESIG:
	case LEDGER_EAUTH:
	case LEDGER_ERULE:
	case LEDGER_EPROOF:
		return 422;
	case LEDGER_EFULL:
	case LEDGER_ENOSPC:
		return 507;
	case LEDGER_EIO:
		return 503;
	default:
		return 500;
	}
}

int
http_ledger_error(struct request *rq, int rc, const struct ledger_err *e)
{
	char msg[sizeof(e->msg)], path[sizeof(e->path)];
	json_t *v;

	snprintf(msg, sizeof(msg), "%s", e && e->msg[0] ? e->msg :
	    ledger_strerror(rc));
	snprintf(path, sizeof(path), "%s", e ? e->path : "");
	utf8_scrub(msg);
	utf8_scrub(path);
	v = json_pack("{s:{s:s, s:s, s:s, s:s}}", "error",
	    "code", e && e->rule[0] ? e->rule : ledger_strerror(rc),
	    "message", msg, "path", path, "rule", e ? e->rule : "");
	return http_json(rq, http_status_for(rc), v);
}

const char *
http_arg(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

int
http_arg_u64(struct request *rq, const char *name, uint64_t *v, int *present)
{
	const char *s = http_arg(rq, name);

	*present = s != NULL;
	return s == NULL ? 0 : http_parse_u64(s, v);
}

static void
client_ip(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(out, n, "?");
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, out, (socklen_t)n);
}

static enum MHD_Result
dispatch(struct ledgerd *d, struct request *rq)
{
	const struct route *r;
	int path_known = 0;
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		r = &routes[i];
		if (r->prefix ? strncmp(rq->url, r->path, strlen(r->path)) != 0 :
		    strcmp(rq->url, r->path) != 0)
			continue;
		path_known = 1;
		if (strcmp(rq->method, r->method) == 0 ||
		    (strcmp(rq->method, "HEAD") == 0 &&
		    strcmp(r->method, "GET") == 0)) {
			uint64_t t0 = mono_ns();
			int res = r->fn(d, rq);

			metrics_observe(&metrics.handler_ns[i],
			    metrics_handler_bounds, mono_ns() - t0);
			return (enum MHD_Result)res;
		}
	}
	if (path_known)
		return (enum MHD_Result)http_error(rq, 405, "method",
		    "%s is not allowed on %s", rq->method, rq->url);
	return (enum MHD_Result)http_error(rq, 404, "not-found",
	    "no such resource: %s", rq->url);
}

static int append_receipt(struct ledgerd *, struct append_req *, char **,
    size_t *);

static enum MHD_Result
handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct ledgerd *d = cls;
	struct request *rq = *con_cls;
	struct append_req *a;

	if (rq == NULL) {
		const char *cl;

		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		rq->conn = conn;
		rq->method = method;
		rq->url = url;
		client_ip(conn, rq->ip, sizeof(rq->ip));
		*con_cls = rq;
		if (!rate_allow(&d->cfg, rq->ip))
			return (enum MHD_Result)http_error(rq, 429,
			    "rate-limited", "more than %u requests per second "
			    "from %s; slow down", d->cfg.rate, rq->ip);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > d->cfg.max_body)
			return (enum MHD_Result)http_error(rq, 413, "too-large",
			    "request body over %zu bytes (max-body)",
			    d->cfg.max_body);
		return MHD_YES;
	}
	if (*upload_size != 0) {
		/* Cap the body: answer 413 now, MHD drops the rest. */
		if (rq->bodylen + *upload_size > d->cfg.max_body) {
			*upload_size = 0;
			if (!rq->too_big) {
				rq->too_big = 1;
				return (enum MHD_Result)http_error(rq, 413,
				    "too-large", "request body over %zu bytes "
				    "(max-body)", d->cfg.max_body);
			}
			return MHD_YES;
		}
		if (rq->body == NULL &&
		    (rq->body = malloc(d->cfg.max_body + 1)) == NULL)
			return MHD_NO;
		memcpy(rq->body + rq->bodylen, upload, *upload_size);
		rq->bodylen += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->too_big)
		return MHD_YES;
	if ((a = rq->append) != NULL && a->status != 0) {
		/* Resumed by the sequencer: answer with its verdict. */
		char *body = a->body;
		size_t len = a->bodylen;

		a->body = NULL;
		if (body == NULL && append_receipt(d, a, &body, &len) != 0)
			return (enum MHD_Result)http_error(rq, 500, "receipt",
			    "entry %llu is stored but its receipt could not be "
			    "built; resubmit the statement to get it",
			    (unsigned long long)a->seq);
		return (enum MHD_Result)http_reply(rq, a->status,
		    "application/json", body, len, NULL);
	}
	(void)version;
	return dispatch(d, rq);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	metrics_status(rq->status);
	if (rq->append != NULL) {
		ledger_statement_free(rq->append->st);
		free(rq->append->body);
		free(rq->append->note);
		free(rq->append);
		inflight--;
	}
	free(rq->body);
	free(rq);
	*con_cls = NULL;
}

/* The receipt of a stored append, in this (HTTP) thread. */
static int
append_receipt(struct ledgerd *d, struct append_req *a, char **body,
    size_t *len)
{
	struct ledger_txn *txn;
	int rc;

	if ((rc = ledger_txn_begin(d->store, 0, &txn)) != 0)
		return rc;
	rc = receipt_build(d, txn, a->seq, a->ckpt_size, a->note, a->notelen,
	    body, len);
	ledger_txn_abort(txn);
	return rc;
}

/* Suspend rq until the sequencer answers a. */
int
http_suspend_append(struct ledgerd *d, struct request *rq,
    struct append_req *a)
{
	int rc;

	a->conn = rq->conn;
	a->t_start = mono_us();
	rq->append = a;
	inflight++;
	MHD_suspend_connection(rq->conn);
	if ((rc = sequencer_submit(d, a)) != 0) {
		MHD_resume_connection(rq->conn);
		a->status = 503;
		a->body = strdup(rc == LEDGER_EFULL ?
		    "{\"error\":{\"code\":\"busy\",\"message\":\"too many "
		    "appends waiting; retry shortly\"}}" :
		    "{\"error\":{\"code\":\"stopping\",\"message\":\"ledgerd "
		    "is shutting down; retry against the restarted server\"}}");
		a->bodylen = a->body ? strlen(a->body) : 0;
		if (a->body == NULL)
			a->status = 500;
	}
	return MHD_YES;
}

/*
 * Percent-decoding for paths and arguments that refuses to make a NUL (or
 * any control byte): "%00" stays literal, so "/healthz%00" is not
 * "/healthz" and no route or argument is cut short by a hidden NUL.
 */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *r = s, *w = s;

	(void)cls;
	(void)c;
	while (*r) {
		unsigned v;

		if (r[0] == '%' && isxdigit((unsigned char)r[1]) &&
		    isxdigit((unsigned char)r[2]) &&
		    sscanf(r + 1, "%2x", &v) == 1 && v >= 0x20 && v != 0x7f) {
			*w++ = (char)v;
			r += 3;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

static int
parse_listen(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	unsigned long port;
	char *end;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port > 65535 || colon[1] == '\0')
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -1;
	return 0;
}

int
http_start(struct ledgerd *d)
{
	struct sockaddr_in sin;
	struct MHD_OptionItem tls[4];
	unsigned tlsflag = tls_options(d, tls);

	if (parse_listen(d->cfg.listen, &sin) != 0) {
		log_warnx("listen address \"%s\" is not IPv4ADDR:PORT",
		    d->cfg.listen);
		return -1;
	}
	d->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG | tlsflag, 0, NULL, NULL, handler, d,
	    MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)d->cfg.threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)d->cfg.max_conns,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)d->cfg.max_conns_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)d->cfg.conn_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_POOL,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, d,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
	    MHD_OPTION_END);
	if (d->mhd == NULL) {
		log_warn("cannot listen on %s", d->cfg.listen);
		return -1;
	}
	return 0;
}

/* Print the port actually bound (for -l 127.0.0.1:0). */
unsigned
http_port(struct ledgerd *d)
{
	const union MHD_DaemonInfo *di;

	di = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return di ? di->port : 0;
}

void
http_stop(struct ledgerd *d)
{
	uint64_t until = mono_us() + 5000000;

	if (d->mhd == NULL)
		return;
	/* Stop accepting, let answered appends reach their clients. */
	MHD_quiesce_daemon(d->mhd);
	while (inflight > 0 && mono_us() < until) {
		struct timespec ts = { 0, 10 * 1000000 };

		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(d->mhd);
	d->mhd = NULL;
}
