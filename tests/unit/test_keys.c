/*
 * test_keys.c - key files: round trip, modes, refusal to overwrite, refusal
 * of open permissions, symlinks and garbage; the small file helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "ledger/error.h"
#include "ledger/keys.h"

#define VEC_SKEY "PRIVATE+KEY+ledger.example.gov.cn/yueqing-2026+6f566fb9+ASAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/"
#define VEC_VKEY "ledger.example.gov.cn/yueqing-2026+6f566fb9+ASmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X"

static void
tmp_path(char *out, size_t outsz, const char *name)
{
	snprintf(out, outsz, "%s/%s", harness_tmpdir(), name);
}

static int
put_n(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd, rc = 0;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)) == -1)
		return -1;
	if (write(fd, data, len) != (ssize_t)len)
		rc = -1;
	if (fchmod(fd, mode) == -1)
		rc = -1;
	close(fd);
	return rc;
}

static int
put(const char *path, const char *data, mode_t mode)
{
	return put_n(path, data, strlen(data), mode);
}

static int
mode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	return (int)(st.st_mode & 07777);
}

/* Names in the temp dir other than "." and "..", to spot leftovers. */
static int
count_entries(void)
{
	char cmd[512];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", harness_tmpdir());
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

TEST(write_load_round_trip)
{
	struct ledger_seckey k, l;
	struct ledger_pubkey p;
	char path[512], pub[520], *s;
	size_t n;
	int before = count_entries();

	tmp_path(path, sizeof(path), "ledger.key");
	snprintf(pub, sizeof(pub), "%s.pub", path);
	CHECK_INT(ledger_skey_parse(VEC_SKEY, &k), 0);
	CHECK_INT(ledger_key_write(path, &k), 0);
	CHECK_INT(mode_of(path), 0600);
	CHECK_INT(mode_of(pub), 0644);
	CHECK_INT(count_entries(), before + 2);	/* no temp file left */

	CHECK_INT(ledger_file_read(path, 4096, &s, &n), 0);
	CHECK_STR(s, VEC_SKEY "\n");
	CHECK_INT(n, strlen(VEC_SKEY) + 1);
	free(s);
	CHECK_INT(ledger_file_read(pub, 4096, &s, &n), 0);
	CHECK_STR(s, VEC_VKEY "\n");
	free(s);

	CHECK_INT(ledger_key_load(path, &l), 0);
	CHECK_MEM(&l, &k, sizeof(k));
	CHECK_INT(ledger_pubkey_load(pub, &p), 0);
	CHECK_MEM(&p, &k.pub, sizeof(p));

	/* Never overwrite: the key stays as it was. */
	ledger_seckey_wipe(&l);
	CHECK_INT(ledger_seckey_generate("other", &l), 0);
	CHECK_INT(ledger_key_write(path, &l), LEDGER_EEXIST);
	CHECK_INT(ledger_key_load(path, &l), 0);
	CHECK_MEM(&l, &k, sizeof(k));
	CHECK_INT(count_entries(), before + 2);
	ledger_seckey_wipe(&k);
	ledger_seckey_wipe(&l);
}

TEST(write_generated)
{
	struct ledger_seckey k, l;
	char path[512], pub[520];

	tmp_path(path, sizeof(path), "gen.key");
	snprintf(pub, sizeof(pub), "%s.pub", path);
	CHECK_INT(ledger_seckey_generate("gen.example/k", &k), 0);
	CHECK_INT(ledger_key_write(path, &k), 0);
	CHECK_INT(ledger_key_load(path, &l), 0);
	CHECK_MEM(&l, &k, sizeof(k));
	/* A stray .pub alone also blocks the write. */
	CHECK_INT(unlink(path), 0);
	CHECK_INT(ledger_key_write(path, &k), LEDGER_EEXIST);
	CHECK_INT(access(path, F_OK), -1);
	CHECK_INT(unlink(pub), 0);
	CHECK_INT(ledger_key_write(path, &k), 0);
	/* No directory: an I/O error. */
	tmp_path(path, sizeof(path), "nodir/x.key");
	CHECK_INT(ledger_key_write(path, &k), LEDGER_EIO);
	ledger_seckey_wipe(&k);
	ledger_seckey_wipe(&l);
}

TEST(load_permissions)
{
	struct ledger_seckey k;
	char path[512];
	static const mode_t bad[] = { 0640, 0604, 0660, 0644, 0610, 0601,
	    0666 };
	size_t i;

	tmp_path(path, sizeof(path), "perm.key");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(put(path, VEC_SKEY "\n", bad[i]), 0);
		CHECK_INT(ledger_key_load(path, &k), LEDGER_EPERM);
	}
	CHECK_INT(put(path, VEC_SKEY "\n", 0400), 0);
	CHECK_INT(ledger_key_load(path, &k), 0);
	CHECK_INT(put(path, VEC_SKEY, 0600), 0);	/* no newline */
	CHECK_INT(ledger_key_load(path, &k), 0);
	ledger_seckey_wipe(&k);
}

