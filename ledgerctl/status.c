/*
 * status.c - "ledgerctl status": what a ledger is and how far it has got,
 * offline from its LMDB files (read-only, safe while ledgerd runs) or
 * online from a server's public API.
 *
 * Status is not a verifier, but it never shows a root it has not tied to
 * something: offline the root is recomputed from the stored nodes and
 * compared with the latest signed checkpoint; online the checkpoint's
 * signature is checked when a verifier key is given, and said to be
 * unchecked when not.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/keys.h"
#include "ledger/statement.h"
#include "ledger/store.h"
#include "ledgerctl.h"

struct status {
	char		origin[LEDGER_KEYNAME_MAX + 1];
	uint64_t	size;		/* entries stored (offline) or served */
	uint8_t		root[LEDGER_HASH_BYTES];
	int		has_ckpt;
	struct ledger_checkpoint ckpt;
	char		note[LEDGER_NOTE_MAX + 1];
	size_t		notelen;
	int64_t		last_ms;	/* time of leaf size-1, or -1 */
};

static void
human(uint64_t n, char *out, size_t outsz)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u < sizeof(unit) / sizeof(unit[0]) - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outsz, "%llu B", (unsigned long long)n);
	else
		snprintf(out, outsz, "%.1f %s", v, unit[u]);
}

static void
print_common(const struct status *s)
{
	char b64[64], hex[2 * LEDGER_HASH_BYTES + 1], ts[LEDGER_TIME_BYTES];

	ledger_b64_encode(s->root, LEDGER_HASH_BYTES, b64, sizeof(b64));
	ledger_hex_encode(s->root, LEDGER_HASH_BYTES, hex);
	printf("origin:       %s\n", s->origin);
	printf("size:         %llu\n", (unsigned long long)s->size);
	printf("root:         %s\n", b64);
	printf("root (hex):   %s\n", hex);
	if (s->last_ms >= 0 && ledger_time_format(s->last_ms, ts) == 0)
		printf("last append:  %s (seq %llu)\n", ts,
		    (unsigned long long)s->size - 1);
	else
		printf("last append:  none (empty ledger)\n");
}

/* Open the checkpoint with vk when there is one, else only parse it. */
static int
check_ckpt(struct status *s, const struct ledger_pubkey *vk, int *verified)
{
	size_t tl;

	*verified = 0;
	if (vk != NULL) {
		if (ledger_checkpoint_open(s->note, s->notelen, vk, &s->ckpt)
		    != 0)
			return -1;
		*verified = 1;
		return 0;
	}
	if ((tl = note_text_len(s->note, s->notelen)) == 0 ||
	    ledger_checkpoint_parse(s->note, tl, &s->ckpt) != 0)
		return -1;
	return 0;
}

/* Read everything status shows in one read snapshot. */
static int
read_store(struct ledger_store *st, struct status *s)
{
	uint8_t root[LEDGER_HASH_BYTES];
	struct ledger_txn *txn;
	struct ledger_leaf leaf;
	const uint8_t *data;
	const char *note;
	size_t len;
	uint64_t csize;
	int rc, verified;

	if ((rc = ledger_txn_begin(st, 0, &txn)) != 0)
		return rc;
	if ((rc = ledger_meta_origin(txn, s->origin, sizeof(s->origin))) != 0 ||
	    (rc = ledger_meta_size(txn, &s->size)) != 0 ||
	    (rc = ledger_merkle_root(s->size, ledger_txn_hash_reader, txn,
	    s->root)) != 0)
		goto abort;
	rc = ledger_ckpt_latest(txn, &csize, &note, &len);
	if (rc == 0 && len <= LEDGER_NOTE_MAX) {
		memcpy(s->note, note, len);
		s->note[len] = '\0';
		s->notelen = len;
		s->has_ckpt = 1;
	} else if (rc != LEDGER_ENOTFOUND && rc != 0)
		goto abort;
	s->last_ms = -1;
	if (s->size > 0 && ledger_entry_get(txn, s->size - 1, &data,
	    &len) == 0 && ledger_leaf_parse(data, len, &leaf, NULL) == 0) {
		s->last_ms = leaf.time_ms;
		ledger_leaf_clear(&leaf);
	}
	/* The signed root must be the root of the stored nodes at its size. */
	if (s->has_ckpt && check_ckpt(s, NULL, &verified) == 0) {
		if (s->ckpt.size > s->size)
			s->has_ckpt = -1;
		else if ((rc = ledger_merkle_root(s->ckpt.size,
		    ledger_txn_hash_reader, txn, root)) != 0)
			goto abort;
		else if (memcmp(root, s->ckpt.root, LEDGER_HASH_BYTES) != 0)
			s->has_ckpt = -1;
	}
	rc = 0;
abort:
	ledger_txn_abort(txn);
	return rc;
}

