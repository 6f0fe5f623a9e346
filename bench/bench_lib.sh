# shellcheck shell=bash
# bench_lib.sh: what the NFS benches share. Source it, then bench_init.
#
#   bench_init NAME   build (scripts/build.sh), set build, root and work (a
#                     fresh /tmp directory), load the sandbox with the
#                     UNIFIED module of this build, sandbox run NAME-$$,
#                     cleaned up at exit
#   bench_lock_server PROTOCOLS [KEY=VALUE...]   node n1: one ganesha.nfsd
#                     with a plain VFS export /vfs and a UNIFIED one
#                     /unified (LMDB, or RADOS on a memstore Ceph with
#                     ULM_BENCH_STORE=rados, Rados_Tokens ULM_BENCH_TOKENS,
#                     Rados_Token_Idle ULM_BENCH_TOKEN_IDLE),
#                     PROTOCOLS "4" or "3,4" (NLM: rpcbind and rpc.statd
#                     too), more sb_ganesha_conf settings as KEY=VALUE;
#                     prints its setup
#   bench_lock_run EXPORT CLIENTS SECONDS [ulm-nfs-bench options]
#                     lock+unlock pairs on /EXPORT from CLIENTS clients:
#                     prints "pairs_per_s median_us p99_us pairs"; fails
#                     if a lock was denied
#   bench_it_env BUILD   export what tests/integration/it_lib.sh needs to
#                     run its scenarios with BUILD (the recovery and
#                     Pacemaker benches), work under ULM_BENCH_WORK
bench_it_env() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	export ULM_SANDBOX_LIB=$top/scripts/lib/sandbox.sh
	export ULM_IT_WORK=${ULM_BENCH_WORK:-/tmp/ulm-bench}
	export ULM_IT_FSAL=$1/fsal_unified/libfsalunified.so
	export ULM_IT_CLIENT=$1/tests/integration/client/ulm-nfs-client
	export ULM_IT_INSPECT=$1/dbus_admin/ulmctl
	export ULM_IT_ULMCTL=$1/dbus_admin/ulmctl
	export ULM_IT_TAKEOVER=$1/recovery_rados/ulm-takeover
}

bench_init() {
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
	# shellcheck source=../scripts/lib/sandbox.sh
	. "$root/scripts/lib/sandbox.sh"
	# shellcheck disable=SC2034 # read by sandbox.sh
	SB_UNIFIED_MODULE=$build/fsal_unified/libfsalunified.so
	work=$(mktemp -d /tmp/ulm-bench.XXXXXX)
	sb_init "$work/sb" "ulmt-$1-$$"
	trap 'sb_cleanup' EXIT
}

bench_lock_server() {
	local protocols=$1 store
	shift
	mkdir -p "$work/vfs" "$work/unified" "$work/store"
	sb_node_create n1
	store=(store=lmdb store_path="$work/store")
	if [ "${ULM_BENCH_STORE:-lmdb}" = rados ]; then
		# shellcheck source=../scripts/lib/ceph.sh
		. "$root/scripts/lib/ceph.sh"
		trap 'sb_cleanup; ceph_stop "$work/ceph"' EXIT
		CEPH_NETNS=$(sb_ns n1) ceph_start "$work/ceph" bench memstore
		store=(store=rados ceph_conf="$work/ceph/ceph.conf" pool=ulm
			namespace=bench rados_tokens="${ULM_BENCH_TOKENS:-true}"
			rados_token_idle="${ULM_BENCH_TOKEN_IDLE:-}")
		echo "Rados_Tokens = ${ULM_BENCH_TOKENS:-true}," \
			"Rados_Token_Idle = ${ULM_BENCH_TOKEN_IDLE:-default}"
	fi
	echo "UNIFIED store: ${ULM_BENCH_STORE:-lmdb}"
	if [ "$protocols" != 4 ]; then
		sb_rpcbind_start n1
		sb_statd_start n1
	fi
	sb_ganesha_conf n1 protocols="$protocols" grace=2 lease=30 "${store[@]}" \
		node_id=1 export="1:$work/vfs:/vfs:VFS" \
		export="2:$work/unified:/unified:UNIFIED/VFS" "$@"
	sb_ganesha_start n1
	sb_ganesha_wait_grace n1
}

bench_lock_run() {
	local line
	line=$(sb_exec n1 "$build/bench/nfs/ulm-nfs-bench" --server 127.0.0.1 \
		--export "/$1" --file bench.dat --per-client-files \
		--seconds "$3" --clients "$2" "${@:4}")
	echo "$line" | tr ' ' '\n' | awk -F= '
		$1 == "pairs_per_s" { p = $2 } $1 == "median_us" { m = $2 }
		$1 == "p99_us" { q = $2 } $1 == "denied" { d = $2 }
		$1 == "pairs" { n = $2 }
		END { if (d > 0) { print "denied locks in a benchmark" > "/dev/stderr"; exit 1 }
		      print p, m, q, n }'
}
