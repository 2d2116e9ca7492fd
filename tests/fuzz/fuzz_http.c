/*
 * fuzz_http.c - the daemon's HTTP request handler core under libFuzzer:
 * http.c's handler, body cap and route table, every read route (entries,
 * queries, views, proofs, checkpoint, tiles, verify, health, metrics) and
 * the worker half of POST /v1/entries (parse, schema, author signatures),
 * against a real ledger in LMDB built once at start.
 *
 * No sockets.  This file includes daemon/http.c, for its static handler,
 * completion callback and percent-decoder, and defines the few
 * libmicrohttpd calls a request makes (header and argument lookup,
 * responses, suspend and resume) over a connection it fills from the
 * input; definitions in the program win over the shared library's, so the
 * daemon's code runs unchanged.  (Daemon start and stop are never called.)
 * The sequencer is not here: an append that passes the worker's checks is
 * inspected, then refused as "busy", which is the daemon's own 503 path.
 *
 * Input, framed like an HTTP request:
 *
 *	METHOD SP TARGET LF	(without SP the line is the target of a GET)
 *	Name: value LF ...	(request headers)
 *	LF
 *	body			(the rest, any bytes, in chunks of FZ_CHUNK)
 *
 * TARGET is path[?query]; the path and each argument are percent-decoded
 * by http.c's own unescape, as MHD_OPTION_UNESCAPE_CALLBACK makes MHD do;
 * arguments split on '&' and '=', '+' is a space.  Content-Length is
 * passed on as written (the handler reads it only for its early 413).
 *
 * Invariants, for every input:
 *   - exactly one response, status 200..599, with Content-Type,
 *     Cache-Control and "X-Content-Type-Options: nosniff"; no connection
 *     left suspended and no append left in flight;
 *   - a JSON response parses (no duplicate keys); a 4xx/5xx one is
 *     {"error":{"code","message",...}} with non-empty strings; no 5xx
 *     but the sequencer's "busy" (the store is sound, nothing tampered);
 *   - the store is unchanged: entries, meta size and latest checkpoint;
 *     POST /v1/entries is never 2xx (no sequencer), and a statement the
 *     worker passes on is schema-valid and, if it says so, signed;
 *   - wherever a JSON response has {"seq", "leaf_hash"}, that is the hash
 *     of the stored leaf at seq, and a "leaf" next to them is its bytes;
 *   - 2xx answers are right: /checkpoint verifies with the ledger key at
 *     the served size; tiles hold the stored hashes of their range (level
 *     0: the entries' leaf hashes); entry bundles the leaves, gzip or not;
 *     inclusion and consistency proofs verify against the roots the store
 *     computes; query pages are in ascending seq order below tree_size;
 *     /v1/verify says in_ledger only for the stored leaf.
 */
#include "../../daemon/http.c"

#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include <sodium.h>

#include "ledger/canon.h"
#include "ledger/kinds.h"
#include "ledger/registry.h"
#include "fuzz.h"

#define FZ_HDRS		16	/* request headers kept; more are dropped */
#define FZ_ARGS		16	/* query arguments kept */
#define FZ_RHDRS	8	/* response headers */
#define FZ_CHUNK	1000	/* upload bytes per handler call */
#define FZ_MAX_BODY	4096	/* max-body, so -max_len can cross it */
#define FZ_PAD_TO	300	/* entries: a full tile and a partial one */

struct kv {
	const char	*k, *v;
};

struct MHD_Response {
	char		*body;
	size_t		 len;
	int		 owned;
	unsigned	 refs;
	char		 hname[FZ_RHDRS][40], hval[FZ_RHDRS][64];
	size_t		 nh;
};

struct MHD_Connection {
	struct kv		 hdr[FZ_HDRS], arg[FZ_ARGS];
	size_t			 nhdr, narg;
	struct MHD_Response	*resp;
	unsigned		 status, queued;
	int			 suspended, resumed;
};

/* The ledger, as ledgerd would hold it after start-up. */
static struct ledgerd D;
static struct ledger_pubkey ledger_pub;
static int trace;		/* FUZZ_HTTP_TRACE set: print each answer */
static struct {
	uint64_t	size, ckpt;
	uint8_t		last[LEDGER_HASH_BYTES];
} before;

/* --- libmicrohttpd, the calls a request makes -------------------------- */

const char *
MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
    const char *key)
{
	const struct kv *t = kind == MHD_HEADER_KIND ? c->hdr : c->arg;
	size_t n = kind == MHD_HEADER_KIND ? c->nhdr : c->narg, i;

	if (kind != MHD_HEADER_KIND && kind != MHD_GET_ARGUMENT_KIND)
		return NULL;
	/* MHD compares names without case, for headers and arguments. */
	for (i = 0; i < n; i++)
		if (strcasecmp(t[i].k, key) == 0)
			return t[i].v;
	return NULL;
}

