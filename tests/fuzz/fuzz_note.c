/*
 * fuzz_note.c - signed notes, checkpoints and key strings (ledger/note.h)
 * under libFuzzer.
 *
 * The input is tried as a signed note (opened with the vectors' ledger
 * key, alone and beside a key of the same name and another id), as a
 * checkpoint body, as a signed checkpoint, as verifier and signer key
 * strings, and as base64 and hex.  Invariants: nothing crashes; an opened
 * note's text ends in "\n" and lies inside the input; a parsed checkpoint
 * formats back to a body that parses to the same values; an opened
 * checkpoint has the key's origin; key strings have one spelling but for
 * the case of the key id, base64 has exactly one (format(parse(s)) == s);
 * hex round-trips.
 */
#include <ctype.h>

#include "ledger/error.h"
#include "ledger/note.h"
#include "fuzz.h"

/* tests/vectors/ledgerd-v1.json: the ledger key. */
static const char origin[] = "ledger.example.gov.cn/yueqing-2026";

static struct ledger_pubkey keys[2];

static void
setup(void)
{
	static int done;
	struct ledger_seckey k;
	uint8_t seed[32];
	int i;

	if (done)
		return;
	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(0x20 + i);
	FUZZ_CHECK(ledger_seckey_from_seed(origin, seed, &k) == 0);
	keys[0] = k.pub;
	/* Same name, other key: its signatures must fail, not be skipped. */
	seed[0] ^= 1;
	FUZZ_CHECK(ledger_seckey_from_seed(origin, seed, &k) == 0);
	keys[1] = k.pub;
	ledger_seckey_wipe(&k);
	done = 1;
}

static void
note(const char *s, size_t size)
{
	struct ledger_checkpoint c, c2;
	char body[LEDGER_NOTE_MAX];
	size_t textlen = 0, n;
	int rc;

	rc = ledger_note_open(s, size, keys, 1, &textlen);
	if (rc == 0) {
		FUZZ_CHECK(textlen > 0 && textlen < size);
		FUZZ_CHECK(s[textlen - 1] == '\n');
	}
	(void)!ledger_note_open(s, size, keys, 2, &textlen);
	if (ledger_checkpoint_parse(s, size, &c) == 0) {
		FUZZ_CHECK(memchr(c.origin, '\0', sizeof(c.origin)) != NULL);
		if (ledger_checkpoint_format(&c, body, sizeof(body), &n) == 0) {
			FUZZ_CHECK(strlen(body) == n);
			FUZZ_CHECK(ledger_checkpoint_parse(body, n, &c2) == 0);
			FUZZ_CHECK(strcmp(c.origin, c2.origin) == 0 &&
			    c.size == c2.size &&
			    memcmp(c.root, c2.root, sizeof(c.root)) == 0);
			/* The canonical body is a prefix of what was parsed. */
			FUZZ_CHECK(n <= size && memcmp(body, s, n) == 0);
		}
	}
	if (ledger_checkpoint_open(s, size, &keys[0], &c) == 0) {
		FUZZ_CHECK(strcmp(c.origin, origin) == 0);
		FUZZ_CHECK(ledger_note_open(s, size, keys, 1, &textlen) == 0);
	}
}

/*
 * a == b except for the case of the hex key id, field idf of the '+'
 * separated string (parsers take upper case, as Go's note package does;
 * format writes lower case).
 */
static int
same_key_string(const char *a, const char *b, int idf)
{
	int f = 0;

	for (; *a != '\0' && *b != '\0'; a++, b++) {
		if (*a == '+' && *b == '+')
			f++;
		if (f == idf ? tolower((unsigned char)*a) !=
		    tolower((unsigned char)*b) : *a != *b)
			return 0;
	}
	return *a == *b;
}

static void
keystrings(const char *s)
{
	struct ledger_pubkey p;
	struct ledger_seckey k;
	char out[LEDGER_SKEY_MAX + 64];

	if (ledger_vkey_parse(s, &p) == 0) {
		FUZZ_CHECK(ledger_keyname_check(p.name) == 0);
		FUZZ_CHECK(ledger_vkey_format(&p, out, sizeof(out)) == 0);
		FUZZ_CHECK(same_key_string(out, s, 1));
	}
	if (ledger_skey_parse(s, &k) == 0) {
		FUZZ_CHECK(ledger_skey_format(&k, out, sizeof(out)) == 0);
		FUZZ_CHECK(same_key_string(out, s, 3));
		ledger_seckey_wipe(&k);
	}
}

static void
encodings(const uint8_t *data, size_t size)
{
	uint8_t bin[512], bin2[512];
	char txt[1024];
	size_t n;

	if (size <= 600 && ledger_b64_decode((const char *)data, size, bin,
	    sizeof(bin), &n) == 0) {
		FUZZ_CHECK(n <= sizeof(bin));
		FUZZ_CHECK(ledger_b64_encode(bin, n, txt, sizeof(txt)) == 0);
		FUZZ_CHECK(strlen(txt) == size && memcmp(txt, data, size) == 0);
	}
	if (size <= 256) {
		/* Any bytes encode and decode back. */
		FUZZ_CHECK(ledger_b64_encode(data, size, txt, sizeof(txt)) == 0);
		FUZZ_CHECK(ledger_b64_decode(txt, strlen(txt), bin2,
		    sizeof(bin2), &n) == 0);
		FUZZ_CHECK(n == size && (size == 0 ||
		    memcmp(bin2, data, size) == 0));
		ledger_hex_encode(data, size, txt);
		FUZZ_CHECK(ledger_hex_decode(txt, bin2, size) == 0);
		FUZZ_CHECK(size == 0 || memcmp(bin2, data, size) == 0);
	}
	if (size % 2 == 0 && size <= 512) {
		char *s = fuzz_cstr(data, size);

		if (s != NULL && ledger_hex_decode(s, bin, size / 2) == 0) {
			ledger_hex_encode(bin, size / 2, txt);
			/* Decoding may accept upper case; encoding is lower. */
			FUZZ_CHECK(strncasecmp(txt, s, size) == 0);
		}
		free(s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	setup();
	if ((s = fuzz_cstr(data, size)) == NULL)
		return 0;
	note(s, size);
	keystrings(s);
	encodings(data, size);
	free(s);
	return 0;
}
