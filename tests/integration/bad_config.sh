#!/usr/bin/env bash
# it.bad_config: a broken UNIFIED setup (bad values, unusable store paths,
# a Ceph cluster that is down) never takes Ganesha down. For each
# case the daemon keeps running (no signal death), its log names the
# problem, the UNIFIED export is refused (absent from the pseudo root), and a plain VFS export in the
# same config is still served and locks.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup bad_config

good=$IT_DIR/good
mkdir -p "$good" "$IT_DIR/ro/dir"
: >"$IT_DIR/a-file"

# bad_case NODE WHAT FSALSPEC CONF_KEY=VALUE...: NODE serves the bad export
# /bad (FSALSPEC, see sb__fsal_block) and the good one /good (VFS); checks
# everything but the log message.
bad_case() {
	local node=$1 what=$2 fsal=$3 status listing
	shift 3
	it_note "case $node: $what"
	sb_ganesha_conf "$node" graceless=true \
		export="1:$IT_EXPORT:/bad:$fsal" export="2:$good:/good:VFS" "$@" ||
		it_fail "config of $node"
	sb_ganesha_start "$node" || true
	if ! sb_alive "$node" ganesha; then
		status=$(sb_status "$node" ganesha)
		it_expect_value "$node: ganesha.nfsd still running (exit status)" \
			"running" "$status"
	fi
	it_pass "$node: ganesha.nfsd still running"
	sb_ganesha_wait_grace "$node" 30 || it_fail "$node: grace never ended"
	listing=$(sb_exec "$node" nfs-ls 'nfs://127.0.0.1/?version=4' 2>&1 |
		awk '{print $NF}' | sort | tr '\n' ' ')
	it_expect_value "$node: exports in the pseudo root" "good " "$listing"
	it_client_start "$node-good" "$node" /good
	it_expect "$node-good" "v4 open g both" OK
	it_expect "$node-good" "v4 lock write 0 10" OK
	it_expect "$node-good" "v4 unlock 0 10" OK
	it_expect_value "$node: mounting /bad" "*NFS4ERR_NOENT*" \
		"$(sb_exec "$node" nfs-ls 'nfs://127.0.0.1/bad?version=4' 2>&1)"
}

for node in badstore badunwatched rostore filestore nosub unknownsub deadrados; do
	sb_node_create "$node" || it_fail "node $node"
done
# The read-only store directory exists only in rostore's mount namespace.
if ! sb_exec rostore mount --bind "$IT_DIR/ro" "$IT_DIR/ro" ||
	! sb_exec rostore mount -o remount,bind,ro "$IT_DIR/ro"; then
	it_fail "read-only bind mount in rostore"
fi

bad_case badstore "unknown Store value" UNIFIED \
	store=bogus store_path="$IT_STORE" node_id=1
it_expect_log badstore "the bad value is named" 'bogus'
it_expect_log badstore "UNIFIED refuses its exports" \
	'invalid UNIFIED block.*Store = lmdb\|memory'

bad_case badunwatched "Delegations_Unwatched not a boolean" UNIFIED \
	store=lmdb store_path="$IT_STORE" node_id=1 deleg_unwatched=sometimes
it_expect_log badunwatched "the bad value is named" 'sometimes'
it_expect_log badunwatched "the valid values are named" \
	'invalid UNIFIED block.*Delegations_Unwatched = true\|false'

bad_case rostore "Store_Path on a read-only filesystem" UNIFIED \
	store=lmdb store_path="$IT_DIR/ro/dir" node_id=1
it_expect_log rostore "the store path is named" \
	"cannot open lock store at $IT_DIR/ro/dir"

bad_case filestore "Store_Path is a file" UNIFIED \
	store=lmdb store_path="$IT_DIR/a-file" node_id=1
it_expect_log filestore "the store path is named" \
	"cannot open lock store at $IT_DIR/a-file"

bad_case nosub "no sub-FSAL block" UNIFIED/ \
	store=lmdb store_path="$IT_STORE" node_id=1
it_expect_log nosub "the missing sub-FSAL is explained" \
	'UNIFIED: export refused: name the FSAL to stack on'

bad_case unknownsub "unknown sub-FSAL" UNIFIED/NOPE \
	store=lmdb store_path="$IT_STORE" node_id=2
it_expect_log unknownsub "the unknown sub-FSAL is named" \
	'sub-FSAL NOPE cannot be loaded'

# A RADOS store whose cluster is down: no monitor listens at mon_host.
cat >"$IT_DIR/dead-ceph.conf" <<EOF
[global]
mon_host = 127.0.0.1:1
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
client_mount_timeout = 3
EOF
bad_case deadrados "RADOS cluster down at start-up" UNIFIED \
	store=rados ceph_conf="$IT_DIR/dead-ceph.conf" pool=ulm node_id=1
it_expect_log deadrados "the outage and its fix are named" \
	'cannot open rados lock store .Pool ulm.*no monitor or OSD answered'
