/*
 * note.c - C2SP signed-note v1 and tlog-checkpoint v1 with Ed25519, the key
 * strings of both sides, and the base64/hex codecs the library shares.
 *
 * The syntax rules follow golang.org/x/mod/sumdb/note so that notes we
 * sign open there and notes it signs open here; where x/mod is lax (base64
 * padding bits, repeated signatures by one known key) we are stricter.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger/error.h"
#include "ledger/note.h"

#define ALG_ED25519	0x01
#define KEYSTR_B64	44	/* base64 chars of 0x01 || 32 bytes */
#define SIGLINE_B64	92	/* base64 chars of id || Ed25519 signature */
#define EM_DASH_SP	"\xe2\x80\x94 "	/* U+2014 and a space */
#define EM_DASH_SPLEN	4
#define SKEY_PREFIX	"PRIVATE+KEY+"
#define CHECKPOINT_MAX	(LEDGER_KEYNAME_MAX + 20 + 44 + 4)

static int
crypto_ready(void)
{
	/* Idempotent and thread safe; selects the fast implementations. */
	return sodium_init() < 0 ? LEDGER_ENOMEM : 0;
}

/*
 * Length of the UTF-8 sequence at s (at most n bytes) and its code point,
 * or 0 when it is not well formed: overlong forms, surrogates and values
 * above U+10FFFF are refused, as Go's utf8.DecodeRune does.
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Go's unicode.IsSpace: the White_Space property. */
static int
is_space(uint32_t c)
{
	switch (c) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return 1;
	}
	return c >= 0x2000 && c <= 0x200a;
}

/*
 * x/mod's isValidName, plus a refusal of control characters: a name with
 * one could never appear in a valid note, and names end up in logs.
 */
static int
keyname_check_n(const char *name, size_t n)
{
	const unsigned char *s = (const unsigned char *)name;
	uint32_t c;
	size_t i, k;

	if (n == 0 || n > LEDGER_KEYNAME_MAX)
		return LEDGER_EKEY;
	for (i = 0; i < n; i += k) {
		if ((k = utf8_decode(s + i, n - i, &c)) == 0)
			return LEDGER_EKEY;
		if (c == '+' || c < 0x20 || c == 0x7f || is_space(c))
			return LEDGER_EKEY;
	}
	return 0;
}

int
ledger_keyname_check(const char *name)
{
	if (name == NULL)
		return LEDGER_EKEY;
	return keyname_check_n(name, strnlen(name, LEDGER_KEYNAME_MAX + 1));
}

/* Valid UTF-8 without control characters other than "\n" (0x7f allowed). */
static int
text_check(const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t c;
	size_t i, k;

	for (i = 0; i < n; i += k) {
		if ((k = utf8_decode(s + i, n - i, &c)) == 0)
			return LEDGER_ENOTE;
		if (c < 0x20 && c != '\n')
			return LEDGER_ENOTE;
	}
	return 0;
}

void
ledger_key_id(const char *name, const uint8_t pk[LEDGER_PK_BYTES],
    uint8_t id[LEDGER_KEYID_BYTES])
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES];
	const uint8_t sep[2] = { '\n', ALG_ED25519 };

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, sep, sizeof(sep));
	crypto_hash_sha256_update(&st, pk, LEDGER_PK_BYTES);
	crypto_hash_sha256_final(&st, h);
	memcpy(id, h, LEDGER_KEYID_BYTES);
}

/* --- codecs --- */

