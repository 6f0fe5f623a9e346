/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* ulmctl and the admin model it shares with the lockmgr DBus interface:
 * command lines, values for people, identities as text, record ids,
 * filters, the DBus wire format (a round trip through a real message),
 * clients and nodes counted, and --raw output. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ulmctl.h"
#include "wire.h"

#define ARGC(argv) ((int)(sizeof(argv) / sizeof((argv)[0])))

static int parse(int argc, char **argv, struct ulmctl_args *a, char *why)
{
	return ulmctl_parse(argc, argv, a, why, 256);
}

static void test_parse_command_and_options_anywhere(void **state)
{
	char *argv[] = {"ulmctl", "locks",   "--json", "--protocol", "nfs4",
			"-o",	  "id,type", "--node", "2"};
	struct ulmctl_args a;
	char why[256];

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &a, why), ULMCTL_EXIT_OK);
	assert_string_equal(a.command->name, "locks");
	assert_int_equal(a.format, ULMCTL_JSON);
	assert_string_equal(a.columns, "id,type");
	assert_int_equal(a.n_filters, 2);
	assert_string_equal(a.filter_names[0], "protocol");
	assert_string_equal(a.filter_values[1], "2");
	assert_null(a.store);
}

static void test_parse_break_and_recall(void **state)
{
	char *brk[] = {"ulmctl", "break", "share", "0123456789ab"};
	char *rec[] = {"ulmctl", "recall", "0123456789ab"};
	char *bad[] = {"ulmctl", "break", "flock", "0123456789ab"};
	char *few[] = {"ulmctl", "break", "lock"};
	struct ulmctl_args a;
	char why[256];

	(void)state;
	assert_int_equal(parse(ARGC(brk), brk, &a, why), ULMCTL_EXIT_OK);
	assert_string_equal(a.break_kind, "share");
	assert_string_equal(a.operand, "0123456789ab");
	assert_int_equal(parse(ARGC(rec), rec, &a, why), ULMCTL_EXIT_OK);
	assert_int_equal(a.command->listing, ULMCTL_RECALL);
	assert_int_equal(parse(ARGC(bad), bad, &a, why), ULMCTL_EXIT_USAGE);
	assert_string_equal(
		why,
		"break what: lock, share, delegation or node, not 'flock'");
	assert_int_equal(parse(ARGC(few), few, &a, why), ULMCTL_EXIT_USAGE);
	assert_string_equal(
		why, "usage: ulmctl break lock|share|delegation|node ID");
}

/* Each line is refused with this message. */
static void expect_usage(int argc, char **argv, const char *message)
{
	struct ulmctl_args a;
	char why[256];

	assert_int_equal(parse(argc, argv, &a, why), ULMCTL_EXIT_USAGE);
	assert_string_equal(why, message);
}

static void test_parse_refuses_bad_lines(void **state)
{
	char *none[] = {"ulmctl"};
	char *unknown[] = {"ulmctl", "lock"};
	char *formats[] = {"ulmctl", "-J", "locks", "-r"};
	char *operand[] = {"ulmctl", "locks", "extra"};
	char *filter[] = {"ulmctl", "locks", "--node", "x"};
	char *timeout[] = {"ulmctl", "-t", "0", "locks"};
	char *option[] = {"ulmctl", "--colour", "locks"};
	char *ceph[] = {"ulmctl", "--user", "admin", "locks"};

	(void)state;
	expect_usage(ARGC(none), none, "no command (see ulmctl --help)");
	expect_usage(ARGC(unknown), unknown,
		     "unknown command 'lock' (see ulmctl --help)");
	expect_usage(ARGC(formats), formats,
		     "--json and --raw are mutually exclusive");
	expect_usage(ARGC(operand), operand, "usage: ulmctl locks");
	expect_usage(ARGC(filter), filter,
		     "node must be a number from 0 to 4294967295, not 'x'");
	expect_usage(ARGC(timeout), timeout,
		     "--timeout must be 1 to 3600 seconds, not '0'");
	expect_usage(ARGC(option), option,
		     "unknown option or missing value (see ulmctl --help)");
	expect_usage(ARGC(ceph), ceph,
		     "--ceph-conf, --user and --keyring go with --store "
		     "rados:POOL");
}

