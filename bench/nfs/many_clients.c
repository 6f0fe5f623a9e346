/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-nfs-many: N clients of one server each hold K byte-range locks on a
 * file of their own, and while they all hold them a probe measures
 * LOCK+LOCKU latency.  NFSv4 clients have a client id each (SETCLIENTID,
 * or EXCHANGE_ID with --minor 1); with --nlm they are NLM v4 hosts, each
 * with its own caller name (a loopback address, 127.1.x.y, which the
 * server's rpc.statd accepts to monitor).  One thread: the clients are set
 * up one after another, then the probe goes round them, client i locking
 * and unlocking one more range of its file, for SECONDS.  Cleanup: each
 * client unlocks its ranges, closes its file and (4.1) destroys its client
 * id; then a checker client locks every file whole: a denial is a lock
 * left behind.  With --server-pid, the server's RSS is read at each step.
 * Prints one machine-readable line:
 *   clients= locks= setup_s= rss_before_kib= rss_held_kib= pairs=
 *   median_us= p99_us= rss_probed_kib= cleanup_s= rss_cleaned_kib=
 *   left_locked=
 */
#include "bench_target.h"
#include "latency.h"
#include "nfs4_client.h"
#include "nlm_client.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw-nfs4.h>
#include <nfsc/libnfs-raw-nlm.h>

#define MAX_CLIENTS 100000
#define MAX_LOCKS   10000
/* Held range j is [2j, 2j+1): a gap between ranges keeps them apart. */
#define RANGE_STRIDE  2
#define HOLDER_OWNER  "held"
#define CHECKER_OWNER "check"
#define NLM_SVID      1

struct many_options {
	struct bench_target target;
	int clients;
	int locks;
	unsigned int minor;
	bool nlm;
	long server_pid;
};

/* One simulated client: an NFSv4 client id with its open, or an NLM host. */
struct many_client {
	struct nfs4_session *session;
	struct nfs4_file *file;
	struct nlm_client *nlm;
	char path[64];
};

struct many_result {
	double setup_s, cleanup_s;
	long rss_before, rss_held, rss_probed, rss_cleaned;
	struct latency_log pairs;
	int left_locked;
};

static double seconds_since(uint64_t start_us)
{
	return (latency_now_us() - start_us) / 1e6;
}

/* VmRSS of @p pid in KiB, -1 if unknown (no pid given, or gone). */
static long rss_kib(long pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *status;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	status = fopen(path, "r");
	if (!status)
		return -1;
	while (fgets(line, sizeof(line), status))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(status);
	return kib;
}

static const char *status_name(const struct many_options *opts, int status)
{
	return opts->nlm ? nlm_status_name(status) : nfs4_status_name(status);
}

/* Lock (or, with @p unlock, unlock) @p length bytes at @p offset. */
static int client_range(struct many_client *client, uint64_t offset,
			uint64_t length, bool unlock)
{
	const struct nlm_range nlm = {
		.offset = offset, .length = length, .write = true};
	const struct nfs4_range v4 = {
		.offset = offset, .length = length, .write = true};
	struct nfs4_range denied;

	if (client->nlm)
		return unlock ? nlm_client_unlock(client->nlm, client->path,
						  NLM_SVID, &nlm)
			      : nlm_client_lock(client->nlm, client->path,
						NLM_SVID, &nlm, false);
	return unlock ? nfs4_file_unlock(client->session, client->file,
					 HOLDER_OWNER, &v4)
		      : nfs4_file_lock(client->session, client->file,
				       HOLDER_OWNER, &v4, false, &denied);
}

/* Connect client @p index, open its file and lock its K ranges. */
static int client_setup(const struct many_options *opts, int index,
			struct many_client *client)
{
	const struct nfs4_security sys = {.flavour = NFS4_SEC_SYS};
	char name[64];
	int status, j;

	snprintf(client->path, sizeof(client->path), "%s.%d", opts->target.file,
		 index);
	if (opts->nlm) {
		snprintf(name, sizeof(name), "127.%d.%d.%d", 1 + index / 65536,
			 index / 256 % 256, index % 256);
		client->nlm = nlm_client_create(opts->target.server,
						opts->target.export, name);
		if (!client->nlm)
			return -ENOMEM;
	} else {
		snprintf(name, sizeof(name), "ulm-nfs-many-%d-%d",
			 (int)getpid(), index);
		status = nfs4_session_create_sec(
			opts->target.server, opts->target.export, name, &sys,
			opts->minor, 0, &client->session);
		if (status != NFS4_OK)
			return status;
		status = nfs4_file_open(client->session, client->path,
					OPEN4_SHARE_ACCESS_BOTH,
					OPEN4_SHARE_DENY_NONE, &client->file);
		if (status != NFS4_OK)
			return status;
	}
	for (j = 0; j < opts->locks; j++) {
		status = client_range(client, (uint64_t)j * RANGE_STRIDE, 1,
				      false);
		if (status != 0)
			return status;
	}
	return 0;
}

/* Unlock every range of @p client, close its file, forget it: status. */
static int client_cleanup(const struct many_options *opts,
			  struct many_client *client)
{
	int status = 0;

	if (client->nlm || client->file)
		status = client_range(
			client, 0, (uint64_t)(opts->locks + 1) * RANGE_STRIDE,
			true);
	if (client->file && status == NFS4_OK)
		status = nfs4_file_close(client->session, client->file);
	if (client->session) {
		nfs4_session_release(client->session);
		nfs4_session_destroy(client->session);
	}
	if (client->nlm)
		nlm_client_destroy(client->nlm);
	*client = (struct many_client){0};
	return status;
}

/* LOCK+LOCKU of the range past the held ones, round the clients. */
static int probe(const struct many_options *opts, struct many_client *clients,
		 struct latency_log *pairs)
{
	uint64_t offset = (uint64_t)opts->locks * RANGE_STRIDE, start, end;
	int i = 0, status;

	end = latency_now_us() + (uint64_t)(opts->target.seconds * 1e6);
	while ((start = latency_now_us()) < end) {
		status = client_range(&clients[i], offset, 1, false);
		if (status == 0)
			status = client_range(&clients[i], offset, 1, true);
		if (status != 0) {
			fprintf(stderr, "probe, client %d: %s\n", i,
				status_name(opts, status));
			return status;
		}
		if (latency_log_add(pairs, latency_now_us() - start) < 0)
			return -ENOMEM;
		i = (i + 1) % opts->clients;
	}
	return 0;
}

/* A fresh NFSv4.0 client locks each file whole: how many are still held. */
static int count_left_locked(const struct many_options *opts)
{
	const struct nfs4_range whole = {
		.offset = 0, .length = UINT64_MAX, .write = true};
	struct nfs4_range denied;
	struct nfs4_session *checker;
	struct nfs4_file *file;
	char name[64], path[64];
	int left = 0, i, status;

	snprintf(name, sizeof(name), "ulm-nfs-many-%d-check", (int)getpid());
	status = nfs4_session_create(opts->target.server, opts->target.export,
				     name, &checker);
	if (status != NFS4_OK)
		return status < 0 ? status : -EIO;
	for (i = 0; i < opts->clients; i++) {
		snprintf(path, sizeof(path), "%s.%d", opts->target.file, i);
		status = nfs4_file_open(checker, path, OPEN4_SHARE_ACCESS_BOTH,
					OPEN4_SHARE_DENY_NONE, &file);
		if (status == NFS4_OK)
			status = nfs4_file_lock(checker, file, CHECKER_OWNER,
						&whole, false, &denied);
		if (status == NFS4ERR_DENIED)
			left++;
		else if (status == NFS4_OK)
			status = nfs4_file_unlock(checker, file, CHECKER_OWNER,
						  &whole);
		if (status == NFS4_OK || status == NFS4ERR_DENIED)
			status = nfs4_file_close(checker, file);
		if (status != NFS4_OK) {
			fprintf(stderr, "check %s: %s\n", path,
				nfs4_status_name(status));
			left = -EIO;
			break;
		}
	}
	nfs4_session_destroy(checker);
	return left;
}

/* Set up every client: 0, or the first failure (reported). */
static int setup_all(const struct many_options *opts,
		     struct many_client *clients)
{
	int i, status;

	for (i = 0; i < opts->clients; i++) {
		status = client_setup(opts, i, &clients[i]);
		if (status != 0) {
			fprintf(stderr, "setup, client %d: %s\n", i,
				status_name(opts, status));
			return status;
		}
	}
	return 0;
}

/* Clean every client up, even past a failure: 0, or the first failure. */
static int cleanup_all(const struct many_options *opts,
		       struct many_client *clients)
{
	int i, status, first = 0;

	for (i = 0; i < opts->clients; i++) {
		status = client_cleanup(opts, &clients[i]);
		if (status != 0 && first == 0) {
			fprintf(stderr, "cleanup, client %d: %s\n", i,
				status_name(opts, status));
			first = status;
		}
	}
	return first;
}

static int measure(const struct many_options *opts, struct many_client *clients,
		   struct many_result *res)
{
	uint64_t start;
	int status, cleaned;

	res->rss_before = rss_kib(opts->server_pid);
	start = latency_now_us();
	status = setup_all(opts, clients);
	res->setup_s = seconds_since(start);
	res->rss_held = rss_kib(opts->server_pid);
	if (status == 0)
		status = probe(opts, clients, &res->pairs);
	res->rss_probed = rss_kib(opts->server_pid);
	start = latency_now_us();
	cleaned = cleanup_all(opts, clients);
	res->cleanup_s = seconds_since(start);
	res->rss_cleaned = rss_kib(opts->server_pid);
	if (status != 0 || cleaned != 0)
		return 1;
	res->left_locked = count_left_locked(opts);
	return res->left_locked < 0;
}

static void report(const struct many_options *opts, struct many_result *res)
{
	latency_sort(res->pairs.us, res->pairs.count);
	printf("clients=%d locks=%d setup_s=%.2f rss_before_kib=%ld "
	       "rss_held_kib=%ld pairs=%zu median_us=%llu p99_us=%llu "
	       "rss_probed_kib=%ld cleanup_s=%.2f rss_cleaned_kib=%ld "
	       "left_locked=%d\n",
	       opts->clients, opts->locks, res->setup_s, res->rss_before,
	       res->rss_held, res->pairs.count,
	       (unsigned long long)latency_percentile(res->pairs.us,
						      res->pairs.count, 50),
	       (unsigned long long)latency_percentile(res->pairs.us,
						      res->pairs.count, 99),
	       res->rss_probed, res->cleanup_s, res->rss_cleaned,
	       res->left_locked);
}

static int run(const struct many_options *opts)
{
	struct many_client *clients = calloc(opts->clients, sizeof(*clients));
	struct many_result res = {0};
	int rc;

	if (!clients) {
		fprintf(stderr, "ulm-nfs-many: out of memory\n");
		return 1;
	}
	rc = measure(opts, clients, &res);
	if (rc == 0)
		report(opts, &res);
	latency_log_free(&res.pairs);
	free(clients);
	return rc;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ulm-nfs-many --server ADDR --export /PSEUDO --file "
		"PREFIX [--clients N] [--locks K] [--seconds S] [--minor "
		"0|1] [--nlm] [--server-pid PID]\n"
		"N NFSv4 clients (--nlm: NLM v4 hosts) each hold K locks on "
		"PREFIX.i; LOCK+LOCKU latency round them for S seconds "
		"(defaults N 10, K 10, S 5); PID: the server's, for its "
		"RSS.\n");
}