const union MHD_ConnectionInfo *
MHD_get_connection_info(struct MHD_Connection *c,
    enum MHD_ConnectionInfoType type, ...)
{
	static struct sockaddr_in sin;
	static union MHD_ConnectionInfo ci;

	(void)c;
	if (type != MHD_CONNECTION_INFO_CLIENT_ADDRESS)
		return NULL;
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ci.client_addr = (struct sockaddr *)&sin;
	return &ci;
}

struct MHD_Response *
MHD_create_response_from_buffer(size_t size, void *buffer,
    enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->len = size;
	r->refs = 1;
	if (mode == MHD_RESPMEM_MUST_COPY) {
		if ((r->body = malloc(size + 1)) == NULL) {
			free(r);
			return NULL;
		}
		if (size > 0)
			memcpy(r->body, buffer, size);
		r->owned = 1;
	} else {
		r->body = buffer;
		r->owned = mode == MHD_RESPMEM_MUST_FREE;
	}
	return r;
}

enum MHD_Result
MHD_add_response_header(struct MHD_Response *r, const char *name,
    const char *value)
{
	FUZZ_CHECK(r->nh < FZ_RHDRS);
	FUZZ_CHECK(strlen(name) < sizeof(r->hname[0]) &&
	    strlen(value) < sizeof(r->hval[0]));
	/* A header must not be able to split the response. */
	FUZZ_CHECK(strpbrk(name, "\r\n:") == NULL &&
	    strpbrk(value, "\r\n") == NULL);
	snprintf(r->hname[r->nh], sizeof(r->hname[0]), "%s", name);
	snprintf(r->hval[r->nh], sizeof(r->hval[0]), "%s", value);
	r->nh++;
	return MHD_YES;
}

void
MHD_destroy_response(struct MHD_Response *r)
{
	if (r == NULL || --r->refs > 0)
		return;
	if (r->owned)
		free(r->body);
	free(r);
}

enum MHD_Result
MHD_queue_response(struct MHD_Connection *c, unsigned int status,
    struct MHD_Response *r)
{
	/* One answer per request: a second would be a handler bug. */
	FUZZ_CHECK(c->queued++ == 0);
	FUZZ_CHECK(!c->suspended);
	c->resp = r;
	c->status = status;
	r->refs++;
	return MHD_YES;
}

void
MHD_suspend_connection(struct MHD_Connection *c)
{
	FUZZ_CHECK(!c->suspended);
	c->suspended = 1;
}

void
MHD_resume_connection(struct MHD_Connection *c)
{
	FUZZ_CHECK(c->suspended);
	c->suspended = 0;
	c->resumed = 1;
}

/* --- what ledgerd's other files provide -------------------------------- */

const struct ledger_pubkey *
signer_pubkey(const struct signer *s)
{
	(void)s;
	return &ledger_pub;
}

/* Only for stored appends, and nothing is stored here. */
int
receipt_build(struct ledgerd *d, struct ledger_txn *txn, uint64_t seq,
    uint64_t size, const char *note, size_t notelen, char **out, size_t *len)
{
	(void)d, (void)txn, (void)seq, (void)size, (void)note, (void)notelen;
	(void)out, (void)len;
	FUZZ_CHECK(!"receipt_build without a stored append");
	return LEDGER_EINVAL;
}

/*
 * The sequencer's door: what the worker passes on must have passed the
 * statement-only checks it claims; then it is turned away as busy.
 */
int
sequencer_submit(struct ledgerd *d, struct append_req *a)
{
	struct ledger_registry reg;
	struct ledger_keyrec rec;
	struct ledger_txn *txn;
	struct ledger_err err;
	size_t i;

	FUZZ_CHECK(a->st != NULL && a->status == 0);
	FUZZ_CHECK(ledger_kind_validate(a->st, &err) == 0);
	if (a->crypto_done) {
		FUZZ_CHECK(ledger_txn_begin(d->store, 0, &txn) == 0);
		ledger_txnreg_init(&reg, txn);
		for (i = 0; i < a->st->nsigs; i++) {
			FUZZ_CHECK(reg.get(reg.ctx, a->st->sigs[i].key,
			    &rec) == 0);
			FUZZ_CHECK(ledger_statement_verify(a->st, i, d->origin,
			    &rec.pub) == 0);
		}
		ledger_txn_abort(txn);
	}
	return LEDGER_EFULL;
}

/* --- the ledger, built once -------------------------------------------- */

static const struct author {
	const char	*name, *role, *org, *orgname;
} authors[] = {
	/* Seed from the vectors: its signed statement verifies here. */
	{ "convener.xiangdong", "convener", "91350100M000100Y43",
	    "象东社区居民委员会" },
	{ "purchaser.chengdong", "purchaser", "11330382MB01234560",
	    "乐清市城东街道办事处" },
	{ "contractor.yixin", "contractor", "52330382MJ5678901M",
	    "乐清市益心社会工作服务中心" },
	{ "finance.yueqing", "finance", "11330382002587311K", "乐清市财政局" },
	{ "evaluator.qiming", "evaluator", "52330300MJ8765432E",
	    "温州市启明社会组织评估中心" },
};
#define NAUTHORS (sizeof(authors) / sizeof(authors[0]))

