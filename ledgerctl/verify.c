/*
 * verify.c - "ledgerctl verify": replay a whole ledger from seq 0 with the
 * library's verifier (ledger/verify.h), offline from its LMDB files or
 * online through the public read API only.
 *
 * All checking is in the library; this file feeds it, draws the progress
 * bar (stderr, only on a terminal) and prints one result line.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ledger/keys.h"
#include "ledger/store.h"
#include "ledger/verify.h"
#include "ledgerctl.h"

#define TILE_LEVELS	8	/* tile levels of a 2^64 tree, height 8 */
#define TILE_W		256
#define BAR_WIDTH	30	/* characters of the progress bar */
#define BAR_EVERY	0.1	/* seconds between redraws */

struct opts {
	const char	*dir, *url, *vkey, *trusted, *save;
	unsigned	 threads, flags;
};

struct ui {
	int		tty;
	int		drawn;
	double		t0, last;
};

/* The last hash tile fetched at each level (nodes come in order). */
struct tiles {
	const char	*url;
	uint64_t	 size;
	struct {
		int	 have, missing;
		uint64_t n;
		uint8_t	 h[TILE_W * LEDGER_HASH_BYTES];
	} lv[TILE_LEVELS];
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress(void *ctx, uint64_t done, uint64_t total)
{
	struct ui *u = ctx;
	char bar[BAR_WIDTH + 1];
	double t = now(), el = t - u->t0, rate;
	unsigned fill, eta;

	if (!u->tty || (t - u->last < BAR_EVERY && done < total))
		return;
	u->last = t;
	fill = total ? (unsigned)(done * BAR_WIDTH / total) : BAR_WIDTH;
	memset(bar, '#', fill);
	memset(bar + fill, ' ', BAR_WIDTH - fill);
	bar[BAR_WIDTH] = '\0';
	rate = el > 0 ? (double)done / el : 0;
	eta = rate > 0 ? (unsigned)((double)(total - done) / rate) : 0;
	fprintf(stderr, "\r[%s] %3u%% %llu/%llu %.0f entries/s ETA %u:%02u ",
	    bar, total ? (unsigned)(done * 100 / total) : 100,
	    (unsigned long long)done, (unsigned long long)total, rate,
	    eta / 60, eta % 60);
	u->drawn = 1;
}

static void
progress_clear(struct ui *u)
{
	if (u->drawn)
		fputs("\r\033[K", stderr);
	u->drawn = 0;
}

static void
report(void *ctx, const struct ledger_vproblem *p)
{
	progress_clear(ctx);
	printf("FAIL seq %llu: %s: %s\n", (unsigned long long)p->seq, p->code,
	    p->msg);
	fflush(stdout);
}

static int
tile_node(void *ctx, unsigned level, uint64_t index,
    uint8_t out[LEDGER_HASH_BYTES])
{
	struct tiles *t = ctx;
	uint64_t width, n;
	unsigned L = level / 8, w;
	int rc;

	/* Only every eighth level is published, as tiles of height 8. */
	if (level % 8 != 0 || L >= TILE_LEVELS)
		return LEDGER_VERIFY_SKIP;
	width = t->size >> level;
	if (index >= width)
		return LEDGER_VERIFY_SKIP;
	n = index / TILE_W;
	if (!t->lv[L].have || t->lv[L].n != n) {
		w = width - n * TILE_W >= TILE_W ? TILE_W :
		    (unsigned)(width - n * TILE_W);
		rc = fetch_tile(t->url, L, n, w, t->lv[L].h);
		if (rc != 0 && rc != LEDGER_ENOTFOUND)
			return rc;
		t->lv[L].have = 1;
		t->lv[L].n = n;
		t->lv[L].missing = rc != 0;
	}
	if (t->lv[L].missing)
		return LEDGER_ENOTFOUND;
	memcpy(out, t->lv[L].h + (index % TILE_W) * LEDGER_HASH_BYTES,
	    LEDGER_HASH_BYTES);
	return 0;
}

static int
feed_trusted(struct ledger_verifier *v, const char *path)
{
	char *note;
	size_t len;
	int rc;

	if ((rc = ledger_file_read(path, LEDGER_NOTE_MAX, &note, &len)) != 0)
		return fail(EXIT_USAGE, "cannot read the trusted checkpoint "
		    "%s: %s", path, rc == LEDGER_EIO ? strerror(errno) :
		    ledger_strerror(rc));
	rc = ledger_verifier_checkpoint(v, note, len, LEDGER_SEQ_ANY, 1);
	free(note);
	if (rc != 0)
		return fail(EXIT_IO, "cannot use the trusted checkpoint: %s",
		    ledger_strerror(rc));
	return 0;
}

/* The result line, --save, and the exit code. */
static int
conclude(struct ledger_verifier *v, const struct opts *o,
    const struct ledger_pubkey *k, uint64_t entries, struct ui *u)
{
	struct ledger_vstats st;
	struct ledger_checkpoint c;
	const char *note;
	char root[48];
	double el = now() - u->t0;
	uint64_t size;
	size_t len;
	int rc;

	progress_clear(u);
	ledger_verifier_stats(v, &st);
	if (!ledger_verifier_ok(v)) {
		if (o->flags & LEDGER_VERIFY_ALL)
			printf("FAIL: %llu problem%s in %llu entries\n",
			    (unsigned long long)st.problems,
			    st.problems == 1 ? "" : "s",
			    (unsigned long long)st.entries);
		return EXIT_VERIFY;
	}
	if (ledger_verifier_latest(v, &note, &len, &size) != 0 ||
	    ledger_checkpoint_open(note, len, k, &c) != 0)
		return fail(EXIT_VERIFY, "no checkpoint verified");
	if (ledger_b64_encode(c.root, sizeof(c.root), root, sizeof(root)) != 0)
		root[0] = '\0';
	if (entries > c.size)
		printf("note: %llu entries after the latest checkpoint (size "
		    "%llu) are committed but not yet signed; they were checked "
		    "too\n", (unsigned long long)(entries - c.size),
		    (unsigned long long)c.size);
	printf("ok: %s size %llu root %s, %llu entries, %llu signatures "
	    "checked in %.2f s (%.0f entries/s)\n", c.origin,
	    (unsigned long long)c.size, root, (unsigned long long)st.entries,
	    (unsigned long long)st.sigs, el,
	    el > 0 ? (double)st.entries / el : 0.0);
	if (o->save != NULL &&
	    (rc = ledger_file_write_atomic(o->save, note, len, 0644)) != 0)
		return fail(EXIT_IO, "cannot write %s: %s", o->save,
		    rc == LEDGER_EIO ? strerror(errno) : ledger_strerror(rc));
	return EXIT_OK;
}

/* Fail fast on a wrong key: the latest checkpoint must open with it. */
static int
precheck(struct ledger_store *st, const struct ledger_pubkey *k,
    char *origin, size_t originsz, int check)
{
	struct ledger_checkpoint c;
	struct ledger_txn *txn;
	const char *note;
	uint64_t size;
	size_t len;
	int rc;

	if ((rc = ledger_txn_begin(st, 0, &txn)) != 0)
		return fail(EXIT_IO, "cannot read the ledger: %s",
		    ledger_strerror(rc));
	if ((rc = ledger_meta_origin(txn, origin, originsz)) != 0) {
		ledger_txn_abort(txn);
		return fail(EXIT_IO, "cannot read the ledger's origin: %s",
		    ledger_strerror(rc));
	}
	rc = ledger_ckpt_latest(txn, &size, &note, &len);
	if (rc == 0 && check && ledger_checkpoint_open(note, len, k, &c) != 0) {
		printf("FAIL seq %llu: checkpoint: the latest checkpoint (size "
		    "%llu) does not verify with the key %s (is it this "
		    "ledger's key?)\n", (unsigned long long)size,
		    (unsigned long long)size, k->name);
		rc = EXIT_VERIFY;
	} else
		rc = 0;
	ledger_txn_abort(txn);
	return rc;
}

/* --vkey, or the key file init wrote (ledger.pub is accepted too). */
static int
dir_vkey(const struct opts *o, struct ledger_pubkey *k)
{
	char path[4096];

	if (o->vkey != NULL)
		return vkey_arg(o->vkey, k);
	snprintf(path, sizeof(path), "%s/ledger.key.pub", o->dir);
	if (ledger_pubkey_load(path, k) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/ledger.pub", o->dir);
	if (ledger_pubkey_load(path, k) == 0)
		return 0;
	return fail(EXIT_USAGE, "cannot read the ledger's verifier key "
	    "%s/ledger.key.pub; give it with --vkey", o->dir);
}

static int
verify_dir(const struct opts *o, struct ui *u)
{
	char origin[LEDGER_KEYNAME_MAX + 1];
	struct ledger_verifier *v = NULL;
	struct ledger_pubkey k;
	struct ledger_store *st;
	uint64_t size = 0;
	int rc;

	/*
	 * The verifier frees a batch of parsed statements at once, and glibc
	 * would give the freed top of the heap back to the kernel each time,
	 * to fault it in again zeroed for the next batch (clear_page, 2 % of
	 * a --no-signatures profile).  Keep up to 64 MiB instead (per malloc
	 * arena, so per verifier thread; glibc's knob, and it also fixes the
	 * mmap threshold at its default of 128 KiB, which no batch reaches).
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	if ((rc = ledger_store_open(o->dir, LEDGER_STORE_RDONLY, 0, &st)) != 0)
		return fail(EXIT_IO, "cannot open the ledger in %s: %s%s%s",
		    o->dir, ledger_strerror(rc), rc == LEDGER_EIO ? ": " : "",
		    rc == LEDGER_EIO ? strerror(errno) : "");
	if ((rc = dir_vkey(o, &k)) != 0)
		goto close;
	/* With --all the scan reports it in its place instead. */
	if ((rc = precheck(st, &k, origin, sizeof(origin),
	    !(o->flags & LEDGER_VERIFY_ALL))) != 0)
		goto close;
	if ((rc = ledger_verifier_new(origin, &k, o->threads, o->flags,
	    &v)) != 0) {
		rc = fail(EXIT_IO, "cannot start the verifier: %s",
		    ledger_strerror(rc));
		goto close;
	}
	ledger_verifier_set_report(v, report, u);
	if (o->trusted != NULL && (rc = feed_trusted(v, o->trusted)) != 0)
		goto free;
	u->t0 = now();
	if ((rc = ledger_verify_store(st, v, progress, u, &size)) != 0) {
		progress_clear(u);
		rc = fail(EXIT_IO, "verification stopped: %s%s%s",
		    ledger_strerror(rc), rc == LEDGER_EIO ? ": " : "",
		    rc == LEDGER_EIO ? strerror(errno) : "");
		goto free;
	}
	rc = conclude(v, o, &k, size, u);
free:
	ledger_verifier_free(v);
close:
	ledger_store_close(st);
	return rc;
}

static int
verify_url(const struct opts *o, struct ui *u)
{
	struct ledger_verifier *v = NULL;
	struct ledger_pubkey k;
	struct source src;
	struct tiles *t;
	const uint8_t *data;
	char note[LEDGER_NOTE_MAX + 1];
	uint64_t seq;
	size_t len;
	int rc;

	if (o->vkey == NULL)
		return fail(EXIT_USAGE, "online verification needs the "
		    "ledger's verifier key: --vkey KEY|FILE (\"ledgerctl "
		    "init\" printed it; DIR/ledger.key.pub holds it)");
	if ((rc = vkey_arg(o->vkey, &k)) != 0)
		return rc;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return fail(EXIT_IO, "out of memory");
	if ((rc = source_open(&src, NULL, o->url, &k, note,
	    sizeof(note))) != 0) {
		free(t);
		return rc;
	}
	t->url = o->url;
	t->size = src.end;
	if ((rc = ledger_verifier_new(src.origin, &k, o->threads, o->flags,
	    &v)) != 0) {
		rc = fail(EXIT_IO, "cannot start the verifier: %s",
		    ledger_strerror(rc));
		goto out;
	}
	ledger_verifier_set_report(v, report, u);
	ledger_verifier_set_nodes(v, tile_node, t);
	if (o->trusted != NULL && (rc = feed_trusted(v, o->trusted)) != 0)
		goto out;
	if ((rc = ledger_verifier_checkpoint(v, note, strlen(note), src.end,
	    0)) != 0)
		goto lib;
	u->t0 = now();
	while (!ledger_verifier_stopped(v)) {
		rc = source_next(&src, &seq, &data, &len);
		if (rc == EXIT_VERIFY) {
			rc = ledger_verifier_problem(v, seq, "encoding", "%s",
			    src.why);
			break;
		}
		if (rc != 0)
			goto out;
		if (data == NULL)
			break;
		if ((rc = ledger_verifier_leaf(v, seq, data, len)) != 0)
			goto lib;
		if (seq % TILE_W == 0)
			progress(u, seq, src.end);
	}
	if (rc != 0 || (rc = ledger_verifier_finish(v)) != 0)
		goto lib;
	progress(u, src.end, src.end);
	rc = conclude(v, o, &k, src.end, u);
	goto out;
lib:
	progress_clear(u);
	rc = fail(EXIT_IO, "verification stopped: %s", ledger_strerror(rc));
out:
	ledger_verifier_free(v);
	source_close(&src);
	free(t);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "dir",		required_argument, NULL, 'd' },
		{ "url",		required_argument, NULL, 'u' },
		{ "vkey",		required_argument, NULL, 'k' },
		{ "trusted",		required_argument, NULL, 't' },
		{ "save",		required_argument, NULL, 's' },
		{ "jobs",		required_argument, NULL, 'j' },
		{ "all",		no_argument,	   NULL, 'a' },
		{ "no-signatures",	no_argument,	   NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct ui u;
	char *end;
	unsigned long n;
	int ch;

	memset(&o, 0, sizeof(o));
	memset(&u, 0, sizeof(u));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:j:", lopts, NULL)) != -1) {
		switch (ch) {
		case 'd': o.dir = optarg; break;
		case 'u': o.url = optarg; break;
		case 'k': o.vkey = optarg; break;
		case 't': o.trusted = optarg; break;
		case 's': o.save = optarg; break;
		case 'a': o.flags |= LEDGER_VERIFY_ALL; break;
		case 'n': o.flags |= LEDGER_VERIFY_NOSIG; break;
		case 'j':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || n < 1 ||
			    n > LEDGER_VERIFY_THREADS_MAX)
				return fail(EXIT_USAGE, "-j wants a number of "
				    "threads from 1 to %d",
				    LEDGER_VERIFY_THREADS_MAX);
			o.threads = (unsigned)n;
			break;
		default:
			print_help("verify", stderr);
			return EXIT_USAGE;
		}
	}
	if ((o.dir == NULL) == (o.url == NULL) || optind != argc) {
		print_help("verify", stderr);
		return EXIT_USAGE;
	}
	u.tty = isatty(STDERR_FILENO);
	return o.dir != NULL ? verify_dir(&o, &u) : verify_url(&o, &u);
}
