/*
 * ledger/statement.h - statements (what authors sign) and leaves (what the
 * ledger stores and hashes), DESIGN 3.2-3.3.
 *
 *   signing message = "ledgerd/statement/v1\n" || origin || "\n" ||
 *                     canonical({"body","id","kind"})
 *   leaf            = canonical({"v":1,"seq","time","prev","id","kind",
 *                                "body","signatures"})
 *   leaf hash       = SHA-256(0x00 || leaf)
 *
 * Thread safety: reentrant; a statement belongs to one thread at a time.
 */
#ifndef LEDGER_STATEMENT_H
#define LEDGER_STATEMENT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ledger/error.h"
#include "ledger/limits.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

#define LEDGER_STATEMENT_DOMAIN	"ledgerd/statement/v1\n"
#define LEDGER_TIME_BYTES	25	/* "YYYY-MM-DDTHH:MM:SS.sssZ" + NUL */

struct ledger_sig {
	const char	*key;		/* key name, points into json */
	uint8_t		 sig[LEDGER_SIG_BYTES];
};

struct ledger_statement {
	json_t		*json;		/* the whole statement (owned) */
	const char	*id;		/* points into json */
	const char	*kind;		/* points into json */
	json_t		*body;		/* borrowed from json */
	size_t		 nsigs;
	struct ledger_sig sigs[LEDGER_SIGS_MAX];
	char		*signed_canon;	/* canonical {"body","id","kind"};
					   NULL after a lean leaf parse */
	size_t		 signed_len;
};

/*
 * Parse and check the envelope of a statement: canonical subset, exactly
 * the members id, kind, body, signatures (signatures may be absent or
 * empty: the caller decides whether that is allowed); id of 1..128 chars
 * [A-Za-z0-9._:-]; kind a known kind name (ledger_kind_known); body an
 * object; each signature {"key": valid key name, "sig": base64 of 64 bytes};
 * no key name twice.  *out is owned by the caller (ledger_statement_free).
 * Errors name the path: "id", "signatures[1].sig", ...
 */
int ledger_statement_parse(const char *buf, size_t len,
    struct ledger_statement **out, struct ledger_err *err);
/* Same from a tree; takes over the reference to root even on failure. */
int ledger_statement_from_json(json_t *root, struct ledger_statement **out,
    struct ledger_err *err);
void ledger_statement_free(struct ledger_statement *st);

/* Is name one of the kinds of DESIGN 3.2? */
int ledger_kind_known(const char *name);

/* The exact signing message for origin (malloc'd, caller frees). */
int ledger_statement_message(const struct ledger_statement *st,
    const char *origin, char **msg, size_t *len);

/*
 * Add (or replace) the signature of key k over the statement for origin.
 */
int ledger_statement_sign(struct ledger_statement *st, const char *origin,
    const struct ledger_seckey *k);

/*
 * The error path of signature i, "signatures[i]", written into buf and
 * returned: made only when a message needs it.
 */
#define LEDGER_SIG_PATH_BYTES	32
const char *ledger_sig_path(char buf[LEDGER_SIG_PATH_BYTES], size_t i);

/*
 * Verify signature i of st for origin with k; the key name in the
 * signature must equal k->name.  0 or LEDGER_ESIG.
 * WARNING: this checks cryptography only; whether the key may sign this
 * kind at this time is the key registry's question.
 */
int ledger_statement_verify(const struct ledger_statement *st, size_t i,
    const char *origin, const struct ledger_pubkey *k)
    __attribute__((warn_unused_result));

/* Canonical statement with its signatures (malloc'd). */
int ledger_statement_dump(const struct ledger_statement *st, char **out,
    size_t *len);

/* UTC milliseconds <-> "YYYY-MM-DDTHH:MM:SS.sssZ". */
int ledger_time_format(int64_t ms, char out[LEDGER_TIME_BYTES]);
int ledger_time_parse(const char *s, int64_t *ms);

/*
 * Parse an RFC 3339 date-time with an explicit offset ("Z" or +hh:mm),
 * optional fraction, into ms since the epoch.  0 or LEDGER_EINVAL.
 */
int ledger_rfc3339_parse(const char *s, int64_t *ms);

/*
 * Build the leaf of st at seq with time (ms since the epoch, UTC) and prev
 * (the leaf hash of seq-1, zeros for seq 0).  *leaf is malloc'd canonical
 * bytes, hash its RFC 6962 leaf hash.  LEDGER_ETOOBIG over LEDGER_LEAF_MAX.
 */
int ledger_leaf_build(const struct ledger_statement *st, uint64_t seq,
    int64_t time_ms, const uint8_t prev[LEDGER_HASH_BYTES], char **leaf,
    size_t *len, uint8_t hash[LEDGER_HASH_BYTES], struct ledger_err *err);

/* A parsed leaf. */
struct ledger_leaf {
	uint64_t		 seq;
	int64_t			 time_ms;
	uint8_t			 prev[LEDGER_HASH_BYTES];
	struct ledger_statement	*st;
};

/*
 * Parse stored leaf bytes and check them strictly: canonical encoding
 * (re-serializing gives the same bytes), v == 1, the envelope members and
 * the statement inside.  Does not check signatures or the chain.
 */
int ledger_leaf_parse(const void *data, size_t len, struct ledger_leaf *out,
    struct ledger_err *err);
/*
 * ledger_leaf_parse for a caller that keeps data while it needs the signed
 * part (the verifier, which parses leaves by the million): nothing is
 * copied for it.  The statement's signed_canon is NULL (so
 * ledger_statement_verify refuses it) and the signed part is data[0,
 * *signed_end) followed by "}" -- the leaf's members sort body, id, kind,
 * prev, ..., and its bytes were checked to be exactly canonical.
 */
int ledger_leaf_parse_lean(const void *data, size_t len,
    struct ledger_leaf *out, size_t *signed_end, struct ledger_err *err);
void ledger_leaf_clear(struct ledger_leaf *leaf);
/*
 * Drop a leaf whose Jansson tree was parsed inside an arena (arena.h):
 * frees what was not in the arena, leaves the tree to ledger_arena_reset.
 */
void ledger_leaf_forget(struct ledger_leaf *leaf);

#endif
