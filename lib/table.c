/*
 * table.c - memory for large hash tables (table.h).
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ledger/table.h"

/* Tables below this size are few pages: calloc is as good. */
#define TABLE_MMAP_MIN	(256u << 10)

void *
ledger_table_alloc(size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i;
	volatile unsigned char *v;
	void *p;

	if (bytes == 0)
		return NULL;
	if (bytes < TABLE_MMAP_MIN)
		return calloc(1, bytes);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Advice only: a kernel without THP still gives zeroed pages. */
	(void)madvise(p, bytes, MADV_HUGEPAGE);
	/* A write to an unmapped page maps a fresh one: no shootdown. */
	for (v = p, i = 0; i < bytes; i += page)
		v[i] = 0;
	return p;
}

void
ledger_table_free(void *p, size_t bytes)
{
	if (p == NULL)
		return;
	if (bytes < TABLE_MMAP_MIN)
		free(p);
	else
		munmap(p, bytes);
}
