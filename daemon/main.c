/*
 * main.c - ledgerd: start-up checks, threads, signals.
 *
 *   ledgerd -d DATADIR [-l ADDR:PORT] [-f CONFFILE] [-k KEYFILE] [...]
 *
 * Start-up refuses, with a message saying what to do: a missing data dir
 * or ledger, a missing ledger key or one readable by others, a data dir
 * locked by another ledgerd, a key or origin that does not match the stored
 * ledger, and a storage format it does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledgerd.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ledgerd -d DATADIR [-l ADDR:PORT] [-f CONFFILE] [-k KEYFILE]\n"
"               [-o ORIGIN] [--SETTING=VALUE ...] [-v]\n"
"       ledgerd --help | --version\n"
"\n"
"Serve the ledger in DATADIR (made by \"ledgerctl init\") over HTTP.\n"
"  -d, --datadir DIR   ledger data directory\n"
"  -l, --listen A:P    listen address (default %s)\n"
"  -f, --config FILE   config file of \"key = value\" lines\n"
"                      (default %s, if present)\n"
"  -k, --key FILE      ledger private key (default DATADIR/ledger.key)\n"
"  -o, --origin NAME   refuse to start unless the ledger has this origin\n"
"  -v, --verbose       debug logging\n"
"Settings (also config file keys): max-body, max-conns, max-conns-per-ip,\n"
"conn-timeout, threads, batch-max, queue-max, rate, page-max, map-size.\n"
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
	return 0;
}

/* One ledgerd per data dir: an flock that dies with the process. */
static int
lock_datadir(const char *dir)
{
	char path[600], pid[32];
	struct stat sb;
	int fd;

	errno = 0;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		const char *why = errno != 0 ? strerror(errno) :
		    "not a directory";

		fprintf(stderr, "ledgerd: data directory %s: %s; create a "
		    "ledger with \"ledgerctl init -d %s --origin ... --admin "
		    "...\"\n", dir, why, dir);
		return -1;
	}
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

static int
open_all(struct ledgerd *d)
{
	struct ledger_txn *txn;
	int rc;

	if ((rc = signer_open(&d->signer, d->cfg.keyfile)) != 0) {
		if (rc == LEDGER_EPERM)
			fprintf(stderr, "ledgerd: ledger key %s is readable by "
			    "group or others; run \"chmod 600 %s\"\n",
			    d->cfg.keyfile, d->cfg.keyfile);
		else
			fprintf(stderr, "ledgerd: cannot load ledger key %s: "
			    "%s%s\n", d->cfg.keyfile, ledger_strerror(rc),
			    rc == LEDGER_EIO ? " (missing? set it with -k)" :
			    "");
		return -1;
	}
	ledger_vkey_format(signer_pubkey(d->signer), d->vkey, sizeof(d->vkey));
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
	if ((rc = sequencer_recover(d)) != 0) {
		fprintf(stderr, "ledgerd: the stored ledger does not check out "
		    "(%s); run \"ledgerctl verify -d %s\"\n",
		    ledger_strerror(rc), d->cfg.datadir);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct ledgerd d;
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
	log_info("serving %s (%llu entries) on http://%.*s:%u/", d.origin,
	    (unsigned long long)size,
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
	signer_close(d.signer);
	close(lockfd);
	log_info("stopped");
	return 0;
}
