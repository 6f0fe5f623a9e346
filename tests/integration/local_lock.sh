#!/usr/bin/env bash
# it.local_lock: locks granted through UNIFIED are kernel locks on the
# exported file, so local programs see them; and a local program's kernel
# lock makes the NFS lock fail and leaves no record in libulm (the record
# taken first is rolled back).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup local_lock
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_LOCAL_LOCK "ulm-local-lock"

it_unified_node n1 4
it_client_start a n1
file=$IT_EXPORT/f

it_note "NFS lock -> local programs are refused"
it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK
it_local_lock "$file" write 50 10
it_expect_value "local OFD write lock on [50,60)" "DENIED write 0 100" "$IT_REPLY"
it_local_lock --posix "$file" read 0 1
it_expect_value "local POSIX read lock on [0,1)" "DENIED write 0 100" "$IT_REPLY"
it_local_lock "$file" write 100 10
it_expect_value "local lock beside it" "OK" "$IT_REPLY"
it_expect a "v4 unlock 0 100" OK
it_local_lock "$file" write 50 10
it_expect_value "local lock after the NFS unlock" "OK" "$IT_REPLY"

it_note "local lock -> NFS lock refused and rolled back"
it_proc_start holder n1 "$ULM_IT_LOCAL_LOCK" --hold "$file" write 200 50
IFS= read -r -t "$IT_REPLY_TIMEOUT" -u "${IT_FD_OUT[holder]}" IT_REPLY || IT_REPLY="(no reply)"
it_expect_value "local program holds [200,250)" "OK" "$IT_REPLY"
it_expect a "v4 lockt write 210 10" "DENIED write 200 50"
it_expect a "v4 lock write 210 10" "DENIED write 200 50"
it_expect a "v4 lock read 0 0" "DENIED write 200 50"
it_expect_store "refused NFS locks left no record" 'kind=lock' 0
it_expect a "v4 lock write 0 200" OK
it_expect_store "a lock beside it is granted" 'type=write start=0 end=199 proto=nfs4 ' 1

it_expect holder "release" OK
it_expect a "v4 lock write 210 10" OK
it_expect_store "granted once the local lock is gone" 'type=write start=210 end=219 proto=nfs4 ' 1
it_expect a "v4 unlock 0 0" OK
it_expect_store "no lock left" 'kind=lock' 0
it_local_lock "$file" write 0 0
it_expect_value "no kernel lock left" "OK" "$IT_REPLY"