static void test_parse_offline_limits(void **state)
{
	char *stats[] = {"ulmctl", "-s", "/x", "stats"};
	char *path[] = {"ulmctl", "-s", "/x", "locks", "--path", "/p"};
	char *file[] = {"ulmctl", "-s", "/x", "file", "/p"};
	char *rados[] = {"ulmctl", "-s", "rados:/ns", "locks"};
	char *ok[] = {"ulmctl", "-s",	 "rados:pool/ns",
		      "--user", "admin", "nodes"};
	struct ulmctl_args a;
	char why[256];

	(void)state;
	expect_usage(ARGC(stats), stats,
		     "stats needs a running Ganesha (drop --store)");
	expect_usage(ARGC(path), path,
		     "--path needs a running Ganesha to resolve it (drop "
		     "--store, or filter by --file KEY)");
	expect_usage(ARGC(file), file,
		     "a path needs a running Ganesha; with --store give the "
		     "file's key");
	expect_usage(ARGC(rados), rados,
		     "--store 'rados:/ns': give lmdb:DIR (or DIR) or "
		     "rados:POOL[/NAMESPACE]");
	assert_int_equal(parse(ARGC(ok), ok, &a, why), ULMCTL_EXIT_OK);
	assert_string_equal(a.user, "admin");
}

/* metrics and top: over DBus only, in formats of their own; top's
 * options with top alone. */
static void test_parse_metrics_and_top(void **state)
{
	char *metrics_json[] = {"ulmctl", "metrics", "-J"};
	char *top_filter[] = {"ulmctl", "top", "--node", "1"};
	char *top_store[] = {"ulmctl", "-s", "/x", "top"};
	char *delay_elsewhere[] = {"ulmctl", "--delay", "5", "locks"};
	char *bad_delay[] = {"ulmctl", "top", "--delay", "0"};
	char *bad_iterations[] = {"ulmctl", "top", "--iterations", "x"};
	char *ok[] = {"ulmctl", "top", "--delay", "3", "--iterations", "2"};
	struct ulmctl_args a;
	char why[256];

	(void)state;
	expect_usage(ARGC(metrics_json), metrics_json,
		     "metrics has a format of its own: no --json, --raw, -o, "
		     "-n or filters");
	expect_usage(ARGC(top_filter), top_filter,
		     "top has a format of its own: no --json, --raw, -o, -n "
		     "or filters");
	expect_usage(ARGC(top_store), top_store,
		     "top needs a running Ganesha (drop --store)");
	expect_usage(ARGC(delay_elsewhere), delay_elsewhere,
		     "--delay and --iterations go with top");
	expect_usage(ARGC(bad_delay), bad_delay,
		     "--delay must be 1 to 3600 seconds, not '0'");
	expect_usage(ARGC(bad_iterations), bad_iterations,
		     "--iterations must be 1 to 1073741823, not 'x'");
	assert_int_equal(parse(ARGC(ok), ok, &a, why), ULMCTL_EXIT_OK);
	assert_int_equal(a.delay_s, 3);
	assert_int_equal(a.iterations, 2);
}

/* Grace is the cluster's: RADOS (--store rados:) or the local Ganesha
 * (no --store, which reads its own grace database); never LMDB's. */
