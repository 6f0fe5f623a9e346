/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Parse and run the commands of the ulm-nfs-client line protocol. */
#define _GNU_SOURCE /* strerrorname_np */
#include "commands.h"
#include "nfs3_io.h"
#include "nfs4_callback.h"
#include "nfs4_client.h"
#include "nlm_callback.h"
#include "nlm_client.h"
#include "nsm_client.h"
#include "rpc_wait.h"
#include "nsm_listener.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h> /* libnfs.h needs struct timeval */

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw-nfs4.h>
#include <nfsc/libnfs-raw-nlm.h>

#define MAX_ARGS    8
#define NFS4_TO_EOF UINT64_MAX

/* A command's arguments, after its protocol and verb. */
struct command_args {
	int argc;
	char **argv;
};

typedef void (*command_fn)(struct client_state *state,
			   const struct command_args *args, FILE *out);

struct command {
	const char *protocol; /* "v4", "nlm", or NULL for "quit" */
	const char *verb;
	int min_args;
	int max_args;
	command_fn run;
	const char *usage;
};

static void answer_usage(FILE *out, const char *message)
{
	fprintf(out, "ERR usage: %s\n", message);
}

/* A keyword among @p words (NULL-terminated); its index, or -1. */
static int parse_word(const char *arg, const char *const *words)
{
	int i;

	for (i = 0; words[i]; i++)
		if (strcmp(arg, words[i]) == 0)
			return i;
	return -1;
}

static bool parse_u64(const char *arg, uint64_t *value)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return false;
	errno = 0;
	*value = strtoull(arg, &end, 10);
	return errno == 0 && *end == '\0';
}

static const char *const lock_types[] = {"read", "write", NULL};
static const char *const accesses[] = {"read", "write", "both", NULL};
static const char *const denies[] = {"none", "read", "write", "both", NULL};

/* "read|write OFFSET LENGTH" into a range with protocol-neutral length. */
static bool parse_range(char **argv, bool with_type, bool *write,
			uint64_t *offset, uint64_t *length)
{
	int type = 1;

	if (with_type) {
		type = parse_word(argv[0], lock_types);
		argv++;
	}
	if (type < 0 || !parse_u64(argv[0], offset) ||
	    !parse_u64(argv[1], length))
		return false;
	*write = type == 1;
	return true;
}

/* NFSv4 has no length 0: "to EOF" is all ones on the wire. */
static struct nfs4_range nfs4_range(bool write, uint64_t offset,
				    uint64_t length)
{
	return (struct nfs4_range){.offset = offset,
				   .length = length ? length : NFS4_TO_EOF,
				   .write = write};
}

static void answer_nfs4(FILE *out, int status, const struct nfs4_range *denied)
{
	if (status == NFS4_OK)
		fputs("OK\n", out);
	else if (status == NFS4ERR_DENIED && denied)
		fprintf(out, "DENIED %s %llu %llu\n",
			denied->write ? "write" : "read",
			(unsigned long long)denied->offset,
			(unsigned long long)(denied->length == NFS4_TO_EOF
						     ? 0
						     : denied->length));
	else
		fprintf(out, "ERR %s\n", nfs4_status_name(status));
}

static void answer_nlm(FILE *out, int status, const struct nlm_range *holder)
{
	if (status == NLM4_GRANTED)
		fputs("OK\n", out);
	else if (status == NLM4_DENIED && holder)
		fprintf(out, "DENIED %s %llu %llu %u\n",
			holder->write ? "write" : "read",
			(unsigned long long)holder->offset,
			(unsigned long long)holder->length, holder->svid);
	else
		fprintf(out, "ERR %s\n", nlm_status_name(status));
}

/* ---- v4 ------------------------------------------------------------ */

