/*
 * served.c - the tree ledgerd serves (size, root, signed note): set by the
 * sequencer after each signed batch, copied by every reader.  Apart from
 * sequencer.c so that the HTTP fuzz target links the real thing.
 */
#include <string.h>
#include <time.h>

#include "ledgerd.h"

uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
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

void
served_set(struct ledgerd *d, uint64_t size, const uint8_t *root,
    const char *note, size_t notelen)
{
	pthread_mutex_lock(&d->served.mu);
	d->served.size = size;
	memcpy(d->served.root, root, LEDGER_HASH_BYTES);
	memcpy(d->served.note, note, notelen);
	d->served.note[notelen] = '\0';
	d->served.notelen = notelen;
	pthread_mutex_unlock(&d->served.mu);
}
