/*
 * ledgerctl.h - private header of the control tool: one section per file.
 *
 * Every command is "int cmd_NAME(int argc, char **argv)" returning an exit
 * code: 0 ok, 1 verification failed, 2 usage error, 3 I/O or network error.
 * Commands print their own diagnostics to stderr ("ledgerctl: ...") and
 * their results to stdout.
 */
#ifndef LEDGERCTL_H
#define LEDGERCTL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ledger/error.h"
#include "ledger/note.h"

#define LEDGERCTL_VERSION	"0.1.0"

enum {
	EXIT_OK = 0,
	EXIT_VERIFY = 1,	/* verification or audit found a problem */
	EXIT_USAGE = 2,
	EXIT_IO = 3,		/* I/O, storage or network error */
};

struct command {
	const char	*name;
	int		(*fn)(int argc, char **argv);
	const char	*synopsis;	/* one line, for "ledgerctl help" */
	const char	*help;		/* full text for "help CMD" / --help */
};

/* main.c */
extern const struct command commands[];
/* Print "ledgerctl: <msg>\n" to stderr and return code. */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True if argv holds -h or --help; prints the command's help. */
int want_help(const char *name, int argc, char **argv);
void print_help(const char *name, FILE *f);

/* net.c: HTTP over libcurl (http:// and https://). */
struct http_resp {
	long	 status;
	char	*body;		/* NUL-terminated, malloc'd */
	size_t	 len;
	char	 ctype[128];
	char	 cache[128];
};
/* GET url+path; 0 or EXIT_IO with a message printed. */
int net_get(const char *url, const char *path, struct http_resp *r);
int net_post_json(const char *url, const char *path, const char *body,
    size_t len, struct http_resp *r);
void net_resp_free(struct http_resp *r);
/* Trust only the CA certificates in path (PEM) for https:// URLs. */
void net_set_cainfo(const char *path);

/* init.c */
int cmd_init(int argc, char **argv);

/* keys.c */
int cmd_keygen(int argc, char **argv);
int cmd_keys(int argc, char **argv);

/* submit.c */
int cmd_sign(int argc, char **argv);
int cmd_submit(int argc, char **argv);
/* Read path ("-": stdin), at most max bytes, NUL-terminated; 0 or exit code. */
int read_input(const char *path, size_t max, char **out, size_t *len);
/* data and a newline to path (atomic, 0644) or, for NULL or "-", stdout. */
int write_output(const char *path, const char *data, size_t len);
/* Load a private key file with a message saying how to fix it. */
int load_signer(const char *path, struct ledger_seckey *k);
/* The origin the server at url signs for (GET /healthz, /checkpoint). */
int server_origin(const char *url, char *out, size_t outsz);
/* Print a server's {"error":...}; EXIT_VERIFY for refusals, else EXIT_IO. */
int report_http_error(const struct http_resp *r, const char *what);
/* POST st to url; the receipt to out (or stdout), "appended seq N". */
struct ledger_statement;
int post_statement(const char *url, const struct ledger_statement *st,
    const char *out);

/* receipt.c */
int cmd_receipt(int argc, char **argv);
int cmd_proof(int argc, char **argv);
/* Length of a signed note's text (through the "\n" before the last "\n\n"). */
size_t note_text_len(const char *note, size_t len);
/* A verifier key given as a key string or a file holding one. */
int vkey_arg(const char *arg, struct ledger_pubkey *k);
/*
 * GET /checkpoint; opened with k (EXIT_VERIFY if the signature fails) or,
 * with k NULL, only parsed.  The note is copied to note if not NULL.
 */
int fetch_checkpoint(const char *url, const struct ledger_pubkey *k,
    struct ledger_checkpoint *c, char *note, size_t notesz);

/* status.c */
int cmd_status(int argc, char **argv);

/* source.c: the leaves of a ledger from -d DIR or --url URL. */
struct ledger_store;
struct ledger_txn;
struct source {
	const char		*url;
	struct ledger_store	*st;
	struct ledger_txn	*txn;
	char			 origin[LEDGER_KEYNAME_MAX + 1];
	uint64_t		 end;	/* the latest checkpoint's size */
	uint64_t		 next;	/* seq source_next returns next */
	struct http_resp	 bundle;
	size_t			 boff;
	unsigned		 bw, bcount;
	char			 why[256];	/* how the source is malformed */
};
/*
 * Open dir (read-only) or url (GET /checkpoint, opened with k unless k is
 * NULL; the note is copied to note if not NULL).  0 or an exit code.
 */