static void cmd_v4_open(struct client_state *state,
			const struct command_args *args, FILE *out)
{
	int access = 2, deny = 0, i = 1;
	struct nfs4_file *file;
	int status;

	if (i < args->argc && strcmp(args->argv[i], "deny") != 0)
		access = parse_word(args->argv[i++], accesses);
	if (i + 1 < args->argc && strcmp(args->argv[i], "deny") == 0) {
		deny = parse_word(args->argv[i + 1], denies);
		i += 2;
	}
	if (access < 0 || deny < 0 || i != args->argc) {
		answer_usage(out, "v4 open FILE [read|write|both] "
				  "[deny none|read|write|both]");
		return;
	}
	/* OPEN4_SHARE_ACCESS_{READ,WRITE,BOTH} are 1, 2, 3; DENY 0..3. */
	status = nfs4_file_open(state->nfs4, args->argv[0], access + 1, deny,
				&file);
	if (status != NFS4_OK) {
		answer_nfs4(out, status, NULL);
		return;
	}
	state->current = file;
	switch (nfs4_file_deleg(file)) {
	case NFS4_DELEG_READ:
		fputs("OK deleg=read\n", out);
		break;
	case NFS4_DELEG_WRITE:
		fputs("OK deleg=write\n", out);
		break;
	default:
		fputs("OK\n", out);
	}
}

/* "read|write|both [deny none|read|write|both]" from argv[0]. */
static bool parse_share(const struct command_args *args, uint32_t *access,
			uint32_t *deny)
{
	int a = parse_word(args->argv[0], accesses), d = 0;

	if (args->argc == 3) {
		if (strcmp(args->argv[1], "deny") != 0)
			return false;
		d = parse_word(args->argv[2], denies);
	} else if (args->argc != 1) {
		return false;
	}
	if (a < 0 || d < 0)
		return false;
	/* OPEN4_SHARE_ACCESS_{READ,WRITE,BOTH} are 1, 2, 3; DENY 0..3. */
	*access = a + 1;
	*deny = d;
	return true;
}

/* RENEW now, re-establishing the clientid if the server forgot it (it
 * restarted, or another took its address): what a client does first
 * when it learns the server restarted, before it reclaims. */
static void cmd_v4_renew(struct client_state *state,
			 const struct command_args *args, FILE *out)
{
	(void)args;
	answer_nfs4(out, nfs4_session_renew(state->nfs4), NULL);
}

/* Make an opened file current again without an OPEN (e.g. to reclaim
 * its open and locks after a server restart). */
static void cmd_v4_file(struct client_state *state,
			const struct command_args *args, FILE *out)
{
	struct nfs4_file *file = nfs4_file_get(state->nfs4, args->argv[0]);

	if (!file) {
		answer_usage(out, "v4 file FILE (a file opened before)");
		return;
	}
	state->current = file;
	fputs("OK\n", out);
}

static void cmd_v4_owner(struct client_state *state,
			 const struct command_args *args, FILE *out)
{
	if (strlen(args->argv[0]) >= sizeof(state->owner)) {
		answer_usage(out, "v4 owner NAME (at most 127 bytes)");
		return;
	}
	strcpy(state->owner, args->argv[0]);
	fputs("OK\n", out);
}

static void cmd_v4_open_owner(struct client_state *state,
			      const struct command_args *args, FILE *out)
{
	answer_nfs4(out, nfs4_open_owner_use(state->nfs4, args->argv[0]), NULL);
}

static bool need_file(struct client_state *state, FILE *out)
{
	if (state->current)
		return true;
	answer_usage(out, "no file open (use v4 open first)");
	return false;
}

static void cmd_v4_lock(struct client_state *state,
			const struct command_args *args, FILE *out)
{
	static const char *const types[] = {"read", "write", "readw", "writew",
					    NULL};
	int type = parse_word(args->argv[0], types);
	struct nfs4_range range, denied;
	uint64_t offset, length;
	bool write, reclaim = args->argc == 4;
	int status;

	if (type < 0 ||
	    !parse_range(args->argv + 1, false, &write, &offset, &length) ||
	    (reclaim && strcmp(args->argv[3], "reclaim") != 0)) {
		answer_usage(out, "v4 lock read|write|readw|writew OFFSET "
				  "LENGTH [reclaim]");
		return;
	}
	if (!need_file(state, out))
		return;
	range = nfs4_range(type & 1, offset, length);
	range.wait = type >= 2;
	status = nfs4_file_lock(state->nfs4, state->current, state->owner,
				&range, reclaim, &denied);
	answer_nfs4(out, status, &denied);
}

static void cmd_v4_lockt(struct client_state *state,
			 const struct command_args *args, FILE *out)
{
	struct nfs4_range range, denied;
	uint64_t offset, length;
	bool write;
	int status;

	if (!parse_range(args->argv, true, &write, &offset, &length)) {
		answer_usage(out, "v4 lockt read|write OFFSET LENGTH");
		return;
	}
	if (!need_file(state, out))
		return;
	range = nfs4_range(write, offset, length);
	status = nfs4_file_lockt(state->nfs4, state->current, state->owner,
				 &range, &denied);
	answer_nfs4(out, status, &denied);
}