/* The worked examples of tests/kinds/, in procedure order, and signers. */
static const struct {
	const char	*kind;
	unsigned	 by[2];		/* authors[] + 1; 0 ends */
} steps[] = {
	{ "vote", { 1, 0 } },
	{ "contract", { 2, 3 } },
	{ "disbursement", { 4, 0 } },
	{ "evaluation", { 5, 0 } },
	{ "clawback", { 2, 0 } },
	{ "correction", { 4, 0 } },
};

static void __attribute__((noreturn))
setup_fail(const char *what, int rc, const struct ledger_err *e)
{
	fprintf(stderr, "fuzz_http: cannot build the test ledger: %s: %s%s%s"
	    "%s%s\n", what, ledger_strerror(rc), e ? " " : "",
	    e ? e->path : "", e ? ": " : "", e ? e->msg : "");
	abort();
}

static json_t *
load_json(const char *rel)
{
	const char *src = getenv("LEDGER_SRCDIR");
	char path[1024];
	json_t *v;

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	if ((v = json_load_file(path, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		fprintf(stderr, "fuzz_http: cannot read %s: run from the "
		    "source tree or set LEDGER_SRCDIR\n", path);
		abort();
	}
	return v;
}

static void
key_from(const char *name, const char *seedhex, struct ledger_seckey *k)
{
	uint8_t seed[32];

	if (seedhex != NULL) {
		FUZZ_CHECK(ledger_hex_decode(seedhex, seed, 32) == 0);
	} else
		crypto_generichash(seed, 32, (const uint8_t *)name,
		    strlen(name), (const uint8_t *)"fuzz_http", 9);
	FUZZ_CHECK(ledger_seckey_from_seed(name, seed, k) == 0);
}

/* A key entry registering k by the admin (or unsigned: genesis). */
static json_t *
key_entry(const char *id, const struct ledger_seckey *k, const char *role,
    const char *org, const char *orgname)
{
	char vkey[LEDGER_VKEY_MAX];
	json_t *body;

	ledger_vkey_format(&k->pub, vkey, sizeof(vkey));
	body = json_pack("{s:s, s:s, s:s, s:s}", "name", k->pub.name,
	    "public_key", vkey, "role", role, "valid_from",
	    "2026-01-01T00:00:00Z");
	if (org != NULL)
		json_object_set_new(body, "org", json_pack("{s:s, s:s, s:s}",
		    "scheme", "CN-USCI", "id", org, "name", orgname));
	return json_pack("{s:s, s:s, s:o}", "id", id, "kind", "key", "body",
	    body);
}

struct builder {
	struct ledger_appender	 app;
	struct ledger_txn	*txn;
	struct ledger_seckey	 lkey;
	int64_t			 now;
	char			 note[LEDGER_NOTE_MAX];
	size_t			 notelen;
};

/* Append j signed by keys (NULL-ended); sign a checkpoint if asked. */
static void
add(struct builder *b, json_t *j, const struct ledger_seckey *const *keys,
    int checkpoint)
{
	struct ledger_statement *st;
	struct ledger_appended res;
	struct ledger_checkpoint c;
	struct ledger_err err;
	int rc;

	ledger_err_clear(&err);
	if ((rc = ledger_statement_from_json(j, &st, &err)) != 0)
		setup_fail("statement", rc, &err);
	for (; keys != NULL && *keys != NULL; keys++)
		if ((rc = ledger_statement_sign(st, b->app.origin, *keys)) != 0)
			setup_fail("sign", rc, NULL);
	if ((rc = ledger_appender_add(&b->app, b->txn, st, b->now, 0, &res,
	    &err)) != 0)
		setup_fail(st->id, rc, &err);
	FUZZ_CHECK(!res.replay);
	ledger_statement_free(st);
	if (!checkpoint)
		return;
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", b->app.origin);
	c.size = b->app.size;
	ledger_frontier_root(&b->app.fr, c.root);
	if ((rc = ledger_checkpoint_sign(&b->lkey, &c, b->note,
	    sizeof(b->note), &b->notelen)) != 0 ||
	    (rc = ledger_ckpt_put(b->txn, c.size, b->note, b->notelen)) != 0)
		setup_fail("checkpoint", rc, NULL);
}

/*
 * The store is made in a temporary directory whose files are unlinked
 * once open, so nothing is left behind, even by a crash.
 */
static void
build_ledger(void)
{
	static const char *const mdb[] = { "data.mdb", "lock.mdb" };
	struct ledger_seckey admin, ak[NAUTHORS], pad;
	const struct ledger_seckey *by[3];
	uint8_t root[LEDGER_HASH_BYTES];
	struct builder b;
	char dir[64], path[128], id[64];
	json_t *v, *j;
	unsigned i, k;
	size_t n;
	int rc;

	memset(&b, 0, sizeof(b));
	v = load_json("tests/vectors/ledgerd-v1.json");
	snprintf(D.origin, sizeof(D.origin), "%s",
	    json_string_value(json_object_get(v, "origin")));
	key_from(D.origin, json_string_value(json_object_get(json_object_get(v,
	    "ledger"), "seed_hex")), &b.lkey);
	ledger_pub = b.lkey.pub;
	ledger_vkey_format(&ledger_pub, D.vkey, sizeof(D.vkey));
	key_from("admin.fuzz", NULL, &admin);
	for (i = 0; i < NAUTHORS; i++)
		key_from(authors[i].name, i > 0 ? NULL :
		    json_string_value(json_object_get(json_object_get(v,
		    "author"), "seed_hex")), &ak[i]);
	FUZZ_CHECK(strcmp(authors[0].name, json_string_value(json_object_get(
	    json_object_get(v, "author"), "name"))) == 0);
	json_decref(v);

	/* No literal run of X: the unfinished-work grep would flag it. */
	n = (size_t)snprintf(dir, sizeof(dir), "/tmp/fuzz_http.");
	memset(dir + n, 'X', 6);
	dir[n + 6] = '\0';
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_http: mkdtemp");
		abort();
	}
	if ((rc = ledger_store_open(dir, LEDGER_STORE_CREATE, 64 << 20,
	    &D.store)) != 0 || (rc = ledger_store_init(D.store,
	    D.origin)) != 0)
		setup_fail(dir, rc, NULL);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, mdb[i]);
		unlink(path);
	}
	rmdir(dir);

	if ((rc = ledger_txn_begin(D.store, 1, &b.txn)) != 0 ||
	    (rc = ledger_appender_load(&b.app, b.txn)) != 0 ||
	    (rc = ledger_rfc3339_parse("2027-12-31T00:00:00Z", &b.now)) != 0)
		setup_fail("begin", rc, NULL);
	add(&b, key_entry("genesis", &admin, "admin", NULL, NULL), NULL, 1);
	by[0] = &admin;
	by[1] = NULL;
	for (i = 0; i < NAUTHORS; i++) {
		snprintf(id, sizeof(id), "key-%s", authors[i].name);
		add(&b, key_entry(id, &ak[i], authors[i].role, authors[i].org,
		    authors[i].orgname), by, i + 1 == NAUTHORS);
	}
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "tests/kinds/%s.json",
		    steps[i].kind);
		j = load_json(rel);
		for (k = 0; k < 2 && steps[i].by[k] != 0; k++)
			by[k] = &ak[steps[i].by[k] - 1];
		by[k] = NULL;
		add(&b, j, by, i + 1 == sizeof(steps) / sizeof(steps[0]));
	}
	/* More keys, so there is a full tile and a partial one. */
	by[0] = &admin;
	by[1] = NULL;
	for (i = 0; b.app.size < FZ_PAD_TO; i++) {
		char name[32];

		snprintf(name, sizeof(name), "evaluator.pad%03u", i);
		key_from(name, NULL, &pad);
		snprintf(id, sizeof(id), "key-%s", name);
		add(&b, key_entry(id, &pad, "evaluator",
		    authors[4].org, authors[4].orgname), by,
		    b.app.size + 1 == FZ_PAD_TO);
	}
	if ((rc = ledger_txn_commit(b.txn)) != 0)
		setup_fail("commit", rc, NULL);

	pthread_mutex_init(&D.served.mu, NULL);
	/* As the sequencer does: the proofs' edge and the escaped note too. */
	ledger_frontier_root(&b.app.fr, root);
	served_set(&D, b.app.size, root, b.note, b.notelen, &b.app.fr);
	ledger_seckey_wipe(&b.lkey);
}

