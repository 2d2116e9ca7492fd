/*
 * main.c - ledgerd: start-up checks, threads, signals.
 *
 *   ledgerd -d DATADIR [-l ADDR:PORT] [-f CONFFILE] [-k KEYFILE] [...]
 *
 * Start-up refuses, with a message saying what to do: a missing data dir
 * or ledger, a missing ledger key or one readable by others, a data dir
 * locked by another ledgerd, a key or origin that does not match the stored
 * ledger, and a storage format it does not know; also TLS files that are
 * missing, too open or unusable (tls.c), and a stored tree that does not
 * check out (startcheck.c, naming the seq).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/index.h"
#include "ledgerd.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ledgerd -d DATADIR [-l ADDR:PORT] [-f CONFFILE] [-k KEYFILE]\n"
"               [-o ORIGIN] [--SETTING=VALUE ...] [-v]\n"
"       ledgerd --help | --version\n"
"\n"
"Serve the ledger in DATADIR (made by \"ledgerctl init\") over HTTP, or\n"
"HTTPS with tls-cert and tls-key.\n"
"  -d, --datadir DIR   ledger data directory\n"
"  -l, --listen A:P    listen address (default %s)\n"
"  -f, --config FILE   config file of \"key = value\" lines\n"
"                      (default %s, if present)\n"
"  -k, --key FILE      ledger private key (default DATADIR/ledger.key)\n"
"  -o, --origin NAME   refuse to start unless the ledger has this origin\n"
"  -v, --verbose       debug logging\n"
"Settings (also config file keys): max-body, max-conns, max-conns-per-ip,\n"
"conn-timeout, threads, batch-max, queue-max, rate, page-max, map-size,\n"
"tls-cert, tls-key (both: HTTPS only), user, signer-user (the accounts\n"
"that serve HTTP and hold the ledger key when started as root),\n"
"signer-state (the signer's record of the last tree it signed; default\n"
"KEYFILE.signed),\n"
"start-check (full, tree or none: what is proven before serving).\n"
"See ledgerd(8).\n", LEDGERD_DEFAULT_LISTEN, LEDGERD_DEFAULT_CONF);
}

static const struct option longopts[] = {
	{ "datadir",	required_argument, NULL, 'd' },
	{ "listen",	required_argument, NULL, 'l' },
	{ "config",	required_argument, NULL, 'f' },
	{ "key",	required_argument, NULL, 'k' },
	{ "origin",	required_argument, NULL, 'o' },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ "max-body",	required_argument, NULL, 1 },
	{ "max-conns",	required_argument, NULL, 1 },
	{ "max-conns-per-ip", required_argument, NULL, 1 },
	{ "conn-timeout", required_argument, NULL, 1 },
	{ "threads",	required_argument, NULL, 1 },
	{ "batch-max",	required_argument, NULL, 1 },
	{ "queue-max",	required_argument, NULL, 1 },
	{ "rate",	required_argument, NULL, 1 },
	{ "page-max",	required_argument, NULL, 1 },
	{ "map-size",	required_argument, NULL, 1 },
	{ "tls-cert",	required_argument, NULL, 1 },
	{ "tls-key",	required_argument, NULL, 1 },
	{ "user",	required_argument, NULL, 1 },
	{ "signer-user", required_argument, NULL, 1 },
	{ "signer-state", required_argument, NULL, 1 },
	{ "start-check", required_argument, NULL, 1 },
	{ NULL, 0, NULL, 0 }
};

static int
parse_args(struct config *c, int argc, char **argv)
{
	const char *conf = NULL;
	int ch, idx;

	/* First pass: only the config file, so flags override it. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "d:l:f:k:o:vhV", longopts,
	    NULL)) != -1)
		if (ch == 'f')
			conf = optarg;
	if (config_load(c, conf ? conf : LEDGERD_DEFAULT_CONF,
	    conf != NULL) != 0)
		return -1;
	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "d:l:f:k:o:vhV", longopts,
	    &idx)) != -1) {
		switch (ch) {
		case 'd':
			if (config_set(c, "datadir", optarg))
				return -1;
			break;
		case 'l':
			if (config_set(c, "listen", optarg))
				return -1;
			break;
		case 'k':
			if (config_set(c, "key", optarg))
				return -1;
			break;
		case 'o':
			if (config_set(c, "origin", optarg))
				return -1;
			break;
		case 'f':
			break;
		case 'v':
			c->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("ledgerd %s\n", LEDGERD_VERSION);
			exit(0);
		case 1:
			if (config_set(c, longopts[idx].name, optarg))
				return -1;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ledgerd: unexpected argument \"%s\"\n",
		    argv[optind]);
		return -1;
	}
	if (c->datadir[0] == '\0') {
		fprintf(stderr, "ledgerd: no data directory; use -d DATADIR "
		    "(create one with \"ledgerctl init -d DATADIR ...\")\n");
		return -1;
	}
	if (c->keyfile[0] == '\0' && snprintf(c->keyfile, sizeof(c->keyfile),
	    "%s/ledger.key", c->datadir) >= (int)sizeof(c->keyfile))
		return -1;
	if (c->signer_state[0] == '\0' && snprintf(c->signer_state,
	    sizeof(c->signer_state), "%s.signed", c->keyfile) >=
	    (int)sizeof(c->signer_state))
		return -1;
	return 0;
}

/* Before the signer is forked: a missing ledger is said as such. */
static int
check_datadir(const char *dir)
{
	struct stat sb;

	errno = 0;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		const char *why = errno != 0 ? strerror(errno) :
		    "not a directory";

		fprintf(stderr, "ledgerd: data directory %s: %s; create a "
		    "ledger with \"ledgerctl init -d %s --origin ... --admin "
		    "...\"\n", dir, why, dir);
		return -1;
	}
	return 0;
}

