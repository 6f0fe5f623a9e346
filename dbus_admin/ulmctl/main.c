// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file main.c
 * @brief ulmctl: run one command against a running Ganesha or the store.
 */
#include <stdlib.h>
#include <string.h>

#include "ulmctl.h"

void ulmctl_file_free(struct ulmctl_file *file)
{
	free(file->key);
	free(file->path);
	ulmv_records_free(&file->records);
}

void ulmctl_stats_free(struct ulmctl_stats *stats)
{
	for (size_t i = 0; i < stats->n_counters; i++)
		free(stats->counters[i].name);
	free(stats->counters);
	free(stats->buckets);
}

static int run_records(const struct ulmctl_args *a)
{
	struct ulmv_records set = {0};
	int rc;

	if (a->store)
		return ulmctl_store_stream(a);
	rc = ulmctl_bus_records(a, &set);

	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_print_records(a, &set);
	ulmv_records_free(&set);
	return rc;
}

/* Offline, clients are counted here from the records. */
static int run_clients(const struct ulmctl_args *a)
{
	struct ulmv_records set = {0};
	struct ulmv_clients clients = {0};
	int rc = a->store ? ulmctl_store_records(a, &set)
			  : ulmctl_bus_clients(a, &clients);

	if (rc == ULMCTL_EXIT_OK && a->store &&
	    ulmv_clients_count(&clients, &set) != 0)
		rc = ulmctl_fail("out of memory");
	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_print_clients(a, &clients);
	ulmv_clients_free(&clients);
	ulmv_records_free(&set);
	return rc;
}

static int run_nodes(const struct ulmctl_args *a)
{
	struct ulmv_nodes nodes = {0};
	int rc = a->store ? ulmctl_store_nodes(a, &nodes)
			  : ulmctl_bus_nodes(a, &nodes);

	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_print_nodes(a, &nodes);
	ulmv_nodes_free(&nodes);
	return rc;
}

static int run_file(const struct ulmctl_args *a)
{
	struct ulmctl_file file = {0};
	int rc = a->store ? ulmctl_store_file(a, &file)
			  : ulmctl_bus_file(a, &file);

	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_print_file(a, &file);
	ulmctl_file_free(&file);
	return rc;
}

static int run_stats(const struct ulmctl_args *a)
{
	struct ulmctl_stats stats = {0};
	int rc = ulmctl_bus_stats(a, &stats);

	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_print_stats(a, &stats);
	ulmctl_stats_free(&stats);
	return rc;
}

static int run_grace(const struct ulmctl_args *a)
{
	struct ulmv_grace grace = {0};
	int rc = a->store ? ulmctl_grace_read(a, &grace)
			  : ulmctl_bus_grace(a, &grace);

	if (rc == ULMCTL_EXIT_OK)
		rc = ulmctl_print_grace(a, &grace);
	ulmv_grace_free(&grace);
	return rc;
}

int main(int argc, char **argv)
{
	struct ulmctl_args a;
	char why[256];
	int rc = ulmctl_parse(argc, argv, &a, why, sizeof(why));

	if (rc < 0)
		return ULMCTL_EXIT_OK; /* --help, --version */
	if (rc != ULMCTL_EXIT_OK) {
		fprintf(stderr, "ulmctl: %s\n", why);
		return rc;
	}
	if (ulmctl_check_columns(&a, why, sizeof(why)) != 0) {
		fprintf(stderr, "ulmctl: %s\n", why);
		return ULMCTL_EXIT_USAGE;
	}
	if (a.list_columns) {
		ulmctl_list_columns(a.command->listing);
		return ULMCTL_EXIT_OK;
	}
	switch (a.command->listing) {
	case ULMCTL_CLIENTS:
		return run_clients(&a);
	case ULMCTL_NODES:
		return run_nodes(&a);
	case ULMCTL_FILE:
		return run_file(&a);
	case ULMCTL_STATS:
		return run_stats(&a);
	case ULMCTL_GRACE:
		return run_grace(&a);
	case ULMCTL_METRICS:
		return ulmctl_bus_metrics(&a);
	case ULMCTL_TOP:
		return ulmctl_top(&a);
	case ULMCTL_BREAK:
		return a.store ? ulmctl_store_break_node(&a)
			       : ulmctl_bus_act(&a);
	case ULMCTL_RECALL:
		return ulmctl_bus_act(&a);
	default:
		return run_records(&a);
	}
}
