/*
 * source.c - the leaves of a ledger, in seq order, from its LMDB store
 * (-d DIR, read-only, safe while ledgerd runs) or from a server's public
 * read API (--url: /checkpoint, then C2SP entry bundles), for export and
 * online verify; and C2SP hash tiles for online verify.
 *
 * Both sources stop at the size of the latest signed checkpoint, so an
 * export holds exactly what a verifier can check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/store.h"
#include "ledgerctl.h"

#define TILE_W		256	/* entries or hashes per full tile */
#define RENEW_EVERY	10000	/* entries per LMDB read snapshot */

void
tile_path(char *out, size_t outsz, const char *prefix, uint64_t n,
    unsigned w)
{
	char groups[8][4];
	size_t off;
	int k = 0, i;

	do {
		snprintf(groups[k++], sizeof(groups[0]), "%03u",
		    (unsigned)(n % 1000));
		n /= 1000;
	} while (n > 0 && k < 8);
	off = (size_t)snprintf(out, outsz, "%s", prefix);
	for (i = k - 1; i >= 0 && off < outsz; i--)
		off += (size_t)snprintf(out + off, outsz - off, "%s%s%s",
		    i > 0 ? "x" : "", groups[i], i > 0 ? "/" : "");
	if (w < TILE_W && off < outsz)
		snprintf(out + off, outsz - off, ".p/%u", w);
}

int
source_open(struct source *s, const char *dir, const char *url,
    const struct ledger_pubkey *k, char *note_out, size_t notesz)
{
	struct ledger_checkpoint c;
	const char *note;
	size_t len, tl;
	int rc;

	memset(s, 0, sizeof(*s));
	s->url = url;
	if (url != NULL) {
		if ((rc = fetch_checkpoint(url, k, &c, note_out, notesz)) != 0)
			return rc;
		snprintf(s->origin, sizeof(s->origin), "%s", c.origin);
		s->end = c.size;
		return 0;
	}
	if ((rc = ledger_store_open(dir, LEDGER_STORE_RDONLY, 0, &s->st)) != 0)
		return fail(EXIT_IO, "cannot open the ledger in %s: %s%s%s", dir,
		    ledger_strerror(rc), rc == LEDGER_EIO ? ": " : "",
		    rc == LEDGER_EIO ? strerror(errno) : "");
	if ((rc = ledger_txn_begin(s->st, 0, &s->txn)) != 0 ||
	    (rc = ledger_meta_origin(s->txn, s->origin,
	    sizeof(s->origin))) != 0)
		goto fail;
	rc = ledger_ckpt_latest(s->txn, &s->end, &note, &len);
	if (rc == LEDGER_ENOTFOUND) {
		s->end = 0;
		return 0;
	}
	/* The size must be the note's, not only the key it is filed under. */
	if (rc == 0 && ((tl = note_text_len(note, len)) == 0 ||
	    ledger_checkpoint_parse(note, tl, &c) != 0 || c.size != s->end))
		rc = LEDGER_ENOTE;
	if (rc == 0)
		return 0;
fail:
	source_close(s);
	return fail(EXIT_IO, "cannot read the ledger in %s: %s (try "
	    "\"ledgerctl verify -d %s\")", dir, ledger_strerror(rc), dir);
}

void
source_close(struct source *s)
{
	if (s->txn != NULL)
		ledger_txn_abort(s->txn);
	if (s->st != NULL)
		ledger_store_close(s->st);
	net_resp_free(&s->bundle);
	s->txn = NULL;
	s->st = NULL;
}

int
source_rewind(struct source *s)
{
	int rc;

	s->next = 0;
	net_resp_free(&s->bundle);
	s->boff = s->bcount = 0;
	if (s->txn != NULL && (rc = ledger_txn_renew(s->txn)) != 0)
		return fail(EXIT_IO, "cannot read the ledger: %s",
		    ledger_strerror(rc));
	return 0;
}

