/*
 * loadgen.c - HTTP load generator for ledgerd.
 *
 * Each client has one keep-alive HTTP/1.1 connection over a plain socket;
 * it sends a request, waits for the whole response, records the latency,
 * and sends the next (closed loop, like pgbench).  Clients run on -j
 * threads, one per CPU by default as pgbench -j: with no more clients than
 * threads each client has a thread and blocks on its socket; with more,
 * every thread multiplexes its share of the clients with epoll, so a batch
 * of responses costs the client one wake-up, not one each.  Appends
 * POST statements that were built and signed before the clock starts, so
 * the figures measure the server, not our Ed25519; reads GET a path
 * template with random seqs, tiles or projects.
 *
 *   loadgen -m append -k conv.key --org USCC -c 1,8,32,64 -d 10
 *   loadgen -m entry -c 1,8 -d 10   (also proof, tile, query, query-org,
 *                                    query-kind)
 *   loadgen -m get -p '/v1/projects/{ocid}' -c 4 -n 10000
 *
 * Output: one line per phase on stderr, and with --json one JSON object
 * per phase on stdout (bench/run-bench reads those).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "ledger/keys.h"
#include "ledger/kinds.h"
#include "bench.h"

#define CLIENTS_MAX	1024
#define PHASES_MAX	16
#define RESP_MAX	(64u * 1024 * 1024)	/* bytes of one response */
#define IO_TIMEOUT_S	60
#define ERRTEXT		240
#define WINDOWS_MAX	3600	/* one-second throughput windows */

struct hconn {
	int	 fd;
	char	*buf;		/* raw bytes read */
	size_t	 cap, len;
	char	*body;		/* decoded body of the last response */
	size_t	 bcap, blen;
	int	 closing;	/* the last response said Connection: close */
};

struct client {
	pthread_t		tid;
	unsigned		no;
	uint64_t		rng;
	struct bench_lat	lat;
	uint64_t		status[6];	/* by class: 0 = transport error */
	uint64_t		bytes;
	uint64_t		reconnects;
	unsigned		first_bad;	/* status of errtext */
	char			errtext[ERRTEXT];
};

static struct {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 hostport[128];
	const char		*mode;
	const char		*path;		/* GET template */
	const char		*org;		/* {org} */
	uint64_t		 size;		/* tree size for {seq} */
	unsigned		 projects;
	uint64_t		 max_req;	/* per phase, 0 = no cap */
	unsigned		 jobs;		/* client threads */
	/* append pool, shared by all phases */
	char			**pool;
	size_t			*lens;
	size_t			 npool;
	_Atomic size_t		 next;
	_Atomic uint64_t	 issued;
	_Atomic int		 stop;
	_Atomic unsigned	 done;
	uint64_t		 t_measure;	/* us: samples before are warm-up */
	_Atomic uint32_t	 win[WINDOWS_MAX];	/* 2xx per second */
} G;

