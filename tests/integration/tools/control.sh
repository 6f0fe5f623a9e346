#!/usr/bin/env bash
# it.NAME.control: the negative control of the cross-node test NAME. Run
# with every node on a lock store of its own (IT_CONTROL=separate_stores),
# NAME must fail, and at a check that asks which node's store refused: on
# one host the nodes export one directory, and a kernel lock there would
# refuse a cross-node conflict too. A control that passes, or fails
# anywhere else, means NAME no longer proves that the nodes share a store.
#
#   control.sh NAME
set -uo pipefail
name=$1
out=$(IT_CONTROL=separate_stores bash "$(dirname "$0")/../$name.sh" 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 15
fail=$(grep -m 1 '^FAIL: ' <<<"$out")
if [ "$rc" = 0 ]; then
	echo "CONTROL FAILED: $name passed with a store per node"
	exit 1
fi
case $fail in
"FAIL: node "*"'s lock store refused it"*)
	echo "CONTROL PASSED: $name fails with a store per node: ${fail#FAIL: }"
	;;
*)
	echo "CONTROL FAILED: $name failed elsewhere (rc $rc): ${fail:-no FAIL line}"
	exit 1
	;;
esac
