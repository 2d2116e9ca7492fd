/*
 * plant.c - test tool: write into a stopped ledger's LMDB files past the
 * daemon's checks, the way an intruder with the data directory and the
 * ledger key would, so tests can show that "ledgerctl audit" finds it.
 *
 *   plant leaf DIR STATEMENT.json
 *	Append the (already signed) statement as the next leaf: correct
 *	seq, time, prev and leaf hash, its Merkle nodes, its id and the meta
 *	size, and a checkpoint over the new tree signed with DIR/ledger.key.
 *	No registry, schema or rule is consulted and no rule state is
 *	written, so the structure verifies and only the rules can tell.
 *	Prints the seq.
 *
 *   plant rule DIR KEY
 *	Flip the low bit of the last byte of the stored rule-state record
 *	KEY ("c:<contract_id>", "s:<statement id>").
 *
 * Built by the integration tests themselves against libledger.a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/append.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "ledger/statement.h"
#include "ledger/store.h"

static int
die(const char *what, int rc)
{
	fprintf(stderr, "plant: %s: %s\n", what, ledger_strerror(rc));
	return 1;
}

static int
plant_leaf(struct ledger_store *s, const char *dir, const char *file)
{
	struct ledger_appender a;
	struct ledger_statement *st = NULL;
	struct ledger_checkpoint c;
	struct ledger_seckey k;
	struct ledger_txn *txn = NULL;
	struct ledger_err err;
	uint8_t hash[LEDGER_HASH_BYTES];
	char path[4096], note[LEDGER_NOTE_MAX], *buf = NULL, *leaf = NULL;
	size_t len, nlen;
	int64_t t;
	int rc;

	snprintf(path, sizeof(path), "%s/ledger.key", dir);
	if ((rc = ledger_key_load(path, &k)) != 0)
		return die(path, rc);
	if ((rc = ledger_file_read(file, LEDGER_JSON_MAX_BYTES, &buf,
	    &len)) != 0 || (rc = ledger_statement_parse(buf, len, &st,
	    &err)) != 0) {
		free(buf);
		ledger_seckey_wipe(&k);
		return die(file, rc);
	}
	free(buf);
	if ((rc = ledger_txn_begin(s, 1, &txn)) != 0 ||
	    (rc = ledger_appender_load(&a, txn)) != 0)
		goto out;
	t = ledger_now_ms();
	if (t < a.last_time)
		t = a.last_time;
	if ((rc = ledger_leaf_build(st, a.size, t, a.last_hash, &leaf, &len,
	    hash, &err)) != 0 ||
	    (rc = ledger_entry_append(txn, a.size, leaf, len)) != 0 ||
	    (rc = ledger_frontier_append(&a.fr, hash, ledger_txn_node_sink,
	    txn)) != 0 ||
	    (rc = ledger_id_put(txn, st->id, a.size)) != 0 ||
	    (rc = ledger_meta_set_size(txn, a.size + 1)) != 0)
		goto out;
	snprintf(c.origin, sizeof(c.origin), "%s", a.origin);
	c.size = a.size + 1;
	ledger_frontier_root(&a.fr, c.root);
	if ((rc = ledger_checkpoint_sign(&k, &c, note, sizeof(note),
	    &nlen)) != 0 ||
	    (rc = ledger_ckpt_put(txn, c.size, note, nlen)) != 0)
		goto out;
	rc = ledger_txn_commit(txn);
	txn = NULL;
	if (rc == 0)
		printf("%llu\n", (unsigned long long)a.size);
out:
	if (txn != NULL)
		ledger_txn_abort(txn);
	ledger_seckey_wipe(&k);
	ledger_statement_free(st);
	free(leaf);
	return rc != 0 ? die("append", rc) : 0;
}

static int
plant_rule(struct ledger_store *s, const char *key)
{
	struct ledger_txn *txn;
	const void *v;
	uint8_t *copy;
	size_t n;
	int rc;

	if ((rc = ledger_txn_begin(s, 1, &txn)) != 0)
		return die("begin", rc);
	if ((rc = ledger_db_get(txn, LEDGER_DB_RULES, key, strlen(key), &v,
	    &n)) != 0 || n == 0) {
		ledger_txn_abort(txn);
		return die(key, rc ? rc : LEDGER_ENOTFOUND);
	}
	if ((copy = malloc(n)) == NULL) {
		ledger_txn_abort(txn);
		return die("malloc", LEDGER_ENOMEM);
	}
	memcpy(copy, v, n);
	copy[n - 1] ^= 1;
	rc = ledger_db_put(txn, LEDGER_DB_RULES, key, strlen(key), copy, n, 0);
	free(copy);
	if (rc != 0) {
		ledger_txn_abort(txn);
		return die("put", rc);
	}
	if ((rc = ledger_txn_commit(txn)) != 0)
		return die("commit", rc);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ledger_store *s;
	int rc;

	if (sodium_init() < 0)
		return die("sodium_init", LEDGER_EINVAL);
	if (argc != 4 || (strcmp(argv[1], "leaf") != 0 &&
	    strcmp(argv[1], "rule") != 0)) {
		fprintf(stderr, "usage: plant leaf DIR STATEMENT.json | "
		    "plant rule DIR KEY\n");
		return 2;
	}
	if ((rc = ledger_store_open(argv[2], 0, 0, &s)) != 0)
		return die(argv[2], rc);
	rc = strcmp(argv[1], "leaf") == 0 ? plant_leaf(s, argv[2], argv[3]) :
	    plant_rule(s, argv[3]);
	ledger_store_close(s);
	return rc;
}
