/*
 * kinds.c - one field table per entry kind, and the validator that walks
 * them (kinds.h).  Field names follow DATA-STANDARDS 7.1-7.5 (which map
 * them to OCDS, 360Giving, IATI and Popolo); where this file departs from
 * 7, docs/KINDS.md says why.
 *
 * The validator checks one body alone: types, required members, limits,
 * formats (USCC check character, RFC 3339 dates, CNY money, hashes).
 * Whatever needs other entries (a vote's counts adding up, a contract's
 * tranches summing to its value, caps) is a rule in rules.c, so that a
 * schema error and a rule refusal stay distinguishable for the author.
 */
#include <stdio.h>
#include <string.h>

#include "ledger/kinds.h"
#include "ledger/registry.h"

#define REQ	LEDGER_F_REQ
#define OPT	0
#define MAXI	LEDGER_JSON_MAX_INT

#define F_(n, t, f, lo, hi, d) \
	{ n, LEDGER_F_##t, f, lo, hi, NULL, 0, NULL, d }
#define S(n, f, lo, hi, d)	F_(n, STRING, f, lo, hi, d)
#define ID(n, f, d)		F_(n, IDENT, f, 1, 128, d)
#define REF(n, f, d)		F_(n, REF, f, 1, 128, d)
#define INT(n, f, lo, hi, d)	F_(n, INT, f, lo, hi, d)
#define BOOL(n, f, d)		F_(n, BOOL, f, 0, 0, d)
#define DATE(n, f, d)		F_(n, DATE, f, 0, 0, d)
#define MONEY(n, f, lo, d)	F_(n, MONEY, f, lo, MAXI, d)
#define ORG(n, f, d)		F_(n, ORG, f, 0, 0, d)
#define DOC(n, f, d)		F_(n, DOC, f, 0, 0, d)
#define LEAF(n, t, lo, hi, d)	F_(n, t, REQ, lo, hi, d)
#define ENUM(n, f, v, d)	{ n, LEDGER_F_ENUM, f, 0, 0, v, 0, NULL, d }
#define OBJ(n, f, s, d)	{ n, LEDGER_F_OBJECT, f, 0, 0, NULL, 0, s, d }
#define ARR(n, f, lo, hi, e, s, d) \
	{ n, LEDGER_F_ARRAY, f, lo, hi, NULL, e, s, d }
#define END			{ NULL, 0, 0, 0, 0, NULL, 0, NULL, NULL }

#define OCID \
	ID("ocid", REQ, "project / contracting process (OCDS `ocid`)")

/* The shared shapes. */
static const struct ledger_field money_fields[] = {
	LEAF("amount_minor", AMOUNT, 0, MAXI,
	    "integer fen (1 yuan = 100 fen), never a float"),
	LEAF("currency", CURRENCY, 0, 0, "ISO 4217; only `CNY`"),
	END
};

static const struct ledger_field org_fields[] = {
	ENUM("scheme", REQ, "CN-USCI", "org-id.guide list code"),
	LEAF("id", USCC, 0, 0,
	    "18-character Unified Social Credit Code, check character valid"),
	S("name", REQ, 1, 256, "registered name"),
	END
};

static const struct ledger_field doc_fields[] = {
	ID("id", REQ, "document id, unique within the entry"),
	ID("type", REQ, "OCDS documentType where one fits (`minutes`, "
	    "`contractSigned`, `evaluationReports`, ...)"),
	S("title", OPT, 1, 256, "title"),
	S("url", OPT, 1, 2048, "where the document is published"),
	LEAF("sha256", SHA256, 0, 0,
	    "SHA-256 of the file, 64 lower-case hex digits"),
	INT("size", REQ, 0, MAXI, "bytes of the file"),
	LEAF("media_type", MEDIA_TYPE, 1, 127,
	    "IANA media type, e.g. `application/pdf`"),
	END
};

/* 7.1 vote: a residents' representatives' meeting decides on a project. */
static const struct ledger_field requirement_fields[] = {
	ENUM("basis", REQ, "present eligible cast",
	    "what the threshold is a share of: members present, eligible "
	    "members, or votes cast (yes + no)"),
	INT("num", REQ, 1, 1000, "threshold numerator"),
	INT("den", REQ, 1, 1000, "threshold denominator"),
	ENUM("compare", OPT, "more_than at_least",
	    "`more_than` (default: yes/basis > num/den, 过半数) or "
	    "`at_least` (yes/basis >= num/den, 以上)"),
	INT("quorum_num", REQ, 0, 1000,
	    "quorum: present/eligible >= quorum_num/quorum_den"),
	INT("quorum_den", REQ, 1, 1000, "quorum denominator"),
	END
};

static const struct ledger_field count_fields[] = {
	ENUM("option", REQ, "yes no abstain recused absent",
	    "Popolo count option, plus local `recused`"),
	INT("value", REQ, 0, 1000000, "number of members"),
	END
};

static const struct ledger_field recusal_fields[] = {
	ID("role", REQ, "who recused: `project_leader` must be among them"),
	S("reason", REQ, 1, 500, "why"),
	END
};

static const struct ledger_field vote_fields[] = {
	OCID,
	ID("vote_id", REQ, "Popolo `vote_event.id`"),
	ORG("body", REQ, "the meeting body (Popolo `organization_id`); "
	    "its convener signs"),
	S("motion_text", REQ, 1, 2000, "Popolo `motion.text`"),
	DATE("held_at", REQ, "when the meeting voted (Popolo `start_date`)"),
	OBJ("requirement", REQ, requirement_fields,
	    "what passing needs (Popolo `motion.requirement`)"),
	INT("eligible", REQ, 1, 1000000, "members entitled to vote"),
	INT("present", REQ, 0, 1000000, "members present"),
	ARR("counts", REQ, 1, 5, LEDGER_F_OBJECT, count_fields,
	    "Popolo `counts[]`; each option at most once"),
	ARR("recusals", REQ, 0, 64, LEDGER_F_OBJECT, recusal_fields,
	    "who recused and why, one element each"),
	ENUM("result", REQ, "pass fail", "Popolo `result`"),
	BOOL("announced_on_site", REQ, "result announced at the meeting"),
	MONEY("requested", OPT, 0, "budget applied for "
	    "(OCDS `planning.budget.amount`)"),
	DOC("minutes", REQ, "the meeting's minutes"),
	END
};

/* 7.2 contract: purchaser and contractor sign the purchase agreement. */
static const struct ledger_field period_fields[] = {
	DATE("start", REQ, "OCDS `period.startDate`"),
	DATE("end", REQ, "OCDS `period.endDate`"),
	END
};

static const struct ledger_field tranche_fields[] = {
	INT("no", REQ, 1, LEDGER_TRANCHES_MAX,
	    "tranche number, unique; the highest is the final tranche"),
	MONEY("amount", REQ, 1, "planned amount"),
	ENUM("condition", REQ, "signing mid_evaluation final_evaluation",
	    "what releases it"),
	DATE("due", OPT, "planned date"),
	END
};

static const struct ledger_field programme_fields[] = {
	ID("code", REQ, "programme code"),
	S("title", REQ, 1, 256, "e.g. 公益创投"),
	END
};

static const struct ledger_field contract_fields[] = {
	OCID,
	ID("contract_id", REQ, "OCDS `contracts[].id`; unique in the ledger"),
	ID("award_id", OPT, "OCDS `awardID`"),
	REF("vote_ref", REQ, "statement id of the passed `vote` entry"),
	ORG("buyer", REQ, "purchaser (OCDS `buyer`, 360Giving "
	    "`fundingOrganization`)"),
	ORG("supplier", REQ, "contractor (OCDS `awards[].suppliers`, "
	    "360Giving `recipientOrganization`)"),
	S("title", REQ, 1, 500, "OCDS `title`"),
	S("description", OPT, 1, 4000, "OCDS `description`"),
	MONEY("value", REQ, 1, "OCDS `contracts[].value`"),
	DATE("date_signed", REQ, "OCDS `dateSigned`"),
	OBJ("period", OPT, period_fields, "OCDS `period`"),
	ENUM("status", REQ, "pending active",
	    "OCDS contractStatus at signing; corrections may later set "
	    "`active`, `cancelled` or `terminated`"),
	ENUM("method", OPT, "direct limited selective open",
	    "OCDS `tender.procurementMethod`"),
	ARR("tranches", REQ, 1, LEDGER_TRANCHES_MAX, LEDGER_F_OBJECT,
	    tranche_fields, "payment plan (OCDS milestones of type "
	    "`payment`); amounts sum to `value`"),
	S("acceptance_terms", OPT, 1, 4000, "acceptance criteria"),
	ARR("documents", REQ, 1, 32, LEDGER_F_DOC, NULL,
	    "OCDS `contracts[].documents`: the signed agreement at least"),
	OBJ("programme", OPT, programme_fields,
	    "360Giving `grantProgramme`"),
	END
};

/* 7.3 disbursement: a tranche is paid. */
static const struct ledger_field disbursement_fields[] = {
	OCID,
	ID("disbursement_id", REQ, "OCDS `transactions[].id`"),
	ID("contract_id", REQ, "the contract paid under"),
	INT("tranche_no", REQ, 1, LEDGER_TRANCHES_MAX,
	    "the contract tranche this pays"),
	MONEY("value", REQ, 1, "OCDS `transactions[].value`"),
	ORG("payer", REQ, "paying body (OCDS `payer`): the purchaser or "
	    "the finance bureau"),
	ORG("payee", REQ, "the contractor (OCDS `payee`)"),
	DATE("paid_on", REQ, "OCDS `transactions[].date`"),
	ID("voucher_ref", OPT, "payment voucher number"),
	ID("budget_line", OPT, "OCDS `planning.budget.id`"),
	END
};

/* 7.4 evaluation: a third party checks the work. */
static const struct ledger_field criterion_fields[] = {
	ENUM("criterion", REQ, "relevance coherence effectiveness efficiency "
	    "impact sustainability financial_compliance",
	    "OECD-DAC criterion"),
	S("rating", OPT, 1, 64, "rating given"),
	S("note", OPT, 1, 2000, "remarks"),
	END
};

static const struct ledger_field party_recusal_fields[] = {
	ORG("party", REQ, "who recused"),
	S("reason", REQ, 1, 500, "why"),
	END
};

static const struct ledger_field evaluation_fields[] = {
	OCID,
	ID("evaluation_id", REQ, "OCDS `implementation.milestones[].id`"),
	ID("contract_id", REQ, "the contract evaluated"),
	ENUM("phase", REQ, "initial mid final", "初期 / 中期 / 终期"),
	ORG("evaluator", REQ, "the third-party evaluator; its key signs"),
	ORG("evaluated", REQ, "the contractor evaluated"),
	DATE("assessed_on", REQ, "milestone `dateMet`"),
	ENUM("verdict", REQ, "pass conditional fail",
	    "milestone status met / partiallyMet / notMet"),
	INT("score", OPT, 0, 1000, "score out of 1000"),
	ARR("criteria", OPT, 0, 16, LEDGER_F_OBJECT, criterion_fields,
	    "per-criterion ratings"),
	MONEY("misused", OPT, 0, "funds found misused "
	    "(`performanceFailures[].penaltyImposed`)"),
	BOOL("independence_declared", REQ,
	    "the evaluator declared independence; must be true"),
	ARR("recusals", OPT, 0, 16, LEDGER_F_OBJECT, party_recusal_fields,
	    "parties that recused"),
	DOC("report", REQ, "the written evaluation report"),
	END
};

/* 7.5 correction: an earlier entry is amended by a new one. */
static const struct ledger_field change_fields[] = {
	F_("pointer", POINTER, REQ, 2, 256,
	    "JSON pointer into the target's body, e.g. `/status`"),
	F_("old", ANY, OPT, 0, 0,
	    "value being replaced (absent: the member is added)"),
	F_("new", ANY, OPT, 0, 0,
	    "replacement (absent: the member is removed)"),
	END
};

static const struct ledger_field correction_fields[] = {
	OCID,
	ID("correction_id", REQ, "OCDS `amendments[].id`"),
	ENUM("type", REQ, "correction amendment termination",
	    "OCDS release tag: update, contractAmendment, contractTermination"),
	REF("target_entry", REQ, "statement id of the entry corrected "
	    "(OCDS `amendsReleaseID`)"),
	S("rationale", REQ, 1, 2000, "OCDS `amendments[].rationale`"),
	ARR("changes", REQ, 1, 32, LEDGER_F_OBJECT, change_fields,
	    "OCDS unstructuredChanges"),
	END
};

/* 7.5 clawback: the purchaser recovers funds. */
static const struct ledger_field clawback_fields[] = {
	OCID,
	ID("clawback_id", REQ, "id of the demand or receipt"),
	ID("contract_id", REQ, "the contract whose funds are recovered"),
	REF("target_entry", REQ, "statement id of the `disbursement` "
	    "recovered"),
	REF("basis_ref", OPT, "statement id of the `evaluation` finding"),
	ENUM("status", REQ, "ordered received",
	    "`ordered`: recovery demanded; `received`: funds returned"),
	MONEY("value", REQ, 1, "amount demanded or returned"),
	S("rationale", REQ, 1, 2000, "why"),
	ORG("payer", OPT, "who returns the funds: the contractor"),
	ORG("payee", OPT, "who receives them: the purchaser"),
	DATE("date", REQ, "date of the demand or of the receipt"),
	END
};

static const struct {
	const char			*kind;
	const struct ledger_field	*fields;
} tables[] = {
	{ "vote",		vote_fields },
	{ "contract",		contract_fields },
	{ "disbursement",	disbursement_fields },
	{ "evaluation",		evaluation_fields },
	{ "correction",		correction_fields },
	{ "clawback",		clawback_fields },
};

const struct ledger_field *
ledger_kind_fields(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(kind, tables[i].kind) == 0)
			return tables[i].fields;
	return NULL;
}

