/*
 * receipt.c - "ledgerctl receipt check" (offline) and "ledgerctl proof
 * inclusion|consistency" (online), with the checkpoint and verifier-key
 * helpers that status.c shares.
 *
 * Nothing a server or a receipt file says is believed until it is tied to
 * a checkpoint signed by the ledger key the user names: leaf hashes are
 * recomputed from the leaf, roots come only from opened checkpoints.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ledger/canon.h"
#include "ledger/keys.h"
#include "ledger/statement.h"
#include "ledgerctl.h"

#define RECEIPT_MAX	(LEDGER_JSON_MAX_BYTES)	/* bytes of a receipt file */
#define AUTHOR_KEYS_MAX	256	/* verifier keys given with --keys */

int
vkey_arg(const char *arg, struct ledger_pubkey *k)
{
	int rc;

	if (ledger_vkey_parse(arg, k) == 0)
		return 0;
	if ((rc = ledger_pubkey_load(arg, k)) == 0)
		return 0;
	if (rc == LEDGER_EIO)
		return fail(EXIT_USAGE, "\"%s\" is not a verifier-key string "
		    "(name+id+base64) and cannot be read as a file: %s", arg,
		    strerror(errno));
	return fail(EXIT_USAGE, "%s does not hold a verifier key "
	    "(name+id+base64, as in the FILE.pub keygen and init write)", arg);
}

size_t
note_text_len(const char *note, size_t len)
{
	size_t i;

	for (i = len; i >= 2; i--)
		if (note[i - 2] == '\n' && note[i - 1] == '\n')
			return i - 1;
	return 0;
}

int
fetch_checkpoint(const char *url, const struct ledger_pubkey *k,
    struct ledger_checkpoint *c, char *note, size_t notesz)
{
	struct http_resp r;
	size_t tl;
	int rc;

	if ((rc = net_get(url, "/checkpoint", &r)) != 0)
		return rc;
	if (r.status != 200) {
		rc = report_http_error(&r, "cannot fetch the checkpoint");
		net_resp_free(&r);
		return rc == EXIT_VERIFY ? EXIT_IO : rc;
	}
	if (k != NULL)
		rc = ledger_checkpoint_open(r.body, r.len, k, c) == 0 ? 0 :
		    fail(EXIT_VERIFY, "the checkpoint of %s is not signed by "
		    "%s (wrong --vkey, or not the ledger you meant)", url,
		    k->name);
	else if ((tl = note_text_len(r.body, r.len)) == 0 ||
	    ledger_checkpoint_parse(r.body, tl, c) != 0)
		rc = fail(EXIT_VERIFY, "%s/checkpoint is not a signed "
		    "checkpoint; is it a ledgerd?", url);
	if (rc == 0 && note != NULL)
		snprintf(note, notesz, "%s", r.body);
	net_resp_free(&r);
	return rc;
}

/* Decode a JSON array of base64 hashes; 0 or -1. */
static int
proof_decode(const json_t *a, uint8_t proof[][LEDGER_HASH_BYTES], size_t *n)
{
	size_t i, len;
	json_t *h;

	if (!json_is_array(a) || json_array_size(a) > LEDGER_PROOF_MAX)
		return -1;
	json_array_foreach(a, i, h) {
		if (!json_is_string(h) || ledger_b64_decode_public(
		    json_string_value(h), json_string_length(h), proof[i],
		    LEDGER_HASH_BYTES, &len) != 0 || len != LEDGER_HASH_BYTES)
			return -1;
	}
	*n = json_array_size(a);
	return 0;
}

/* Canonical bytes of a leaf object and their leaf hash. */
static int
leaf_hash_of(const json_t *leaf, uint8_t hash[LEDGER_HASH_BYTES],
    char **canon, size_t *len, struct ledger_err *err)
{
	char *c;
	size_t n;
	int rc;

	if ((rc = ledger_canon_dump(leaf, &c, &n, err)) != 0)
		return rc;
	ledger_leaf_hash(c, n, hash);
	if (canon != NULL) {
		*canon = c;
		*len = n;
	} else
		free(c);
	return 0;
}

