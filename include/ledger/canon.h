/*
 * ledger/canon.h - canonical JSON (DESIGN 3.1): RFC 8785 (JCS) restricted
 * to a subset that is exact in C.
 *
 * The subset: integers only with |n| <= 2^53-1 (no fraction, no exponent);
 * no duplicate keys; keys match [A-Za-z][A-Za-z0-9_]*; strings are valid
 * UTF-8 without control characters other than TAB, LF and CR (escaped or
 * raw); depth, sizes and member counts bounded by ledger/limits.h.  Under
 * these rules keys sort bytewise and Jansson's compact sorted output equals
 * JCS.
 *
 * Thread safety: all functions are reentrant; json_t trees are not shared.
 */
#ifndef LEDGER_CANON_H
#define LEDGER_CANON_H

#include <stddef.h>
#include <jansson.h>

#include "ledger/error.h"

/*
 * Parse len bytes of buf (need not be NUL-terminated) with our own strict
 * parser, enforcing the whole subset while parsing, and return a new Jansson
 * tree in *out (caller owns it: json_decref).  On refusal returns
 * LEDGER_EJSON (syntax), LEDGER_ECANON (outside the subset) or
 * LEDGER_ETOOBIG (a limit), with err naming the path, e.g. "body.counts[2].value",
 * and a rule name: "syntax", "float", "int-range", "duplicate-key",
 * "bad-key", "control-char", "utf8", "depth", "size", "string-size",
 * "members", "trailing".
 * Paths: members "a.b", elements "a[2]", "[0]" under a top-level array;
 * the whole document (size, trailing data, top-level scalars) is "".  A
 * rule about a key (bad-key, and utf8 or control-char inside a key) names
 * the object holding it; duplicate-key names the member itself; depth and
 * members name the container.  Paths longer than the buffer end in "...".
 */
int ledger_canon_parse(const char *buf, size_t len, json_t **out,
    struct ledger_err *err);

/*
 * Like ledger_canon_parse, and also require buf to be exactly the
 * canonical serialization of what it holds (no whitespace, keys in
 * ascending byte order, only the escapes JCS writes, no -0), refused with
 * rule "not-canonical".  Checks stored leaves without re-serializing them.
 */
int ledger_canon_parse_exact(const char *buf, size_t len, json_t **out,
    struct ledger_err *err);

/*
 * ledger_canon_parse_exact, and also set *end to the byte offset just past
 * the value of member in the top-level object (0 if there is none), so a
 * canonical prefix of buf can be used as a slice instead of serializing
 * its members again.
 */
int ledger_canon_parse_exact_end(const char *buf, size_t len,
    const char *member, size_t *end, json_t **out, struct ledger_err *err);

/*
 * Check a tree built in memory against the same subset (reals, integer
 * range, keys, string contents, depth, member counts).  Same errors as
 * ledger_canon_parse.
 */
int ledger_canon_check(const json_t *v, struct ledger_err *err);

/*
 * Serialize v canonically into a new NUL-terminated buffer *out (caller
 * frees with free()), length in *outlen.  v must pass ledger_canon_check
 * (the function re-checks and returns its error otherwise).  Output over
 * LEDGER_JSON_MAX_BYTES is refused (LEDGER_ETOOBIG, rule "size"): the
 * canonical form must itself be a document every peer accepts.
 */
int ledger_canon_dump(const json_t *v, char **out, size_t *outlen,
    struct ledger_err *err);

#endif
