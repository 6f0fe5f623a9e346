#!/usr/bin/env bash
# it.NAME.control: the negative control of the SMB test NAME. Run against
# stock smbd (SB_SMB_STOCK=1: no "vfs objects = ulm", no kernel share
# modes), NAME must fail: Samba alone keeps its share modes and locks to
# itself. A control that passes means NAME no longer proves vfs_ulm.
#
#   smb_control.sh NAME
set -uo pipefail
name=$1
out=$(SB_SMB_STOCK=1 bash "$(dirname "$0")/../$name.sh" 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 15
fail=$(grep -m 1 '^FAIL: ' <<<"$out")
if [ "$rc" = 0 ]; then
	echo "CONTROL FAILED: $name passed with stock smbd"
	exit 1
fi
if [ -z "$fail" ]; then
	echo "CONTROL FAILED: $name failed with no FAIL line (rc $rc)"
	exit 1
fi
echo "CONTROL PASSED: $name fails with stock smbd: ${fail#FAIL: }"
