/*
 * ledgerd.h - private header of the daemon: one section per file.
 *
 * Threads: libmicrohttpd's pool runs the request handlers (parsing,
 * canonicalizing and author-signature checks happen there, in parallel);
 * one sequencer thread owns the LMDB write transaction, the appender and
 * the signer; the main thread waits for signals.
 */
#ifndef LEDGERD_H
#define LEDGERD_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <jansson.h>
#include <microhttpd.h>

#include "ledger/append.h"
#include "ledger/error.h"
#include "ledger/limits.h"
#include "ledger/merkle.h"
#include "ledger/nodecache.h"
#include "ledger/note.h"
#include "ledger/statement.h"
#include "ledger/store.h"

#define LEDGERD_VERSION		"0.1.0"
#define LEDGERD_DEFAULT_LISTEN	"127.0.0.1:8470"
#define LEDGERD_DEFAULT_CONF	"/etc/ledgerd/ledgerd.conf"
/* Bytes of the tls-cert or tls-key file (a chain of a few certificates). */
#define LEDGERD_TLS_FILE_MAX	(64 * 1024)
/*
 * GnuTLS priorities of the HTTPS listener: its NORMAL cipher suites, TLS
 * 1.3 and 1.2 only (1.0 and 1.1 are deprecated by RFC 8996).
 */
#define LEDGERD_TLS_PRIORITIES	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* config.c */
struct config {
	char		datadir[512];
	char		listen[128];
	char		keyfile[512];	/* default DATADIR/ledger.key */
	char		origin[LEDGER_KEYNAME_MAX + 1];	/* "" = from store */
	size_t		max_body;	/* bytes of a request body */
	unsigned	max_conns;	/* concurrent connections */
	unsigned	max_conns_ip;	/* per client address */
	unsigned	conn_timeout;	/* seconds idle before a close */
	unsigned	threads;	/* HTTP worker threads */
	unsigned	batch_max;	/* statements per commit */
	unsigned	queue_max;	/* waiting appends before 503 */
	unsigned	rate;		/* requests per second per IP, 0 = off */
	unsigned	page_max;	/* query page size cap */
	uint64_t	map_size;	/* LMDB map bytes */
	char		tls_cert[512];	/* PEM certificate chain, "" = HTTP */
	char		tls_key[512];	/* its PEM private key (0600) */
	char		user[64];	/* serves HTTP, "" = stay as started */
	char		signer_user[64];	/* alone reads the ledger key */
	char		signer_state[600];	/* default KEYFILE.signed */
	char		start_check[8];	/* "full", "tree" or "none" */
	int		verbose;
};
void config_defaults(struct config *c);
/* Apply "key = value" lines of path; 0 or -1 with a message on stderr. */
int config_load(struct config *c, const char *path, int must_exist);
/* Set one setting by name (file keys and long flags share names). */
int config_set(struct config *c, const char *key, const char *value);

