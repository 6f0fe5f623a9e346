/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-nfs-client: one NFSv4.0 or 4.1 client plus an NLM caller, driven by
 * one command per line on stdin, answering one line per command on stdout.
 * Between commands it keeps its NFSv4 lease alive with RENEW or SEQUENCE
 * (until "v4 expire") and serves its callback services.
 */
#include "commands.h"
#include "nfs4_callback.h"
#include "nfs4_client.h"
#include "nlm_callback.h"
#include "nlm_client.h"
#include "nsm_listener.h"
#include "rpc_server.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES	    4096
#define DEFAULT_RENEW_SECS  2
#define DEFAULT_GSS_SERVICE "nfs@localhost"

struct options {
	const char *server;
	const char *export;
	const char *v3_export;
	char name[128];
	const char *caller_name;
	int renew_secs;
	unsigned int minor;
	bool callback;
	bool nlm_callback;
	bool nsm_listen;
	struct nfs4_security sec;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ulm-nfs-client --server ADDR --export /PSEUDO "
		     "[--name CLIENTNAME] [--lease-renew SECS] "
		     "[--v3-export PATH] [--callback] [--minor 0|1]\n"
		     "       [--nsm-listen] [--caller-name NAME] "
		     "[--nlm-callback]\n"
		     "       [--sec sys|krb5|krb5i|krb5p] "
		     "[--gss-service nfs@HOST]\n"
		     "Reads commands on stdin (see the test contract), "
		     "answers one line each.\n"
		     "--v3-export: path for the NFSv3 MOUNT that finds NLM "
		     "file handles (default --export;\n"
		     "  Ganesha mounts a pseudo path only with NFS_CORE_PARAM "
		     "Mount_Path_Pseudo = true).\n"
		     "--callback: serve the NFSv4 callback program (needed "
		     "for delegations).\n"
		     "--minor: NFSv4 minor version (default 0); 4.1 serves "
		     "callbacks on its session's\n"
		     "  connection (the back channel) and sends SEQUENCE to "
		     "renew.\n"
		     "--caller-name: NLM caller name and NSM mon_name "
		     "(default --name).\n"
		     "--nlm-callback: serve NLM GRANTED_MSG (grants of "
		     "blocked locks), registered\n"
		     "  with this host's rpcbind.\n"
		     "--nsm-listen: serve this host's NSM (statd) SM_NOTIFY, "
		     "registered with its\n"
		     "  rpcbind (see \"nsm notified\").\n"
		     "--sec: NFSv4 over RPCSEC_GSS with the Kerberos tickets "
		     "of KRB5CCNAME (default sys);\n"
		     "  --gss-service names the server's principal "
		     "(default nfs@localhost).\n");
}

static int parse_sec(const char *arg, enum nfs4_sec_flavour *flavour)
{
	static const char *const names[] = {
		[NFS4_SEC_SYS] = "sys",
		[NFS4_SEC_KRB5] = "krb5",
		[NFS4_SEC_KRB5I] = "krb5i",
		[NFS4_SEC_KRB5P] = "krb5p",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(arg, names[i]) == 0) {
			*flavour = i;
			return 0;
		}
	}
	fprintf(stderr, "--sec: one of sys, krb5, krb5i, krb5p\n");
	return -1;
}

