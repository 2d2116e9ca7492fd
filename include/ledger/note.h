/*
 * ledger/note.h - C2SP signed-note v1 and tlog-checkpoint v1 with Ed25519
 * (note key type 0x01), and the key strings of both sides:
 *
 *   verifier key  <name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>
 *   signer key    PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || seed)>
 *
 * key id = SHA-256(name || "\n" || 0x01 || public key)[:4].  Author keys
 * and the ledger key use the same strings.
 *
 * Thread safety: all functions are reentrant.
 */
#ifndef LEDGER_NOTE_H
#define LEDGER_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/limits.h"
#include "ledger/merkle.h"

#define LEDGER_KEYID_BYTES	4
#define LEDGER_PK_BYTES		32	/* Ed25519 public key */
#define LEDGER_SK_BYTES		64	/* libsodium secret key (seed || pk) */
#define LEDGER_SIG_BYTES	64	/* Ed25519 signature */
#define LEDGER_VKEY_MAX		(LEDGER_KEYNAME_MAX + 64)	/* bytes, NUL incl. */
#define LEDGER_SKEY_MAX		(LEDGER_KEYNAME_MAX + 80)	/* bytes, NUL incl. */

struct ledger_pubkey {
	char	name[LEDGER_KEYNAME_MAX + 1];
	uint8_t	id[LEDGER_KEYID_BYTES];
	uint8_t	pk[LEDGER_PK_BYTES];
};

/* Holds a secret: wipe with ledger_seckey_wipe() when done. */
struct ledger_seckey {
	struct ledger_pubkey	pub;
	uint8_t			sk[LEDGER_SK_BYTES];
};

/*
 * A key name is valid when non-empty, at most LEDGER_KEYNAME_MAX bytes,
 * valid UTF-8, without '+' and without Unicode whitespace.  0 or
 * LEDGER_EKEY.
 */
int ledger_keyname_check(const char *name);

/* id = SHA-256(name || "\n" || 0x01 || pk)[:4]. */
void ledger_key_id(const char *name, const uint8_t pk[LEDGER_PK_BYTES],
    uint8_t id[LEDGER_KEYID_BYTES]);

/* New random key pair named name.  LEDGER_EKEY on a bad name. */
int ledger_seckey_generate(const char *name, struct ledger_seckey *k);
/* Key pair from a 32-byte seed (tests, vectors). */
int ledger_seckey_from_seed(const char *name, const uint8_t seed[32],
    struct ledger_seckey *k);
void ledger_seckey_wipe(struct ledger_seckey *k);

/*
 * Parse / format key strings.  Parsing recomputes the key id and refuses a
 * mismatch, an unknown type byte, a wrong length or a bad name
 * (LEDGER_EKEY).  Format writes at most outsz bytes including NUL
 * (LEDGER_ETOOBIG if it does not fit); hex is always lower case.
 */
int ledger_vkey_parse(const char *s, struct ledger_pubkey *k);
int ledger_vkey_format(const struct ledger_pubkey *k, char *out, size_t outsz);
int ledger_skey_parse(const char *s, struct ledger_seckey *k);
int ledger_skey_format(const struct ledger_seckey *k, char *out, size_t outsz);

/*
 * Sign a note: out = text || "\n" || "— " name " " base64(id || sig) "\n".
 * text must be non-empty, end in "\n", and be a valid note text (UTF-8, no
 * control characters but "\n").  Ed25519 is deterministic, so the same text
 * gives the same bytes.  outsz includes room for a NUL, which is written;
 * *outlen excludes it.
 */
int ledger_note_sign(const struct ledger_seckey *k, const char *text,
    size_t textlen, char *out, size_t outsz, size_t *outlen);

/*
 * Open a signed note of len bytes: split text and signature lines at the
 * last "\n\n", check the syntax strictly (LEDGER_ENOTE), ignore signatures
 * by unknown (name, id) pairs, refuse a failing signature by a known key
 * (LEDGER_ESIG), and require at least one verified signature (LEDGER_ESIG).
 * On success *textlen is the length of the text (ending in "\n").
 */
int ledger_note_open(const char *msg, size_t len,
    const struct ledger_pubkey *keys, size_t nkeys, size_t *textlen)
    __attribute__((warn_unused_result));

/* A tlog-checkpoint body. */
struct ledger_checkpoint {
	char		origin[LEDGER_KEYNAME_MAX + 1];
	uint64_t	size;
	uint8_t		root[LEDGER_HASH_BYTES];
};

/* "<origin>\n<size>\n<base64 root>\n" into out (NUL written). */
int ledger_checkpoint_format(const struct ledger_checkpoint *c, char *out,
    size_t outsz, size_t *outlen);
/* Parse a checkpoint body (first three lines; extension lines allowed). */
int ledger_checkpoint_parse(const char *text, size_t len,
    struct ledger_checkpoint *c);
/* Format and sign in one step: a signed checkpoint note. */
int ledger_checkpoint_sign(const struct ledger_seckey *k,
    const struct ledger_checkpoint *c, char *out, size_t outsz,
    size_t *outlen);
/*
 * Open a signed checkpoint with the ledger's verifier key and parse it;
 * also refuses an origin different from the key name.
 */
int ledger_checkpoint_open(const char *msg, size_t len,
    const struct ledger_pubkey *k, struct ledger_checkpoint *c)
    __attribute__((warn_unused_result));

/* Base64 (standard alphabet, padded) helpers shared by the library. */
int ledger_b64_encode(const uint8_t *in, size_t len, char *out, size_t outsz);
/*
 * The same base64 of one hash, 44 characters and a NUL, by table lookup.
 * WARNING: its timing depends on the bytes: use it for public values only
 * (Merkle hashes and roots, in proofs and receipts); keys and anything
 * secret go through ledger_b64_encode (libsodium, constant-time).
 */
#define LEDGER_HASH_B64_BYTES	45
void ledger_hash_b64(const uint8_t h[LEDGER_HASH_BYTES],
    char out[LEDGER_HASH_B64_BYTES]);
/* Decodes exactly; returns 0 and *outlen, or LEDGER_EINVAL. */
int ledger_b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen);
/*
 * The same decoding by table lookup, several times faster: it accepts and
 * refuses exactly the strings ledger_b64_decode does.  WARNING: its timing
 * depends on the bytes: use it for public values only (signatures, hashes,
 * roots); keys and anything secret go through ledger_b64_decode.
 */
int ledger_b64_decode_public(const char *in, size_t len, uint8_t *out,
    size_t outsz, size_t *outlen);
/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void ledger_hex_encode(const uint8_t *in, size_t len, char *out);
/* Exactly 2*len hex digits into len bytes; 0 or LEDGER_EINVAL. */
int ledger_hex_decode(const char *in, uint8_t *out, size_t len);

#endif
