/*
 * test_format_doc.c - every worked example in docs/FORMAT.md is
 * regenerated here from fixed keys and compared byte for byte, so the
 * document cannot drift from the code.  An example is the fenced block
 * after a line "<!-- example: NAME -->".
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ledger/canon.h"
#include "ledger/keys.h"
#include "ledger/statement.h"

#define ORIGIN	"ledger.example.gov.cn/demo-2026"

static char *doc;

/* The example block NAME from docs/FORMAT.md (malloc'd), or NULL. */
static char *
example(const char *name)
{
	char marker[128], *p, *start, *end, *out;

	if (doc == NULL) {
		char path[512];
		size_t len;

		snprintf(path, sizeof(path), "%s/docs/FORMAT.md",
		    harness_srcdir());
		if (ledger_file_read(path, 1 << 20, &doc, &len) != 0)
			return NULL;
	}
	snprintf(marker, sizeof(marker), "<!-- example: %s -->\n", name);
	if ((p = strstr(doc, marker)) == NULL ||
	    (start = strstr(p, "```")) == NULL ||
	    (start = strchr(start, '\n')) == NULL ||
	    (end = strstr(++start, "\n```")) == NULL)
		return NULL;
	out = strndup(start, (size_t)(end - start));
	return out;
}

static void
check_example(const char *name, const char *want)
{
	char *got = example(name);

	if (got == NULL)
		harness_fail(__FILE__, __LINE__, "docs/FORMAT.md has no example "
		    "%s", name);
	else if (strcmp(got, want) != 0)
		harness_fail(__FILE__, __LINE__, "docs/FORMAT.md example %s is "
		    "stale; it should read:\n%s", name, want);
	else
		harness_pass();
	free(got);
}

static void
seeded(const char *name, uint8_t fill, struct ledger_seckey *k)
{
	uint8_t seed[32];

	memset(seed, fill, sizeof(seed));
	CHECK_INT(ledger_seckey_from_seed(name, seed, k), 0);
}

TEST(format_examples_match_code)
{
	static const char stmt_json[] = "{\"id\":\"vote-demo-1\",\"kind\":"
	    "\"vote\",\"body\":{\"ocid\":\"ocds-demo-1\",\"result\":\"pass\","
	    "\"title\":\"社区增能\"}}";
	struct ledger_seckey author, ledger;
	struct ledger_statement *st;
	struct ledger_checkpoint c;
	char buf[2048], *msg, *leaf, hex[65], b64[128];
	uint8_t prev[32], h[32], node[32];
	size_t len, n;
	int64_t t;

	seeded("convener.demo", 0x11, &author);
	seeded(ORIGIN, 0x22, &ledger);
	CHECK_INT(ledger_vkey_format(&author.pub, buf, sizeof(buf)), 0);
	check_example("author-vkey", buf);
	CHECK_INT(ledger_skey_format(&author, buf, sizeof(buf)), 0);
	check_example("author-skey", buf);
	CHECK_INT(ledger_vkey_format(&ledger.pub, buf, sizeof(buf)), 0);
	check_example("ledger-vkey", buf);

	CHECK_INT(ledger_statement_parse(stmt_json, strlen(stmt_json), &st,
	    NULL), 0);
	check_example("signed-part", st->signed_canon);
	CHECK_INT(ledger_statement_message(st, ORIGIN, &msg, &len), 0);
	check_example("signing-message", msg);
	free(msg);
	CHECK_INT(ledger_statement_sign(st, ORIGIN, &author), 0);
	ledger_b64_encode(st->sigs[0].sig, 64, b64, sizeof(b64));
	check_example("signature", b64);

	memset(prev, 0xab, sizeof(prev));
	CHECK_INT(ledger_time_parse("2026-08-15T11:31:02.125Z", &t), 0);
	CHECK_INT(ledger_leaf_build(st, 1, t, prev, &leaf, &len, h, NULL), 0);
	check_example("leaf", leaf);
	free(leaf);
	ledger_hex_encode(h, 32, hex);
	check_example("leaf-hash", hex);
	ledger_node_hash(prev, h, node);
	ledger_hex_encode(node, 32, hex);
	check_example("node-hash", hex);

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	c.size = 2;
	memcpy(c.root, node, 32);
	CHECK_INT(ledger_checkpoint_sign(&ledger, &c, buf, sizeof(buf), &n), 0);
	buf[n - 1] = '\0';	/* the block holds the note without its last \n */
	check_example("checkpoint", buf);

	ledger_statement_free(st);
	ledger_seckey_wipe(&author);
	ledger_seckey_wipe(&ledger);
	free(doc);
	doc = NULL;
}
