# shellcheck shell=bash
# bench_lib.sh: what the NFS benches share. Source it, then bench_init.
#
#   bench_init NAME   build (scripts/build.sh), set build, root and work (a
#                     fresh /tmp directory), load the sandbox with the
#                     UNIFIED module of this build, sandbox run NAME-$$,
#                     cleaned up at exit
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
