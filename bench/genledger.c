/*
 * genledger.c - grow a ledger to N entries directly through the library,
 * for read and verify benchmarks at 10k, 100k and 1M entries, and report
 * its disk use per LMDB database.
 *
 *   ledgerctl init -d DIR --origin O --admin admin.key.pub
 *   genledger -d DIR -n 1000000 --admin admin.key -k conv.key --org USCC
 *   genledger --usage -d DIR [--json]
 *
 * Every entry is a real ~1 KB vote signed with Ed25519 by the author key
 * (registered first, signed by the admin, if it is not yet), appended
 * with ledger_appender_add -- the sequencer's own code path, with its
 * checks, nodes, ids and indexes -- in transactions of --batch entries;
 * each transaction also stores the checkpoint of its tree, signed with
 * DIR/ledger.key, so ledgerd and "ledgerctl verify" accept the result.
 * Signing runs on worker threads one chunk ahead of the appender.  Run it
 * while no ledgerd serves DIR (it is the writer).
 */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "ledger/append.h"
#include "ledger/keys.h"
#include "ledger/registry.h"
#include "ledger/store.h"
#include "bench.h"

struct chunk {
	pthread_t		 tid;
	uint64_t		 first;
	size_t			 n;
	struct ledger_statement	**sts;
	int			 rc;
};

static struct {
	struct bench_votegen	 g;
	struct ledger_seckey	 author;
	char			 origin[LEDGER_KEYNAME_MAX + 1];
	unsigned		 threads;
} S;

static void *
chunk_main(void *arg)
{
	struct chunk *c = arg;

	c->rc = bench_presign(&S.g, &S.author, S.origin, c->first, c->n,
	    S.threads, c->sts, NULL, NULL);
	return NULL;
}

static int
chunk_start(struct chunk *c, uint64_t first, size_t n)
{
	c->first = first;
	c->n = n;
	c->rc = 0;
	if ((c->sts = calloc(n ? n : 1, sizeof(*c->sts))) == NULL)
		return LEDGER_ENOMEM;
	if (pthread_create(&c->tid, NULL, chunk_main, c) != 0) {
		free(c->sts);
		return LEDGER_ENOMEM;
	}
	return 0;
}

static void
chunk_free(struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		ledger_statement_free(c->sts[i]);
	free(c->sts);
	c->sts = NULL;
}

/* Store the signed checkpoint of the appender's tree, then commit. */
static int
checkpoint_commit(struct ledger_txn *txn, const struct ledger_appender *a,
    const struct ledger_seckey *lkey)
{
	struct ledger_checkpoint c;
	char note[LEDGER_NOTE_MAX];
	size_t len;
	int rc;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", a->origin);
	c.size = a->size;
	ledger_frontier_root(&a->fr, c.root);
	if ((rc = ledger_checkpoint_sign(lkey, &c, note, sizeof(note),
	    &len)) != 0 || (rc = ledger_ckpt_put(txn, a->size, note,
	    len)) != 0) {
		ledger_txn_abort(txn);
		return rc;
	}
	return ledger_txn_commit(txn);
}

/* Register the author key (role convener) with a key entry by the admin. */
static int
register_author(struct ledger_appender *a, struct ledger_txn *txn,
    const struct ledger_seckey *admin)
{
	struct ledger_registry reg;
	struct ledger_keyrec rec;
	struct ledger_statement *st = NULL;
	struct ledger_appended res;
	struct ledger_err err;
	char vkey[LEDGER_VKEY_MAX], id[LEDGER_ID_MAX + 1];
	json_t *v;
	int rc;

	ledger_txnreg_init(&reg, txn);
	if (reg.get(reg.ctx, S.author.pub.name, &rec) == 0)
		return 0;
	if ((rc = ledger_vkey_format(&S.author.pub, vkey, sizeof(vkey))) != 0)
		return rc;
	snprintf(id, sizeof(id), "key-%.120s", S.author.pub.name);
	v = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s}}",
	    "id", id, "kind", "key", "body", "name", S.author.pub.name,
	    "public_key", vkey, "role", "convener", "org", "scheme", "CN-USCI",
	    "id", S.g.org, "name", S.g.org_name, "valid_from",
	    "2020-01-01T00:00:00+08:00");
	if (v == NULL)
		return LEDGER_ENOMEM;
	if ((rc = ledger_statement_from_json(v, &st, &err)) != 0 ||
	    (rc = ledger_statement_sign(st, S.origin, admin)) != 0 ||
	    (rc = ledger_appender_add(a, txn, st, ledger_now_ms(), 0, &res,
	    &err)) != 0)
		fprintf(stderr, "genledger: registering %s: %s %s\n",
		    S.author.pub.name, err.path, err.msg);
	ledger_statement_free(st);
	return rc;
}