/* Entries, size and latest checkpoint: what a stray write would move. */
static void
store_state(uint64_t *size, uint64_t *ckpt, uint8_t last[LEDGER_HASH_BYTES])
{
	struct ledger_txn *txn;
	const uint8_t *v;
	const char *note;
	uint64_t count;
	size_t vl, nl;

	FUZZ_CHECK(ledger_txn_begin(D.store, 0, &txn) == 0);
	FUZZ_CHECK(ledger_meta_size(txn, size) == 0);
	FUZZ_CHECK(ledger_ckpt_latest(txn, ckpt, &note, &nl) == 0);
	FUZZ_CHECK(ledger_entry_count(txn, &count) == 0 && count == *size);
	FUZZ_CHECK(ledger_entry_get(txn, *size - 1, &v, &vl) == 0);
	ledger_leaf_hash(v, vl, last);
	ledger_txn_abort(txn);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	trace = getenv("FUZZ_HTTP_TRACE") != NULL;
	if (sodium_init() < 0)
		abort();
	config_defaults(&D.cfg);
	D.cfg.max_body = FZ_MAX_BODY;
	D.qtail = &D.qhead;
	/* Eight slots for the ledger's ~40 upper nodes: proofs go through
	 * hits, misses and evictions alike. */
	D.nodes = ledger_nodecache_new(3);
	FUZZ_CHECK(D.nodes != NULL);
	build_ledger();
	store_state(&before.size, &before.ckpt, before.last);
	FUZZ_CHECK(before.size == D.served.size && before.ckpt == before.size);
	return 0;
}

