/*
 * main.c - ledgerctl: command dispatch, help, and the shared failure path.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledgerctl.h"

int
fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("ledgerctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static const struct command *
find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Commands that talk to a server are those whose help offers --url. */
static int
takes_url(const struct command *c)
{
	return strstr(c->help, "--url") != NULL;
}

void
print_help(const char *name, FILE *f)
{
	const struct command *c = find(name);

	if (c == NULL)
		return;
	fprintf(f, "usage: ledgerctl %s\n\n%s", c->synopsis, c->help);
	if (takes_url(c))
		fprintf(f, "\nWith --url:\n"
		    "  --cacert FILE       trust only the CA certificates in "
		    "FILE (PEM) for an\n"
		    "                      https:// URL; the server's "
		    "certificate is always\n"
		    "                      verified, against the system's CAs "
		    "without --cacert\n");
}

/*
 * --cacert FILE (or --cacert=FILE) anywhere before "--" in the arguments
 * of a command that talks to a server: taken out here, once, so every
 * such command accepts it without each option table repeating it.
 * 0, or an exit code after a message.
 */
static int
take_cacert(const struct command *c, int *argc, char **argv)
{
	const char *path = NULL;
	FILE *f;
	int i, j, n;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--cacert") == 0) {
			if (i + 1 >= *argc)
				return fail(EXIT_USAGE, "--cacert needs a "
				    "FILE of PEM CA certificates");
			path = argv[i + 1];
			n = 2;
		} else if (strncmp(argv[i], "--cacert=", 9) == 0) {
			path = argv[i] + 9;
			n = 1;
		} else
			continue;
		if (!takes_url(c))
			return fail(EXIT_USAGE, "--cacert is for commands "
			    "that talk to a server (--url); \"%s\" does not",
			    c->name);
		for (j = i; j + n <= *argc; j++)
			argv[j] = argv[j + n];	/* argv[argc] is NULL */
		*argc -= n;
		i--;
	}
	if (path == NULL)
		return 0;
	/* Said now, not as a TLS failure after the first request. */
	if ((f = fopen(path, "r")) == NULL)
		return fail(EXIT_IO, "cannot read CA file %s (--cacert): %s",
		    path, strerror(errno));
	fclose(f);
	net_set_cainfo(path);
	return 0;
}

int
want_help(const char *name, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			print_help(name, stdout);
			return 1;
		}
	}
	return 0;
}

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: ledgerctl COMMAND [ARGS...]\n\ncommands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %s\n", c->synopsis);
	fprintf(f, "\n\"ledgerctl help COMMAND\" for details.  Exit codes: 0 ok, "
	    "1 verification failed,\n2 usage error, 3 I/O or network error.\n");
}

int
main(int argc, char **argv)
{
	const struct command *c;
	int rc;

	if (sodium_init() < 0)
		return fail(EXIT_IO, "libsodium failed to initialize");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("ledgerctl %s\n", LEDGERCTL_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		if (find(argv[2]) == NULL)
			return fail(EXIT_USAGE, "no command \"%s\"; see "
			    "\"ledgerctl help\"", argv[2]);
		print_help(argv[2], stdout);
		return EXIT_OK;
	}
	if ((c = find(argv[1])) == NULL) {
		usage(stderr);
		return fail(EXIT_USAGE, "no command \"%s\"", argv[1]);
	}
	if (want_help(c->name, argc - 1, argv + 1))
		return EXIT_OK;
	argc--;
	argv++;
	if ((rc = take_cacert(c, &argc, argv)) != 0)
		return rc;
	return c->fn(argc, argv);
}