static void cmd_v4_unlock(struct client_state *state,
			  const struct command_args *args, FILE *out)
{
	struct nfs4_range range;
	uint64_t offset, length;
	bool write;

	if (!parse_range(args->argv, false, &write, &offset, &length)) {
		answer_usage(out, "v4 unlock OFFSET LENGTH");
		return;
	}
	if (!need_file(state, out))
		return;
	range = nfs4_range(write, offset, length);
	answer_nfs4(out,
		    nfs4_file_unlock(state->nfs4, state->current, state->owner,
				     &range),
		    NULL);
}

static void cmd_v4_close(struct client_state *state,
			 const struct command_args *args, FILE *out)
{
	int status;

	(void)args;
	if (!need_file(state, out))
		return;
	status = nfs4_file_close(state->nfs4, state->current);
	if (status == NFS4_OK)
		state->current = NULL;
	answer_nfs4(out, status, NULL);
}

static void cmd_v4_downgrade(struct client_state *state,
			     const struct command_args *args, FILE *out)
{
	uint32_t access, deny;

	if (!parse_share(args, &access, &deny)) {
		answer_usage(out, "v4 downgrade read|write|both "
				  "[deny none|read|write|both]");
		return;
	}
	if (!need_file(state, out))
		return;
	answer_nfs4(
		out,
		nfs4_file_downgrade(state->nfs4, state->current, access, deny),
		NULL);
}

static void cmd_v4_release_lockowner(struct client_state *state,
				     const struct command_args *args, FILE *out)
{
	(void)args;
	answer_nfs4(out, nfs4_release_lockowner(state->nfs4, state->owner),
		    NULL);
}

static void cmd_v4_expire(struct client_state *state,
			  const struct command_args *args, FILE *out)
{
	(void)args;
	state->expired = true;
	fputs("OK\n", out);
}

static void cmd_v4_recalls(struct client_state *state,
			   const struct command_args *args, FILE *out)
{
	(void)state;
	(void)args;
	fprintf(out, "RECALLS %u\n", nfs4_callback_recalls());
}

static void cmd_v4_delegreturn(struct client_state *state,
			       const struct command_args *args, FILE *out)
{
	(void)args;
	answer_nfs4(out, nfs4_delegreturn(state->nfs4, state->current), NULL);
}

static void cmd_v4_autoreturn(struct client_state *state,
			      const struct command_args *args, FILE *out)
{
	static const char *const switches[] = {"off", "on", NULL};
	int on = parse_word(args->argv[0], switches);

	if (on < 0) {
		answer_usage(out, "v4 autoreturn on|off");
		return;
	}
	if (!state->callback) {
		answer_usage(out,
			     "no callback service (start with --callback)");
		return;
	}
	nfs4_callback_set_autoreturn(on);
	fputs("OK\n", out);
}

static void cmd_v4_truncate(struct client_state *state,
			    const struct command_args *args, FILE *out)
{
	uint64_t size;

	if (!parse_u64(args->argv[1], &size)) {
		answer_usage(out, "v4 truncate FILE SIZE");
		return;
	}
	answer_nfs4(out, nfs4_truncate(state->nfs4, args->argv[0], size), NULL);
}

/* "FILE OFFSET LENGTH" of an I/O command; false if malformed. */
static bool parse_io(const struct command_args *args, uint64_t *offset,
		     uint32_t *length)
{
	uint64_t len;

	if (!parse_u64(args->argv[1], offset) ||
	    !parse_u64(args->argv[2], &len) || len > (1u << 20))
		return false;
	*length = len;
	return true;
}

typedef int (*io_fn)(struct nfs4_session *session, const char *path,
		     uint64_t offset, uint32_t length);

static void run_io(struct client_state *state, const struct command_args *args,
		   FILE *out, io_fn io, const char *usage)
{
	uint64_t offset;
	uint32_t length;

	if (!parse_io(args, &offset, &length)) {
		answer_usage(out, usage);
		return;
	}
	answer_nfs4(out, io(state->nfs4, args->argv[0], offset, length), NULL);
}

