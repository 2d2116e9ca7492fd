/*
 * tls.c - the optional HTTPS listener: its certificate and key, read once
 * at start (after the signer is forked, so its copy of our memory never
 * holds the TLS key, and before privileges are dropped) and
 * checked by the same GnuTLS code path that will serve them, so a bad file
 * stops start-up with its name instead of failing on the first client.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledgerd.h"

/*
 * Read path whole into a NUL-terminated buffer (the form libmicrohttpd
 * takes PEM in).  Symlinks are followed on purpose: certificate managers
 * (certbot's live/ directory) publish their files that way.
 */
static char *
read_pem(const char *what, const char *path, int secret, size_t *lenp)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "ledgerd: cannot read %s %s: %s\n", what, path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "ledgerd: %s %s is not a regular file\n", what,
		    path);
		close(fd);
		return NULL;
	}
	if (secret && (st.st_mode & 077) != 0) {
		fprintf(stderr, "ledgerd: %s %s is readable by group or "
		    "others; run \"chmod 600 %s\"\n", what, path, path);
		close(fd);
		return NULL;
	}
	if (st.st_size > LEDGERD_TLS_FILE_MAX) {
		fprintf(stderr, "ledgerd: %s %s is %lld bytes, more than the "
		    "%d a PEM %s may have\n", what, path,
		    (long long)st.st_size, LEDGERD_TLS_FILE_MAX,
		    secret ? "key" : "certificate chain");
		close(fd);
		return NULL;
	}
	/* One byte more than the limit catches a file growing under us. */
	if ((buf = malloc(LEDGERD_TLS_FILE_MAX + 2)) == NULL) {
		fprintf(stderr, "ledgerd: out of memory reading %s\n", path);
		close(fd);
		return NULL;
	}
	while (len <= LEDGERD_TLS_FILE_MAX &&
	    (n = read(fd, buf + len, LEDGERD_TLS_FILE_MAX + 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "ledgerd: cannot read %s %s: %s\n",
			    what, path, strerror(errno));
			goto bad;
		}
		len += (size_t)n;
	}
	close(fd);
	fd = -1;
	if (len > LEDGERD_TLS_FILE_MAX) {
		fprintf(stderr, "ledgerd: %s %s is more than %d bytes\n", what,
		    path, LEDGERD_TLS_FILE_MAX);
		goto bad;
	}
	buf[len] = '\0';
	/* GnuTLS would stop at a NUL and report something unrelated. */
	if (memchr(buf, '\0', len) != NULL) {
		fprintf(stderr, "ledgerd: %s %s is not PEM text (it holds a "
		    "NUL byte)\n", what, path);
		goto bad;
	}
	*lenp = len;
	return buf;
bad:
	if (fd != -1)
		close(fd);
	sodium_memzero(buf, LEDGERD_TLS_FILE_MAX + 2);
	free(buf);
	return NULL;
}

/* The first message libmicrohttpd logs while the credentials are tried. */
static char tls_why[256];

static void tls_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
tls_log(void *cls, const char *fmt, va_list ap)
{
	size_t n;

	(void)cls;
	if (tls_why[0] != '\0')
		return;
	vsnprintf(tls_why, sizeof(tls_why), fmt, ap);
	n = strcspn(tls_why, "\n");
	while (n > 0 && tls_why[n - 1] == '.')
		n--;
	tls_why[n] = '\0';
}

static enum MHD_Result
no_requests(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data, size_t *size,
    void **state)
{
	return MHD_NO;
}

unsigned
tls_options(const struct ledgerd *d, struct MHD_OptionItem opt[4])
{
	memset(opt, 0, 4 * sizeof(opt[0]));
	opt[0].option = MHD_OPTION_END;
	if (d->tls_cert_pem == NULL)
		return 0;
	opt[0].option = MHD_OPTION_HTTPS_MEM_CERT;
	opt[0].ptr_value = d->tls_cert_pem;
	opt[1].option = MHD_OPTION_HTTPS_MEM_KEY;
	opt[1].ptr_value = d->tls_key_pem;
	opt[2].option = MHD_OPTION_HTTPS_PRIORITIES;
	opt[2].ptr_value = (void *)LEDGERD_TLS_PRIORITIES;
	opt[3].option = MHD_OPTION_END;
	return MHD_USE_TLS;
}

