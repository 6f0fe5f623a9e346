# shellcheck shell=bash
# smb_lib.sh: SMB beside NFS in the integration tests. After it_lib.sh:
#
#   it_smb_node NODE [OPTION=VALUE...]  smbd in NODE (beside its Ganesha,
#                            it_unified_node) sharing $IT_EXPORT as
#                            "export" with config_samples/smb.conf and the
#                            node's lock store; OPTIONs: smb.conf settings
#   it_smb_rados_node NODE ID [OPTION=VALUE...]  smbd in rados_lib.sh's
#                            NODE (Node_Id ID), on the pool's lock store,
#                            serving on 127.0.0.ID, node base (ID+3) x 2^22
#                            (a machine of its own)
#   it_smb_client_start CLIENT NODE [ADDR]  an ulm-smb-client (SMB 3.0)
#                            logged in to NODE's smbd (at ADDR, default
#                            127.0.0.1), driven as it_send/it_expect
#   it_smb_log_has WHAT REGEX           smbd's log has a matching line
#   it_smb_send CLIENT COMMAND          send COMMAND, do not wait: a
#                            command that waits (lockw) is answered later
#   it_smb_expect_reply SECONDS CLIENT EXPECTED  the reply to it_smb_send
#
# From CMake: ULM_IT_SMB_MODULE (ulm.so), ULM_IT_SMB_CLIENT, ULM_SMBD_LIB
# (scripts/lib/smbd.sh), ULM_IT_SMB_SAMPLE (config_samples/smb.conf).

# shellcheck source=scripts/lib/smbd.sh
. "${ULM_SMBD_LIB:-$IT_SRC/../../scripts/lib/smbd.sh}"
it_need ULM_IT_SMB_MODULE "the Samba VFS module (ulm.so)"
it_need ULM_IT_SMB_CLIENT "the test client ulm-smb-client"
# shellcheck disable=SC2034 # read by smbd.sh
SB_SMB_MODULE=$ULM_IT_SMB_MODULE

it_smb_node() {
	local node=$1
	shift
	sb_smbd_start "$node" "${ULM_IT_SMB_SAMPLE:-$IT_SRC/../../config_samples/smb.conf}" \
		"EXPORT=$IT_EXPORT" "STORE=$(it_node_store "$IT_STORE" "$node")" \
		-- "$@" || it_fail "node $node: smbd did not start"
}

# The smbds share the cluster's network namespace: each serves on its
# node's address, which smbd binds only if an interface has it.
it_smb_rados_node() {
	local node=$1 id=$2
	shift 2
	[[ $(ip -n "$(sb_ns n0)" addr show dev lo) == *" 127.0.0.$id/"* ]] ||
		ip -n "$(sb_ns n0)" addr add "127.0.0.$id/8" dev lo ||
		it_fail "node $node: address 127.0.0.$id"
	SB_SMB_ADDR=127.0.0.$id sb_smbd_start "$node" \
		"${ULM_IT_SMB_SAMPLE:-$IT_SRC/../../config_samples/smb.conf}" \
		"EXPORT=$IT_EXPORT" "STORE=unused" -- \
		"interfaces=127.0.0.$id" "bind interfaces only=yes" \
		"ulm:store=rados" "ulm:ceph conf=$IT_CEPH/ceph.conf" \
		"ulm:pool=ulm" "ulm:namespace=$(it_node_store export "$node")" \
		"ulm:rados lease ms=3000" "ulm:node base=$(((id + 3) << 22))" "$@" ||
		it_fail "node $node: smbd did not start"
}

it_smb_client_start() {
	it_proc_start "$1" "$2" "$ULM_IT_SMB_CLIENT" --server "${3:-127.0.0.1}" \
		--share export --user root --password "$SB_SMB_PASSWORD"
}

it_smb_log_has() {
	local line
	line=$(sb_smbd_log "${IT_SMB_NODE:-n1}" | grep -E -m 1 -- "$2" || true)
	[ -n "$line" ] || {
		sb_smbd_log "${IT_SMB_NODE:-n1}" | tail -n 30 | sed 's/^/# /'
		it_fail "smbd log: $1 (no line matching /$2/)"
	}
	it_pass "smbd log: $1: $(sed 's/^ *//' <<<"$line")"
}

it_smb_send() {
	printf '%s\n' "$2" >&"${IT_FD_IN[$1]}"
	IT_SMB_SENT[$1]=$2
}

it_smb_expect_reply() {
	local reply=""
	read -r -t "$1" -u "${IT_FD_OUT[$2]}" reply || true
	it_expect_value "[$2] ${IT_SMB_SENT[$2]} (answered within $1s)" "$3" "$reply"
}
declare -A IT_SMB_SENT=()