static void cmd_v4_write(struct client_state *state,
			 const struct command_args *args, FILE *out)
{
	run_io(state, args, out, nfs4_write_anonymous,
	       "v4 write FILE OFFSET LENGTH (<= 1 MiB)");
}

static void cmd_v4_read(struct client_state *state,
			const struct command_args *args, FILE *out)
{
	run_io(state, args, out, nfs4_read_anonymous,
	       "v4 read FILE OFFSET LENGTH (<= 1 MiB)");
}

static void cmd_v4_read_bypass(struct client_state *state,
			       const struct command_args *args, FILE *out)
{
	run_io(state, args, out, nfs4_read_bypass,
	       "v4 read_bypass FILE OFFSET LENGTH (<= 1 MiB)");
}

/* I/O of the current file under its open stateid. */
static void cmd_v4_io(struct client_state *state,
		      const struct command_args *args, FILE *out)
{
	bool write = strcmp(args->argv[0], "write") == 0;
	uint64_t offset, length;

	if ((!write && strcmp(args->argv[0], "read") != 0) ||
	    !parse_u64(args->argv[1], &offset) ||
	    !parse_u64(args->argv[2], &length) || length > (1u << 20)) {
		answer_usage(out, "v4 io read|write OFFSET LENGTH (<= 1 MiB)");
		return;
	}
	if (need_file(state, out))
		answer_nfs4(out,
			    nfs4_file_io(state->nfs4, state->current, write,
					 offset, (uint32_t)length),
			    NULL);
}

static void cmd_v4_remove(struct client_state *state,
			  const struct command_args *args, FILE *out)
{
	answer_nfs4(out, nfs4_remove(state->nfs4, args->argv[0]), NULL);
}

static void cmd_v4_rename(struct client_state *state,
			  const struct command_args *args, FILE *out)
{
	answer_nfs4(out, nfs4_rename(state->nfs4, args->argv[0], args->argv[1]),
		    NULL);
}

/* ---- v4, minor version 1 -------------------------------------------- */

static bool need_v41(struct client_state *state, FILE *out)
{
	if (nfs4_session_minor(state->nfs4) == 1)
		return true;
	answer_usage(out, "NFSv4.1 only (start with --minor 1)");
	return false;
}

/* SEQUENCE now: "SEQFLAGS CB_PATH_DOWN RECALLABLE_STATE_REVOKED" or
 * "SEQFLAGS none". */
static void cmd_v4_seqflags(struct client_state *state,
			    const struct command_args *args, FILE *out)
{
	uint32_t flags;
	unsigned int bit;
	int status;

	(void)args;
	if (!need_v41(state, out))
		return;
	status = nfs4_session_sequence(state->nfs4, &flags);
	if (status != NFS4_OK) {
		answer_nfs4(out, status, NULL);
		return;
	}
	fputs(flags ? "SEQFLAGS" : "SEQFLAGS none", out);
	for (bit = 0; bit < 32; bit++)
		if (flags & (1u << bit)) {
			const char *name = nfs4_seqflag_name(bit);

			if (name)
				fprintf(out, " %s", name);
			else
				fprintf(out, " 0x%x", 1u << bit);
		}
	fputc('\n', out);
}

static void cmd_v4_free_stateid(struct client_state *state,
				const struct command_args *args, FILE *out)
{
	(void)args;
	if (need_v41(state, out))
		answer_nfs4(out, nfs4_free_stateid(state->nfs4, state->current),
			    NULL);
}

/* The delegation stateid's own status: "OK" or "ERR NFS4ERR_...". */
static void cmd_v4_test_stateid(struct client_state *state,
				const struct command_args *args, FILE *out)
{
	int status, code = NFS4_OK;

	(void)args;
	if (!need_v41(state, out))
		return;
	status = nfs4_test_stateid(state->nfs4, state->current, &code);
	answer_nfs4(out, status == NFS4_OK ? code : status, NULL);
}

static void cmd_v4_callback(struct client_state *state,
			    const struct command_args *args, FILE *out)
{
	static const char *const modes[] = {
		[NFS4_CB_ANSWER] = "answer",
		[NFS4_CB_ONCE] = "once",
		[NFS4_CB_MUTE] = "mute",
		NULL,
	};
	int mode = parse_word(args->argv[0], modes);

	if (mode < 0) {
		answer_usage(out, "v4 callback answer|once|mute");
		return;
	}
	if (!state->callback) {
		answer_usage(out,
			     "no callback service (start with --callback)");
		return;
	}
	nfs4_callback_set_mode(mode);
	fputs("OK\n", out);
}

