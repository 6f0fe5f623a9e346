/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * One ONC RPC connection authenticated with RPCSEC_GSS (Kerberos v5), from
 * libtirpc's authgss.  It carries opaque, already XDR-encoded arguments and
 * hands back the raw results, so that the caller can use any XDR library
 * (here libnfs's NFSv4 encoders) without its headers meeting libtirpc's.
 */
#ifndef ULM_GSS_RPC_H
#define ULM_GSS_RPC_H

#include <stddef.h>
#include <stdint.h>

struct gss_rpc;

/** RPCSEC_GSS services (RFC 2203): krb5, krb5i, krb5p. */
enum gss_rpc_service {
	GSS_RPC_AUTH,	   /**< krb5: authentication only */
	GSS_RPC_INTEGRITY, /**< krb5i: every call and reply checksummed */
	GSS_RPC_PRIVACY,   /**< krb5p: every call and reply encrypted */
};

/**
 * @brief Connect over TCP to @p server:@p port and establish a GSS context
 *        with @p service ("nfs@HOST") using the caller's Kerberos
 *        credentials (KRB5CCNAME).
 *
 * @param[out] why  On failure, a one-line reason (GSS's own words when
 *                  Kerberos refused, e.g. "Ticket expired").
 * @param[out] rpc  Free with gss_rpc_destroy().
 * @return 0, -EACCES if Kerberos or the server refused the context,
 *         -ECONNREFUSED/-EIO if the connection failed, -ENOMEM.
 */
int gss_rpc_create(const char *server, uint16_t port, uint32_t program,
		   uint32_t version, const char *service,
		   enum gss_rpc_service level, struct gss_rpc **rpc, char *why,
		   size_t why_len);

/**
 * @brief Call @p procedure with @p args (XDR bytes, a multiple of 4 long).
 *
 * @param[out] reply      The procedure's results as XDR bytes, unwrapped
 *                        and verified; free() it.
 * @return 0, -EACCES on an RPC authentication error (e.g. the server's
 *         context expired with the ticket), -ETIMEDOUT, or -EIO (the
 *         connection is then unusable).
 */
int gss_rpc_call(struct gss_rpc *rpc, uint32_t procedure, const void *args,
		 size_t args_len, void **reply, size_t *reply_len);

/** Destroy the GSS context on the server and close the connection. */
void gss_rpc_destroy(struct gss_rpc *rpc);

#endif /* ULM_GSS_RPC_H */
