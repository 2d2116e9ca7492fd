/*
 * signer.c - the ledger key and the promise never to sign a fork.
 *
 * The signer remembers the last tree it signed and signs a new checkpoint
 * only when given a consistency proof from that tree, so a bug elsewhere in
 * the daemon cannot obtain two inconsistent signed checkpoints.  It runs
 * in-process for now; the interface (size, root, proof in; note out) is the
 * message format of the separate signer process planned in DESIGN 5.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/keys.h"
#include "ledgerd.h"

struct signer {
	struct ledger_seckey	key;
	uint64_t		last_size;
	uint8_t			last_root[LEDGER_HASH_BYTES];
	char			origin[LEDGER_KEYNAME_MAX + 1];
};

int
signer_open(struct signer **out, const char *keyfile)
{
	struct signer *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return LEDGER_ENOMEM;
	if ((rc = ledger_key_load(keyfile, &s->key)) != 0) {
		free(s);
		return rc;
	}
	ledger_empty_root(s->last_root);
	*out = s;
	return 0;
}

void
signer_close(struct signer *s)
{
	if (s == NULL)
		return;
	ledger_seckey_wipe(&s->key);
	free(s);
}

const struct ledger_pubkey *
signer_pubkey(const struct signer *s)
{
	return &s->key.pub;
}

void
signer_set_last(struct signer *s, uint64_t size, const uint8_t *root)
{
	s->last_size = size;
	memcpy(s->last_root, root, LEDGER_HASH_BYTES);
}

int
signer_sign(struct signer *s, uint64_t size,
    const uint8_t root[LEDGER_HASH_BYTES],
    const uint8_t proof[][LEDGER_HASH_BYTES], size_t nproof, char *out,
    size_t *outlen)
{
	struct ledger_checkpoint c;
	int rc;

	if (size < s->last_size ||
	    ledger_merkle_verify_consistency(s->last_size, size, s->last_root,
	    root, proof, nproof) != 0)
		return LEDGER_EPROOF;
	memset(&c, 0, sizeof(c));
	memcpy(c.origin, s->key.pub.name, sizeof(c.origin));
	c.size = size;
	memcpy(c.root, root, LEDGER_HASH_BYTES);
	if ((rc = ledger_checkpoint_sign(&s->key, &c, out, LEDGER_NOTE_MAX,
	    outlen)) != 0)
		return rc;
	signer_set_last(s, size, root);
	return 0;
}
