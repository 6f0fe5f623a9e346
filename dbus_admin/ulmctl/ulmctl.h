/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file ulmctl.h
 * @brief ulmctl: show and break the locks of the ULM lock table, through
 * a running Ganesha (DBus, org.ganesha.nfsd.lockmgr) or by reading the
 * store itself (LMDB file or RADOS pool). See docs/ulmctl.1.md.
 */
#ifndef ULMCTL_H
#define ULMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "filter.h"
#include "grace.h"
#include "record.h"
#include "summary.h"

/** Exit codes, as usual for CLIs. */
#define ULMCTL_EXIT_OK	  0
#define ULMCTL_EXIT_ERROR 1 /**< the command failed (message on stderr) */
#define ULMCTL_EXIT_USAGE 2 /**< bad command line (usage on stderr) */

#define ULMCTL_FILTERS_MAX 6

enum ulmctl_format {
	ULMCTL_TABLE, /**< aligned columns for people */
	ULMCTL_JSON,  /**< one JSON document */
	ULMCTL_RAW,   /**< one row per line, KEY=VALUE words */
};

struct ulmctl_command;

/** The command line, parsed. */
struct ulmctl_args {
	const struct ulmctl_command *command;
	const char *operand;	/**< file: FILE; break, recall: ID */
	const char *break_kind; /**< break: lock, share or delegation */
	enum ulmctl_format format;
	bool noheadings;
	const char *columns; /**< -o: comma-separated column names */
	const char *store;   /**< NULL: ask Ganesha over DBus */
	const char *ceph_conf;
	const char *user;
	const char *keyring;
	const char *grace_db; /**< grace: POOL[/NAMESPACE[/OID]] */
	int timeout_ms;	      /**< DBus call timeout */
	int delay_s;	      /**< top: seconds between refreshes */
	int iterations;	      /**< top: refreshes before it ends; 0: q */
	bool list_columns;    /**< --list-columns: print them, do nothing */
	size_t n_filters;
	const char *filter_names[ULMCTL_FILTERS_MAX];
	const char *filter_values[ULMCTL_FILTERS_MAX];
};

/** What a command asks of a source of records. */
enum ulmctl_listing {
	ULMCTL_LOCKS,
	ULMCTL_SHARES,
	ULMCTL_DELEGATIONS,
	ULMCTL_WAITERS,
	ULMCTL_RECORDS, /**< every family */
	ULMCTL_CLIENTS,
	ULMCTL_NODES,
	ULMCTL_FILE,
	ULMCTL_STATS,
	ULMCTL_METRICS,
	ULMCTL_TOP,
	ULMCTL_BREAK,
	ULMCTL_RECALL,
	ULMCTL_GRACE,
};

struct ulmctl_command {
	const char *name;
	enum ulmctl_listing listing;
	int operands; /**< positional arguments after the name */
	const char *synopsis;
	const char *help;
};

/* args.c */
/**
 * @brief Parse the command line into @p a.
 * @param[out] why on ULMCTL_EXIT_USAGE: what is wrong
 * @return ULMCTL_EXIT_OK, ULMCTL_EXIT_USAGE, or -1 for --help/--version
 *         (already printed on stdout)
 */
int ulmctl_parse(int argc, char **argv, struct ulmctl_args *a, char *why,
		 size_t why_len);
/** @brief The usage text (for --help and after a usage error). */
void ulmctl_usage(FILE *out);
/** @brief Fill @p f from the filter options. @return 0 or -EINVAL (why) */
int ulmctl_filter(const struct ulmctl_args *a, unsigned types,
		  struct ulmv_filter *f, char *why, size_t why_len);
/** @brief The record families a listing shows. */
unsigned ulmctl_types(enum ulmctl_listing listing);

/** @brief Print "ulmctl: MESSAGE" on stderr. @return ULMCTL_EXIT_ERROR */
int ulmctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** One file and its records (the file command). */
struct ulmctl_file {
	char *key;
	char *path;
	uint16_t export_id;
	struct ulmv_records records;
};

struct ulmctl_counter {
	char *name;
	uint64_t value;
};

/** Lock store calls that took less than below_us microseconds (and not
 *  less than the bucket before's bound); UINT64_MAX: the slower rest. */
struct ulmctl_bucket {
	uint64_t below_us;
	uint64_t calls;
};

/** Statistics of one Ganesha (the stats command). */
struct ulmctl_stats {
	struct timespec time;
	struct timespec since;
	size_t n_counters;
	struct ulmctl_counter *counters;
	size_t n_buckets;
	struct ulmctl_bucket *buckets;
};

void ulmctl_file_free(struct ulmctl_file *file);
void ulmctl_stats_free(struct ulmctl_stats *stats);

/* bus.c: a running Ganesha, over the system bus. Each returns an exit
 * code, having printed any error. */
int ulmctl_bus_records(const struct ulmctl_args *a, struct ulmv_records *out);
int ulmctl_bus_clients(const struct ulmctl_args *a, struct ulmv_clients *out);
int ulmctl_bus_nodes(const struct ulmctl_args *a, struct ulmv_nodes *out);
int ulmctl_bus_file(const struct ulmctl_args *a, struct ulmctl_file *out);
int ulmctl_bus_stats(const struct ulmctl_args *a, struct ulmctl_stats *out);
/** @brief The grace rows of the Ganesha's cluster (ShowGrace). */
int ulmctl_bus_grace(const struct ulmctl_args *a, struct ulmv_grace *out);
/** @brief The metrics' text (ShowMetrics), malloc'd into @p out. */
int ulmctl_bus_metrics_text(const struct ulmctl_args *a, char **out);
/** @brief Print the metrics' text on stdout. */
int ulmctl_bus_metrics(const struct ulmctl_args *a);

