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
 * Damage for the tamper-evidence tests (test_tamper), each one write:
 *
 *   plant flip-leaf DIR SEQ	swap the case of one letter in the middle
 *				of entry SEQ (still valid JSON)
 *   plant flip-node DIR LEVEL INDEX
 *				flip the low bit of a stored Merkle node
 *   plant flip-ckpt DIR SIZE	swap the case of one letter of the
 *				signature of checkpoint SIZE
 *   plant forge-ckpt DIR SIZE	re-sign checkpoint SIZE with DIR/ledger.key
 *				over a root with one bit flipped
 *   plant del-ckpt DIR SIZE	delete checkpoint SIZE
 *   plant del-entry DIR SEQ	delete entry SEQ (nothing else)
 *   plant del-id DIR ID	delete statement id ID from the id index
 *
 * For the query index (DIR/index.mdb), as an intruder would edit it
 * (test_audit):
 *
 *   plant del-row DIR DB VALUE SEQ
 *				delete the row for VALUE and entry SEQ from
 *				query index DB (by_ocid, by_org, ...)
 *   plant add-row DIR DB VALUE SEQ
 *				add one (leaf time 0, kind "vote")
 *
 * and with the ledger not opened, so as a crash leaves it:
 *
 *   plant index-state DIR STATE
 *				set its meta "state" (e.g. "run:<another
 *				boot id>": as if the system had crashed)
 *
 * Built by the integration tests themselves against libledger.a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>
#include <sodium.h>

#include "ledger/append.h"
#include "ledger/keys.h"
#include "ledger/limits.h"
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

/*
 * Entries are stored in bundles (ledger/store.h): for LEDGER_DB_ENTRIES
 * the key is a u64 BE seq, read and written through the entry calls so
 * only that leaf's bytes change, as damage to one entry would.
 */
static int
get(struct ledger_txn *txn, enum ledger_db db, const void *key, size_t klen,
    const void **v, size_t *n)
{
	if (db == LEDGER_DB_ENTRIES)
		return ledger_entry_get(txn, ledger_be64_get(key),
		    (const uint8_t **)v, n);
	return ledger_db_get(txn, db, key, klen, v, n);
}

static int
put(struct ledger_txn *txn, enum ledger_db db, const void *key, size_t klen,
    const void *v, size_t n)
{
	if (db == LEDGER_DB_ENTRIES)
		return ledger_entry_replace(txn, ledger_be64_get(key), v, n);
	return ledger_db_put(txn, db, key, klen, v, n, 0);
}

/* Read key in db, let change() alter a copy, write it back. */
static int
rewrite(struct ledger_store *s, enum ledger_db db, const void *key,
    size_t klen, int (*change)(uint8_t *, size_t))
{
	struct ledger_txn *txn;
	const void *v;
	uint8_t *copy;
	size_t n;
	int rc;

	if ((rc = ledger_txn_begin(s, 1, &txn)) != 0)
		return die("begin", rc);
	if ((rc = get(txn, db, key, klen, &v, &n)) != 0 || n == 0) {
		ledger_txn_abort(txn);
		return die("get", rc ? rc : LEDGER_ENOTFOUND);
	}
	if ((copy = malloc(n)) == NULL) {
		ledger_txn_abort(txn);
		return die("malloc", LEDGER_ENOMEM);
	}
	memcpy(copy, v, n);
	if ((rc = change(copy, n)) == 0)
		rc = put(txn, db, key, klen, copy, n);
	free(copy);
	if (rc != 0) {
		ledger_txn_abort(txn);
		return die("change", rc);
	}
	if ((rc = ledger_txn_commit(txn)) != 0)
		return die("commit", rc);
	return 0;
}

/* The low bit of the record's last byte. */
static int
flip_last_bit(uint8_t *p, size_t n)
{
	p[n - 1] ^= 1;
	return 0;
}

static int
plant_rule(struct ledger_store *s, const char *key)
{
	return rewrite(s, LEDGER_DB_RULES, key, strlen(key), flip_last_bit);
}

static int
is_letter(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The first letter from the middle on: the bytes stay valid JSON. */
static int
change_leaf(uint8_t *p, size_t n)
{
	size_t i;

	for (i = n / 2; i < n; i++)
		if (is_letter(p[i])) {
			p[i] ^= 0x20;
			return 0;
		}
	return LEDGER_ENOTFOUND;
}

static int
change_node(uint8_t *p, size_t n)
{
	p[n - 1] ^= 1;
	return 0;
}

/* A letter of the last line's base64 (the signature), not the "— ". */
static int
change_sig(uint8_t *p, size_t n)
{
	size_t i;

	for (i = n >= 8 ? n - 8 : 0; i > 0; i--)
		if (is_letter(p[i])) {
			p[i] ^= 0x20;
			return 0;
		}
	return LEDGER_ENOTFOUND;
}

static int
forge_ckpt(struct ledger_store *s, const char *dir, uint64_t size)
{
	struct ledger_checkpoint c;
	struct ledger_seckey k;
	struct ledger_txn *txn;
	char path[4096], note[LEDGER_NOTE_MAX], origin[LEDGER_KEYNAME_MAX + 1];
	uint8_t key[8];
	size_t nlen;
	int rc;

	snprintf(path, sizeof(path), "%s/ledger.key", dir);
	if ((rc = ledger_key_load(path, &k)) != 0)
		return die(path, rc);
	if ((rc = ledger_txn_begin(s, 1, &txn)) != 0) {
		ledger_seckey_wipe(&k);
		return die("begin", rc);
	}
	ledger_be64_put(key, size);
	if ((rc = ledger_meta_origin(txn, origin, sizeof(origin))) != 0 ||
	    (rc = ledger_merkle_root(size, ledger_txn_hash_reader, txn,
	    c.root)) != 0)
		goto out;
	snprintf(c.origin, sizeof(c.origin), "%s", origin);
	c.size = size;
	c.root[0] ^= 1;
	if ((rc = ledger_checkpoint_sign(&k, &c, note, sizeof(note),
	    &nlen)) != 0 ||
	    (rc = ledger_db_put(txn, LEDGER_DB_CHECKPOINTS, key, 8, note, nlen,
	    0)) != 0)
		goto out;
	rc = ledger_txn_commit(txn);
	txn = NULL;
out:
	if (txn != NULL)
		ledger_txn_abort(txn);
	ledger_seckey_wipe(&k);
	return rc != 0 ? die("forge", rc) : 0;
}

/* Add a record that is not there (val), or delete one (val NULL). */
static int
write_one(struct ledger_store *s, enum ledger_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	struct ledger_txn *txn;
	int rc;

	if ((rc = ledger_txn_begin(s, 1, &txn)) != 0)
		return die("begin", rc);
	if (val != NULL)
		rc = ledger_db_put(txn, db, key, klen, val, vlen,
		    LEDGER_PUT_NOOVERWRITE);
	else if (db == LEDGER_DB_ENTRIES)
		/* An entry is emptied in its bundle: it reads as missing. */
		rc = put(txn, db, key, klen, NULL, 0);
	else
		rc = ledger_db_del(txn, db, key, klen);
	if (rc != 0) {
		ledger_txn_abort(txn);
		return die(val != NULL ? "add" : "delete", rc);
	}
	if ((rc = ledger_txn_commit(txn)) != 0)
		return die("commit", rc);
	return 0;
}

/* The damage subcommands; -1 if cmd is not one. */
static int
damage(struct ledger_store *s, int argc, char **argv)
{
	const char *cmd = argv[1];
	uint64_t a = 0, b = 0;
	uint8_t key[8];

	if (argc >= 4)
		a = strtoull(argv[3], NULL, 10);
	if (argc >= 5)
		b = strtoull(argv[4], NULL, 10);
	ledger_be64_put(key, a);
	if (strcmp(cmd, "flip-leaf") == 0 && argc == 4)
		return rewrite(s, LEDGER_DB_ENTRIES, key, 8, change_leaf);
	if (strcmp(cmd, "flip-node") == 0 && argc == 5) {
		ledger_be64_put(key, ledger_stored_hash_index((unsigned)a, b));
		return rewrite(s, LEDGER_DB_NODES, key, 8, change_node);
	}
	if (strcmp(cmd, "flip-ckpt") == 0 && argc == 4)
		return rewrite(s, LEDGER_DB_CHECKPOINTS, key, 8, change_sig);
	if (strcmp(cmd, "forge-ckpt") == 0 && argc == 4)
		return forge_ckpt(s, argv[2], a);
	if (strcmp(cmd, "del-ckpt") == 0 && argc == 4)
		return write_one(s, LEDGER_DB_CHECKPOINTS, key, 8, NULL, 0);
	if (strcmp(cmd, "del-entry") == 0 && argc == 4)
		return write_one(s, LEDGER_DB_ENTRIES, key, 8, NULL, 0);
	if (strcmp(cmd, "del-id") == 0 && argc == 4)
		return write_one(s, LEDGER_DB_IDS, argv[3], strlen(argv[3]),
		    NULL, 0);
	return -1;
}

/* del-row, add-row: argv[3] DB, argv[4] VALUE, argv[5] SEQ. */
static int
index_row(struct ledger_store *s, char **argv)
{
	static const uint8_t data[] = { 0, 0, 0, 0, 0, 0, 0, 0, 'v', 'o', 't',
	    'e' };
	uint8_t key[LEDGER_INDEX_VALUE_MAX + 9];
	size_t n = strlen(argv[4]);
	int db;

	for (db = 0; db < LEDGER_DB_COUNT &&
	    strcmp(ledger_db_name((enum ledger_db)db), argv[3]) != 0; db++)
		;
	if (db == LEDGER_DB_COUNT || n == 0 || n > LEDGER_INDEX_VALUE_MAX) {
		fprintf(stderr, "plant: no database %s, or a bad value\n",
		    argv[3]);
		return 2;
	}
	memcpy(key, argv[4], n);
	key[n] = 0;
	ledger_be64_put(key + n + 1, strtoull(argv[5], NULL, 10));
	return write_one(s, (enum ledger_db)db, key, n + 9,
	    strcmp(argv[1], "del-row") == 0 ? NULL : data, sizeof(data));
}

/* Raw LMDB: opening the ledger would mark the index as this boot's. */
static int
index_state(const char *dir, const char *state)
{
	char path[4096];
	MDB_val k = { 5, "state" }, v = { strlen(state), (void *)state };
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;
	int rc;

	snprintf(path, sizeof(path), "%s/index.mdb", dir);
	if ((rc = mdb_env_create(&env)) != 0)
		goto out;
	if ((rc = mdb_env_set_maxdbs(env, 8)) != 0 ||
	    (rc = mdb_env_open(env, path, MDB_NOSUBDIR, 0600)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, 0, &t)) != 0) {
		mdb_env_close(env);
		goto out;
	}
	if ((rc = mdb_dbi_open(t, "meta", 0, &dbi)) != 0 ||
	    (rc = mdb_put(t, dbi, &k, &v, 0)) != 0)
		mdb_txn_abort(t);
	else
		rc = mdb_txn_commit(t);
	mdb_env_close(env);
out:
	if (rc != 0)
		fprintf(stderr, "plant: %s: %s\n", path, mdb_strerror(rc));
	return rc != 0;
}

int
main(int argc, char **argv)
{
	struct ledger_store *s;
	int rc;

	if (sodium_init() < 0)
		return die("sodium_init", LEDGER_EINVAL);
	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: plant leaf DIR STATEMENT.json | "
		    "plant rule DIR KEY | plant flip-leaf|flip-ckpt|forge-ckpt|"
		    "del-ckpt|del-entry DIR N | plant flip-node DIR LEVEL "
		    "INDEX | plant del-id DIR ID | plant index-state DIR "
		    "STATE | plant del-row|add-row DIR DB VALUE SEQ\n");
		return 2;
	}
	if (strcmp(argv[1], "index-state") == 0 && argc == 4)
		return index_state(argv[2], argv[3]);
	if ((rc = ledger_store_open(argv[2], 0, 0, &s)) != 0)
		return die(argv[2], rc);
	if ((strcmp(argv[1], "del-row") == 0 ||
	    strcmp(argv[1], "add-row") == 0) && argc == 6)
		rc = index_row(s, argv);
	else if (strcmp(argv[1], "leaf") == 0 && argc == 4)
		rc = plant_leaf(s, argv[2], argv[3]);
	else if (strcmp(argv[1], "rule") == 0 && argc == 4)
		rc = plant_rule(s, argv[3]);
	else if ((rc = damage(s, argc, argv)) == -1) {
		fprintf(stderr, "plant: unknown command %s\n", argv[1]);
		rc = 2;
	}
	ledger_store_close(s);
	return rc;
}
