/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <string.h>
#include "ulm.h"

const char *ulm_strerror(int err)
{
	const char *msg;

	switch (err) {
	case 0:
		return "success";
	case ULM_ECORRUPT:
		return "a stored lock record failed to decode";
	case ULM_EDELEG:
		return "another client's delegation conflicts; it is being "
		       "recalled";
	case ULM_EFENCED:
		return "this node lost its liveness lease in the lock store";
	case ULM_EGRACE:
		return "the lock state of this file is being recovered; retry "
		       "after grace";
	case ULM_EBUSY:
		return "the node holding this file's lock state did not answer "
		       "in time; retry";
	case -ETIMEDOUT:
		return "the lock store did not answer in time; retry (a change "
		       "may have been made)";
	case ULM_EFORMAT:
		return "the store was written by an unknown format version";
	case -EAGAIN:
		return "conflicting lock, share or queued request held";
	case -ENOLCK:
		return "lock store full";
	}
	/* strerrordesc_np() returns static strings, unlike strerror(). */
	msg = err < 0 ? strerrordesc_np(-err) : NULL;
	return msg ? msg : "unknown error";
}