/* ---- nlm ----------------------------------------------------------- */

static void cmd_nlm_svid(struct client_state *state,
			 const struct command_args *args, FILE *out)
{
	uint64_t svid;

	if (!parse_u64(args->argv[0], &svid) || svid > UINT32_MAX) {
		answer_usage(out, "nlm svid N (0..4294967295)");
		return;
	}
	state->svid = svid;
	fputs("OK\n", out);
}

static void cmd_nlm_lock(struct client_state *state,
			 const struct command_args *args, FILE *out)
{
	static const char *const modes[] = {"block", "reclaim", NULL};
	struct nlm_range range = {0}, holder;
	int mode = args->argc == 5 ? parse_word(args->argv[4], modes) : -2;
	int status;

	if (!parse_range(args->argv, true, &range.write, &range.offset,
			 &range.length) ||
	    mode == -1) {
		answer_usage(out, "nlm lock read|write OFFSET LENGTH FILE "
				  "[block|reclaim]");
		return;
	}
	status = mode == 1 ? nlm_client_reclaim(state->nlm, args->argv[3],
						state->svid, &range)
			   : nlm_client_lock(state->nlm, args->argv[3],
					     state->svid, &range, mode == 0);
	if (status == NLM4_BLOCKED) {
		fputs("BLOCKED\n", out);
		return;
	}
	/* An NLM LOCK denial names no holder: ask for it with a TEST.  If
	 * the holder left meanwhile, the plain denial is all we can say. */
	if (status == NLM4_DENIED &&
	    nlm_client_test(state->nlm, args->argv[3], state->svid, &range,
			    &holder) == NLM4_DENIED) {
		answer_nlm(out, status, &holder);
		return;
	}
	answer_nlm(out, status, NULL);
}

static void cmd_nlm_test(struct client_state *state,
			 const struct command_args *args, FILE *out)
{
	struct nlm_range range = {0}, holder;

	if (!parse_range(args->argv, true, &range.write, &range.offset,
			 &range.length)) {
		answer_usage(out, "nlm test read|write OFFSET LENGTH FILE");
		return;
	}
	answer_nlm(out,
		   nlm_client_test(state->nlm, args->argv[3], state->svid,
				   &range, &holder),
		   &holder);
}

static void cmd_nlm_unlock(struct client_state *state,
			   const struct command_args *args, FILE *out)
{
	struct nlm_range range = {0};

	if (!parse_range(args->argv, false, &range.write, &range.offset,
			 &range.length)) {
		answer_usage(out, "nlm unlock OFFSET LENGTH FILE");
		return;
	}
	answer_nlm(out,
		   nlm_client_unlock(state->nlm, args->argv[2], state->svid,
				     &range),
		   NULL);
}

static void cmd_nlm_cancel(struct client_state *state,
			   const struct command_args *args, FILE *out)
{
	struct nlm_range range = {0};

	if (!parse_range(args->argv, true, &range.write, &range.offset,
			 &range.length)) {
		answer_usage(out, "nlm cancel read|write OFFSET LENGTH FILE");
		return;
	}
	answer_nlm(out,
		   nlm_client_cancel(state->nlm, args->argv[3], state->svid,
				     &range),
		   NULL);
}

/* "ACCESS [deny DENY] FILE": the share modes, then the file. */
static void run_share(struct client_state *state,
		      const struct command_args *args, FILE *out, bool unshare)
{
	const struct command_args modes = {args->argc - 1, args->argv};
	uint32_t access, deny;

	if (!parse_share(&modes, &access, &deny)) {
		answer_usage(out, unshare ? "nlm unshare read|write|both "
					    "[deny none|read|write|both] FILE"
					  : "nlm share read|write|both "
					    "[deny none|read|write|both] FILE");
		return;
	}
	answer_nlm(out,
		   nlm_client_share(state->nlm, args->argv[args->argc - 1],
				    state->svid, access, deny, unshare),
		   NULL);
}

static void cmd_nlm_share(struct client_state *state,
			  const struct command_args *args, FILE *out)
{
	run_share(state, args, out, false);
}