static void test_parse_grace_rados_or_ganesha(void **state)
{
	static const char *why_grace =
		"grace reads the cluster's state in RADOS: give --store "
		"rados:POOL[/NAMESPACE] (or none: ask the local Ganesha), no "
		"filters";
	char *lmdb[] = {"ulmctl", "-s", "/x", "grace"};
	char *filter[] = {"ulmctl", "-s", "rados:p", "--node", "1", "grace"};
	char *bus_filter[] = {"ulmctl", "--node", "1", "grace"};
	char *db[] = {"ulmctl", "-s", "rados:p", "--grace-db", "p/g", "locks"};
	char *bus_db[] = {"ulmctl", "--grace-db", "p/g", "grace"};
	char *ok[] = {"ulmctl",	    "-s",  "rados:p/ns",
		      "--grace-db", "p/g", "grace"};
	char *bus[] = {"ulmctl", "--raw", "grace"};
	struct ulmctl_args a;
	char why[256];

	(void)state;
	expect_usage(ARGC(lmdb), lmdb, why_grace);
	expect_usage(ARGC(filter), filter, why_grace);
	expect_usage(ARGC(bus_filter), bus_filter, why_grace);
	expect_usage(ARGC(db), db, "--grace-db goes with grace");
	expect_usage(ARGC(bus_db), bus_db,
		     "--grace-db goes with --store: Ganesha reads its own "
		     "grace database");
	assert_int_equal(parse(ARGC(ok), ok, &a, why), ULMCTL_EXIT_OK);
	assert_int_equal(a.command->listing, ULMCTL_GRACE);
	assert_string_equal(a.grace_db, "p/g");
	assert_int_equal(parse(ARGC(bus), bus, &a, why), ULMCTL_EXIT_OK);
	assert_int_equal(a.command->listing, ULMCTL_GRACE);
	assert_null(a.store);
	assert_int_equal(a.format, ULMCTL_RAW);
}

