/*
 * canon.c - canonical JSON (DESIGN 3.1): our own strict parser, a check of
 * trees built in memory, and the RFC 8785 serialization of the subset.
 *
 * The parser enforces the subset while it reads, so a refusal names the
 * first offending place in document order.  Strings are decoded into one
 * fixed buffer per parse; nothing is allocated per character.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/canon.h"
#include "ledger/limits.h"

/*
 * One container the parser is in: the member or element it is reading,
 * while active.  Kept instead of a path string, which every member and
 * element would have to extend; the path is written only for an error.
 */
struct frame {
	const char	*key;		/* object: the member's key */
	size_t		 klen;
	size_t		 index;		/* array: the element's index */
	unsigned char	 isobj, active;
};

/* Where we are in the document, for error paths. */
struct walk {
	struct ledger_err *err;
	size_t	 plen;		/* logical length; may exceed path[] */
	char	 path[LEDGER_ERR_PATH_MAX];
	/* The parser's frames 1.., up to the first inactive; NULL: path[]. */
	const struct frame *fr;
};

struct parser {
	struct walk	 w;
	int		 exact;	/* input must be byte-for-byte canonical */
	const char	*mark;	/* top-level member whose end to record */
	size_t		 mark_end;
	const unsigned char *start, *p, *end;
	size_t		 slen;	/* bytes decoded into s[] */
	/*
	 * fr[d]: the container at depth d.  Only the frames of the open
	 * containers and the one after them are kept current; the path is
	 * frames 1.. up to the first inactive one.
	 */
	struct frame	 fr[LEDGER_JSON_MAX_DEPTH + 2];
	/* Room for one more 4-byte sequence past the limit, and a NUL. */
	unsigned char	 s[LEDGER_JSON_MAX_STRING + 8];
};

#define MSG_FLOAT	"numbers must be integers (amounts in minor units, " \
	"e.g. fen); fractions, exponents and floats are not allowed"
#define MSG_RANGE	"integer is outside +-(2^53-1); larger values cannot " \
	"be represented exactly and must be sent as strings"
#define MSG_CONTROL	"strings must not contain control characters other " \
	"than TAB, LF and CR"
#define MSG_EXACT	"bytes are not in canonical form"

static void path_of_frames(struct walk *);

static int __attribute__((format(printf, 4, 5)))
walk_fail(struct walk *w, int code, const char *rule, const char *fmt, ...)
{
	char msg[LEDGER_ERR_MSG_MAX], path[LEDGER_ERR_PATH_MAX];
	va_list ap;
	size_t n;

	if (w->err == NULL)
		return code;
	if (w->fr != NULL)
		path_of_frames(w);
	n = w->plen < sizeof(path) - 1 ? w->plen : sizeof(path) - 1;
	memcpy(path, w->path, n);
	path[n] = '\0';
	/* A cut path must not pass for a real one. */
	if (w->plen > n)
		memcpy(path + n - 3, "...", 3);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ledger_errf(w->err, code, path, rule, "%s", msg);
}

static void
path_put(struct walk *w, const char *s, size_t n)
{
	size_t room;

	if (w->plen < sizeof(w->path) - 1) {
		room = sizeof(w->path) - 1 - w->plen;
		memcpy(w->path + w->plen, s, n < room ? n : room);
	}
	w->plen += n;
}

/*
 * Descend; the caller restores w->plen to go back up.  Keys reaching the
 * path are valid keys, so paths stay plain ASCII.
 */
static void
path_member(struct walk *w, const char *key, size_t klen)
{
	if (w->plen > 0)
		path_put(w, ".", 1);
	path_put(w, key, klen);
}

/* Digits by hand: snprintf here cost more than parsing the element. */
static void
path_index(struct walk *w, size_t i)
{
	char buf[32];
	size_t n = sizeof(buf);

	buf[--n] = ']';
	do
		buf[--n] = (char)('0' + i % 10);
	while ((i /= 10) > 0);
	buf[--n] = '[';
	path_put(w, buf + n, sizeof(buf) - n);
}

/* The parser's place, written out as the tree check writes it. */
static void
path_of_frames(struct walk *w)
{
	const struct frame *f;

	w->plen = 0;
	for (f = w->fr + 1; f->active; f++) {
		if (f->isobj)
			path_member(w, f->key, f->klen);
		else
			path_index(w, f->index);
	}
}

