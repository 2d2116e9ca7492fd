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

/* init.c */
int cmd_init(int argc, char **argv);

#endif
