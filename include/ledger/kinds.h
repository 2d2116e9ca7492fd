/*
 * ledger/kinds.h - the body schema of each entry kind (DESIGN 3.5,
 * DATA-STANDARDS 7.1-7.5), one table per kind.
 *
 * The tables are the single source of the schemas: ledger_kind_validate
 * walks them, docs/KINDS.md shows them (tests/unit/test_kinds.c renders
 * them and checks that KINDS.md holds the same text), and the tests take
 * their examples from tests/kinds/<kind>.json, which KINDS.md quotes.
 *
 * Schemas are strict: a member not in the table is refused.  Common
 * shapes:
 *   money     {"amount_minor": integer fen, "currency": "CNY"}
 *   org       {"scheme": "CN-USCI", "id": USCC (GB 32100-2015), "name"}
 *   document  {"id", "type", "title"?, "url"?, "sha256": 64 lower-case hex,
 *              "size": integer >= 0, "media_type": "type/subtype"}
 *   date      RFC 3339 date-time with an offset ("Z" or +hh:mm)
 *
 * Thread safety: the tables are constant; every function is reentrant.
 */
#ifndef LEDGER_KINDS_H
#define LEDGER_KINDS_H

#include <stdint.h>

#include "ledger/error.h"
#include "ledger/statement.h"

#define LEDGER_TRANCHES_MAX	64	/* tranches per contract; no is 1..64 */
#define LEDGER_CURRENCY		"CNY"	/* the one ISO 4217 code accepted */

enum ledger_ftype {
	LEDGER_F_STRING,	/* text; min..max Unicode characters */
	LEDGER_F_IDENT,		/* identifier: min..max bytes, no white space */
	LEDGER_F_REF,		/* a statement id, [A-Za-z0-9._:-]{1,128} */
	LEDGER_F_INT,		/* integer in min..max */
	LEDGER_F_BOOL,
	LEDGER_F_ENUM,		/* one of values */
	LEDGER_F_DATE,		/* RFC 3339 date-time with offset */
	LEDGER_F_MONEY,		/* money; amount_minor in min..max */
	LEDGER_F_ORG,		/* organization with a valid USCC */
	LEDGER_F_DOC,		/* document by hash */
	LEDGER_F_POINTER,	/* RFC 6901 JSON pointer, "/a/b", 1..max bytes */
	LEDGER_F_ANY,		/* any canonical JSON value */
	LEDGER_F_OBJECT,	/* members in sub */
	LEDGER_F_ARRAY,		/* min..max elements of type elem (sub) */
	/* Leaves of the shared shapes (money, org, document). */
	LEDGER_F_AMOUNT,	/* integer fen, min..2^53-1 */
	LEDGER_F_CURRENCY,	/* ISO 4217 code; only LEDGER_CURRENCY */
	LEDGER_F_USCC,		/* 18-character USCC, check character valid */
	LEDGER_F_SHA256,	/* 64 lower-case hex digits */
	LEDGER_F_MEDIA_TYPE	/* "type/subtype" */
};

#define LEDGER_F_REQ	0x1	/* the member must be present */

/*
 * One member of a body (or of an object inside it).  Tables end with an
 * element whose name is NULL.  min/max mean: characters (STRING), bytes
 * (IDENT, POINTER), value (INT, AMOUNT, and MONEY's amount_minor),
 * elements (ARRAY); max 0 means "no bound beyond the canonical limits".
 */
struct ledger_field {
	const char		*name;
	enum ledger_ftype	 type;
	unsigned		 flags;
	long long		 min, max;
	const char		*values;	/* ENUM: space separated */
	enum ledger_ftype	 elem;		/* ARRAY: element type */
	const struct ledger_field *sub;		/* OBJECT, or ARRAY of OBJECT */
	const char		*doc;		/* one line for docs/KINDS.md */
};

/*
 * Check the body of st against its kind's table.  0 when it conforms (and
 * always for "key": the registry validates key bodies); otherwise
 * LEDGER_ESCHEMA with err->path naming the member ("body.value.amount_minor",
 * "body.counts[2].option") and err->rule one of "schema.type",
 * "schema.required", "unknown-field", "schema.length", "schema.range",
 * "schema.count", "schema.format", "enum", "date", "money", "uscc".
 * LEDGER_EINVAL for a kind without a table.
 * This checks one entry alone; rules between entries are ledger/rules.h.
 */
int ledger_kind_validate(const struct ledger_statement *st,
    struct ledger_err *err);

/* The table of kind (NULL for "key" and unknown kinds). */
const struct ledger_field *ledger_kind_fields(const char *kind);

/* Tables of the shared shapes, for docs: money, org, document. */
const struct ledger_field *ledger_shape_fields(enum ledger_ftype type);

/* Short name of a type for docs ("string", "money", ...); never NULL. */
const char *ledger_ftype_name(enum ledger_ftype type);

#endif