/*
 * Length of the well-formed UTF-8 sequence at s (Unicode 15 table 3-7:
 * no overlongs, no surrogates, nothing above U+10FFFF), or 0.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	len = s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 :
	    s[0] < 0xf5 ? 4 : 0;
	if (s[0] == 0xe0 || s[0] == 0xf0)	/* overlong */
		lo = s[0] == 0xe0 ? 0xa0 : 0x90;
	if (s[0] == 0xed || s[0] == 0xf4)	/* surrogate, > U+10FFFF */
		hi = s[0] == 0xed ? 0x9f : 0x8f;
	if (len == 0 || n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static int
is_control(uint32_t c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

/* Quote an arbitrary byte string as printable ASCII for a message. */
static const char *
preview(char *out, size_t outsz, const unsigned char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 8 < outsz; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			out[o++] = (char)s[i];
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x",
			    s[i]);
	}
	if (i < n)
		o += (size_t)snprintf(out + o, outsz - o, "...");
	out[o] = '\0';
	return out;
}

/* A key's bytes: an ASCII letter first, then letters, digits or '_'. */
static inline int
key_byte(unsigned char c, int first)
{
	if ((unsigned char)((c | 0x20) - 'a') < 26)
		return 1;
	return !first && ((unsigned char)(c - '0') < 10 || c == '_');
}

static int
check_key(struct walk *w, const unsigned char *k, size_t n)
{
	char pv[48];
	size_t i;
	int ok;

	ok = n >= 1 && n <= LEDGER_JSON_MAX_KEY && key_byte(k[0], 1);
	for (i = 1; ok && i < n; i++)
		ok = key_byte(k[i], 0);
	if (ok)
		return 0;
	return walk_fail(w, LEDGER_ECANON, "bad-key", "object key \"%s\" is "
	    "not allowed; keys are 1-%d ASCII letters, digits or '_', "
	    "starting with a letter", preview(pv, sizeof(pv), k, n),
	    LEDGER_JSON_MAX_KEY);
}

/* The string rules for bytes already in memory (tree check). */
static int
check_string(struct walk *w, const unsigned char *s, size_t n)
{
	size_t i, k;

	if (n > LEDGER_JSON_MAX_STRING)
		return walk_fail(w, LEDGER_ETOOBIG, "string-size", "string "
		    "is %zu bytes, over the limit of %d", n,
		    LEDGER_JSON_MAX_STRING);
	for (i = 0; i < n; i += k) {
		if ((k = utf8_seq(s + i, n - i)) == 0)
			return walk_fail(w, LEDGER_ECANON, "utf8", "string "
			    "is not valid UTF-8 at byte %zu", i);
		if (is_control(s[i]))
			return walk_fail(w, LEDGER_ECANON, "control-char",
			    MSG_CONTROL " (found U+%04X)", s[i]);
	}
	return 0;
}

/* ---- parser ---- */

static int
syntax(struct parser *ps, const char *what)
{
	return walk_fail(&ps->w, LEDGER_EJSON, "syntax", "%s at byte %zu",
	    what, (size_t)(ps->p - ps->start));
}

/* Refusal of exact mode: valid JSON, but not the canonical bytes. */
static int
not_exact(struct parser *ps, const char *what)
{
	return walk_fail(&ps->w, LEDGER_ECANON, "not-canonical",
	    MSG_EXACT " (%s at byte %zu)", what,
	    (size_t)(ps->p - ps->start));
}

static int
skip_ws_slow(struct parser *ps)
{
	const unsigned char *p = ps->p;

	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	    *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
	if (ps->exact && ps->p != p) {
		ps->p = p;
		return not_exact(ps, "whitespace");
	}
	return 0;
}

/*
 * Skip white space, which exact mode refuses.  White space is all at or
 * below ' ', so most calls, at a value, key or delimiter, end at once.
 */
static inline int
skip_ws(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p > ' ')
		return 0;
	return skip_ws_slow(ps);
}