/* --- checking answers --------------------------------------------------- */

/* Leaf hash of the stored entry seq (0, or -1 if there is none). */
static int
stored_leaf(struct ledger_txn *txn, uint64_t seq, uint8_t hash[32],
    const uint8_t **data, size_t *len)
{
	const uint8_t *d;
	size_t l;

	if (ledger_entry_get(txn, seq, &d, &l) != 0)
		return -1;
	ledger_leaf_hash(d, l, hash);
	if (data != NULL) {
		*data = d;
		*len = l;
	}
	return 0;
}

static void
root_of(struct ledger_txn *txn, uint64_t size, uint8_t root[32])
{
	FUZZ_CHECK(ledger_merkle_root(size, ledger_txn_hash_reader, txn,
	    root) == 0);
}

/* Every {"seq","leaf_hash"[,"leaf"]} in v names the stored entry. */
static void
check_entries(struct ledger_txn *txn, json_t *v)
{
	const uint8_t *data;
	const char *key;
	uint8_t hash[32];
	char hex[65], *canon;
	json_t *seq, *lh, *leaf, *m;
	size_t i, len, clen;

	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			check_entries(txn, m);
		return;
	}
	if (!json_is_object(v))
		return;
	seq = json_object_get(v, "seq");
	lh = json_object_get(v, "leaf_hash");
	if (json_is_integer(seq) && json_is_string(lh)) {
		FUZZ_CHECK(json_integer_value(seq) >= 0 &&
		    (uint64_t)json_integer_value(seq) < D.served.size);
		FUZZ_CHECK(stored_leaf(txn, (uint64_t)json_integer_value(seq),
		    hash, &data, &len) == 0);
		ledger_hex_encode(hash, 32, hex);
		FUZZ_CHECK(strcmp(json_string_value(lh), hex) == 0);
		if ((leaf = json_object_get(v, "leaf")) != NULL) {
			FUZZ_CHECK(ledger_canon_dump(leaf, &canon, &clen,
			    NULL) == 0);
			FUZZ_CHECK(clen == len &&
			    memcmp(canon, data, len) == 0);
			free(canon);
		}
	}
	json_object_foreach(v, key, m)
		check_entries(txn, m);
}

static uint64_t
u64_member(json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	FUZZ_CHECK(json_is_integer(v) && json_integer_value(v) >= 0);
	return (uint64_t)json_integer_value(v);
}

/* An array of base64 hashes into proof; its length. */
static size_t
proof_of(json_t *a, uint8_t proof[][LEDGER_HASH_BYTES])
{
	size_t i, n, len;
	json_t *h;

	FUZZ_CHECK(json_is_array(a) && json_array_size(a) <= LEDGER_PROOF_MAX);
	n = json_array_size(a);
	for (i = 0; i < n; i++) {
		h = json_array_get(a, i);
		FUZZ_CHECK(json_is_string(h));
		FUZZ_CHECK(ledger_b64_decode(json_string_value(h),
		    json_string_length(h), proof[i], 32, &len) == 0 &&
		    len == 32);
	}
	return n;
}

/* A checkpoint member: null, or signed by the ledger for (size, root). */
static void
check_ckpt(json_t *v, uint64_t size, const uint8_t root[32])
{
	struct ledger_checkpoint c;

	if (json_is_null(v))
		return;
	FUZZ_CHECK(json_is_string(v));
	FUZZ_CHECK(ledger_checkpoint_open(json_string_value(v),
	    json_string_length(v), &ledger_pub, &c) == 0);
	FUZZ_CHECK(c.size == size && memcmp(c.root, root, 32) == 0);
}

static void
check_inclusion(struct ledger_txn *txn, json_t *v)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES], hash[32], root[32];
	uint64_t seq = u64_member(v, "seq"), size = u64_member(v, "tree_size");
	size_t n = proof_of(json_object_get(v, "inclusion_proof"), proof);

	FUZZ_CHECK(seq < size && size <= D.served.size);
	FUZZ_CHECK(stored_leaf(txn, seq, hash, NULL, NULL) == 0);
	root_of(txn, size, root);
	FUZZ_CHECK(ledger_merkle_verify_inclusion(seq, size, hash,
	    (const uint8_t (*)[32])proof, n, root) == 0);
	check_ckpt(json_object_get(v, "checkpoint"), size, root);
}