/* Add the verifier keys of path (a key string, a file or a directory). */
static int
load_author_keys(const char *path, struct ledger_pubkey *keys, size_t *n)
{
	char file[4096];
	struct dirent *de;
	struct stat sb;
	size_t len;
	DIR *d;
	int rc = 0;

	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		if (*n == AUTHOR_KEYS_MAX)
			return fail(EXIT_USAGE, "at most %d author keys",
			    AUTHOR_KEYS_MAX);
		if ((rc = vkey_arg(path, &keys[*n])) == 0)
			(*n)++;
		return rc;
	}
	if ((d = opendir(path)) == NULL)
		return fail(EXIT_IO, "cannot read directory %s: %s", path,
		    strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".pub") != 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		if (*n == AUTHOR_KEYS_MAX)
			rc = fail(EXIT_USAGE, "more than %d keys in %s",
			    AUTHOR_KEYS_MAX, path);
		else if ((rc = vkey_arg(file, &keys[*n])) == 0)
			(*n)++;
	}
	closedir(d);
	return rc;
}

/*
 * Verify the author signatures of a leaf with the keys the user gave.
 * Offline there is no registry: a signature whose key was not given is
 * reported as unchecked, never as good.
 */
static int
check_authors(const struct ledger_statement *st, const char *origin,
    const struct ledger_pubkey *keys, size_t nkeys)
{
	size_t i, j, checked = 0;

	if (st->nsigs == 0) {
		printf("author signatures: none (only the genesis entry has "
		    "none)\n");
		return 0;
	}
	if (nkeys == 0) {
		printf("author signatures: NOT checked: a receipt does not "
		    "carry the authors' public keys; pass --keys DIR or FILE "
		    "to check them\n");
		return 0;
	}
	for (i = 0; i < st->nsigs; i++) {
		for (j = 0; j < nkeys; j++)
			if (strcmp(keys[j].name, st->sigs[i].key) == 0)
				break;
		if (j == nkeys) {
			printf("author signature %zu by %s: NOT checked (no "
			    "key named so in --keys)\n", i, st->sigs[i].key);
			continue;
		}
		if (ledger_statement_verify(st, i, origin, &keys[j]) != 0)
			return fail(EXIT_VERIFY, "receipt check failed: "
			    "leaf.signatures[%zu]: the signature by %s does not "
			    "verify with the given key", i, st->sigs[i].key);
		printf("author signature %zu by %s: ok\n", i, st->sigs[i].key);
		checked++;
	}
	if (checked < st->nsigs)
		printf("author signatures: %zu of %zu checked\n", checked,
		    st->nsigs);
	return 0;
}