static int
hex4(const unsigned char *p, const unsigned char *end, uint32_t *v)
{
	int i, c;

	for (*v = 0, i = 0; i < 4; i++) {
		if (end - p <= i)
			return -1;
		if ((c = p[i]) >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		*v = *v << 4 | (uint32_t)c;
	}
	return 0;
}

/* Decode the escape at ps->p (a backslash) into a code point. */
static int
parse_escape(struct parser *ps, uint32_t *cp)
{
	const unsigned char *p = ps->p;
	uint32_t lo;

	if (ps->end - p < 2)
		return syntax(ps, "unterminated string");
	/* JCS escapes only '"', '\\' and control characters (\t \n \r here). */
	if (ps->exact && p[1] != '"' && p[1] != '\\' && p[1] != 't' &&
	    p[1] != 'n' && p[1] != 'r')
		return not_exact(ps, "needless escape");
	switch (p[1]) {
	case '"': case '\\': case '/':
		*cp = p[1];
		break;
	case 'b': *cp = '\b'; break;
	case 'f': *cp = '\f'; break;
	case 'n': *cp = '\n'; break;
	case 'r': *cp = '\r'; break;
	case 't': *cp = '\t'; break;
	case 'u':
		if (hex4(p + 2, ps->end, cp) != 0)
			return syntax(ps, "\\u must be followed by four hex "
			    "digits");
		if (*cp >= 0xdc00 && *cp <= 0xdfff)
			return walk_fail(&ps->w, LEDGER_ECANON, "utf8",
			    "unpaired low surrogate \\u%04x in string", *cp);
		if (*cp >= 0xd800 && *cp <= 0xdbff) {
			if (ps->end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
			    hex4(p + 8, ps->end, &lo) != 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return walk_fail(&ps->w, LEDGER_ECANON, "utf8",
				    "unpaired high surrogate \\u%04x in string",
				    *cp);
			*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
			ps->p += 6;
		}
		ps->p += 4;
		break;
	default:
		return syntax(ps, "invalid escape sequence in string");
	}
	ps->p += 2;
	if (is_control(*cp))
		return walk_fail(&ps->w, LEDGER_ECANON, "control-char",
		    MSG_CONTROL " (found \\u%04x)", *cp);
	return 0;
}

static size_t
utf8_put(unsigned char *o, uint32_t c)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	size_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4, i;

	if (n == 1) {
		o[0] = (unsigned char)c;
		return 1;
	}
	for (i = n - 1; i > 0; i--, c >>= 6)
		o[i] = (unsigned char)(0x80 | (c & 0x3f));
	o[0] = (unsigned char)(lead[n] | c);
	return n;
}

/*
 * Decode the string at ps->p (a quote) into ps->s.  Keys are capped at
 * LEDGER_JSON_MAX_KEY and refused as bad keys past it.
 */
static int
parse_string(struct parser *ps, int iskey)
{
	size_t limit = iskey ? LEDGER_JSON_MAX_KEY : LEDGER_JSON_MAX_STRING;
	size_t n = 0, k, room;
	const unsigned char *q, *stop;
	uint32_t cp;
	int rc;

	ps->p++;
	while (n <= limit) {
		/*
		 * A run of printable ASCII other than '"' and '\\' and of
		 * well-formed UTF-8 is copied as it is, ending at most one
		 * sequence past the limit: most of a statement's strings are
		 * such runs, and a byte at a time through the checks below
		 * was a tenth of a verifier's CPU.  The byte that ended the
		 * run is the end, a quote, a backslash, a byte below 0x20 or
		 * one that starts no well-formed sequence.
		 */
		room = limit + 1 - n;
		stop = (size_t)(ps->end - ps->p) > room ? ps->p + room :
		    ps->end;
		for (q = ps->p; q < stop; q += k) {
			if (*q >= 0x20 && *q < 0x80 && *q != '"' &&
			    *q != '\\')
				k = 1;
			else if (*q < 0x80 ||
			    (k = utf8_seq(q, (size_t)(ps->end - q))) == 0)
				break;
		}
		memcpy(ps->s + n, ps->p, (size_t)(q - ps->p));
		n += (size_t)(q - ps->p);
		ps->p = q;
		if (n > limit)
			break;
		if (ps->p == ps->end)
			return syntax(ps, "unterminated string");
		if (*ps->p == '"') {
			ps->p++;
			ps->s[n] = '\0';
			ps->slen = n;
			return 0;
		}
		if (*ps->p >= 0x80)
			return walk_fail(&ps->w, LEDGER_ECANON, "utf8",
			    "string is not valid UTF-8 at byte %zu",
			    (size_t)(ps->p - ps->start));
		if (*ps->p == '\\') {
			if ((rc = parse_escape(ps, &cp)) != 0)
				return rc;
			n += utf8_put(ps->s + n, cp);
			continue;
		}
		if (ps->exact)
			return not_exact(ps, "unescaped TAB, LF or CR");
		if (is_control(*ps->p))
			return walk_fail(&ps->w, LEDGER_ECANON, "control-char",
			    MSG_CONTROL " (found raw byte 0x%02x)", *ps->p);
		ps->s[n++] = *ps->p++;
	}
	/* Past the limit by at most one sequence: s[] has the slack. */
	if (iskey)
		return check_key(&ps->w, ps->s, n);
	return walk_fail(&ps->w, LEDGER_ETOOBIG, "string-size",
	    "string is longer than the limit of %d bytes",
	    LEDGER_JSON_MAX_STRING);
}

static const unsigned char *
digits(const unsigned char *p, const unsigned char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/*
 * Integers only.  The digit count is bounded before any arithmetic, so
 * arbitrarily long digit strings cannot overflow.
 */
static int
parse_number(struct parser *ps, json_t **out)
{
	const unsigned char *p, *d, *end = ps->end;
	uint64_t v = 0;
	int neg = *ps->p == '-';

	d = ps->p + neg;
	if ((p = digits(d, end)) == d)
		return syntax(ps, "a minus sign must be followed by digits");
	if (*d == '0' && p - d > 1)
		return syntax(ps, "numbers must not have leading zeros");
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) {
		/* Fraction and exponent: grammar first, then the subset. */
		if (*p == '.' && digits(p + 1, end) == p + 1)
			return syntax(ps, "a decimal point must be followed "
			    "by digits");
		if (*p == '.')
			p = digits(p + 1, end);
		if (p < end && (*p == 'e' || *p == 'E')) {
			p++;
			if (p < end && (*p == '+' || *p == '-'))
				p++;
			if (digits(p, end) == p)
				return syntax(ps, "an exponent must have "
				    "digits");
		}
		return walk_fail(&ps->w, LEDGER_ECANON, "float", MSG_FLOAT);
	}
	/* 2^53-1 has 16 digits; leading zeros were refused above. */
	if (p - d > 16)
		return walk_fail(&ps->w, LEDGER_ECANON, "int-range", MSG_RANGE);
	if (ps->exact && neg && p - d == 1 && *d == '0')
		return not_exact(ps, "-0");
	for (ps->p = p; d < p; d++)
		v = v * 10 + (uint64_t)(*d - '0');
	if (v > (uint64_t)LEDGER_JSON_MAX_INT)
		return walk_fail(&ps->w, LEDGER_ECANON, "int-range", MSG_RANGE);
	*out = json_integer(neg ? -(json_int_t)v : (json_int_t)v);
	return 0;
}

static int parse_value(struct parser *, int, json_t **);

static int
nomem(struct walk *w)
{
	return walk_fail(w, LEDGER_ENOMEM, "memory", "out of memory");
}

static int
too_deep(struct walk *w)
{
	return walk_fail(w, LEDGER_ETOOBIG, "depth", "objects and arrays "
	    "nest deeper than %d levels", LEDGER_JSON_MAX_DEPTH);
}

static int
too_many(struct walk *w, const char *what)
{
	return walk_fail(w, LEDGER_ETOOBIG, "members", "%s has more than %d "
	    "members", what, LEDGER_JSON_MAX_MEMBERS);
}

/* 1 if a[0, alen) sorts after b[0, blen) bytewise (JCS key order). */
static int
key_after(const unsigned char *a, size_t alen, const char *b, size_t blen)
{
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++)
		if (a[i] != (unsigned char)b[i])
			return a[i] > (unsigned char)b[i];
	return alen > blen;
}

