/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Opaque calls over libtirpc: XDR bytes in, XDR bytes out. */
#include "tirpc_opaque.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

/* XDR bytes going out and coming back, for the two xdrprocs below. */
struct raw_xdr {
	char *data;
	size_t len;
	size_t cap;
};

/* libtirpc's xdrproc_t is variadic: its one argument is the object. */
static struct raw_xdr *raw_arg(va_list ap)
{
	return va_arg(ap, void *);
}

/* Arguments are already encoded: copy them into the (possibly wrapped)
 * call body. */
static bool_t xdr_raw_args(XDR *xdrs, ...)
{
	struct raw_xdr *raw;
	va_list ap;

	va_start(ap, xdrs);
	raw = raw_arg(ap);
	va_end(ap);

	if (xdrs->x_op != XDR_ENCODE)
		return TRUE;
	return xdr_opaque(xdrs, raw->data, raw->len);
}

/* Results: take every remaining 4-byte unit of the (unwrapped) reply.
 * Both the record stream (AUTH_SYS, krb5) and the unwrapped buffer (krb5i,
 * krb5p) refuse to read past the reply's end, which ends the loop. */
static bool_t xdr_raw_results(XDR *xdrs, ...)
{
	struct raw_xdr *raw;
	va_list ap;

	va_start(ap, xdrs);
	raw = raw_arg(ap);
	va_end(ap);

	if (xdrs->x_op == XDR_FREE) {
		free(raw->data);
		raw->data = NULL;
		return TRUE;
	}
	if (xdrs->x_op != XDR_DECODE)
		return FALSE;
	for (;;) {
		if (raw->len + 4 > raw->cap) {
			size_t cap = raw->cap ? 2 * raw->cap : 4096;
			char *data = realloc(raw->data, cap);

			if (!data)
				return FALSE;
			raw->data = data;
			raw->cap = cap;
		}
		if (!xdr_opaque(xdrs, raw->data + raw->len, 4))
			return TRUE;
		raw->len += 4;
	}
}

enum clnt_stat tirpc_opaque_call(CLIENT *clnt, uint32_t procedure,
				 const void *args, size_t args_len,
				 void **reply, size_t *reply_len)
{
	struct raw_xdr in = {.data = (char *)args, .len = args_len};
	struct raw_xdr out = {0};
	struct timeval timeout = {TIRPC_OPAQUE_TIMEOUT_SECS, 0};
	enum clnt_stat stat;

	stat = clnt_call(clnt, procedure, xdr_raw_args, &in, xdr_raw_results,
			 &out, timeout);
	if (stat != RPC_SUCCESS) {
		free(out.data);
		return stat;
	}
	*reply = out.data;
	*reply_len = out.len;
	return stat;
}

int tirpc_opaque_errno(enum clnt_stat stat)
{
	switch (stat) {
	case RPC_SUCCESS:
		return 0;
	case RPC_AUTHERROR:
		return -EACCES;
	case RPC_TIMEDOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}
