/*
 * ledger/error.h - the one error model of libledger.
 *
 * Every library function that can fail returns int: 0 on success or a
 * negative LEDGER_E* code.  Functions that validate outside input also take
 * an optional struct ledger_err, filled with the JSON path (or other
 * location) and a human sentence saying which rule was broken.  The library
 * never prints and never exits.
 *
 * Codes are appended, never renumbered: they appear in logs and in tests.
 */
#ifndef LEDGER_ERROR_H
#define LEDGER_ERROR_H

#include <stddef.h>

enum {
	LEDGER_OK = 0,
	LEDGER_EINVAL = -1,	/* bad argument or malformed input */
	LEDGER_ENOMEM = -2,	/* allocation failed or a hard size cap hit */
	LEDGER_EJSON = -3,	/* not JSON (syntax) */
	LEDGER_ECANON = -4,	/* JSON outside the canonical subset */
	LEDGER_ESCHEMA = -5,	/* fields do not match the kind's schema */
	LEDGER_ESIG = -6,	/* a signature does not verify */
	LEDGER_EKEY = -7,	/* malformed key string or key file */
	LEDGER_EPERM = -8,	/* key file readable by group/others */
	LEDGER_EIO = -9,	/* read/write/fsync failed (errno kept) */
	LEDGER_ENOTFOUND = -10,	/* no such entry, id, node or checkpoint */
	LEDGER_EPROOF = -11,	/* a Merkle proof does not verify */
	LEDGER_ENOTE = -12,	/* malformed signed note or checkpoint */
	LEDGER_ETOOBIG = -13,	/* input over a named limit */
	LEDGER_EEXIST = -14,	/* already exists */
	LEDGER_ECONFLICT = -15,	/* same id, other content */
	LEDGER_EFULL = -16,	/* storage full (LMDB map or disk) */
	LEDGER_EVERSION = -17,	/* unknown storage format version */
	LEDGER_ERULE = -18,	/* a procedure rule refuses the entry */
	LEDGER_ESTORE = -19,	/* LMDB failed in an unexpected way */
	LEDGER_ELOCKED = -20,	/* data dir locked by another process */
	LEDGER_EAUTH = -21,	/* author key unknown, revoked, wrong role */
	LEDGER_ENOSPC = -22,	/* the filesystem is full (a write failed) */
};

#define LEDGER_ERR_PATH_MAX	128	/* bytes, including NUL */
#define LEDGER_ERR_MSG_MAX	256	/* bytes, including NUL */

/*
 * Detail of a refusal.  path is where (a JSON path such as
 * "body.value.amount_minor", or "" for the whole input); rule is a short
 * stable name ("float", "duplicate-key", "contract.cap", ...); msg is one
 * sentence for a human.  All three are always NUL-terminated.
 */
struct ledger_err {
	int	code;
	char	path[LEDGER_ERR_PATH_MAX];
	char	rule[48];
	char	msg[LEDGER_ERR_MSG_MAX];
};

/* A static English description of code; never NULL. */
const char *ledger_strerror(int code);

/*
 * Fill err (if not NULL) and return code, so a failure site reads
 * "return ledger_errf(err, LEDGER_ECANON, path, "float", "...", ...);".
 */
int ledger_errf(struct ledger_err *err, int code, const char *path,
    const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Clear err (if not NULL) to "no error". */
void ledger_err_clear(struct ledger_err *err);

#endif
