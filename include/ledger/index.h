/*
 * ledger/index.h - the query indexes (by_ocid, by_org, by_kind_time,
 * by_contract in DIR/index.mdb, see ledger/store.h): the rows of one
 * entry, and re-indexing what a crash took.
 *
 * A row's key is value || 0x00 || u64 BE seq and its data u64 BE leaf
 * time (ms) || kind, so a query filters by kind and time without reading
 * the leaf.  Values longer than LEDGER_INDEX_VALUE_MAX bytes are not
 * indexed (no schema allows one).
 */
#ifndef LEDGER_INDEX_H
#define LEDGER_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/merkle.h"
#include "ledger/statement.h"
#include "ledger/store.h"

/* Entries re-indexed per write transaction by ledger_index_catch_up. */
#define LEDGER_INDEX_CHUNK	4096

/* One row: db is a query index, key value || 0x00 || u64 BE seq. */
typedef int (*ledger_index_row_fn)(void *ctx, enum ledger_db db,
    const uint8_t *key, size_t klen, const uint8_t *data, size_t dlen);

/*
 * Call fn for each row entry seq (statement st, leaf time t) has, in a
 * fixed order; a nonzero return stops the walk and is returned.  What the
 * append path writes and what "ledgerctl audit" expects to find.
 */
int ledger_index_rows(const struct ledger_statement *st, uint64_t seq,
    int64_t t, ledger_index_row_fn fn, void *ctx);

/*
 * Write the rows of entry seq (statement st, leaf time t, leaf hash
 * leafhash) and move the mark past it, in a write transaction.  Entries
 * between the mark and seq (a crash took their rows) are re-indexed
 * first, from the stored leaves, in the same transaction.  Storage errors
 * as ledger_db_put; LEDGER_ESTORE if the mark is past seq or a stored
 * leaf does not parse.
 */
int ledger_index_entry(struct ledger_txn *txn,
    const struct ledger_statement *st, uint64_t seq, int64_t t,
    const uint8_t leafhash[LEDGER_HASH_BYTES]);

/*
 * Re-index the entries between the mark and the ledger's size, in write
 * transactions of LEDGER_INDEX_CHUNK entries, so a rebuilt index.mdb of a
 * large ledger does not make one huge transaction.  *done (may be NULL)
 * receives the number of entries re-indexed.  Run by ledgerd before it
 * serves.
 */
int ledger_index_catch_up(struct ledger_store *st, uint64_t *done);

#endif
