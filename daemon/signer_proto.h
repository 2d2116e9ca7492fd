/*
 * signer_proto.h - the messages between ledgerd and its signer process.
 *
 * One request or response is one SOCK_SEQPACKET message of exactly the
 * size of its struct; the signer refuses any other length, type or count.
 * Shared with tests/tools/forge.c, which sends forged requests over a
 * running daemon's socket, so the test speaks the real format.
 */
#ifndef LEDGERD_SIGNER_PROTO_H
#define LEDGERD_SIGNER_PROTO_H

#include <stdint.h>

#include "ledger/limits.h"
#include "ledger/merkle.h"

enum { SIGNER_MSG_INIT = 1, SIGNER_MSG_SIGN = 2 };

struct signer_req {
	uint32_t	type;
	uint32_t	nproof;			/* at most LEDGER_PROOF_MAX */
	uint64_t	size;
	uint8_t		root[LEDGER_HASH_BYTES];
	uint8_t		proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	uint32_t	notelen;	/* INIT: checkpoint of (size, root) */
	char		note[LEDGER_NOTE_MAX];
};

/*
 * The hello's record field: what the signer's own record (signer-state)
 * says it last signed.  NONE: no record yet, so the daemon must INIT;
 * HAVE: (rsize, rroot), and the signer refuses INIT; BAD: the record
 * could not be used, rc != 0 and text says why and what to do.
 */
enum { SIGNER_REC_NONE = 0, SIGNER_REC_HAVE = 1, SIGNER_REC_BAD = 2 };

struct signer_resp {
	int32_t		rc;			/* 0 or a LEDGER_E* code */
	uint32_t	len;
	char		text[LEDGER_NOTE_MAX];	/* note, or vkey on hello */
	uint32_t	record;			/* hello: SIGNER_REC_* */
	uint64_t	rsize;			/* hello, HAVE: last signed */
	uint8_t		rroot[LEDGER_HASH_BYTES];
};

#endif
