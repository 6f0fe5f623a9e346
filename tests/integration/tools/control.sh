#!/usr/bin/env bash
# it.NAME.control: the negative control of test NAME, which must fail run
# so. MODE separate_stores (the default, a cross-node test): every node
# on a lock store of its own (IT_CONTROL=separate_stores), and NAME must
# fail at a check that asks which node's store refused: on one host the
# nodes export one directory, and a kernel lock there would refuse a
# cross-node conflict too. MODE stock_smbd (an SMB test): smbd without
# vfs_ulm (SB_SMB_STOCK=1), and NAME must fail at a check. A control that
# passes, or fails anywhere else, means NAME no longer proves what it
# claims.
#
#   control.sh NAME [separate_stores|stock_smbd]
set -uo pipefail
name=$1 mode=${2:-separate_stores}
case $mode in
separate_stores) what="with a store per node" && set -- IT_CONTROL=separate_stores ;;
stock_smbd) what="with stock smbd" && set -- SB_SMB_STOCK=1 ;;
*) echo "control.sh: unknown mode '$mode'" && exit 2 ;;
esac
out=$(env "$@" bash "$(dirname "$0")/../$name.sh" 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 15
fail=$(grep -m 1 '^FAIL: ' <<<"$out")
if [ "$rc" = 0 ]; then
	echo "CONTROL FAILED: $name passed $what"
	exit 1
fi
case $mode:$fail in
"separate_stores:FAIL: node "*"'s lock store refused it"* | "stock_smbd:FAIL: "*)
	echo "CONTROL PASSED: $name fails $what: ${fail#FAIL: }"
	;;
*)
	echo "CONTROL FAILED: $name failed elsewhere (rc $rc): ${fail:-no FAIL line}"
	exit 1
	;;
esac