static void cmd_nlm_unshare(struct client_state *state,
			    const struct command_args *args, FILE *out)
{
	run_share(state, args, out, true);
}

static void cmd_nlm_granted(struct client_state *state,
			    const struct command_args *args, FILE *out)
{
	struct nlm_grant grant;
	uint64_t secs = 0;

	if (args->argc == 1 && (!parse_u64(args->argv[0], &secs) ||
				secs > RPC_WAIT_TIMEOUT_MS / 1000)) {
		answer_usage(out, "nlm granted [SECONDS] (0..15)");
		return;
	}
	if (!state->nlm_callback) {
		answer_usage(out, "no NLM callback service (start with "
				  "--nlm-callback)");
		return;
	}
	if (!nlm_callback_take_grant(&grant, (int)secs * 1000)) {
		fputs("NONE\n", out);
		return;
	}
	fprintf(out, "GRANTED %s %llu %llu %u\n",
		grant.write ? "write" : "read",
		(unsigned long long)grant.offset,
		(unsigned long long)grant.length, grant.svid);
}

/* An NSM state number (what a rebooted host counts), or a usage error. */
static bool parse_nsm_state(const struct command_args *args, FILE *out,
			    const char *usage, int *nsm_state)
{
	uint64_t value;

	if (!parse_u64(args->argv[0], &value) || value > INT32_MAX) {
		answer_usage(out, usage);
		return false;
	}
	*nsm_state = (int)value;
	return true;
}

static void answer_rpc(FILE *out, int rc)
{
	if (rc == 0)
		fputs("OK\n", out);
	else
		fprintf(out, "ERR %s\n",
			rc == -ETIMEDOUT ? "RPC_TIMEOUT" : "RPC_ERROR");
}

static void cmd_nlm_free_all(struct client_state *state,
			     const struct command_args *args, FILE *out)
{
	int nsm_state;

	if (parse_nsm_state(args, out, "nlm free_all STATE (0..2147483647)",
			    &nsm_state))
		answer_rpc(out, nlm_client_free_all(state->nlm, nsm_state));
}

static void cmd_nsm_notify(struct client_state *state,
			   const struct command_args *args, FILE *out)
{
	int nsm_state;

	if (parse_nsm_state(args, out, "nsm notify STATE (0..2147483647)",
			    &nsm_state))
		answer_rpc(out, nsm_notify(state->server,
					   nlm_client_caller_name(state->nlm),
					   nsm_state));
}

static void cmd_nsm_notified(struct client_state *state,
			     const struct command_args *args, FILE *out)
{
	struct nsm_notice notice;

	(void)args;
	if (!state->nsm_listening) {
		answer_usage(out, "no NSM service (start with --nsm-listen)");
		return;
	}
	if (nsm_listener_take(&notice))
		fprintf(out, "NOTIFIED %s %d %s\n", notice.mon_name,
			notice.state, notice.from);
	else
		fputs("NONE\n", out);
}

/* ---- v3 (raw NFSv3 I/O on the NLM client's v3 mount) ------------- */

static void answer_nfs3(FILE *out, int status)
{
	if (status == NFS3_IO_OK)
		fputs("OK\n", out);
	else
		fprintf(out, "ERR %s\n", nfs3_status_name(status));
}

static void cmd_v3_write(struct client_state *state,
			 const struct command_args *args, FILE *out)
{
	uint64_t offset;

	if (!parse_u64(args->argv[1], &offset)) {
		answer_usage(out, "v3 write FILE OFFSET TEXT");
		return;
	}
	answer_nfs3(out, nfs3_io_write(state->nlm, args->argv[0], offset,
				       args->argv[2], strlen(args->argv[2])));
}

/* "OK BYTES" (unprintable bytes as '.'), or the error. */
static void cmd_v3_read(struct client_state *state,
			const struct command_args *args, FILE *out)
{
	char buf[256];
	uint64_t offset, length;
	uint32_t got = 0;
	int status;

	if (!parse_u64(args->argv[1], &offset) ||
	    !parse_u64(args->argv[2], &length) || length > sizeof(buf)) {
		answer_usage(out, "v3 read FILE OFFSET LENGTH (<= 256)");
		return;
	}
	status = nfs3_io_read(state->nlm, args->argv[0], offset, buf, length,
			      &got);
	if (status != NFS3_IO_OK) {
		answer_nfs3(out, status);
		return;
	}
	for (uint32_t i = 0; i < got; i++)
		if (buf[i] < 0x21 || buf[i] > 0x7e)
			buf[i] = '.';
	fprintf(out, "OK %.*s\n", (int)got, buf);
}

