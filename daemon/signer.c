/*
 * signer.c - the ledger key lives in its own process.
 *
 * ledgerd forks the signer before it opens LMDB or starts any thread; only
 * the child ever reads the key file, and when ledgerd starts as root the
 * child first becomes signer-user, an account the HTTP process is not
 * (privsep.c).  The two talk over a SOCK_SEQPACKET socketpair with
 * fixed-size, length-checked messages (signer_proto.h).  The signer keeps
 * its own record of the last tree it signed and signs a new checkpoint only
 * with a valid consistency proof from it, so a bug in the HTTP process can
 * neither read the key nor obtain two inconsistent checkpoints.  Every
 * refusal is logged with its reason: the HTTP process is not trusted, and
 * a refused request is a sign of a bug or an intruder there.
 *
 * The record (signer-state, default KEYFILE.signed) survives restarts: a
 * file only signer-user writes, synced before a signature leaves here, so
 * whoever can write the data dir cannot roll the ledger back to an older
 * checkpoint and get another history signed from there.  The hello reports
 * the record; with one the signer refuses INIT and signs only trees that
 * extend it.  Without one (first start, or a ledger older than records)
 * the first INIT message tells the signer the last signed tree: accepted
 * only once, with a checkpoint note that verifies with its own key, and
 * recorded at once, with a warning in the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/keys.h"
#include "ledgerd.h"
#include "signer_proto.h"

struct signer {
	int			fd;
	pid_t			pid;
	struct ledger_pubkey	pub;
	int			have_rec;	/* the hello's record */
	uint64_t		rsize;
	uint8_t			rroot[LEDGER_HASH_BYTES];
	pthread_mutex_t		mu;
};

/* --- the child -------------------------------------------------------- */

struct state {
	struct ledger_seckey	k;
	int			inited;		/* INIT accepted */
	int			known;		/* size, root hold: INIT or record */
	uint64_t		size;		/* the last tree we signed */
	uint8_t			root[LEDGER_HASH_BYTES];
	const char		*path;		/* the record */
	int			recfd;		/* -1: no record (yet) */
	int			broken;		/* a record write failed */
	uint64_t		counter;	/* of the newest slot */
	uint8_t			origin[crypto_hash_sha256_BYTES];
	int			strict;		/* privsep: check owners */
	uid_t			uid;		/* signer-user */
};

/*
 * The record file: two slots of REC_SLOT bytes, written in turn, so a
 * write torn by a crash spoils at most the slot being written and the
 * other still holds the tree before.  A slot, integers little-endian:
 *	0  "LDSIGREC"	8 magic
 *	8  version	4 (REC_VERSION), then 4 zero bytes
 *	16 counter	8 higher is newer
 *	24 size		8 the last tree signed...
 *	32 root		32 ...and its root
 *	64 origin	32 SHA-256 of the key name: not another ledger's record
 *	96 check	32 SHA-256 of bytes 0..95
 */
#define REC_MAGIC	"LDSIGREC"
#define REC_VERSION	1
#define REC_SLOT	128
#define REC_FILE	(2 * REC_SLOT)

enum { SLOT_OK, SLOT_BAD, SLOT_OTHER };

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
slot_make(const struct state *st, uint64_t counter, uint64_t size,
    const uint8_t root[LEDGER_HASH_BYTES], uint8_t s[REC_SLOT])
{
	memset(s, 0, REC_SLOT);
	memcpy(s, REC_MAGIC, 8);
	s[8] = REC_VERSION;
	put64(s + 16, counter);
	put64(s + 24, size);
	memcpy(s + 32, root, LEDGER_HASH_BYTES);
	memcpy(s + 64, st->origin, 32);
	crypto_hash_sha256(s + 96, s, 96);
}