/* log.c */
void log_init(int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* MHD_OPTION_EXTERNAL_LOGGER: libmicrohttpd's messages as our lines. */
void log_mhd(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* privsep.c: the HTTP and signer accounts of a ledgerd started as root. */
struct account {
	uid_t		uid;
	gid_t		gid;
	char		name[64];	/* as configured: a name or a number */
};
struct privsep {
	int		on;		/* 0: both stay the uid we started as */
	struct account	http, signer;
};
/* Check user and signer-user (messages on stderr); -1 to refuse. */
int privsep_plan(const struct config *c, struct privsep *p);
/* Become a for good (groups, gid, uid); -1 with errno if not. */
int privsep_drop(const struct account *a);

/* signer.c: the ledger key, in its own process. */
struct signer;
/*
 * Fork the signer, which becomes as (NULL: stays our uid), then loads
 * keyfile (LEDGER_EPERM, LEDGER_EIO, LEDGER_EKEY as ledger_key_load) and
 * its record statefile (LEDGER_ECONFLICT: unusable); why gets the
 * signer's own account of a failure.  Call before threads or LMDB exist.
 */
int signer_open(struct signer **out, const char *keyfile,
    const char *statefile, const struct account *as, char *why,
    size_t whylen);
void signer_close(struct signer *s);
const struct ledger_pubkey *signer_pubkey(const struct signer *s);
/*
 * 1 and the last tree the signer signed, from its record; 0 when it has
 * none yet (then signer_init must tell it, and it records that).
 */
int signer_record(const struct signer *s, uint64_t *size,
    uint8_t root[LEDGER_HASH_BYTES]);
/*
 * Tell a signer without a record the last signed tree, once, with its
 * checkpoint note (notelen 0: nothing signed yet, the empty tree).
 */
int signer_init(struct signer *s, uint64_t size, const uint8_t *root,
    const char *note, size_t notelen);
/*
 * Sign the checkpoint of (size, root) only if it extends the last signed
 * tree: proof must be a valid consistency proof from it.  The note goes
 * into out (LEDGER_NOTE_MAX bytes).  Not thread-safe: the sequencer only.
 */
int signer_sign(struct signer *s, uint64_t size,
    const uint8_t root[LEDGER_HASH_BYTES],
    const uint8_t proof[][LEDGER_HASH_BYTES], size_t nproof, char *out,
    size_t *outlen);

/* jbuf.c: growable response buffer; errors are sticky (p == NULL). */
struct jbuf {
	char	*p;
	size_t	 len, cap;
};
void jbuf_init(struct jbuf *b, size_t hint);
void jbuf_add(struct jbuf *b, const void *data, size_t len);
#define JBUF_LIT(b, lit)	jbuf_add((b), (lit), sizeof(lit) - 1)
void jbuf_addf(struct jbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * A signed note as a JSON string, byte for byte as jansson wrote it; -1 if
 * it is not UTF-8 (then b holds a partial string).
 */
int jbuf_note(struct jbuf *b, const char *s, size_t len);
/* ["b64",...] of n Merkle hashes (a proof). */
void jbuf_hashes(struct jbuf *b, uint8_t h[][LEDGER_HASH_BYTES], size_t n);
/* {"seq","leaf_hash","leaf"} with the stored leaf bytes copied verbatim. */
int jbuf_entry(struct jbuf *b, struct ledger_txn *txn, uint64_t seq);
/* The buffer (NULL after an allocation failure) and its length. */
char *jbuf_take(struct jbuf *b, size_t *len);
void jbuf_free(struct jbuf *b);

/* metrics.c */
enum { HIST_BUCKETS = 12 };
enum { HTTP_ROUTES = 13 };	/* entries of http.c's routes[] */
struct histogram {
	_Atomic uint64_t	bucket[HIST_BUCKETS + 1];
	_Atomic uint64_t	count;
	_Atomic uint64_t	sum;	/* in the histogram's unit */
};
struct metrics {
	struct histogram	append_us;	/* append latency, microseconds */
	struct histogram	batch;		/* statements per commit */
	/* Where a batch's time goes, microseconds (sequencer.c). */
	struct histogram	apply_us;	/* txn begin, checks and writes */
	struct histogram	commit_us;	/* last bundle, write, 2 syncs */
	struct histogram	sign_us;	/* root, proof, the signer */
	/* Time inside each route's handler, nanoseconds (http.c routes[]). */
	struct histogram	handler_ns[HTTP_ROUTES];
	_Atomic uint64_t	status[6][100];	/* responses by status code */
	_Atomic uint64_t	appended;	/* new entries acknowledged */
	_Atomic uint64_t	commits;
};
extern struct metrics metrics;
void metrics_observe(struct histogram *h, const uint64_t *bounds,
    uint64_t v);
void metrics_status(unsigned code);
extern const uint64_t metrics_latency_bounds[HIST_BUCKETS];
extern const uint64_t metrics_batch_bounds[HIST_BUCKETS];
extern const uint64_t metrics_handler_bounds[HIST_BUCKETS];
/* http.c: method and path of routes[i]; -1 past the last. */
int http_route(size_t i, const char **method, const char **path);
/* Prometheus text for the whole daemon (malloc'd). */
char *metrics_render(uint64_t tree_size, uint64_t entries, size_t *len);

/* sequencer.c */
/* The 507 of every append once the map was full (sequencer and route). */
#define MSG_MAP_FULL	"the ledger's map is full (map-size); nothing was " \
	"written. Raise map-size and restart ledgerd, then retry"
struct append_req {
	struct append_req	*next;
	struct MHD_Connection	*conn;
	struct ledger_statement	*st;
	int			 crypto_done;	/* worker verified sigs */
	uint64_t		 t_start;	/* monotonic us, for metrics */
	/*
	 * Filled by the sequencer before resuming conn: either an error
	 * (status and body), or status 200/201 with seq and the checkpoint
	 * that first includes it; the HTTP thread then builds the receipt,
	 * so proofs are made in parallel, not in the sequencer.
	 */
	unsigned		 status;
	char			*body;		/* JSON response, malloc'd */
	size_t			 bodylen;
	uint64_t		 seq;
	uint64_t		 ckpt_size;
	char			*note;		/* malloc'd signed checkpoint */
	size_t			 notelen;
};

/* The latest signed tree, as served. */
struct served {
	pthread_mutex_t	mu;
	uint64_t	size;
	uint8_t		root[LEDGER_HASH_BYTES];
	char		note[LEDGER_NOTE_MAX];
	size_t		notelen;
	/* note as a JSON string (jbuf_note), made once per tree, not per proof */
	char		note_json[6 * LEDGER_NOTE_MAX + 2];
	size_t		note_jsonlen;	/* 0: note is not UTF-8 */
	struct ledger_edge edge;	/* size 0 when unknown */
};

struct ledgerd {
	struct config		 cfg;
	struct ledger_store	*store;
	struct signer		*signer;
	struct MHD_Daemon	*mhd;
	struct served		 served;
	struct ledger_nodecache	*nodes;		/* upper tree, for proofs */
	char			 origin[LEDGER_KEYNAME_MAX + 1];
	char			 vkey[LEDGER_VKEY_MAX];
	/* sequencer queue */
	pthread_mutex_t		 qmu;
	pthread_cond_t		 qcv;
	struct append_req	*qhead, **qtail;
	unsigned		 qlen;
	int			 stopping;
	pthread_t		 seq_thread;
	atomic_int		 fatal;		/* storage failed: refuse writes */
	atomic_int		 full;		/* map full: refuse writes */
	int64_t			 last_append_ms;
	char			*tls_cert_pem;	/* tls.c: NULL = plain HTTP */
	char			*tls_key_pem;
	size_t			 tls_keylen;
};

/*
 * Check the stored ledger and have its committed tree signed; with the
 * signer's record, LEDGER_ECONFLICT (said on stderr) when the tree does
 * not extend the last one signed.
 */
int sequencer_recover(struct ledgerd *d);
int sequencer_start(struct ledgerd *d);
/* Drain the queue (answering every waiting append) and join the thread. */
void sequencer_stop(struct ledgerd *d);
/* Enqueue; LEDGER_EFULL when queue_max appends already wait. */
int sequencer_submit(struct ledgerd *d, struct append_req *r);
/*
 * served.c: copy the served tree (size, root, note); set it, with the
 * frontier of that tree (NULL, or one of another size: proofs then take
 * the general path).
 */
void served_get(struct ledgerd *d, uint64_t *size, uint8_t *root,
    char *note, size_t *notelen);
void served_set(struct ledgerd *d, uint64_t size, const uint8_t *root,
    const char *note, size_t notelen, const struct ledger_frontier *fr);
/*
 * An inclusion proof for seq in the tree of size: from the served tree's
 * edge when size is served (reading only below seq's frontier subtree),
 * else ledger_merkle_inclusion.  Reads through the node cache and txn.
 */
int served_inclusion(struct ledgerd *d, struct ledger_txn *txn,
    uint64_t seq, uint64_t size, uint8_t proof[][LEDGER_HASH_BYTES],
    size_t *n);
/*
 * Append the served note as a JSON string if the served tree has size
 * leaves: 1 if appended, 0 if it has another size (nothing appended), -1
 * if the note is not UTF-8 (then b holds a partial string: discard it).
 */
int served_note_json(struct ledgerd *d, uint64_t size, struct jbuf *b);
/* A receipt for seq in the tree of served size (JSON, malloc'd). */
int receipt_build(struct ledgerd *d, struct ledger_txn *txn, uint64_t seq,
    uint64_t size, const char *note, size_t notelen, char **out, size_t *len);
/* served.c: CLOCK_MONOTONIC in microseconds. */
uint64_t mono_us(void);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t mono_ns(void);

/* http.c */
struct request;
typedef int (*route_fn)(struct ledgerd *d, struct request *rq);
struct request {
	struct MHD_Connection	*conn;
	const char		*method;
	const char		*url;
	char			*body;		/* uploaded data */
	size_t			 bodylen;
	int			 too_big;
	unsigned		 status;	/* for metrics */
	struct append_req	*append;	/* suspended append */
	char			 ip[64];
};
int http_start(struct ledgerd *d);
void http_stop(struct ledgerd *d);
/* Queue a response; take ownership of body (malloc'd) when copy == 0. */
int http_reply(struct request *rq, unsigned status, const char *ctype,
    char *body, size_t len, const char *cache);
/* {"error":{"code","message"}} with status. */
int http_error(struct request *rq, unsigned status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Error reply from a library error detail. */
int http_ledger_error(struct request *rq, int rc, const struct ledger_err *e);
unsigned http_status_for(int rc);
int http_json(struct request *rq, unsigned status, json_t *v);
/* Suspend an append until the sequencer answers it (owns a from now). */
int http_suspend_append(struct ledgerd *d, struct request *rq,
    struct append_req *a);
/* The TCP port bound (useful with port 0). */
unsigned http_port(struct ledgerd *d);
const char *http_arg(struct request *rq, const char *name);
/*
 * A decimal u64 without sign or leading zeros, 1-19 digits (so it always
 * fits); 0 or -1.  Inline so the fuzz target reaches the real parser.
 */
static inline int
http_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s == '\0' || strlen(s) > 19 || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}
/* Parse a decimal u64 query argument strictly; -1 if malformed. */
int http_arg_u64(struct request *rq, const char *name, uint64_t *v,
    int *present);

/* routes_entries.c */
int route_append(struct ledgerd *d, struct request *rq);
int route_entry(struct ledgerd *d, struct request *rq);
int route_verify(struct ledgerd *d, struct request *rq);
/* routes_query.c */
int route_query(struct ledgerd *d, struct request *rq);
/* routes_views.c */
int route_project(struct ledgerd *d, struct request *rq);
int route_contract(struct ledgerd *d, struct request *rq);
int route_org(struct ledgerd *d, struct request *rq);
/* routes_proofs.c */
int route_inclusion(struct ledgerd *d, struct request *rq);
int route_consistency(struct ledgerd *d, struct request *rq);
/* routes_tiles.c */
int route_checkpoint(struct ledgerd *d, struct request *rq);
int route_tile(struct ledgerd *d, struct request *rq);
/* routes_ops.c */
int route_healthz(struct ledgerd *d, struct request *rq);
int route_metrics(struct ledgerd *d, struct request *rq);

/* tls.c: the HTTPS listener's certificate and key. */
/*
 * Read tls-cert and tls-key (none set: 0, plain HTTP) and try them in
 * GnuTLS; 0 or -1 with a message naming the file on stderr.
 */
int tls_load(struct ledgerd *d);
/* MHD_USE_TLS and its options into opt (MHD_OPTION_ARRAY), or 0. */
unsigned tls_options(const struct ledgerd *d, struct MHD_OptionItem opt[4]);
/* Wipe the key and free both (after the listener stopped). */
void tls_free(struct ledgerd *d);

/* startcheck.c: tamper evidence at start and while serving. */
/* A served leaf differs from its stored tree node (not a LEDGER_E*). */
#define LEDGERD_ETAMPERED	(-1000)
/* Check the store as start-check says; 0, or -1 with a message. */
int startcheck_run(struct ledgerd *d);
/*
 * Before a leaf is served: 0 if hash (its leaf hash) is its stored
 * level-0 node; else LEDGERD_ETAMPERED, logged and remembered (/healthz).
 */
int leaf_served(struct ledger_txn *txn, uint64_t seq,
    const uint8_t hash[LEDGER_HASH_BYTES]);
/* 1 (and the first such seq) once a served leaf did not match. */
int tamper_seen(uint64_t *seq);
/* 500 {"error":{"code":"tampered","message","seq"}}. */
int http_tampered(struct request *rq, uint64_t seq);

/* notify.c: sd_notify over $NOTIFY_SOCKET (no libsystemd needed). */
void notify(const char *state);

#endif
