/*
 * routes_tiles.c - the C2SP tlog-tiles read API: /checkpoint,
 * /tile/<L>/<N>[.p/<W>] and /tile/entries/<N>[.p/<W>].  Tiles are built on
 * request from stored nodes and leaves; a path is accepted only in its one
 * canonical spelling (we re-encode and compare, as x/mod does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "ledgerd.h"

#define TILE_WIDTH	256
#define IMMUTABLE	"public, max-age=31536000, immutable"
#define N_GROUPS_MAX	6	/* "x123/x456/.../789": N < 10^18 */

int
route_checkpoint(struct ledgerd *d, struct request *rq)
{
	char *note = malloc(LEDGER_NOTE_MAX);
	uint64_t size;
	size_t len;

	if (note == NULL)
		return http_error(rq, 500, "internal", "out of memory");
	served_get(d, &size, NULL, note, &len);
	return http_reply(rq, 200, "text/plain; charset=utf-8", note, len,
	    "public, max-age=1");
}

/* Encode tile index n: "x001/x234/067". */
static void
encode_n(uint64_t n, char *out, size_t outsz)
{
	char groups[N_GROUPS_MAX + 1][4];
	int k = 0, i;
	size_t off = 0;

	do {
		snprintf(groups[k++], 4, "%03u", (unsigned)(n % 1000));
		n /= 1000;
	} while (n > 0 && k <= N_GROUPS_MAX);
	out[0] = '\0';
	for (i = k - 1; i >= 0 && off < outsz; i--)
		off += (size_t)snprintf(out + off, outsz - off, "%s%s%s",
		    i > 0 ? "x" : "", groups[i], i > 0 ? "/" : "");
}

/* Parse a decimal with no leading zeros in [lo, hi]; advance *s. */
static int
parse_dec(const char **s, unsigned lo, unsigned hi, unsigned *v)
{
	const char *p = *s;
	unsigned x = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' &&
	    p[1] <= '9'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		x = x * 10 + (unsigned)(*p - '0');
		if (x > hi)
			return -1;
	}
	if (x < lo)
		return -1;
	*v = x;
	*s = p;
	return 0;
}

/* "<N>[.p/<W>]" up to the end of the string; W = 256 for a full tile. */
static int
parse_nw(const char *s, uint64_t *n, unsigned *w)
{
	char canon[64];
	const char *p = s, *end;
	uint64_t x = 0;
	int groups = 0;

	for (;;) {
		int last = *p != 'x';

		if (!last)
			p++;
		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' ||
		    p[2] < '0' || p[2] > '9')
			return -1;
		x = x * 1000 + (uint64_t)((p[0] - '0') * 100 +
		    (p[1] - '0') * 10 + (p[2] - '0'));
		p += 3;
		if (++groups > N_GROUPS_MAX)
			return -1;
		if (last)
			break;
		if (*p++ != '/')
			return -1;
	}
	end = p;
	*w = TILE_WIDTH;
	if (strncmp(p, ".p/", 3) == 0) {
		p += 3;
		if (parse_dec(&p, 1, TILE_WIDTH - 1, w) != 0)
			return -1;
	}
	if (*p != '\0')
		return -1;
	encode_n(x, canon, sizeof(canon));
	if (strlen(canon) != (size_t)(end - s) ||
	    strncmp(canon, s, (size_t)(end - s)) != 0)
		return -1;
	*n = x;
	return 0;
}

