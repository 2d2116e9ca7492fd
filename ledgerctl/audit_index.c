/*
 * audit_index.c - "ledgerctl audit" offline: the query index
 * (DIR/index.mdb) against the entries.  Every entry below the index's mark
 * must have exactly the rows the append path writes (ledger_index_rows),
 * and no other row may name an entry below the mark.  A missing row hides
 * an entry from the portal queries; an extra one lists an entry under a
 * project, organization or kind it does not have.  Neither shows in
 * "ledgerctl verify", which checks the ledger, not what is derived from
 * it.
 *
 * Entries at or past the mark (index.mdb lagging after a crash, until
 * ledgerd re-indexes them at start) are not compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/index.h"
#include "ledgerctl.h"

struct index_audit {
	struct ledger_txn	*txn;
	audit_report		 fn;
	void			*ctx;
	uint64_t		 upto;		/* rows of entries below it */
	uint64_t		 expected[LEDGER_DB_COUNT];
	uint64_t		 missing[LEDGER_DB_COUNT];
	uint64_t		 compared;	/* entries */
	/* The entry being compared. */
	uint64_t		 seq;
	const char		*ocid, *id;
	/* Looking for one stored row among an entry's rows. */
	enum ledger_db		 wantdb;
	const uint8_t		*want;
	size_t			 wantlen;
	int			 found;
};

/* The indexed value of a row key (value || 0x00 || seq), for a message. */
static void
row_value(const uint8_t *key, size_t klen, char *out, size_t outsz)
{
	size_t n = klen > 9 ? klen - 9 : 0;

	snprintf(out, outsz, "%.*s", (int)(n < outsz ? n : outsz - 1),
	    (const char *)key);
}

static void
report(struct index_audit *ia, uint64_t seq, const char *ocid,
    const char *id, const char *rule, enum ledger_db db, const char *fmt,
    const char *value)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, ledger_db_name(db), value);
	ia->fn(ia->ctx, seq, ocid, id, rule, ledger_db_name(db), msg);
}

static int
check_row(void *ctx, enum ledger_db db, const uint8_t *key, size_t klen,
    const uint8_t *data, size_t dlen)
{
	struct index_audit *ia = ctx;
	char value[LEDGER_INDEX_VALUE_MAX + 1];
	const void *v;
	size_t vl;
	int rc;

	ia->expected[db]++;
	rc = ledger_db_get(ia->txn, db, key, klen, &v, &vl);
	if (rc == LEDGER_ENOTFOUND) {
		ia->missing[db]++;
		row_value(key, klen, value, sizeof(value));
		report(ia, ia->seq, ia->ocid, ia->id, "index.missing", db,
		    "index.mdb lacks this entry's %s row for \"%s\": the "
		    "portal queries do not list the entry there (delete "
		    "index.mdb and restart ledgerd to rebuild it)", value);
		return 0;
	}
	if (rc != 0)
		return rc;
	if (vl != dlen || memcmp(v, data, dlen) != 0) {
		row_value(key, klen, value, sizeof(value));
		report(ia, ia->seq, ia->ocid, ia->id, "index.mismatch", db,
		    "this entry's %s row for \"%s\" in index.mdb gives "
		    "another time or kind than the entry", value);
	}
	return 0;
}

int
index_audit_new(struct ledger_txn *txn, audit_report fn, void *ctx,
    struct index_audit **out)
{
	struct index_audit *ia;
	uint64_t upto;
	int rc;

	*out = NULL;
	rc = ledger_index_upto(txn, &upto, NULL);
	if (rc == LEDGER_ENOTFOUND)
		return 0;	/* no index.mdb: nothing to compare */
	if (rc != 0)
		return rc;
	if ((ia = calloc(1, sizeof(*ia))) == NULL)
		return LEDGER_ENOMEM;
	ia->txn = txn;
	ia->fn = fn;
	ia->ctx = ctx;
	ia->upto = upto;
	*out = ia;
	return 0;
}

void
index_audit_free(struct index_audit *ia)
{
	free(ia);
}

uint64_t
index_audit_compared(const struct index_audit *ia)
{
	return ia == NULL ? 0 : ia->compared;
}

