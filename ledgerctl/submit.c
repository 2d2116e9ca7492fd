/*
 * submit.c - "ledgerctl sign" and "ledgerctl submit", and the client path
 * they share with "keys add|revoke": reading inputs, loading signer keys,
 * learning a server's origin, posting a statement and reading the answer.
 *
 * A signature binds a statement to one origin, so submit asks the server
 * for its origin before signing rather than trusting a flag to match.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/keys.h"
#include "ledger/statement.h"
#include "ledgerctl.h"

int
read_input(const char *path, size_t max, char **out, size_t *len)
{
	size_t n = 0, got;
	char *buf, *g;
	int rc;

	if (strcmp(path, "-") != 0) {
		if ((rc = ledger_file_read(path, max, out, len)) == 0)
			return 0;
		if (rc == LEDGER_ETOOBIG)
			return fail(EXIT_USAGE, "%s is over %zu bytes", path,
			    max);
		return fail(EXIT_IO, "cannot read %s: %s", path,
		    rc == LEDGER_EIO ? strerror(errno) : ledger_strerror(rc));
	}
	if ((buf = malloc(max + 1)) == NULL)
		return fail(EXIT_IO, "out of memory");
	/* One byte past max tells "exactly max" from "too long". */
	while ((got = fread(buf + n, 1, max + 1 - n, stdin)) > 0) {
		n += got;
		if (n > max) {
			free(buf);
			return fail(EXIT_USAGE, "standard input is over %zu "
			    "bytes", max);
		}
	}
	if (ferror(stdin)) {
		free(buf);
		return fail(EXIT_IO, "cannot read standard input: %s",
		    strerror(errno));
	}
	if ((g = realloc(buf, n + 1)) != NULL)
		buf = g;
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int
write_output(const char *path, const char *data, size_t len)
{
	char *line;
	int rc;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || putchar('\n') == EOF ||
		    fflush(stdout) != 0)
			return fail(EXIT_IO, "cannot write to standard output: "
			    "%s", strerror(errno));
		return 0;
	}
	if ((line = malloc(len + 1)) == NULL)
		return fail(EXIT_IO, "out of memory");
	memcpy(line, data, len);
	line[len] = '\n';
	rc = ledger_file_write_atomic(path, line, len + 1, 0644);
	free(line);
	if (rc != 0)
		return fail(EXIT_IO, "cannot write %s: %s", path,
		    rc == LEDGER_EIO ? strerror(errno) : ledger_strerror(rc));
	return 0;
}

int
load_signer(const char *path, struct ledger_seckey *k)
{
	struct ledger_pubkey pub;
	int rc;

	rc = ledger_key_load(path, k);
	if (rc != 0 && rc != LEDGER_EIO && ledger_pubkey_load(path, &pub) == 0)
		return fail(EXIT_USAGE, "%s holds the verifier (public) key of "
		    "%s; sign with the private key file beside it", path,
		    pub.name);
	switch (rc) {
	case 0:
		return 0;
	case LEDGER_EPERM:
		return fail(EXIT_USAGE, "private key %s must be a regular "
		    "file (not a symlink) that only its owner can read: "
		    "\"chmod 600 %s\"", path, path);
	case LEDGER_EKEY:
		return fail(EXIT_USAGE, "%s does not hold a private key "
		    "(PRIVATE+KEY+...); pass the file keygen wrote with -o, "
		    "not the .pub beside it", path);
	default:
		return fail(EXIT_IO, "cannot read private key %s: %s", path,
		    rc == LEDGER_EIO ? strerror(errno) : ledger_strerror(rc));
	}
}

/*
 * The origin a server signs checkpoints for.  /healthz names it; the first
 * line of /checkpoint is the fallback for servers that hide /healthz.
 */
int
server_origin(const char *url, char *out, size_t outsz)
{
	struct http_resp r;
	json_t *j, *o;
	size_t n;
	int rc;

	if ((rc = net_get(url, "/healthz", &r)) != 0)
		return rc;
	j = json_loadb(r.body, r.len, 0, NULL);
	o = json_object_get(j, "origin");
	if (json_is_string(o) && ledger_keyname_check(json_string_value(o))
	    == 0 && json_string_length(o) < outsz) {
		snprintf(out, outsz, "%s", json_string_value(o));
		json_decref(j);
		net_resp_free(&r);
		return 0;
	}
	json_decref(j);
	net_resp_free(&r);
	if ((rc = net_get(url, "/checkpoint", &r)) != 0)
		return rc;
	n = strcspn(r.body, "\n");
	if (r.status == 200 && n > 0 && n < outsz && r.body[n] == '\n') {
		memcpy(out, r.body, n);
		out[n] = '\0';
		if (ledger_keyname_check(out) == 0) {
			net_resp_free(&r);
			return 0;
		}
	}
	net_resp_free(&r);
	return fail(EXIT_IO, "%s does not say its origin (neither /healthz nor "
	    "/checkpoint answered with one); is it a ledgerd?  Pass --origin "
	    "to sign anyway", url);
}

