/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* RPCSEC_GSS over libtirpc: connection, context, and opaque calls. */
#include "gss_rpc.h"
#include "tirpc_opaque.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <rpc/auth_gss.h>
#include <rpc/rpc.h>

struct gss_rpc {
	CLIENT *clnt;
};

static void gss_message(OM_uint32 status, int type, char *out, size_t len)
{
	OM_uint32 minor, context = 0;
	gss_buffer_desc text = GSS_C_EMPTY_BUFFER;

	gss_display_status(&minor, status, type, GSS_C_NO_OID, &context, &text);
	snprintf(out, len, "%.*s", (int)text.length, (const char *)text.value);
	gss_release_buffer(&minor, &text);
}

/* libtirpc reports why a context failed only in its debug log: ask GSS
 * first, so the user reads Kerberos's reason ("Ticket expired", "Server
 * not found in Kerberos database"). The service ticket it fetches is
 * cached and reused by authgss. */
static int check_initiator(const char *service, char *why, size_t why_len)
{
	gss_buffer_desc name_buf = {strlen(service), (void *)service};
	gss_buffer_desc token = GSS_C_EMPTY_BUFFER;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 major, minor;
	char major_text[128], minor_text[256];

	major = gss_import_name(&minor, &name_buf, GSS_C_NT_HOSTBASED_SERVICE,
				&name);
	if (!GSS_ERROR(major))
		major = gss_init_sec_context(
			&minor, GSS_C_NO_CREDENTIAL, &ctx, name,
			(gss_OID)gss_mech_krb5, GSS_C_MUTUAL_FLAG, 0,
			GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL,
			&token, NULL, NULL);
	if (GSS_ERROR(major)) {
		gss_message(major, GSS_C_GSS_CODE, major_text,
			    sizeof(major_text));
		gss_message(minor, GSS_C_MECH_CODE, minor_text,
			    sizeof(minor_text));
		snprintf(why, why_len, "GSS for %s: %s: %s", service,
			 major_text, minor_text);
	}
	gss_release_buffer(&minor, &token);
	gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
	gss_release_name(&minor, &name);
	return GSS_ERROR(major) ? -EACCES : 0;
}

static int connect_tcp(const char *server, uint16_t port, uint32_t program,
		       uint32_t version, CLIENT **clnt, char *why,
		       size_t why_len)
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons(port)};
	int sock = RPC_ANYSOCK;

	if (inet_pton(AF_INET, server, &addr.sin_addr) != 1) {
		snprintf(why, why_len, "%s is not an IPv4 address", server);
		return -EINVAL;
	}
	/* A port given: no portmapper lookup, as NFSv4 needs none. */
	*clnt = clnttcp_create(&addr, program, version, &sock, 0, 0);
	if (!*clnt) {
		snprintf(why, why_len, "%s",
			 clnt_spcreateerror("cannot connect"));
		return -ECONNREFUSED;
	}
	return 0;
}

static const rpc_gss_svc_t services[] = {
	[GSS_RPC_AUTH] = RPCSEC_GSS_SVC_NONE,
	[GSS_RPC_INTEGRITY] = RPCSEC_GSS_SVC_INTEGRITY,
	[GSS_RPC_PRIVACY] = RPCSEC_GSS_SVC_PRIVACY,
};

int gss_rpc_create(const char *server, uint16_t port, uint32_t program,
		   uint32_t version, const char *service,
		   enum gss_rpc_service level, struct gss_rpc **out, char *why,
		   size_t why_len)
{
	struct rpc_gss_sec sec = {
		.mech = (gss_OID)gss_mech_krb5,
		.svc = services[level],
		.cred = GSS_C_NO_CREDENTIAL,
	};
	struct gss_rpc *rpc;
	int rc = check_initiator(service, why, why_len);

	if (rc < 0)
		return rc;
	rpc = calloc(1, sizeof(*rpc));
	if (!rpc)
		return -ENOMEM;
	rc = connect_tcp(server, port, program, version, &rpc->clnt, why,
			 why_len);
	if (rc < 0) {
		free(rpc);
		return rc;
	}
	rpc->clnt->cl_auth =
		authgss_create_default(rpc->clnt, (char *)service, &sec);
	if (!rpc->clnt->cl_auth) {
		/* Our side had a ticket (check_initiator): the server could
		 * not accept it. libtirpc keeps no reason. */
		snprintf(why, why_len,
			 "the server refused the RPCSEC_GSS context for %s "
			 "(no key for it in the server's keytab, or clocks "
			 "too far apart? see the server's log)",
			 service);
		clnt_destroy(rpc->clnt);
		free(rpc);
		return -EACCES;
	}
	*out = rpc;
	return 0;
}

/* libtirpc names no RPCSEC_GSS auth_stat (RFC 2203 5.3.3.3): we do. */
static void report_call_error(CLIENT *clnt, enum clnt_stat stat)
{
	struct rpc_err err;

	clnt_geterr(clnt, &err);
	if (stat == RPC_AUTHERROR && err.re_why == RPCSEC_GSS_CREDPROBLEM)
		fprintf(stderr, "gss_rpc: RPCSEC_GSS_CREDPROBLEM: the server "
				"ended our context (ticket expired?)\n");
	else if (stat == RPC_AUTHERROR && err.re_why == RPCSEC_GSS_CTXPROBLEM)
		fprintf(stderr, "gss_rpc: RPCSEC_GSS_CTXPROBLEM: the server "
				"does not know our context\n");
	else
		fprintf(stderr, "gss_rpc: %s\n", clnt_sperror(clnt, "call"));
}

int gss_rpc_call(struct gss_rpc *rpc, uint32_t procedure, const void *args,
		 size_t args_len, void **reply, size_t *reply_len)
{
	enum clnt_stat stat = tirpc_opaque_call(rpc->clnt, procedure, args,
						args_len, reply, reply_len);

	if (stat != RPC_SUCCESS)
		report_call_error(rpc->clnt, stat);
	return tirpc_opaque_errno(stat);
}

void gss_rpc_destroy(struct gss_rpc *rpc)
{
	auth_destroy(rpc->clnt->cl_auth);
	clnt_destroy(rpc->clnt);
	free(rpc);
}
