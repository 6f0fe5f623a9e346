/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The line protocol of ulm-nfs-client: parse one command, answer one line. */
#ifndef ULM_COMMANDS_H
#define ULM_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct nfs4_session;
struct nfs4_file;
struct nlm_client;

#define OWNER_MAX 128

struct client_state {
	const char *server;
	struct nfs4_session *nfs4;
	struct nlm_client *nlm;
	struct nfs4_file *current; /* file of the last successful v4 open */
	char owner[OWNER_MAX];	   /* lock-owner of v4 lock commands */
	uint32_t svid;		   /* svid of nlm commands */
	bool expired;		   /* "v4 expire": no more RENEW */
	bool callback;		   /* an NFSv4 callback service runs */
	bool nlm_callback;	   /* the NLM GRANTED service runs */
	bool nsm_listening;	   /* an NSM (statd) service runs */
};

/**
 * @brief Run one command @p line (modified in place) and write exactly one
 *        answer line to @p out.
 * @return true when the command was "quit".
 */
bool command_run(struct client_state *state, char *line, FILE *out);

#endif /* ULM_COMMANDS_H */
