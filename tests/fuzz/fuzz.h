/*
 * fuzz.h - shared bits of the libFuzzer targets: an always-on assertion
 * (NDEBUG must not switch the invariants off) and a NUL-terminated copy of
 * the input for parsers that take C strings.
 */
#ifndef LEDGER_FUZZ_H
#define LEDGER_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* A malloc'd copy with a NUL after it (NULL only if out of memory). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		if (size > 0)
			memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* An error detail must be well formed whenever a parser refuses. */
#define FUZZ_CHECK_ERR(rc, e) do {					\
	FUZZ_CHECK((rc) < 0);						\
	FUZZ_CHECK((e).code == (rc));					\
	FUZZ_CHECK(memchr((e).path, '\0', sizeof((e).path)) != NULL);	\
	FUZZ_CHECK(memchr((e).rule, '\0', sizeof((e).rule)) != NULL);	\
	FUZZ_CHECK(memchr((e).msg, '\0', sizeof((e).msg)) != NULL);	\
} while (0)

#endif
