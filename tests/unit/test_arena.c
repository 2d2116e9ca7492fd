/*
 * test_arena.c - Jansson trees built inside an arena (arena.h): where
 * their memory comes from, what a free inside the arena does, growth
 * across chunks, reset, and that other threads and the time outside the
 * arena keep malloc.  Under ASan (make check's SAN pass) a tree that
 * escaped the rule would show up as a bad free or a use after poison.
 */
#include <pthread.h>
#include <stdlib.h>

#include <jansson.h>

#include "harness.h"
#include "ledger/arena.h"
#include "ledger/canon.h"

static const char DOC[] = "{\"a\":[1,2,3],\"b\":{\"c\":\"text\",\"d\":true}}";

static json_t *
parse(void)
{
	struct ledger_err err;
	json_t *v = NULL;

	if (ledger_canon_parse_exact(DOC, sizeof(DOC) - 1, &v, &err) != 0)
		return NULL;
	return v;
}

TEST(tree_lives_in_arena)
{
	struct ledger_arena a;
	json_t *v, *w;
	size_t used;

	ledger_arena_init(&a, 0);
	CHECK_INT(ledger_arena_used(&a), 0);
	ledger_arena_enter(&a);
	v = parse();
	used = ledger_arena_used(&a);
	/* A free inside the arena gives nothing back and breaks nothing. */
	w = json_string("dropped at once");
	json_decref(w);
	ledger_arena_leave();
	CHECK(v != NULL);
	CHECK(used > sizeof(DOC));
	CHECK(ledger_arena_used(&a) > used);
	CHECK_STR(json_string_value(json_object_get(json_object_get(v, "b"),
	    "c")), "text");
	CHECK_INT(json_integer_value(json_array_get(json_object_get(v, "a"),
	    2)), 3);
	/* Outside the arena: malloc, freed by json_decref as usual. */
	used = ledger_arena_used(&a);
	w = parse();
	CHECK(w != NULL);
	CHECK_INT(ledger_arena_used(&a), used);
	json_decref(w);
	/* v is dropped, not freed: reset takes it back. */
	ledger_arena_reset(&a);
	CHECK_INT(ledger_arena_used(&a), 0);
	ledger_arena_destroy(&a);
}

TEST(grows_then_fits_in_one_chunk)
{
	struct ledger_arena a;
	json_t *v[64];
	size_t i, used;
	int ok = 1;

	ledger_arena_init(&a, 512);	/* far smaller than 64 trees */
	ledger_arena_enter(&a);
	for (i = 0; i < 64; i++)
		ok &= (v[i] = parse()) != NULL;
	ledger_arena_leave();
	CHECK(ok);
	used = ledger_arena_used(&a);
	CHECK(used > 64 * 512 / 8);
	for (i = 0; i < 64; i++)
		ok &= json_is_true(json_object_get(json_object_get(v[i], "b"),
		    "d"));
	CHECK(ok);
	/* After a reset the next round of the same size uses one chunk. */
	ledger_arena_reset(&a);
	CHECK_INT(ledger_arena_used(&a), 0);
	CHECK(a.chunk >= used);
	ledger_arena_enter(&a);
	for (i = 0; i < 64; i++)
		ok &= (v[i] = parse()) != NULL;
	ledger_arena_leave();
	CHECK(ok);
	CHECK_INT(ledger_arena_used(&a), used);
	CHECK(a.head != NULL);
	ledger_arena_destroy(&a);
	CHECK(a.head == NULL);
}

TEST(one_allocation_above_the_chunk)
{
	struct ledger_arena a;
	char *big;
	json_t *s;

	ledger_arena_init(&a, 256);
	big = malloc(4096);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'x', 4095);
	big[4095] = '\0';
	ledger_arena_enter(&a);
	s = json_string(big);		/* one allocation above the chunk */
	ledger_arena_leave();
	CHECK(s != NULL);
	CHECK_INT(json_string_length(s), 4095);
	CHECK(ledger_arena_used(&a) >= 4096);
	free(big);
	ledger_arena_destroy(&a);
}

static void *
other_thread(void *arg)
{
	json_t *v = parse();

	(void)arg;
	/* Freed on its own thread, which has entered no arena: free(). */
	json_decref(v);
	return v;
}

TEST(other_threads_keep_malloc)
{
	struct ledger_arena a;
	pthread_t th;
	void *ret = NULL;
	json_t *mine;
	size_t used;

	ledger_arena_init(&a, 0);
	ledger_arena_enter(&a);
	mine = parse();
	used = ledger_arena_used(&a);
	CHECK(pthread_create(&th, NULL, other_thread, NULL) == 0);
	CHECK(pthread_join(th, &ret) == 0);
	CHECK(ret != NULL);
	CHECK(used > 0);
	CHECK_INT(ledger_arena_used(&a), used);
	CHECK(mine != NULL);
	ledger_arena_leave();
	ledger_arena_destroy(&a);
}