TEST(load_refusals)
{
	static const char *const garbage[] = {
		"", "\n", "hello\n", VEC_SKEY "\n\n", VEC_SKEY "\r\n",
		" " VEC_SKEY "\n", VEC_SKEY " \n", VEC_VKEY "\n",
		VEC_SKEY "\n" VEC_SKEY "\n",
		"PRIVATE+KEY+ledger.example.gov.cn/yueqing-2026+6f566fb8+ASAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/\n",
	};
	struct ledger_seckey k;
	struct ledger_pubkey p;
	char path[512], link_path[512], big[2048];
	size_t i;

	tmp_path(path, sizeof(path), "garbage.key");
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		CHECK_INT(put(path, garbage[i], 0600), 0);
		if (ledger_key_load(path, &k) != LEDGER_EKEY)
			CHECK_STR(garbage[i], "(refused)");
	}
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(put(path, big, 0600), 0);
	CHECK_INT(ledger_key_load(path, &k), LEDGER_EKEY);
	/* A valid key followed by a NUL byte. */
	CHECK_INT(put_n(path, VEC_SKEY "\0\n", sizeof(VEC_SKEY "\0\n") - 1,
	    0600), 0);
	CHECK_INT(ledger_key_load(path, &k), LEDGER_EKEY);

	/* A symlink to a good key file is refused. */
	CHECK_INT(put(path, VEC_SKEY "\n", 0600), 0);
	tmp_path(link_path, sizeof(link_path), "link.key");
	CHECK_INT(symlink(path, link_path), 0);
	CHECK(ledger_key_load(link_path, &k) == LEDGER_EPERM);
	/* A directory and a missing file. */
	CHECK_INT(ledger_key_load(harness_tmpdir(), &k), LEDGER_EPERM);
	tmp_path(path, sizeof(path), "missing.key");
	CHECK_INT(ledger_key_load(path, &k), LEDGER_EIO);
	CHECK_INT(errno, ENOENT);
	/* A FIFO must not block. */
	tmp_path(path, sizeof(path), "fifo.key");
	CHECK_INT(mkfifo(path, 0600), 0);
	CHECK_INT(ledger_key_load(path, &k), LEDGER_EPERM);

	tmp_path(path, sizeof(path), "v.pub");
	CHECK_INT(put(path, VEC_VKEY, 0644), 0);
	CHECK_INT(ledger_pubkey_load(path, &p), 0);
	CHECK_STR(p.name, "ledger.example.gov.cn/yueqing-2026");
	CHECK_INT(put(path, VEC_SKEY "\n", 0644), 0);
	CHECK_INT(ledger_pubkey_load(path, &p), LEDGER_EKEY);
	CHECK_INT(put(path, big, 0644), 0);
	CHECK_INT(ledger_pubkey_load(path, &p), LEDGER_EKEY);
}

TEST(file_helpers)
{
	char path[512], *s;
	size_t n;

	tmp_path(path, sizeof(path), "data.txt");
	CHECK_INT(ledger_file_write_atomic(path, "first\n", 6, 0644), 0);
	CHECK_INT(mode_of(path), 0644);
	CHECK_INT(ledger_file_write_atomic(path, "second", 6, 0600), 0);
	CHECK_INT(mode_of(path), 0600);
	CHECK_INT(ledger_file_read(path, 6, &s, &n), 0);
	CHECK_STR(s, "second");
	CHECK_INT(n, 6);
	free(s);
	CHECK_INT(ledger_file_read(path, 5, &s, &n), LEDGER_ETOOBIG);
	CHECK_INT(ledger_file_write_atomic(path, "", 0, 0644), 0);
	CHECK_INT(ledger_file_read(path, 0, &s, &n), 0);
	CHECK_INT(n, 0);
	CHECK_STR(s, "");
	free(s);

	/* Growth across the first buffer, and the exact edge. */
	{
		static char big[20000];
		size_t i;

		for (i = 0; i < sizeof(big); i++)
			big[i] = (char)('a' + i % 26);
		CHECK_INT(ledger_file_write_atomic(path, big, sizeof(big),
		    0644), 0);
		CHECK_INT(ledger_file_read(path, sizeof(big), &s, &n), 0);
		CHECK_INT(n, sizeof(big));
		if (s != NULL && n == sizeof(big))
			CHECK_MEM(s, big, sizeof(big));
		CHECK_INT(s[n], '\0');
		free(s);
		CHECK_INT(ledger_file_read(path, sizeof(big) - 1, &s, &n),
		    LEDGER_ETOOBIG);
		CHECK_INT(ledger_file_read(path, 1 << 20, &s, &n), 0);
		CHECK_INT(n, sizeof(big));
		free(s);
	}

	tmp_path(path, sizeof(path), "missing");
	CHECK_INT(ledger_file_read(path, 10, &s, &n), LEDGER_EIO);
	tmp_path(path, sizeof(path), "nodir/file");
	CHECK_INT(ledger_file_write_atomic(path, "x", 1, 0644), LEDGER_EIO);
}