static void
hc_close(struct hconn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static int
hc_connect(struct hconn *c)
{
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	int one = 1;

	if ((c->fd = socket(G.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&G.addr, G.addrlen) != 0) {
		hc_close(c);
		return -1;
	}
	c->len = 0;
	return 0;
}

static int
grow(char **p, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 16384;
	char *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (n > RESP_MAX || (q = realloc(*p, n)) == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/*
 * Write *n parts at *iov to fd, moving them past what was written: 0 when
 * all is sent, 1 when a non-blocking socket takes no more for now, -1 on
 * an error (a blocking socket's SO_SNDTIMEO included).
 */
static int
send_iov(int fd, struct iovec **iov, int *n)
{
	ssize_t w;

	while (*n > 0) {
		if ((w = writev(fd, *iov, *n)) < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 1 : -1;
		}
		while (*n > 0 && (size_t)w >= (*iov)->iov_len) {
			w -= (ssize_t)(*iov)->iov_len;
			(*iov)++;
			(*n)--;
		}
		if (*n > 0) {
			(*iov)->iov_base = (char *)(*iov)->iov_base + w;
			(*iov)->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/*
 * Read more bytes into c->buf: 0; 1 when there are none yet (EAGAIN: a
 * non-blocking socket, or a blocking one's SO_RCVTIMEO); -1 on an error
 * or the end of the stream.
 */
static int
fill(struct hconn *c)
{
	ssize_t r;

	if (grow(&c->buf, &c->cap, c->len + 16384) != 0)
		return -1;
	do
		r = read(c->fd, c->buf + c->len, c->cap - c->len);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EAGAIN)
		return 1;
	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	return 0;
}

/*
 * Decode a chunked body starting at p (n bytes available) into c->body.
 * Returns the bytes consumed when complete, 0 when more are needed, -1
 * when malformed.
 */
static long
dechunk(struct hconn *c, const char *p, size_t n)
{
	size_t off = 0, sz;
	const char *eol;
	char *end;

	c->blen = 0;
	for (;;) {
		if ((eol = memmem(p + off, n - off, "\r\n", 2)) == NULL)
			return 0;
		sz = strtoul(p + off, &end, 16);
		if (end == p + off)
			return -1;
		off = (size_t)(eol - p) + 2;
		if (sz == 0) {
			/* Trailers, if any, end with an empty line. */
			while ((eol = memmem(p + off, n - off, "\r\n", 2)) !=
			    NULL) {
				if (eol == p + off)
					return (long)(off + 2);
				off = (size_t)(eol - p) + 2;
			}
			return 0;
		}
		if (n - off < sz + 2)
			return 0;
		if (grow(&c->body, &c->bcap, c->blen + sz + 1) != 0)
			return -1;
		memcpy(c->body + c->blen, p + off, sz);
		c->blen += sz;
		off += sz + 2;
	}
}

/* Value of header name (lower case, with ':') in the head, or NULL. */
static const char *
header(const char *head, size_t hlen, const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i + n < hlen; i++)
		if ((i == 0 || head[i - 1] == '\n') &&
		    strncasecmp(head + i, name, n) == 0) {
			i += n;
			while (i < hlen && head[i] == ' ')
				i++;
			return head + i;
		}
	return NULL;
}

/*
 * Is the response in c->buf complete?  0: yes, with *status set and the
 * body in c->body; 1: more bytes are needed; -1: malformed.
 */
static int
hc_parse(struct hconn *c, unsigned *status)
{
	const char *hend, *v;
	size_t hlen, need;
	long used;

	if ((hend = c->len ? memmem(c->buf, c->len, "\r\n\r\n", 4) :
	    NULL) == NULL)
		return 1;
	hlen = (size_t)(hend - c->buf) + 4;
	if (c->len < 12 || strncmp(c->buf, "HTTP/1.", 7) != 0)
		return -1;
	*status = (unsigned)strtoul(c->buf + 9, NULL, 10);
	v = header(c->buf, hlen, "connection:");
	c->closing = v != NULL && strncasecmp(v, "close", 5) == 0;
	if ((v = header(c->buf, hlen, "transfer-encoding:")) != NULL &&
	    strncasecmp(v, "chunked", 7) == 0) {
		if ((used = dechunk(c, c->buf + hlen, c->len - hlen)) <= 0)
			return used == 0 ? 1 : -1;
	} else {
		v = header(c->buf, hlen, "content-length:");
		need = v != NULL ? strtoul(v, NULL, 10) : 0;
		if (v == NULL && !c->closing)
			return -1;
		if (c->len - hlen < need)
			return 1;
		if (grow(&c->body, &c->bcap, need + 1) != 0)
			return -1;
		memcpy(c->body, c->buf + hlen, need);
		c->blen = need;
	}
	if (c->body != NULL)
		c->body[c->blen] = '\0';
	return 0;
}

/*
 * One request and its whole response, blocking.  Returns 0 with *status
 * set and the body in c->body, or -1 (connection dropped; the caller
 * reconnects).
 */
static int
hc_roundtrip(struct hconn *c, struct iovec *iov, int niov, unsigned *status)
{
	int rc;

	if (send_iov(c->fd, &iov, &niov) != 0)
		return -1;
	c->len = 0;
	while ((rc = hc_parse(c, status)) == 1)
		if (fill(c) != 0)
			return -1;
	if (rc != 0)
		return -1;
	if (c->closing)
		hc_close(c);
	return 0;
}

/* tlog-tiles spelling of a tile index: "x001/x234/067". */
static void
tile_path(uint64_t n, char *out, size_t outsz)
{
	unsigned g[8];
	size_t off = 0;
	int k = 0;

	do {
		g[k++] = (unsigned)(n % 1000);
		n /= 1000;
	} while (n > 0 && k < 8);
	out[0] = '\0';
	while (k-- > 0 && off < outsz) {
		if (k > 0)
			off += (size_t)snprintf(out + off, outsz - off, "x%03u/",
			    g[k]);
		else
			off += (size_t)snprintf(out + off, outsz - off, "%03u",
			    g[k]);
	}
}

/* Expand {seq}, {tile}, {ocid}, {size} in the GET template. */
static void
expand(struct client *cl, char *out, size_t outsz)
{
	const char *p = G.path;
	size_t off = 0;
	char v[64];

	while (*p && off + 1 < outsz) {
		v[0] = '\0';
		if (strncmp(p, "{seq}", 5) == 0) {
			snprintf(v, sizeof(v), "%" PRIu64,
			    bench_rand(&cl->rng) % (G.size ? G.size : 1));
			p += 5;
		} else if (strncmp(p, "{tile}", 6) == 0) {
			uint64_t full = G.size / 256;

			tile_path(full ? bench_rand(&cl->rng) % full : 0, v,
			    sizeof(v));
			p += 6;
		} else if (strncmp(p, "{ocid}", 6) == 0) {
			bench_ocid((unsigned)(bench_rand(&cl->rng) %
			    G.projects), v, sizeof(v));
			p += 6;
		} else if (strncmp(p, "{org}", 5) == 0) {
			snprintf(v, sizeof(v), "%s", G.org);
			p += 5;
		} else if (strncmp(p, "{size}", 6) == 0) {
			snprintf(v, sizeof(v), "%" PRIu64, G.size);
			p += 6;
		} else {
			out[off++] = *p++;
			continue;
		}
		off += (size_t)snprintf(out + off, outsz - off, "%s", v);
	}
	out[off < outsz ? off : outsz - 1] = '\0';
}

/*
 * The next request of a client into head and iov (iov[0] is head), or -1
 * when the phase has none left for it (request cap or statement pool).
 */
static int
next_request(struct client *cl, char *head, size_t hsz, struct iovec *iov,
    int *niov)
{
	char path[512];
	size_t k;

	if (G.max_req && atomic_fetch_add(&G.issued, 1) >= G.max_req)
		return -1;
	if (strcmp(G.mode, "append") == 0) {
		if ((k = atomic_fetch_add(&G.next, 1)) >= G.npool)
			return -1;
		iov[0].iov_len = (size_t)snprintf(head, hsz,
		    "POST /v1/entries HTTP/1.1\r\nHost: %s\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n", G.hostport, G.lens[k]);
		iov[1].iov_base = G.pool[k];
		iov[1].iov_len = G.lens[k];
		*niov = 2;
	} else {
		expand(cl, path, sizeof(path));
		iov[0].iov_len = (size_t)snprintf(head, hsz,
		    "GET %s HTTP/1.1\r\nHost: %s\r\n"
		    "Accept-Encoding: identity\r\n\r\n", path, G.hostport);
		*niov = 1;
	}
	iov[0].iov_base = head;
	return 0;
}

/* Count one response that took t0..t1 (us); warm-up ones are not. */
static void
record(struct client *cl, const struct hconn *c, unsigned status,
    uint64_t t0, uint64_t t1)
{
	if (t0 < G.t_measure)
		return;
	bench_lat_add(&cl->lat, t1 - t0);
	cl->status[status / 100 < 6 ? status / 100 : 0]++;
	if (status / 100 == 2 && (t1 - G.t_measure) / 1000000 < WINDOWS_MAX)
		atomic_fetch_add(&G.win[(t1 - G.t_measure) / 1000000], 1);
	cl->bytes += c->blen;
	if (status >= 300 && cl->first_bad == 0) {
		cl->first_bad = status;
		snprintf(cl->errtext, sizeof(cl->errtext), "%.*s",
		    (int)(c->blen < ERRTEXT ? c->blen : ERRTEXT - 1),
		    c->body ? c->body : "");
	}
}

/* A client on a thread of its own: blocking round trips. */
static void *
client_main(void *arg)
{
	struct client *cl = arg;
	struct hconn c = { .fd = -1 };
	struct iovec iov[2];
	char head[1024];
	unsigned status;
	uint64_t t0;
	int niov;

	while (!atomic_load(&G.stop)) {
		if (next_request(cl, head, sizeof(head), iov, &niov) != 0)
			break;
		if (c.fd < 0) {
			if (hc_connect(&c) != 0) {
				cl->status[0]++;
				usleep(10000);
				continue;
			}
			cl->reconnects++;
		}
		t0 = bench_now_us();
		if (hc_roundtrip(&c, iov, niov, &status) != 0) {
			hc_close(&c);
			cl->status[0]++;
			continue;
		}
		record(cl, &c, status, t0, bench_now_us());
	}
	hc_close(&c);
	free(c.buf);
	free(c.body);
	atomic_fetch_add(&G.done, 1);
	return NULL;
}

/*
 * With more clients than threads, each thread multiplexes its share of the
 * connections with epoll, as pgbench -j does: each client still has one
 * request outstanding (a closed loop), but one wake-up serves every
 * response that is ready.
 */
struct econn {
	struct client	*cl;
	struct hconn	 c;
	char		 head[1024];
	struct iovec	 iov[2], *left;	/* left: the part not yet sent */
	int		 nleft;
	uint64_t	 t0;
	int		 live;		/* a request is outstanding */
	int		 done;		/* no request left for this client */
};

struct evthread {
	pthread_t	 tid;
	struct econn	*e;
	size_t		 n;
};

static int
ev_watch(int ep, struct econn *e, int op, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = e };

	return epoll_ctl(ep, op, e->c.fd, &ev);
}

/* Drop a broken connection; the next request reconnects. */
static void
ev_drop(int ep, struct econn *e)
{
	if (e->c.fd >= 0)
		(void)epoll_ctl(ep, EPOLL_CTL_DEL, e->c.fd, NULL);
	hc_close(&e->c);
	e->cl->status[0]++;
	e->live = 0;
}

/* Start the client's next request; 0, or -1 when it has none left. */
static int
ev_start(int ep, struct econn *e)
{
	int rc;

	if (atomic_load(&G.stop) || next_request(e->cl, e->head,
	    sizeof(e->head), e->iov, &e->nleft) != 0)
		return -1;
	if (e->c.fd < 0) {
		if (hc_connect(&e->c) != 0 || ev_watch(ep, e, EPOLL_CTL_ADD,
		    EPOLLIN) != 0) {
			/* As a blocking client: this request is an error. */
			hc_close(&e->c);
			e->cl->status[0]++;
			usleep(10000);
			return 0;
		}
		/* Blocking connect, then no blocking reads or writes. */
		(void)fcntl(e->c.fd, F_SETFL, O_NONBLOCK);
		e->cl->reconnects++;
	}
	e->left = e->iov;
	e->c.len = 0;
	e->live = 1;
	e->t0 = bench_now_us();
	if ((rc = send_iov(e->c.fd, &e->left, &e->nleft)) < 0)
		ev_drop(ep, e);
	else if (rc == 1 && ev_watch(ep, e, EPOLL_CTL_MOD,
	    EPOLLIN | EPOLLOUT) != 0)
		ev_drop(ep, e);
	return 0;
}

/* Read what has arrived; a whole response is counted and followed. */
static void
ev_read(int ep, struct econn *e)
{
	unsigned status;
	int rc;

	for (;;) {
		if ((rc = fill(&e->c)) == 1)
			return;
		if (rc < 0 || !e->live) {
			ev_drop(ep, e);
			return;
		}
		if ((rc = hc_parse(&e->c, &status)) == 1)
			continue;
		if (rc < 0) {
			ev_drop(ep, e);
			return;
		}
		record(e->cl, &e->c, status, e->t0, bench_now_us());
		e->live = 0;
		/* An answer before the whole request was sent ends the stream. */
		if (e->c.closing || e->nleft > 0) {
			(void)epoll_ctl(ep, EPOLL_CTL_DEL, e->c.fd, NULL);
			hc_close(&e->c);
		}
		return;
	}
}

static void *
event_main(void *arg)
{
	struct evthread *t = arg;
	struct epoll_event ev[64];
	struct econn *e;
	size_t i, active;
	uint64_t now;
	int ep, n, k, rc;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		for (i = 0; i < t->n; i++)
			t->e[i].cl->status[0]++;
		atomic_fetch_add(&G.done, (unsigned)t->n);
		return NULL;
	}
	for (i = 0; i < t->n; i++)
		t->e[i].c.fd = -1;
	for (n = 0;;) {
		for (k = 0; k < n; k++) {
			e = ev[k].data.ptr;
			if (e->c.fd < 0)
				continue;
			if ((ev[k].events & EPOLLOUT) && e->nleft > 0) {
				if ((rc = send_iov(e->c.fd, &e->left, &e->nleft)) < 0)
					ev_drop(ep, e);
				else if (rc == 0 && ev_watch(ep, e,
				    EPOLL_CTL_MOD, EPOLLIN) != 0)
					ev_drop(ep, e);
			}
			if (e->c.fd >= 0 && (ev[k].events & (EPOLLIN |
			    EPOLLERR | EPOLLHUP)))
				ev_read(ep, e);
		}
		/*
		 * A request unanswered for IO_TIMEOUT_S is an error, as
		 * SO_RCVTIMEO makes it for a blocking client; every client
		 * without a request outstanding sends its next.
		 */
		now = bench_now_us();
		for (i = 0, active = 0; i < t->n; i++) {
			e = &t->e[i];
			if (e->live && now - e->t0 > IO_TIMEOUT_S * 1000000ULL)
				ev_drop(ep, e);
			if (!e->live && !e->done && ev_start(ep, e) != 0) {
				e->done = 1;
				if (e->c.fd >= 0)
					(void)epoll_ctl(ep, EPOLL_CTL_DEL,
					    e->c.fd, NULL);
				hc_close(&e->c);
			}
			active += !e->done;
		}
		if (active == 0)
			break;
		if ((n = epoll_wait(ep, ev, 64, 100)) < 0 && errno != EINTR)
			break;
	}
	for (i = 0; i < t->n; i++) {
		if (t->e[i].live)	/* the loop failed under it */
			t->e[i].cl->status[0]++;
		hc_close(&t->e[i].c);
		free(t->e[i].c.buf);
		free(t->e[i].c.body);
	}
	close(ep);
	atomic_fetch_add(&G.done, (unsigned)t->n);
	return NULL;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Min, median and max of the complete one-second windows: on a shared
 * machine the spread says how much of a figure is noise.
 */
static void
windows(double secs, double *lo, double *med, double *hi)
{
	uint32_t w[WINDOWS_MAX];
	size_t n = secs < WINDOWS_MAX ? (size_t)secs : WINDOWS_MAX, i;

	*lo = *med = *hi = 0;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		w[i] = atomic_load(&G.win[i]);
	qsort(w, n, sizeof(w[0]), cmp_u32);
	*lo = w[0];
	*med = w[n / 2];
	*hi = w[n - 1];
}

/* Run one phase with n clients; print its figures. */
static int
phase(unsigned n, double duration, double warmup, int json)
{
	struct client *cls;
	struct bench_lat all = { 0 };
	struct bench_pct p;
	uint64_t st[6] = { 0 }, bytes = 0, t_start, t_end;
	const char *bad = NULL;
	unsigned i, badst = 0;
	double secs, rps, cpu0 = cpu_seconds(), wlo, wmed, whi;
	size_t used0 = atomic_load(&G.next);
	int exhausted;
	unsigned nt = n <= G.jobs ? n : G.jobs;
	struct evthread *et = NULL;
	struct econn *ec = NULL;

	if ((cls = calloc(n, sizeof(*cls))) == NULL)
		return -1;
	if (nt < n && ((et = calloc(nt, sizeof(*et))) == NULL ||
	    (ec = calloc(n, sizeof(*ec))) == NULL)) {
		free(cls);
		free(et);
		return -1;
	}
	atomic_store(&G.stop, 0);
	atomic_store(&G.done, 0);
	atomic_store(&G.issued, 0);
	for (i = 0; i < WINDOWS_MAX; i++)
		atomic_store(&G.win[i], 0);
	t_start = bench_now_us() + (uint64_t)(warmup * 1e6);
	G.t_measure = t_start;
	for (i = 0; i < n; i++) {
		cls[i].no = i;
		cls[i].rng = ((uint64_t)i + 1) * 0x9e3779b97f4a7c15ULL ^
		    t_start;
		if (ec != NULL)
			ec[i].cl = &cls[i];
	}
	/* One blocking thread per client, or nt threads with an event loop. */
	for (i = 0; i < nt; i++) {
		int rc;

		if (et != NULL) {
			et[i].e = ec + (size_t)i * n / nt;
			et[i].n = (size_t)(i + 1) * n / nt - (size_t)i * n / nt;
			rc = pthread_create(&et[i].tid, NULL, event_main, &et[i]);
		} else
			rc = pthread_create(&cls[i].tid, NULL, client_main,
			    &cls[i]);
		if (rc != 0) {
			fprintf(stderr, "loadgen: cannot start thread %u\n", i);
			atomic_store(&G.stop, 1);
			n = et != NULL ? (unsigned)((size_t)i * n / nt) : i;
			nt = i;
			break;
		}
	}
	while (atomic_load(&G.done) < n && (duration <= 0 ||
	    bench_now_us() < t_start + (uint64_t)(duration * 1e6)))
		usleep(20000);
	atomic_store(&G.stop, 1);
	for (i = 0; i < nt; i++)
		pthread_join(et != NULL ? et[i].tid : cls[i].tid, NULL);
	t_end = bench_now_us();
	exhausted = strcmp(G.mode, "append") == 0 &&
	    atomic_load(&G.next) >= G.npool;
	for (i = 0; i < n; i++) {
		int k;

		if (bench_lat_merge(&all, &cls[i].lat) != 0)
			fprintf(stderr, "loadgen: out of memory for samples\n");
		for (k = 0; k < 6; k++)
			st[k] += cls[i].status[k];
		bytes += cls[i].bytes;
		if (bad == NULL && cls[i].first_bad) {
			bad = cls[i].errtext;
			badst = cls[i].first_bad;
		}
	}
	bench_lat_summary(&all, &p);
	secs = t_end > t_start ? (double)(t_end - t_start) / 1e6 : 0;
	rps = secs > 0 ? (double)st[2] / secs : 0;
	windows(secs, &wlo, &wmed, &whi);
	fprintf(stderr, "%-7s c=%-3u %8" PRIu64 " ok in %6.2f s = %9.0f/s  "
	    "p50 %7.2f  p90 %7.2f  p99 %7.2f  max %8.2f ms  (3xx-5xx %"
	    PRIu64 ", io %" PRIu64 "%s)\n", G.mode, n, st[2], secs, rps,
	    p.p50_ms, p.p90_ms, p.p99_ms, p.max_ms, st[3] + st[4] + st[5],
	    st[0], exhausted ? ", statement pool exhausted" : "");
	if (wmed > 0)
		fprintf(stderr, "  one-second windows: min %.0f, median %.0f, max "
		    "%.0f /s\n", wlo, wmed, whi);
	if (bad != NULL)
		fprintf(stderr, "  first refusal: %u %s\n", badst, bad);
	if (json) {
		json_t *o;
		char *s;

		o = json_pack("{s:s, s:s?, s:i, s:f, s:f, s:I, s:I, "
		    "s:I, s:I, s:I, s:I, s:f, s:{s:f, s:f, s:f, s:f, s:f, s:f},"
		    " s:b, s:I, s:I, s:f, s:{s:f, s:f, s:f}}",
		    "mode", G.mode, "path", G.path, "clients", (int)n,
		    "seconds", secs, "rps", rps, "ok", (json_int_t)st[2],
		    "redirect", (json_int_t)st[3], "client_error",
		    (json_int_t)st[4], "server_error", (json_int_t)st[5],
		    "io_error", (json_int_t)st[0], "bytes", (json_int_t)bytes,
		    "mb_per_s", secs > 0 ? (double)bytes / secs / 1e6 : 0,
		    "latency_ms", "mean", p.mean_ms, "p50", p.p50_ms, "p90",
		    p.p90_ms, "p99", p.p99_ms, "p999", p.p999_ms, "max",
		    p.max_ms, "exhausted", exhausted, "statements_used",
		    (json_int_t)(atomic_load(&G.next) - used0), "tree_size",
		    (json_int_t)G.size, "client_cpu_s", cpu_seconds() - cpu0,
		    "windows", "min", wlo, "median", wmed, "max", whi);
		s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(7)) :
		    NULL;
		if (s != NULL)
			printf("%s\n", s);
		fflush(stdout);
		free(s);
		json_decref(o);
	}
	for (i = 0; i < n; i++)
		bench_lat_free(&cls[i].lat);
	bench_lat_free(&all);
	free(cls);
	free(et);
	free(ec);
	return 0;
}

/* GET /healthz once: origin and tree size. */
static int
healthz(char *origin, size_t osz, uint64_t *size)
{
	struct hconn c = { .fd = -1 };
	struct iovec iov;
	char head[256];
	unsigned status;
	json_t *j = NULL, *v;
	int rc = -1;

	iov.iov_base = head;
	iov.iov_len = (size_t)snprintf(head, sizeof(head), "GET /healthz "
	    "HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", G.hostport);
	if (hc_connect(&c) == 0 && hc_roundtrip(&c, &iov, 1, &status) == 0 &&
	    status == 200 && (j = json_loads(c.body, 0, NULL)) != NULL) {
		if ((v = json_object_get(j, "origin")) != NULL && osz > 0 &&
		    origin[0] == '\0')
			snprintf(origin, osz, "%s", json_string_value(v));
		if ((v = json_object_get(j, "tree_size")) != NULL)
			*size = (uint64_t)json_integer_value(v);
		rc = 0;
	}
	json_decref(j);
	hc_close(&c);
	free(c.buf);
	free(c.body);
	return rc;
}

static int
resolve(const char *url)
{
	struct addrinfo hints = { 0 }, *ai;
	char host[100], port[16] = "80";
	const char *p = url, *colon, *slash;
	size_t hl;

	if (strncmp(p, "http://", 7) == 0)
		p += 7;
	slash = strchr(p, '/');
	hl = slash ? (size_t)(slash - p) : strlen(p);
	snprintf(G.hostport, sizeof(G.hostport), "%.*s", (int)hl, p);
	colon = memchr(p, ':', hl);
	if (colon != NULL) {
		snprintf(port, sizeof(port), "%.*s", (int)(hl - (size_t)(colon -
		    p) - 1), colon + 1);
		hl = (size_t)(colon - p);
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)hl, p);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	memcpy(&G.addr, ai->ai_addr, ai->ai_addrlen);
	G.addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
"usage: loadgen [-u URL] [-m MODE] [-c N[,N...]] [-d SECONDS] [-n REQUESTS]\n"
"               [-w WARMUP] [-j JOBS] [--json] [append options | -p PATH]\n"
"  MODE: append, entry (/v1/entries/{seq}), proof (/v1/proofs/inclusion?\n"
"        seq={seq}), tile (/tile/0/{tile}), query (/v1/entries?ocid={ocid}\n"
"        &limit=100), query-org (?org={org}&after={seq}&limit=100),\n"
"        query-kind (?kind=vote&after={seq}&limit=100),\n"
"        get (-p PATH; {seq} {tile} {ocid} {org} {size} expand)\n"
"  append: -k KEY --org USCC [--org-name NAME] [--presign N] [--prefix ID]\n"
"          [--origin ORIGIN] [--threads T]; statements are signed before\n"
"          the clock starts and shared by all phases\n"
"  --projects P   ocid pool (default 1000); --size N   tree size for {seq}\n"
"  -j, --jobs J   client threads (default: one per CPU, as pgbench -j);\n"
"                 with more clients than J, each thread multiplexes its\n"
"                 clients' connections with epoll\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "url", 1, NULL, 'u' }, { "mode", 1, NULL, 'm' },
		{ "clients", 1, NULL, 'c' }, { "duration", 1, NULL, 'd' },
		{ "requests", 1, NULL, 'n' }, { "warmup", 1, NULL, 'w' },
		{ "path", 1, NULL, 'p' }, { "key", 1, NULL, 'k' },
		{ "json", 0, NULL, 'J' }, { "org", 1, NULL, 'O' },
		{ "org-name", 1, NULL, 'N' }, { "presign", 1, NULL, 'P' },
		{ "prefix", 1, NULL, 'X' }, { "origin", 1, NULL, 'o' },
		{ "threads", 1, NULL, 'T' }, { "projects", 1, NULL, 'R' },
		{ "size", 1, NULL, 'S' }, { "jobs", 1, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const char *url = "http://127.0.0.1:8470", *keyfile = NULL;
	const char *org = "91350100M000100Y43", *clients = "1";
	const char *org_name = "平湖市当湖街道东湖社区居民代表会议";
	char origin[LEDGER_KEYNAME_MAX + 1] = "", prefix[64] = "";
	unsigned list[PHASES_MAX], nlist = 0, threads = bench_ncpu(), i;
	double duration = 10, warmup = -1;
	size_t presign = 0;
	uint64_t size = 0;
	int ch, json = 0;
	char *p, *end;

	G.mode = "append";
	G.projects = 1000;
	/* A reset connection is an error to count, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	G.jobs = bench_ncpu();
	while ((ch = getopt_long(argc, argv, "u:m:c:d:n:w:p:k:j:", lo,
	    NULL)) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 'm': G.mode = optarg; break;
		case 'c': clients = optarg; break;
		case 'd': duration = strtod(optarg, NULL); break;
		case 'n': G.max_req = strtoull(optarg, NULL, 10); break;
		case 'w': warmup = strtod(optarg, NULL); break;
		case 'p': G.path = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'J': json = 1; break;
		case 'O': org = optarg; break;
		case 'N': org_name = optarg; break;
		case 'P': presign = strtoull(optarg, NULL, 10); break;
		case 'X': snprintf(prefix, sizeof(prefix), "%s", optarg); break;
		case 'o': snprintf(origin, sizeof(origin), "%s", optarg); break;
		case 'T': threads = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'R': G.projects = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'S': size = strtoull(optarg, NULL, 10); break;
		case 'j': G.jobs = (unsigned)strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (optind != argc || G.projects == 0 || G.jobs == 0)
		usage();
	G.org = org;
	for (p = (char *)clients; *p && nlist < PHASES_MAX; p = end) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || v == 0 || v > CLIENTS_MAX)
			usage();
		list[nlist++] = (unsigned)v;
		if (*end == ',')
			end++;
	}
	if (nlist == 0 || (duration <= 0 && G.max_req == 0))
		usage();
	if (strcmp(G.mode, "entry") == 0)
		G.path = "/v1/entries/{seq}";
	else if (strcmp(G.mode, "proof") == 0)
		G.path = "/v1/proofs/inclusion?seq={seq}";
	else if (strcmp(G.mode, "tile") == 0)
		G.path = "/tile/0/{tile}";
	else if (strcmp(G.mode, "query") == 0)
		G.path = "/v1/entries?ocid={ocid}&limit=100";
	else if (strcmp(G.mode, "query-org") == 0)
		G.path = "/v1/entries?org={org}&after={seq}&limit=100";
	else if (strcmp(G.mode, "query-kind") == 0)
		G.path = "/v1/entries?kind=vote&after={seq}&limit=100";
	else if (strcmp(G.mode, "append") == 0)
		G.path = NULL;
	else if (strcmp(G.mode, "get") != 0 || G.path == NULL)
		usage();
	if (sodium_init() < 0 || resolve(url) != 0) {
		fprintf(stderr, "loadgen: cannot resolve %s\n", url);
		return 3;
	}
	if (healthz(origin, sizeof(origin), &G.size) != 0) {
		fprintf(stderr, "loadgen: %s/healthz does not answer\n", url);
		return 3;
	}
	if (size)
		G.size = size;
	/* Reads warm up for a second, unless a request count bounds the run. */
	if (warmup < 0)
		warmup = strcmp(G.mode, "append") == 0 || G.max_req ? 0 : 1;

	if (strcmp(G.mode, "append") == 0) {
		struct bench_votegen g;
		struct ledger_statement *st;
		struct ledger_err err;
		struct ledger_seckey key;
		json_t *v;
		double t;
		int rc;

		if (keyfile == NULL)
			usage();
		if ((rc = ledger_key_load(keyfile, &key)) != 0) {
			fprintf(stderr, "loadgen: %s: %s\n", keyfile,
			    ledger_strerror(rc));
			return 3;
		}
		if (prefix[0] == '\0')
			snprintf(prefix, sizeof(prefix), "bench-%08x",
			    randombytes_random());
		if (presign == 0)
			presign = G.max_req ? G.max_req * nlist : 100000;
		bench_votegen_init(&g, prefix, org, org_name, G.projects);
		/* Refuse early if the generator and the schema disagree. */
		if ((v = bench_vote(&g, 0)) != NULL &&
		    ledger_statement_from_json(v, &st, &err) == 0) {
			if (ledger_kind_validate(st, &err) != 0)
				fprintf(stderr, "loadgen: warning: generated "
				    "vote fails the schema at %s: %s\n",
				    err.path, err.msg);
			ledger_statement_free(st);
		}
		G.pool = calloc(presign, sizeof(*G.pool));
		G.lens = calloc(presign, sizeof(*G.lens));
		if (G.pool == NULL || G.lens == NULL)
			return 3;
		t = bench_now_s();
		if (bench_presign(&g, &key, origin, 0, presign, threads, NULL,
		    G.pool, G.lens) != 0)
			return 3;
		ledger_seckey_wipe(&key);
		G.npool = presign;
		t = bench_now_s() - t;
		fprintf(stderr, "loadgen: signed %zu statements (%zu bytes "
		    "each, first) in %.2f s (%.0f/s on %u threads) for %s\n",
		    presign, G.lens[0], t, (double)presign / t, threads,
		    origin);
	}
	for (i = 0; i < nlist; i++)
		if (phase(list[i], duration, warmup, json) != 0)
			return 3;
	for (i = 0; i < G.npool; i++)
		free(G.pool[i]);
	free(G.pool);
	free(G.lens);
	return 0;
}
