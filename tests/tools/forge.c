/*
 * forge.c - what a compromised ledgerd HTTP process could say to its
 * signer, for tests/integration/test_signer.
 *
 *   forge steal PID CASE [SIZE ROOTHEX]
 *	Take the signer socket out of the running ledgerd PID with
 *	pidfd_getfd(2) (the one AF_UNIX SOCK_SEQPACKET descriptor it holds),
 *	exactly as code running inside that process could use it, and send
 *	one forged request.  SIZE and ROOTHEX are the last signed tree.
 *   forge fresh KEYFILE CASE
 *	Fork a signer of our own with the daemon's signer.o (its record in a
 *	new temporary directory, so it starts with none), and send CASE
 *	where only a new signer can get it (before or at INIT); then show
 *	that a proper INIT and SIGN still work.
 *
 * Prints "rc N" (the signer's answer: 0 or a LEDGER_E* code); after rc 0
 * of a SIGN, the note follows.  Exit 0 when an answer came, 1 otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "ledger/error.h"
#include "ledger/merkle.h"
#include "ledgerd.h"
#include "signer_proto.h"

static struct signer_req q;
static struct signer_resp r;
static char big[sizeof(struct signer_req) + 64];

static int
hexroot(const char *s, uint8_t root[LEDGER_HASH_BYTES])
{
	unsigned v;
	int i;

	if (strlen(s) != 2 * LEDGER_HASH_BYTES)
		return -1;
	for (i = 0; i < LEDGER_HASH_BYTES; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		root[i] = (uint8_t)v;
	}
	return 0;
}

/* The one SOCK_SEQPACKET socket of process pid, now also ours. */
static int
steal(long pid)
{
	char dir[64], path[320], link[64];
	struct dirent *e;
	int pidfd, fd, found = -1, type;
	socklen_t len;
	ssize_t n;
	DIR *d;

	if ((pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0)) == -1) {
		perror("pidfd_open");
		return -1;
	}
	snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		close(pidfd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "socket:", 7) != 0)
			continue;
		fd = (int)syscall(SYS_pidfd_getfd, pidfd,
		    (int)strtol(e->d_name, NULL, 10), 0);
		if (fd == -1) {
			perror("pidfd_getfd");
			continue;
		}
		len = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
		    type == SOCK_SEQPACKET) {
			if (found != -1) {
				fprintf(stderr, "forge: two SEQPACKET sockets "
				    "in %ld\n", pid);
				closedir(d);
				close(pidfd);
				return -1;
			}
			found = fd;
		} else {
			close(fd);
		}
	}
	closedir(d);
	close(pidfd);
	if (found == -1)
		fprintf(stderr, "forge: no SEQPACKET socket in %ld\n", pid);
	return found;
}

static int
answer(int fd)
{
	struct timeval tv = { 10, 0 };
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, &r, sizeof(r), MSG_TRUNC);
	if (n != (ssize_t)sizeof(r) || r.len >= sizeof(r.text)) {
		fprintf(stderr, "forge: answer of %zd bytes\n", n);
		return 1;
	}
	printf("rc %d\n", r.rc);
	if (r.rc == 0)
		fwrite(r.text, 1, r.len, stdout);
	return 0;
}

static int
cmd_steal(long pid, const char *what, uint64_t size,
    const uint8_t root[LEDGER_HASH_BYTES])
{
	const void *msg = &q;
	size_t len = sizeof(q);
	int fd;

	if ((fd = steal(pid)) == -1)
		return 1;
	memset(&q, 0, sizeof(q));
	q.type = SIGNER_MSG_SIGN;
	q.size = size;
	memcpy(q.root, root, LEDGER_HASH_BYTES);
	if (strcmp(what, "short") == 0) {
		len = 10;
	} else if (strcmp(what, "long") == 0) {
		memcpy(big, &q, sizeof(q));
		msg = big;
		len = sizeof(big);
	} else if (strcmp(what, "type") == 0) {
		q.type = 7;
	} else if (strcmp(what, "init") == 0) {
		q.type = SIGNER_MSG_INIT;	/* "start again from nothing" */
		q.size = 0;
		ledger_empty_root(q.root);
	} else if (strcmp(what, "smaller") == 0) {
		q.size = size - 1;
	} else if (strcmp(what, "fork") == 0) {
		q.root[0] ^= 1;			/* same size, other tree */
	} else if (strcmp(what, "badproof") == 0) {
		q.size = size + 1;
		q.root[5] ^= 0x80;
		memcpy(q.proof[0], root, LEDGER_HASH_BYTES);
		q.proof[0][9] ^= 4;
		q.nproof = 1;
	} else if (strcmp(what, "nproof") == 0) {
		q.nproof = LEDGER_PROOF_MAX + 1;
	} else if (strcmp(what, "notelen") == 0) {
		q.notelen = LEDGER_NOTE_MAX;
	} else if (strcmp(what, "same") != 0) {
		fprintf(stderr, "forge: unknown case %s\n", what);
		return 1;
	}
	if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len) {
		perror("send");
		return 1;
	}
	return answer(fd);
}

