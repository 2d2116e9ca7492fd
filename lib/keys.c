/*
 * keys.c - key files on disk, and the small file helpers (bounded read,
 * atomic replace) the rest of the library and tools share.
 *
 * A key file is written under a temporary name and then link()ed to its
 * final name: link() fails with EEXIST instead of replacing, so a key is
 * never overwritten and never seen half-written.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/error.h"
#include "ledger/keys.h"

/* mkostemp's template is PATH ".tmp." and six 'X' that it replaces. */
#define TMP_RANDOM	6
#define KEYFILE_MAX	(LEDGER_SKEY_MAX + 2)	/* bytes read at most */

/* fsync the directory holding path, so a new name survives a crash. */
static int
dir_sync(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, rc = 0;

	if (slash == NULL) {
		memcpy(dir, ".", 2);
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return LEDGER_EINVAL;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return LEDGER_EIO;
	if (fsync(fd) == -1)
		rc = LEDGER_EIO;
	close(fd);
	return rc;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return LEDGER_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Create a temporary file beside path (mkostemp: O_EXCL, so never through
 * a symlink), holding data with mode, fsync'd.  Its name goes to tmp.
 */
static int
tmp_write(const char *path, const void *data, size_t len, int mode,
    char tmp[PATH_MAX])
{
	int fd, rc, saved;
	size_t n;

	n = (size_t)snprintf(tmp, PATH_MAX, "%s.tmp.", path);
	if (n + TMP_RANDOM >= PATH_MAX)
		return LEDGER_EINVAL;
	memset(tmp + n, 'X', TMP_RANDOM);
	tmp[n + TMP_RANDOM] = '\0';
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return LEDGER_EIO;
	rc = write_all(fd, data, len);
	if (rc == 0 && (fchmod(fd, (mode_t)mode) == -1 || fsync(fd) == -1))
		rc = LEDGER_EIO;
	saved = errno;
	if (close(fd) == -1 && rc == 0) {
		rc = LEDGER_EIO;
		saved = errno;
	}
	if (rc != 0) {
		unlink(tmp);
		errno = saved;
	}
	return rc;
}

/* Give tmp the name path unless path exists; tmp is unlinked either way. */
static int
tmp_link(const char *tmp, const char *path)
{
	int rc = 0, saved;

	if (link(tmp, path) == -1)
		rc = errno == EEXIST ? LEDGER_EEXIST : LEDGER_EIO;
	saved = errno;
	unlink(tmp);
	errno = saved;
	return rc;
}

int
ledger_key_write(const char *path, const struct ledger_seckey *k)
{
	char line[LEDGER_SKEY_MAX + 1], pub[PATH_MAX];
	char tmp[PATH_MAX], tmppub[PATH_MAX];
	struct stat st;
	size_t n;
	int rc;

	if (path == NULL || k == NULL)
		return LEDGER_EINVAL;
	if (snprintf(pub, sizeof(pub), "%s.pub", path) >= (int)sizeof(pub))
		return LEDGER_EINVAL;
	/* Early, friendly refusal; link() below is what makes it safe. */
	if (lstat(path, &st) == 0 || lstat(pub, &st) == 0)
		return LEDGER_EEXIST;

	if ((rc = ledger_vkey_format(&k->pub, line, sizeof(line))) != 0)
		return rc;
	n = strlen(line);
	line[n++] = '\n';
	if ((rc = tmp_write(pub, line, n, 0644, tmppub)) != 0)
		return rc;

	if ((rc = ledger_skey_format(k, line, sizeof(line) - 1)) != 0)
		goto unlink_tmppub;
	n = strlen(line);
	line[n++] = '\n';
	rc = tmp_write(path, line, n, 0600, tmp);
	sodium_memzero(line, sizeof(line));
	if (rc != 0)
		goto unlink_tmppub;

	/*
	 * The private key first: should the public name then be taken, the
	 * key is useless without it and is removed again (it is ours: the
	 * name was free a moment ago and link() does not replace).
	 */
	if ((rc = tmp_link(tmp, path)) != 0)
		goto unlink_tmppub;
	if ((rc = tmp_link(tmppub, pub)) != 0) {
		unlink(path);
		return rc;
	}
	return dir_sync(path);

unlink_tmppub:
	unlink(tmppub);
	return rc;
}

static void
buf_free(char *buf, size_t n)
{
	sodium_memzero(buf, n);
	free(buf);
}

/*
 * Read at most max bytes of the open file fd into a new NUL-terminated
 * buffer.  LEDGER_ETOOBIG when the file holds more.  Buffers are wiped
 * before they are freed: key files pass through here.
 */
static int
fd_read(int fd, size_t max, char **out, size_t *len)
{
	char *buf, *nbuf, c;
	size_t cap, ncap, n = 0;
	ssize_t r;

	cap = max < 4096 ? max + 1 : 4096;
	if ((buf = malloc(cap)) == NULL)
		return LEDGER_ENOMEM;
	for (;;) {
		if (n == max) {
			/* One more byte tells "exactly max" from "more". */
			while ((r = read(fd, &c, 1)) == -1 && errno == EINTR)
				;
			if (r == 0)
				break;
			buf_free(buf, cap);
			return r > 0 ? LEDGER_ETOOBIG : LEDGER_EIO;
		}
		if (n == cap - 1) {
			ncap = cap > (max + 1) / 2 ? max + 1 : 2 * cap;
			if ((nbuf = malloc(ncap)) == NULL) {
				buf_free(buf, cap);
				return LEDGER_ENOMEM;
			}
			/* Not realloc: the old block may hold a secret. */
			memcpy(nbuf, buf, n);
			buf_free(buf, cap);
			buf = nbuf;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			buf_free(buf, cap);
			return LEDGER_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	if (len != NULL)
		*len = n;
	return 0;
}

int
ledger_file_read(const char *path, size_t max, char **out, size_t *len)
{
	int fd, rc, saved;

	if (path == NULL || out == NULL || max >= SIZE_MAX / 2)
		return LEDGER_EINVAL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return LEDGER_EIO;
	rc = fd_read(fd, max, out, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
ledger_file_write_atomic(const char *path, const void *data, size_t len,
    int mode)
{
	char tmp[PATH_MAX];
	int rc, saved;

	if (path == NULL || (data == NULL && len > 0) || (mode & ~07777) != 0)
		return LEDGER_EINVAL;
	if ((rc = tmp_write(path, data, len, mode, tmp)) != 0)
		return rc;
	if (rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return LEDGER_EIO;
	}
	return dir_sync(path);
}

/* The one line of a key file, without its (optional) final newline. */
static int
key_line(char *buf, size_t n)
{
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n == 0 || memchr(buf, '\n', n) != NULL || strlen(buf) != n)
		return LEDGER_EKEY;
	return 0;
}

int
ledger_key_load(const char *path, struct ledger_seckey *k)
{
	struct stat st;
	char *buf;
	size_t n;
	int fd, rc, saved;

	if (path == NULL || k == NULL)
		return LEDGER_EINVAL;
	/* O_NONBLOCK: a FIFO planted at path must not hang us before fstat. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return errno == ELOOP ? LEDGER_EPERM : LEDGER_EIO;
	if (fstat(fd, &st) == -1) {
		rc = LEDGER_EIO;
		goto close;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		rc = LEDGER_EPERM;
		goto close;
	}
	rc = fd_read(fd, KEYFILE_MAX, &buf, &n);
	if (rc == LEDGER_ETOOBIG)
		rc = LEDGER_EKEY;
	if (rc != 0)
		goto close;
	if ((rc = key_line(buf, n)) == 0)
		rc = ledger_skey_parse(buf, k);
	sodium_memzero(buf, n + 1);
	free(buf);
close:
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
ledger_pubkey_load(const char *path, struct ledger_pubkey *k)
{
	char *buf;
	size_t n;
	int rc;

	if (path == NULL || k == NULL)
		return LEDGER_EINVAL;
	rc = ledger_file_read(path, LEDGER_VKEY_MAX + 1, &buf, &n);
	if (rc == LEDGER_ETOOBIG)
		return LEDGER_EKEY;
	if (rc != 0)
		return rc;
	if ((rc = key_line(buf, n)) == 0)
		rc = ledger_vkey_parse(buf, k);
	free(buf);
	return rc;
}