/* gzip body into a new buffer; NULL if it does not pay or fails. */
static char *
gzip_body(const char *in, size_t len, size_t *outlen)
{
	z_stream z;
	uLong cap = compressBound((uLong)len) + 32;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

static int
accepts_gzip(struct request *rq)
{
	const char *ae = MHD_lookup_connection_value(rq->conn,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);

	return ae != NULL && strstr(ae, "gzip") != NULL;
}

static int
entry_bundle(struct ledgerd *d, struct request *rq, uint64_t n, unsigned w,
    uint64_t size)
{
	struct ledger_txn *txn;
	const uint8_t *data;
	uint8_t hash[LEDGER_HASH_BYTES];
	size_t len, off = 0, cap = (size_t)w * 1024, glen;
	char *buf, *gz;
	unsigned i;
	int rc;

	if (n > (UINT64_MAX - w) / TILE_WIDTH || n * TILE_WIDTH + w > size)
		return http_error(rq, 404, "not-found", "no such entry bundle "
		    "in the signed tree of %llu entries",
		    (unsigned long long)size);
	if ((buf = malloc(cap)) == NULL)
		return http_error(rq, 500, "internal", "out of memory");
	if ((rc = ledger_txn_begin(d->store, 0, &txn)) != 0) {
		free(buf);
		return http_error(rq, 503, "storage", "cannot read");
	}
	for (i = 0; i < w; i++) {
		if ((rc = ledger_entry_get(txn, n * TILE_WIDTH + i, &data,
		    &len)) != 0)
			break;
		ledger_leaf_hash(data, len, hash);
		if ((rc = leaf_served(txn, n * TILE_WIDTH + i, hash)) != 0)
			break;
		if (off + 2 + len > cap) {
			char *g = realloc(buf, (cap = cap * 2 + len + 2));

			if (g == NULL) {
				rc = LEDGER_ENOMEM;
				break;
			}
			buf = g;
		}
		buf[off] = (char)(len >> 8);
		buf[off + 1] = (char)(len & 0xff);
		memcpy(buf + off + 2, data, len);
		off += 2 + len;
	}
	ledger_txn_abort(txn);
	if (rc == LEDGERD_ETAMPERED) {
		free(buf);
		return http_tampered(rq, n * TILE_WIDTH + i);
	}
	if (rc != 0) {
		free(buf);
		return http_error(rq, 500, "storage", "cannot read entries: %s",
		    ledger_strerror(rc));
	}
	if (accepts_gzip(rq) && (gz = gzip_body(buf, off, &glen)) != NULL) {
		struct MHD_Response *resp;
		enum MHD_Result ret;

		free(buf);
		resp = MHD_create_response_from_buffer(glen, gz,
		    MHD_RESPMEM_MUST_FREE);
		if (resp == NULL) {
			free(gz);
			return MHD_NO;
		}
		MHD_add_response_header(resp, "Content-Type",
		    "application/octet-stream");
		MHD_add_response_header(resp, "Content-Encoding", "gzip");
		MHD_add_response_header(resp, "Vary", "Accept-Encoding");
		MHD_add_response_header(resp, "Cache-Control", IMMUTABLE);
		/* As http_reply sets on every other answer. */
		MHD_add_response_header(resp, "X-Content-Type-Options",
		    "nosniff");
		rq->status = 200;
		ret = MHD_queue_response(rq->conn, 200, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	return http_reply(rq, 200, "application/octet-stream", buf, off,
	    IMMUTABLE);
}

static int
hash_tile(struct ledgerd *d, struct request *rq, unsigned level, uint64_t n,
    unsigned w, uint64_t size)
{
	struct ledger_txn *txn;
	uint64_t have;
	uint8_t *buf;
	unsigned i;
	int rc = 0;

	/* Hashes at tree level 8L complete within the signed tree. */
	have = 8 * level >= 64 ? 0 : size >> (8 * level);
	if (n > (UINT64_MAX - w) / TILE_WIDTH || n * TILE_WIDTH + w > have)
		return http_error(rq, 404, "not-found", "no such tile in the "
		    "signed tree of %llu entries", (unsigned long long)size);
	if ((buf = malloc((size_t)w * LEDGER_HASH_BYTES)) == NULL)
		return http_error(rq, 500, "internal", "out of memory");
	if (ledger_txn_begin(d->store, 0, &txn) != 0) {
		free(buf);
		return http_error(rq, 503, "storage", "cannot read");
	}
	for (i = 0; i < w && rc == 0; i++)
		rc = ledger_node_get(txn, 8 * level, n * TILE_WIDTH + i,
		    buf + (size_t)i * LEDGER_HASH_BYTES);
	ledger_txn_abort(txn);
	if (rc != 0) {
		free(buf);
		return http_error(rq, 500, "storage", "cannot read tree nodes: "
		    "%s", ledger_strerror(rc));
	}
	return http_reply(rq, 200, "application/octet-stream", (char *)buf,
	    (size_t)w * LEDGER_HASH_BYTES, IMMUTABLE);
}

int
route_tile(struct ledgerd *d, struct request *rq)
{
	const char *p = rq->url + strlen("/tile/");
	uint64_t n, size;
	unsigned level, w;

	served_get(d, &size, NULL, NULL, NULL);
	if (strncmp(p, "entries/", 8) == 0) {
		if (parse_nw(p + 8, &n, &w) != 0)
			return http_error(rq, 400, "tile-path", "malformed "
			    "entry bundle path (c2sp.org/tlog-tiles)");
		return entry_bundle(d, rq, n, w, size);
	}
	if (parse_dec(&p, 0, 63, &level) != 0 || *p++ != '/' ||
	    parse_nw(p, &n, &w) != 0)
		return http_error(rq, 400, "tile-path", "malformed tile path "
		    "(c2sp.org/tlog-tiles: /tile/<L>/<N>[.p/<W>])");
	return hash_tile(d, rq, level, n, w, size);
}
