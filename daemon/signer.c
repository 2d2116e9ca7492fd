/*
 * signer.c - the ledger key lives in its own process.
 *
 * ledgerd forks the signer before it opens LMDB or starts any thread; only
 * the child ever reads the key file.  The two talk over a SOCK_SEQPACKET
 * socketpair with fixed-size, length-checked messages.  The signer keeps
 * its own record of the last tree it signed and signs a new checkpoint only
 * with a valid consistency proof from it, so a bug in the HTTP process can
 * neither read the key nor obtain two inconsistent checkpoints.
 *
 * Trust on start: the first INIT message tells the signer the last signed
 * tree; the signer accepts it only with a checkpoint note that verifies
 * with its own key, and accepts INIT only once.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/keys.h"
#include "ledgerd.h"

enum { MSG_INIT = 1, MSG_SIGN = 2 };

struct sign_req {
	uint32_t	type;
	uint32_t	nproof;
	uint64_t	size;
	uint8_t		root[LEDGER_HASH_BYTES];
	uint8_t		proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	uint32_t	notelen;		/* INIT: checkpoint of (size, root) */
	char		note[LEDGER_NOTE_MAX];
};

struct sign_resp {
	int32_t		rc;
	uint32_t	len;
	char		text[LEDGER_NOTE_MAX];	/* note, or vkey on hello */
};

struct signer {
	int			fd;
	pid_t			pid;
	struct ledger_pubkey	pub;
	pthread_mutex_t		mu;
};

/* --- the child -------------------------------------------------------- */

static int
child_handle(struct ledger_seckey *k, int *inited, uint64_t *last_size,
    uint8_t last_root[32], const struct sign_req *q, struct sign_resp *r)
{
	struct ledger_checkpoint c;
	size_t n;
	int rc;

	if (q->nproof > LEDGER_PROOF_MAX || q->notelen >= LEDGER_NOTE_MAX)
		return LEDGER_EINVAL;
	if (q->type == MSG_INIT) {
		if (*inited)
			return LEDGER_EINVAL;
		if (q->notelen > 0) {
			if (ledger_checkpoint_open(q->note, q->notelen, &k->pub,
			    &c) != 0 || c.size != q->size ||
			    memcmp(c.root, q->root, 32) != 0)
				return LEDGER_ESIG;
			*last_size = c.size;
			memcpy(last_root, c.root, 32);
		}
		*inited = 1;
		return 0;
	}
	if (q->type != MSG_SIGN || !*inited)
		return LEDGER_EINVAL;
	if (q->size < *last_size ||
	    ledger_merkle_verify_consistency(*last_size, q->size, last_root,
	    q->root, (const uint8_t (*)[32])q->proof, q->nproof) != 0)
		return LEDGER_EPROOF;
	memset(&c, 0, sizeof(c));
	memcpy(c.origin, k->pub.name, sizeof(c.origin));
	c.size = q->size;
	memcpy(c.root, q->root, 32);
	if ((rc = ledger_checkpoint_sign(k, &c, r->text, sizeof(r->text),
	    &n)) != 0)
		return rc;
	r->len = (uint32_t)n;
	*last_size = q->size;
	memcpy(last_root, q->root, 32);
	return 0;
}

static void __attribute__((noreturn))
child_main(int fd, const char *keyfile, pid_t parent)
{
	static struct sign_req q;
	static struct sign_resp r;
	struct ledger_seckey k;
	uint8_t last_root[32];
	uint64_t last_size = 0;
	int inited = 0;
	ssize_t n;

	/* Nothing of the parent's but our socket and stdio (logs). */
	if (fd > 3)
		close_range(3, (unsigned)fd - 1, 0);
	close_range((unsigned)fd + 1, ~0U, 0);
	/* No core dumps or ptrace by our own uid: the key stays here. */
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)	/* ledgerd died before the prctl */
		_exit(1);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	ledger_empty_root(last_root);
	memset(&r, 0, sizeof(r));
	r.rc = ledger_key_load(keyfile, &k);
	if (r.rc == 0)
		ledger_vkey_format(&k.pub, r.text, sizeof(r.text));
	r.len = (uint32_t)strlen(r.text);
	if (send(fd, &r, sizeof(r), 0) != (ssize_t)sizeof(r) || r.rc != 0)
		_exit(1);
	for (;;) {
		n = recv(fd, &q, sizeof(q), 0);
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
		if (n < 0)
			continue;
		memset(&r, 0, sizeof(r));
		r.rc = n == (ssize_t)sizeof(q) ? child_handle(&k, &inited,
		    &last_size, last_root, &q, &r) : LEDGER_EINVAL;
		if (send(fd, &r, sizeof(r), 0) != (ssize_t)sizeof(r))
			break;
	}
	ledger_seckey_wipe(&k);
	_exit(0);
}

/* --- the parent ------------------------------------------------------- */

static int
roundtrip(struct signer *s, const struct sign_req *q, struct sign_resp *r)
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
signer_open(struct signer **out, const char *keyfile)
{
	static struct sign_resp r;
	struct signer *s;
	pid_t parent;
	int sv[2];
	ssize_t n;

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
		child_main(sv[1], keyfile, parent);
	}
	close(sv[1]);
	s->fd = sv[0];
	pthread_mutex_init(&s->mu, NULL);
	n = recv(s->fd, &r, sizeof(r), 0);
	if (n != (ssize_t)sizeof(r) || r.len >= sizeof(r.text)) {
		signer_close(s);
		return LEDGER_EIO;
	}
	if (r.rc != 0) {
		int rc = r.rc;

		signer_close(s);
		return rc;
	}
	r.text[r.len] = '\0';
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
signer_init(struct signer *s, uint64_t size, const uint8_t *root,
    const char *note, size_t notelen)
{
	static struct sign_req q;
	static struct sign_resp r;

	if (notelen >= sizeof(q.note))
		return LEDGER_EINVAL;
	memset(&q, 0, sizeof(q));
	q.type = MSG_INIT;
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
	static struct sign_req q;	/* only the sequencer signs */
	static struct sign_resp r;
	int rc;

	if (nproof > LEDGER_PROOF_MAX)
		return LEDGER_EINVAL;
	memset(&q, 0, sizeof(q));
	q.type = MSG_SIGN;
	q.size = size;
	memcpy(q.root, root, 32);
	memcpy(q.proof, proof, nproof * LEDGER_HASH_BYTES);
	q.nproof = (uint32_t)nproof;
	if ((rc = roundtrip(s, &q, &r)) != 0)
		return rc;
	memcpy(out, r.text, r.len);
	out[r.len] = '\0';
	*outlen = r.len;
	return 0;
}