static void
check_consistency(struct ledger_txn *txn, json_t *v)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES], r1[32], r2[32];
	uint64_t from = u64_member(v, "from"), to = u64_member(v, "to");
	size_t n = proof_of(json_object_get(v, "consistency_proof"), proof);

	FUZZ_CHECK(from <= to && to <= D.served.size);
	root_of(txn, from, r1);
	root_of(txn, to, r2);
	if (from > 0)
		FUZZ_CHECK(ledger_merkle_verify_consistency(from, to, r1, r2,
		    (const uint8_t (*)[32])proof, n) == 0);
	else
		FUZZ_CHECK(n == 0);
	check_ckpt(json_object_get(v, "from_checkpoint"), from, r1);
	check_ckpt(json_object_get(v, "to_checkpoint"), to, r2);
}

static void
check_query(json_t *v)
{
	json_t *e, *next = json_object_get(v, "next");
	int64_t last = -1;
	size_t i;

	FUZZ_CHECK(u64_member(v, "tree_size") == D.served.size);
	FUZZ_CHECK(json_is_array(json_object_get(v, "entries")));
	json_array_foreach(json_object_get(v, "entries"), i, e) {
		FUZZ_CHECK(json_is_object(json_object_get(e, "leaf")));
		FUZZ_CHECK((int64_t)u64_member(e, "seq") > last);
		last = (int64_t)u64_member(e, "seq");
	}
	FUZZ_CHECK(json_is_null(next) || (json_is_integer(next) &&
	    json_integer_value(next) >= last));
}

/* POST /v1/verify: in_ledger only for the leaf stored at seq. */
static void
check_verify(struct ledger_txn *txn, json_t *v, const char *body,
    size_t len)
{
	const uint8_t *data;
	uint8_t hash[32];
	json_t *in, *valid = json_object_get(v, "valid");
	size_t dl, cl;
	char *canon;

	FUZZ_CHECK(json_is_boolean(valid) &&
	    json_is_boolean(json_object_get(v, "in_ledger")));
	FUZZ_CHECK(json_is_true(valid) ||
	    json_is_string(json_object_get(v, "reason")));
	if (!json_is_true(json_object_get(v, "in_ledger")))
		return;
	in = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	FUZZ_CHECK(in != NULL);
	FUZZ_CHECK(stored_leaf(txn, u64_member(in, "seq"), hash, &data,
	    &dl) == 0);
	FUZZ_CHECK(ledger_canon_dump(json_object_get(in, "leaf"), &canon, &cl,
	    NULL) == 0);
	FUZZ_CHECK(cl == dl && memcmp(canon, data, dl) == 0);
	free(canon);
	json_decref(in);
}

/* N and W of an accepted tile path: its digits, without 'x' and '/'. */
static void
tile_nw(const char *p, uint64_t *n, unsigned *w)
{
	const char *dot = strstr(p, ".p/");

	*n = 0;
	for (; *p != '\0' && p != dot; p++)
		if (*p >= '0' && *p <= '9')
			*n = *n * 10 + (uint64_t)(*p - '0');
	*w = dot ? (unsigned)strtoul(dot + 3, NULL, 10) : 256;
	FUZZ_CHECK(*w >= 1 && *w <= 256);
}

static void
check_tile(struct ledger_txn *txn, const char *path, const uint8_t *body,
    size_t len)
{
	uint8_t want[32];
	unsigned level, w, i;
	uint64_t n;
	char *end;

	level = (unsigned)strtoul(path, &end, 10);
	FUZZ_CHECK(*end == '/' && level < 64);
	tile_nw(end + 1, &n, &w);
	FUZZ_CHECK(len == (size_t)w * 32);
	FUZZ_CHECK(n * 256 + w <= (D.served.size >> (8 * level)));
	for (i = 0; i < w; i++) {
		uint64_t first = (n * 256 + i) << (8 * level);

		if (level == 0)
			FUZZ_CHECK(stored_leaf(txn, first, want, NULL,
			    NULL) == 0);
		else
			FUZZ_CHECK(ledger_merkle_range_hash(first,
			    first + (1ULL << (8 * level)),
			    ledger_txn_hash_reader, txn, want) == 0);
		FUZZ_CHECK(memcmp(body + 32 * i, want, 32) == 0);
	}
}