const struct ledger_field *
ledger_shape_fields(enum ledger_ftype type)
{
	switch (type) {
	case LEDGER_F_MONEY:
		return money_fields;
	case LEDGER_F_ORG:
		return org_fields;
	case LEDGER_F_DOC:
		return doc_fields;
	default:
		return NULL;
	}
}

const char *
ledger_ftype_name(enum ledger_ftype type)
{
	static const char *const names[] = {
		"string", "identifier", "statement id", "integer", "boolean",
		"enum", "date-time", "money", "org", "document",
		"JSON pointer", "any", "object", "array", "integer fen",
		"currency", "USCC", "sha256", "media type",
	};

	if ((size_t)type >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[type];
}

/* The schema tables nest 3 deep; a deeper frame would be left out. */
#define PATH_FRAMES	LEDGER_JSON_MAX_DEPTH

/*
 * Where validation is in the body: the members and elements it descended
 * through.  Every member of every body is entered, so entering records a
 * pointer and the path is written out only for an error (path_str).
 */
struct path {
	struct {
		const char	*member;	/* NULL: an array element */
		size_t		 index;
	}	fr[PATH_FRAMES];
	size_t	depth;
	char	buf[LEDGER_ERR_PATH_MAX];
};

static size_t
path_push(struct path *p, const char *member, size_t index, int is_index)
{
	size_t old = p->depth;

	if (old < PATH_FRAMES) {
		p->fr[old].member = is_index ? NULL : member;
		p->fr[old].index = index;
	}
	p->depth++;
	return old;
}

static void
path_pop(struct path *p, size_t old)
{
	p->depth = old;
}

/* "body.counts[1].option"; cut to fit, still a prefix of the real one. */
static const char *
path_str(struct path *p)
{
	size_t n = 4, i, room;
	int w;

	memcpy(p->buf, "body", 5);
	for (i = 0; i < p->depth && i < PATH_FRAMES; i++) {
		room = sizeof(p->buf) - n;
		w = p->fr[i].member != NULL ?
		    snprintf(p->buf + n, room, ".%s", p->fr[i].member) :
		    snprintf(p->buf + n, room, "[%zu]", p->fr[i].index);
		if (w < 0 || (size_t)w >= room)
			break;
		n += (size_t)w;
	}
	return p->buf;
}

/* Unicode characters of valid UTF-8 (canon has checked the encoding). */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static int
in_list(const char *word, const char *list)
{
	size_t n = strlen(word);
	const char *p = list;

	while (*p) {
		size_t m = strcspn(p, " ");

		if (m == n && memcmp(p, word, n) == 0)
			return 1;
		p += m;
		p += strspn(p, " ");
	}
	return 0;
}

/* The statement id alphabet (statement.c): [A-Za-z0-9._:-]. */
static int
ref_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > LEDGER_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == ':' || s[i] == '-'))
			return 0;
	return 1;
}

