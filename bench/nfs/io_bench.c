/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-io-bench: one client writes to a file for N seconds, one WRITE at a
 * time: NFSv3 WRITE (libnfs, v3 mount) or NFSv4.0 WRITE with the
 * anonymous stateid, the I/O with no open of its own that a share
 * reservation check stands in front of; or (--open) NFSv4.0 WRITE under
 * an OPEN's stateid, which only the SMB byte-range lock check meets
 * (fsal_unified/share/share_io.c). Prints one machine-readable line:
 *   writes=... seconds=... writes_per_s=... proto=3|4
 */
#include "nfs4_client.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/time.h> /* libnfs.h needs struct timeval */

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

#define WRITE_SIZE 2048 /* libnfs 4.0 encodes a COMPOUND in 4 KiB */

struct io_options {
	const char *server;
	const char *export;
	const char *file;
	double seconds;
	int proto;
	bool open; /* NFSv4: write under an OPEN */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const struct io_options *opts, unsigned long writes,
		   double elapsed)
{
	printf("writes=%lu seconds=%.2f writes_per_s=%.1f proto=%d\n", writes,
	       elapsed, writes / elapsed, opts->proto);
}

/* NFSv3: each nfs_pwrite of one block is one WRITE. */
static int run_v3(const struct io_options *opts)
{
	static char block[WRITE_SIZE];
	struct nfs_context *nfs = nfs_init_context();
	struct nfsfh *fh = NULL;
	unsigned long writes = 0;
	char path[4096];
	double begin, end;

	if (!nfs)
		return 1;
	/* libnfs mounts NFSv3 unless told otherwise */
	snprintf(path, sizeof(path), "/%s", opts->file);
	if (nfs_mount(nfs, opts->server, opts->export) < 0 ||
	    nfs_open2(nfs, path, O_RDWR | O_CREAT, 0644, &fh) < 0) {
		fprintf(stderr, "ulm-io-bench: v3: %s\n", nfs_get_error(nfs));
		nfs_destroy_context(nfs);
		return 1;
	}
	begin = now_s();
	end = begin + opts->seconds;
	while (now_s() < end) {
		if (nfs_pwrite(nfs, fh, (writes % 256) * WRITE_SIZE, WRITE_SIZE,
			       block) != WRITE_SIZE) {
			fprintf(stderr, "ulm-io-bench: v3 WRITE: %s\n",
				nfs_get_error(nfs));
			return 1;
		}
		writes++;
	}
	report(opts, writes, now_s() - begin);
	nfs_close(nfs, fh);
	nfs_destroy_context(nfs);
	return 0;
}

/* NFSv4: PUTROOTFH, LOOKUPs, WRITE with the all-zero stateid; or,
 * opened first, PUTFH, WRITE with the open's stateid. */
static int run_v4(const struct io_options *opts)
{
	struct nfs4_session *session = NULL;
	struct nfs4_file *file = NULL;
	unsigned long writes = 0;
	double begin, end;
	char name[64];
	int status;

	/* Runs at once (one per export) must be different clients. */
	snprintf(name, sizeof(name), "ulm-io-bench-%d", (int)getpid());
	status =
		nfs4_session_create(opts->server, opts->export, name, &session);
	if (status == NFS4_OK && opts->open)
		status = nfs4_file_open(session, opts->file,
					OPEN4_SHARE_ACCESS_BOTH,
					OPEN4_SHARE_DENY_NONE, &file);

	begin = now_s();
	end = begin + opts->seconds;
	while (status == NFS4_OK && now_s() < end) {
		uint64_t offset = (writes % 256) * WRITE_SIZE;

		status = file ? nfs4_file_io(session, file, true, offset,
					     WRITE_SIZE)
			      : nfs4_write_anonymous(session, opts->file,
						     offset, WRITE_SIZE);
		writes++;
	}
	if (status == NFS4_OK)
		report(opts, writes, now_s() - begin);
	else
		fprintf(stderr, "ulm-io-bench: v4 WRITE: %s\n",
			nfs4_status_name(status));
	if (session)
		nfs4_session_destroy(session);
	return status != NFS4_OK;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: ulm-io-bench --server ADDR --export /PATH "
		     "--file NAME --proto 3|4 [--open] [--seconds N]\n"
		     "One client WRITEs 2 KiB blocks to NAME for N seconds "
		     "(default 5), with no open, or (NFSv4) under an OPEN.\n");
}

static int parse_options(int argc, char **argv, struct io_options *opts)
{
	static const struct option longopts[] = {
		{"server", required_argument, NULL, 's'},
		{"export", required_argument, NULL, 'e'},
		{"file", required_argument, NULL, 'f'},
		{"seconds", required_argument, NULL, 't'},
		{"proto", required_argument, NULL, 'p'},
		{"open", no_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*opts = (struct io_options){.seconds = 5};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			opts->server = optarg;
			break;
		case 'e':
			opts->export = optarg;
			break;
		case 'f':
			opts->file = optarg;
			break;
		case 't':
			opts->seconds = atof(optarg);
			break;
		case 'p':
			opts->proto = atoi(optarg);
			break;
		case 'o':
			opts->open = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	return opts->server && opts->export && opts->file &&
			       opts->seconds > 0 &&
			       (opts->proto == 4 ||
				(opts->proto == 3 && !opts->open))
		       ? 0
		       : -1;
}

int main(int argc, char **argv)
{
	struct io_options opts;

	if (parse_options(argc, argv, &opts) < 0) {
		usage(stderr);
		return 2;
	}
	return opts.proto == 3 ? run_v3(&opts) : run_v4(&opts);
}
