/*
 * arena.c - bump allocation for Jansson trees (arena.h).
 *
 * Under AddressSanitizer a reset poisons the chunk it keeps, so a tree
 * used after its arena was reset is reported like any use after free.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "ledger/arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif

#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

#define ALIGN		16	/* what malloc guarantees on x86-64 */

struct ledger_arena_chunk {
	struct ledger_arena_chunk	*next;
	size_t				 cap, used;
	_Alignas(ALIGN) unsigned char	 mem[];
};

static _Thread_local struct ledger_arena *cur;

static int
owns(const struct ledger_arena *a, const void *p)
{
	const struct ledger_arena_chunk *c;
	uintptr_t u = (uintptr_t)p;

	for (c = a->head; c != NULL; c = c->next)
		if (u >= (uintptr_t)c->mem && u < (uintptr_t)c->mem + c->cap)
			return 1;
	return 0;
}

static void *
arena_alloc(struct ledger_arena *a, size_t size)
{
	struct ledger_arena_chunk *c = a->head;
	size_t cap;
	void *p;

	if (size > SIZE_MAX - 2 * ALIGN - sizeof(*c))
		return NULL;
	size = size == 0 ? ALIGN : (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (c == NULL || c->cap - c->used < size) {
		cap = size > a->chunk ? size : a->chunk;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		POISON(c->mem, cap);
	}
	p = c->mem + c->used;
	c->used += size;
	UNPOISON(p, size);
	return p;
}

static void *
jansson_malloc(size_t size)
{
	return cur != NULL ? arena_alloc(cur, size) : malloc(size);
}

static void
jansson_free(void *p)
{
	if (cur == NULL || !owns(cur, p))
		free(p);
}

/* Before main: no tree can exist yet that malloc made and we would miss. */
__attribute__((constructor)) static void
arena_install(void)
{
	json_set_alloc_funcs(jansson_malloc, jansson_free);
}

void
ledger_arena_init(struct ledger_arena *a, size_t chunk)
{
	a->head = NULL;
	a->chunk = chunk > 0 ? chunk : LEDGER_ARENA_CHUNK;
}

void
ledger_arena_enter(struct ledger_arena *a)
{
	cur = a;
}

void
ledger_arena_leave(void)
{
	cur = NULL;
}

void
ledger_arena_reset(struct ledger_arena *a)
{
	struct ledger_arena_chunk *c = a->head, *next;
	size_t total = 0;

	if (c != NULL && c->next == NULL) {
		c->used = 0;
		POISON(c->mem, c->cap);
		return;
	}
	for (; c != NULL; c = next) {
		next = c->next;
		total += c->cap;
		UNPOISON(c->mem, c->cap);
		free(c);
	}
	a->head = NULL;
	if (total > a->chunk)
		a->chunk = total;
}

void
ledger_arena_destroy(struct ledger_arena *a)
{
	struct ledger_arena_chunk *c, *next;

	if (cur == a)
		cur = NULL;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		UNPOISON(c->mem, c->cap);
		free(c);
	}
	a->head = NULL;
}

size_t
ledger_arena_used(const struct ledger_arena *a)
{
	const struct ledger_arena_chunk *c;
	size_t n = 0;

	for (c = a->head; c != NULL; c = c->next)
		n += c->used;
	return n;
}
