/*
 * ledger/table.h - memory for large hash tables filled at random.
 */
#ifndef LEDGER_TABLE_H
#define LEDGER_TABLE_H

#include <stddef.h>

/*
 * Zeroed memory for a large hash table that is filled at random, such as
 * the verifier's id set and rule state.  calloc maps such a table to the
 * shared zero page, so each page costs two faults when first read and
 * then written, and the second replaces a present mapping: a TLB
 * shootdown, an interrupt to every other core running one of the
 * process's threads (a fifth of the verifier's CPU on a 2-core VM).  The
 * table is instead mapped for transparent huge pages where the kernel
 * allows it and written once here, before anything reads it.
 *
 * Returns NULL if bytes is 0 or memory is short.  Free it with
 * ledger_table_free(p, bytes) and the same size, never with free().
 * Thread safety: none needed; the memory is the caller's.
 */
void *ledger_table_alloc(size_t bytes);
void ledger_table_free(void *p, size_t bytes);

#endif
