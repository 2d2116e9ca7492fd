/* harness.c - runs the registered tests; see harness.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_TESTS 256

static struct { const char *name; void (*fn)(void); } tests[MAX_TESTS];
static int ntests;
static long passed, failed;
static char tmpdir[256];

void
harness_register(const char *name, void (*fn)(void))
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "harness: more than %d tests\n", MAX_TESTS);
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void
harness_pass(void)
{
	passed++;
}

void
harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed++;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
harness_srcdir(void)
{
	const char *s = getenv("LEDGER_SRCDIR");

	return s ? s : ".";
}

static void
rm_tmpdir(void)
{
	char cmd[300];

	if (tmpdir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "harness: could not remove %s\n", tmpdir);
}

const char *
harness_tmpdir(void)
{
	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/ledger-test.XXXXXX");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			exit(2);
		}
		atexit(rm_tmpdir);
	}
	return tmpdir;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double t0 = now(), t;
	int i;

	for (i = 0; i < ntests; i++) {
		long f = failed;

		if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
			continue;
		t = now();
		tests[i].fn();
		printf("%-4s %-40s %.3fs\n", failed == f ? "ok" : "FAIL",
		    tests[i].name, now() - t);
	}
	printf("%s: %ld passed, %ld failed (%.2fs)\n", argv[0], passed, failed,
	    now() - t0);
	return failed ? 1 : 0;
}