/* Every check of a receipt, in order; the first failure is reported. */
static int
receipt_verify(const json_t *rc_json, const struct ledger_pubkey *vk,
    const struct ledger_pubkey *keys, size_t nkeys)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	uint8_t hash[LEDGER_HASH_BYTES], claimed[LEDGER_HASH_BYTES];
	char hex[2 * LEDGER_HASH_BYTES + 1], *canon;
	struct ledger_checkpoint c;
	struct ledger_leaf leaf;
	struct ledger_err err;
	json_t *v, *lh, *ck, *ts;
	size_t len, n;
	uint64_t seq;
	int rc;

	v = json_object_get(rc_json, "seq");
	lh = json_object_get(rc_json, "leaf_hash");
	ck = json_object_get(rc_json, "checkpoint");
	ts = json_object_get(rc_json, "tree_size");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    !json_is_string(lh) || json_string_length(lh) != 64 ||
	    ledger_hex_decode(json_string_value(lh), claimed,
	    LEDGER_HASH_BYTES) != 0 || !json_is_string(ck) ||
	    !json_is_integer(ts) ||
	    !json_is_object(json_object_get(rc_json, "leaf")))
		return fail(EXIT_VERIFY, "receipt check failed: not a receipt: "
		    "need seq, leaf_hash (64 hex), leaf (object), checkpoint "
		    "(text), tree_size and inclusion_proof");
	seq = (uint64_t)json_integer_value(v);
	ledger_err_clear(&err);
	if (leaf_hash_of(json_object_get(rc_json, "leaf"), hash, &canon, &len,
	    &err) != 0)
		return fail(EXIT_VERIFY, "receipt check failed: leaf.%s: %s",
		    err.path, err.msg);
	if (memcmp(hash, claimed, LEDGER_HASH_BYTES) != 0) {
		free(canon);
		ledger_hex_encode(hash, LEDGER_HASH_BYTES, hex);
		return fail(EXIT_VERIFY, "receipt check failed: leaf_hash: the "
		    "leaf hashes to %s, not to the receipt's %s: the leaf or "
		    "the hash was altered", hex, json_string_value(lh));
	}
	rc = ledger_leaf_parse(canon, len, &leaf, &err);
	free(canon);
	if (rc != 0)
		return fail(EXIT_VERIFY, "receipt check failed: leaf%s%s: %s",
		    err.path[0] ? "." : "", err.path, err.msg);
	if (leaf.seq != seq) {
		ledger_leaf_clear(&leaf);
		return fail(EXIT_VERIFY, "receipt check failed: seq: the "
		    "receipt says %llu but the leaf is seq %llu",
		    (unsigned long long)seq, (unsigned long long)leaf.seq);
	}
	if (ledger_checkpoint_open(json_string_value(ck),
	    json_string_length(ck), vk, &c) != 0) {
		ledger_leaf_clear(&leaf);
		return fail(EXIT_VERIFY, "receipt check failed: checkpoint: "
		    "not a checkpoint signed by %s (wrong --vkey, or the "
		    "checkpoint was altered)", vk->name);
	}
	if ((uint64_t)json_integer_value(ts) != c.size || seq >= c.size) {
		ledger_leaf_clear(&leaf);
		return fail(EXIT_VERIFY, "receipt check failed: tree_size: the "
		    "receipt says %lld, the signed checkpoint %llu, seq %llu",
		    (long long)json_integer_value(ts),
		    (unsigned long long)c.size, (unsigned long long)seq);
	}
	if (proof_decode(json_object_get(rc_json, "inclusion_proof"), proof,
	    &n) != 0 || ledger_merkle_verify_inclusion(seq, c.size, hash,
	    (const uint8_t (*)[LEDGER_HASH_BYTES])proof, n, c.root) != 0) {
		ledger_leaf_clear(&leaf);
		return fail(EXIT_VERIFY, "receipt check failed: "
		    "inclusion_proof: does not lead from the leaf at seq %llu "
		    "to the root of the signed tree of size %llu",
		    (unsigned long long)seq, (unsigned long long)c.size);
	}
	rc = check_authors(leaf.st, c.origin, keys, nkeys);
	if (rc == 0)
		printf("ok: seq %llu is in %s's tree of size %llu\n",
		    (unsigned long long)seq, c.origin,
		    (unsigned long long)c.size);
	ledger_leaf_clear(&leaf);
	return rc;
}

static int
receipt_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vkey",	required_argument, NULL, 'v' },
		{ "keys",	required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 }
	};
	static struct ledger_pubkey keys[AUTHOR_KEYS_MAX];
	struct ledger_pubkey vk;
	struct ledger_err err;
	const char *vkarg = NULL;
	size_t nkeys = 0, len;
	json_t *j;
	char *buf;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'v': vkarg = optarg; break;
		case 'K':
			if ((rc = load_author_keys(optarg, keys, &nkeys)) != 0)
				return rc;
			break;
		default:
			print_help("receipt", stderr);
			return EXIT_USAGE;
		}
	}
	if (vkarg == NULL || optind != argc - 1) {
		print_help("receipt", stderr);
		return EXIT_USAGE;
	}
	if ((rc = vkey_arg(vkarg, &vk)) != 0)
		return rc;
	if ((rc = read_input(argv[optind], RECEIPT_MAX, &buf, &len)) != 0)
		return rc;
	ledger_err_clear(&err);
	rc = ledger_canon_parse(buf, len, &j, &err);
	free(buf);
	if (rc != 0)
		return fail(EXIT_VERIFY, "receipt check failed: %s is not a "
		    "receipt: %s%s%s", argv[optind], err.path,
		    err.path[0] ? ": " : "", err.msg);
	rc = receipt_verify(j, &vk, keys, nkeys);
	json_decref(j);
	return rc;
}