static void test_format_values(void **state)
{
	struct {
		char *got;
		const char *want;
	} cases[] = {
		{ulmctl_format_end(99), "99"},
		{ulmctl_format_end(ULM_EOF), "eof"},
		{ulmctl_format_expires(0, 5000), "never"},
		{ulmctl_format_expires(4000, 5000), "lapsed"},
		{ulmctl_format_expires(16500, 5000), "12s"},
		{ulmctl_format_expires(205000, 5000), "3m20s"},
		{ulmctl_format_expires(7505000, 5000), "2h5m"},
		{ulmctl_format_age(0, 5000), "?"},
		{ulmctl_format_age(6000, 5000), "0s"},
		{ulmctl_format_age(3000, 205000), "3m22s"},
		{ulmctl_format_bucket(1), "<1us"},
		{ulmctl_format_bucket(2048), "<2.0ms"},
		{ulmctl_format_bucket(4194304), "<4.2s"},
		{ulmctl_format_bucket(UINT64_MAX), "rest"},
		{ulmctl_format_identity("ulmt-a", true), "ulmt-a"},
		{ulmctl_format_identity("a\\x00b", true), "0x610062"},
		{ulmctl_format_identity("a\\x00b", false), "a\\x00b"},
		{ulmctl_format_svid("\\x00\\x00\\x01\\x02"), "svid 258"},
		{ulmctl_format_svid("lo1"), "lo1"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(cases[i].got);
		assert_string_equal(cases[i].got, cases[i].want);
		free(cases[i].got);
	}
}

static void test_text_hex_and_words(void **state)
{
	const uint8_t bytes[] = {'a', ' ', '=', '\\', 0, 0xff};
	char *text = ulmv_text(bytes, sizeof(bytes));
	char *word = ulmv_word(text);
	uint8_t out[8];
	size_t len;

	(void)state;
	assert_string_equal(text, "a =\\x5c\\x00\\xff");
	assert_string_equal(word, "a\\x20\\x3d\\x5c\\x00\\xff");
	assert_int_equal(ulmv_unhex("00ffA1", out, sizeof(out), &len), 0);
	assert_int_equal(len, 3);
	assert_int_equal(out[2], 0xa1);
	assert_int_equal(ulmv_unhex("0", out, sizeof(out), &len), -EINVAL);
	assert_int_equal(ulmv_unhex("zz", out, sizeof(out), &len), -EINVAL);
	assert_int_equal(ulmv_unhex("", out, sizeof(out), &len), -EINVAL);
	assert_int_equal(ulmv_unhex("000000", out, 2, &len), -EINVAL);
	free(text);
	free(word);
}

static struct ulm_lock_info lock_info(const char *client, uint32_t node)
{
	struct ulm_lock_info info = {
		.type = ULM_REC_LOCK_WRITE,
		.start = 0,
		.end = 99,
		.protocol = ULM_PROTO_NFS4,
		.kind = ULM_OWNER_LOCK,
		.node = node,
		.epoch = 3,
		.client_len = strlen(client),
		.owner_len = 3,
	};

	memcpy(info.client, client, info.client_len);
	memcpy(info.owner, "lo1", 3);
	return info;
}

static void test_record_id_names_one_record(void **state)
{
	struct ulm_key file = {"key1", 4}, other = {"key2", 4};
	struct ulm_lock_info a = lock_info("c1", 1), b = lock_info("c2", 1);
	char id_a[ULMV_ID_LEN + 1], id_again[ULMV_ID_LEN + 1];
	char id_b[ULMV_ID_LEN + 1], id_f[ULMV_ID_LEN + 1];

	(void)state;
	ulmv_record_id(&file, &a, id_a);
	ulmv_record_id(&file, &a, id_again);
	ulmv_record_id(&file, &b, id_b);
	ulmv_record_id(&other, &a, id_f);
	assert_int_equal(strlen(id_a), ULMV_ID_LEN);
	assert_int_equal(strspn(id_a, "0123456789abcdef"), ULMV_ID_LEN);
	assert_string_equal(id_a, id_again);
	assert_string_not_equal(id_a, id_b);
	assert_string_not_equal(id_a, id_f);
}

static void test_filter_matches_every_criterion(void **state)
{
	struct ulm_key file = {"\x01\x02", 2};
	struct ulm_lock_info info = lock_info("ulmt-a-7", 2);
	struct ulmv_filter f = {.types = ULMV_LOCKS};
	char why[256];

	(void)state;
	assert_true(ulmv_filter_match(&f, &file, &info));
	assert_int_equal(ulmv_filter_set(&f, "client", "ulmt-a", why, 256), 0);
	assert_int_equal(ulmv_filter_set(&f, "node", "2", why, 256), 0);
	assert_int_equal(ulmv_filter_set(&f, "file", "0102", why, 256), 0);
	assert_int_equal(ulmv_filter_set(&f, "protocol", "nfs4", why, 256), 0);
	assert_true(ulmv_filter_match(&f, &file, &info));
	info.node = 1;
	assert_false(ulmv_filter_match(&f, &file, &info));
	info.node = 2;
	info.type = ULM_REC_SHARE;
	assert_false(ulmv_filter_match(&f, &file, &info));
	assert_int_equal(ulmv_filter_set(&f, "colour", "red", why, 256),
			 -EINVAL);
	assert_string_equal(why, "unknown filter 'colour' (file, path, export, "
				 "client, protocol, node)");
	ulmv_filter_free(&f);
}

static void fill_records(struct ulmv_records *set)
{
	struct ulm_key file = {"\xab\xcd", 2};
	struct ulm_lock_info a = lock_info("a", 1), b = lock_info("b\n", 2);

	b.type = ULM_REC_SHARE;
	b.start = 0;
	b.end = ULM_EOF;
	b.access = ULM_SHARE_BOTH;
	b.deny = ULM_SHARE_WRITE;
	b.kind = ULM_OWNER_OPEN;
	b.flags = ULM_FLAG_RECLAIM;
	assert_int_equal(
		ulmv_record_from_info(ulmv_records_add(set), &file, &a), 0);
	assert_int_equal(
		ulmv_record_from_info(ulmv_records_add(set), &file, &b), 0);
	assert_int_equal(ulmv_record_set_path(&set->v[0], "/srv/f", 7), 0);
}

static void test_wire_round_trip(void **state)
{
	struct ulmv_records sent = {0}, got = {0};
	DBusMessage *msg = dbus_message_new_method_call(
		ULMV_DBUS_SERVICE, ULMV_DBUS_PATH, ULMV_DBUS_INTERFACE, "X");
	DBusMessageIter it;

	(void)state;
	fill_records(&sent);
	dbus_message_iter_init_append(msg, &it);
	assert_true(ulmv_wire_put_records(&it, &sent));
	assert_string_equal(dbus_message_get_signature(msg),
			    "a" ULMV_RECORD_SIG);
	assert_true(dbus_message_iter_init(msg, &it));
	assert_int_equal(ulmv_wire_get_records(&it, &got), 0);
	assert_int_equal(got.n, 2);
	for (size_t i = 0; i < 2; i++) {
		struct ulmv_record *s = &sent.v[i], *g = &got.v[i];

		assert_string_equal(g->id, s->id);
		assert_string_equal(g->file, s->file);
		assert_string_equal(g->path, s->path);
		assert_string_equal(g->client, s->client);
		assert_int_equal(g->export_id, s->export_id);
		assert_int_equal(g->type, s->type);
		assert_true(g->end == s->end && g->start == s->start);
		assert_int_equal(g->access, s->access);
		assert_int_equal(g->deny, s->deny);
		assert_int_equal(g->reclaim, s->reclaim);
		assert_int_equal(g->node, s->node);
	}
	assert_string_equal(got.v[1].client, "b\\x0a");
	ulmv_records_free(&sent);
	ulmv_records_free(&got);
	dbus_message_unref(msg);
}

static void test_wire_refuses_other_signatures(void **state)
{
	struct ulmv_records got = {0};
	DBusMessage *msg = dbus_message_new_method_call(
		ULMV_DBUS_SERVICE, ULMV_DBUS_PATH, ULMV_DBUS_INTERFACE, "X");
	DBusMessageIter it;
	const char *s = "no records";

	(void)state;
	dbus_message_append_args(msg, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
	assert_true(dbus_message_iter_init(msg, &it));
	assert_int_equal(ulmv_wire_get_records(&it, &got), -EPROTO);
	assert_int_equal(got.n, 0);
	dbus_message_unref(msg);
}

/* Node 2's records are being recovered by node 1 (its epoch 5): two of
 * them left (clients c2, c1), one adopted by node 1; 10.0.0.2 is node 2's
 * address, now at node 1. */
static void grace_source(struct ulmv_grace_source *src)
{
	static struct ulmrec_entry entry = {
		.node = 2,
		.before_epoch = 3,
		.by = 1,
		.started_ms = 1000,
		.grace_secs = 5,
		.grace_nodeid = "n2",
	};
	static struct ulmrec_service service = {
		.addr = "10.0.0.2", .node = 2, .at = 1, .grace_nodeid = "n2"};
	const struct {
		uint32_t node, epoch;
		bool reclaim;
		const char *client;
	} records[] = {{2, 2, false, "c2"},
		       {2, 1, false, "c1"},
		       {2, 3, false, "new"},
		       {1, 5, true, "c3"}};
	struct ulmv_record *r;

	src->entries = malloc(sizeof(entry));
	src->services = malloc(sizeof(service));
	assert_non_null(src->entries);
	assert_non_null(src->services);
	*src->entries = entry;
	*src->services = service;
	src->n_entries = src->n_services = 1;
	for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
		r = ulmv_records_add(&src->records);
		assert_non_null(r);
		r->node = records[i].node;
		r->epoch = records[i].epoch;
		r->reclaim = records[i].reclaim;
		r->client = strdup(records[i].client);
	}
	assert_int_equal(ulmv_nodes_count(&src->nodes, &src->records), 0);
}

/* The rows ulmctl grace --store and ShowGrace both make, through the wire
 * as ulmctl reads them. */
static void test_grace_rows_round_trip(void **state)
{
	struct ulmv_grace_source src = {0};
	struct ulmv_grace sent = {.have_db = true, .cur = 4, .rec = 3},
			  got = {0};
	DBusMessage *msg = dbus_message_new_method_call(
		ULMV_DBUS_SERVICE, ULMV_DBUS_PATH, ULMV_DBUS_INTERFACE, "X");
	DBusMessageIter it;
	const struct ulmv_grace_row *node2, *addr;

	(void)state;
	grace_source(&src);
	assert_int_equal(ulmv_grace_rows(&src, &sent), 0);
	ulmv_grace_source_free(&src);
	dbus_message_iter_init_append(msg, &it);
	assert_true(ulmv_wire_put_grace(&it, &sent));
	assert_true(dbus_message_iter_init(msg, &it));
	assert_int_equal(ulmv_wire_get_grace(&it, &got), 0);
	assert_true(got.have_db && got.cur == 4 && got.rec == 3);
	assert_int_equal(got.n, 3); /* nodes 1, 2; the address */
	node2 = &got.v[1];
	addr = &got.v[2];
	assert_string_equal(node2->kind, "node");
	assert_string_equal(node2->name, "2");
	assert_true(node2->grace);
	assert_int_equal(node2->by, 1);
	assert_int_equal(node2->unreclaimed, 2);
	assert_int_equal(node2->reclaimed, 1);
	assert_int_equal(node2->ends_ms, 6000);
	assert_string_equal(node2->clients, "c1,c2");
	assert_string_equal(node2->member, "n2");
	assert_int_equal(node2->ganesha, -1);
	assert_string_equal(got.v[0].kind, "node");
	assert_false(got.v[0].grace);
	assert_string_equal(got.v[0].clients, "");
	assert_string_equal(addr->kind, "address");
	assert_string_equal(addr->name, "10.0.0.2");
	assert_int_equal(addr->at, 1);
	assert_true(addr->grace && addr->unreclaimed == 2);
	assert_string_equal(addr->clients, "c1,c2");
	ulmv_grace_free(&sent);
	ulmv_grace_free(&got);
	dbus_message_unref(msg);
}

/* A row of a kind ulmctl does not know is a version mismatch. */
static void test_grace_wire_refuses_unknown_kind(void **state)
{
	struct ulmv_grace sent = {0}, got = {0};
	DBusMessage *msg = dbus_message_new_method_call(
		ULMV_DBUS_SERVICE, ULMV_DBUS_PATH, ULMV_DBUS_INTERFACE, "X");
	DBusMessageIter it;
	struct ulmv_grace_row row = {
		.kind = "zone", .name = "z", .member = "", .ganesha = -1};

	(void)state;
	sent.v = &row;
	sent.n = 1;
	dbus_message_iter_init_append(msg, &it);
	assert_true(ulmv_wire_put_grace(&it, &sent));
	assert_true(dbus_message_iter_init(msg, &it));
	assert_int_equal(ulmv_wire_get_grace(&it, &got), -EPROTO);
	assert_int_equal(got.n, 0);
	ulmv_grace_free(&got);
	dbus_message_unref(msg);
}

static void test_clients_and_nodes_counted(void **state)
{
	struct ulmv_records set = {0};
	struct ulmv_clients clients = {0};
	struct ulmv_nodes nodes = {0};

	(void)state;
	fill_records(&set);
	assert_int_equal(ulmv_clients_count(&clients, &set), 0);
	assert_int_equal(clients.n, 2);
	assert_string_equal(clients.v[0].client, "a");
	assert_int_equal(clients.v[0].count[ULMV_FAMILY_LOCK], 1);
	assert_int_equal(clients.v[1].count[ULMV_FAMILY_SHARE], 1);
	assert_int_equal(ulmv_nodes_count(&nodes, &set), 0);
	assert_int_equal(nodes.n, 2);
	assert_true(nodes.v[0].node == 1 && nodes.v[1].node == 2);
	assert_int_equal(nodes.v[1].epoch, 3);
	ulmv_clients_free(&clients);
	ulmv_nodes_free(&nodes);
	ulmv_records_free(&set);
}

/* What ulmctl prints for @p argv and @p set, from its stdout. */
static char *printed(int argc, char **argv, const struct ulmv_records *set)
{
	struct ulmctl_args a;
	char why[256], *out = calloc(1, 4096);
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);

	assert_int_equal(parse(argc, argv, &a, why), ULMCTL_EXIT_OK);
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	assert_int_equal(ulmctl_print_records(&a, set), ULMCTL_EXIT_OK);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	assert_true(fread(out, 1, 4095, tmp) > 0);
	fclose(tmp);
	return out;
}