static void cmd_v3_truncate(struct client_state *state,
			    const struct command_args *args, FILE *out)
{
	uint64_t size;

	if (!parse_u64(args->argv[1], &size)) {
		answer_usage(out, "v3 truncate FILE SIZE");
		return;
	}
	answer_nfs3(out, nfs3_io_truncate(state->nlm, args->argv[0], size));
}

static void cmd_v3_size(struct client_state *state,
			const struct command_args *args, FILE *out)
{
	uint64_t size = 0;
	int status = nfs3_io_size(state->nlm, args->argv[0], &size);

	if (status == NFS3_IO_OK)
		fprintf(out, "OK %llu\n", (unsigned long long)size);
	else
		answer_nfs3(out, status);
}

/* As rm sees it: "ERR EACCES" for NFS3ERR_ACCES (libnfs's errno). */
static void cmd_v3_remove(struct client_state *state,
			  const struct command_args *args, FILE *out)
{
	int rc = nlm_client_v3_remove(state->nlm, args->argv[0]);

	if (rc == 0)
		fprintf(out, "OK\n");
	else
		fprintf(out, "ERR %s\n", strerrorname_np(-rc));
}

static void cmd_quit(struct client_state *state,
		     const struct command_args *args, FILE *out)
{
	(void)state;
	(void)args;
	fputs("OK\n", out);
}

static const struct command commands[] = {
	{"v4", "open", 1, 4, cmd_v4_open,
	 "v4 open FILE [read|write|both] [deny none|read|write|both]"},
	{"v4", "owner", 1, 1, cmd_v4_owner, "v4 owner NAME"},
	{"v4", "open_owner", 1, 1, cmd_v4_open_owner, "v4 open_owner NAME"},
	{"v4", "file", 1, 1, cmd_v4_file, "v4 file FILE"},
	{"v4", "renew", 0, 0, cmd_v4_renew, "v4 renew"},
	{"v4", "lock", 3, 4, cmd_v4_lock,
	 "v4 lock read|write|readw|writew OFFSET LENGTH [reclaim]"},
	{"v4", "downgrade", 1, 3, cmd_v4_downgrade,
	 "v4 downgrade read|write|both [deny none|read|write|both]"},
	{"v4", "release_lockowner", 0, 0, cmd_v4_release_lockowner,
	 "v4 release_lockowner"},
	{"v4", "expire", 0, 0, cmd_v4_expire, "v4 expire"},
	{"v4", "recalls", 0, 0, cmd_v4_recalls, "v4 recalls"},
	{"v4", "delegreturn", 0, 0, cmd_v4_delegreturn, "v4 delegreturn"},
	{"v4", "autoreturn", 1, 1, cmd_v4_autoreturn, "v4 autoreturn on|off"},
	{"v4", "callback", 1, 1, cmd_v4_callback,
	 "v4 callback answer|once|mute"},
	{"v4", "seqflags", 0, 0, cmd_v4_seqflags, "v4 seqflags"},
	{"v4", "free_stateid", 0, 0, cmd_v4_free_stateid, "v4 free_stateid"},
	{"v4", "test_stateid", 0, 0, cmd_v4_test_stateid, "v4 test_stateid"},
	{"v4", "lockt", 3, 3, cmd_v4_lockt,
	 "v4 lockt read|write OFFSET LENGTH"},
	{"v4", "unlock", 2, 2, cmd_v4_unlock, "v4 unlock OFFSET LENGTH"},
	{"v4", "close", 0, 0, cmd_v4_close, "v4 close"},
	{"v4", "truncate", 2, 2, cmd_v4_truncate, "v4 truncate FILE SIZE"},
	{"v4", "write", 3, 3, cmd_v4_write, "v4 write FILE OFFSET LENGTH"},
	{"v4", "read", 3, 3, cmd_v4_read, "v4 read FILE OFFSET LENGTH"},
	{"v4", "io", 3, 3, cmd_v4_io, "v4 io read|write OFFSET LENGTH"},
	{"v4", "read_bypass", 3, 3, cmd_v4_read_bypass,
	 "v4 read_bypass FILE OFFSET LENGTH"},
	{"v4", "remove", 1, 1, cmd_v4_remove, "v4 remove FILE"},
	{"v4", "rename", 2, 2, cmd_v4_rename, "v4 rename FROM TO"},
	{"nlm", "svid", 1, 1, cmd_nlm_svid, "nlm svid N"},
	{"nlm", "lock", 4, 5, cmd_nlm_lock,
	 "nlm lock read|write OFFSET LENGTH FILE [block|reclaim]"},
	{"nlm", "cancel", 4, 4, cmd_nlm_cancel,
	 "nlm cancel read|write OFFSET LENGTH FILE"},
	{"nlm", "share", 2, 4, cmd_nlm_share,
	 "nlm share read|write|both [deny none|read|write|both] FILE"},
	{"nlm", "unshare", 2, 4, cmd_nlm_unshare,
	 "nlm unshare read|write|both [deny none|read|write|both] FILE"},
	{"nlm", "free_all", 1, 1, cmd_nlm_free_all, "nlm free_all STATE"},
	{"nlm", "granted", 0, 1, cmd_nlm_granted, "nlm granted [SECONDS]"},
	{"nlm", "test", 4, 4, cmd_nlm_test,
	 "nlm test read|write OFFSET LENGTH FILE"},
	{"nlm", "unlock", 3, 3, cmd_nlm_unlock,
	 "nlm unlock OFFSET LENGTH FILE"},
	{"nsm", "notify", 1, 1, cmd_nsm_notify, "nsm notify STATE"},
	{"nsm", "notified", 0, 0, cmd_nsm_notified, "nsm notified"},
	{"v3", "write", 3, 3, cmd_v3_write, "v3 write FILE OFFSET TEXT"},
	{"v3", "read", 3, 3, cmd_v3_read, "v3 read FILE OFFSET LENGTH"},
	{"v3", "truncate", 2, 2, cmd_v3_truncate, "v3 truncate FILE SIZE"},
	{"v3", "size", 1, 1, cmd_v3_size, "v3 size FILE"},
	{"v3", "remove", 1, 1, cmd_v3_remove, "v3 remove FILE"},
	{NULL, "quit", 0, 0, cmd_quit, "quit"},
};