/* top.c */
/** @brief The refreshing view, until 'q', a signal or --iterations. */
int ulmctl_top(const struct ulmctl_args *a);
/** break and recall: prints Ganesha's answer on stdout. */
int ulmctl_bus_act(const struct ulmctl_args *a);

/* store.c: the lock store itself, read-only, no Ganesha needed. */
/** @brief The store --store names (lmdb:DIR, DIR, rados:POOL[/NAMESPACE])
 *  as libulm's read-only config; @p pool_buf (free() it) holds the pool
 *  and namespace. @return 0, -EINVAL, -ENOMEM */
int ulmctl_store_config(const struct ulmctl_args *a, struct ulm_env_config *cfg,
			char **pool_buf);
/** @brief The records meeting the filters (@p out NULL: none read), and
 *  with @p nodes the nodes they are of and every registered node with its
 *  lease. */
int ulmctl_store_read(const struct ulmctl_args *a, struct ulmv_records *out,
		      struct ulmv_nodes *nodes);
int ulmctl_store_records(const struct ulmctl_args *a, struct ulmv_records *out);
/** @brief A record listing of the store, printed as it is read (memory:
 *  one chunk of records, whatever the store's size). */
int ulmctl_store_stream(const struct ulmctl_args *a);
int ulmctl_store_file(const struct ulmctl_args *a, struct ulmctl_file *out);
/** @brief Nodes of the store's records, and every registered node with
 *  its lease. */
int ulmctl_store_nodes(const struct ulmctl_args *a, struct ulmv_nodes *out);
/** @brief break node N --store: remove every record and file token of
 *  node N, refused while N holds its liveness lease. */
int ulmctl_store_break_node(const struct ulmctl_args *a);

/* grace.c: grace in the cluster, from RADOS (recovery entries, service
 * addresses, records, Ganesha's grace database). */
int ulmctl_grace_read(const struct ulmctl_args *a, struct ulmv_grace *out);

/* output.c */
int ulmctl_print_records(const struct ulmctl_args *a,
			 const struct ulmv_records *set);
/** A listing printed a chunk at a time: one table, one JSON document. */
struct ulmctl_chunks {
	size_t printed;	      /**< chunks so far */
	bool printed_objects; /**< JSON: an object is out (a comma next) */
	char *close; /**< the JSON document's end, from its first chunk */
};
/** @brief Print @p set as the next chunk of the listing (@p last: the
 *  end of it, @p set maybe empty); a table has its headings once, its
 *  columns are sized chunk by chunk. */
int ulmctl_print_chunk(const struct ulmctl_args *a, struct ulmctl_chunks *c,
		       const struct ulmv_records *set, bool last);
int ulmctl_print_clients(const struct ulmctl_args *a,
			 const struct ulmv_clients *set);
int ulmctl_print_nodes(const struct ulmctl_args *a,
		       const struct ulmv_nodes *set);
int ulmctl_print_file(const struct ulmctl_args *a,
		      const struct ulmctl_file *file);
int ulmctl_print_stats(const struct ulmctl_args *a,
		       const struct ulmctl_stats *stats);
int ulmctl_print_grace(const struct ulmctl_args *a,
		       const struct ulmv_grace *grace);
/** @brief Are the -o columns known to the command? @return 0 or -EINVAL
 *  (@p why says which) */
int ulmctl_check_columns(const struct ulmctl_args *a, char *why,
			 size_t why_len);
/** @brief --list-columns of a listing, on stdout. */
void ulmctl_list_columns(enum ulmctl_listing listing);

/* format.c: values as people and scripts see them (malloc'd strings) */
/** A formatted string (malloc'd), or NULL (no memory). */
char *ulmctl_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** "0".."N", or "eof" for ULM_EOF. */
char *ulmctl_format_end(uint64_t end);
/** Time left until @p expires_ms (CLOCK_REALTIME ms) from @p now_ms:
 *  "never" for 0, "lapsed", "12s", "3m20s", "2h5m". */
char *ulmctl_format_expires(uint64_t expires_ms, uint64_t now_ms);
/** Time since @p since_ms (CLOCK_REALTIME ms) at @p now_ms, as above;
 *  "?" for 0 (not known), "0s" for a time still to come. */
char *ulmctl_format_age(uint64_t since_ms, uint64_t now_ms);
/** An identity's text (ulmv_text()) for people (@p human): as it is if
 *  printable, else 0x and its bytes in hex; else the text itself. */
char *ulmctl_format_identity(const char *text, bool human);
/** An NLM owner (4 bytes, big-endian svid): "svid N", else as above. */
char *ulmctl_format_svid(const char *text);
/** A latency bucket's bound: "<1us", "<2us", ... "<1.0s", "rest". */
char *ulmctl_format_bucket(uint64_t bound_us);

#endif /* ULMCTL_H */
