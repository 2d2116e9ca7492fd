/*
 * main.c - ledgerctl: command dispatch, help, and the shared failure path.
 */
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

void
print_help(const char *name, FILE *f)
{
	const struct command *c = find(name);

	if (c == NULL)
		return;
	fprintf(f, "usage: ledgerctl %s\n\n%s", c->synopsis, c->help);
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
	return c->fn(argc - 1, argv + 1);
}
