/* error.c - ledger_strerror and the detail filler of the one error model. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ledger/error.h"

static const char *const messages[] = {
	"success",
	"invalid argument or malformed input",
	"out of memory or size cap reached",
	"not valid JSON",
	"JSON outside the canonical subset",
	"fields do not match the entry kind's schema",
	"signature does not verify",
	"malformed key",
	"key file permissions too open",
	"input/output error",
	"not found",
	"Merkle proof does not verify",
	"malformed signed note or checkpoint",
	"input over a limit",
	"already exists",
	"same id with other content",
	"storage full",
	"unknown storage format version",
	"refused by a procedure rule",
	"storage error",
	"data directory locked by another process",
	"author key not allowed",
	"no space left on the filesystem",
};

const char *
ledger_strerror(int code)
{
	size_t i = (size_t)(code < 0 ? -code : code);

	if (i >= sizeof(messages) / sizeof(messages[0]))
		return "unknown error";
	return messages[i];
}

void
ledger_err_clear(struct ledger_err *err)
{
	if (err == NULL)
		return;
	/*
	 * Empty strings, not zeroed arrays: a verifier clears several per
	 * entry, and 436 bytes each were a percent of its CPU.
	 */
	err->code = 0;
	err->path[0] = '\0';
	err->rule[0] = '\0';
	err->msg[0] = '\0';
}

int
ledger_errf(struct ledger_err *err, int code, const char *path,
    const char *rule, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	snprintf(err->rule, sizeof(err->rule), "%s", rule ? rule : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}