/*
 * A key at ps->p (a quote) that check_key allows, written without
 * escapes, into s[]: 0.  -1 for anything else, left to parse_string and
 * check_key, which say what is wrong.  Every key of a statement is such a
 * key, and this takes it in one pass instead of two.
 */
static int
parse_plain_key(struct parser *ps)
{
	const unsigned char *k = ps->p + 1, *q = k;
	size_t n;

	if (q == ps->end || !key_byte(*q, 1))
		return -1;
	while (++q < ps->end && key_byte(*q, 0))
		;
	if (q == ps->end || *q != '"' ||
	    (n = (size_t)(q - k)) > LEDGER_JSON_MAX_KEY)
		return -1;
	memcpy(ps->s, k, n);
	ps->s[n] = '\0';
	ps->slen = n;
	ps->p = q + 1;
	return 0;
}

/*
 * A member's key and colon; the path then names the member.  key holds
 * the previous member's key (*klen bytes) when i > 0, and gets this one.
 */
static int
parse_key(struct parser *ps, struct frame *f, json_t *obj, char *key,
    size_t *klen, size_t i)
{
	int rc;

	if (ps->p == ps->end || *ps->p != '"')
		return syntax(ps, "expected a string key");
	if ((rc = parse_plain_key(ps)) < 0 &&
	    ((rc = parse_string(ps, 1)) != 0 ||
	    (rc = check_key(&ps->w, ps->s, ps->slen)) != 0))
		return rc;
	/*
	 * key still holds the previous member's key when i > 0; it keeps its
	 * own copy because the value's strings will reuse s[].
	 */
	if (ps->exact && i > 0 && !key_after(ps->s, ps->slen, key, *klen))
		return not_exact(ps, "keys not in sorted order");
	memcpy(key, ps->s, ps->slen + 1);
	*klen = ps->slen;
	f->key = key;
	f->klen = ps->slen;
	f->active = 1;
	/* Strictly ascending keys (exact) cannot repeat: no lookup needed. */
	if (!ps->exact && json_object_get(obj, key) != NULL)
		return walk_fail(&ps->w, LEDGER_ECANON, "duplicate-key", "key "
		    "\"%s\" appears more than once in the object", key);
	if ((rc = skip_ws(ps)) != 0)
		return rc;
	if (ps->p == ps->end || *ps->p != ':')
		return syntax(ps, "expected ':' after the key");
	ps->p++;
	return 0;
}

