// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file top.c
 * @brief ulmctl top: a refreshing view of one Ganesha's lock manager, over
 * DBus: lock rates (from ShowStats between two refreshes), each node's
 * records, waiters, lease and grace (ShowNodes; grace: the nodes this
 * Ganesha is reclaiming for, from ShowMetrics), the busiest files (every
 * record, counted by file) and the busiest clients (ShowClients). 'q'
 * quits; so does the end of --iterations.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ulmctl.h"

#define TOP_ROWS_DEFAULT  24
#define TOP_COLS_DEFAULT  80
#define TOP_FIXED_ROWS	  10 /* title, rates, headings, blank lines */
#define TOP_COUNT_COLUMNS 29 /* " LOCKS SHARES DELEGS WAITERS" */

/* The counters whose rates are shown, by their ShowStats names. */
static const char *const rate_counters[] = {"lock", "unlock", "lockt",
					    "conflicts"};
#define RATES (sizeof(rate_counters) / sizeof(rate_counters[0]))

/* One refresh's answers. */
struct top_sample {
	struct ulmctl_stats stats;
	struct ulmv_nodes nodes;
	struct ulmv_records records;
	struct ulmv_clients clients;
	char *metrics;
};

/* One file's records. */
struct top_file {
	const char *name; /* its path, or its key */
	uint32_t count[ULMV_FAMILIES];
	uint32_t total;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void sample_free(struct top_sample *s)
{
	ulmctl_stats_free(&s->stats);
	ulmv_nodes_free(&s->nodes);
	ulmv_records_free(&s->records);
	ulmv_clients_free(&s->clients);
	free(s->metrics);
	memset(s, 0, sizeof(*s));
}

/* Every answer of one refresh. @return an exit code (printed if failed) */
static int sample_take(const struct ulmctl_args *a, struct top_sample *s)
{
	struct ulmctl_command every = *a->command;
	struct ulmctl_args all = *a;
	int rc;

	every.listing = ULMCTL_RECORDS;
	all.command = &every;
	rc = ulmctl_bus_stats(a, &s->stats);
	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_bus_nodes(a, &s->nodes);
	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_bus_records(&all, &s->records);
	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_bus_clients(a, &s->clients);
	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_bus_metrics_text(a, &s->metrics);
	return rc;
}

static uint64_t counter(const struct ulmctl_stats *s, const char *name)
{
	for (size_t i = 0; i < s->n_counters; i++)
		if (strcmp(s->counters[i].name, name) == 0)
			return s->counters[i].value;
	return 0;
}

static double seconds_between(const struct timespec *a,
			      const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void print_rates(const struct top_sample *before,
			const struct top_sample *now)
{
	double span =
		before ? seconds_between(&before->stats.time, &now->stats.time)
		       : 0;

	for (size_t i = 0; i < RATES; i++) {
		uint64_t n = counter(&now->stats, rate_counters[i]);

		if (span > 0)
			printf("%s%s/s %.1f", i ? "  " : "", rate_counters[i],
			       (double)(n - counter(&before->stats,
						    rate_counters[i])) /
				       span);
		else
			printf("%s%s/s -", i ? "  " : "", rate_counters[i]);
	}
	putchar('\n');
}

/* Is @p node being reclaimed for here? Its epoch in @p before_epoch. */
static bool in_grace(const char *metrics, uint32_t node, uint32_t *before_epoch)
{
	char prefix[64];
	const char *at;
	int n = snprintf(prefix, sizeof(prefix),
			 "\nulm_recovery_in_progress{node=\"%" PRIu32 "\"",
			 node);

	at = metrics ? strstr(metrics, prefix) : NULL;
	if (at == NULL)
		return false;
	return sscanf(at + n, ",before_epoch=\"%" SCNu32 "\"", before_epoch) ==
	       1;
}

static void print_nodes(const struct top_sample *s)
{
	static const char *const lease[] = {"-", "live", "fenced", "dead"};

	printf("%-5s %-6s %-7s %-14s %6s %6s %6s %7s\n", "NODE", "EPOCH",
	       "LEASE", "GRACE", "LOCKS", "SHARES", "DELEGS", "WAITERS");
	for (size_t i = 0; i < s->nodes.n; i++) {
		const struct ulmv_node *n = &s->nodes.v[i];
		uint32_t before = 0;
		char grace[32] = "-";

		if (in_grace(s->metrics, n->node, &before))
			snprintf(grace, sizeof(grace), "reclaim <%" PRIu32,
				 before);
		printf("%-5" PRIu32 " %-6" PRIu32 " %-7s %-14s %6" PRIu32
		       " %6" PRIu32 " %6" PRIu32 " %7" PRIu32 "%s\n",
		       n->node, n->epoch, lease[n->lease < 4 ? n->lease : 0],
		       grace, n->count[ULMV_FAMILY_LOCK],
		       n->count[ULMV_FAMILY_SHARE], n->count[ULMV_FAMILY_DELEG],
		       n->count[ULMV_FAMILY_WAIT], n->local ? "  (here)" : "");
	}
}

static int by_total(const void *a, const void *b)
{
	const struct top_file *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Count the records by file (path, or key), busiest first. */
static struct top_file *count_files(const struct ulmv_records *records,
				    size_t *n_out)
{
	struct top_file *files =
		calloc(records->n ? records->n : 1, sizeof(*files));
	size_t n = 0;

	if (files == NULL)
		return NULL;
	for (size_t i = 0; i < records->n; i++) {
		const struct ulmv_record *r = &records->v[i];
		const char *name = *r->path ? r->path : r->file;
		int family = ulmv_family(r->type);
		size_t f = 0;

		while (f < n && strcmp(files[f].name, name) != 0)
			f++;
		if (f == n)
			files[n++].name = name;
		if (family >= 0)
			files[f].count[family]++;
		files[f].total++;
	}
	qsort(files, n, sizeof(*files), by_total);
	*n_out = n;
	return files;
}

/* A name in @p width columns: its end, if it is longer ("...end"). */
static void print_name(const char *name, int width)
{
	int len = (int)strlen(name);

	if (len <= width)
		printf("%-*s", width, name);
	else
		printf("...%s", name + len - (width - 3));
}

/* The file column: the longest name, within what the terminal leaves. */
static int name_width(const struct top_file *files, size_t n, size_t rows,
		      int columns)
{
	int width = (int)strlen("BUSIEST FILES");
	int room = columns - TOP_COUNT_COLUMNS;

	for (size_t i = 0; i < n && i < rows; i++)
		if ((int)strlen(files[i].name) > width)
			width = (int)strlen(files[i].name);
	return width < room ? width : room > 16 ? room : 16;
}

static void print_files(const struct top_sample *s, size_t rows, int columns)
{
	size_t n = 0;
	struct top_file *files = count_files(&s->records, &n);
	int width = files ? name_width(files, n, rows, columns) : 16;

	printf("%-*s %6s %6s %6s %7s\n", width, "BUSIEST FILES", "LOCKS",
	       "SHARES", "DELEGS", "WAITERS");
	for (size_t i = 0; files && i < n && i < rows; i++) {
		print_name(files[i].name, width);
		printf(" %6" PRIu32 " %6" PRIu32 " %6" PRIu32 " %7" PRIu32 "\n",
		       files[i].count[ULMV_FAMILY_LOCK],
		       files[i].count[ULMV_FAMILY_SHARE],
		       files[i].count[ULMV_FAMILY_DELEG],
		       files[i].count[ULMV_FAMILY_WAIT]);
	}
	free(files);
}

static uint32_t client_total(const struct ulmv_client *c)
{
	uint32_t total = 0;

	for (int f = 0; f < ULMV_FAMILIES; f++)
		total += c->count[f];
	return total;
}

static int by_client_total(const void *a, const void *b)
{
	uint32_t x = client_total(a), y = client_total(b);

	if (x != y)
		return x < y ? 1 : -1;
	return strcmp(((const struct ulmv_client *)a)->client,
		      ((const struct ulmv_client *)b)->client);
}

static void print_clients(struct top_sample *s, size_t rows)
{
	qsort(s->clients.v, s->clients.n, sizeof(*s->clients.v),
	      by_client_total);
	printf("%-32s %-5s %4s %6s %6s %6s %7s\n", "BUSIEST CLIENTS", "PROTO",
	       "NODE", "LOCKS", "SHARES", "DELEGS", "WAITERS");
	for (size_t i = 0; i < s->clients.n && i < rows; i++) {
		const struct ulmv_client *c = &s->clients.v[i];

		printf("%-32s %-5s %4" PRIu32 " %6" PRIu32 " %6" PRIu32
		       " %6" PRIu32 " %7" PRIu32 "\n",
		       c->client, ulmv_protocol_name(c->protocol), c->node,
		       c->count[ULMV_FAMILY_LOCK], c->count[ULMV_FAMILY_SHARE],
		       c->count[ULMV_FAMILY_DELEG], c->count[ULMV_FAMILY_WAIT]);
	}
}

static struct winsize terminal_size(void)
{
	struct winsize ws = {.ws_row = TOP_ROWS_DEFAULT,
			     .ws_col = TOP_COLS_DEFAULT};

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 ||
	    ws.ws_col == 0)
		ws = (struct winsize){.ws_row = TOP_ROWS_DEFAULT,
				      .ws_col = TOP_COLS_DEFAULT};
	return ws;
}

static void draw(const struct ulmctl_args *a, const struct top_sample *before,
		 struct top_sample *now)
{
	struct winsize ws = terminal_size();
	int rows = ws.ws_row - TOP_FIXED_ROWS - (int)now->nodes.n;
	size_t each = rows > 4 ? (size_t)rows / 2 : 2;
	char when[16];
	struct tm tm;

	localtime_r(&now->stats.time.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fputs(isatty(STDOUT_FILENO) ? "\033[H\033[2J" : "\n", stdout);
	printf("ulmctl top - %s - every %d s - q quits\n", when, a->delay_s);
	print_rates(before, now);
	putchar('\n');
	print_nodes(now);
	putchar('\n');
	print_files(now, each, ws.ws_col);
	putchar('\n');
	print_clients(now, each);
	fflush(stdout);
}

/* Wait @p seconds, or until 'q' (a terminal in raw mode) or a signal.
 * @return true: quit */
static bool wait_key(int seconds)
{
	struct pollfd in = {.fd = STDIN_FILENO, .events = POLLIN};
	char key;

	if (poll(&in, 1, seconds * 1000) <= 0 || stopping)
		return stopping;
	if (read(STDIN_FILENO, &key, 1) != 1)
		return false;
	return key == 'q' || key == 'Q';
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int ulmctl_top(const struct ulmctl_args *a)
{
	struct top_sample samples[2] = {0};
	struct top_sample *before = NULL, *now = &samples[0];
	struct termios saved, raw;
	bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
	int rc = ULMCTL_EXIT_OK;

	if (tty) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	install_signals();
	for (int round = 1; !stopping; round++) {
		rc = sample_take(a, now);
		if (rc != ULMCTL_EXIT_OK)
			break;
		draw(a, before, now);
		if ((a->iterations && round >= a->iterations) ||
		    wait_key(a->delay_s))
			break;
		if (before)
			sample_free(before);
		before = now;
		now = &samples[before == &samples[0]];
	}
	sample_free(&samples[0]);
	sample_free(&samples[1]);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return rc;
}
