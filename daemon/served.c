/*
 * served.c - the tree ledgerd serves (size, root, signed note): set by the
 * sequencer after each signed batch, copied by every reader.  Apart from
 * sequencer.c so that the HTTP fuzz target links the real thing.
 */
#include <string.h>
#include <time.h>

#include "ledgerd.h"

uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

uint64_t
mono_us(void)
{
	return mono_ns() / 1000;
}

void
served_get(struct ledgerd *d, uint64_t *size, uint8_t *root, char *note,
    size_t *notelen)
{
	pthread_mutex_lock(&d->served.mu);
	*size = d->served.size;
	if (root != NULL)
		memcpy(root, d->served.root, LEDGER_HASH_BYTES);
	if (note != NULL) {
		memcpy(note, d->served.note, d->served.notelen + 1);
		*notelen = d->served.notelen;
	}
	pthread_mutex_unlock(&d->served.mu);
}

/* Only the first count entries of an edge mean anything: 4 KiB otherwise. */
static void
edge_copy(struct ledger_edge *dst, const struct ledger_edge *src)
{
	dst->size = src->size;
	dst->count = src->count;
	memcpy(dst->sub, src->sub, (size_t)src->count * LEDGER_HASH_BYTES);
	memcpy(dst->right, src->right, (size_t)src->count * LEDGER_HASH_BYTES);
}

void
served_set(struct ledgerd *d, uint64_t size, const uint8_t *root,
    const char *note, size_t notelen, const struct ledger_frontier *fr)
{
	uint8_t top[LEDGER_HASH_BYTES];
	struct ledger_edge e;
	struct jbuf b;
	int bad;

	/*
	 * Escaped and hashed outside the lock, which every read takes; a
	 * failed allocation only costs speed.
	 */
	jbuf_init(&b, 2 * notelen + 2);
	bad = jbuf_note(&b, note, notelen);
	e.size = 0;
	e.count = 0;
	if (fr != NULL && fr->size == size) {
		ledger_edge_init(&e, fr, top);
		/* Proofs from an edge that is not the signed tree's would fail. */
		if (memcmp(top, root, LEDGER_HASH_BYTES) != 0) {
			log_warnx("the appender's frontier of tree %llu does not "
			    "hash to its signed root; proofs take the stored "
			    "path", (unsigned long long)size);
			e.size = 0;
			e.count = 0;
		}
	}
	pthread_mutex_lock(&d->served.mu);
	d->served.size = size;
	memcpy(d->served.root, root, LEDGER_HASH_BYTES);
	memcpy(d->served.note, note, notelen);
	d->served.note[notelen] = '\0';
	d->served.notelen = notelen;
	d->served.note_jsonlen = 0;
	if (b.p != NULL && !bad && b.len <= sizeof(d->served.note_json)) {
		memcpy(d->served.note_json, b.p, b.len);
		d->served.note_jsonlen = b.len;
	}
	edge_copy(&d->served.edge, &e);
	pthread_mutex_unlock(&d->served.mu);
	jbuf_free(&b);
}

int
served_note_json(struct ledgerd *d, uint64_t size, struct jbuf *b)
{
	char note[LEDGER_NOTE_MAX];
	size_t len;

	pthread_mutex_lock(&d->served.mu);
	if (d->served.size != size) {
		pthread_mutex_unlock(&d->served.mu);
		return 0;
	}
	if (d->served.note_jsonlen > 0) {
		jbuf_add(b, d->served.note_json, d->served.note_jsonlen);
		pthread_mutex_unlock(&d->served.mu);
		return 1;
	}
	/* Not escaped at set time (no memory, or not UTF-8): now. */
	len = d->served.notelen;
	memcpy(note, d->served.note, len);
	pthread_mutex_unlock(&d->served.mu);
	return jbuf_note(b, note, len) == 0 ? 1 : -1;
}

/* The served edge if it is of size. */
static int
edge_get(struct ledgerd *d, uint64_t size, struct ledger_edge *out)
{
	int have;

	pthread_mutex_lock(&d->served.mu);
	have = size > 0 && d->served.edge.size == size;
	if (have)
		edge_copy(out, &d->served.edge);
	pthread_mutex_unlock(&d->served.mu);
	return have;
}

int
served_inclusion(struct ledgerd *d, struct ledger_txn *txn, uint64_t seq,
    uint64_t size, uint8_t proof[][LEDGER_HASH_BYTES], size_t *n)
{
	struct ledger_cached_nodes cn = { d->nodes, txn };
	struct ledger_edge e;

	if (edge_get(d, size, &e))
		return ledger_merkle_inclusion_edge(seq, &e,
		    ledger_cached_hash_reader, &cn, proof, n);
	return ledger_merkle_inclusion(seq, size, ledger_cached_hash_reader,
	    &cn, proof, n);
}