int
ledger_b64_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
	if (len > SIZE_MAX / 2 ||
	    outsz < sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_ORIGINAL))
		return LEDGER_ETOOBIG;
	sodium_bin2base64(out, outsz, in, len, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

void
ledger_hash_b64(const uint8_t h[LEDGER_HASH_BYTES],
    char out[LEDGER_HASH_B64_BYTES])
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t v;
	size_t i, o = 0;

	/* 30 bytes in groups of three, then 2 bytes and one '='. */
	for (i = 0; i + 3 <= LEDGER_HASH_BYTES; i += 3) {
		v = (uint32_t)h[i] << 16 | (uint32_t)h[i + 1] << 8 | h[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	v = (uint32_t)h[i] << 16 | (uint32_t)h[i + 1] << 8;
	out[o++] = tab[v >> 18];
	out[o++] = tab[v >> 12 & 63];
	out[o++] = tab[v >> 6 & 63];
	out[o++] = '=';
	out[o] = '\0';
}

int
ledger_b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen)
{
	size_t n = 0;

	/*
	 * With no ignore set and no end pointer libsodium refuses whitespace,
	 * trailing bytes, missing or extra padding and non-zero padding bits;
	 * the length test is a cheap first guard.
	 */
	if (len % 4 != 0)
		return LEDGER_EINVAL;
	/*
	 * libsodium 1.0.18 decodes every byte >= 0x80 as '/', so a string
	 * that is not base64 could decode to valid bytes: check the alphabet.
	 */
	for (n = 0; n < len; n++)
		if (!((in[n] >= 'A' && in[n] <= 'Z') ||
		    (in[n] >= 'a' && in[n] <= 'z') ||
		    (in[n] >= '0' && in[n] <= '9') || in[n] == '+' ||
		    in[n] == '/' || in[n] == '='))
			return LEDGER_EINVAL;
	n = 0;
	if (len > 0 && sodium_base642bin(out, outsz, in, len, NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return LEDGER_EINVAL;
	if (outlen != NULL)
		*outlen = n;
	return 0;
}

/* Value of each base64 character; 0xff for every other byte, '=' too. */
static const uint8_t b64_val[256] = {
#define B64_X16 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	B64_X16, B64_X16,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,		/* ' '-'\'' */
	0xff, 0xff, 0xff, 62, 0xff, 0xff, 0xff, 63,		/* '('-'/' */
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61,			/* '0'-'9' */
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,		/* ':'-'@' */
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,		/* 'A'-'M' */
	13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,	/* 'N'-'Z' */
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff,			/* '['-'`' */
	26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,	/* 'a'-'m' */
	39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,	/* 'n'-'z' */
	0xff, 0xff, 0xff, 0xff, 0xff,				/* '{'-DEL */
	B64_X16, B64_X16, B64_X16, B64_X16,
	B64_X16, B64_X16, B64_X16, B64_X16
#undef B64_X16
};

int
ledger_b64_decode_public(const char *in, size_t len, uint8_t *out,
    size_t outsz, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t pad = 0, n, i, o = 0;
	uint8_t c0, c1, c2, c3;

	/* The same strings as ledger_b64_decode: see test_note. */
	if (len % 4 != 0)
		return LEDGER_EINVAL;
	if (len > 0 && s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	n = len / 4 * 3 - pad;
	if (n > outsz)
		return LEDGER_EINVAL;
	/* Valid values are below 64, so an OR of them is 0xff only if one is. */
	for (i = 0; i + 4 <= len - (pad ? 4 : 0); i += 4) {
		c0 = b64_val[s[i]];
		c1 = b64_val[s[i + 1]];
		c2 = b64_val[s[i + 2]];
		c3 = b64_val[s[i + 3]];
		if ((c0 | c1 | c2 | c3) == 0xff)
			return LEDGER_EINVAL;
		out[o++] = (uint8_t)(c0 << 2 | c1 >> 4);
		out[o++] = (uint8_t)(c1 << 4 | c2 >> 2);
		out[o++] = (uint8_t)(c2 << 6 | c3);
	}
	if (pad > 0) {
		/* The last group: 2 or 3 characters, then unused bits of 0. */
		c0 = b64_val[s[i]];
		c1 = b64_val[s[i + 1]];
		c2 = pad == 1 ? b64_val[s[i + 2]] : 0;
		if ((c0 | c1 | c2) == 0xff ||
		    (pad == 2 ? (c1 & 0x0f) : (c2 & 0x03)) != 0)
			return LEDGER_EINVAL;
		out[o++] = (uint8_t)(c0 << 2 | c1 >> 4);
		if (pad == 1)
			out[o++] = (uint8_t)(c1 << 4 | c2 >> 2);
	}
	if (outlen != NULL)
		*outlen = o;
	return 0;
}

void
ledger_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2*len digits at in; both cases accepted. */
static int
hex_decode_n(const char *in, uint8_t *out, size_t len)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if ((hi = hex_digit(in[2 * i])) < 0 ||
		    (lo = hex_digit(in[2 * i + 1])) < 0)
			return LEDGER_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
ledger_hex_decode(const char *in, uint8_t *out, size_t len)
{
	/* The string must end right after the digits: no trailing junk. */
	if (in == NULL || strnlen(in, 2 * len + 1) != 2 * len)
		return LEDGER_EINVAL;
	return hex_decode_n(in, out, len);
}

/* --- keys --- */

int
ledger_seckey_from_seed(const char *name, const uint8_t seed[32],
    struct ledger_seckey *k)
{
	size_t n;

	if (name == NULL || k == NULL || ledger_keyname_check(name) != 0)
		return LEDGER_EKEY;
	if (crypto_ready() != 0)
		return LEDGER_ENOMEM;
	memset(k, 0, sizeof(*k));
	n = strlen(name);
	memcpy(k->pub.name, name, n + 1);
	crypto_sign_seed_keypair(k->pub.pk, k->sk, seed);
	ledger_key_id(k->pub.name, k->pub.pk, k->pub.id);
	return 0;
}

int
ledger_seckey_generate(const char *name, struct ledger_seckey *k)
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	int rc;

	if (crypto_ready() != 0)
		return LEDGER_ENOMEM;
	randombytes_buf(seed, sizeof(seed));
	rc = ledger_seckey_from_seed(name, seed, k);
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

void
ledger_seckey_wipe(struct ledger_seckey *k)
{
	if (k != NULL)
		sodium_memzero(k, sizeof(*k));
}

/*
 * Split "<name>+<8 hex>+<base64(0x01 || 32 bytes)>" as x/mod does: on the
 * first two '+' (base64 may hold more).  key gets the 32 bytes after the
 * type byte; the caller wipes it when it is a seed.
 */
static int
keystr_split(const char *s, char name[LEDGER_KEYNAME_MAX + 1],
    uint8_t id[LEDGER_KEYID_BYTES], uint8_t key[32])
{
	uint8_t raw[48];
	const char *p, *q;
	size_t n, len;
	int rc = LEDGER_EKEY;

	if ((p = strchr(s, '+')) == NULL || (q = strchr(p + 1, '+')) == NULL)
		return LEDGER_EKEY;
	n = (size_t)(p - s);
	if (keyname_check_n(s, n) != 0 || q - p - 1 != 2 * LEDGER_KEYID_BYTES ||
	    hex_decode_n(p + 1, id, LEDGER_KEYID_BYTES) != 0)
		return LEDGER_EKEY;
	if (ledger_b64_decode(q + 1, strlen(q + 1), raw, sizeof(raw),
	    &len) != 0 || len != 33 || raw[0] != ALG_ED25519)
		goto wipe;
	memcpy(name, s, n);
	name[n] = '\0';
	memcpy(key, raw + 1, 32);
	rc = 0;
wipe:
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

int
ledger_vkey_parse(const char *s, struct ledger_pubkey *k)
{
	struct ledger_pubkey t;
	uint8_t id[LEDGER_KEYID_BYTES];

	if (s == NULL || k == NULL || strnlen(s, LEDGER_VKEY_MAX) >=
	    LEDGER_VKEY_MAX)
		return LEDGER_EKEY;
	memset(&t, 0, sizeof(t));
	if (keystr_split(s, t.name, t.id, t.pk) != 0)
		return LEDGER_EKEY;
	ledger_key_id(t.name, t.pk, id);
	if (memcmp(id, t.id, sizeof(id)) != 0)
		return LEDGER_EKEY;
	*k = t;
	return 0;
}

static int
keystr_format(const char *prefix, const char *name,
    const uint8_t id[LEDGER_KEYID_BYTES], const uint8_t key[32], char *out,
    size_t outsz)
{
	uint8_t raw[33];
	char hex[2 * LEDGER_KEYID_BYTES + 1], b64[KEYSTR_B64 + 1];
	int n, rc = 0;

	if (ledger_keyname_check(name) != 0)
		return LEDGER_EKEY;
	raw[0] = ALG_ED25519;
	memcpy(raw + 1, key, 32);
	ledger_b64_encode(raw, sizeof(raw), b64, sizeof(b64));
	ledger_hex_encode(id, LEDGER_KEYID_BYTES, hex);
	n = snprintf(out, outsz, "%s%s+%s+%s", prefix, name, hex, b64);
	if (n < 0 || (size_t)n >= outsz) {
		if (outsz > 0)
			sodium_memzero(out, outsz);
		rc = LEDGER_ETOOBIG;
	}
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(b64, sizeof(b64));
	return rc;
}

int
ledger_vkey_format(const struct ledger_pubkey *k, char *out, size_t outsz)
{
	if (k == NULL || out == NULL)
		return LEDGER_EINVAL;
	return keystr_format("", k->name, k->id, k->pk, out, outsz);
}

int
ledger_skey_parse(const char *s, struct ledger_seckey *k)
{
	char name[LEDGER_KEYNAME_MAX + 1];
	uint8_t id[LEDGER_KEYID_BYTES], seed[32];
	int rc;

	if (s == NULL || k == NULL || strnlen(s, LEDGER_SKEY_MAX) >=
	    LEDGER_SKEY_MAX || strncmp(s, SKEY_PREFIX, strlen(SKEY_PREFIX)) != 0)
		return LEDGER_EKEY;
	if ((rc = keystr_split(s + strlen(SKEY_PREFIX), name, id, seed)) != 0)
		goto wipe;
	if ((rc = ledger_seckey_from_seed(name, seed, k)) != 0)
		goto wipe;
	/* The id is over the public key, which only the seed gives. */
	if (memcmp(id, k->pub.id, sizeof(id)) != 0) {
		ledger_seckey_wipe(k);
		rc = LEDGER_EKEY;
	}
wipe:
	sodium_memzero(seed, sizeof(seed));
	return rc == 0 ? 0 : LEDGER_EKEY;
}

int
ledger_skey_format(const struct ledger_seckey *k, char *out, size_t outsz)
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	int rc;

	if (k == NULL || out == NULL)
		return LEDGER_EINVAL;
	crypto_sign_ed25519_sk_to_seed(seed, k->sk);
	rc = keystr_format(SKEY_PREFIX, k->pub.name, k->pub.id, seed, out,
	    outsz);
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

/* --- notes --- */

int
ledger_note_sign(const struct ledger_seckey *k, const char *text,
    size_t textlen, char *out, size_t outsz, size_t *outlen)
{
	uint8_t sig[LEDGER_KEYID_BYTES + LEDGER_SIG_BYTES];
	char b64[SIGLINE_B64 + 1];
	size_t namelen, total, off;

	if (k == NULL || text == NULL || out == NULL)
		return LEDGER_EINVAL;
	if (ledger_keyname_check(k->pub.name) != 0)
		return LEDGER_EKEY;
	if (textlen == 0 || text[textlen - 1] != '\n' ||
	    text_check(text, textlen) != 0)
		return LEDGER_ENOTE;
	namelen = strlen(k->pub.name);
	if (textlen > LEDGER_NOTE_MAX)
		return LEDGER_ETOOBIG;
	total = textlen + 1 + EM_DASH_SPLEN + namelen + 1 + SIGLINE_B64 + 1;
	/* Never make a note we would refuse to open. */
	if (total > LEDGER_NOTE_MAX || total >= outsz)
		return LEDGER_ETOOBIG;
	if (crypto_ready() != 0)
		return LEDGER_ENOMEM;

	memcpy(sig, k->pub.id, LEDGER_KEYID_BYTES);
	crypto_sign_detached(sig + LEDGER_KEYID_BYTES, NULL,
	    (const uint8_t *)text, textlen, k->sk);
	ledger_b64_encode(sig, sizeof(sig), b64, sizeof(b64));

	/* Signed first, so out may be text itself. */
	memmove(out, text, textlen);
	off = textlen;
	out[off++] = '\n';
	memcpy(out + off, EM_DASH_SP, EM_DASH_SPLEN);
	off += EM_DASH_SPLEN;
	memcpy(out + off, k->pub.name, namelen);
	off += namelen;
	out[off++] = ' ';
	memcpy(out + off, b64, SIGLINE_B64);
	off += SIGLINE_B64;
	out[off++] = '\n';
	out[off] = '\0';
	if (outlen != NULL)
		*outlen = off;
	return 0;
}

static const struct ledger_pubkey *
key_find(const struct ledger_pubkey *keys, size_t nkeys, const char *name,
    size_t namelen, const uint8_t id[LEDGER_KEYID_BYTES])
{
	size_t i;

	for (i = 0; i < nkeys; i++) {
		if (strlen(keys[i].name) == namelen &&
		    memcmp(keys[i].name, name, namelen) == 0 &&
		    memcmp(keys[i].id, id, LEDGER_KEYID_BYTES) == 0)
			return &keys[i];
	}
	return NULL;
}

int
ledger_note_open(const char *msg, size_t len,
    const struct ledger_pubkey *keys, size_t nkeys, size_t *textlen)
{
	uint8_t sig[LEDGER_NOTE_MAX / 4 * 3];
	const struct ledger_pubkey *k;
	const char *line, *end, *eol, *name, *sp;
	size_t split, siglen, nsig = 0, verified = 0;
	int bad = 0;

	if (msg == NULL || (keys == NULL && nkeys > 0))
		return LEDGER_EINVAL;
	if (len > LEDGER_NOTE_MAX)
		return LEDGER_ETOOBIG;
	if (text_check(msg, len) != 0 || len < 2)
		return LEDGER_ENOTE;
	for (split = len - 1; split > 0; split--)
		if (msg[split - 1] == '\n' && msg[split] == '\n')
			break;
	if (split == 0)
		return LEDGER_ENOTE;
	/* text = msg[0, split), signature lines = msg[split + 1, len). */
	line = msg + split + 1;
	end = msg + len;
	if (line == end || end[-1] != '\n')
		return LEDGER_ENOTE;

	for (; line < end; line = eol + 1) {
		/* Found: the block ends in "\n". */
		eol = memchr(line, '\n', (size_t)(end - line));
		if (++nsig > LEDGER_NOTE_SIGS_MAX)
			return LEDGER_ENOTE;
		if (eol - line < EM_DASH_SPLEN ||
		    memcmp(line, EM_DASH_SP, EM_DASH_SPLEN) != 0)
			return LEDGER_ENOTE;
		name = line + EM_DASH_SPLEN;
		if ((sp = memchr(name, ' ', (size_t)(eol - name))) == NULL ||
		    sp + 1 == eol ||
		    keyname_check_n(name, (size_t)(sp - name)) != 0 ||
		    ledger_b64_decode_public(sp + 1, (size_t)(eol - sp - 1),
		    sig, sizeof(sig), &siglen) != 0 || siglen < 5)
			return LEDGER_ENOTE;
		k = key_find(keys, nkeys, name, (size_t)(sp - name), sig);
		if (k == NULL || bad)
			continue;
		/*
		 * Every line by a known key must verify, repeats included
		 * (x/mod checks only the first of a repeated key).
		 */
		if (siglen != LEDGER_KEYID_BYTES + LEDGER_SIG_BYTES ||
		    crypto_sign_verify_detached(sig + LEDGER_KEYID_BYTES,
		    (const uint8_t *)msg, split, k->pk) != 0)
			bad = 1;
		else
			verified++;
	}
	if (bad || verified == 0)
		return LEDGER_ESIG;
	if (textlen != NULL)
		*textlen = split;
	return 0;
}

/* --- checkpoints --- */

int
ledger_checkpoint_format(const struct ledger_checkpoint *c, char *out,
    size_t outsz, size_t *outlen)
{
	char b64[45];
	int n;

	if (c == NULL || out == NULL)
		return LEDGER_EINVAL;
	if (ledger_keyname_check(c->origin) != 0)
		return LEDGER_ENOTE;
	ledger_b64_encode(c->root, LEDGER_HASH_BYTES, b64, sizeof(b64));
	n = snprintf(out, outsz, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size,
	    b64);
	if (n < 0 || (size_t)n >= outsz)
		return LEDGER_ETOOBIG;
	if (outlen != NULL)
		*outlen = (size_t)n;
	return 0;
}

/* Decimal, no sign, no leading zeros, fits 64 bits. */
static int
parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (s[0] == '0' && n > 1))
		return LEDGER_ENOTE;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
			return LEDGER_ENOTE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
ledger_checkpoint_parse(const char *text, size_t len,
    struct ledger_checkpoint *c)
{
	struct ledger_checkpoint t;
	const char *line[3] = { NULL, NULL, NULL }, *p, *end, *eol;
	size_t linelen[3] = { 0, 0, 0 }, n;
	int i;

	if (text == NULL || c == NULL)
		return LEDGER_EINVAL;
	if (len > LEDGER_NOTE_MAX)
		return LEDGER_ETOOBIG;
	if (len == 0 || text[len - 1] != '\n' || text_check(text, len) != 0)
		return LEDGER_ENOTE;
	end = text + len;
	/* Every line is non-empty, extension lines included. */
	for (p = text, i = 0; p < end; p = eol + 1, i++) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == p)
			return LEDGER_ENOTE;
		if (i < 3) {
			line[i] = p;
			linelen[i] = (size_t)(eol - p);
		}
	}
	if (i < 3)
		return LEDGER_ENOTE;

	memset(&t, 0, sizeof(t));
	if (keyname_check_n(line[0], linelen[0]) != 0)
		return LEDGER_ENOTE;
	memcpy(t.origin, line[0], linelen[0]);
	if (parse_size(line[1], linelen[1], &t.size) != 0)
		return LEDGER_ENOTE;
	if (linelen[2] != 44 || ledger_b64_decode_public(line[2], linelen[2],
	    t.root, sizeof(t.root), &n) != 0 || n != LEDGER_HASH_BYTES)
		return LEDGER_ENOTE;
	*c = t;
	return 0;
}

int
ledger_checkpoint_sign(const struct ledger_seckey *k,
    const struct ledger_checkpoint *c, char *out, size_t outsz,
    size_t *outlen)
{
	char body[CHECKPOINT_MAX];
	size_t n;
	int rc;

	if (k == NULL || c == NULL || out == NULL)
		return LEDGER_EINVAL;
	if ((rc = ledger_checkpoint_format(c, body, sizeof(body), &n)) != 0)
		return rc;
	return ledger_note_sign(k, body, n, out, outsz, outlen);
}

int
ledger_checkpoint_open(const char *msg, size_t len,
    const struct ledger_pubkey *k, struct ledger_checkpoint *c)
{
	struct ledger_checkpoint t;
	size_t textlen;
	int rc;

	if (msg == NULL || k == NULL || c == NULL)
		return LEDGER_EINVAL;
	if ((rc = ledger_note_open(msg, len, k, 1, &textlen)) != 0)
		return rc;
	if ((rc = ledger_checkpoint_parse(msg, textlen, &t)) != 0)
		return rc;
	if (strcmp(t.origin, k->name) != 0)
		return LEDGER_ENOTE;
	*c = t;
	return 0;
}
