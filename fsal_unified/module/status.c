// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file status.c
 * @brief FSAL UNIFIED: libulm's names and results in Ganesha's terms.
 */
#include <errno.h>

#include "ulmfsal.h"

/* Map a libulm result to an FSAL status; log failures of the store. */
fsal_status_t ulmfsal_status(int rc, const char *what)
{
	switch (rc) {
	case 0:
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	case -EAGAIN: /* a conflict: the caller reports it */
		return fsalstat(ERR_FSAL_DELAY, EAGAIN);
	case ULM_EGRACE: /* an unreclaimed record: retry after grace */
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: %s meets a record still being reclaimed",
			 what);
		return fsalstat(ERR_FSAL_IN_GRACE, EAGAIN);
	case ULM_EFENCED: /* logged once, by the fence watch thread */
	case ULM_EBUSY:	  /* the node holding the file did not answer */
	case -ETIMEDOUT:  /* nor did the store, within the call's bound */
		LogDebug(COMPONENT_FSAL, "UNIFIED: %s: retry later: %s", what,
			 ulm_strerror(rc));
		return fsalstat(ERR_FSAL_DELAY, EAGAIN);
	case ULM_EDELEG: /* a recall is on its way: the client retries */
		LogDebug(COMPONENT_FSAL, "UNIFIED: %s waits for a recall",
			 what);
		return fsalstat(ERR_FSAL_DELAY, EAGAIN);
	case -EINVAL:
		LogMajor(COMPONENT_FSAL, "UNIFIED: %s refused by libulm: %s",
			 what, ulm_strerror(rc));
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	case -ENOMEM:
	case -ENOLCK:
		LogMajor(COMPONENT_FSAL,
			 "UNIFIED: %s failed: %s (lock store full? raise "
			 "UNIFIED { Map_Size })",
			 what, ulm_strerror(rc));
		return fsalstat(ERR_FSAL_NOMEM, -rc);
	case -EROFS:
		LogMajor(COMPONENT_FSAL, "UNIFIED: %s failed: %s", what,
			 ulm_strerror(rc));
		return fsalstat(ERR_FSAL_ROFS, EROFS);
	default: /* -EIO, ULM_ECORRUPT, ULM_EFORMAT, anything new */
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: %s failed: lock store error: %s", what,
			ulm_strerror(rc));
		return fsalstat(ERR_FSAL_IO, EIO);
	}
}

/* As ulmfsal_status(), for lock_op2: Ganesha 4.3 turns ERR_FSAL_DELAY
 * from a lock call into a conflict (SAL/state_misc.c,
 * state_error_convert()), so "retry later" is said as grace there
 * (NFS4ERR_GRACE, NLM4_DENIED_GRACE_PERIOD), which clients retry. */
fsal_status_t ulmfsal_lock_status(int rc, const char *what)
{
	fsal_status_t status = ulmfsal_status(rc, what);

	if (rc == ULM_EFENCED || rc == ULM_EBUSY || rc == -ETIMEDOUT)
		status.major = ERR_FSAL_IN_GRACE;
	return status;
}

/* The sub-FSAL's handle key names the file the same way on every node. */
int ulmfsal_file_key(struct fsal_obj_handle *obj_hdl, struct ulm_key *key)
{
	struct gsh_buffdesc desc = {0};

	ULMFSAL_SUB_VOID(obj_hdl, handle_to_key, &desc);
	if (desc.len == 0 || desc.len > ULM_KEY_MAX) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: the sub-FSAL's handle key is %zu bytes; "
			"libulm takes 1..%d: lock state on this file is "
			"refused",
			desc.len, ULM_KEY_MAX);
		return -EINVAL;
	}
	key->data = desc.addr;
	key->len = desc.len;
	return 0;
}