/* GET url+path as a JSON object; 0, or an exit code with a message. */
static int
get_json(const char *url, const char *path, const char *what, json_t **out)
{
	struct http_resp r;
	int rc;

	if ((rc = net_get(url, path, &r)) != 0)
		return rc;
	if (r.status != 200) {
		rc = report_http_error(&r, what);
		net_resp_free(&r);
		return rc;
	}
	*out = json_loadb(r.body, r.len, JSON_REJECT_DUPLICATES, NULL);
	net_resp_free(&r);
	if (!json_is_object(*out)) {
		json_decref(*out);
		return fail(EXIT_IO, "%s: %s%s did not answer with a JSON "
		    "object", what, url, path);
	}
	return 0;
}

/* A signed root for size: the latest checkpoint's, or the one in v. */
static int
signed_root(const json_t *v, const char *name, uint64_t size,
    const struct ledger_checkpoint *latest, const struct ledger_pubkey *vk,
    uint8_t root[LEDGER_HASH_BYTES])
{
	struct ledger_checkpoint c;

	if (size == latest->size) {
		memcpy(root, latest->root, LEDGER_HASH_BYTES);
		return 0;
	}
	if (!json_is_string(v))
		return fail(EXIT_VERIFY, "the server has no signed checkpoint "
		    "of size %llu (%s is null); choose a size a checkpoint was "
		    "signed for, or the latest", (unsigned long long)size,
		    name);
	if (ledger_checkpoint_open(json_string_value(v), json_string_length(v),
	    vk, &c) != 0)
		return fail(EXIT_VERIFY, "%s is not signed by %s", name,
		    vk->name);
	if (c.size != size)
		return fail(EXIT_VERIFY, "%s is for size %llu, not %llu", name,
		    (unsigned long long)c.size, (unsigned long long)size);
	memcpy(root, c.root, LEDGER_HASH_BYTES);
	return 0;
}

static int
u64_arg(const char *what, const char *s, uint64_t *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		goto bad;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno == 0 && *end == '\0')
		return 0;
bad:
	return fail(EXIT_USAGE, "%s \"%s\" is not a non-negative decimal "
	    "integer", what, s);
}

/* Common options of the proof subcommands. */
static int
proof_opts(const char *sub, int argc, char **argv, const char **url,
    struct ledger_pubkey *vk, const char **size, int minpos, int maxpos)
{
	static const struct option opts[] = {
		{ "url",	required_argument, NULL, 'u' },
		{ "vkey",	required_argument, NULL, 'v' },
		{ "size",	required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *vkarg = NULL;
	int ch;

	*url = NULL;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': *url = optarg; break;
		case 'v': vkarg = optarg; break;
		case 's':
			if (size != NULL) {
				*size = optarg;
				break;
			}
			/* FALLTHROUGH */
		default:
			print_help("proof", stderr);
			return EXIT_USAGE;
		}
	}
	if (*url == NULL || vkarg == NULL || argc - optind < minpos ||
	    argc - optind > maxpos) {
		print_help("proof", stderr);
		return fail(EXIT_USAGE, "proof %s needs --url and --vkey", sub);
	}
	return vkey_arg(vkarg, vk);
}