/* Disk use per database, leaf bytes, as one JSON object (or text). */
static int
usage_report(struct ledger_store *store, int json)
{
	uint64_t file, db[LEDGER_DB_COUNT], size, seq, leaves = 0, total = 0;
	struct ledger_txn *txn;
	const uint8_t *leaf;
	size_t vl;
	json_t *o, *dbs;
	char *s;
	int rc, i;

	if ((rc = ledger_store_usage(store, &file, db)) != 0 ||
	    (rc = ledger_txn_begin(store, 0, &txn)) != 0)
		return rc;
	if ((rc = ledger_meta_size(txn, &size)) != 0) {
		ledger_txn_abort(txn);
		return rc;
	}
	for (seq = 0; seq < size; seq++) {
		if ((rc = ledger_entry_get(txn, seq, &leaf, &vl)) != 0) {
			ledger_txn_abort(txn);
			return rc;
		}
		leaves += vl;
	}
	ledger_txn_abort(txn);
	for (i = 0; i < LEDGER_DB_COUNT; i++)
		total += db[i];
	if (!json) {
		printf("entries %" PRIu64 ", mean leaf %.0f B, data file %"
		    PRIu64 " B (%.0f B/entry), databases %" PRIu64 " B "
		    "(%.0f B/entry)\n", size, size ? (double)leaves / size : 0,
		    file, size ? (double)file / size : 0, total,
		    size ? (double)total / size : 0);
		for (i = 0; i < LEDGER_DB_COUNT; i++)
			printf("  %-13s %12" PRIu64 " B %8.1f B/entry\n",
			    ledger_db_name(i), db[i],
			    size ? (double)db[i] / size : 0);
		return 0;
	}
	if ((dbs = json_object()) == NULL)
		return LEDGER_ENOMEM;
	for (i = 0; i < LEDGER_DB_COUNT; i++)
		json_object_set_new(dbs, ledger_db_name(i),
		    json_integer((json_int_t)db[i]));
	o = json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:o}", "entries",
	    (json_int_t)size, "leaf_bytes", (json_int_t)leaves, "file_bytes",
	    (json_int_t)file, "db_bytes", (json_int_t)total, "mean_leaf",
	    size ? (double)leaves / size : 0.0, "file_per_entry",
	    size ? (double)file / size : 0.0, "db_per_entry",
	    size ? (double)total / size : 0.0, "per_db", dbs);
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT |
	    JSON_REAL_PRECISION(7))) == NULL) {
		json_decref(o);
		return LEDGER_ENOMEM;
	}
	printf("%s\n", s);
	free(s);
	json_decref(o);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: genledger -d DIR -n ENTRIES --admin ADMINKEY "
	    "-k AUTHORKEY [--org USCC]\n"
	    "                 [--org-name NAME] [--batch N] [--projects P] "
	    "[--prefix ID]\n"
	    "                 [--threads T] [--json]\n"
	    "       genledger --usage -d DIR [--json]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dir", 1, NULL, 'd' }, { "entries", 1, NULL, 'n' },
		{ "admin", 1, NULL, 'A' }, { "key", 1, NULL, 'k' },
		{ "org", 1, NULL, 'O' }, { "org-name", 1, NULL, 'N' },
		{ "batch", 1, NULL, 'b' }, { "projects", 1, NULL, 'R' },
		{ "prefix", 1, NULL, 'X' }, { "threads", 1, NULL, 'T' },
		{ "json", 0, NULL, 'J' }, { "usage", 0, NULL, 'U' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *adminfile = NULL, *keyfile = NULL;
	const char *org = "91350100M000100Y43", *prefix = "gen";
	const char *org_name = "平湖市当湖街道东湖社区居民代表会议";
	struct ledger_seckey admin, lkey;
	struct ledger_store *store;
	struct ledger_appender a;
	struct ledger_txn *txn;
	struct ledger_appended res;
	struct ledger_err err;
	struct chunk cur, next;
	uint64_t target = 0, start, batch = 10000, refused = 0;
	unsigned projects = 1000;
	char path[1024];
	double t0, t;
	size_t i;
	int ch, json = 0, only_usage = 0, rc;

	S.threads = bench_ncpu();
	while ((ch = getopt_long(argc, argv, "d:n:k:b:", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'n': target = strtoull(optarg, NULL, 10); break;
		case 'A': adminfile = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'O': org = optarg; break;
		case 'N': org_name = optarg; break;
		case 'b': batch = strtoull(optarg, NULL, 10); break;
		case 'R': projects = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'X': prefix = optarg; break;
		case 'T': S.threads = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'J': json = 1; break;
		case 'U': only_usage = 1; break;
		default: usage();
		}
	}
	if (optind != argc || dir == NULL || batch == 0 || (!only_usage &&
	    (adminfile == NULL || keyfile == NULL)))
		usage();
	if (sodium_init() < 0)
		return 3;
	if (only_usage) {
		if ((rc = ledger_store_open(dir, LEDGER_STORE_RDONLY, 0,
		    &store)) != 0) {
			fprintf(stderr, "genledger: %s: %s\n", dir,
			    ledger_strerror(rc));
			return 3;
		}
		rc = usage_report(store, json);
		ledger_store_close(store);
		return rc == 0 ? 0 : 3;
	}
	snprintf(path, sizeof(path), "%s/ledger.key", dir);
	if ((rc = ledger_key_load(path, &lkey)) != 0 ||
	    (rc = ledger_key_load(adminfile, &admin)) != 0 ||
	    (rc = ledger_key_load(keyfile, &S.author)) != 0) {
		fprintf(stderr, "genledger: loading keys: %s\n",
		    ledger_strerror(rc));
		return 3;
	}
	if ((rc = ledger_store_open(dir, 0, 0, &store)) != 0) {
		fprintf(stderr, "genledger: %s: %s (make it with ledgerctl "
		    "init)\n", dir, ledger_strerror(rc));
		return 3;
	}
	bench_votegen_init(&S.g, prefix, org, org_name, projects);
	if ((rc = ledger_txn_begin(store, 1, &txn)) != 0 ||
	    (rc = ledger_appender_load(&a, txn)) != 0)
		goto fail;
	snprintf(S.origin, sizeof(S.origin), "%s", a.origin);
	start = a.size;
	if ((rc = register_author(&a, txn, &admin)) != 0 ||
	    (rc = checkpoint_commit(txn, &a, &lkey)) != 0)
		goto fail;
	t0 = bench_now_s();
	memset(&next, 0, sizeof(next));
	if (a.size < target && (rc = chunk_start(&next, a.size,
	    target - a.size < batch ? target - a.size : batch)) != 0)
		goto fail;
	while (a.size < target) {
		uint64_t after;

		cur = next;
		pthread_join(cur.tid, NULL);
		if ((rc = cur.rc) != 0) {
			chunk_free(&cur);
			goto fail;
		}
		after = a.size + cur.n;
		memset(&next, 0, sizeof(next));
		if (after < target && (rc = chunk_start(&next, after,
		    target - after < batch ? target - after : batch)) != 0)
			goto fail;
		if ((rc = ledger_txn_begin(store, 1, &txn)) != 0)
			goto fail;
		for (i = 0; i < cur.n; i++) {
			rc = ledger_appender_add(&a, txn, cur.sts[i],
			    ledger_now_ms(), 0, &res, &err);
			if (rc == LEDGER_EFULL || rc == LEDGER_EIO ||
			    rc == LEDGER_ESTORE || rc == LEDGER_ENOMEM) {
				ledger_txn_abort(txn);
				goto fail;
			}
			if (rc != 0 && refused++ == 0)
				fprintf(stderr, "genledger: refused %s: %s %s "
				    "%s\n", cur.sts[i]->id, err.rule, err.path,
				    err.msg);
		}
		chunk_free(&cur);
		if ((rc = checkpoint_commit(txn, &a, &lkey)) != 0)
			goto fail;
		t = bench_now_s() - t0;
		fprintf(stderr, "\rgenledger: %" PRIu64 " entries, %.0f/s   ",
		    a.size, (double)(a.size - start) / t);
		if (refused > 0 && a.size < after) {
			fprintf(stderr, "\ngenledger: %" PRIu64 " statements "
			    "refused; stopping\n", refused);
			rc = LEDGER_ERULE;
			goto fail;
		}
	}
	t = bench_now_s() - t0;
	fprintf(stderr, "\ngenledger: %s has %" PRIu64 " entries (%" PRIu64
	    " added in %.1f s, %.0f/s)\n", dir, a.size, a.size - start, t,
	    t > 0 ? (double)(a.size - start) / t : 0);
	rc = usage_report(store, json);
	ledger_store_close(store);
	ledger_seckey_wipe(&lkey);
	ledger_seckey_wipe(&admin);
	ledger_seckey_wipe(&S.author);
	return rc == 0 ? 0 : 3;
fail:
	fprintf(stderr, "\ngenledger: %s\n", ledger_strerror(rc));
	ledger_store_close(store);
	return 3;
}