/* One ledgerd per data dir: an flock that dies with the process. */
static int
lock_datadir(const char *dir)
{
	char path[600], pid[32];
	int fd;

	snprintf(path, sizeof(path), "%s/ledgerd.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		fprintf(stderr, "ledgerd: cannot open %s: %s (is the data "
		    "directory writable by this user?)\n", path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		fprintf(stderr, "ledgerd: data directory %s is locked by "
		    "another ledgerd (pid %s); stop it first\n", dir,
		    pid[0] ? pid : "?");
		close(fd);
		return -1;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 ||
	    pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid))
		log_warn("cannot write pid to %s", path);
	return fd;	/* kept open: the lock lives as long as we do */
}

/*
 * Fork the signer, before LMDB, threads or the TLS key exist here; as
 * root, it becomes signer-user before it opens the key.
 */
static int
start_signer(struct ledgerd *d, const struct privsep *ps)
{
	char why[1024];
	int rc;

	rc = signer_open(&d->signer, d->cfg.keyfile, d->cfg.signer_state,
	    ps->on ? &ps->signer : NULL, why, sizeof(why));
	if (rc == LEDGER_ECONFLICT) {
		fprintf(stderr, "ledgerd: %s\n", why);
		return -1;
	}
	if (rc == LEDGER_EPERM) {
		fprintf(stderr, "ledgerd: ledger key %s is readable by group "
		    "or others, or is a symlink; run \"chmod 600 %s\"\n",
		    d->cfg.keyfile, d->cfg.keyfile);
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, "ledgerd: cannot load ledger key %s: %s%s\n",
		    d->cfg.keyfile, why[0] ? why : ledger_strerror(rc),
		    rc != LEDGER_EIO ? "" : ps->on ? " (missing? set it with "
		    "-k; signer-user must own it)" : " (missing? set it with "
		    "-k)");
		return -1;
	}
	ledger_vkey_format(signer_pubkey(d->signer), d->vkey, sizeof(d->vkey));
	return 0;
}

/*
 * Become the HTTP account, then make sure it is one that cannot read the
 * ledger key: the point of the second account.
 */