static int
sha256_valid(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* RFC 6838 restricted-name characters. */
static size_t
media_token(const char *s)
{
	size_t i = 0;

	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= '0' && s[0] <= '9')))
		return 0;
	while (s[i] != '\0' && ((s[i] >= 'A' && s[i] <= 'Z') ||
	    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
	    strchr("!#$&^_.+-", s[i]) != NULL))
		i++;
	return i;
}

static int
media_type_valid(const char *s, size_t n)
{
	size_t a, b;

	if (n > 255 || (a = media_token(s)) == 0 || a > 127 || s[a] != '/')
		return 0;
	if ((b = media_token(s + a + 1)) == 0 || b > 127)
		return 0;
	return a + 1 + b == n;
}

static int
pointer_valid(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || s[0] != '/')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '~' && (i + 1 == n || (s[i + 1] != '0' &&
		    s[i + 1] != '1')))
			return 0;
	return 1;
}

static int
ident_valid(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
		    s[i] == '\r' || s[i] == '\0')
			return 0;
	return 1;
}

static int validate_object(const struct ledger_field *, json_t *,
    struct path *, struct ledger_err *);

static int
type_error(struct ledger_err *err, struct path *p,
    const struct ledger_field *f)
{
	const char *what;

	switch (f->type) {
	case LEDGER_F_INT:
	case LEDGER_F_AMOUNT:
		what = "an integer";
		break;
	case LEDGER_F_BOOL:
		what = "true or false";
		break;
	case LEDGER_F_MONEY:
		what = "money {\"amount_minor\": integer fen, \"currency\": "
		    "\"CNY\"}";
		break;
	case LEDGER_F_ORG:
		what = "an org {\"scheme\": \"CN-USCI\", \"id\": USCC, "
		    "\"name\": ...}";
		break;
	case LEDGER_F_DOC:
		what = "a document {\"id\", \"type\", \"sha256\", \"size\", "
		    "\"media_type\", ...}";
		break;
	case LEDGER_F_OBJECT:
		what = "an object";
		break;
	case LEDGER_F_ARRAY:
		what = "an array";
		break;
	default:
		what = "a string";
		break;
	}
	return ledger_errf(err, LEDGER_ESCHEMA, path_str(p), "schema.type",
	    "%s must be %s", path_str(p), what);
}

