/*
 * jbuf.c - a growable output buffer for responses.
 *
 * Read routes copy stored leaves into responses verbatim: a leaf is
 * canonical JSON already, so "leaf":<bytes> is valid JSON and needs no
 * parse or re-serialization.  That keeps GET /v1/entries, queries and
 * receipts at memcpy cost per entry.  Errors are sticky: after a failed
 * allocation every call is a no-op and jbuf_take returns NULL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledgerd.h"

#define JBUF_MAX	(64u * 1024 * 1024)	/* bytes of one response */

void
jbuf_init(struct jbuf *b, size_t hint)
{
	b->len = 0;
	b->cap = hint < 256 ? 256 : hint;
	b->p = malloc(b->cap);
}

static int
grow(struct jbuf *b, size_t more)
{
	size_t cap;
	char *g;

	if (b->p == NULL)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	if (b->len + more + 1 > JBUF_MAX) {
		free(b->p);
		b->p = NULL;
		return -1;
	}
	for (cap = b->cap; cap < b->len + more + 1; cap *= 2)
		;
	if ((g = realloc(b->p, cap)) == NULL) {
		free(b->p);
		b->p = NULL;
		return -1;
	}
	b->p = g;
	b->cap = cap;
	return 0;
}

void
jbuf_add(struct jbuf *b, const void *data, size_t len)
{
	if (grow(b, len) != 0)
		return;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
jbuf_addf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->p == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		free(b->p);
		b->p = NULL;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (grow(b, (size_t)n) != 0)
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/*
 * A signed note as a JSON string, escaped as jansson escapes it (short
 * forms for \b \f \n \r \t, \u00XX for other control bytes, UTF-8
 * verbatim), in runs between escapes.  -1 if s is not UTF-8, which jansson
 * refused too: a signed note always is.
 */
int
jbuf_note(struct jbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, run = 0, k, n;

	JBUF_LIT(b, "\"");
	for (i = 0; i < len; i += n) {
		unsigned char c = (unsigned char)s[i];
		char e[6] = { '\\', 'u', '0', '0', 0, 0 };

		n = 1;
		if (c >= 0x80) {
			uint32_t cp, min;

			if (c >= 0xc2 && c <= 0xdf)
				n = 2, cp = c & 0x1f, min = 0x80;
			else if (c >= 0xe0 && c <= 0xef)
				n = 3, cp = c & 0x0f, min = 0x800;
			else if (c >= 0xf0 && c <= 0xf4)
				n = 4, cp = c & 0x07, min = 0x10000;
			else
				return -1;
			if (len - i < n)
				return -1;
			for (k = 1; k < n; k++) {
				if (((unsigned char)s[i + k] & 0xc0) != 0x80)
					return -1;
				cp = cp << 6 | ((unsigned char)s[i + k] & 0x3f);
			}
			if (cp < min || cp > 0x10ffff ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				return -1;
			run += n;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		jbuf_add(b, s + i - run, run);
		run = 0;
		switch (c) {
		case '"':  JBUF_LIT(b, "\\\""); break;
		case '\\': JBUF_LIT(b, "\\\\"); break;
		case '\b': JBUF_LIT(b, "\\b"); break;
		case '\f': JBUF_LIT(b, "\\f"); break;
		case '\n': JBUF_LIT(b, "\\n"); break;
		case '\r': JBUF_LIT(b, "\\r"); break;
		case '\t': JBUF_LIT(b, "\\t"); break;
		default:
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			jbuf_add(b, e, sizeof(e));
		}
	}
	jbuf_add(b, s + len - run, run);
	JBUF_LIT(b, "\"");
	return 0;
}

void
jbuf_hashes(struct jbuf *b, uint8_t h[][LEDGER_HASH_BYTES], size_t n)
{
	char q[LEDGER_HASH_B64_BYTES + 1];	/* "b64" */
	size_t i;

	jbuf_add(b, "[", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			jbuf_add(b, ",", 1);
		q[0] = '"';
		ledger_hash_b64(h[i], q + 1);
		q[LEDGER_HASH_B64_BYTES] = '"';	/* over the NUL */
		jbuf_add(b, q, sizeof(q));
	}
	jbuf_add(b, "]", 1);
}

/* {"seq":N,"leaf_hash":"hex","leaf":<stored bytes>} of a stored entry. */
int
jbuf_entry(struct jbuf *b, struct ledger_txn *txn, uint64_t seq)
{
	const uint8_t *data;
	uint8_t hash[LEDGER_HASH_BYTES];
	char hex[2 * LEDGER_HASH_BYTES + 1];
	size_t len;
	int rc;

	if ((rc = ledger_entry_get(txn, seq, &data, &len)) != 0)
		return rc;
	ledger_leaf_hash(data, len, hash);
	if ((rc = leaf_served(txn, seq, hash)) != 0)
		return rc;
	ledger_hex_encode(hash, LEDGER_HASH_BYTES, hex);
	jbuf_addf(b, "{\"seq\":%llu,\"leaf_hash\":\"%s\",\"leaf\":",
	    (unsigned long long)seq, hex);
	jbuf_add(b, data, len);
	jbuf_add(b, "}", 1);
	return b->p == NULL ? LEDGER_ENOMEM : 0;
}

char *
jbuf_take(struct jbuf *b, size_t *len)
{
	char *p = b->p;

	*len = b->len;
	b->p = NULL;
	return p;
}

void
jbuf_free(struct jbuf *b)
{
	free(b->p);
	b->p = NULL;
}
