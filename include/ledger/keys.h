/*
 * ledger/keys.h - key files on disk.
 *
 * A private key file holds one signer-key string and a newline
 * (PRIVATE+KEY+...); it is created with O_EXCL|O_NOFOLLOW, mode 0600, written
 * to a temporary name, fsync'd and renamed, so it never exists half-written.
 * The public file beside it (FILE.pub) holds the verifier-key string.
 */
#ifndef LEDGER_KEYS_H
#define LEDGER_KEYS_H

#include "ledger/note.h"

/*
 * Write k to path (0600) and its verifier key to path.pub (0644),
 * atomically.  LEDGER_EEXIST when path exists (never overwrites a key),
 * LEDGER_EIO otherwise.
 */
int ledger_key_write(const char *path, const struct ledger_seckey *k);

/*
 * Load a private key file.  Refuses a file that is not a regular file, is
 * readable or writable by group or others (LEDGER_EPERM: fix with
 * "chmod 600 FILE"), or does not hold one valid signer key (LEDGER_EKEY).
 * The buffer read is wiped.  Caller wipes k with ledger_seckey_wipe().
 */
int ledger_key_load(const char *path, struct ledger_seckey *k);

/* Load a verifier-key file (one line).  LEDGER_EIO / LEDGER_EKEY. */
int ledger_pubkey_load(const char *path, struct ledger_pubkey *k);

/* Read a small file (at most max bytes) into a new NUL-terminated buffer. */
int ledger_file_read(const char *path, size_t max, char **out, size_t *len);

/*
 * Write data to path atomically (temp file, fsync, rename, fsync of the
 * directory) with mode.  Overwrites an existing file.
 */
int ledger_file_write_atomic(const char *path, const void *data, size_t len,
    int mode);

#endif
