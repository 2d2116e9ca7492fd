/*
 * init.c - "ledgerctl init": a new ledger with its key and genesis entry.
 *
 * The genesis entry goes through the same append code as every later
 * entry, and its checkpoint (size 1) is signed here, so ledgerd starts on a
 * ledger that already verifies.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/append.h"
#include "ledger/keys.h"
#include "ledger/statement.h"
#include "ledger/store.h"
#include "ledgerctl.h"

static int
genesis(struct ledger_store *st, const struct ledger_seckey *lkey,
    const struct ledger_pubkey *admin, const char *org, const char *orgname)
{
	char vkey[LEDGER_VKEY_MAX], ts[LEDGER_TIME_BYTES];
	char note[LEDGER_NOTE_MAX];
	struct ledger_statement *s;
	struct ledger_appender app;
	struct ledger_appended res;
	struct ledger_checkpoint c;
	struct ledger_err err;
	struct ledger_txn *txn;
	json_t *body, *j;
	size_t notelen;
	int64_t now = ledger_now_ms();
	int rc;

	ledger_vkey_format(admin, vkey, sizeof(vkey));
	ledger_time_format(now, ts);
	body = json_pack("{s:s, s:s, s:s, s:s}", "name", admin->name,
	    "public_key", vkey, "role", "admin", "valid_from", ts);
	if (body != NULL && org != NULL)
		json_object_set_new(body, "org", json_pack("{s:s, s:s, s:s}",
		    "scheme", "CN-USCI", "id", org, "name",
		    orgname ? orgname : org));
	j = json_pack("{s:s, s:s, s:o, s:[]}", "id", "genesis", "kind", "key",
	    "body", body, "signatures");
	if (j == NULL)
		return fail(EXIT_IO, "out of memory");
	ledger_err_clear(&err);
	if ((rc = ledger_statement_from_json(j, &s, &err)) != 0)
		return fail(EXIT_USAGE, "genesis entry: %s: %s", err.path,
		    err.msg);
	if ((rc = ledger_txn_begin(st, 1, &txn)) != 0) {
		ledger_statement_free(s);
		return fail(EXIT_IO, "cannot write the ledger: %s",
		    ledger_strerror(rc));
	}
	if ((rc = ledger_appender_load(&app, txn)) != 0 ||
	    (rc = ledger_appender_add(&app, txn, s, now, 0, &res, &err)) != 0)
		goto fail;
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", app.origin);
	c.size = 1;
	ledger_frontier_root(&app.fr, c.root);
	if ((rc = ledger_checkpoint_sign(lkey, &c, note, sizeof(note),
	    &notelen)) != 0 ||
	    (rc = ledger_ckpt_put(txn, 1, note, notelen)) != 0)
		goto fail;
	ledger_statement_free(s);
	if ((rc = ledger_txn_commit(txn)) != 0)
		return fail(EXIT_IO, "cannot commit the genesis entry: %s",
		    ledger_strerror(rc));
	return EXIT_OK;
fail:
	ledger_txn_abort(txn);
	ledger_statement_free(s);
	if (err.msg[0])
		return fail(EXIT_USAGE, "genesis entry refused: %s%s%s",
		    err.path, err.path[0] ? ": " : "", err.msg);
	return fail(EXIT_IO, "cannot create the genesis entry: %s",
	    ledger_strerror(rc));
}

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir",	required_argument, NULL, 'd' },
		{ "origin",	required_argument, NULL, 'o' },
		{ "admin",	required_argument, NULL, 'a' },
		{ "admin-org",	required_argument, NULL, 'g' },
		{ "admin-org-name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *origin = NULL, *adminf = NULL;
	const char *org = NULL, *orgname = NULL;
	char keypath[4096], vkey[LEDGER_VKEY_MAX], mdb[4096];
	struct ledger_pubkey admin;
	struct ledger_seckey lkey;
	struct ledger_store *st;
	struct stat sb;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'o': origin = optarg; break;
		case 'a': adminf = optarg; break;
		case 'g': org = optarg; break;
		case 'n': orgname = optarg; break;
		default:
			print_help("init", stderr);
			return EXIT_USAGE;
		}
	}
	if (dir == NULL || origin == NULL || adminf == NULL || optind != argc) {
		print_help("init", stderr);
		return EXIT_USAGE;
	}
	if (ledger_keyname_check(origin) != 0)
		return fail(EXIT_USAGE, "origin \"%s\" is not valid: use a "
		    "scheme-less URL without spaces or '+', e.g. "
		    "ledger.example.gov.cn/town-2026", origin);
	if ((rc = ledger_pubkey_load(adminf, &admin)) != 0)
		return fail(EXIT_USAGE, "cannot read the admin verifier key "
		    "%s: %s (make one with \"ledgerctl keygen\")", adminf,
		    ledger_strerror(rc));
	snprintf(mdb, sizeof(mdb), "%s/data.mdb", dir);
	if (stat(mdb, &sb) == 0)
		return fail(EXIT_USAGE, "%s already holds a ledger; init never "
		    "overwrites one", dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return fail(EXIT_IO, "cannot create %s: %s", dir,
		    strerror(errno));
	snprintf(keypath, sizeof(keypath), "%s/ledger.key", dir);
	if ((rc = ledger_seckey_generate(origin, &lkey)) != 0)
		return fail(EXIT_IO, "cannot make the ledger key: %s",
		    ledger_strerror(rc));
	if ((rc = ledger_key_write(keypath, &lkey)) != 0) {
		ledger_seckey_wipe(&lkey);
		return fail(EXIT_IO, "cannot write %s: %s", keypath,
		    ledger_strerror(rc));
	}
	if ((rc = ledger_store_open(dir, LEDGER_STORE_CREATE, 0, &st)) != 0) {
		ledger_seckey_wipe(&lkey);
		return fail(EXIT_IO, "cannot create the ledger in %s: %s", dir,
		    ledger_strerror(rc));
	}
	if ((rc = ledger_store_init(st, origin)) != 0) {
		ledger_store_close(st);
		ledger_seckey_wipe(&lkey);
		return fail(EXIT_IO, "cannot initialize %s: %s", dir,
		    ledger_strerror(rc));
	}
	rc = genesis(st, &lkey, &admin, org, orgname);
	ledger_store_close(st);
	if (rc == EXIT_OK) {
		ledger_vkey_format(&lkey.pub, vkey, sizeof(vkey));
		printf("%s\n", vkey);
	}
	ledger_seckey_wipe(&lkey);
	return rc;
}
