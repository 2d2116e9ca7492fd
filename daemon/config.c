/*
 * config.c - settings: defaults, then the config file (key = value, '#'
 * comments), then flags.  File keys and long flags share names, so every
 * setting is both.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledgerd.h"

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "%s", LEDGERD_DEFAULT_LISTEN);
	c->max_body = 64 * 1024;
	c->max_conns = 1024;
	c->max_conns_ip = 256;
	c->conn_timeout = 10;
	c->threads = 4;
	c->batch_max = 4096;
	c->queue_max = 16384;
	c->rate = 0;
	c->page_max = 1000;
	c->map_size = LEDGER_STORE_MAPSIZE;
	snprintf(c->start_check, sizeof(c->start_check), "full");
}

static int
parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static const struct {
	const char	*name;
	size_t		 off;
	int		 type;		/* 's' string, 'u' unsigned, 'z' size, 'U' u64 */
	uint64_t	 lo, hi;
	size_t		 len;
} settings[] = {
#define S(n, f) { n, offsetof(struct config, f), 's', 0, 0, \
	sizeof(((struct config *)0)->f) }
#define U(n, f, lo, hi) { n, offsetof(struct config, f), 'u', lo, hi, 0 }
	S("datadir", datadir),
	S("listen", listen),
	S("key", keyfile),
	S("origin", origin),
	{ "max-body", offsetof(struct config, max_body), 'z', 1024,
	    LEDGER_JSON_MAX_BYTES, 0 },
	U("max-conns", max_conns, 1, 65536),
	U("max-conns-per-ip", max_conns_ip, 1, 65536),
	U("conn-timeout", conn_timeout, 1, 3600),
	U("threads", threads, 1, 256),
	U("batch-max", batch_max, 1, 65536),
	U("queue-max", queue_max, 1, 1000000),
	U("rate", rate, 0, 1000000),
	U("page-max", page_max, 1, 10000),
	{ "map-size", offsetof(struct config, map_size), 'U', 1 << 20,
	    UINT64_MAX, 0 },
	S("tls-cert", tls_cert),
	S("tls-key", tls_key),
	S("user", user),
	S("signer-user", signer_user),
	S("signer-state", signer_state),
	S("start-check", start_check),
#undef S
#undef U
};

int
config_set(struct config *c, const char *key, const char *value)
{
	uint64_t v;
	size_t i;
	char *p;

	/* The one setting that is a word from a list. */
	if (strcmp(key, "start-check") == 0 && strcmp(value, "full") != 0 &&
	    strcmp(value, "tree") != 0 && strcmp(value, "none") != 0) {
		fprintf(stderr, "ledgerd: start-check: \"%s\" is not full, "
		    "tree or none\n", value);
		return -1;
	}
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		if (strcmp(key, settings[i].name) != 0)
			continue;
		p = (char *)c + settings[i].off;
		switch (settings[i].type) {
		case 's':
			if (strlen(value) >= settings[i].len) {
				fprintf(stderr, "ledgerd: %s: value too long "
				    "(at most %zu bytes)\n", key,
				    settings[i].len - 1);
				return -1;
			}
			snprintf(p, settings[i].len, "%s", value);
			return 0;
		default:
			if (parse_u64(value, settings[i].lo, settings[i].hi,
			    &v) != 0) {
				fprintf(stderr, "ledgerd: %s: \"%s\" is not a "
				    "number in %" PRIu64 "..%" PRIu64 "\n", key,
				    value, settings[i].lo, settings[i].hi);
				return -1;
			}
			if (settings[i].type == 'u')
				*(unsigned *)(void *)p = (unsigned)v;
			else if (settings[i].type == 'z')
				*(size_t *)(void *)p = (size_t)v;
			else
				*(uint64_t *)(void *)p = v;
			return 0;
		}
	}
	fprintf(stderr, "ledgerd: unknown setting \"%s\" (see ledgerd(8))\n",
	    key);
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
config_load(struct config *c, const char *path, int must_exist)
{
	char line[1024], *k, *v, *eq;
	unsigned lineno = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		fprintf(stderr, "ledgerd: cannot read config %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		k = trim(line);
		if (*k == '#' || *k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			fprintf(stderr, "ledgerd: %s:%u: expected key = value\n",
			    path, lineno);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (config_set(c, k, v) != 0) {
			fprintf(stderr, "ledgerd: %s:%u: bad setting\n", path,
			    lineno);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}
