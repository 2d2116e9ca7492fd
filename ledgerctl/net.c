/*
 * net.c - the HTTP client of ledgerctl, over libcurl.  Responses are
 * capped (NET_MAX_BODY) so a hostile server cannot exhaust memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "ledgerctl.h"

#define NET_MAX_BODY	(64u * 1024 * 1024)	/* bytes of one response */
#define NET_TIMEOUT	60L			/* seconds per request */

/* --cacert: the only CAs trusted for https:// (NULL: the system's). */
static const char *cainfo;

void
net_set_cainfo(const char *path)
{
	cainfo = path;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n;
	char *g;

	if (r->len + len > NET_MAX_BODY)
		return 0;	/* aborts the transfer */
	if ((g = realloc(r->body, r->len + len + 1)) == NULL)
		return 0;
	r->body = g;
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static void
copy_header(char *dst, size_t dstsz, const char *p, size_t len,
    const char *name)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(p, name, n) != 0)
		return;
	p += n;
	len -= n;
	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (len >= dstsz)
		len = dstsz - 1;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n;

	copy_header(r->ctype, sizeof(r->ctype), p, len, "content-type:");
	copy_header(r->cache, sizeof(r->cache), p, len, "cache-control:");
	return len;
}

static int
perform(const char *url, const char *path, const char *body, size_t len,
    struct http_resp *r)
{
	struct curl_slist *hdr = NULL;
	char full[4096], errbuf[CURL_ERROR_SIZE], hint[600];
	CURLcode cc;
	CURL *c;

	memset(r, 0, sizeof(*r));
	if (snprintf(full, sizeof(full), "%s%s%s", url,
	    url[0] && url[strlen(url) - 1] == '/' && path[0] == '/' ? "" : "",
	    url[0] && url[strlen(url) - 1] == '/' && path[0] == '/' ?
	    path + 1 : path) >= (int)sizeof(full))
		return fail(EXIT_USAGE, "URL too long");
	if ((c = curl_easy_init()) == NULL)
		return fail(EXIT_IO, "cannot start libcurl");
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, NET_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip, identity");
	/*
	 * https:// is verified, always: an auditor must know which ledger
	 * answered.  libcurl's defaults already say so; spelt out so that
	 * no later edit can weaken them silently.
	 */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (cainfo != NULL) {
		curl_easy_setopt(c, CURLOPT_CAINFO, cainfo);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	if (body != NULL) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		net_resp_free(r);
		if (cc != CURLE_PEER_FAILED_VERIFICATION)
			hint[0] = '\0';
		else if (cainfo != NULL)
			snprintf(hint, sizeof(hint), " (the certificate "
			    "was checked against the CAs in %s only, from "
			    "--cacert)", cainfo);
		else
			snprintf(hint, sizeof(hint), " (the certificate "
			    "was checked against this system's CAs; for a "
			    "ledger with a private CA give its certificate "
			    "with --cacert FILE)");
		return fail(EXIT_IO, "%s: %s%s", full,
		    errbuf[0] ? errbuf : curl_easy_strerror(cc), hint);
	}
	if (r->body == NULL && (r->body = calloc(1, 1)) == NULL)
		return fail(EXIT_IO, "out of memory");
	return 0;
}

int
net_get(const char *url, const char *path, struct http_resp *r)
{
	return perform(url, path, NULL, 0, r);
}

int
net_post_json(const char *url, const char *path, const char *body,
    size_t len, struct http_resp *r)
{
	return perform(url, path, body, len, r);
}

void
net_resp_free(struct http_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}