/* Fetch the entry bundle holding s->next. */
static int
next_bundle(struct source *s)
{
	uint64_t n = s->next / TILE_W;
	unsigned w = s->end - n * TILE_W >= TILE_W ? TILE_W :
	    (unsigned)(s->end - n * TILE_W);
	char path[128];
	int rc;

	net_resp_free(&s->bundle);
	s->boff = s->bcount = 0;
	tile_path(path, sizeof(path), "/tile/entries/", n, w);
	if ((rc = net_get(s->url, path, &s->bundle)) != 0)
		return rc;
	if (s->bundle.status != 200) {
		snprintf(s->why, sizeof(s->why), "GET %s: HTTP status %ld",
		    path, s->bundle.status);
		return EXIT_VERIFY;
	}
	s->bw = w;
	return 0;
}

int
source_next(struct source *s, uint64_t *seq, const uint8_t **data,
    size_t *len)
{
	const uint8_t *b;
	size_t n;
	int rc;

	*data = NULL;
	s->why[0] = '\0';
	if (s->next >= s->end)
		return 0;
	*seq = s->next;
	if (s->txn != NULL) {
		if (s->next > 0 && s->next % RENEW_EVERY == 0 &&
		    (rc = ledger_txn_renew(s->txn)) != 0)
			return fail(EXIT_IO, "cannot read the ledger: %s",
			    ledger_strerror(rc));
		rc = ledger_entry_get(s->txn, s->next, data, len);
		if (rc == LEDGER_ENOTFOUND) {
			snprintf(s->why, sizeof(s->why), "entry %llu is "
			    "missing from the store",
			    (unsigned long long)s->next);
			return EXIT_VERIFY;
		}
		if (rc != 0)
			return fail(EXIT_IO, "cannot read entry %llu: %s",
			    (unsigned long long)s->next, ledger_strerror(rc));
		s->next++;
		return 0;
	}
	if (s->next % TILE_W == 0 && (rc = next_bundle(s)) != 0)
		return rc;
	/* uint16 big-endian length || leaf bytes, bw of them exactly. */
	b = (const uint8_t *)s->bundle.body;
	if (s->boff + 2 > s->bundle.len ||
	    (n = (size_t)b[s->boff] << 8 | b[s->boff + 1]) >
	    s->bundle.len - s->boff - 2) {
		snprintf(s->why, sizeof(s->why), "entry bundle %llu ends "
		    "inside entry %llu (%zu bytes for %u entries)",
		    (unsigned long long)(s->next / TILE_W),
		    (unsigned long long)s->next, s->bundle.len, s->bw);
		return EXIT_VERIFY;
	}
	*data = b + s->boff + 2;
	*len = n;
	s->boff += 2 + n;
	s->bcount++;
	if (s->bcount == s->bw && s->boff != s->bundle.len) {
		snprintf(s->why, sizeof(s->why), "entry bundle %llu has "
		    "bytes after its %u entries",
		    (unsigned long long)(s->next / TILE_W), s->bw);
		*data = NULL;
		return EXIT_VERIFY;
	}
	s->next++;
	return 0;
}

int
fetch_tile(const char *url, unsigned level, uint64_t n, unsigned w,
    uint8_t *out)
{
	struct http_resp r;
	char path[128], prefix[32];
	int rc;

	snprintf(prefix, sizeof(prefix), "/tile/%u/", level);
	tile_path(path, sizeof(path), prefix, n, w);
	if ((rc = net_get(url, path, &r)) != 0)
		return LEDGER_EIO;
	if (r.status == 404 || (r.status == 200 &&
	    r.len != (size_t)w * LEDGER_HASH_BYTES))
		rc = LEDGER_ENOTFOUND;
	else if (r.status != 200) {
		fail(EXIT_IO, "GET %s: HTTP status %ld", path, r.status);
		rc = LEDGER_EIO;
	} else
		memcpy(out, r.body, r.len);
	net_resp_free(&r);
	return rc;
}