static int
drop_http(const struct ledgerd *d, const struct privsep *ps)
{
	char dir[sizeof(d->cfg.signer_state)];
	int fd;

	if (privsep_drop(&ps->http) != 0) {
		fprintf(stderr, "ledgerd: cannot become user %s: %s\n",
		    ps->http.name, strerror(errno));
		return -1;
	}
	fd = open(d->cfg.keyfile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd != -1) {
		close(fd);
		fprintf(stderr, "ledgerd: the HTTP process (user %s) can read "
		    "the ledger key %s; run \"chown %s %s\" and \"chmod 600 "
		    "%s\"\n", ps->http.name, d->cfg.keyfile, ps->signer.name,
		    d->cfg.keyfile, d->cfg.keyfile);
		return -1;
	}
	/* Nor replace or remove the signer's record, to roll the ledger back. */
	snprintf(dir, sizeof(dir), "%s", d->cfg.signer_state);
	if (access(dirname(dir), W_OK) == 0 ||
	    access(d->cfg.signer_state, W_OK) == 0) {
		fprintf(stderr, "ledgerd: the HTTP process (user %s) can write "
		    "the signer record %s or its directory, so it could roll "
		    "the ledger back; keep it in a directory only %s can "
		    "write (signer-state, default beside the key)\n",
		    ps->http.name, d->cfg.signer_state, ps->signer.name);
		return -1;
	}
	log_info("serving as user %s (uid %u), the ledger key held by "
	    "signer-user %s (uid %u)", ps->http.name, (unsigned)ps->http.uid,
	    ps->signer.name, (unsigned)ps->signer.uid);
	return 0;
}

/*
 * Query index rows a crash took (index.mdb commits without a sync, see
 * lib/store_index.c): at most the last batch after ledgerd died, the
 * whole index after the system did.
 */
