#!/usr/bin/env bash
# it.rados_share_io: it.share_io's WRITE case on RADOS, file tokens on. A
# deny held through one node (which then holds the file's token: its
# records live in its memory) refuses the other node's NFSv4 WRITE and
# SETATTR of the size with the anonymous stateid (NFS4ERR_LOCKED,
# NFS4ERR_SHARE_DENIED) and the file's bytes stay as they were; after
# CLOSE both go through. Without UNIFIED's check the write lands.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup rados_share_io
it_need ULM_IT_INSPECT "ulm-store-inspect"
# shellcheck source=tests/integration/rados_lib.sh
. "$IT_SRC/rados_lib.sh"

it_rados_cluster memstore
it_rados_node n1 1
it_rados_node n2 2
it_rados_client a n1
it_rados_client b n2
file=$IT_EXPORT/f
printf original >"$file"

for holder in a b; do
	other=$([ "$holder" = a ] && echo b || echo a)
	node=$([ "$holder" = a ] && echo 1 || echo 2)
	it_note "deny write held by $holder through node $node"
	it_expect "$holder" "v4 open f read deny write" OK
	# Alone on the file so far, node 1 took its token; later the file
	# has been used through both nodes and no token need be held.
	[ "$node" = 2 ] || it_expect_value "node 1 holds the file's token" 1 \
		"$(it_rados_token_of "type=share .*deny=w .*node=1 ")"
	it_expect "$other" "v4 write f 0 4" "ERR NFS4ERR_LOCKED"
	it_expect "$other" "v4 truncate f 2" "ERR NFS4ERR_SHARE_DENIED"
	it_expect_value "bytes and size unchanged" "original 8" \
		"$(cat "$file") $(stat -c %s "$file")"
	it_expect "$holder" "v4 close" OK
	it_expect "$other" "v4 write f 0 4" OK
	it_expect_value "the write landed (4 zero bytes)" "00000000 8" \
		"$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n') $(stat -c %s "$file")"
	it_expect "$other" "v4 truncate f 2" OK
	it_expect_value "the truncate landed" 2 "$(stat -c %s "$file")"
	printf original >"$file"
done
it_pass