/* strtol of @p arg into [@p min, @p max], or -1 with a message. */
static long parse_long(const char *name, const char *arg, long min, long max)
{
	char *end;
	long value = strtol(arg, &end, 10);

	if (*end || end == arg || value < min || value > max) {
		fprintf(stderr, "--%s: %ld..%ld\n", name, min, max);
		return -1;
	}
	return value;
}

static int parse_option(int c, struct many_options *opts)
{
	int taken = bench_target_option(c, &opts->target);
	long value;

	if (taken)
		return taken < 0 ? -1 : 0;
	switch (c) {
	case 'k':
		opts->clients = parse_long("clients", optarg, 1, MAX_CLIENTS);
		return opts->clients < 0 ? -1 : 0;
	case 'l':
		opts->locks = parse_long("locks", optarg, 1, MAX_LOCKS);
		return opts->locks < 0 ? -1 : 0;
	case 'm':
		value = parse_long("minor", optarg, 0, 1);
		opts->minor = value;
		return value < 0 ? -1 : 0;
	case 'n':
		opts->nlm = true;
		return 0;
	case 'p':
		opts->server_pid =
			parse_long("server-pid", optarg, 1, 1L << 30);
		return opts->server_pid < 0 ? -1 : 0;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		return -1;
	}
}

static int parse_options(int argc, char **argv, struct many_options *opts)
{
	static const struct option longopts[] = {
		BENCH_TARGET_OPTIONS,
		{"clients", required_argument, NULL, 'k'},
		{"locks", required_argument, NULL, 'l'},
		{"minor", required_argument, NULL, 'm'},
		{"nlm", no_argument, NULL, 'n'},
		{"server-pid", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*opts = (struct many_options){
		.target.seconds = 5, .clients = 10, .locks = 10};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (parse_option(c, opts) < 0)
			return -1;
	if (!bench_target_complete(&opts->target) || optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct many_options opts;

	if (parse_options(argc, argv, &opts) < 0)
		return 2;
	return run(&opts);
}
