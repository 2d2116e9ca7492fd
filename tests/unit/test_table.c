/*
 * test_table.c - ledger_table_alloc and ledger_table_free (table.h).
 */
#include <stddef.h>
#include <string.h>

#include "harness.h"
#include "ledger/table.h"

/* Zeroed, writable end to end, on both sides of the mmap threshold. */
TEST(table_alloc_is_zeroed_and_writable)
{
	static const size_t sizes[] = { 1, 4096, (256u << 10) - 1, 256u << 10,
	    (4u << 20) + 3 };
	size_t i, j, zero;
	unsigned char *p;

	CHECK(ledger_table_alloc(0) == NULL);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK((p = ledger_table_alloc(sizes[i])) != NULL);
		if (p == NULL)
			continue;
		for (zero = 1, j = 0; j < sizes[i]; j++)
			zero &= p[j] == 0;
		CHECK(zero);
		memset(p, 0xa5, sizes[i]);
		CHECK(p[0] == 0xa5 && p[sizes[i] - 1] == 0xa5);
		ledger_table_free(p, sizes[i]);
	}
	ledger_table_free(NULL, 0);
}