static int
check_string(const struct ledger_field *f, json_t *v, struct path *p,
    struct ledger_err *err)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), c;
	int64_t ms;

	switch (f->type) {
	case LEDGER_F_STRING:
		c = utf8_chars(s, n);
		if (c < (size_t)f->min || (f->max && c > (size_t)f->max))
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "schema.length", "%s must have %lld to %lld "
			    "characters, not %zu", path_str(p), f->min, f->max,
			    c);
		return 0;
	case LEDGER_F_IDENT:
		if (n < (size_t)f->min || n > (size_t)f->max)
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "schema.length", "%s must be an identifier of "
			    "%lld to %lld bytes", path_str(p), f->min, f->max);
		if (!ident_valid(s, n))
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "schema.format", "%s is an identifier and may not "
			    "contain white space", path_str(p));
		return 0;
	case LEDGER_F_REF:
		if (!ref_valid(s, n))
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "schema.format", "%s must be a statement id: 1-%d "
			    "characters of [A-Za-z0-9._:-]", path_str(p),
			    LEDGER_ID_MAX);
		return 0;
	case LEDGER_F_ENUM:
		if (!in_list(s, f->values) || n != strlen(s))
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "enum", "%s must be one of: %s", path_str(p),
			    f->values);
		return 0;
	case LEDGER_F_DATE:
		if (n > 64 || n != strlen(s) ||
		    ledger_rfc3339_parse(s, &ms) != 0)
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "date",
			    "%s must be an RFC 3339 date-time with offset, "
			    "e.g. 2026-08-15T19:30:00+08:00", path_str(p));
		return 0;
	case LEDGER_F_POINTER:
		if (n > (size_t)f->max || !pointer_valid(s, n) ||
		    n != strlen(s))
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "schema.format", "%s must be a JSON pointer into "
			    "the target's body, e.g. /status (RFC 6901)",
			    path_str(p));
		return 0;
	case LEDGER_F_CURRENCY:
		if (strcmp(s, LEDGER_CURRENCY) != 0 || n != 3)
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "money",
			    "%s must be \"%s\": the ledger keeps amounts in "
			    "fen of %s only", path_str(p), LEDGER_CURRENCY,
			    LEDGER_CURRENCY);
		return 0;
	case LEDGER_F_USCC:
		if (n != LEDGER_USCC_BYTES || !ledger_uscc_valid(s))
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "uscc",
			    "%s must be an 18-character Unified Social Credit "
			    "Code with a valid check character (GB 32100-2015)",
			    path_str(p));
		return 0;
	case LEDGER_F_SHA256:
		if (!sha256_valid(s, n))
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "schema.format", "%s must be 64 lower-case hex "
			    "digits (SHA-256 of the file)", path_str(p));
		return 0;
	case LEDGER_F_MEDIA_TYPE:
		if (!media_type_valid(s, n) || n != strlen(s))
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "schema.format", "%s must be a media type "
			    "type/subtype, e.g. application/pdf", path_str(p));
		return 0;
	default:
		return LEDGER_EINVAL;
	}
}