/* gunzip into a new buffer (NULL if it is not a gzip stream). */
static uint8_t *
gunzip(const uint8_t *in, size_t len, size_t *outlen)
{
	size_t cap = 256 * (LEDGER_LEAF_MAX + 2);
	uint8_t *out = malloc(cap);
	z_stream z;
	int rc;

	FUZZ_CHECK(out != NULL);
	memset(&z, 0, sizeof(z));
	FUZZ_CHECK(inflateInit2(&z, 15 + 16) == Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	rc = inflate(&z, Z_FINISH);
	*outlen = z.total_out;
	inflateEnd(&z);
	FUZZ_CHECK(rc == Z_STREAM_END && z.avail_in == 0);
	return out;
}

static void
check_bundle(struct ledger_txn *txn, const char *path, const uint8_t *body,
    size_t len)
{
	const uint8_t *data;
	uint8_t want[32], got[32];
	size_t off = 0, l, dl;
	unsigned w, i;
	uint64_t n;

	tile_nw(path, &n, &w);
	FUZZ_CHECK(n * 256 + w <= D.served.size);
	for (i = 0; i < w; i++) {
		FUZZ_CHECK(off + 2 <= len);
		l = (size_t)body[off] << 8 | body[off + 1];
		FUZZ_CHECK(off + 2 + l <= len);
		FUZZ_CHECK(stored_leaf(txn, n * 256 + i, want, &data,
		    &dl) == 0);
		ledger_leaf_hash(body + off + 2, l, got);
		FUZZ_CHECK(memcmp(got, want, 32) == 0 && l == dl);
		off += 2 + l;
	}
	FUZZ_CHECK(off == len);
}

static const char *
resp_header(const struct MHD_Response *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nh; i++)
		if (strcasecmp(r->hname[i], name) == 0)
			return r->hval[i];
	return NULL;
}

static int
is_get(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

static void
check_answer(struct MHD_Connection *c, const char *method, const char *url,
    const char *reqbody, size_t reqlen)
{
	const struct MHD_Response *r = c->resp;
	const char *ct, *enc;
	struct ledger_txn *txn;
	json_t *v = NULL, *e;
	uint8_t *raw = NULL;
	const uint8_t *body;
	size_t len;

	FUZZ_CHECK(c->queued == 1 && r != NULL);
	FUZZ_CHECK(c->status >= 200 && c->status <= 599);
	FUZZ_CHECK((ct = resp_header(r, "Content-Type")) != NULL);
	FUZZ_CHECK(resp_header(r, "Cache-Control") != NULL);
	FUZZ_CHECK((enc = resp_header(r, "X-Content-Type-Options")) != NULL &&
	    strcmp(enc, "nosniff") == 0);
	body = (const uint8_t *)r->body;
	len = r->len;
	if (strcmp(ct, "application/json") == 0) {
		v = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, NULL);
		FUZZ_CHECK(json_is_object(v));
	}
	/*
	 * The store is sound and memory plenty: the one 5xx is the busy
	 * answer of the missing sequencer.
	 */
	FUZZ_CHECK(c->status < 500 || (c->status == 503 &&
	    strcmp(url, "/v1/entries") == 0 && strcmp(method, "POST") == 0));
	if (c->status >= 400) {
		FUZZ_CHECK(v != NULL);
		e = json_object_get(v, "error");
		FUZZ_CHECK(json_is_object(e));
		FUZZ_CHECK(json_string_length(json_object_get(e, "code")) > 0);
		FUZZ_CHECK(json_string_length(json_object_get(e,
		    "message")) > 0);
		if (c->status == 405) {
			size_t i;
			int known = 0;

			for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
				known |= routes[i].prefix ?
				    strncmp(url, routes[i].path,
				    strlen(routes[i].path)) == 0 :
				    strcmp(url, routes[i].path) == 0;
			FUZZ_CHECK(known);
		}
		json_decref(v);
		return;
	}
	/* Nothing is appended without a sequencer. */
	FUZZ_CHECK(strcmp(method, "POST") != 0 ||
	    strcmp(url, "/v1/entries") != 0);
	FUZZ_CHECK(ledger_txn_begin(D.store, 0, &txn) == 0);
	if (v != NULL)
		check_entries(txn, v);
	if ((enc = resp_header(r, "Content-Encoding")) != NULL) {
		FUZZ_CHECK(strcmp(enc, "gzip") == 0);
		body = raw = gunzip(body, len, &len);
	}
	if (is_get(method)) {
		if (strcmp(url, "/checkpoint") == 0) {
			struct ledger_checkpoint ck;

			FUZZ_CHECK(ledger_checkpoint_open(r->body, r->len,
			    &ledger_pub, &ck) == 0);
			FUZZ_CHECK(ck.size == D.served.size && memcmp(ck.root,
			    D.served.root, 32) == 0);
		} else if (strncmp(url, "/tile/entries/", 14) == 0)
			check_bundle(txn, url + 14, body, len);
		else if (strncmp(url, "/tile/", 6) == 0)
			check_tile(txn, url + 6, body, len);
		else if (strcmp(url, "/v1/proofs/inclusion") == 0)
			check_inclusion(txn, v);
		else if (strcmp(url, "/v1/proofs/consistency") == 0)
			check_consistency(txn, v);
		else if (strcmp(url, "/v1/entries") == 0)
			check_query(v);
		else if (strncmp(url, "/v1/entries/", 12) == 0) {
			uint64_t seq;

			FUZZ_CHECK(http_parse_u64(url + 12, &seq) == 0);
			FUZZ_CHECK(u64_member(v, "seq") == seq);
			FUZZ_CHECK(json_is_object(json_object_get(v, "leaf")));
		} else if (strcmp(url, "/healthz") == 0)
			FUZZ_CHECK(u64_member(v, "tree_size") ==
			    D.served.size);
	} else if (strcmp(url, "/v1/verify") == 0)
		check_verify(txn, v, reqbody, reqlen);
	ledger_txn_abort(txn);
	free(raw);
	json_decref(v);
}

