/*
 * sequencer.c - group commit: one thread takes every waiting append, checks
 * and writes them in seq order inside one LMDB write transaction, commits
 * once (fsync), has the new tree signed, then answers each request with its
 * receipt.  Order of a batch (DESIGN 5): (1) commit entries and tree,
 * (2) sign, (3) acknowledge and serve; the checkpoint itself is stored in
 * the next transaction (or alone when the queue goes idle), and start-up
 * re-signs a committed but unsigned tree, which gives the same bytes since
 * Ed25519 is deterministic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ledgerd.h"

/* How long an idle sequencer waits before storing a pending checkpoint. */
#define CKPT_IDLE_MS	20

int
receipt_build(struct ledgerd *d, struct ledger_txn *txn, uint64_t seq,
    uint64_t size, const char *note, size_t notelen, char **out, size_t *len)
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	struct jbuf b;
	size_t n;
	int rc;

	if ((rc = served_inclusion(d, txn, seq, size, proof, &n)) != 0)
		return rc;
	/* The stored leaf goes in verbatim: it is canonical JSON already. */
	jbuf_init(&b, 4096);
	if ((rc = jbuf_entry(&b, txn, seq)) != 0) {
		jbuf_free(&b);
		return rc;
	}
	b.len--;	/* reopen the entry object */
	JBUF_LIT(&b, ",\"checkpoint\":");
	if (jbuf_note(&b, note, notelen) != 0) {	/* damaged stored note */
		jbuf_free(&b);
		return LEDGER_ESTORE;
	}
	jbuf_addf(&b, ",\"tree_size\":%llu,\"inclusion_proof\":",
	    (unsigned long long)size);
	jbuf_hashes(&b, proof, n);
	JBUF_LIT(&b, "}");
	if ((*out = jbuf_take(&b, len)) == NULL)
		return LEDGER_ENOMEM;
	return 0;
}

/* Sign the tree of size as committed, extending the signer's last tree. */
static int
sign_tree(struct ledgerd *d, struct ledger_txn *txn, uint64_t old,
    uint64_t size, char *note, size_t *notelen, uint8_t root[32])
{
	uint8_t proof[LEDGER_PROOF_MAX][LEDGER_HASH_BYTES];
	struct ledger_cached_nodes cn = { d->nodes, txn };
	size_t n = 0;
	int rc;

	if ((rc = ledger_merkle_root(size, ledger_cached_hash_reader, &cn,
	    root)) != 0)
		return rc;
	if (old > 0 && (rc = ledger_merkle_consistency(old, size,
	    ledger_cached_hash_reader, &cn, proof, &n)) != 0)
		return rc;
	return signer_sign(d->signer, size, root, proof, n, note, notelen);
}

/*
 * The signer's record (size rsize, root rroot) against the committed tree
 * of size: the tree must extend it.  Said here, for the operator; the
 * signer enforces it anyway, refusing to sign without a consistency proof.
 */
static int
check_record(struct ledgerd *d, struct ledger_txn *txn, uint64_t size,
    uint64_t rsize, const uint8_t rroot[32])
{
	uint8_t root[32];
	int rc;

	if (size >= rsize && (rc = ledger_merkle_root(rsize,
	    ledger_txn_hash_reader, txn, root)) != 0)
		return rc;
	if (size >= rsize && memcmp(root, rroot, 32) == 0)
		return 0;
	fprintf(stderr, "ledgerd: the stored ledger in %s (size %llu) is %s "
	    "the last tree this ledger's signer signed (size %llu, recorded "
	    "in %s): the data dir was rolled back, restored from an old copy "
	    "or altered, and signing it could publish two histories.  "
	    "Restore the data dir from a replica or backup of size %llu or "
	    "more, check it with \"ledgerctl verify -d %s\", and start "
	    "again\n", d->cfg.datadir, (unsigned long long)size,
	    size < rsize ? "older than" : "forked from",
	    (unsigned long long)rsize, d->cfg.signer_state,
	    (unsigned long long)rsize, d->cfg.datadir);
	return LEDGER_ECONFLICT;
}