/* "unknown command (v4 open|owner|..., nlm svid|..., quit)", from the
 * table, which keeps each protocol's commands together. */
static void answer_unknown(FILE *out)
{
	const char *group = NULL;
	size_t i;

	fputs("ERR usage: unknown command (", out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *cmd = &commands[i];

		if (i > 0 && cmd->protocol && group &&
		    strcmp(cmd->protocol, group) == 0)
			fprintf(out, "|%s", cmd->verb);
		else
			fprintf(out, "%s%s%s%s", i > 0 ? ", " : "",
				cmd->protocol ? cmd->protocol : "",
				cmd->protocol ? " " : "", cmd->verb);
		group = cmd->protocol;
	}
	fputs(")\n", out);
}

static const struct command *find_command(int argc, char **argv, int *skip)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *cmd = &commands[i];

		if (!cmd->protocol && strcmp(argv[0], cmd->verb) == 0) {
			*skip = 1;
			return cmd;
		}
		if (cmd->protocol && argc >= 2 &&
		    strcmp(argv[0], cmd->protocol) == 0 &&
		    strcmp(argv[1], cmd->verb) == 0) {
			*skip = 2;
			return cmd;
		}
	}
	return NULL;
}

bool command_run(struct client_state *state, char *line, FILE *out)
{
	char *argv[MAX_ARGS + 1];
	struct command_args args;
	const struct command *cmd;
	char *save, *word;
	int argc = 0, skip;

	for (word = strtok_r(line, " \t\r\n", &save); word;
	     word = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == MAX_ARGS + 1) {
			answer_usage(out, "too many arguments");
			return false;
		}
		argv[argc++] = word;
	}
	if (argc == 0) {
		answer_usage(out, "empty command");
		return false;
	}
	cmd = find_command(argc, argv, &skip);
	if (!cmd) {
		answer_unknown(out);
		return false;
	}
	args.argc = argc - skip;
	args.argv = argv + skip;
	if (args.argc < cmd->min_args || args.argc > cmd->max_args) {
		answer_usage(out, cmd->usage);
		return false;
	}
	cmd->run(state, &args, out);
	return cmd->run == cmd_quit;
}