static int
cmd_fresh(const char *keyfile, const char *what)
{
	/* A checkpoint of size 1 whose signature is not the ledger's. */
	static const char bad[] = "forged.example/x\n1\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n"
	    "\xe2\x80\x94 forged.example/x AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAA=\n";
	static char note[LEDGER_NOTE_MAX];
	uint8_t empty[LEDGER_HASH_BYTES];
	struct signer *s;
	char why[1024], dir[] = "/tmp/forge-rec.XXXXXX", rec[64], lock[80];
	uint8_t other[LEDGER_HASH_BYTES];
	size_t n;
	int rc, then, inited = 0;

	ledger_empty_root(empty);
	/* A signer with no record yet, which INIT alone starts. */
	if (mkdtemp(dir) == NULL || snprintf(rec, sizeof(rec), "%s/rec",
	    dir) >= (int)sizeof(rec)) {
		perror("mkdtemp");
		return 1;
	}
	if ((rc = signer_open(&s, keyfile, rec, NULL, why,
	    sizeof(why))) != 0) {
		fprintf(stderr, "forge: signer_open: %d %s\n", rc, why);
		snprintf(lock, sizeof(lock), "%s.lock", rec);
		unlink(lock);
		rmdir(dir);
		return 1;
	}
	if (strcmp(what, "early") == 0)
		rc = signer_sign(s, 0, empty, NULL, 0, note, &n);
	else if (strcmp(what, "badnote") == 0)
		rc = signer_init(s, 1, empty, bad, strlen(bad));
	else if (strcmp(what, "nonote") == 0)
		rc = signer_init(s, 5, empty, "", 0);
	else if (strcmp(what, "empty0") == 0) {
		/* From size 0, size 0 again with any other root. */
		memset(other, 'A', sizeof(other));
		if ((rc = signer_init(s, 0, NULL, "", 0)) == 0) {
			inited = 1;
			rc = signer_sign(s, 0, other, NULL, 0, note, &n);
		}
	} else {
		fprintf(stderr, "forge: unknown case %s\n", what);
		signer_close(s);
		snprintf(lock, sizeof(lock), "%s.lock", rec);
		unlink(lock);
		rmdir(dir);
		return 1;
	}
	printf("rc %d\n", rc);
	/* The refusal cost nothing: a proper start still works. */
	then = inited ? 0 : signer_init(s, 0, NULL, "", 0);
	if (then == 0)
		then = signer_sign(s, 0, empty, NULL, 0, note, &n);
	printf("then %d\n", then);
	signer_close(s);
	unlink(rec);
	snprintf(lock, sizeof(lock), "%s.lock", rec);
	unlink(lock);
	rmdir(dir);
	return 0;
}

int
main(int argc, char **argv)
{
	uint8_t root[LEDGER_HASH_BYTES];

	if (argc == 4 && strcmp(argv[1], "fresh") == 0)
		return cmd_fresh(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "steal") == 0 &&
	    hexroot(argv[5], root) == 0)
		return cmd_steal(strtol(argv[2], NULL, 10), argv[3],
		    strtoull(argv[4], NULL, 10), root);
	fprintf(stderr, "usage: forge steal PID CASE SIZE ROOTHEX | "
	    "forge fresh KEYFILE CASE\n");
	return 1;
}
