# shellcheck shell=bash
# smbd.sh: Debian's smbd in a node of sandbox.sh (source that first),
# beside Ganesha, loading ULM's VFS module. Then:
#
#   sb_smbd_start NODE SAMPLE KEY=VALUE... [-- OPTION=VALUE...]
#       SAMPLE (config_samples/smb.conf) filled in with the KEYs (EXPORT,
#       STORE; STATE is NODE/smb) into NODE/smb/smb.conf; OPTIONs are
#       smb.conf settings given on smbd's command line. Returns once smbd
#       serves on port 445; its user "root" has password $SB_SMB_PASSWORD.
#   sb_smbd_log NODE            smbd's log (and its connections')
#
# Environment: SB_SMB_MODULE (ulm.so, required), SB_SMBD (/usr/sbin/smbd),
# SB_SMB_ADDR (127.0.0.1: where smbd serves; set "interfaces" to it when
# nodes share a network namespace),
# SB_SMB_STOCK=1: the shares without the module ("vfs objects" empty,
# "kernel share modes = no"), stock smbd as the negative control.
# smbd loads VFS modules from its MODULESDIR only: the node's mount
# namespace gets an overlay of that directory with ulm.so added.

SB_SMBD=${SB_SMBD:-/usr/sbin/smbd}
SB_SMB_PASSWORD=${SB_SMB_PASSWORD:-ulm-test}

sb__smb_vfs_dir() {
	"$SB_SMBD" -b | sed -n 's/^ *MODULESDIR: *//p'
}

# Fill SAMPLE's ${NAME}s from KEY=VALUE arguments; fail if one is left.
sb__smb_conf() {
	local sample=$1 out=$2 kv names=""
	shift 2
	for kv in "$@"; do names+=" \${${kv%%=*}}"; done
	env "$@" envsubst "$names" <"$sample" >"$out" || return 1
	# shellcheck disable=SC2016 # a literal ${NAME}
	if grep -n '\${[A-Z_0-9]*}' "$out" >&2; then
		sb_err "$sample: values missing for the \${NAME}s above"
		return 1
	fi
}

# The module beside Debian's, in NODE's mount namespace only.
sb__smb_module() {
	local node=$1 dir=$2 vfs
	vfs=$(sb__smb_vfs_dir)/vfs
	[ -f "$SB_SMB_MODULE" ] || {
		sb_err "SB_SMB_MODULE '$SB_SMB_MODULE' is not a file"
		return 1
	}
	mkdir -p "$dir/vfs" && ln -sfn "$SB_SMB_MODULE" "$dir/vfs/ulm.so" &&
		sb_exec "$node" mount -t overlay overlay \
			-o "lowerdir=$dir/vfs:$vfs" "$vfs"
}

sb__smbd_serving() {
	sb_alive "$1" smbd &&
		sb_exec "$1" bash -c "exec 3<>/dev/tcp/${SB_SMB_ADDR:-127.0.0.1}/445" \
			2>/dev/null
}

sb_smbd_start() {
	local node=$1 sample=$2 dir keys=() opts=() d
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do keys+=("$1") && shift; done
	[ $# -eq 0 ] || shift
	for d in "$@"; do opts+=("--option=$d"); done
	dir=$(sb_node_dir "$node")/smb
	for d in lock state cache private run ncalrpc; do
		mkdir -p "$dir/$d" || return 1
	done
	sb__smb_conf "$sample" "$dir/smb.conf" "STATE=$dir" "${keys[@]}" ||
		return 1
	[ "${SB_SMB_STOCK:-0}" = 0 ] || sed -i -e 's/^\(\s*vfs objects =\).*/\1/' \
		-e 's/^\(\s*kernel share modes =\).*/\1 no/' "$dir/smb.conf"
	sb__smb_module "$node" "$dir" || return 1
	printf '%s\n%s\n' "$SB_SMB_PASSWORD" "$SB_SMB_PASSWORD" |
		sb_exec "$node" smbpasswd -c "$dir/smb.conf" -a -s root \
			>"$dir/smbpasswd.out" 2>&1 || {
		sb_err "node $node: smbpasswd failed: $(cat "$dir/smbpasswd.out")"
		return 1
	}
	# In a session of its own: smbd's parent ends by a SIGTERM to its
	# process group (source3/smbd/server.c:147 killkids), which must
	# reach its children only, not the test and its ctest.
	sb_spawn "$node" smbd setsid "$SB_SMBD" --foreground --no-process-group \
		--configfile="$dir/smb.conf" "${opts[@]}" || return 1
	sb_wait_until "$SB_TIMEOUT" sb__smbd_serving "$node" || {
		sb_err "node $node: smbd does not serve; see $dir/smbd.log"
		tail -n 20 "$dir/smbd.log" >&2 2>/dev/null || true
		return 1
	}
}

sb_smbd_log() {
	cat "$(sb_node_dir "$1")"/smb/smbd.log* 2>/dev/null || true
}
