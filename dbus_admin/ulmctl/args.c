// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file args.c
 * @brief ulmctl's command line: the subcommand table, options, filters.
 * Full command names only (no abbreviations that later commands would
 * make ambiguous).
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ulmctl.h"

#define DEFAULT_TIMEOUT_S 25 /* libdbus's own default */
#define MAX_TIMEOUT_S	  3600
#define DEFAULT_DELAY_S	  2

static const struct ulmctl_command commands[] = {
	{"locks", ULMCTL_LOCKS, 0, "locks", "byte-range locks"},
	{"shares", ULMCTL_SHARES, 0, "shares",
	 "share reservations (OPEN access/deny, NLM_SHARE)"},
	{"delegations", ULMCTL_DELEGATIONS, 0, "delegations",
	 "NFSv4 delegations"},
	{"waiters", ULMCTL_WAITERS, 0, "waiters",
	 "blocked lock requests, in queue order"},
	{"records", ULMCTL_RECORDS, 0, "records",
	 "every record: locks, shares, delegations, waiters"},
	{"clients", ULMCTL_CLIENTS, 0, "clients",
	 "clients known to the table, and what they hold"},
	{"nodes", ULMCTL_NODES, 0, "nodes", "nodes known to the table"},
	{"file", ULMCTL_FILE, 1, "file PATH|KEY",
	 "one file: its key, path and records"},
	{"stats", ULMCTL_STATS, 0, "stats",
	 "lock counters and lock store latency of the Ganesha asked"},
	{"metrics", ULMCTL_METRICS, 0, "metrics",
	 "the metrics in Prometheus' text format (node_exporter's textfile "
	 "collector)"},
	{"top", ULMCTL_TOP, 0, "top",
	 "a refreshing view: lock rates, nodes (waiters, grace), the busiest "
	 "files and clients ('q' quits)"},
	{"break", ULMCTL_BREAK, 2, "break lock|share|delegation|node ID",
	 "break a lock, revoke a share reservation or a delegation; with "
	 "--store: clear a dead node's records"},
	{"recall", ULMCTL_RECALL, 1, "recall ID", "recall a delegation"},
	{"grace", ULMCTL_GRACE, 0, "grace",
	 "who is in grace, cluster-wide (Ganesha, or --store rados:POOL)"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void ulmctl_usage(FILE *out)
{
	fputs("Usage: ulmctl [OPTIONS] COMMAND [ARGS]\n\n"
	      "Show and break the locks of the ULM lock table: through the "
	      "running Ganesha\n(DBus), or reading the lock store itself "
	      "(--store).\n\nCommands:\n",
	      out);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-31s %s\n", commands[i].synopsis,
			commands[i].help);
	fputs("\nFilters (listings):\n"
	      "      --file KEY          the file with this key (hex)\n"
	      "      --path PATH         the file at this path on the server "
	      "(DBus only)\n"
	      "      --export ID         files of this export (DBus only)\n"
	      "      --client TEXT       clients whose identity contains "
	      "TEXT\n"
	      "      --protocol NAME     nlm, nfs4, smb, local or 9p\n"
	      "      --node N            records made through node N\n"
	      "\nOutput:\n"
	      "  -J, --json              JSON\n"
	      "  -r, --raw               one row per line, KEY=VALUE words\n"
	      "  -n, --noheadings        no column headings\n"
	      "  -o, --output LIST       columns to show (see "
	      "--list-columns)\n"
	      "      --list-columns      the command's columns, then exit\n"
	      "\nSource:\n"
	      "  -s, --store STORE       read the store, no Ganesha needed:\n"
	      "                          lmdb:DIR (or DIR), "
	      "rados:POOL[/NAMESPACE]\n"
	      "      --ceph-conf FILE    RADOS: ceph.conf (default: Ceph's "
	      "search)\n"
	      "      --user NAME         RADOS: cephx user without "
	      "\"client.\"\n"
	      "      --keyring FILE      RADOS: keyring\n"
	      "      --grace-db POOL[/NAMESPACE[/OID]]\n"
	      "                          grace --store: Ganesha's grace "
	      "database "
	      "(RADOS_KV)\n"
	      "  -t, --timeout SECONDS   DBus: how long to wait for Ganesha "
	      "(default 25)\n"
	      "\ntop:\n"
	      "      --delay SECONDS     between refreshes (default 2)\n"
	      "      --iterations N      refreshes, then exit (default: "
	      "until 'q')\n"
	      "\n  -h, --help              this help\n"
	      "  -V, --version           version\n"
	      "\nExit status: 0 done, 1 failed (message on stderr), 2 bad "
	      "command line.\nSee ulmctl(1).\n",
	      out);
}

unsigned ulmctl_types(enum ulmctl_listing listing)
{
	switch (listing) {
	case ULMCTL_LOCKS:
		return ULMV_LOCKS;
	case ULMCTL_SHARES:
		return ULMV_SHARES;
	case ULMCTL_DELEGATIONS:
		return ULMV_DELEGATIONS;
	case ULMCTL_WAITERS:
		return ULMV_WAITERS;
	default:
		return ULMV_ALL;
	}
}

static int usage_error(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int usage_error(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return ULMCTL_EXIT_USAGE;
}

enum long_only {
	OPT_FILE = 256,
	OPT_PATH,
	OPT_EXPORT,
	OPT_CLIENT,
	OPT_PROTOCOL,
	OPT_NODE,
	OPT_CEPH_CONF,
	OPT_USER,
	OPT_KEYRING,
	OPT_GRACE_DB,
	OPT_LIST_COLUMNS,
	OPT_DELAY,
	OPT_ITERATIONS,
};

static const struct option options[] = {
	{"file", required_argument, NULL, OPT_FILE},
	{"path", required_argument, NULL, OPT_PATH},
	{"export", required_argument, NULL, OPT_EXPORT},
	{"client", required_argument, NULL, OPT_CLIENT},
	{"protocol", required_argument, NULL, OPT_PROTOCOL},
	{"node", required_argument, NULL, OPT_NODE},
	{"json", no_argument, NULL, 'J'},
	{"raw", no_argument, NULL, 'r'},
	{"noheadings", no_argument, NULL, 'n'},
	{"output", required_argument, NULL, 'o'},
	{"list-columns", no_argument, NULL, OPT_LIST_COLUMNS},
	{"store", required_argument, NULL, 's'},
	{"ceph-conf", required_argument, NULL, OPT_CEPH_CONF},
	{"user", required_argument, NULL, OPT_USER},
	{"keyring", required_argument, NULL, OPT_KEYRING},
	{"grace-db", required_argument, NULL, OPT_GRACE_DB},
	{"timeout", required_argument, NULL, 't'},
	{"delay", required_argument, NULL, OPT_DELAY},
	{"iterations", required_argument, NULL, OPT_ITERATIONS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* The filter option of @p opt, by its name in filter.h. */
static const char *filter_name(int opt)
{
	static const char *const names[] = {
		[OPT_FILE - OPT_FILE] = "file",
		[OPT_PATH - OPT_FILE] = "path",
		[OPT_EXPORT - OPT_FILE] = "export",
		[OPT_CLIENT - OPT_FILE] = "client",
		[OPT_PROTOCOL - OPT_FILE] = "protocol",
		[OPT_NODE - OPT_FILE] = "node",
	};

	return opt >= OPT_FILE && opt <= OPT_NODE ? names[opt - OPT_FILE]
						  : NULL;
}

static int set_format(struct ulmctl_args *a, enum ulmctl_format format,
		      char *why, size_t why_len)
{
	if (a->format != ULMCTL_TABLE && a->format != format)
		return usage_error(why, why_len,
				   "--json and --raw are mutually exclusive");
	a->format = format;
	return ULMCTL_EXIT_OK;
}

/* --NAME's value: a decimal number in [min, max] (of @p unit). */
static int set_number(const char *name, const char *value, int min, int max,
		      const char *unit, int *out, char *why, size_t why_len)
{
	char *end;
	long n = strtol(value, &end, 10);

	if (*value < '0' || *value > '9' || *end || n < min || n > max)
		return usage_error(why, why_len,
				   "--%s must be %d to %d%s, not '%s'", name,
				   min, max, unit, value);
	*out = (int)n;
	return ULMCTL_EXIT_OK;
}

static int add_filter(struct ulmctl_args *a, const char *name,
		      const char *value)
{
	for (size_t i = 0; i < a->n_filters; i++)
		if (strcmp(a->filter_names[i], name) == 0) {
			a->filter_values[i] = value;
			return ULMCTL_EXIT_OK;
		}
	a->filter_names[a->n_filters] = name;
	a->filter_values[a->n_filters++] = value;
	return ULMCTL_EXIT_OK;
}

/* One option; -1 after --help or --version. */
static int parse_option(int opt, struct ulmctl_args *a, char *why,
			size_t why_len)
{
	int rc;

	switch (opt) {
	case 'J':
		return set_format(a, ULMCTL_JSON, why, why_len);
	case 'r':
		return set_format(a, ULMCTL_RAW, why, why_len);
	case 'n':
		a->noheadings = true;
		return ULMCTL_EXIT_OK;
	case 'o':
		a->columns = optarg;
		return ULMCTL_EXIT_OK;
	case OPT_LIST_COLUMNS:
		a->list_columns = true;
		return ULMCTL_EXIT_OK;
	case 's':
		a->store = optarg;
		return ULMCTL_EXIT_OK;
	case OPT_CEPH_CONF:
		a->ceph_conf = optarg;
		return ULMCTL_EXIT_OK;
	case OPT_USER:
		a->user = optarg;
		return ULMCTL_EXIT_OK;
	case OPT_KEYRING:
		a->keyring = optarg;
		return ULMCTL_EXIT_OK;
	case OPT_GRACE_DB:
		a->grace_db = optarg;
		return ULMCTL_EXIT_OK;
	case 't':
		rc = set_number("timeout", optarg, 1, MAX_TIMEOUT_S, " seconds",
				&a->timeout_ms, why, why_len);
		a->timeout_ms *= 1000;
		return rc;
	case OPT_DELAY:
		return set_number("delay", optarg, 1, MAX_TIMEOUT_S, " seconds",
				  &a->delay_s, why, why_len);
	case OPT_ITERATIONS:
		return set_number("iterations", optarg, 1, INT_MAX / 2, "",
				  &a->iterations, why, why_len);
	case 'h':
		ulmctl_usage(stdout);
		return -1;
	case 'V':
		printf("ulmctl %d.%d\n", ULM_VERSION_MAJOR, ULM_VERSION_MINOR);
		return -1;
	default:
		if (filter_name(opt) != NULL)
			return add_filter(a, filter_name(opt), optarg);
		return usage_error(why, why_len,
				   "unknown option (see ulmctl --help)");
	}
}

static const struct ulmctl_command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The command and its operands, after the options. */
static int parse_command(int argc, char **argv, struct ulmctl_args *a,
			 char *why, size_t why_len)
{
	static const char *const kinds[] = {"lock", "share", "delegation",
					    "node"};
	const struct ulmctl_command *c;
	int operands = argc - optind - 1;

	if (optind >= argc)
		return usage_error(why, why_len,
				   "no command (see ulmctl "
				   "--help)");
	c = find_command(argv[optind]);
	if (c == NULL)
		return usage_error(why, why_len,
				   "unknown command '%s' (see ulmctl --help)",
				   argv[optind]);
	if (operands != c->operands && !(a->list_columns && operands == 0))
		return usage_error(why, why_len, "usage: ulmctl %s",
				   c->synopsis);
	a->command = c;
	if (c->listing == ULMCTL_BREAK && operands == 2) {
		a->break_kind = argv[optind + 1];
		a->operand = argv[optind + 2];
		for (size_t i = 0; i < 4; i++)
			if (strcmp(a->break_kind, kinds[i]) == 0)
				return ULMCTL_EXIT_OK;
		return usage_error(why, why_len,
				   "break what: lock, share, delegation or "
				   "node, not '%s'",
				   a->break_kind);
	}
	a->operand = operands ? argv[optind + 1] : NULL;
	return ULMCTL_EXIT_OK;
}

int ulmctl_filter(const struct ulmctl_args *a, unsigned types,
		  struct ulmv_filter *f, char *why, size_t why_len)
{
	memset(f, 0, sizeof(*f));
	f->types = types;
	for (size_t i = 0; i < a->n_filters; i++)
		if (ulmv_filter_set(f, a->filter_names[i], a->filter_values[i],
				    why, why_len) != 0) {
			ulmv_filter_free(f);
			return -EINVAL;
		}
	return 0;
}

/* What only a running Ganesha can do, refused with --store. */
static int check_offline(const struct ulmctl_args *a, char *why, size_t why_len)
{
	enum ulmctl_listing l = a->command->listing;

	if (a->store == NULL || strncmp(a->store, "rados:", 6) != 0) {
		if (a->ceph_conf || a->user || a->keyring)
			return usage_error(why, why_len,
					   "--ceph-conf, --user and --keyring "
					   "go with --store rados:POOL");
	}
	if (l == ULMCTL_BREAK && a->break_kind &&
	    (a->store != NULL) != (strcmp(a->break_kind, "node") == 0))
		return usage_error(why, why_len,
				   a->store
					   ? "with --store only 'break node N' "
					     "(a dead node's records); the "
					     "others need a running Ganesha"
					   : "break node needs --store (it "
					     "clears a dead node's records "
					     "in the store itself)");
	if (a->grace_db && l != ULMCTL_GRACE)
		return usage_error(why, why_len, "--grace-db goes with grace");
	if ((a->delay_s != DEFAULT_DELAY_S || a->iterations) && l != ULMCTL_TOP)
		return usage_error(why, why_len,
				   "--delay and --iterations go with top");
	if ((l == ULMCTL_METRICS || l == ULMCTL_TOP) &&
	    (a->format != ULMCTL_TABLE || a->columns || a->noheadings ||
	     a->n_filters))
		return usage_error(why, why_len,
				   "%s has a format of its own: no --json, "
				   "--raw, -o, -n or filters",
				   a->command->name);
	/* Grace is the cluster's: RADOS holds it, or a Ganesha on it. */
	if (l == ULMCTL_GRACE && !a->list_columns &&
	    ((a->store && strncmp(a->store, "rados:", 6) != 0) || a->n_filters))
		return usage_error(why, why_len,
				   "grace reads the cluster's state in RADOS: "
				   "give --store rados:POOL[/NAMESPACE] (or "
				   "none: ask the local Ganesha), no filters");
	if (l == ULMCTL_GRACE && a->grace_db && a->store == NULL)
		return usage_error(why, why_len,
				   "--grace-db goes with --store: Ganesha "
				   "reads its own grace database");
	if (a->store == NULL)
		return ULMCTL_EXIT_OK;
	if (strcmp(a->store, "") == 0 || strcmp(a->store, "lmdb:") == 0 ||
	    strcmp(a->store, "rados:") == 0 ||
	    strncmp(a->store, "rados:/", 7) == 0)
		return usage_error(why, why_len,
				   "--store '%s': give lmdb:DIR (or DIR) or "
				   "rados:POOL[/NAMESPACE]",
				   a->store);
	if (l == ULMCTL_STATS || l == ULMCTL_METRICS || l == ULMCTL_TOP ||
	    l == ULMCTL_RECALL)
		return usage_error(why, why_len,
				   "%s needs a running Ganesha (drop --store)",
				   a->command->name);
	for (size_t i = 0; i < a->n_filters; i++)
		if (strcmp(a->filter_names[i], "path") == 0 ||
		    strcmp(a->filter_names[i], "export") == 0)
			return usage_error(
				why, why_len,
				"--%s needs a running Ganesha to resolve it "
				"(drop --store, or filter by --file KEY)",
				a->filter_names[i]);
	if (l == ULMCTL_FILE && a->operand && *a->operand == '/')
		return usage_error(why, why_len,
				   "a path needs a running Ganesha; with "
				   "--store give the file's key");
	return ULMCTL_EXIT_OK;
}

int ulmctl_parse(int argc, char **argv, struct ulmctl_args *a, char *why,
		 size_t why_len)
{
	struct ulmv_filter f;
	int opt, rc;

	memset(a, 0, sizeof(*a));
	a->timeout_ms = DEFAULT_TIMEOUT_S * 1000;
	a->delay_s = DEFAULT_DELAY_S;
	optind = 0; /* GNU: start afresh (tests parse many lines) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "Jrno:s:t:hV", options, NULL)) !=
	       -1) {
		if (opt == '?' || opt == ':')
			return usage_error(why, why_len,
					   "unknown option or missing value "
					   "(see ulmctl --help)");
		rc = parse_option(opt, a, why, why_len);
		if (rc != ULMCTL_EXIT_OK)
			return rc;
	}
	rc = parse_command(argc, argv, a, why, why_len);
	if (rc == ULMCTL_EXIT_OK)
		rc = check_offline(a, why, why_len);
	if (rc == ULMCTL_EXIT_OK &&
	    ulmctl_filter(a, ULMV_ALL, &f, why, why_len) != 0)
		rc = ULMCTL_EXIT_USAGE;
	else if (rc == ULMCTL_EXIT_OK)
		ulmv_filter_free(&f);
	return rc;
}

int ulmctl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("ulmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return ULMCTL_EXIT_ERROR;
}
