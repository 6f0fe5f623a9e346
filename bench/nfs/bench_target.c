/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include "bench_target.h"

#include <stdio.h>
#include <stdlib.h>

int bench_target_option(int c, struct bench_target *t)
{
	char *end;

	switch (c) {
	case 's':
		t->server = optarg;
		return 1;
	case 'e':
		t->export = optarg;
		return 1;
	case 'f':
		t->file = optarg;
		return 1;
	case 't':
		t->seconds = strtod(optarg, &end);
		if (*end || t->seconds <= 0) {
			fprintf(stderr, "--seconds: a number > 0\n");
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

bool bench_target_complete(const struct bench_target *t)
{
	return t->server && t->export && t->file;
}