static int
proof_inclusion(int argc, char **argv)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	uint8_t hash[LEDGER_HASH_BYTES], claimed[LEDGER_HASH_BYTES];
	uint8_t root[LEDGER_HASH_BYTES];
	char path[128], hex[2 * LEDGER_HASH_BYTES + 1];
	struct ledger_checkpoint latest;
	struct ledger_pubkey vk;
	struct ledger_err err;
	const char *url, *sizearg = NULL;
	json_t *pj = NULL, *ej = NULL, *lh;
	uint64_t seq, size = 0;
	size_t n;
	int rc;

	if ((rc = proof_opts("inclusion", argc, argv, &url, &vk, &sizearg, 1,
	    1)) != 0 || (rc = u64_arg("SEQ", argv[optind], &seq)) != 0 ||
	    (sizearg != NULL && (rc = u64_arg("--size", sizearg, &size)) != 0))
		return rc;
	if ((rc = fetch_checkpoint(url, &vk, &latest, NULL, 0)) != 0)
		return rc;
	if (sizearg == NULL)
		size = latest.size;
	if (size > latest.size || seq >= size)
		return fail(EXIT_VERIFY, "seq %llu is not in a tree of size "
		    "%llu (the latest signed tree has %llu entries)",
		    (unsigned long long)seq, (unsigned long long)size,
		    (unsigned long long)latest.size);
	snprintf(path, sizeof(path), "/v1/proofs/inclusion?seq=%llu&size=%llu",
	    (unsigned long long)seq, (unsigned long long)size);
	if ((rc = get_json(url, path, "cannot fetch the inclusion proof",
	    &pj)) != 0)
		return rc;
	snprintf(path, sizeof(path), "/v1/entries/%llu",
	    (unsigned long long)seq);
	if ((rc = get_json(url, path, "cannot fetch the entry", &ej)) != 0)
		goto out;
	ledger_err_clear(&err);
	if (!json_is_object(json_object_get(ej, "leaf")) ||
	    leaf_hash_of(json_object_get(ej, "leaf"), hash, NULL, NULL,
	    &err) != 0) {
		rc = fail(EXIT_VERIFY, "entry %llu: the server's leaf is not "
		    "canonical JSON: %s", (unsigned long long)seq, err.msg);
		goto out;
	}
	lh = json_object_get(pj, "leaf_hash");
	if (!json_is_string(lh) || json_string_length(lh) != 64 ||
	    ledger_hex_decode(json_string_value(lh), claimed,
	    LEDGER_HASH_BYTES) != 0 ||
	    memcmp(claimed, hash, LEDGER_HASH_BYTES) != 0) {
		rc = fail(EXIT_VERIFY, "entry %llu: the leaf served hashes to "
		    "something else than the proof's leaf_hash",
		    (unsigned long long)seq);
		goto out;
	}
	if ((rc = signed_root(json_object_get(pj, "checkpoint"), "checkpoint",
	    size, &latest, &vk, root)) != 0)
		goto out;
	if (proof_decode(json_object_get(pj, "inclusion_proof"), proof,
	    &n) != 0 || ledger_merkle_verify_inclusion(seq, size, hash,
	    (const uint8_t (*)[LEDGER_HASH_BYTES])proof, n, root) != 0) {
		rc = fail(EXIT_VERIFY, "the inclusion proof of seq %llu does "
		    "not lead to the signed root of size %llu",
		    (unsigned long long)seq, (unsigned long long)size);
		goto out;
	}
	ledger_hex_encode(hash, LEDGER_HASH_BYTES, hex);
	printf("ok: seq %llu (leaf hash %s) is in %s's tree of size %llu\n",
	    (unsigned long long)seq, hex, latest.origin,
	    (unsigned long long)size);
out:
	json_decref(pj);
	json_decref(ej);
	return rc;
}