static void
print_usage(struct ledger_store *st)
{
	uint64_t file, db[LEDGER_DB_COUNT];
	char h[32];
	int i;

	if (ledger_store_usage(st, &file, db) != 0) {
		printf("disk:         unknown\n");
		return;
	}
	human(file, h, sizeof(h));
	printf("disk:         %s (data.mdb, index.mdb)\n", h);
	for (i = 0; i < LEDGER_DB_COUNT; i++) {
		human(db[i], h, sizeof(h));
		printf("  %-12s %s\n", ledger_db_name((enum ledger_db)i), h);
	}
}

static int
status_dir(const char *dir, const char *vkarg)
{
	char path[4096], vkey[LEDGER_VKEY_MAX];
	struct ledger_pubkey vk, *vkp = NULL;
	struct ledger_store *st;
	struct status s;
	const char *src = NULL;
	int rc, verified, ret = EXIT_OK;

	if (vkarg != NULL) {
		if ((rc = vkey_arg(vkarg, &vk)) != 0)
			return rc;
		vkp = &vk;
		src = "--vkey";
	} else {
		snprintf(path, sizeof(path), "%s/ledger.key.pub", dir);
		if (ledger_pubkey_load(path, &vk) == 0) {
			vkp = &vk;
			src = path;
		}
	}
	switch ((rc = ledger_store_open(dir, LEDGER_STORE_RDONLY, 0, &st))) {
	case 0:
		break;
	case LEDGER_ENOTFOUND:
		return fail(EXIT_IO, "no ledger in %s; create one with "
		    "\"ledgerctl init\"", dir);
	case LEDGER_EIO:
		return fail(EXIT_IO, "cannot open the ledger in %s: %s (reading "
		    "needs write access to %s/lock.mdb)", dir, strerror(errno),
		    dir);
	default:
		return fail(EXIT_IO, "cannot open the ledger in %s: %s", dir,
		    ledger_strerror(rc));
	}
	memset(&s, 0, sizeof(s));
	if ((rc = read_store(st, &s)) != 0) {
		ledger_store_close(st);
		return fail(EXIT_IO, "cannot read the ledger in %s: %s", dir,
		    ledger_strerror(rc));
	}
	print_common(&s);
	if (vkp != NULL) {
		ledger_vkey_format(vkp, vkey, sizeof(vkey));
		printf("verifier key: %s (%s)\n", vkey, src);
	} else
		printf("verifier key: unknown (no %s/ledger.key.pub; pass --vkey)\n",
		    dir);
	if (!s.has_ckpt) {
		printf("checkpoint:   none signed yet\n");
	} else if (s.has_ckpt < 0) {
		printf("checkpoint:   size %llu, root DIFFERS from the stored "
		    "tree\n", (unsigned long long)s.ckpt.size);
		ret = fail(EXIT_VERIFY, "the latest checkpoint does not match "
		    "the stored tree; run \"ledgerctl verify -d %s\"", dir);
	} else if (check_ckpt(&s, vkp, &verified) != 0) {
		printf("checkpoint:   size %llu, signature does NOT verify\n",
		    (unsigned long long)s.ckpt.size);
		ret = fail(EXIT_VERIFY, "the latest checkpoint is not signed by "
		    "%s", vkp ? vkp->name : "?");
	} else {
		printf("checkpoint:   size %llu, %s\n",
		    (unsigned long long)s.ckpt.size, verified ?
		    "signature verified" : "signature not checked");
		if (s.ckpt.size < s.size)
			printf("              %llu newer entries await their "
			    "checkpoint (ledgerd signs them shortly)\n",
			    (unsigned long long)(s.size - s.ckpt.size));
	}
	print_usage(st);
	ledger_store_close(st);
	return ret;
}

