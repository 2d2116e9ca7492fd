/*
 * ledger/arena.h - bump allocation for Jansson trees that die together.
 *
 * A verifier parses every leaf into a Jansson tree, reads it, and drops
 * it a batch later.  Allocating each node with malloc and walking the tree
 * again to free it node by node took about a third of its CPU; an arena
 * hands out memory by moving a pointer and takes it all back at once.
 *
 * While a thread has entered an arena, every Jansson allocation made on
 * that thread comes from it, and Jansson's frees of its memory (a parse
 * error dropping a half-built tree, a hash table growing) do nothing.
 * Other threads, and this one before it enters and after it leaves, get
 * malloc and free as usual: the library installs its allocator in Jansson
 * once (json_set_alloc_funcs) before main runs, so a tree allocated by
 * malloc is always freed by free.
 *
 * The rules that make this safe:
 *  - a tree built inside an arena is never released with json_decref
 *    once the thread has left it; its owner drops the pointers and calls
 *    ledger_arena_reset when none is used any more;
 *  - inside an arena, do not change a tree built outside it (a table it
 *    grows would come from the arena and later reach free()), and do not
 *    free() what Jansson returns (json_dumps), as it is arena memory;
 *  - enter does not nest: leave returns the thread to malloc;
 *  - a Jansson free of memory from another arena is not recognized.
 *
 * Thread safety: an arena belongs to one thread at a time; handing it to
 * another thread needs the usual synchronization (a mutex, a join).
 */
#ifndef LEDGER_ARENA_H
#define LEDGER_ARENA_H

#include <stddef.h>

struct ledger_arena_chunk;

struct ledger_arena {
	struct ledger_arena_chunk	*head;	/* newest first */
	size_t				 chunk;	/* bytes of the next chunk */
};

/*
 * Set up an empty arena whose first chunk, allocated on first use, holds
 * chunk bytes (0: LEDGER_ARENA_CHUNK).  It grows by chunks as needed.
 */
#define LEDGER_ARENA_CHUNK	(1u << 20)
void ledger_arena_init(struct ledger_arena *a, size_t chunk);

/* Jansson allocations on this thread come from a until ledger_arena_leave. */
void ledger_arena_enter(struct ledger_arena *a);
void ledger_arena_leave(void);

/*
 * Everything allocated from a is dead.  With one chunk, start it over;
 * with more, free them and make the next chunk as large as all of them
 * together, so the next round of the same size fits in one.
 */
void ledger_arena_reset(struct ledger_arena *a);

/* Free every chunk; a is empty again (as after ledger_arena_init). */
void ledger_arena_destroy(struct ledger_arena *a);

/* Bytes handed out since the last reset (tests and statistics). */
size_t ledger_arena_used(const struct ledger_arena *a);

#endif