static int
slot_read(const struct state *st, const uint8_t s[REC_SLOT],
    uint64_t *counter, uint64_t *size, uint8_t root[LEDGER_HASH_BYTES])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	static const uint8_t ver[8] = { REC_VERSION };

	crypto_hash_sha256(h, s, 96);
	if (sodium_memcmp(h, s + 96, sizeof(h)) != 0 ||
	    memcmp(s, REC_MAGIC, 8) != 0 || memcmp(s + 8, ver, 8) != 0)
		return SLOT_BAD;
	if (memcmp(s + 64, st->origin, 32) != 0)
		return SLOT_OTHER;
	*counter = get64(s + 16);
	*size = get64(s + 24);
	memcpy(root, s + 32, LEDGER_HASH_BYTES);
	return SLOT_OK;
}

/*
 * Load the record into st, or leave recfd -1 when there is none; -1 with
 * why (what was wrong and what to do) when it cannot be used.
 */
static int
rec_load(struct state *st, char *why, size_t whylen)
{
	uint8_t buf[REC_FILE], root[2][LEDGER_HASH_BYTES];
	uint64_t counter[2], size[2];
	struct stat sb;
	ssize_t n;
	int fd, ok[2], i, best;

	st->recfd = -1;
	if ((fd = open(st->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, whylen, "cannot open the signer record %s: %s "
		    "(signer-user must own it; see signer-state in "
		    "ledgerd(8))", st->path, strerror(errno));
		return -1;
	}
	if (st->strict && fstat(fd, &sb) == 0 && sb.st_uid != st->uid) {
		snprintf(why, whylen, "the signer record %s is owned by uid "
		    "%u, not signer-user (uid %u): another account could have "
		    "written it; check it, then chown it to signer-user",
		    st->path, (unsigned)sb.st_uid, (unsigned)st->uid);
		close(fd);
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size != REC_FILE ||
	    (n = pread(fd, buf, sizeof(buf), 0)) != (ssize_t)sizeof(buf)) {
		snprintf(why, whylen, "the signer record %s is not %d bytes "
		    "of a regular file: not a signer record; restore it from "
		    "a backup (see signer-state in ledgerd(8))", st->path,
		    REC_FILE);
		close(fd);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		ok[i] = slot_read(st, buf + i * REC_SLOT, &counter[i], &size[i],
		    root[i]);
		if (ok[i] == SLOT_OTHER) {
			snprintf(why, whylen, "the signer record %s is of "
			    "another ledger key than \"%s\"; set signer-state "
			    "to this ledger's own record", st->path,
			    st->k.pub.name);
			close(fd);
			return -1;
		}
	}
	if (ok[0] != SLOT_OK && ok[1] != SLOT_OK) {
		snprintf(why, whylen, "both slots of the signer record %s are "
		    "damaged (checksum): the last signed tree is unknown, so "
		    "nothing is signed; restore the record from a backup, or, "
		    "only after \"ledgerctl verify\" shows the data dir is the "
		    "ledger as last published, remove it to adopt the stored "
		    "checkpoint", st->path);
		close(fd);
		return -1;
	}
	best = ok[0] != SLOT_OK ? 1 : ok[1] != SLOT_OK ? 0 :
	    counter[1] > counter[0] ? 1 : 0;
	if (ok[best ^ 1] != SLOT_OK)
		log_warnx("signer: slot %d of the record %s is damaged; using "
		    "the other, size %" PRIu64, best ^ 1, st->path, size[best]);
	st->recfd = fd;
	st->counter = counter[best];
	st->size = size[best];
	memcpy(st->root, root[best], LEDGER_HASH_BYTES);
	st->known = 1;
	return 0;
}

/*
 * A new record of (size, root), durable before we return: the slot the
 * newest is not in, then fdatasync.  A failure stops all signing: after a
 * failed sync the file's state is unknown.
 */
static int
rec_put(struct state *st, uint64_t size, const uint8_t *root)
{
	uint8_t s[REC_SLOT];
	uint64_t c = st->counter + 1;

	if (st->broken)
		return LEDGER_EIO;
	slot_make(st, c, size, root, s);
	if (pwrite(st->recfd, s, sizeof(s), (off_t)(c % 2) * REC_SLOT) !=
	    (ssize_t)sizeof(s) || fdatasync(st->recfd) != 0) {
		log_warn("signer: cannot write the record %s; signing stops "
		    "until restart", st->path);
		st->broken = 1;
		return LEDGER_EIO;
	}
	st->counter = c;
	return 0;
}

/* The first record: whole in a temporary file, then renamed into place. */
static int
rec_create(struct state *st, uint64_t size, const uint8_t *root)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	uint8_t buf[REC_FILE];
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", st->path) >=
	    (int)sizeof(tmp))
		return LEDGER_EINVAL;
	snprintf(dir, sizeof(dir), "%s", st->path);
	/* Both slots hold the tree: either one damaged, the other serves. */
	slot_make(st, 1, size, root, buf + REC_SLOT);
	slot_make(st, 0, size, root, buf);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		goto fail;
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    fsync(fd) != 0 || close(fd) != 0) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, st->path) != 0) {
		unlink(tmp);
		goto fail;
	}
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || fsync(dfd) != 0) {
		if (dfd != -1)
			close(dfd);
		goto fail;
	}
	close(dfd);
	if ((st->recfd = open(st->path, O_RDWR | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		goto fail;
	st->counter = 1;
	return 0;
fail:
	log_warn("signer: cannot create its record %s of the last signed "
	    "tree, so it signs nothing (the ledger itself is not at fault): "
	    "signer-state's directory must exist and be writable by "
	    "signer-user; see signer-state in ledgerd(8)", st->path);
	st->broken = 1;
	return LEDGER_EIO;
}

/*
 * One signer per record, for its whole life: two ledgerds on copies of one
 * data dir would otherwise each extend the record from their own copy in
 * memory and get two histories signed.  The lock is a file beside the
 * record, not the record itself, which rec_create renames over.  The fd is
 * kept open (and so the flock held) until the process exits.
 */
static int
rec_lock(const struct state *st, char *why, size_t whylen)
{
	char path[PATH_MAX], pid[32];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s.lock", st->path) >=
	    (int)sizeof(path)) {
		snprintf(why, whylen, "the signer record path %s is too long",
		    st->path);
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(why, whylen, "the signer cannot create or open its "
		    "lock file %s.lock: %s; the directory of signer-state "
		    "must exist and be writable by signer-user (see "
		    "signer-state in ledgerd(8))", st->path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(why, whylen, "another ledgerd's signer uses the record "
		    "%s (pid %s, which holds %s.lock locked): two ledgerds must not share "
		    "one signer-state, or each could get a different history "
		    "signed; stop the other or give this one its own ledger",
		    st->path, pid[0] ? pid : "unknown", st->path);
		close(fd);
		return -1;
	}
	/* For the message above, in the next one; the lock is the flock. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("signer: cannot write its pid to %s", path);
	return 0;
}

/*
 * With privilege separation, the record's directory and every one above
 * it must be beyond the HTTP user's reach, as sshd's StrictModes checks a
 * user's files: else that user could remove the record, or move its
 * directory away, and have the signer adopt whatever checkpoint the data
 * dir holds.  Each directory must be owned by root or signer-user and not
 * writable by group or others; a parent (not the record's own directory)
 * may be writable by all if it is root's and sticky, like /tmp, since
 * then only root or the owner of the next directory, checked in turn, can
 * rename or remove that.  No symbolic links: each step is opened with
 * O_NOFOLLOW, so what was checked is what is used.
 */
static int
rec_dirs_check(const char *path, uid_t uid, char *why, size_t whylen)
{
	char abs[PATH_MAX], *p, *slash;
	struct stat sb;
	int fd, nfd;
	size_t len, dend = 0;	/* abs[0..dend) names fd's directory */

	if (path[0] == '/')
		len = (size_t)snprintf(abs, sizeof(abs), "%s", path);
	else if (getcwd(abs, sizeof(abs)) == NULL)
		len = sizeof(abs);
	else
		len = strlen(abs) + (size_t)snprintf(abs + strlen(abs),
		    sizeof(abs) - strlen(abs), "/%s", path);
	if (len >= sizeof(abs)) {
		snprintf(why, whylen, "the signer record path %s is too long",
		    path);
		return -1;
	}
	*strrchr(abs, '/') = '\0';	/* the record's directory */
	/* O_PATH: a directory we may pass through but not list will do. */
	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto bad_open;
	p = abs;
	for (;;) {
		while (*p == '/')
			p++;
		if (fstat(fd, &sb) != 0) {
			close(fd);
			goto bad_open;
		}
		if ((sb.st_uid != 0 && sb.st_uid != uid) ||
		    ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
		    (*p == '\0' || sb.st_uid != 0 ||
		    (sb.st_mode & S_ISVTX) == 0))) {
			snprintf(why, whylen, "the signer record %s is in or "
			    "under the directory %.*s, which is owned by uid %u "
			    "with mode %03o: another user could remove or "
			    "replace the record and roll the ledger back; each "
			    "directory up to / must be owned by root or "
			    "signer-user (uid %u) and not writable by group or "
			    "others (or, above the record's own, be root's and "
			    "sticky, like /tmp)", path, dend ? (int)dend : 1,
			    dend ? abs : "/",
			    (unsigned)sb.st_uid,
			    (unsigned)(sb.st_mode & 07777), (unsigned)uid);
			close(fd);
			return -1;
		}
		if (*p == '\0')
			break;
		if ((slash = strchr(p, '/')) != NULL)
			*slash = '\0';
		nfd = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if (nfd == -1) {
			snprintf(why, whylen, "the signer cannot open the "
			    "directory %s of its record %s: %s (it must exist "
			    "and be no symbolic link; see signer-state in "
			    "ledgerd(8))", abs, path, strerror(errno));
			return -1;
		}
		fd = nfd;
		p += strlen(p);
		dend = (size_t)(p - abs);
		if (slash != NULL)
			*slash = '/';
	}
	close(fd);
	return 0;
bad_open:
	snprintf(why, whylen, "the signer cannot check the directories of "
	    "its record %s: %s", path, strerror(errno));
	return -1;
}

static int
child_init(struct state *st, const struct signer_req *q)
{
	struct ledger_checkpoint c;

	if (st->inited) {
		log_warnx("signer: refused a second INIT (size %" PRIu64 "); "
		    "the last signed tree is size %" PRIu64, q->size,
		    st->size);
		return LEDGER_EINVAL;
	}
	if (st->known) {
		/* The record is ours; what the data dir says is not. */
		log_warnx("signer: refused INIT of size %" PRIu64 ": the "
		    "record %s says the last signed tree is size %" PRIu64,
		    q->size, st->path, st->size);
		return LEDGER_EPROOF;
	}
	if (q->notelen == 0) {
		if (q->size != 0) {
			log_warnx("signer: refused INIT of size %" PRIu64
			    " without its signed checkpoint", q->size);
			return LEDGER_ESIG;
		}
	} else if (ledger_checkpoint_open(q->note, q->notelen, &st->k.pub,
	    &c) != 0 || c.size != q->size ||
	    memcmp(c.root, q->root, LEDGER_HASH_BYTES) != 0) {
		log_warnx("signer: refused INIT of size %" PRIu64 ": its "
		    "checkpoint does not verify with the ledger key or is "
		    "not of that tree", q->size);
		return LEDGER_ESIG;
	} else {
		st->size = c.size;
		memcpy(st->root, c.root, LEDGER_HASH_BYTES);
	}
	if (rec_create(st, st->size, st->root) != 0) {
		ledger_empty_root(st->root);
		st->size = 0;
		/* Not the ledger's fault: rec_create logged what is wrong. */
		return LEDGER_ECONFLICT;
	}
	log_warnx("signer: no record of the last signed tree in %s (first "
	    "start, or a ledger from before records): adopted the stored "
	    "checkpoint of size %" PRIu64 " as the data dir gives it, and "
	    "recorded it", st->path, st->size);
	st->inited = 1;
	st->known = 1;
	return 0;
}

static int
child_sign(struct state *st, const struct signer_req *q, struct signer_resp *r)
{
	struct ledger_checkpoint c;
	uint8_t empty[LEDGER_HASH_BYTES];
	size_t n;
	int rc;

	if (!st->known) {
		log_warnx("signer: refused SIGN before INIT");
		return LEDGER_EINVAL;
	}
	ledger_empty_root(empty);
	if (q->size == 0 && memcmp(q->root, empty, LEDGER_HASH_BYTES) != 0) {
		log_warnx("signer: refused SIGN of size 0 with a root that is "
		    "not the empty tree's");
		return LEDGER_EPROOF;
	}
	if (q->size < st->size) {
		log_warnx("signer: refused SIGN of size %" PRIu64 ": smaller "
		    "than the last signed tree (size %" PRIu64 ")", q->size,
		    st->size);
		return LEDGER_EPROOF;
	}
	if (ledger_merkle_verify_consistency(st->size, q->size, st->root,
	    q->root, (const uint8_t (*)[LEDGER_HASH_BYTES])q->proof,
	    q->nproof) != 0) {
		log_warnx("signer: refused SIGN of size %" PRIu64 ": no valid "
		    "consistency proof from the last signed tree (size %"
		    PRIu64 ")", q->size, st->size);
		return LEDGER_EPROOF;
	}
	memset(&c, 0, sizeof(c));
	memcpy(c.origin, st->k.pub.name, sizeof(c.origin));
	c.size = q->size;
	memcpy(c.root, q->root, LEDGER_HASH_BYTES);
	if ((rc = ledger_checkpoint_sign(&st->k, &c, r->text, sizeof(r->text),
	    &n)) != 0)
		return rc;
	/* Recorded before the signature leaves: a crash keeps the record. */
	if ((q->size != st->size || memcmp(q->root, st->root,
	    LEDGER_HASH_BYTES) != 0) && (rc = rec_put(st, q->size,
	    q->root)) != 0) {
		sodium_memzero(r->text, sizeof(r->text));
		return rc;
	}
	r->len = (uint32_t)n;
	st->size = q->size;
	memcpy(st->root, q->root, LEDGER_HASH_BYTES);
	return 0;
}

static int
child_handle(struct state *st, const struct signer_req *q,
    struct signer_resp *r)
{
	if (q->nproof > LEDGER_PROOF_MAX) {
		log_warnx("signer: refused a request of %" PRIu32 " proof "
		    "hashes (at most %d)", q->nproof, LEDGER_PROOF_MAX);
		return LEDGER_EINVAL;
	}
	if (q->notelen >= LEDGER_NOTE_MAX) {
		log_warnx("signer: refused a note of %" PRIu32 " bytes (less "
		    "than %d)", q->notelen, LEDGER_NOTE_MAX);
		return LEDGER_EINVAL;
	}
	switch (q->type) {
	case SIGNER_MSG_INIT:
		return child_init(st, q);
	case SIGNER_MSG_SIGN:
		return child_sign(st, q, r);
	}
	log_warnx("signer: refused unknown message type %" PRIu32, q->type);
	return LEDGER_EINVAL;
}

/* The hello: our verifier key, or why we cannot serve. */
static void
hello(int fd, struct signer_resp *r)
{
	r->len = (uint32_t)strnlen(r->text, sizeof(r->text) - 1);
	if (send(fd, r, sizeof(*r), 0) != (ssize_t)sizeof(*r) || r->rc != 0)
		_exit(1);
}

static void __attribute__((noreturn))
child_main(int fd, const char *keyfile, const char *statefile,
    const struct account *as, pid_t parent)
{
	static struct signer_req q;
	static struct signer_resp r;
	static struct state st;
	long open_max;
	ssize_t n;
	int i;

	/* Nothing of the parent's but our socket and stdio (logs). */
	if ((fd > 3 && close_range(3, (unsigned)fd - 1, 0) != 0) ||
	    close_range((unsigned)fd + 1, ~0U, 0) != 0) {
		/*
		 * Before Linux 5.9, or under a seccomp filter that does not
		 * know it: one by one, up to the descriptor limit.
		 */
		if ((open_max = sysconf(_SC_OPEN_MAX)) < 0 ||
		    open_max > INT_MAX) {
			log_warn("signer: cannot close the descriptors it "
			    "inherited (close_range, and no descriptor limit); "
			    "not loading the key");
			_exit(1);
		}
		for (i = 3; i < (int)open_max; i++)
			if (i != fd)
				close(i);
	}
	memset(&r, 0, sizeof(r));
	/* Our own account before the key file is opened, and for good. */
	if (as != NULL && privsep_drop(as) != 0) {
		r.rc = LEDGER_EINVAL;
		snprintf(r.text, sizeof(r.text), "cannot become signer-user "
		    "%s: %s", as->name, strerror(errno));
		hello(fd, &r);
	}
	/*
	 * No core dumps or ptrace by our own uid: the key stays here.  Both
	 * after the uid change, which resets them.
	 */
	if (prctl(PR_SET_DUMPABLE, 0) != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
		log_warn("signer: cannot make itself undumpable or die with "
		    "ledgerd (prctl); not loading the key");
		_exit(1);
	}
	if (getppid() != parent)	/* ledgerd died before the prctl */
		_exit(1);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	ledger_empty_root(st.root);
	st.path = statefile;
	st.recfd = -1;
	if (as != NULL) {
		st.strict = 1;
		st.uid = as->uid;
	}
	errno = 0;
	r.rc = ledger_key_load(keyfile, &st.k);
	if (r.rc == 0) {
		crypto_hash_sha256(st.origin, (const uint8_t *)st.k.pub.name,
		    strlen(st.k.pub.name));
		/* Before the record: a safe place, and only ours. */
		if ((st.strict && rec_dirs_check(statefile, st.uid, r.text,
		    sizeof(r.text)) != 0) || rec_lock(&st, r.text,
		    sizeof(r.text)) != 0 ||
		    rec_load(&st, r.text, sizeof(r.text)) != 0) {
			r.rc = LEDGER_EINVAL;
			r.record = SIGNER_REC_BAD;
		} else if (st.known) {
			r.record = SIGNER_REC_HAVE;
			r.rsize = st.size;
			memcpy(r.rroot, st.root, LEDGER_HASH_BYTES);
		}
	}
	if (r.rc == 0)
		ledger_vkey_format(&st.k.pub, r.text, sizeof(r.text));
	else if (r.rc == LEDGER_EIO && errno != 0)
		snprintf(r.text, sizeof(r.text), "%s", strerror(errno));
	hello(fd, &r);
	for (;;) {
		/* MSG_TRUNC: the real length, so an over-long one shows. */
		n = recv(fd, &q, sizeof(q), MSG_TRUNC);
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
		if (n < 0)
			continue;
		memset(&r, 0, sizeof(r));
		if (n != (ssize_t)sizeof(q)) {
			log_warnx("signer: refused a message of %zd bytes (a "
			    "request is %zu)", n, sizeof(q));
			r.rc = LEDGER_EINVAL;
		} else {
			r.rc = child_handle(&st, &q, &r);
		}
		if (send(fd, &r, sizeof(r), 0) != (ssize_t)sizeof(r))
			break;
	}
	ledger_seckey_wipe(&st.k);
	_exit(0);
}

/* --- the parent ------------------------------------------------------- */

static int
roundtrip(struct signer *s, const struct signer_req *q, struct signer_resp *r)
{
	ssize_t n;

	pthread_mutex_lock(&s->mu);
	n = send(s->fd, q, sizeof(*q), MSG_NOSIGNAL);
	if (n == (ssize_t)sizeof(*q)) {
		do
			n = recv(s->fd, r, sizeof(*r), 0);
		while (n < 0 && errno == EINTR);
	}
	pthread_mutex_unlock(&s->mu);
	if (n != (ssize_t)sizeof(*r) || r->len >= sizeof(r->text))
		return LEDGER_EIO;
	return r->rc;
}

int
signer_open(struct signer **out, const char *keyfile, const char *statefile,
    const struct account *as, char *why, size_t whylen)
{
	static struct signer_resp r;
	struct signer *s;
	pid_t parent;
	int sv[2], rc;
	ssize_t n;

	if (whylen > 0)
		why[0] = '\0';
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return LEDGER_ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		free(s);
		return LEDGER_EIO;
	}
	parent = getpid();
	if ((s->pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		free(s);
		return LEDGER_EIO;
	}
	if (s->pid == 0) {
		close(sv[0]);
		child_main(sv[1], keyfile, statefile, as, parent);
	}
	close(sv[1]);
	s->fd = sv[0];
	pthread_mutex_init(&s->mu, NULL);
	n = recv(s->fd, &r, sizeof(r), 0);
	if (n != (ssize_t)sizeof(r) || r.len >= sizeof(r.text)) {
		signer_close(s);
		return LEDGER_EIO;
	}
	r.text[r.len] = '\0';
	if (r.rc != 0) {
		rc = r.record == SIGNER_REC_BAD ? LEDGER_ECONFLICT : r.rc;
		if (whylen > 0)
			snprintf(why, whylen, "%s", r.text);
		signer_close(s);
		return rc;
	}
	if (r.record == SIGNER_REC_HAVE) {
		s->have_rec = 1;
		s->rsize = r.rsize;
		memcpy(s->rroot, r.rroot, LEDGER_HASH_BYTES);
	} else if (r.record != SIGNER_REC_NONE) {
		signer_close(s);
		return LEDGER_EIO;
	}
	if (ledger_vkey_parse(r.text, &s->pub) != 0) {
		signer_close(s);
		return LEDGER_EKEY;
	}
	*out = s;
	return 0;
}

void
signer_close(struct signer *s)
{
	if (s == NULL)
		return;
	close(s->fd);	/* the child sees EOF and exits */
	if (s->pid > 0)
		waitpid(s->pid, NULL, 0);
	free(s);
}

const struct ledger_pubkey *
signer_pubkey(const struct signer *s)
{
	return &s->pub;
}

int
signer_record(const struct signer *s, uint64_t *size,
    uint8_t root[LEDGER_HASH_BYTES])
{
	if (!s->have_rec)
		return 0;
	*size = s->rsize;
	memcpy(root, s->rroot, LEDGER_HASH_BYTES);
	return 1;
}

int
signer_init(struct signer *s, uint64_t size, const uint8_t *root,
    const char *note, size_t notelen)
{
	static struct signer_req q;
	static struct signer_resp r;

	if (notelen >= sizeof(q.note))
		return LEDGER_EINVAL;
	memset(&q, 0, sizeof(q));
	q.type = SIGNER_MSG_INIT;
	q.size = size;
	if (root != NULL)
		memcpy(q.root, root, 32);
	memcpy(q.note, note, notelen);
	q.notelen = (uint32_t)notelen;
	return roundtrip(s, &q, &r);
}

int
signer_sign(struct signer *s, uint64_t size,
    const uint8_t root[LEDGER_HASH_BYTES],
    const uint8_t proof[][LEDGER_HASH_BYTES], size_t nproof, char *out,
    size_t *outlen)
{
	static struct signer_req q;	/* only the sequencer signs */
	static struct signer_resp r;
	int rc;

	if (nproof > LEDGER_PROOF_MAX)
		return LEDGER_EINVAL;
	memset(&q, 0, sizeof(q));
	q.type = SIGNER_MSG_SIGN;
	q.size = size;
	memcpy(q.root, root, 32);
	if (nproof > 0)		/* proof may be NULL when there is none */
		memcpy(q.proof, proof, nproof * LEDGER_HASH_BYTES);
	q.nproof = (uint32_t)nproof;
	if ((rc = roundtrip(s, &q, &r)) != 0)
		return rc;
	memcpy(out, r.text, r.len);
	out[r.len] = '\0';
	*outlen = r.len;
	return 0;
}
