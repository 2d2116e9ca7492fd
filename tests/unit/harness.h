/*
 * harness.h - the unit-test harness: a test is a function registered with
 * TEST(); CHECK* record failures with file:line and keep going; main()
 * (harness.c) runs every test, prints its time and a closing line
 * "N passed, N failed" (counting checks), and exits 1 on any failure.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void harness_register(const char *name, void (*fn)(void));
void harness_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void harness_pass(void);
/* Directory holding the repository (for vectors and docs). */
const char *harness_srcdir(void);
/* A fresh empty temp directory, removed at exit. */
const char *harness_tmpdir(void);

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void reg_##name(void)	\
	{ harness_register(#name, name); }				\
	static void name(void)

#define CHECK(c) do {							\
	if (c) harness_pass();						\
	else harness_fail(__FILE__, __LINE__, "CHECK(%s)", #c);		\
} while (0)

#define CHECK_INT(a, b) do {						\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ == b_) harness_pass();					\
	else harness_fail(__FILE__, __LINE__, "%s == %lld, want %s == %lld", \
	    #a, a_, #b, b_);						\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *a_ = (a), *b_ = (b);				\
	if (a_ && b_ && strcmp(a_, b_) == 0) harness_pass();		\
	else harness_fail(__FILE__, __LINE__, "%s = \"%s\", want \"%s\"", \
	    #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");		\
} while (0)

#define CHECK_MEM(a, b, n) do {						\
	if (memcmp((a), (b), (n)) == 0) harness_pass();			\
	else harness_fail(__FILE__, __LINE__, "%s differs from %s", #a, #b); \
} while (0)

#endif