static int
index_catch_up(struct ledgerd *d)
{
	struct timespec t0, t1;
	uint64_t n;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = ledger_index_catch_up(d->store, &n)) != 0) {
		fprintf(stderr, "ledgerd: cannot rebuild the query index in "
		    "%s/index.mdb (%s); remove that file and start again, or "
		    "run \"ledgerctl verify -d %s\"\n", d->cfg.datadir,
		    ledger_strerror(rc), d->cfg.datadir);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (n > 0)
		log_info("query index: re-indexed %llu entries in %.1f s",
		    (unsigned long long)n, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

/* The proofs' node cache (nodecache.h), filled before the first request. */
static int
nodes_fill(struct ledgerd *d)
{
	struct ledger_txn *txn;
	uint64_t size, n = 0;
	int rc;

	if ((rc = ledger_txn_begin(d->store, 0, &txn)) == 0) {
		if ((rc = ledger_meta_size(txn, &size)) == 0)
			rc = ledger_nodecache_fill(d->nodes, txn, size, &n);
		ledger_txn_abort(txn);
	}
	if (rc != 0) {
		fprintf(stderr, "ledgerd: cannot read the stored tree nodes "
		    "(%s); run \"ledgerctl verify -d %s\"\n",
		    ledger_strerror(rc), d->cfg.datadir);
		return -1;
	}
	log_debug("node cache: %llu upper tree nodes read",
	    (unsigned long long)n);
	return 0;
}

static int
open_all(struct ledgerd *d)
{
	struct ledger_txn *txn;
	int rc;

	errno = 0;
	rc = ledger_store_open(d->cfg.datadir, 0, d->cfg.map_size, &d->store);
	if (rc != 0) {
		fprintf(stderr, "ledgerd: cannot open the ledger in %s: %s%s\n",
		    d->cfg.datadir, rc == LEDGER_EIO && errno ? strerror(errno) :
		    ledger_strerror(rc),
		    rc == LEDGER_ENOTFOUND ? "; create it with \"ledgerctl "
		    "init\"" : rc == LEDGER_EVERSION ? "; this ledgerd does "
		    "not know that storage format" : "");
		return -1;
	}
	if ((rc = ledger_txn_begin(d->store, 0, &txn)) == 0 &&
	    (rc = ledger_meta_origin(txn, d->origin, sizeof(d->origin))) != 0)
		ledger_txn_abort(txn);
	if (rc != 0) {
		fprintf(stderr, "ledgerd: ledger in %s has no origin (%s); was "
		    "it made by \"ledgerctl init\"?\n", d->cfg.datadir,
		    ledger_strerror(rc));
		return -1;
	}
	ledger_txn_abort(txn);
	d->nodes = ledger_nodecache_new(LEDGER_NODECACHE_SLOTS_LOG2);
	if (d->nodes == NULL) {
		fprintf(stderr, "ledgerd: out of memory for the node cache "
		    "(%u slots of 40 bytes)\n",
		    1u << LEDGER_NODECACHE_SLOTS_LOG2);
		return -1;
	}
	if (strcmp(d->origin, signer_pubkey(d->signer)->name) != 0) {
		fprintf(stderr, "ledgerd: ledger key %s is for \"%s\" but the "
		    "ledger's origin is \"%s\"; use the ledger's own key\n",
		    d->cfg.keyfile, signer_pubkey(d->signer)->name, d->origin);
		return -1;
	}
	if (d->cfg.origin[0] && strcmp(d->cfg.origin, d->origin) != 0) {
		fprintf(stderr, "ledgerd: origin mismatch: configured \"%s\", "
		    "stored ledger has \"%s\"\n", d->cfg.origin, d->origin);
		return -1;
	}
	/* Before recovery, which would sign whatever tree it finds. */
	if (startcheck_run(d) != 0)
		return -1;
	/*
	 * ECONFLICT has been explained already: older than the signer's
	 * record, or the signer could not write its record (its log line).
	 */
	if ((rc = sequencer_recover(d)) == LEDGER_ECONFLICT)
		return -1;
	if (rc != 0) {
		fprintf(stderr, "ledgerd: the stored ledger does not check out "
		    "(%s); run \"ledgerctl verify -d %s\"\n",
		    ledger_strerror(rc), d->cfg.datadir);
		return -1;
	}
	if (nodes_fill(d) != 0)
		return -1;
	return index_catch_up(d);
}

int
main(int argc, char **argv)
{
	static struct ledgerd d;
	struct privsep ps;
	sigset_t set;
	uint64_t size;
	int sig, lockfd;

	config_defaults(&d.cfg);
	if (parse_args(&d.cfg, argc, argv) != 0)
		return 2;
	log_init(d.cfg.verbose);
	if (sodium_init() < 0)
		fatalx("libsodium failed to initialize");
	/* Signals go to sigwait() below, never to the worker threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_init(&d.served.mu, NULL);
	if (privsep_plan(&d.cfg, &ps) != 0 || check_datadir(d.cfg.datadir) != 0)
		return 1;
	if (start_signer(&d, &ps) != 0)
		return 1;
	/* TLS files are read now, while this process can still open them. */
	if (tls_load(&d) != 0)
		return 1;
	/* From here on, as user: the data dir, LMDB and every request. */
	if (ps.on && drop_http(&d, &ps) != 0)
		return 1;
	if ((lockfd = lock_datadir(d.cfg.datadir)) == -1)
		return 1;
	if (open_all(&d) != 0)
		return 1;
	if (sequencer_start(&d) != 0)
		fatalx("cannot start the sequencer thread");
	if (http_start(&d) != 0) {
		sequencer_stop(&d);
		return 1;
	}
	served_get(&d, &size, NULL, NULL, NULL);
	log_info("serving %s (%llu entries) on %s://%.*s:%u/", d.origin,
	    (unsigned long long)size, d.tls_cert_pem ? "https" : "http",
	    (int)strcspn(d.cfg.listen, ":"), d.cfg.listen, http_port(&d));
	log_info("verifier key %s", d.vkey);
	notify("READY=1");
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP ignored: restart to change settings");
			continue;
		}
		break;
	}
	log_info("signal %d: finishing in-flight appends", sig);
	notify("STOPPING=1");
	sequencer_stop(&d);
	http_stop(&d);
	ledger_store_close(d.store);
	ledger_nodecache_free(d.nodes);
	signer_close(d.signer);
	tls_free(&d);
	close(lockfd);
	log_info("stopped");
	return 0;
}
