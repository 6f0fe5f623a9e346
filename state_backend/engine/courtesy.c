/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Courtesy records: what a client that went away without a word (its
 * lease lapsed) held, kept under an owner of its own, which any request
 * that meets it drops instead of being refused (a courteous server). */
#include <errno.h>
#include <string.h>
#include "engine.h"

#define PREFIX_LEN (sizeof(ULM_COURTESY_PREFIX) - 1)

int ulm_courtesy_owner(const struct ulm_owner *owner, uint8_t *buf,
		       struct ulm_owner *out)
{
	int rc = owner_validate(owner);

	if (rc)
		return rc;
	if (!buf || !out)
		return -EINVAL;
	if (owner->client_len + PREFIX_LEN > ULM_ID_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, ULM_COURTESY_PREFIX, PREFIX_LEN);
	memcpy(buf + PREFIX_LEN, owner->client, owner->client_len);
	*out = *owner;
	out->client = buf;
	out->client_len = owner->client_len + PREFIX_LEN;
	return 0;
}

bool ulm_is_courtesy(const struct ulm_lock_info *rec)
{
	return rec && rec->client_len > PREFIX_LEN &&
	       memcmp(rec->client, ULM_COURTESY_PREFIX, PREFIX_LEN) == 0;
}

int ulm_courtesy_drop(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_lock_info *rec)
{
	struct ulm_owner o;

	if (!ulm_is_courtesy(rec))
		return -EINVAL;
	o = (struct ulm_owner){.protocol = rec->protocol,
			       .kind = rec->kind,
			       .node = rec->node,
			       .client = rec->client,
			       .client_len = rec->client_len,
			       .owner = rec->owner,
			       .owner_len = rec->owner_len};
	switch (rec->type) {
	case ULM_REC_LOCK_READ:
	case ULM_REC_LOCK_WRITE:
		if (!(rec->flags & ULM_FLAG_WINDOWS))
			return ulm_lock_release(env, file, &o, rec->start,
						rec->end);
		return ulm_winlock_release(env, file, &o, rec->start,
					   rec->flags & ULM_FLAG_EMPTY
						   ? 0
						   : rec->end - rec->start + 1);
	case ULM_REC_SHARE:
		return ulm_share_release(env, file, &o);
	case ULM_REC_DELEG_READ:
	case ULM_REC_DELEG_WRITE:
		return ulm_deleg_release(env, file, &o);
	default:
		return -EINVAL;
	}
}