static int
validate_value(const struct ledger_field *f, json_t *v, struct path *p,
    struct ledger_err *err)
{
	struct ledger_field e;
	json_int_t n;
	size_t i, old;
	json_t *x;
	int rc;

	switch (f->type) {
	case LEDGER_F_ANY:
		return 0;
	case LEDGER_F_BOOL:
		return json_is_boolean(v) ? 0 : type_error(err, p, f);
	case LEDGER_F_INT:
	case LEDGER_F_AMOUNT:
		if (!json_is_integer(v))
			return type_error(err, p, f);
		n = json_integer_value(v);
		if (n >= f->min && n <= f->max)
			return 0;
		if (f->type == LEDGER_F_AMOUNT)
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "money",
			    "%s must be an integer number of fen from 0 to "
			    "2^53-1", path_str(p));
		return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
		    "schema.range", "%s must be from %lld to %lld",
		    path_str(p), f->min, f->max);
	case LEDGER_F_MONEY:
	case LEDGER_F_ORG:
	case LEDGER_F_DOC:
	case LEDGER_F_OBJECT:
		if (!json_is_object(v))
			return type_error(err, p, f);
		if ((rc = validate_object(f->type == LEDGER_F_OBJECT ? f->sub :
		    ledger_shape_fields(f->type), v, p, err)) != 0)
			return rc;
		if (f->type == LEDGER_F_MONEY && json_integer_value(
		    json_object_get(v, "amount_minor")) < f->min) {
			old = path_push(p, "amount_minor", 0, 0);
			rc = ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "money", "%s must be at least %lld fen",
			    path_str(p), f->min);
			path_pop(p, old);
			return rc;
		}
		return 0;
	case LEDGER_F_ARRAY:
		if (!json_is_array(v))
			return type_error(err, p, f);
		if (json_array_size(v) < (size_t)f->min ||
		    json_array_size(v) > (size_t)f->max)
			return ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
			    "schema.count", "%s must have %lld to %lld "
			    "elements", path_str(p), f->min, f->max);
		memset(&e, 0, sizeof(e));
		e.type = f->elem;
		e.sub = f->sub;
		json_array_foreach(v, i, x) {
			old = path_push(p, NULL, i, 1);
			rc = validate_value(&e, x, p, err);
			path_pop(p, old);
			if (rc != 0)
				return rc;
		}
		return 0;
	default:
		if (!json_is_string(v))
			return type_error(err, p, f);
		return check_string(f, v, p, err);
	}
}