static int
proof_consistency(int argc, char **argv)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	uint8_t oldroot[LEDGER_HASH_BYTES], newroot[LEDGER_HASH_BYTES];
	char path[128], b64[2][64];
	struct ledger_checkpoint latest;
	struct ledger_pubkey vk;
	const char *url;
	uint64_t from, to = 0;
	json_t *j = NULL;
	size_t n;
	int rc;

	if ((rc = proof_opts("consistency", argc, argv, &url, &vk, NULL, 1,
	    2)) != 0 || (rc = u64_arg("OLD", argv[optind], &from)) != 0 ||
	    (optind + 1 < argc &&
	    (rc = u64_arg("NEW", argv[optind + 1], &to)) != 0))
		return rc;
	if ((rc = fetch_checkpoint(url, &vk, &latest, NULL, 0)) != 0)
		return rc;
	if (optind + 1 == argc)
		to = latest.size;
	if (from > latest.size)
		return fail(EXIT_VERIFY, "OLD %llu is beyond the latest signed "
		    "tree (%llu)", (unsigned long long)from,
		    (unsigned long long)latest.size);
	if (from > to)
		return fail(EXIT_USAGE, "OLD (%llu) must not exceed NEW (%llu)",
		    (unsigned long long)from, (unsigned long long)to);
	if (to > latest.size)
		return fail(EXIT_VERIFY, "NEW %llu is beyond the latest signed "
		    "tree (%llu)", (unsigned long long)to,
		    (unsigned long long)latest.size);
	snprintf(path, sizeof(path), "/v1/proofs/consistency?from=%llu&to=%llu",
	    (unsigned long long)from, (unsigned long long)to);
	if ((rc = get_json(url, path, "cannot fetch the consistency proof",
	    &j)) != 0)
		return rc;
	/* The empty tree needs no signature: it is a prefix of every tree. */
	if (from == 0)
		ledger_empty_root(oldroot);
	else if ((rc = signed_root(json_object_get(j, "from_checkpoint"),
	    "from_checkpoint", from, &latest, &vk, oldroot)) != 0)
		goto out;
	if ((rc = signed_root(json_object_get(j, "to_checkpoint"),
	    "to_checkpoint", to, &latest, &vk, newroot)) != 0)
		goto out;
	if (proof_decode(json_object_get(j, "consistency_proof"), proof,
	    &n) != 0 || ledger_merkle_verify_consistency(from, to, oldroot,
	    newroot, (const uint8_t (*)[LEDGER_HASH_BYTES])proof, n) != 0) {
		rc = fail(EXIT_VERIFY, "the consistency proof from size %llu "
		    "to %llu does not verify against the signed roots: the "
		    "ledger's history may have been rewritten",
		    (unsigned long long)from, (unsigned long long)to);
		goto out;
	}
	ledger_b64_encode(oldroot, LEDGER_HASH_BYTES, b64[0], sizeof(b64[0]));
	ledger_b64_encode(newroot, LEDGER_HASH_BYTES, b64[1], sizeof(b64[1]));
	printf("ok: %s's tree of size %llu (root %s) is a prefix of its tree "
	    "of size %llu (root %s)\n", latest.origin,
	    (unsigned long long)from, b64[0], (unsigned long long)to, b64[1]);
out:
	json_decref(j);
	return rc;
}

int
cmd_proof(int argc, char **argv)
{
	/* getopt names argv[0] in its messages. */
	static char incl[] = "ledgerctl proof inclusion", cons[] =
	    "ledgerctl proof consistency";

	if (argc >= 2 && strcmp(argv[1], "inclusion") == 0) {
		argv[1] = incl;
		return proof_inclusion(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "consistency") == 0) {
		argv[1] = cons;
		return proof_consistency(argc - 1, argv + 1);
	}
	print_help("proof", stderr);
	if (argc >= 2)
		return fail(EXIT_USAGE, "no subcommand \"proof %s\"; use "
		    "\"proof inclusion\" or \"proof consistency\"", argv[1]);
	return EXIT_USAGE;
}

int
cmd_receipt(int argc, char **argv)
{
	static char check[] = "ledgerctl receipt check";

	if (argc >= 2 && strcmp(argv[1], "check") == 0) {
		argv[1] = check;
		return receipt_check(argc - 1, argv + 1);
	}
	print_help("receipt", stderr);
	if (argc >= 2)
		return fail(EXIT_USAGE, "no subcommand \"receipt %s\"; use "
		    "\"receipt check\"", argv[1]);
	return EXIT_USAGE;
}