int
report_http_error(const struct http_resp *r, const char *what)
{
	json_t *j, *e;
	const char *code = "", *msg = "", *path = "";
	int ret;

	/* 429 and 408 ask to come back later, like a server failure. */
	ret = r->status >= 400 && r->status < 500 && r->status != 429 &&
	    r->status != 408 ? EXIT_VERIFY : EXIT_IO;
	j = json_loadb(r->body, r->len, 0, NULL);
	e = json_object_get(j, "error");
	if (!json_is_object(e)) {
		char text[201];
		size_t i;

		/* The server's words, but never its control characters. */
		for (i = 0; i < sizeof(text) - 1 && i < r->len; i++)
			text[i] = r->body[i] >= 0x20 && r->body[i] < 0x7f ?
			    r->body[i] : '?';
		text[i] = '\0';
		fail(ret, "%s: HTTP %ld from the server, without an error "
		    "object: %s", what, r->status, text);
		json_decref(j);
		return ret;
	}
	if (json_is_string(json_object_get(e, "code")))
		code = json_string_value(json_object_get(e, "code"));
	if (json_is_string(json_object_get(e, "message")))
		msg = json_string_value(json_object_get(e, "message"));
	if (json_is_string(json_object_get(e, "path")))
		path = json_string_value(json_object_get(e, "path"));
	fail(ret, "%s (HTTP %ld %s): %s%s%s", what, r->status, code, path,
	    path[0] ? ": " : "", msg);
	if (ret == EXIT_IO)
		fprintf(stderr, "ledgerctl: nothing was appended; try again "
		    "later\n");
	json_decref(j);
	return ret;
}

/*
 * POST st and keep the receipt.  The receipt must be for this statement:
 * a server that answers with another one is not trusted with it.
 */
int
post_statement(const char *url, const struct ledger_statement *st,
    const char *out)
{
	struct http_resp r;
	json_t *j, *leaf;
	char *body;
	size_t len;
	json_int_t seq;
	int rc;

	if (ledger_statement_dump(st, &body, &len) != 0)
		return fail(EXIT_IO, "cannot encode the statement");
	rc = net_post_json(url, "/v1/entries", body, len, &r);
	free(body);
	if (rc != 0)
		return rc;
	if (r.status != 200 && r.status != 201) {
		rc = report_http_error(&r, "the ledger refused the statement");
		net_resp_free(&r);
		return rc;
	}
	j = json_loadb(r.body, r.len, JSON_REJECT_DUPLICATES, NULL);
	leaf = json_object_get(j, "leaf");
	if (!json_is_integer(json_object_get(j, "seq")) ||
	    !json_is_object(leaf) ||
	    !json_is_string(json_object_get(leaf, "id")) ||
	    strcmp(json_string_value(json_object_get(leaf, "id")), st->id) ||
	    !json_equal(json_object_get(leaf, "kind"),
	    json_object_get(st->json, "kind")) ||
	    !json_equal(json_object_get(leaf, "body"), st->body)) {
		json_decref(j);
		net_resp_free(&r);
		return fail(EXIT_VERIFY, "the server answered HTTP %ld but not "
		    "with a receipt for this statement \"%s\"; check the "
		    "URL", r.status, st->id);
	}
	seq = json_integer_value(json_object_get(j, "seq"));
	json_decref(j);
	if ((rc = write_output(out, r.body, r.len)) == 0) {
		if (r.status == 201)
			fprintf(stderr, "appended seq %lld\n", (long long)seq);
		else
			fprintf(stderr, "already in the ledger at seq %lld\n",
			    (long long)seq);
	}
	net_resp_free(&r);
	return rc;
}