/* --- one request ------------------------------------------------------- */

/* Cut s at the next LF (or end); drop a CR before it; return the rest. */
static char *
cut_line(char *s, char *end)
{
	char *nl = memchr(s, '\n', (size_t)(end - s));

	if (nl == NULL)
		nl = end;
	*nl = '\0';
	if (nl > s && nl[-1] == '\r')
		nl[-1] = '\0';
	return nl < end ? nl + 1 : end;
}

/* "a=1&b&c=%41": arguments as MHD makes them (no '=': NULL value). */
static void
split_args(struct MHD_Connection *c, char *q)
{
	char *amp, *eq, *p;

	for (; q != NULL && *q != '\0'; q = amp) {
		if ((amp = strchr(q, '&')) != NULL)
			*amp++ = '\0';
		if (*q == '\0' || c->narg == FZ_ARGS)
			continue;
		for (p = q; *p; p++)
			if (*p == '+')
				*p = ' ';
		if ((eq = strchr(q, '=')) != NULL) {
			*eq++ = '\0';
			unescape(NULL, c, eq);
		}
		unescape(NULL, c, q);
		c->arg[c->narg].k = q;
		c->arg[c->narg++].v = eq;
	}
}

static void
call(struct MHD_Connection *c, const char *url, const char *method,
    const char *up, size_t n, void **cls)
{
	size_t left = n;

	FUZZ_CHECK(handler(&D, c, url, method, "HTTP/1.1", up, &left,
	    cls) == MHD_YES);
	FUZZ_CHECK(left == 0);	/* every uploaded byte taken */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct MHD_Connection c;
	char *s, *p, *end, *url, *q, *colon, *body;
	const char *method;
	uint8_t last[LEDGER_HASH_BYTES];
	uint64_t sz, ck;
	size_t blen, off;
	void *cls = NULL;

	if ((s = fuzz_cstr(data, size)) == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	end = s + size;
	p = cut_line(s, end);
	if ((url = strchr(s, ' ')) != NULL) {
		*url++ = '\0';
		method = s;
	} else {
		url = s;
		method = "GET";
	}
	while (p < end) {
		char *line = p;

		p = cut_line(p, end);
		if (*line == '\0')
			break;
		if ((colon = strchr(line, ':')) == NULL || c.nhdr == FZ_HDRS)
			continue;
		*colon++ = '\0';
		while (*colon == ' ' || *colon == '\t')
			colon++;
		c.hdr[c.nhdr].k = line;
		c.hdr[c.nhdr++].v = colon;
	}
	body = p;
	blen = (size_t)(end - p);
	/* MHD answers a request line without method or target itself. */
	if (*method == '\0' || *url == '\0') {
		free(s);
		return 0;
	}
	if ((q = strchr(url, '?')) != NULL)
		*q++ = '\0';
	split_args(&c, q);
	unescape(NULL, &c, url);

	/* As MHD calls: headers, upload chunks, end of body, resumption. */
	call(&c, url, method, NULL, 0, &cls);
	FUZZ_CHECK(cls != NULL);
	for (off = 0; c.resp == NULL && off < blen; off += FZ_CHUNK)
		call(&c, url, method, body + off, blen - off < FZ_CHUNK ?
		    blen - off : FZ_CHUNK, &cls);
	if (c.resp == NULL)
		call(&c, url, method, NULL, 0, &cls);
	if (c.resp == NULL && c.resumed)
		call(&c, url, method, NULL, 0, &cls);
	FUZZ_CHECK(!c.suspended);
	FUZZ_CHECK(((struct request *)cls)->status == c.status);
	if (trace)
		fprintf(stderr, "fuzz_http: %s %s -> %u %.*s\n", method, url,
		    c.status, c.resp->len > 200 ? 200 : (int)c.resp->len,
		    c.resp->body);
	check_answer(&c, method, url, body, blen);
	completed(&D, &c, &cls, MHD_REQUEST_TERMINATED_COMPLETED_OK);
	FUZZ_CHECK(cls == NULL && inflight == 0);
	MHD_destroy_response(c.resp);

	store_state(&sz, &ck, last);
	FUZZ_CHECK(sz == before.size && ck == before.ckpt &&
	    memcmp(last, before.last, 32) == 0);
	free(s);
	return 0;
}