static int parse_options(int argc, char **argv, struct options *opts)
{
	static const struct option longopts[] = {
		{"server", required_argument, NULL, 's'},
		{"export", required_argument, NULL, 'e'},
		{"name", required_argument, NULL, 'n'},
		{"lease-renew", required_argument, NULL, 'r'},
		{"v3-export", required_argument, NULL, 'm'},
		{"callback", no_argument, NULL, 'c'},
		{"minor", required_argument, NULL, 'M'},
		{"caller-name", required_argument, NULL, 'N'},
		{"nlm-callback", no_argument, NULL, 'G'},
		{"nsm-listen", no_argument, NULL, 'L'},
		{"sec", required_argument, NULL, 'k'},
		{"gss-service", required_argument, NULL, 'g'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	snprintf(opts->name, sizeof(opts->name), "ulm-nfs-client-%d",
		 (int)getpid());
	opts->renew_secs = DEFAULT_RENEW_SECS;
	opts->sec.flavour = NFS4_SEC_SYS;
	opts->sec.service = DEFAULT_GSS_SERVICE;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			opts->server = optarg;
			break;
		case 'e':
			opts->export = optarg;
			break;
		case 'n':
			if (strlen(optarg) >= sizeof(opts->name)) {
				fprintf(stderr, "--name: at most %zu bytes\n",
					sizeof(opts->name) - 1);
				return -1;
			}
			strcpy(opts->name, optarg);
			break;
		case 'r':
			opts->renew_secs = strtol(optarg, &end, 10);
			if (*end || opts->renew_secs <= 0) {
				fprintf(stderr, "--lease-renew: seconds > 0\n");
				return -1;
			}
			break;
		case 'm':
			opts->v3_export = optarg;
			break;
		case 'c':
			opts->callback = true;
			break;
		case 'M':
			if (strcmp(optarg, "0") && strcmp(optarg, "1")) {
				fprintf(stderr, "--minor: 0 or 1\n");
				return -1;
			}
			opts->minor = optarg[0] - '0';
			break;
		case 'N':
			opts->caller_name = optarg;
			break;
		case 'G':
			opts->nlm_callback = true;
			break;
		case 'L':
			opts->nsm_listen = true;
			break;
		case 'k':
			if (parse_sec(optarg, &opts->sec.flavour) < 0)
				return -1;
			break;
		case 'g':
			opts->sec.service = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (!opts->server || !opts->export || optind != argc) {
		usage(stderr);
		return -1;
	}
	if (opts->minor && opts->sec.flavour != NFS4_SEC_SYS) {
		fprintf(stderr, "--minor 1: with --sec sys only\n");
		return -1;
	}
	if (!opts->v3_export)
		opts->v3_export = opts->export;
	if (!opts->caller_name)
		opts->caller_name = opts->name;
	return 0;
}

static time_t now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Buffered stdin that poll() can see: stdio would hide buffered lines. */
struct line_reader {
	char buf[LINE_MAX_BYTES];
	size_t len;
	bool eof;
	bool overlong; /* dropping the rest of a line that did not fit */
};

/* Next complete line (NUL-terminated, in place), or NULL. */
static char *next_line(struct line_reader *reader, size_t *consumed)
{
	char *nl = memchr(reader->buf, '\n', reader->len);

	if (!nl && reader->eof && reader->len) {
		if (reader->len == sizeof(reader->buf))
			reader->len--;
		nl = reader->buf + reader->len;
	}
	if (!nl)
		return NULL;
	*nl = '\0';
	*consumed = nl - reader->buf + (nl < reader->buf + reader->len);
	return reader->buf;
}

static void drop_line(struct line_reader *reader, size_t consumed)
{
	reader->len -= consumed;
	memmove(reader->buf, reader->buf + consumed, reader->len);
}

static void fill(struct line_reader *reader)
{
	ssize_t n;

	if (reader->len == sizeof(reader->buf)) {
		/* A line longer than the buffer: answer once, skip it. */
		reader->len = 0;
		reader->overlong = true;
		fputs("ERR usage: line too long\n", stdout);
		fflush(stdout);
	}
	n = read(STDIN_FILENO, reader->buf + reader->len,
		 sizeof(reader->buf) - reader->len);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		reader->eof = true;
		return;
	}
	reader->len += n;
}

/* Run every complete line; true once "quit" was run. */
static bool run_lines(struct client_state *state, struct line_reader *reader)
{
	size_t consumed;
	char *line;
	bool quit = false;

	while (!quit && (line = next_line(reader, &consumed))) {
		if (reader->overlong)
			reader->overlong = false;
		else
			quit = command_run(state, line, stdout);
		fflush(stdout);
		drop_line(reader, consumed);
	}
	return quit;
}

/* With "v4 autoreturn on": DELEGRETURN what the server recalled. */
static void return_recalled(struct client_state *state)
{
	char other[NFS4_STATEID_OTHER_SIZE];

	while (nfs4_callback_take_recall(other)) {
		int status = nfs4_delegreturn_other(state->nfs4, other);

		fprintf(stderr, "autoreturn: DELEGRETURN %s\n",
			nfs4_status_name(status));
	}
}

static void renew(struct client_state *state)
{
	int status;

	if (state->expired)
		return;
	status = nfs4_session_renew(state->nfs4);
	if (status != 0)
		fprintf(stderr, "renew: %s\n", nfs4_status_name(status));
}

/* Callback mode "once" after its last reply: the client falls silent. */
static void go_silent(struct client_state *state)
{
	if (state->expired || !nfs4_callback_silenced())
		return;
	fputs("callback: answered the first recall, now silent\n", stderr);
	nfs4_callback_stop();
	state->expired = true;
}

static void serve(struct client_state *state, int renew_secs)
{
	struct line_reader reader = {.len = 0};
	time_t next_renew = now_secs() + renew_secs;

	while (!reader.eof) {
		struct pollfd fds[2 + RPC_SERVERS_MAX_FDS];
		time_t left = next_renew - now_secs();
		int n;

		if (left <= 0) {
			renew(state);
			/* A recall may have come in while RENEW waited. */
			return_recalled(state);
			next_renew = now_secs() + renew_secs;
			continue;
		}
		fds[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		/* NFSv4.1 callbacks come on the session's connection. */
		fds[1] = (struct pollfd){.fd = nfs4_session_fd(state->nfs4),
					 .events = POLLIN};
		n = 2 + rpc_servers_fill(fds + 2);
		if (poll(fds, n, left * 1000) <= 0)
			continue;
		if (fds[1].revents)
			nfs4_session_service(state->nfs4);
		rpc_servers_service(fds + 2, n - 2);
		go_silent(state);
		return_recalled(state);
		if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		fill(&reader);
		if (run_lines(state, &reader))
			return;
	}
}

int main(int argc, char **argv)
{
	struct client_state state = {.svid = 1};
	struct options opts = {0};
	int status, callback_port = 0;

	if (parse_options(argc, argv, &opts) < 0)
		return 2;
	strcpy(state.owner, "lo1");
	state.server = opts.server;
	if (opts.callback && opts.minor)
		callback_port = NFS4_BACK_CHANNEL;
	else if (opts.callback && (callback_port = nfs4_callback_start()) < 0) {
		fprintf(stderr, "ulm-nfs-client: callback service: %s\n",
			strerror(-callback_port));
		return 1;
	}
	state.callback = opts.callback;
	if (opts.nlm_callback && (status = nlm_callback_start(opts.server))) {
		fprintf(stderr, "ulm-nfs-client: NLM callback service: %s\n",
			strerror(-status));
		return 1;
	}
	state.nlm_callback = opts.nlm_callback;
	if (opts.nsm_listen && (status = nsm_listener_start()) < 0) {
		fprintf(stderr, "ulm-nfs-client: NSM service: %s\n",
			strerror(-status));
		return 1;
	}
	state.nsm_listening = opts.nsm_listen;
	status = nfs4_session_create_sec(opts.server, opts.export, opts.name,
					 &opts.sec, opts.minor, callback_port,
					 &state.nfs4);
	if (status != 0) {
		fprintf(stderr,
			"ulm-nfs-client: cannot start an NFSv4 "
			"session with %s: %s\n",
			opts.server, nfs4_status_name(status));
		return 1;
	}
	state.nlm = nlm_client_create(opts.server, opts.v3_export,
				      opts.caller_name);
	if (!state.nlm) {
		fprintf(stderr, "ulm-nfs-client: out of memory\n");
		nfs4_session_destroy(state.nfs4);
		return 1;
	}
	serve(&state, opts.renew_secs);
	if (!state.expired)
		nfs4_session_release(state.nfs4);
	nlm_client_destroy(state.nlm);
	nfs4_session_destroy(state.nfs4);
	return 0;
}