static int
status_url(const char *url, const char *vkarg)
{
	struct ledger_pubkey vk, *vkp = NULL;
	struct http_resp r;
	struct status s;
	char path[64], vkey[LEDGER_VKEY_MAX];
	json_t *j, *v;
	int rc, ret = EXIT_OK;

	if (vkarg != NULL) {
		if ((rc = vkey_arg(vkarg, &vk)) != 0)
			return rc;
		vkp = &vk;
	}
	memset(&s, 0, sizeof(s));
	s.last_ms = -1;
	if ((rc = fetch_checkpoint(url, vkp, &s.ckpt, s.note,
	    sizeof(s.note))) != 0)
		return rc;
	snprintf(s.origin, sizeof(s.origin), "%s", s.ckpt.origin);
	s.size = s.ckpt.size;
	memcpy(s.root, s.ckpt.root, LEDGER_HASH_BYTES);
	if (s.size > 0) {
		snprintf(path, sizeof(path), "/v1/entries/%llu",
		    (unsigned long long)s.size - 1);
		if (net_get(url, path, &r) == 0) {
			j = json_loadb(r.body, r.len, 0, NULL);
			v = json_object_get(json_object_get(j, "leaf"), "time");
			if (r.status != 200 || !json_is_string(v) ||
			    ledger_time_parse(json_string_value(v),
			    &s.last_ms) != 0)
				s.last_ms = -1;
			json_decref(j);
			net_resp_free(&r);
		}
	}
	print_common(&s);
	if (vkp != NULL) {
		ledger_vkey_format(vkp, vkey, sizeof(vkey));
		printf("verifier key: %s\n", vkey);
		printf("checkpoint:   size %llu, signature verified\n",
		    (unsigned long long)s.size);
	} else {
		printf("verifier key: unknown (pass --vkey to check the "
		    "checkpoint's signature)\n");
		printf("checkpoint:   size %llu, signature NOT checked\n",
		    (unsigned long long)s.size);
	}
	if (net_get(url, "/healthz", &r) == 0) {
		j = json_loadb(r.body, r.len, 0, NULL);
		v = json_object_get(j, "status");
		printf("server:       %s (HTTP %ld)\n", json_is_string(v) ?
		    json_string_value(v) : "unknown", r.status);
		v = json_object_get(j, "origin");
		if (json_is_string(v) && strcmp(json_string_value(v),
		    s.origin) != 0)
			ret = fail(EXIT_VERIFY, "/healthz names origin %s but "
			    "the checkpoint is for %s", json_string_value(v),
			    s.origin);
		json_decref(j);
		net_resp_free(&r);
	}
	return ret;
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir",	required_argument, NULL, 'd' },
		{ "url",	required_argument, NULL, 'u' },
		{ "vkey",	required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *url = NULL, *vkarg = NULL;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'u': url = optarg; break;
		case 'v': vkarg = optarg; break;
		default:
			print_help("status", stderr);
			return EXIT_USAGE;
		}
	}
	if ((dir == NULL) == (url == NULL) || optind != argc) {
		print_help("status", stderr);
		return fail(EXIT_USAGE, "give exactly one of -d DIR and --url "
		    "URL");
	}
	return dir != NULL ? status_dir(dir, vkarg) : status_url(url, vkarg);
}