/* An object or array at ps->p; depth counts it and its ancestors. */
static int
parse_container(struct parser *ps, int depth, json_t **out)
{
	char key[LEDGER_JSON_MAX_KEY + 1];
	int isobj = *ps->p == '{', rc;
	unsigned char close = isobj ? '}' : ']';
	struct frame *f = &ps->fr[depth];
	json_t *c, *val;
	size_t i, klen = 0;

	if ((c = isobj ? json_object() : json_array()) == NULL)
		return nomem(&ps->w);
	f->isobj = (unsigned char)isobj;
	f->active = 0;
	f[1].active = 0;	/* the path ends here until a child starts */
	ps->p++;
	if ((rc = skip_ws(ps)) != 0)
		goto fail;
	if (ps->p < ps->end && *ps->p == close)
		goto done;
	for (i = 0;; i++) {
		if (i == LEDGER_JSON_MAX_MEMBERS) {
			rc = too_many(&ps->w, isobj ? "object" : "array");
			goto fail;
		}
		if (!isobj) {
			f->index = i;
			f->active = 1;
		} else if ((rc = parse_key(ps, f, c, key, &klen, i)) != 0)
			goto fail;
		if ((rc = parse_value(ps, depth, &val)) != 0)
			goto fail;
		/* depth 1 is the document's own object. */
		if (isobj && depth == 1 && ps->mark != NULL &&
		    strcmp(key, ps->mark) == 0)
			ps->mark_end = (size_t)(ps->p - ps->start);
		f->active = 0;
		if ((isobj ? json_object_setn_new_nocheck(c, key, klen, val) :
		    json_array_append_new(c, val)) != 0) {
			rc = nomem(&ps->w);
			goto fail;
		}
		if ((rc = skip_ws(ps)) != 0)
			goto fail;
		if (ps->p < ps->end && *ps->p == close)
			break;
		if (ps->p == ps->end || *ps->p != ',') {
			rc = syntax(ps, isobj ? "expected ',' or '}' in "
			    "object" : "expected ',' or ']' in array");
			goto fail;
		}
		ps->p++;
		if ((rc = skip_ws(ps)) != 0)
			goto fail;
	}
done:
	ps->p++;
	*out = c;
	return 0;
fail:
	json_decref(c);
	return rc;
}

