/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The options every NFS lock bench takes: which server, export and file,
 * and for how long.
 */
#ifndef ULM_BENCH_TARGET_H
#define ULM_BENCH_TARGET_H

#include <getopt.h>
#include <stdbool.h>

struct bench_target {
	const char *server; /* address */
	const char *export; /* pseudo path */
	const char *file;   /* path in the export (or its prefix) */
	double seconds;	    /* how long to measure */
};

/* Their getopt_long rows; their short codes are 's', 'e', 'f', 't'. */
// clang-format off
#define BENCH_TARGET_OPTIONS                       \
	{"server", required_argument, NULL, 's'},  \
	{"export", required_argument, NULL, 'e'},  \
	{"file", required_argument, NULL, 'f'},    \
	{"seconds", required_argument, NULL, 't'}
// clang-format on

/** Take option @p c (with optarg) into @p t: 1 if it was one of them, 0
 *  if not, -1 for a bad value (said on stderr). */
int bench_target_option(int c, struct bench_target *t);

/** Were server, export and file all given? */
bool bench_target_complete(const struct bench_target *t);

#endif
