// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file output.c
 * @brief ulmctl's output: one column table per kind of row drives the
 * aligned table (libsmartcols, truncated to fit a terminal), JSON, -o,
 * --list-columns and --raw (one row per line of KEY=VALUE words, values
 * escaped as in ulmv_word(); a column without a value for the row, such
 * as a lock's share modes, is left out).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols/libsmartcols.h>

#include "ulmctl.h"
#include "ulmrec.h"

/* A value of a row for one format (malloc'd), or NULL: none. */
typedef char *(*value_fn)(const void *row, enum ulmctl_format format);

struct column {
	const char *name; /**< -o, JSON and --raw name; header in capitals */
	double whint;	  /**< width hint (libsmartcols) */
	int flags;	  /**< SCOLS_FL_* */
	int json;	  /**< SCOLS_JSON_* */
	const char *help;
	value_fn value;
};

struct view {
	const char *name; /**< of the JSON array */
	const struct column *columns;
	size_t n_columns;
	const char *table; /**< default columns of the table */
	size_t row_size;
	/** the table ends with the file: its path (DBus), its key (--store) */
	bool names_file;
};

static char *number(uint64_t v)
{
	return ulmctl_text("%" PRIu64, v);
}

static uint64_t now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

/* ---- records ---------------------------------------------------- */

#define RECORD(row) ((const struct ulmv_record *)(row))

static char *rec_id(const void *row, enum ulmctl_format f)
{
	(void)f;
	return strdup(RECORD(row)->id);
}

static char *rec_file(const void *row, enum ulmctl_format f)
{
	(void)f;
	return strdup(RECORD(row)->file);
}

/* A table names a file whose path is not known by its key. */
static char *rec_path(const void *row, enum ulmctl_format f)
{
	const struct ulmv_record *r = RECORD(row);

	if (*r->path)
		return strdup(r->path);
	return f == ULMCTL_TABLE ? ulmctl_text("key:%s", r->file) : NULL;
}

static char *rec_export(const void *row, enum ulmctl_format f)
{
	(void)f;
	return RECORD(row)->export_id ? number(RECORD(row)->export_id) : NULL;
}

static char *rec_type(const void *row, enum ulmctl_format f)
{
	(void)f;
	return strdup(ulmv_type_name(RECORD(row)->type));
}

static char *rec_start(const void *row, enum ulmctl_format f)
{
	(void)f;
	return number(RECORD(row)->start);
}

/* JSON: null for "to end of file" (a number would lose precision). */
static char *rec_end(const void *row, enum ulmctl_format f)
{
	if (f == ULMCTL_JSON && RECORD(row)->end == ULM_EOF)
		return NULL;
	return ulmctl_format_end(RECORD(row)->end);
}

static bool is_share(const void *row)
{
	return RECORD(row)->type == ULM_REC_SHARE;
}

static char *rec_access(const void *row, enum ulmctl_format f)
{
	(void)f;
	return is_share(row) ? strdup(ulmv_share_name(RECORD(row)->access))
			     : NULL;
}

static char *rec_deny(const void *row, enum ulmctl_format f)
{
	(void)f;
	return is_share(row) ? strdup(ulmv_share_name(RECORD(row)->deny))
			     : NULL;
}

/* Waiters: time left in a table, CLOCK_REALTIME ms otherwise. */
static char *rec_expires(const void *row, enum ulmctl_format f)
{
	const struct ulmv_record *r = RECORD(row);
	int family = ulmv_family(r->type);

	if (family != ULMV_FAMILY_WAIT)
		return NULL;
	if (f == ULMCTL_TABLE)
		return ulmctl_format_expires(r->expires_ms, now_ms());
	return r->expires_ms ? number(r->expires_ms) : NULL;
}

static char *rec_reclaim(const void *row, enum ulmctl_format f)
{
	bool reclaim = RECORD(row)->reclaim;

	if (f == ULMCTL_JSON) /* libsmartcols: "0" is false */
		return strdup(reclaim ? "1" : "0");
	if (f == ULMCTL_RAW)
		return reclaim ? strdup("yes") : NULL;
	return strdup(reclaim ? "yes" : "no");
}

static char *rec_protocol(const void *row, enum ulmctl_format f)
{
	(void)f;
	return strdup(ulmv_protocol_name(RECORD(row)->protocol));
}

static char *rec_kind(const void *row, enum ulmctl_format f)
{
	(void)f;
	return strdup(ulmv_kind_name(RECORD(row)->kind));
}

static char *rec_node(const void *row, enum ulmctl_format f)
{
	(void)f;
	return number(RECORD(row)->node);
}

static char *rec_epoch(const void *row, enum ulmctl_format f)
{
	(void)f;
	return number(RECORD(row)->epoch);
}

static char *rec_client(const void *row, enum ulmctl_format f)
{
	return ulmctl_format_identity(RECORD(row)->client, f == ULMCTL_TABLE);
}

/* NLM owners are the client's svid (a process id). */
static char *rec_owner(const void *row, enum ulmctl_format f)
{
	const struct ulmv_record *r = RECORD(row);

	if (f == ULMCTL_TABLE && r->protocol == ULM_PROTO_NLM)
		return ulmctl_format_svid(r->owner);
	return ulmctl_format_identity(r->owner, f == ULMCTL_TABLE);
}

#define NUM  SCOLS_JSON_NUMBER
#define STR  SCOLS_JSON_STRING
#define BOOL SCOLS_JSON_BOOLEAN
#define R    SCOLS_FL_RIGHT
#define T    SCOLS_FL_TRUNC

/* In the order of --raw: first the words ulm-store-inspect printed, in
 * its order (scripts grep "type=... start=... end=... proto=... kind=...
 * node=..." and read file, type, start as the first three words). */
static const struct column record_columns[] = {
	{"file", 0.3, T, STR, "file key (hex)", rec_file},
	{"type", 5, 0, STR,
	 "read, write, share, deleg-read, deleg-write, wait-read, wait-write",
	 rec_type},
	{"start", 5, R, NUM, "first byte", rec_start},
	{"end", 5, R, NUM, "last byte (eof: to end of file)", rec_end},
	{"access", 4, 0, STR,
	 "share: access opened for (r, w, rw; SMB: d for DELETE)", rec_access},
	{"deny", 4, 0, STR, "share: access denied to others", rec_deny},
	{"proto", 4, 0, STR, "nlm, nfs4, smb, local, 9p", rec_protocol},
	{"kind", 4, 0, STR, "owner kind: lock, open, client", rec_kind},
	{"node", 4, R, NUM, "node the record was made through", rec_node},
	{"epoch", 5, R, NUM, "that node's epoch then", rec_epoch},
	{"reclaim", 3, 0, BOOL, "made by a reclaim after a restart",
	 rec_reclaim},
	{"client", 0.2, T, STR, "client identity", rec_client},
	{"owner", 0.1, T, STR, "owner identity (lock-owner, svid...)",
	 rec_owner},
	{"expires", 6, R, NUM, "waiter: lapses unless asked again",
	 rec_expires},
	{"path", 0.3, T, STR, "path on the server (key: if unknown)", rec_path},
	{"export", 3, R, NUM, "export id", rec_export},
	{"id", 12, 0, STR, "record id (break, recall)", rec_id},
};

#define N_RECORD_COLUMNS (sizeof(record_columns) / sizeof(record_columns[0]))

static const struct view record_views[] = {
	[ULMCTL_LOCKS] = {"locks", record_columns, N_RECORD_COLUMNS,
			  "id,type,start,end,proto,node,epoch,client,owner",
			  sizeof(struct ulmv_record), true},
	[ULMCTL_SHARES] = {"shares", record_columns, N_RECORD_COLUMNS,
			   "id,access,deny,proto,node,epoch,client,owner",
			   sizeof(struct ulmv_record), true},
	[ULMCTL_DELEGATIONS] = {"delegations", record_columns, N_RECORD_COLUMNS,
				"id,type,proto,node,epoch,client",
				sizeof(struct ulmv_record), true},
	[ULMCTL_WAITERS] = {"waiters", record_columns, N_RECORD_COLUMNS,
			    "id,type,start,end,expires,proto,node,client,"
			    "owner",
			    sizeof(struct ulmv_record), true},
	[ULMCTL_RECORDS] = {"records", record_columns, N_RECORD_COLUMNS,
			    "id,type,start,end,access,deny,proto,kind,node,"
			    "epoch,client,owner",
			    sizeof(struct ulmv_record), true},
	[ULMCTL_FILE] = {"records", record_columns, N_RECORD_COLUMNS,
			 "id,type,start,end,access,deny,expires,proto,kind,"
			 "node,epoch,client,owner",
			 sizeof(struct ulmv_record), false},
};

/* ---- clients and nodes ------------------------------------------ */

#define CLIENT(row) ((const struct ulmv_client *)(row))
#define NODE(row)   ((const struct ulmv_node *)(row))

static char *cl_protocol(const void *row, enum ulmctl_format f)
{
	(void)f;
	return strdup(ulmv_protocol_name(CLIENT(row)->protocol));
}

static char *cl_client(const void *row, enum ulmctl_format f)
{
	return ulmctl_format_identity(CLIENT(row)->client, f == ULMCTL_TABLE);
}

static char *cl_node(const void *row, enum ulmctl_format f)
{
	(void)f;
	return number(CLIENT(row)->node);
}

#define COUNT_FN(prefix, type, family)                                        \
	static char *prefix##_##family(const void *row, enum ulmctl_format f) \
	{                                                                     \
		(void)f;                                                      \
		return number(                                                \
			((const type *)row)->count[ULMV_FAMILY_##family]);    \
	}
COUNT_FN(cl, struct ulmv_client, LOCK)
COUNT_FN(cl, struct ulmv_client, SHARE)
COUNT_FN(cl, struct ulmv_client, DELEG)
COUNT_FN(cl, struct ulmv_client, WAIT)
COUNT_FN(nd, struct ulmv_node, LOCK)
COUNT_FN(nd, struct ulmv_node, SHARE)
COUNT_FN(nd, struct ulmv_node, DELEG)
COUNT_FN(nd, struct ulmv_node, WAIT)

static const struct column client_columns[] = {
	{"proto", 4, 0, STR, "nlm, nfs4, smb, local, 9p", cl_protocol},
	{"client", 0.5, T, STR, "client identity", cl_client},
	{"node", 4, R, NUM, "node it holds through", cl_node},
	{"locks", 5, R, NUM, "byte-range locks", cl_LOCK},
	{"shares", 6, R, NUM, "share reservations", cl_SHARE},
	{"delegations", 11, R, NUM, "delegations", cl_DELEG},
	{"waiters", 7, R, NUM, "blocked requests", cl_WAIT},
};

static char *nd_node(const void *row, enum ulmctl_format f)
{
	(void)f;
	return number(NODE(row)->node);
}

static char *nd_epoch(const void *row, enum ulmctl_format f)
{
	(void)f;
	return number(NODE(row)->epoch);
}

static char *nd_local(const void *row, enum ulmctl_format f)
{
	bool local = NODE(row)->local;

	if (f == ULMCTL_JSON) /* libsmartcols: "0" is false */
		return strdup(local ? "1" : "0");
	return strdup(local ? "yes" : "no");
}

static char *nd_lease(const void *row, enum ulmctl_format f)
{
	(void)f;
	return strdup(ulmv_lease_name(NODE(row)->lease));
}

/* A node not live: for how long in a table, since when (CLOCK_REALTIME
 * ms) otherwise. */
static char *nd_since(const void *row, enum ulmctl_format f)
{
	const struct ulmv_node *n = NODE(row);

	if (n->lease != ULMV_LEASE_FENCED && n->lease != ULMV_LEASE_DEAD)
		return NULL;
	if (f == ULMCTL_TABLE)
		return ulmctl_format_age(n->lease_end_ms, now_ms());
	return n->lease_end_ms ? number(n->lease_end_ms) : NULL;
}

static const struct column node_columns[] = {
	{"node", 4, R, NUM, "node id", nd_node},
	{"epoch", 5, R, NUM, "its latest epoch (the asked node's current one)",
	 nd_epoch},
	{"local", 5, 0, BOOL, "the Ganesha asked runs as this node", nd_local},
	{"lease", 7, 0, STR,
	 "its liveness lease: live, fenced (the asked node lost it), dead "
	 "(lapsed), unknown",
	 nd_lease},
	{"since", 5, R, NUM,
	 "fenced or dead: for how long (since its lease ended, as it last "
	 "recorded it; ms since the epoch in --raw and --json)",
	 nd_since},
	{"locks", 5, R, NUM, "byte-range locks", nd_LOCK},
	{"shares", 6, R, NUM, "share reservations", nd_SHARE},
	{"delegations", 11, R, NUM, "delegations", nd_DELEG},
	{"waiters", 7, R, NUM, "blocked requests", nd_WAIT},
};

static const struct view client_view = {
	"clients",
	client_columns,
	sizeof(client_columns) / sizeof(client_columns[0]),
	"proto,client,node,locks,shares,delegations,waiters",
	sizeof(struct ulmv_client),
	false};

static const struct view node_view = {
	"nodes",
	node_columns,
	sizeof(node_columns) / sizeof(node_columns[0]),
	"node,epoch,local,lease,since,locks,shares,delegations,waiters",
	sizeof(struct ulmv_node),
	false};

/* ---- grace ----------------------------------------------------- */

#define GRACE(row) ((const struct ulmv_grace_row *)(row))

static char *gr_kind(const void *row, enum ulmctl_format f)
{
	(void)f;
	return strdup(GRACE(row)->kind);
}

static char *gr_name(const void *row, enum ulmctl_format f)
{
	(void)f;
	return strdup(GRACE(row)->name);
}

static char *gr_node(const void *row, enum ulmctl_format f)
{
	(void)f;
	return GRACE(row)->node ? number(GRACE(row)->node) : NULL;
}

static char *gr_at(const void *row, enum ulmctl_format f)
{
	(void)f;
	return GRACE(row)->at ? number(GRACE(row)->at) : NULL;
}

static char *gr_member(const void *row, enum ulmctl_format f)
{
	(void)f;
	return *GRACE(row)->member ? strdup(GRACE(row)->member) : NULL;
}

/* As ganesha-rados-grace dump shows them: N (need), E (enforcing). */
static char *gr_ganesha(const void *row, enum ulmctl_format f)
{
	int flags = GRACE(row)->ganesha;

	(void)f;
	if (flags < 0)
		return NULL;
	if (!(flags & (ULMREC_GRACE_NEED | ULMREC_GRACE_ENFORCING)))
		return strdup("none");
	return ulmctl_text("%s%s", flags & ULMREC_GRACE_NEED ? "N" : "",
			   flags & ULMREC_GRACE_ENFORCING ? "E" : "");
}

static char *gr_grace(const void *row, enum ulmctl_format f)
{
	bool grace = GRACE(row)->grace;

	if (f == ULMCTL_JSON) /* libsmartcols: "0" is false */
		return strdup(grace ? "1" : "0");
	return strdup(grace ? "yes" : "no");
}

static bool recovering(const void *row)
{
	return GRACE(row)->by != 0;
}

static char *gr_by(const void *row, enum ulmctl_format f)
{
	(void)f;
	return recovering(row) ? number(GRACE(row)->by) : NULL;
}

/* A table: the local time it began; else CLOCK_REALTIME ms. */
static char *gr_since(const void *row, enum ulmctl_format f)
{
	time_t t = (time_t)(GRACE(row)->since_ms / 1000);
	struct tm tm;
	char buf[16];

	if (!recovering(row))
		return NULL;
	if (f != ULMCTL_TABLE)
		return number(GRACE(row)->since_ms);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%H:%M:%S", &tm) == 0)
		return NULL;
	return strdup(buf);
}

/* Until ULM ends the recovery at the latest: a table says "12s", JSON
 * and raw the milliseconds (0 once lapsed). */
static char *gr_left(const void *row, enum ulmctl_format f)
{
	uint64_t now = now_ms(), ends = GRACE(row)->ends_ms;

	if (!recovering(row))
		return NULL;
	if (f == ULMCTL_TABLE)
		return ulmctl_format_expires(ends, now);
	return number(ends > now ? ends - now : 0);
}

static char *gr_reclaimed(const void *row, enum ulmctl_format f)
{
	(void)f;
	return recovering(row) ? number(GRACE(row)->reclaimed) : NULL;
}

static char *gr_unreclaimed(const void *row, enum ulmctl_format f)
{
	(void)f;
	return recovering(row) ? number(GRACE(row)->unreclaimed) : NULL;
}

static char *gr_clients(const void *row, enum ulmctl_format f)
{
	const char *clients = GRACE(row)->clients;

	(void)f;
	return clients && *clients ? strdup(clients) : NULL;
}

static const struct column grace_columns[] = {
	{"kind", 7, 0, STR,
	 "node, address (a service address) or member "
	 "(of Ganesha's grace database, no node known)",
	 gr_kind},
	{"name", 10, 0, STR, "node id, address or member name", gr_name},
	{"node", 4, R, NUM, "node: itself; address: whose clients use it",
	 gr_node},
	{"at", 2, R, NUM,
	 "address: the node serving it (none: released, moving)", gr_at},
	{"member", 6, 0, STR, "the node's name in Ganesha's grace database",
	 gr_member},
	{"ganesha", 7, 0, STR, "its flags there: N needs grace, E enforces it",
	 gr_ganesha},
	{"grace", 5, 0, BOOL,
	 "in grace: its records are being recovered, or "
	 "Ganesha's N",
	 gr_grace},
	{"since", 8, R, NUM, "when ULM's recovery began", gr_since},
	{"left", 6, R, NUM, "time until it ends at the latest (ms in JSON)",
	 gr_left},
	{"by", 2, R, NUM, "the node that ends it (purges what is left)", gr_by},
	{"reclaimed", 9, R, NUM,
	 "reclaims the ending node adopted in its "
	 "life",
	 gr_reclaimed},
	{"unreclaimed", 11, R, NUM, "records still to reclaim", gr_unreclaimed},
	{"clients", 0.4, T, STR, "clients that have not reclaimed yet",
	 gr_clients},
};

static const struct view grace_view = {
	"grace",
	grace_columns,
	sizeof(grace_columns) / sizeof(grace_columns[0]),
	"kind,name,node,at,member,ganesha,grace,since,left,by,reclaimed,"
	"unreclaimed,clients",
	sizeof(struct ulmv_grace_row),
	false};

static const struct view *view_of(enum ulmctl_listing listing)
{
	switch (listing) {
	case ULMCTL_GRACE:
		return &grace_view;
	case ULMCTL_CLIENTS:
		return &client_view;
	case ULMCTL_NODES:
		return &node_view;
	case ULMCTL_LOCKS:
	case ULMCTL_SHARES:
	case ULMCTL_DELEGATIONS:
	case ULMCTL_WAITERS:
	case ULMCTL_RECORDS:
	case ULMCTL_FILE:
		return &record_views[listing];
	default:
		return NULL;
	}
}

/* ---- printing ------------------------------------------------------ */

/* The columns to print: -o's, else the table's defaults, else (JSON,
 * raw) every one. @return how many, or -EINVAL (@p why says which). */
static int choose_columns(const struct view *v, const struct ulmctl_args *a,
			  const struct column **out, char *why, size_t why_len)
{
	char table[256];
	const char *list = a->columns		       ? a->columns
			   : a->format == ULMCTL_TABLE ? table
						       : NULL;
	size_t n = 0, len, i;

	snprintf(table, sizeof(table), "%s%s", v->table,
		 !v->names_file ? ""
		 : a->store	? ",file"
				: ",path");
	if (list == NULL) {
		for (i = 0; i < v->n_columns; i++)
			out[n++] = &v->columns[i];
		return (int)n;
	}
	while (*list) {
		len = strcspn(list, ",");
		for (i = 0; i < v->n_columns; i++)
			if (strlen(v->columns[i].name) == len &&
			    strncasecmp(v->columns[i].name, list, len) == 0)
				break;
		if (i == v->n_columns) {
			snprintf(why, why_len,
				 "unknown column '%.*s' (see --list-columns)",
				 (int)len, list);
			return -EINVAL;
		}
		if (n == v->n_columns) {
			snprintf(why, why_len, "at most %zu columns",
				 v->n_columns);
			return -EINVAL;
		}
		out[n++] = &v->columns[i];
		list += len + (list[len] == ',');
	}
	return (int)n;
}

static int print_raw(const struct column **cols, int n, const char *rows,
		     size_t row_size, size_t n_rows)
{
	char *value, *word;
	const char *sep;

	for (size_t r = 0; r < n_rows; r++) {
		sep = "";
		for (int c = 0; c < n; c++) {
			value = cols[c]->value(rows + r * row_size, ULMCTL_RAW);
			word = value ? ulmv_word(value) : NULL;
			if (word)
				printf("%s%s=%s", sep, cols[c]->name, word);
			sep = word ? " " : sep;
			free(word);
			free(value);
		}
		putchar('\n');
	}
	return ULMCTL_EXIT_OK;
}

static char *upper(const char *name)
{
	char *s = strdup(name);

	for (char *p = s; p && *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	return s;
}

/* One cell: "-" in a table for no value; JSON null. */
static int set_cell(struct libscols_line *line, int c, char *value,
		    enum ulmctl_format format)
{
	if (value == NULL && format == ULMCTL_TABLE)
		value = strdup("-");
	return value ? scols_line_refer_data(line, c, value) : 0;
}

static int fill_table(struct libscols_table *tb, const struct column **cols,
		      int n, const char *rows, size_t row_size, size_t n_rows,
		      enum ulmctl_format format)
{
	struct libscols_column *cl;
	struct libscols_line *line;
	char *header;

	for (int c = 0; c < n; c++) {
		header = upper(cols[c]->name);
		cl = header ? scols_table_new_column(tb, header, cols[c]->whint,
						     cols[c]->flags)
			    : NULL;
		free(header);
		if (cl == NULL || scols_column_set_json_type(cl, cols[c]->json))
			return -ENOMEM;
	}
	for (size_t r = 0; r < n_rows; r++) {
		line = scols_table_new_line(tb, NULL);
		for (int c = 0; line && c < n; c++)
			if (set_cell(
				    line, c,
				    cols[c]->value(rows + r * row_size, format),
				    format) != 0)
				return -ENOMEM;
		if (line == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* The table of @p rows, printed (@p text NULL) or into *@p text. */
static int make_table(const struct ulmctl_args *a, const struct view *v,
		      const struct column **cols, int n, const void *rows,
		      size_t n_rows, bool headings, char **text)
{
	struct libscols_table *tb = scols_new_table();
	int rc = tb ? 0 : -ENOMEM;

	if (rc == 0) {
		scols_table_set_name(tb, v->name);
		scols_table_enable_json(tb, a->format == ULMCTL_JSON);
		scols_table_enable_noheadings(tb, a->noheadings || !headings);
		rc = fill_table(tb, cols, n, rows, v->row_size, n_rows,
				a->format);
	}
	if (rc == 0)
		rc = text ? scols_print_table_to_string(tb, text)
			  : scols_print_table(tb);
	scols_unref_table(tb);
	if (rc != 0)
		return ulmctl_fail("cannot print the table: %s",
				   strerror(rc < 0 ? -rc : rc));
	return ULMCTL_EXIT_OK;
}

static int print_table(const struct ulmctl_args *a, const struct view *v,
		       const struct column **cols, int n, const void *rows,
		       size_t n_rows)
{
	return make_table(a, v, cols, n, rows, n_rows, true, NULL);
}

static int print_view(const struct ulmctl_args *a, const struct view *v,
		      const void *rows, size_t n_rows)
{
	const struct column *cols[32];
	char why[128];
	int n = choose_columns(v, a, cols, why, sizeof(why));

	if (n < 0) {
		fprintf(stderr, "ulmctl: %s\n", why);
		return ULMCTL_EXIT_USAGE;
	}
	if (a->format == ULMCTL_RAW)
		return print_raw(cols, n, rows, v->row_size, n_rows);
	return print_table(a, v, cols, n, rows, n_rows);
}

int ulmctl_print_records(const struct ulmctl_args *a,
			 const struct ulmv_records *set)
{
	return print_view(a, view_of(a->command->listing), set->v, set->n);
}

/* One JSON document of many chunks, as libsmartcols prints one table:
 * the first chunk's opening, every chunk's objects, the closing once.
 * libsmartcols prints a chunk as "{ ... [\n" objects "\n ... ]\n}". */
static int print_json_chunk(struct ulmctl_chunks *c, char *doc, bool last)
{
	char *body = strchr(doc, '[');
	char *close = strrchr(doc, ']');

	if (!body || !close || body > close)
		return ulmctl_fail("cannot print the table: unexpected JSON");
	while (close > body && close[-1] != '\n' && close[-1] != '[')
		close--;
	if (c->printed == 0 && last) { /* all in one: as printed whole */
		printf("%s\n", doc);
		return ULMCTL_EXIT_OK;
	}
	if (!c->close && !(c->close = strdup(close)))
		return ulmctl_fail("out of memory");
	body += body[1] == '\n' ? 2 : 1;
	if (c->printed == 0)
		fwrite(doc, 1, (size_t)(body - doc), stdout);
	if (close > body) {
		/* joined as libsmartcols joins objects: "},{" */
		if (c->printed_objects) {
			putchar(',');
			body += strspn(body, " ");
		}
		/* the objects, without the newline before the closing */
		fwrite(body, 1, (size_t)(close - body - 1), stdout);
		c->printed_objects = true;
	}
	if (last)
		printf("%s%s\n", c->printed_objects ? "\n" : "", c->close);
	return ULMCTL_EXIT_OK;
}

int ulmctl_print_chunk(const struct ulmctl_args *a, struct ulmctl_chunks *c,
		       const struct ulmv_records *set, bool last)
{
	const struct view *v = view_of(a->command->listing);
	const struct column *cols[32];
	char why[128], *doc = NULL;
	int n = choose_columns(v, a, cols, why, sizeof(why)), rc;

	if (n < 0) {
		fprintf(stderr, "ulmctl: %s\n", why);
		return ULMCTL_EXIT_USAGE;
	}
	if (a->format == ULMCTL_RAW)
		rc = print_raw(cols, n, (const char *)set->v, v->row_size,
			       set->n);
	else if (a->format == ULMCTL_TABLE)
		rc = set->n || (last && !c->printed)
			     ? make_table(a, v, cols, n, set->v, set->n,
					  c->printed == 0, NULL)
			     : ULMCTL_EXIT_OK;
	else if ((rc = make_table(a, v, cols, n, set->v, set->n, true, &doc)) ==
		 ULMCTL_EXIT_OK)
		rc = print_json_chunk(c, doc, last);
	free(doc);
	c->printed++;
	return rc;
}

int ulmctl_print_clients(const struct ulmctl_args *a,
			 const struct ulmv_clients *set)
{
	return print_view(a, &client_view, set->v, set->n);
}

int ulmctl_print_nodes(const struct ulmctl_args *a,
		       const struct ulmv_nodes *set)
{
	return print_view(a, &node_view, set->v, set->n);
}

/* A table shows the file above its records; JSON and raw put the key
 * and path in every record. */
int ulmctl_print_file(const struct ulmctl_args *a,
		      const struct ulmctl_file *file)
{
	if (a->format == ULMCTL_TABLE && !a->noheadings) {
		printf("File:    %s\nKey:     %s\n",
		       *file->path ? file->path : "(path not known)",
		       file->key);
		if (file->export_id)
			printf("Export:  %" PRIu16 "\n", file->export_id);
		printf("Records: %zu\n\n", file->records.n);
	}
	return print_view(a, view_of(ULMCTL_FILE), file->records.v,
			  file->records.n);
}

/* A table says first what Ganesha's grace database says. */
int ulmctl_print_grace(const struct ulmctl_args *a,
		       const struct ulmv_grace *grace)
{
	if (a->format == ULMCTL_TABLE && !a->noheadings) {
		if (!grace->have_db)
			printf("Grace database: not read (--grace-db)\n\n");
		else if (grace->rec)
			printf("Grace database: epoch %" PRIu64 ", grace in "
			       "force since epoch %" PRIu64 "\n\n",
			       grace->cur, grace->rec);
		else
			printf("Grace database: epoch %" PRIu64 ", no grace in "
			       "force\n\n",
			       grace->cur);
	}
	return print_view(a, &grace_view, grace->v, grace->n);
}

int ulmctl_check_columns(const struct ulmctl_args *a, char *why, size_t why_len)
{
	const struct view *v = view_of(a->command->listing);
	const struct column *cols[32];

	if (a->columns == NULL)
		return 0;
	if (v == NULL) {
		snprintf(why, why_len, "%s has no columns to choose (-o)",
			 a->command->name);
		return -EINVAL;
	}
	return choose_columns(v, a, cols, why, why_len) < 0 ? -EINVAL : 0;
}

void ulmctl_list_columns(enum ulmctl_listing listing)
{
	const struct view *v = view_of(listing);

	if (v == NULL) {
		printf("(this command prints no columns)\n");
		return;
	}
	for (size_t i = 0; i < v->n_columns; i++)
		printf("%12s  %s\n", v->columns[i].name, v->columns[i].help);
}

/* ---- statistics ------------------------------------------------------ */

static void print_stats_json(const struct ulmctl_stats *s)
{
	printf("{\n   \"stats\": {\n      \"time\": %lld.%09ld,\n"
	       "      \"since\": %lld.%09ld,\n      \"counters\": {",
	       (long long)s->time.tv_sec, s->time.tv_nsec,
	       (long long)s->since.tv_sec, s->since.tv_nsec);
	for (size_t i = 0; i < s->n_counters; i++)
		printf("%s\n         \"%s\": %" PRIu64, i ? "," : "",
		       s->counters[i].name, s->counters[i].value);
	printf("\n      },\n      \"latency\": [");
	for (size_t i = 0; i < s->n_buckets; i++) {
		printf("%s\n         {\"below_us\": ", i ? "," : "");
		if (s->buckets[i].below_us == UINT64_MAX)
			printf("null");
		else
			printf("%" PRIu64, s->buckets[i].below_us);
		printf(", \"calls\": %" PRIu64 "}", s->buckets[i].calls);
	}
	printf("\n      ]\n   }\n}\n");
}

static void print_stats_text(const struct ulmctl_args *a,
			     const struct ulmctl_stats *s)
{
	bool raw = a->format == ULMCTL_RAW;
	char *bucket;

	if (!raw && !a->noheadings)
		printf("Since %lld s ago\n\n%-14s %12s\n",
		       (long long)(s->time.tv_sec - s->since.tv_sec), "COUNTER",
		       "VALUE");
	for (size_t i = 0; i < s->n_counters; i++)
		printf(raw ? "counter=%s value=%" PRIu64 "\n"
			   : "%-14s %12" PRIu64 "\n",
		       s->counters[i].name, s->counters[i].value);
	if (!raw && !a->noheadings)
		printf("\n%-14s %12s\n", "STORE LATENCY", "CALLS");
	for (size_t i = 0; i < s->n_buckets; i++) {
		if (raw) {
			if (s->buckets[i].below_us == UINT64_MAX)
				printf("latency_below_us=rest");
			else
				printf("latency_below_us=%" PRIu64,
				       s->buckets[i].below_us);
			printf(" calls=%" PRIu64 "\n", s->buckets[i].calls);
			continue;
		}
		/* A table shows the buckets that counted something. */
		if (s->buckets[i].calls == 0 && i + 1 < s->n_buckets)
			continue;
		bucket = ulmctl_format_bucket(s->buckets[i].below_us);
		printf("%-14s %12" PRIu64 "\n", bucket ? bucket : "?",
		       s->buckets[i].calls);
		free(bucket);
	}
}

int ulmctl_print_stats(const struct ulmctl_args *a,
		       const struct ulmctl_stats *stats)
{
	if (a->format == ULMCTL_JSON)
		print_stats_json(stats);
	else
		print_stats_text(a, stats);
	return ULMCTL_EXIT_OK;
}
