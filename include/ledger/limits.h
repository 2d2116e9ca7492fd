/*
 * ledger/limits.h - every bound on outside input, in one place.
 *
 * Each limit is named, documented in docs/FORMAT.md or docs/API.md, and has
 * a test at its edge.  The daemon can lower (not raise) some of them through
 * its configuration.
 */
#ifndef LEDGER_LIMITS_H
#define LEDGER_LIMITS_H

#define LEDGER_JSON_MAX_BYTES	(256 * 1024)	/* bytes of one JSON document */
#define LEDGER_JSON_MAX_DEPTH	16	/* nested arrays/objects */
#define LEDGER_JSON_MAX_STRING	8192	/* bytes of one string value */
#define LEDGER_JSON_MAX_KEY	64	/* bytes of one object key */
#define LEDGER_JSON_MAX_MEMBERS	256	/* members of one object/array */
#define LEDGER_JSON_MAX_INT	9007199254740991LL	/* 2^53-1 */

#define LEDGER_ID_MAX		128	/* bytes of a statement id */
#define LEDGER_KEYNAME_MAX	128	/* bytes of a key name / origin */
#define LEDGER_SIGS_MAX		8	/* author signatures per statement */
#define LEDGER_LEAF_MAX		65535	/* bytes of a leaf (uint16 bundles) */

#define LEDGER_INDEX_VALUE_MAX	128	/* bytes of an indexed ocid/org/contract */

#define LEDGER_NOTE_MAX		4096	/* bytes of a signed note we accept */
#define LEDGER_NOTE_SIGS_MAX	100	/* signature lines per note */

#endif