int
sequencer_recover(struct ledgerd *d)
{
	struct ledger_checkpoint c;
	struct ledger_frontier fr;
	struct ledger_txn *txn;
	uint64_t size, csize = 0, rsize = 0;
	uint8_t root[32], rroot[32];
	char note[LEDGER_NOTE_MAX];
	const char *stored;
	size_t notelen, slen;
	int rc, have, nockpt;

	have = signer_record(d->signer, &rsize, rroot);
	if ((rc = ledger_txn_begin(d->store, 1, &txn)) != 0)
		return rc;
	if ((rc = ledger_meta_size(txn, &size)) != 0)
		goto abort;
	rc = ledger_ckpt_latest(txn, &csize, &stored, &slen);
	nockpt = rc == LEDGER_ENOTFOUND;
	if (rc == 0) {
		/* Trust nothing stored: the checkpoint must verify and match. */
		if (ledger_checkpoint_open(stored, slen, signer_pubkey(d->signer),
		    &c) != 0 || c.size != csize) {
			log_warnx("stored checkpoint %llu does not verify with "
			    "the ledger key %s", (unsigned long long)csize,
			    d->vkey);
			rc = LEDGER_ESIG;
			goto abort;
		}
		if ((rc = ledger_merkle_root(csize, ledger_txn_hash_reader, txn,
		    root)) != 0)
			goto abort;
		if (memcmp(root, c.root, 32) != 0 || csize > size) {
			log_warnx("stored tree does not match checkpoint %llu",
			    (unsigned long long)csize);
			rc = LEDGER_EPROOF;
			goto abort;
		}
		if (!have && (rc = signer_init(d->signer, csize, c.root,
		    stored, slen)) != 0)
			goto abort;
		memcpy(note, stored, slen);
		notelen = slen;
		note[notelen] = '\0';
	} else if (rc != LEDGER_ENOTFOUND)
		goto abort;
	else if (!have && (rc = signer_init(d->signer, 0, NULL, "", 0)) != 0)
		goto abort;
	if (have && (rc = check_record(d, txn, size, rsize, rroot)) != 0)
		goto abort;
	/*
	 * With a record, the committed tree is signed from it even when it
	 * is the stored checkpoint's (the same bytes): the signer learns the
	 * tree it will extend only with a consistency proof from its record.
	 */
	if (nockpt || csize < size || have) {
		/* Crash between commit and checkpoint: sign what is stored. */
		if ((rc = sign_tree(d, txn, have ? rsize : csize, size, note,
		    &notelen, root)) != 0)
			goto abort;
	}
	if (nockpt || csize < size) {
		if ((rc = ledger_ckpt_put(txn, size, note, notelen)) != 0)
			goto abort;
		log_info("signed checkpoint %llu on start-up",
		    (unsigned long long)size);
	}
	if ((rc = ledger_frontier_load(&fr, size, ledger_txn_hash_reader,
	    txn)) != 0)
		goto abort;
	if ((rc = ledger_txn_commit(txn)) != 0)
		return rc;
	served_set(d, size, root, note, notelen, &fr);
	return 0;
abort:
	ledger_txn_abort(txn);
	return rc;
}

/* Answer r with a JSON error, from the refusal detail. */
static void
answer_error(struct append_req *r, unsigned status, const char *code,
    const char *msg, const char *path, const char *rule)
{
	json_t *e;

	e = json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "code", code,
	    "message", msg, "path", path ? path : "", "rule",
	    rule ? rule : "");
	r->status = status;
	r->body = e ? json_dumps(e, JSON_COMPACT) : NULL;
	r->bodylen = r->body ? strlen(r->body) : 0;
	json_decref(e);
}

static void
answer_ledger_error(struct append_req *r, int rc, const struct ledger_err *e)
{
	answer_error(r, http_status_for(rc), e->rule[0] ? e->rule :
	    ledger_strerror(rc), e->msg[0] ? e->msg : ledger_strerror(rc),
	    e->path, e->rule);
}