int
index_audit_entry(struct index_audit *ia, const struct ledger_statement *st,
    uint64_t seq, int64_t t, const char *ocid)
{
	if (ia == NULL || seq >= ia->upto)
		return 0;
	ia->seq = seq;
	ia->ocid = ocid;
	ia->id = st->id;
	ia->compared++;
	return ledger_index_rows(st, seq, t, check_row, ia);
}

static int
match_row(void *ctx, enum ledger_db db, const uint8_t *key, size_t klen,
    const uint8_t *data, size_t dlen)
{
	struct index_audit *ia = ctx;

	(void)data;
	(void)dlen;
	if (db == ia->wantdb && klen == ia->wantlen &&
	    memcmp(key, ia->want, klen) == 0)
		ia->found = 1;
	return 0;
}

/* Is the stored row (db, key) one that entry seq has? */
static int
row_of_entry(struct index_audit *ia, enum ledger_db db, const uint8_t *key,
    size_t klen, uint64_t seq, int *yes, char *ocid, size_t ocidsz)
{
	struct ledger_leaf leaf;
	const uint8_t *data;
	const char *o;
	size_t len;
	int rc;

	*yes = 0;
	ocid[0] = '\0';
	if ((rc = ledger_entry_get(ia->txn, seq, &data, &len)) != 0)
		return rc == LEDGER_ENOTFOUND ? 0 : rc;
	if (ledger_leaf_parse(data, len, &leaf, NULL) != 0)
		return 0;	/* reported by the replay */
	ia->wantdb = db;
	ia->want = key;
	ia->wantlen = klen;
	ia->found = 0;
	rc = ledger_index_rows(leaf.st, seq, leaf.time_ms, match_row, ia);
	*yes = ia->found;
	if ((o = json_string_value(json_object_get(leaf.st->body,
	    "ocid"))) != NULL)
		snprintf(ocid, ocidsz, "%s", o);
	ledger_leaf_clear(&leaf);
	return rc;
}

/*
 * Count the stored rows below the mark.  More than the entries gave
 * (less the missing ones) means rows no entry has: find and name them,
 * parsing the entries they point at (only then, it costs a parse a row).
 */
static int
extra_rows(struct index_audit *ia, enum ledger_db db)
{
	struct ledger_cursor *c;
	char value[LEDGER_INDEX_VALUE_MAX + 1], ocid[LEDGER_ID_MAX + 1];
	const uint8_t *k;
	uint64_t stored = 0, extra = 0, seq;
	size_t kl;
	int rc, pass, yes;

	for (pass = 0; pass < 2; pass++) {
		if ((rc = ledger_cursor_open(ia->txn, db, &c)) != 0)
			return rc;
		while ((rc = ledger_cursor_next(c, (const void **)&k, &kl,
		    NULL, NULL)) == 0) {
			if (kl < 9 || (seq = ledger_be64_get(k + kl - 8)) >=
			    ia->upto)
				continue;
			if (pass == 0) {
				stored++;
				continue;
			}
			if ((rc = row_of_entry(ia, db, k, kl, seq, &yes, ocid,
			    sizeof(ocid))) != 0)
				break;
			if (yes)
				continue;
			row_value(k, kl, value, sizeof(value));
			report(ia, seq, ocid, NULL, "index.extra", db,
			    "index.mdb has a %s row for \"%s\" that this "
			    "entry does not give: the portal queries list it "
			    "there (delete index.mdb and restart ledgerd to "
			    "rebuild it)", value);
			if (--extra == 0)
				break;
		}
		ledger_cursor_close(c);
		if (rc != 0 && rc != LEDGER_ENOTFOUND)
			return rc;
		if (pass == 0) {
			if (stored <= ia->expected[db] - ia->missing[db])
				return 0;
			extra = stored - (ia->expected[db] - ia->missing[db]);
		}
	}
	return 0;
}

int
index_audit_finish(struct index_audit *ia)
{
	static const enum ledger_db dbs[] = { LEDGER_DB_BY_OCID,
	    LEDGER_DB_BY_ORG, LEDGER_DB_BY_KIND_TIME, LEDGER_DB_BY_CONTRACT };
	size_t i;
	int rc;

	if (ia == NULL)
		return 0;
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++)
		if ((rc = extra_rows(ia, dbs[i])) != 0)
			return rc;
	return 0;
}