#define VALIDATE_KEEP	32	/* fields whose lookup validate_object keeps */

static int
validate_object(const struct ledger_field *tab, json_t *o, struct path *p,
    struct ledger_err *err)
{
	const struct ledger_field *f;
	const char *member;
	char names[160];
	json_t *v, *got[VALIDATE_KEEP];
	size_t old, used, k, present = 0;
	int rc;

	/*
	 * Keys are unique, so the members are all known exactly when as many
	 * fields are present as the object has members; otherwise each
	 * member's name is looked up in the table, to name the unknown one.
	 */
	for (f = tab, k = 0; f->name != NULL; f++, k++) {
		v = json_object_get(o, f->name);
		if (k < VALIDATE_KEEP)
			got[k] = v;
		present += v != NULL;
	}
	json_object_foreach(o, member, v) {
		if (present == json_object_size(o))
			break;
		for (f = tab; f->name != NULL; f++)
			if (strcmp(f->name, member) == 0)
				break;
		if (f->name != NULL)
			continue;
		used = 0;
		names[0] = '\0';
		for (f = tab; f->name != NULL && used < sizeof(names); f++) {
			int w = snprintf(names + used, sizeof(names) - used,
			    "%s%s", used ? ", " : "", f->name);

			if (w < 0)
				break;
			used += (size_t)w;
		}
		old = path_push(p, member, 0, 0);
		rc = ledger_errf(err, LEDGER_ESCHEMA, path_str(p),
		    "unknown-field", "%s is not part of this schema; allowed: "
		    "%s", path_str(p), names);
		path_pop(p, old);
		return rc;
	}
	for (f = tab, k = 0; f->name != NULL; f++, k++) {
		old = path_push(p, f->name, 0, 0);
		v = k < VALIDATE_KEEP ? got[k] : json_object_get(o, f->name);
		if (v == NULL)
			rc = (f->flags & REQ) ? ledger_errf(err, LEDGER_ESCHEMA,
			    path_str(p), "schema.required",
			    "%s is required (%s)", path_str(p),
			    ledger_ftype_name(f->type)) : 0;
		else
			rc = validate_value(f, v, p, err);
		path_pop(p, old);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
ledger_kind_validate(const struct ledger_statement *st,
    struct ledger_err *err)
{
	const struct ledger_field *tab;
	struct path p;

	if (strcmp(st->kind, "key") == 0)
		return 0;
	if ((tab = ledger_kind_fields(st->kind)) == NULL)
		return ledger_errf(err, LEDGER_EINVAL, "kind", "kind",
		    "no schema for kind \"%s\"", st->kind);
	if (!json_is_object(st->body))
		return ledger_errf(err, LEDGER_ESCHEMA, "body", "schema.type",
		    "body must be an object");
	p.depth = 0;
	return validate_object(tab, st->body, &p, err);
}
