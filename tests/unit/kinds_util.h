/*
 * kinds_util.h - helpers shared by test_kinds.c and test_rules.c: the
 * worked examples of tests/kinds/<kind>.json (also quoted by
 * docs/KINDS.md), edits by path, and statements built from them.
 */
#ifndef KINDS_UTIL_H
#define KINDS_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"
#include "ledger/canon.h"
#include "ledger/statement.h"

#define UNUSED __attribute__((unused))

/* A whole file as a NUL-terminated string (NULL on failure). */
static UNUSED char *
read_text(const char *rel)
{
	char path[512];
	char *buf = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", harness_srcdir(), rel);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else
			buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/* tests/kinds/<kind>.json, parsed by the ledger's own strict parser. */
static UNUSED json_t *
example(const char *kind)
{
	char rel[128];
	json_t *v = NULL;
	char *text;

	snprintf(rel, sizeof(rel), "tests/kinds/%s.json", kind);
	if ((text = read_text(rel)) == NULL) {
		harness_fail(__FILE__, __LINE__, "cannot read %s", rel);
		return json_object();
	}
	if (ledger_canon_parse(text, strlen(text), &v, NULL) != 0) {
		harness_fail(__FILE__, __LINE__, "%s is not canonical-subset "
		    "JSON", rel);
		v = json_object();
	}
	free(text);
	return v;
}

/*
 * Find the parent of the last step of path ("body.counts[1].value") and
 * that step: a member name (*idx = -1) or an array index.
 */
static UNUSED json_t *
path_parent(json_t *root, const char *path, char *last, size_t lastsz,
    long *idx)
{
	json_t *cur = root;
	const char *p = path;

	for (;;) {
		size_t n = strcspn(p, ".[");
		char name[128];

		if (n > 0) {
			if (n >= sizeof(name))
				return NULL;
			memcpy(name, p, n);
			name[n] = '\0';
			p += n;
			if (*p == '\0') {
				snprintf(last, lastsz, "%s", name);
				*idx = -1;
				return cur;
			}
			cur = json_object_get(cur, name);
		}
		if (*p == '.') {
			p++;
			continue;
		}
		if (*p == '[') {
			long i = strtol(p + 1, NULL, 10);

			p = strchr(p, ']') + 1;
			if (*p == '\0') {
				*idx = i;
				last[0] = '\0';
				return cur;
			}
			cur = json_array_get(cur, (size_t)i);
		}
		if (cur == NULL)
			return NULL;
	}
}

/*
 * Set (stealing v) or, with v NULL, delete the member at path; an index
 * one past the end appends.
 */
static UNUSED void
jset(json_t *root, const char *path, json_t *v)
{
	char last[128];
	long idx;
	json_t *parent = path_parent(root, path, last, sizeof(last), &idx);

	if (parent == NULL) {
		harness_fail(__FILE__, __LINE__, "no parent for %s", path);
		json_decref(v);
		return;
	}
	if (idx >= 0) {
		if (v == NULL)
			json_array_remove(parent, (size_t)idx);
		else if ((size_t)idx == json_array_size(parent))
			json_array_append_new(parent, v);
		else
			json_array_set_new(parent, (size_t)idx, v);
	} else if (v == NULL)
		json_object_del(parent, last);
	else
		json_object_set_new(parent, last, v);
}

static UNUSED json_t *
jget(json_t *root, const char *path)
{
	char last[128];
	long idx;
	json_t *parent = path_parent(root, path, last, sizeof(last), &idx);

	if (parent == NULL)
		return NULL;
	return idx >= 0 ? json_array_get(parent, (size_t)idx) :
	    json_object_get(parent, last);
}

/*
 * A statement from {id, kind, body} (taking a new reference) signed, for
 * the rules, by the named keys (placeholder signature bytes: the
 * cryptography is the registry's business, tested elsewhere).  NULL-ended.
 */
static UNUSED struct ledger_statement *
statement_by(json_t *sj, const char *const *keys)
{
	struct ledger_statement *st = NULL;
	json_t *root = json_deep_copy(sj), *sigs = json_array();
	static const char zero_sig[] =	/* base64 of 64 zero bytes */
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
	struct ledger_err err;

	for (; keys != NULL && *keys != NULL; keys++)
		json_array_append_new(sigs, json_pack("{s:s,s:s}", "key", *keys,
		    "sig", zero_sig));
	if (json_array_size(sigs) > 0)
		json_object_set_new(root, "signatures", sigs);
	else
		json_decref(sigs);
	if (ledger_statement_from_json(root, &st, &err) != 0)
		harness_fail(__FILE__, __LINE__, "statement: %s at %s: %s",
		    err.rule, err.path, err.msg);
	return st;
}

#endif