static void
resume(struct append_req *r)
{
	metrics_observe(&metrics.append_us, metrics_latency_bounds,
	    mono_us() - r->t_start);
	MHD_resume_connection(r->conn);
}

/* Store a signed checkpoint that is not yet in LMDB. */
static int pending_size_valid;
static uint64_t pending_size;

static int
store_pending(struct ledgerd *d, struct ledger_txn *txn)
{
	char note[LEDGER_NOTE_MAX];
	uint64_t size;
	size_t len;

	if (!pending_size_valid)
		return 0;
	served_get(d, &size, NULL, note, &len);
	if (size != pending_size)
		return 0;
	return ledger_ckpt_put(txn, size, note, len);
}

static void
run_batch(struct ledgerd *d, struct append_req *batch, unsigned n,
    struct ledger_appender *app)
{
	struct ledger_appender saved = *app;
	struct ledger_appended res[1];
	struct ledger_err err;
	struct ledger_txn *txn = NULL;
	struct append_req *r;
	uint64_t *seqs, old = app->size;
	int *ok, rc, replay_only = 1;
	char note[LEDGER_NOTE_MAX];
	uint8_t root[32];
	uint64_t size, t0 = mono_us(), t1, t2;
	size_t notelen;
	unsigned i;
	int64_t now = ledger_now_ms();