int source_open(struct source *s, const char *dir, const char *url,
    const struct ledger_pubkey *k, char *note, size_t notesz);
void source_close(struct source *s);
/* Start again at seq 0 (a new read snapshot). */
int source_rewind(struct source *s);
/*
 * The next leaf: 0 with *data set (valid until the next call), 0 with
 * *data NULL at the end, EXIT_VERIFY when the source is malformed (s->why
 * says how; *seq is the entry concerned), or EXIT_IO (message printed).
 */
int source_next(struct source *s, uint64_t *seq, const uint8_t **data,
    size_t *len);
/* "<prefix>x001/x234/067[.p/W]" (C2SP tlog-tiles). */
void tile_path(char *out, size_t outsz, const char *prefix, uint64_t n,
    unsigned w);
/* Hash tile (level, n) of width w into out (w * 32 bytes): 0,
 * LEDGER_ENOTFOUND (404 or a wrong length) or LEDGER_EIO. */
int fetch_tile(const char *url, unsigned level, uint64_t n, unsigned w,
    uint8_t *out);

/* verify.c */
int cmd_verify(int argc, char **argv);

/* export.c */
int cmd_export(int argc, char **argv);

/* audit.c */
int cmd_audit(int argc, char **argv);

/*
 * audit_track.c: running accounts of contracts, for the audit findings no
 * append-time rule refuses (docs/KINDS.md, "Audit findings").  Feed it
 * every entry the replayed rules accepted, in seq order; it reports
 * through fn (seq AUDIT_NO_SEQ: none; ocid and id may be NULL).
 */
#define AUDIT_NO_SEQ	UINT64_MAX
typedef void (*audit_report)(void *ctx, uint64_t seq, const char *ocid,
    const char *id, const char *rule, const char *path, const char *msg);
struct tracker;
struct ledger_statement;
int tracker_new(struct tracker **out, audit_report fn, void *ctx);
void tracker_free(struct tracker *t);
/* 0 or LEDGER_ENOMEM. */
int tracker_entry(struct tracker *t, const struct ledger_statement *st,
    uint64_t seq);
/* Report what is still open; now and grace in ms since the epoch. */
void tracker_finish(struct tracker *t, int64_t now, int64_t grace);

/*
 * audit_index.c: offline, the rows of index.mdb against the entries below
 * its mark.  new gives *out NULL when the store has no index.mdb (every
 * call then does nothing).  Feed every stored entry in seq order, then
 * finish, which names rows no entry gives.  Findings go through fn:
 * index.missing, index.mismatch, index.extra.  0 or a LEDGER_E* code.
 */
struct index_audit;
struct ledger_txn;
int index_audit_new(struct ledger_txn *txn, audit_report fn, void *ctx,
    struct index_audit **out);
int index_audit_entry(struct index_audit *ia,
    const struct ledger_statement *st, uint64_t seq, int64_t t,
    const char *ocid);
int index_audit_finish(struct index_audit *ia);
/* Entries whose rows were compared. */
uint64_t index_audit_compared(const struct index_audit *ia);
void index_audit_free(struct index_audit *ia);

/*
 * ocds.c: "export --format ocds" (export.c parses the options and opens f):
 * one OCDS release package per contracting process, one per line, of the
 * entries of kind (NULL: all) whose leaf time is in [since, until).
 * *count gets the number of releases.  0 or an exit code.
 */
int ocds_export(struct source *src, FILE *f, const char *kind,
    int64_t since, int64_t until, uint64_t *count);

/*
 * ocds_release.c: the OCDS release of one entry of a contracting process,
 * given the state the process's earlier entries left (ocds_state_new;
 * every entry of the process must pass through, in seq order, even those
 * not written).  Amounts are JSON strings OCDS_AMOUNT_MARK "<fen>", which
 * json_dumps writes as OCDS_AMOUNT_JSON "<fen>\"" and ocds.c replaces by
 * the exact decimal.  NULL when out of memory.
 */
#define OCDS_AMOUNT_MARK	"\x01"	/* no canonical leaf holds U+0001 */
#define OCDS_AMOUNT_JSON	"\"\\u0001"
struct ledger_leaf;
json_t *ocds_state_new(void);
json_t *ocds_release(json_t *state, const char *ocid,
    const struct ledger_leaf *leaf, const uint8_t *data, size_t len);

#endif
