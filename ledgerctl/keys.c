/*
 * keys.c - "ledgerctl keygen" and "ledgerctl keys add|revoke".
 *
 * Author keys live in the ledger itself (DESIGN 3.6): adding or revoking
 * one is a "key" statement signed by an admin key and appended like any
 * other.  The client checks what it can (org code, dates) before it asks,
 * so a typo is a usage error here rather than a refusal by the server.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/append.h"
#include "ledger/keys.h"
#include "ledger/registry.h"
#include "ledger/statement.h"
#include "ledgerctl.h"

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output",	required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	char vkey[LEDGER_VKEY_MAX];
	const char *out = NULL, *name;
	struct ledger_seckey k;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		default:
			print_help("keygen", stderr);
			return EXIT_USAGE;
		}
	}
	if (out == NULL || optind != argc - 1) {
		print_help("keygen", stderr);
		return EXIT_USAGE;
	}
	name = argv[optind];
	if (ledger_keyname_check(name) != 0)
		return fail(EXIT_USAGE, "key name \"%s\" is not valid: 1-%d "
		    "bytes of UTF-8 without spaces or '+', e.g. "
		    "alice@town.example", name, LEDGER_KEYNAME_MAX);
	if ((rc = ledger_seckey_generate(name, &k)) != 0)
		return fail(EXIT_IO, "cannot generate a key: %s",
		    ledger_strerror(rc));
	rc = ledger_key_write(out, &k);
	ledger_vkey_format(&k.pub, vkey, sizeof(vkey));
	ledger_seckey_wipe(&k);
	if (rc == LEDGER_EEXIST)
		return fail(EXIT_USAGE, "%s or %s.pub already exists; keygen "
		    "never overwrites a key, choose another -o", out, out);
	if (rc != 0)
		return fail(EXIT_IO, "cannot write %s: %s", out,
		    rc == LEDGER_EIO ? strerror(errno) : ledger_strerror(rc));
	printf("%s\n", vkey);
	return EXIT_OK;
}

/*
 * "<prefix>-<name>-<unix ms>", with every character a statement id does
 * not allow in name turned into '-', and name cut so the id fits.
 */
static void
default_id(const char *prefix, const char *name, char *out, size_t outsz)
{
	char ms[24];
	size_t n, room, i;

	snprintf(ms, sizeof(ms), "%lld", (long long)ledger_now_ms());
	n = (size_t)snprintf(out, outsz, "%s-", prefix);
	room = LEDGER_ID_MAX - n - 1 - strlen(ms);
	for (i = 0; name[i] != '\0' && i < room && n + 1 < outsz; i++, n++) {
		char c = name[i];

		out[n] = ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == ':' || c == '-') ? c : '-';
	}
	snprintf(out + n, outsz - n, "-%s", ms);
}

/* Sign body as a key statement with the admin key and post it. */
static int
post_key_entry(const char *url, const char *originarg, const char *adminf,
    const char *id, json_t *body, const char *out)
{
	char origin[LEDGER_KEYNAME_MAX + 1];
	struct ledger_statement *st;
	struct ledger_seckey admin;
	struct ledger_err err;
	json_t *j;
	int rc;

	j = json_pack("{s:s, s:s, s:o, s:[]}", "id", id, "kind", "key",
	    "body", body, "signatures");
	if (j == NULL)
		return fail(EXIT_IO, "out of memory");
	ledger_err_clear(&err);
	if ((rc = ledger_statement_from_json(j, &st, &err)) != 0)
		return fail(EXIT_USAGE, "cannot build the key statement: %s%s%s",
		    err.path, err.path[0] ? ": " : "", err.msg);
	if (originarg != NULL)
		snprintf(origin, sizeof(origin), "%s", originarg);
	else if ((rc = server_origin(url, origin, sizeof(origin))) != 0)
		goto free;
	if ((rc = load_signer(adminf, &admin)) != 0)
		goto free;
	rc = ledger_statement_sign(st, origin, &admin);
	ledger_seckey_wipe(&admin);
	if (rc != 0) {
		rc = fail(EXIT_IO, "cannot sign: %s", ledger_strerror(rc));
		goto free;
	}
	rc = post_statement(url, st, out);
free:
	ledger_statement_free(st);
	return rc;
}