	seqs = calloc(n, sizeof(*seqs));
	ok = calloc(n, sizeof(*ok));
	if (seqs == NULL || ok == NULL) {
		rc = LEDGER_ENOMEM;
		goto fail_all;
	}
	if (d->fatal) {
		rc = LEDGER_EIO;
		goto fail_all;
	}
	if (d->full) {
		rc = LEDGER_EFULL;
		goto fail_all;
	}
	if ((rc = ledger_txn_begin(d->store, 1, &txn)) != 0)
		goto fail_all;
	if ((rc = store_pending(d, txn)) != 0)
		goto fail_all;
	for (r = batch, i = 0; r != NULL; r = r->next, i++) {
		ledger_err_clear(&err);
		rc = ledger_appender_add(app, txn, r->st, now,
		    LEDGER_PRECHECKED_SCHEMA | (r->crypto_done ?
		    LEDGER_PRECHECKED_SIGS : 0), res, &err);
		if (rc == LEDGER_EFULL || rc == LEDGER_ENOSPC ||
		    rc == LEDGER_EIO || rc == LEDGER_ESTORE ||
		    rc == LEDGER_ENOMEM)
			goto fail_all;
		if (rc != 0) {
			answer_ledger_error(r, rc, &err);
			continue;
		}
		seqs[i] = res->seq;
		ok[i] = res->replay ? 2 : 1;
		if (!res->replay)
			replay_only = 0;
	}
	t1 = mono_us();
	if ((rc = ledger_txn_commit(txn)) != 0) {
		txn = NULL;
		if (rc != LEDGER_EFULL) {
			/*
			 * A failed flush may have lost pages; retrying the same
			 * commit as if nothing happened could acknowledge lost
			 * data.  Refuse writes until an operator restarts us.
			 */
			log_warnx("commit failed (%s); refusing appends until "
			    "restart", ledger_strerror(rc));
			d->fatal = 1;
		}
		goto fail_all_committed;
	}
	txn = NULL;
	pending_size_valid = 0;
	t2 = mono_us();
	if ((rc = ledger_store_index_error(d->store)) != 0 && !d->fatal) {
		/*
		 * The batch is stored (and is answered below); its query index
		 * rows are not.  Like any failed write, stop writing; the
		 * restart re-indexes from the mark.
		 */
		log_warnx("the query index could not be written (%s); "
		    "refusing appends until restart", ledger_strerror(rc));
		d->fatal = 1;
	}
	atomic_fetch_add(&metrics.commits, 1);
	metrics_observe(&metrics.batch, metrics_batch_bounds, n);
	metrics_observe(&metrics.apply_us, metrics_latency_bounds, t1 - t0);
	metrics_observe(&metrics.commit_us, metrics_latency_bounds, t2 - t1);
	if ((rc = ledger_txn_begin(d->store, 0, &txn)) != 0)
		goto fail_signed;
	if (!replay_only || app->size != old) {
		if ((rc = sign_tree(d, txn, old, app->size, note, &notelen,
		    root)) != 0) {
			log_warnx("signer refused tree %llu: %s",
			    (unsigned long long)app->size, ledger_strerror(rc));
			d->fatal = 1;
			goto fail_signed;
		}
		metrics_observe(&metrics.sign_us, metrics_latency_bounds,
		    mono_us() - t2);
		served_set(d, app->size, root, note, notelen, &app->fr);
		pending_size_valid = 1;
		pending_size = app->size;
		d->last_append_ms = now;
	}
	served_get(d, &size, NULL, note, &notelen);
	for (r = batch, i = 0; r != NULL; r = r->next, i++) {
		uint64_t csize = size;
		const char *cn = note;
		size_t cl = notelen;

		if (!ok[i])
			continue;
		/* A replay's receipt names the checkpoint that first had it. */
		if (ok[i] == 2 && ledger_ckpt_covering(txn, seqs[i], &csize,
		    &cn, &cl) != 0) {
			csize = size;
			cn = note;
			cl = notelen;
		}
		if ((r->note = malloc(cl + 1)) == NULL) {
			answer_error(r, 500, "internal", "out of memory after "
			    "the entry was stored; resubmit it for its receipt",
			    NULL, NULL);
			continue;
		}
		memcpy(r->note, cn, cl);
		r->note[cl] = '\0';
		r->notelen = cl;
		r->seq = seqs[i];
		r->ckpt_size = csize;
		r->status = ok[i] == 1 ? 201 : 200;
		if (ok[i] == 1)
			atomic_fetch_add(&metrics.appended, 1);
	}
	ledger_txn_abort(txn);
	goto done;

fail_all:
	if (txn != NULL)
		ledger_txn_abort(txn);
fail_all_committed:
	*app = saved;
	if (rc == LEDGER_EFULL && !d->full) {
		/*
		 * Whether a later, smaller transaction still fits depends on
		 * which old pages readers hold at that moment; refusing every
		 * append from the first full map on is what an operator can
		 * rely on (and must act on anyway).
		 */
		log_warnx("the ledger's map is full (map-size); refusing "
		    "appends until ledgerd is restarted with a larger "
		    "map-size");
		d->full = 1;
		if (ledger_txn_begin(d->store, 0, &txn) == 0) {
			/* Reload from what is really committed. */
			if (ledger_appender_load(app, txn) != 0)
				d->fatal = 1;
			ledger_txn_abort(txn);
		}
	}
	if (rc == LEDGER_ENOSPC && !d->fatal) {
		/* A write of this batch failed: as with EIO, stop writing. */
		log_warnx("the filesystem is full; refusing appends until "
		    "restart");
		d->fatal = 1;
	}
	for (r = batch; r != NULL; r = r->next) {
		free(r->body);
		r->body = NULL;
		if (rc == LEDGER_EFULL)
			answer_error(r, 507, "storage-full", MSG_MAP_FULL,
			    NULL, NULL);
		else if (rc == LEDGER_ENOSPC)
			answer_error(r, 507, "storage-full", "the filesystem "
			    "is full; nothing was acknowledged. Free disk space "
			    "and restart ledgerd, then retry", NULL, NULL);
		else
			answer_error(r, 503, "storage-failed", "the ledger "
			    "could not write durably; nothing was "
			    "acknowledged. Retry later", NULL, NULL);
	}
	goto done;
fail_signed:
	if (txn != NULL)
		ledger_txn_abort(txn);
	for (r = batch; r != NULL; r = r->next) {
		free(r->body);
		r->body = NULL;
		answer_error(r, 503, "not-signed", "the entry was stored but "
		    "its checkpoint is not signed yet; retry with the same "
		    "statement to get the receipt", NULL, NULL);
	}
done:
	free(seqs);
	free(ok);
	/* Once resumed, r belongs to the HTTP thread, which may free it. */
	while (batch != NULL) {
		r = batch;
		batch = r->next;
		resume(r);
	}
}