/* Parse a statement file and sign it with every key in paths. */
static int
load_and_sign(const char *file, const char *origin, char **paths,
    size_t npaths, struct ledger_statement **out)
{
	struct ledger_statement *st;
	struct ledger_seckey k;
	struct ledger_err err;
	char *buf;
	size_t len, i;
	int rc;

	if ((rc = read_input(file, LEDGER_JSON_MAX_BYTES, &buf, &len)) != 0)
		return rc;
	ledger_err_clear(&err);
	rc = ledger_statement_parse(buf, len, &st, &err);
	free(buf);
	if (rc != 0)
		return fail(EXIT_USAGE, "%s is not a valid statement: %s%s%s "
		    "(%s)", file, err.path, err.path[0] ? ": " : "",
		    err.msg[0] ? err.msg : ledger_strerror(rc),
		    err.rule[0] ? err.rule : "");
	for (i = 0; i < npaths; i++) {
		if ((rc = load_signer(paths[i], &k)) != 0) {
			ledger_statement_free(st);
			return rc;
		}
		rc = ledger_statement_sign(st, origin, &k);
		ledger_seckey_wipe(&k);
		if (rc != 0) {
			ledger_statement_free(st);
			return fail(rc == LEDGER_ETOOBIG ? EXIT_USAGE : EXIT_IO,
			    "cannot sign with %s: %s", paths[i],
			    rc == LEDGER_ETOOBIG ? "the statement already has "
			    "the most signatures allowed" :
			    ledger_strerror(rc));
		}
	}
	*out = st;
	return 0;
}

int
cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key",	required_argument, NULL, 'k' },
		{ "origin",	required_argument, NULL, 'O' },
		{ "url",	required_argument, NULL, 'u' },
		{ "output",	required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	char *keys[LEDGER_SIGS_MAX], originbuf[LEDGER_KEYNAME_MAX + 1];
	const char *origin = NULL, *url = NULL, *out = NULL;
	struct ledger_statement *st;
	size_t nkeys = 0, len;
	char *dump;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "k:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			if (nkeys == LEDGER_SIGS_MAX)
				return fail(EXIT_USAGE, "at most %d keys",
				    LEDGER_SIGS_MAX);
			keys[nkeys++] = optarg;
			break;
		case 'O': origin = optarg; break;
		case 'u': url = optarg; break;
		case 'o': out = optarg; break;
		default:
			print_help("sign", stderr);
			return EXIT_USAGE;
		}
	}
	if (nkeys == 0 || (origin == NULL && url == NULL) ||
	    optind != argc - 1) {
		print_help("sign", stderr);
		return EXIT_USAGE;
	}
	if (origin == NULL) {
		if ((rc = server_origin(url, originbuf, sizeof(originbuf))) != 0)
			return rc;
		origin = originbuf;
	} else if (ledger_keyname_check(origin) != 0)
		return fail(EXIT_USAGE, "origin \"%s\" is not valid (no spaces "
		    "or '+')", origin);
	if ((rc = load_and_sign(argv[optind], origin, keys, nkeys, &st)) != 0)
		return rc;
	rc = ledger_statement_dump(st, &dump, &len);
	ledger_statement_free(st);
	if (rc != 0)
		return fail(EXIT_IO, "cannot encode the signed statement: %s",
		    ledger_strerror(rc));
	rc = write_output(out, dump, len);
	free(dump);
	return rc;
}

int
cmd_submit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url",	required_argument, NULL, 'u' },
		{ "key",	required_argument, NULL, 'k' },
		{ "origin",	required_argument, NULL, 'O' },
		{ "output",	required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	char *keys[LEDGER_SIGS_MAX], origin[LEDGER_KEYNAME_MAX + 1];
	const char *url = NULL, *out = NULL, *originarg = NULL;
	struct ledger_statement *st;
	size_t nkeys = 0;
	int ch, rc;

	origin[0] = '\0';
	optind = 1;
	while ((ch = getopt_long(argc, argv, "k:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 'k':
			if (nkeys == LEDGER_SIGS_MAX)
				return fail(EXIT_USAGE, "at most %d keys",
				    LEDGER_SIGS_MAX);
			keys[nkeys++] = optarg;
			break;
		case 'O': originarg = optarg; break;
		case 'o': out = optarg; break;
		default:
			print_help("submit", stderr);
			return EXIT_USAGE;
		}
	}
	if (url == NULL || optind != argc - 1) {
		print_help("submit", stderr);
		return EXIT_USAGE;
	}
	if (originarg != NULL) {
		if (ledger_keyname_check(originarg) != 0)
			return fail(EXIT_USAGE, "origin \"%s\" is not valid",
			    originarg);
		snprintf(origin, sizeof(origin), "%s", originarg);
	} else if (nkeys > 0 &&
	    (rc = server_origin(url, origin, sizeof(origin))) != 0)
		return rc;
	if ((rc = load_and_sign(argv[optind], origin, keys, nkeys, &st)) != 0)
		return rc;
	if (st->nsigs == 0)
		fprintf(stderr, "ledgerctl: warning: the statement has no "
		    "signature; the ledger will refuse it (add -k KEY)\n");
	rc = post_statement(url, st, out);
	ledger_statement_free(st);
	return rc;
}