/*
 * --name without --pub: the verifier-key file keygen wrote for "-o NAME"
 * or "-o NAME.key", whichever exists.
 */
static int
find_pub(const char *name, char *path, size_t pathsz)
{
	static const char *const suffix[] = { ".pub", ".key.pub" };
	FILE *f;
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, pathsz, "%s%s", name, suffix[i]);
		if ((f = fopen(path, "r")) != NULL) {
			fclose(f);
			return 0;
		}
	}
	return fail(EXIT_USAGE, "no --pub given and neither %s.pub nor "
	    "%s.key.pub exists; pass --pub FILE, the .pub file keygen wrote",
	    name, name);
}

/* Check an RFC 3339 option value; fail() names the option. */
static int
date_arg(const char *opt, const char *s, int64_t *ms)
{
	if (ledger_rfc3339_parse(s, ms) != 0)
		return fail(EXIT_USAGE, "%s \"%s\" is not an RFC 3339 "
		    "date-time with offset, e.g. 2026-01-01T00:00:00+08:00",
		    opt, s);
	return 0;
}

static int
keys_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url",	required_argument, NULL, 'u' },
		{ "key",	required_argument, NULL, 'k' },
		{ "name",	required_argument, NULL, 'n' },
		{ "pub",	required_argument, NULL, 'p' },
		{ "role",	required_argument, NULL, 'r' },
		{ "org",	required_argument, NULL, 'g' },
		{ "org-name",	required_argument, NULL, 'N' },
		{ "valid-from",	required_argument, NULL, 'f' },
		{ "valid-until", required_argument, NULL, 't' },
		{ "id",		required_argument, NULL, 'i' },
		{ "origin",	required_argument, NULL, 'O' },
		{ "output",	required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *url = NULL, *adminf = NULL, *name = NULL, *pubarg = NULL;
	const char *role = NULL, *org = NULL, *orgname = NULL, *from = NULL;
	const char *until = NULL, *id = NULL, *origin = NULL, *out = NULL;
	char vkey[LEDGER_VKEY_MAX], now[LEDGER_TIME_BYTES];
	char idbuf[LEDGER_ID_MAX + 1];
	struct ledger_pubkey pub;
	int64_t fromms, untilms = 0;
	json_t *body;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "k:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 'k': adminf = optarg; break;
		case 'n': name = optarg; break;
		case 'p': pubarg = optarg; break;
		case 'r': role = optarg; break;
		case 'g': org = optarg; break;
		case 'N': orgname = optarg; break;
		case 'f': from = optarg; break;
		case 't': until = optarg; break;
		case 'i': id = optarg; break;
		case 'O': origin = optarg; break;
		case 'o': out = optarg; break;
		default:
			print_help("keys", stderr);
			return EXIT_USAGE;
		}
	}
	if (url == NULL || adminf == NULL || role == NULL ||
	    (name == NULL && pubarg == NULL) || optind != argc) {
		print_help("keys", stderr);
		return EXIT_USAGE;
	}
	if (pubarg == NULL && (rc = find_pub(name, vkey, sizeof(vkey))) != 0)
		return rc;
	if (pubarg == NULL)
		pubarg = vkey;
	if ((rc = vkey_arg(pubarg, &pub)) != 0)
		return rc;
	if (name != NULL && strcmp(name, pub.name) != 0)
		return fail(EXIT_USAGE, "--name %s does not match the key in "
		    "%s, which is named \"%s\"", name, pubarg, pub.name);
	if (strcmp(role, "admin") != 0 && org == NULL)
		return fail(EXIT_USAGE, "a %s key acts for an organization: "
		    "give --org USCC and --org-name NAME", role);
	if (org != NULL && !ledger_uscc_valid(org))
		return fail(EXIT_USAGE, "--org %s is not a Unified Social "
		    "Credit Code: 18 characters of 0-9 A-H J-N P-R T U W-Y with "
		    "a valid check character (GB 32100-2015)", org);
	if (orgname != NULL && org == NULL)
		return fail(EXIT_USAGE, "--org-name needs --org USCC");
	if (from == NULL) {
		/* Whole seconds: the server's clock may trail ours a little. */
		ledger_time_format(ledger_now_ms() / 1000 * 1000, now);
		from = now;
	}
	if ((rc = date_arg("--valid-from", from, &fromms)) != 0 ||
	    (until != NULL &&
	    (rc = date_arg("--valid-until", until, &untilms)) != 0))
		return rc;
	if (until != NULL && untilms <= fromms)
		return fail(EXIT_USAGE, "--valid-until must be after "
		    "--valid-from (%s)", from);
	if (id == NULL) {
		default_id("key", pub.name, idbuf, sizeof(idbuf));
		id = idbuf;
	}
	ledger_vkey_format(&pub, vkey, sizeof(vkey));
	body = json_pack("{s:s, s:s, s:s, s:s}", "name", pub.name,
	    "public_key", vkey, "role", role, "valid_from", from);
	if (body == NULL || (org != NULL && json_object_set_new(body, "org",
	    json_pack("{s:s, s:s, s:s}", "scheme", "CN-USCI", "id", org,
	    "name", orgname ? orgname : org)) != 0) ||
	    (until != NULL && json_object_set_new(body, "valid_until",
	    json_string(until)) != 0)) {
		json_decref(body);
		return fail(EXIT_USAGE, "cannot build the key entry: option "
		    "values must be valid UTF-8");
	}
	return post_key_entry(url, origin, adminf, id, body, out);
}