/* Commit the pending checkpoint alone once the queue has gone quiet. */
static void
flush_pending(struct ledgerd *d)
{
	struct ledger_txn *txn;
	int rc;

	if (!pending_size_valid || d->fatal || d->full)
		return;
	if ((rc = ledger_txn_begin(d->store, 1, &txn)) == 0) {
		if ((rc = store_pending(d, txn)) != 0)
			ledger_txn_abort(txn);
		else
			rc = ledger_txn_commit(txn);
	}
	if (rc == 0)
		pending_size_valid = 0;
	else if (rc != LEDGER_EFULL && !d->fatal) {
		/* Same rule as a batch: no write after a failed flush. */
		log_warnx("storing checkpoint failed (%s); refusing appends "
		    "until restart", ledger_strerror(rc));
		d->fatal = 1;
	}
}

static void *
sequencer_main(void *arg)
{
	struct ledgerd *d = arg;
	struct ledger_appender app;
	struct ledger_txn *txn;
	struct append_req *batch, *r, **tail;
	struct timespec ts;
	unsigned n;

	if (ledger_txn_begin(d->store, 0, &txn) != 0 ||
	    ledger_appender_load(&app, txn) != 0)
		fatalx("cannot load the ledger's append state");
	ledger_txn_abort(txn);
	for (;;) {
		pthread_mutex_lock(&d->qmu);
		while (d->qhead == NULL && !d->stopping) {
			if (pending_size_valid && !d->fatal && !d->full) {
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += CKPT_IDLE_MS * 1000000L;
				if (ts.tv_nsec >= 1000000000L) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000L;
				}
				if (pthread_cond_timedwait(&d->qcv, &d->qmu,
				    &ts) == ETIMEDOUT && d->qhead == NULL) {
					pthread_mutex_unlock(&d->qmu);
					flush_pending(d);
					pthread_mutex_lock(&d->qmu);
				}
			} else
				pthread_cond_wait(&d->qcv, &d->qmu);
		}
		if (d->qhead == NULL && d->stopping) {
			pthread_mutex_unlock(&d->qmu);
			break;
		}
		/* Take up to batch_max requests, in arrival order. */
		batch = d->qhead;
		tail = &batch;
		for (n = 0, r = batch; r != NULL && n < d->cfg.batch_max;
		    n++, r = r->next)
			tail = &r->next;
		d->qhead = *tail;
		*tail = NULL;
		if (d->qhead == NULL)
			d->qtail = &d->qhead;
		d->qlen -= n;
		pthread_mutex_unlock(&d->qmu);
		run_batch(d, batch, n, &app);
	}
	flush_pending(d);
	return NULL;
}

int
sequencer_submit(struct ledgerd *d, struct append_req *r)
{
	pthread_mutex_lock(&d->qmu);
	if (d->stopping || d->qlen >= d->cfg.queue_max) {
		int stopping = d->stopping;

		pthread_mutex_unlock(&d->qmu);
		return stopping ? LEDGER_EIO : LEDGER_EFULL;
	}
	r->next = NULL;
	*d->qtail = r;
	d->qtail = &r->next;
	d->qlen++;
	pthread_cond_signal(&d->qcv);
	pthread_mutex_unlock(&d->qmu);
	return 0;
}

int
sequencer_start(struct ledgerd *d)
{
	d->qhead = NULL;
	d->qtail = &d->qhead;
	if (pthread_mutex_init(&d->qmu, NULL) != 0 ||
	    pthread_cond_init(&d->qcv, NULL) != 0)
		return LEDGER_ENOMEM;
	if (pthread_create(&d->seq_thread, NULL, sequencer_main, d) != 0)
		return LEDGER_ENOMEM;
	return 0;
}

void
sequencer_stop(struct ledgerd *d)
{
	pthread_mutex_lock(&d->qmu);
	d->stopping = 1;
	pthread_cond_broadcast(&d->qcv);
	pthread_mutex_unlock(&d->qmu);
	pthread_join(d->seq_thread, NULL);
}