static int
literal(struct parser *ps, const char *word, json_t *v, json_t **out)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return syntax(ps, "expected a JSON value");
	ps->p += n;
	*out = v;
	return 0;
}

/* depth counts the containers around the value. */
static int
parse_value(struct parser *ps, int depth, json_t **out)
{
	int rc;

	*out = NULL;
	if ((rc = skip_ws(ps)) != 0)
		return rc;
	if (ps->p == ps->end)
		return syntax(ps, "unexpected end of input; expected a value");
	switch (*ps->p) {
	case '{':
	case '[':
		if (depth >= LEDGER_JSON_MAX_DEPTH)
			return too_deep(&ps->w);
		return parse_container(ps, depth + 1, out);
	case '"':
		if ((rc = parse_string(ps, 0)) != 0)
			return rc;
		if ((*out = json_stringn_nocheck((const char *)ps->s,
		    ps->slen)) == NULL)
			return nomem(&ps->w);
		return 0;
	case 't':
		return literal(ps, "true", json_true(), out);
	case 'f':
		return literal(ps, "false", json_false(), out);
	case 'n':
		return literal(ps, "null", json_null(), out);
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if ((rc = parse_number(ps, out)) != 0)
			return rc;
		return *out ? 0 : nomem(&ps->w);
	default:
		return syntax(ps, "expected a JSON value");
	}
}

static int
parse_doc(const char *buf, size_t len, int exact, const char *mark,
    size_t *mark_end, json_t **out, struct ledger_err *err)
{
	struct parser ps;
	json_t *v;
	int rc;

	ledger_err_clear(err);
	if (out == NULL || (buf == NULL && len > 0))
		return ledger_errf(err, LEDGER_EINVAL, "", "argument",
		    "ledger_canon_parse needs a buffer and an output pointer");
	*out = NULL;
	if (len > LEDGER_JSON_MAX_BYTES)
		return ledger_errf(err, LEDGER_ETOOBIG, "", "size", "document "
		    "is %zu bytes, over the limit of %d", len,
		    LEDGER_JSON_MAX_BYTES);
	ps.w.err = err;
	ps.w.plen = 0;
	ps.w.fr = ps.fr;
	ps.fr[1].active = 0;	/* a top-level value: the empty path */
	ps.exact = exact;
	ps.mark = mark;
	ps.mark_end = 0;
	ps.start = ps.p = (const unsigned char *)buf;
	ps.end = ps.p + len;
	if ((rc = skip_ws(&ps)) != 0)
		return rc;
	if (ps.p == ps.end)
		return syntax(&ps, "empty input; expected a JSON value");
	if ((rc = parse_value(&ps, 0, &v)) != 0)
		return rc;
	if ((rc = skip_ws(&ps)) != 0) {
		json_decref(v);
		return rc;
	}
	if (ps.p != ps.end) {
		json_decref(v);
		return walk_fail(&ps.w, LEDGER_EJSON, "trailing", "unexpected "
		    "data after the JSON value at byte %zu; send exactly one "
		    "value", (size_t)(ps.p - ps.start));
	}
	if (mark_end != NULL)
		*mark_end = ps.mark_end;
	*out = v;
	return 0;
}

int
ledger_canon_parse(const char *buf, size_t len, json_t **out,
    struct ledger_err *err)
{
	return parse_doc(buf, len, 0, NULL, NULL, out, err);
}

int
ledger_canon_parse_exact(const char *buf, size_t len, json_t **out,
    struct ledger_err *err)
{
	return parse_doc(buf, len, 1, NULL, NULL, out, err);
}

int
ledger_canon_parse_exact_end(const char *buf, size_t len, const char *member,
    size_t *end, json_t **out, struct ledger_err *err)
{
	return parse_doc(buf, len, 1, member, end, out, err);
}

/* ---- tree check ---- */