static int
keys_revoke(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url",	required_argument, NULL, 'u' },
		{ "key",	required_argument, NULL, 'k' },
		{ "reason",	required_argument, NULL, 'r' },
		{ "id",		required_argument, NULL, 'i' },
		{ "origin",	required_argument, NULL, 'O' },
		{ "output",	required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *url = NULL, *adminf = NULL, *reason = NULL, *id = NULL;
	const char *origin = NULL, *out = NULL, *name;
	char idbuf[LEDGER_ID_MAX + 1];
	json_t *body;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "k:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 'k': adminf = optarg; break;
		case 'r': reason = optarg; break;
		case 'i': id = optarg; break;
		case 'O': origin = optarg; break;
		case 'o': out = optarg; break;
		default:
			print_help("keys", stderr);
			return EXIT_USAGE;
		}
	}
	if (url == NULL || adminf == NULL || optind != argc - 1) {
		print_help("keys", stderr);
		return EXIT_USAGE;
	}
	name = argv[optind];
	if (ledger_keyname_check(name) != 0)
		return fail(EXIT_USAGE, "\"%s\" is not a key name", name);
	if (id == NULL) {
		default_id("revoke", name, idbuf, sizeof(idbuf));
		id = idbuf;
	}
	body = json_pack("{s:s}", "revokes", name);
	if (body == NULL || (reason != NULL && json_object_set_new(body,
	    "reason", json_string(reason)) != 0)) {
		json_decref(body);
		return fail(EXIT_USAGE, "cannot build the revocation: --reason "
		    "must be valid UTF-8");
	}
	return post_key_entry(url, origin, adminf, id, body, out);
}

int
cmd_keys(int argc, char **argv)
{
	/* getopt names argv[0] in its messages. */
	static char add[] = "ledgerctl keys add", revoke[] =
	    "ledgerctl keys revoke";

	if (argc >= 2 && strcmp(argv[1], "add") == 0) {
		argv[1] = add;
		return keys_add(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0) {
		argv[1] = revoke;
		return keys_revoke(argc - 1, argv + 1);
	}
	print_help("keys", stderr);
	if (argc >= 2)
		return fail(EXIT_USAGE, "no subcommand \"keys %s\"; use "
		    "\"keys add\" or \"keys revoke\"", argv[1]);
	return EXIT_USAGE;
}