int
tls_load(struct ledgerd *d)
{
	const struct config *c = &d->cfg;
	struct MHD_OptionItem opt[4];
	struct MHD_Daemon *probe;
	size_t len;

	if (c->tls_cert[0] == '\0' && c->tls_key[0] == '\0')
		return 0;
	if (c->tls_cert[0] == '\0' || c->tls_key[0] == '\0') {
		fprintf(stderr, "ledgerd: %s is set but %s is not; HTTPS needs "
		    "both the certificate and its private key (or neither, "
		    "for plain HTTP)\n", c->tls_cert[0] ? "tls-cert" : "tls-key",
		    c->tls_cert[0] ? "tls-key" : "tls-cert");
		return -1;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		fprintf(stderr, "ledgerd: this libmicrohttpd was built without "
		    "TLS support; install one built with GnuTLS (Debian's "
		    "libmicrohttpd12 is) or unset tls-cert and tls-key\n");
		return -1;
	}
	if ((d->tls_cert_pem = read_pem("TLS certificate", c->tls_cert, 0,
	    &len)) == NULL)
		goto bad;
	if (strstr(d->tls_cert_pem, "-----BEGIN CERTIFICATE-----") == NULL) {
		fprintf(stderr, "ledgerd: TLS certificate %s holds no PEM "
		    "certificate (\"-----BEGIN CERTIFICATE-----\")\n",
		    c->tls_cert);
		goto bad;
	}
	if ((d->tls_key_pem = read_pem("TLS key", c->tls_key, 1,
	    &d->tls_keylen)) == NULL)
		goto bad;
	if (strstr(d->tls_key_pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") !=
	    NULL || strstr(d->tls_key_pem, "Proc-Type: 4,ENCRYPTED") != NULL) {
		fprintf(stderr, "ledgerd: TLS key %s is encrypted; ledgerd "
		    "takes an unencrypted PEM key, protected by its mode "
		    "(0600)\n", c->tls_key);
		goto bad;
	}
	if (strstr(d->tls_key_pem, "PRIVATE KEY-----") == NULL) {
		fprintf(stderr, "ledgerd: TLS key %s holds no PEM private key "
		    "(\"-----BEGIN PRIVATE KEY-----\")\n", c->tls_key);
		goto bad;
	}
	/*
	 * Load the pair into a listener without a socket: GnuTLS parses
	 * both and checks that the key belongs to the certificate, exactly
	 * as the real listener will, but a failure here cannot be confused
	 * with a busy port.
	 */
	tls_why[0] = '\0';
	tls_options(d, opt);
	probe = MHD_start_daemon(MHD_USE_TLS | MHD_USE_NO_LISTEN_SOCKET |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, no_requests, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, tls_log, NULL,
	    MHD_OPTION_ARRAY, opt, MHD_OPTION_END);
	if (probe == NULL) {
		fprintf(stderr, "ledgerd: TLS certificate %s and key %s cannot "
		    "be used (%s); check that both are PEM and that the key is "
		    "the certificate's (compare \"openssl x509 -noout -pubkey "
		    "-in %s\" with \"openssl pkey -pubout -in %s\")\n",
		    c->tls_cert, c->tls_key,
		    tls_why[0] ? tls_why : "libmicrohttpd refused them",
		    c->tls_cert, c->tls_key);
		goto bad;
	}
	MHD_stop_daemon(probe);
	return 0;
bad:
	tls_free(d);
	return -1;
}

void
tls_free(struct ledgerd *d)
{
	free(d->tls_cert_pem);
	d->tls_cert_pem = NULL;
	if (d->tls_key_pem != NULL) {
		sodium_memzero(d->tls_key_pem, d->tls_keylen);
		free(d->tls_key_pem);
	}
	d->tls_key_pem = NULL;
	d->tls_keylen = 0;
}