static int
check_value(struct walk *w, json_t *v, int depth)
{
	const char *key;
	json_t *m;
	size_t i, klen, saved = w->plen;
	json_int_t n;
	int rc;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (depth >= LEDGER_JSON_MAX_DEPTH)
			return too_deep(w);
		if (json_is_array(v)) {
			if (json_array_size(v) > LEDGER_JSON_MAX_MEMBERS)
				return too_many(w, "array");
			json_array_foreach(v, i, m) {
				path_index(w, i);
				if ((rc = check_value(w, m, depth + 1)) != 0)
					return rc;
				w->plen = saved;
			}
			return 0;
		}
		if (json_object_size(v) > LEDGER_JSON_MAX_MEMBERS)
			return too_many(w, "object");
		json_object_keylen_foreach(v, key, klen, m) {
			/* Same order of rules as the parser's key decoding. */
			if (klen <= LEDGER_JSON_MAX_KEY && (rc = check_string(w,
			    (const unsigned char *)key, klen)) != 0)
				return rc;
			if ((rc = check_key(w, (const unsigned char *)key,
			    klen)) != 0)
				return rc;
			path_member(w, key, klen);
			if ((rc = check_value(w, m, depth + 1)) != 0)
				return rc;
			w->plen = saved;
		}
		return 0;
	case JSON_STRING:
		return check_string(w,
		    (const unsigned char *)json_string_value(v),
		    json_string_length(v));
	case JSON_INTEGER:
		n = json_integer_value(v);
		if (n > LEDGER_JSON_MAX_INT || n < -LEDGER_JSON_MAX_INT)
			return walk_fail(w, LEDGER_ECANON, "int-range",
			    MSG_RANGE);
		return 0;
	case JSON_REAL:
		return walk_fail(w, LEDGER_ECANON, "float", MSG_FLOAT);
	default:
		return 0;
	}
}

int
ledger_canon_check(const json_t *v, struct ledger_err *err)
{
	struct walk w;

	ledger_err_clear(err);
	if (v == NULL)
		return ledger_errf(err, LEDGER_EINVAL, "", "argument",
		    "ledger_canon_check needs a JSON value");
	w.err = err;
	w.plen = 0;
	w.fr = NULL;
	/* Only read; Jansson's iteration API is not const-qualified. */
	return check_value(&w, (json_t *)(uintptr_t)v, 0);
}

/* ---- serialization ---- */

struct obuf {
	char	*b;
	size_t	 len, cap;
	int	 over, nomem;
};

/* json_dump_callback sink; the output is capped like any input. */
static int
obuf_put(const char *s, size_t n, void *arg)
{
	struct obuf *o = arg;
	size_t cap;
	char *nb;

	if (n > LEDGER_JSON_MAX_BYTES - o->len) {
		o->over = 1;
		return -1;
	}
	if (o->len + n + 1 > o->cap) {
		cap = o->cap ? o->cap : 256;
		while (cap < o->len + n + 1)
			cap *= 2;
		if (cap > LEDGER_JSON_MAX_BYTES + 1)
			cap = LEDGER_JSON_MAX_BYTES + 1;
		if ((nb = realloc(o->b, cap)) == NULL) {
			o->nomem = 1;
			return -1;
		}
		o->b = nb;
		o->cap = cap;
	}
	memcpy(o->b + o->len, s, n);
	o->len += n;
	return 0;
}

/*
 * Within the subset Jansson's compact sorted output is JCS: keys are
 * ASCII so byte order is UTF-16 order, integers print as %lld, strings
 * are raw UTF-8 with only '"', '\\', TAB, LF and CR escaped (as \" \\ \t
 * \n \r), '/' and DEL unescaped.  tests/unit/test_canon.c holds it to an
 * independent serializer.
 */
int
ledger_canon_dump(const json_t *v, char **out, size_t *outlen,
    struct ledger_err *err)
{
	struct obuf o = { NULL, 0, 0, 0, 0 };
	int rc;

	if (out == NULL || outlen == NULL) {
		ledger_err_clear(err);
		return ledger_errf(err, LEDGER_EINVAL, "", "argument",
		    "ledger_canon_dump needs output pointers");
	}
	*out = NULL;
	*outlen = 0;
	if ((rc = ledger_canon_check(v, err)) != 0)
		return rc;
	if (json_dump_callback(v, obuf_put, &o,
	    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) != 0 ||
	    o.b == NULL) {
		free(o.b);
		if (o.over)
			return ledger_errf(err, LEDGER_ETOOBIG, "", "size",
			    "canonical form is over the limit of %d bytes",
			    LEDGER_JSON_MAX_BYTES);
		return ledger_errf(err, LEDGER_ENOMEM, "", "memory",
		    "out of memory");
	}
	o.b[o.len] = '\0';
	*out = o.b;
	*outlen = o.len;
	return 0;
}
