#!/usr/bin/env bash
# smbtorture-compare.sh BUILD_DIR [SUITE...]: Samba's own torture suites
# (samba-testsuite's smbtorture, SMB2) against Debian's smbd over one
# directory, once with "vfs objects = ulm" (config_samples/smb.conf, an
# LMDB store) and once stock (SB_SMB_STOCK=1), in namespaces of their own.
# Prints each suite's success/failure/skip counts both ways and the
# subtests that pass stock but fail with the module (the module must not
# add any). Default suites: smb2.lock smb2.sharemode. Root; minutes.
set -uo pipefail
build=$(cd "${1:?usage: smbtorture-compare.sh BUILD_DIR [SUITE...]}" && pwd)
shift
suites=("${@:-smb2.lock}")
[ $# -gt 0 ] || suites=(smb2.lock smb2.sharemode)
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/sandbox.sh
. "$root/scripts/lib/sandbox.sh"
# shellcheck source=scripts/lib/smbd.sh
. "$root/scripts/lib/smbd.sh"
# shellcheck disable=SC2034 # read by smbd.sh
SB_SMB_MODULE=$build/samba_vfs/ulm.so
work=${ULM_TORTURE_WORK:-/var/tmp/ulm-smbtorture}
rm -rf "$work"
sb_init "$work" "ulmt-torture-$$" || exit 1
trap 'sb_cleanup' EXIT

# run MODE NODE: smbd in NODE, each suite; output in $work/MODE-SUITE.out.
run() {
	local mode=$1 node=$2 suite
	mkdir -p "$work/$mode/export" "$work/$mode/store"
	sb_node_create "$node" || return 1
	SB_SMB_STOCK=$([ "$mode" = stock ] && echo 1 || echo 0) \
		sb_smbd_start "$node" "$root/config_samples/smb.conf" \
		"EXPORT=$work/$mode/export" "STORE=$work/$mode/store" || return 1
	for suite in "${suites[@]}"; do
		sb_exec "$node" smbtorture "//127.0.0.1/export" \
			-U "root%$SB_SMB_PASSWORD" --option=torture:sharedelay=100000 \
			"$suite" >"$work/$mode-$suite.out" 2>&1
	done
	return 0 # a suite's failures are counted below, not an error
}

run stock n1 || exit 1
run ulm n2 || exit 1
printf '%-16s %-6s %8s %8s %8s\n' SUITE SMBD success failure skip
for suite in "${suites[@]}"; do
	for mode in stock ulm; do
		f=$work/$mode-$suite.out
		printf '%-16s %-6s %8d %8d %8d\n' "$suite" "$mode" \
			"$(grep -c '^success: ' "$f")" \
			"$(grep -cE '^(failure|error): ' "$f")" \
			"$(grep -c '^skip: ' "$f")"
	done
	worse=$(comm -12 <(sed -n 's/^success: //p' "$work/stock-$suite.out" | sort) \
		<(sed -En 's/^(failure|error): (.*[^[ ])( \[)?$/\2/p' "$work/ulm-$suite.out" | sort))
	[ -z "$worse" ] || printf '%s: pass stock, fail with vfs_ulm: %s\n' \
		"$suite" "$(tr '\n' ' ' <<<"$worse")"
done
echo "outputs: $work/{stock,ulm}-SUITE.out"