static void test_raw_lines_keep_the_inspector_words(void **state)
{
	char *argv[] = {"ulmctl", "records", "--raw"};
	struct ulmv_records set = {0};
	char *out, want[512];

	(void)state;
	fill_records(&set);
	out = printed(ARGC(argv), argv, &set);
	snprintf(want, sizeof(want),
		 "file=abcd type=write start=0 end=99 proto=nfs4 kind=lock "
		 "node=1 epoch=3 client=a owner=lo1 path=/srv/f export=7 "
		 "id=%s\n"
		 "file=abcd type=share start=0 end=eof access=rw deny=w "
		 "proto=nfs4 kind=open node=2 epoch=3 reclaim=yes "
		 "client=b\\x0a owner=lo1 id=%s\n",
		 set.v[0].id, set.v[1].id);
	assert_string_equal(out, want);
	free(out);
	ulmv_records_free(&set);
}

/* Runs of blanks as one: the table's alignment is libsmartcols's. */
static void squeeze(char *s)
{
	char *start = s, *out = s;

	for (; *s; s++)
		if (*s != ' ' || out == start || out[-1] != ' ')
			*out++ = *s;
	*out = '\0';
}

static void test_table_columns_chosen(void **state)
{
	char *argv[] = {"ulmctl", "records", "-o", "TYPE,end,client"};
	struct ulmv_records set = {0};
	char *out;

	(void)state;
	fill_records(&set);
	out = printed(ARGC(argv), argv, &set);
	squeeze(out);
	assert_string_equal(out, "TYPE END CLIENT\n"
				 "write 99 a\n"
				 "share eof 0x620a\n");
	free(out);
	ulmv_records_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_command_and_options_anywhere),
		cmocka_unit_test(test_parse_break_and_recall),
		cmocka_unit_test(test_parse_refuses_bad_lines),
		cmocka_unit_test(test_parse_offline_limits),
		cmocka_unit_test(test_parse_metrics_and_top),
		cmocka_unit_test(test_parse_grace_rados_or_ganesha),
		cmocka_unit_test(test_format_values),
		cmocka_unit_test(test_text_hex_and_words),
		cmocka_unit_test(test_record_id_names_one_record),
		cmocka_unit_test(test_filter_matches_every_criterion),
		cmocka_unit_test(test_wire_round_trip),
		cmocka_unit_test(test_wire_refuses_other_signatures),
		cmocka_unit_test(test_grace_rows_round_trip),
		cmocka_unit_test(test_grace_wire_refuses_unknown_kind),
		cmocka_unit_test(test_clients_and_nodes_counted),
		cmocka_unit_test(test_raw_lines_keep_the_inspector_words),
		cmocka_unit_test(test_table_columns_chosen),
	};

	return cmocka_run_group_tests_name("ulmctl", tests, NULL, NULL);
}
