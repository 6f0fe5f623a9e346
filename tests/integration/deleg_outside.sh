#!/usr/bin/env bash
# it.deleg_outside: a plain local process on the node (in its mount
# namespace, not through NFS) that unlinks, renames, renames over, links,
# chmods, truncates or opens for write a file client A holds a read
# delegation on makes Ganesha send A a CB_RECALL, within a bound printed
# per case. The truncate and the write open wait in the kernel (UNIFIED's
# read lease) until A returns the delegation. While a local process has
# the file open for write, no delegation is granted (no lease can be had);
# nor is a write delegation over VFS (Delegations_Unwatched is false). A
# lock on a delegated file is answered at once (the lease is dropped for
# Ganesha's own read/write lock fd) and a local write is then recalled
# just after it happens (inotify IN_MODIFY).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_outside
it_need ULM_IT_INSPECT "ulm-store-inspect"

RECALL_BOUND_MS=3000 # from the local change to A's CB_RECALL
LEASE=4

it_unified_node n1 4 1 delegations=readwrite lease=$LEASE
it_client_start a n1 /export --callback # the holder
it_client_start b n1 /export --callback # a second holder
# A first OPEN of an open-owner is never delegated (NFSv4.0: the owner is
# not confirmed yet, Ganesha's should_we_grant_deleg).
it_expect a "v4 open confirm-owner read" OK
it_expect b "v4 open confirm-owner read" OK
RECALLS=0

now_ms() { date +%s%3N; }

# local_run CMD...: CMD as a plain process inside node n1, in the export.
local_run() {
	# shellcheck disable=SC2016 # expanded by the local shell
	sb_exec n1 sh -c 'cd "$1" && shift && exec "$@"' sh "$IT_EXPORT" "$@"
}

# delegate FILE: a local file A opens for read and is delegated.
delegate() {
	echo "data of $1" >"$IT_EXPORT/$1"
	it_expect a "v4 open $1 read" "OK deleg=read"
	it_expect_store "A's read delegation on $1" 'type=deleg-read' 1
}

# expect_recall SINCE_MS: A received one more CB_RECALL, at most
# RECALL_BOUND_MS after SINCE_MS.
expect_recall() {
	local since=$1 took
	RECALLS=$((RECALLS + 1))
	it_expect_within 5 a "v4 recalls" "RECALLS $RECALLS"
	took=$(($(now_ms) - since))
	it_note "CB_RECALL received ${took} ms after the local change"
	it_expect_value "recall within ${RECALL_BOUND_MS} ms" within \
		"$( ((took <= RECALL_BOUND_MS)) && echo within || echo "${took} ms")"
}

# give_back FILE: A returns the delegation and closes; no record left.
give_back() {
	it_expect a "v4 delegreturn" OK
	it_expect a "v4 close" OK
	it_expect_store "no delegation left after $1" 'type=deleg' 0
}

# change_case FILE CMD...: a local change that does not wait: it is done
# at once, and A is recalled just after.
change_case() {
	local file=$1 t0
	shift
	it_note "local '$*' on $file"
	delegate "$file"
	t0=$(now_ms)
	local_run "$@" || it_fail "local '$*' failed"
	expect_recall "$t0"
	give_back "$file"
}

# waiting_case FILE CMD...: a local write open or truncate: it waits in
# the kernel until A returns the delegation.
waiting_case() {
	local file=$1 t0 t_return t_done status pid done=$IT_DIR/$1.done
	shift
	it_note "local '$*' on $file"
	delegate "$file"
	t0=$(now_ms)
	(
		local_run "$@"
		echo "$? $(now_ms)" >"$done"
	) &
	pid=$!
	expect_recall "$t0"
	sleep 1 # the writer would long be done without the lease
	it_expect_value "the local '$*' still waits after the recall" waiting \
		"$([ -e "$done" ] && echo "done: $(cat "$done")" || echo waiting)"
	t_return=$(now_ms)
	it_expect a "v4 delegreturn" OK
	wait "$pid"
	read -r status t_done <"$done"
	it_expect_value "the local '$*' succeeded" 0 "$status"
	it_note "the local '$*' took $((t_done - t0)) ms, done" \
		"$((t_done - t_return)) ms after A's DELEGRETURN was sent"
	it_expect_value "it completed after the DELEGRETURN" after \
		"$( ((t_done >= t_return)) && echo after || echo before)"
	it_expect a "v4 close" OK
	it_expect_store "no delegation left after $file" 'type=deleg' 0
}

change_case f-rm rm f-rm
change_case f-mv mv f-mv f-mv-renamed
echo other >"$IT_EXPORT/f-other"
change_case f-over mv f-other f-over
change_case f-ln ln f-ln f-ln-link
change_case f-chmod chmod 600 f-chmod
# The shell's truncating open (O_TRUNC) waits for the lease break.
waiting_case f-trunc sh -c ': >f-trunc'
it_expect_value "the truncate went through" 0 "$(stat -c %s "$IT_EXPORT/f-trunc")"
waiting_case f-open sh -c 'exec 3>>f-open'

# coreutils truncate opens O_NONBLOCK: the kernel refuses it at once
# (EWOULDBLOCK) instead of waiting, and the recall is sent all the same.
it_note "local 'truncate -s 0 f-ctrunc' (O_NONBLOCK)"
delegate f-ctrunc
t0=$(now_ms)
it_expect_value "truncate refused while A holds the delegation" \
	"*Resource temporarily unavailable*" \
	"$(local_run truncate -s 0 f-ctrunc 2>&1 && echo "truncated")"
expect_recall "$t0"
it_expect a "v4 delegreturn" OK
it_expect_value "truncate after the DELEGRETURN" "" \
	"$(local_run truncate -s 0 f-ctrunc 2>&1)"
it_expect_value "the file is truncated" 0 "$(stat -c %s "$IT_EXPORT/f-ctrunc")"
it_expect a "v4 close" OK

it_note "two holders share one watch: the one left is recalled"
echo data >"$IT_EXPORT/f-two"
it_expect a "v4 open f-two read" "OK deleg=read"
it_expect b "v4 open f-two read" "OK deleg=read"
it_expect_store "two read delegations" 'type=deleg-read' 2
it_expect a "v4 delegreturn" OK
it_expect a "v4 close" OK
t0=$(now_ms)
local_run chmod 600 f-two
it_expect_within 5 b "v4 recalls" "RECALLS 1"
it_note "B's CB_RECALL received $(($(now_ms) - t0)) ms after the chmod"
it_expect b "v4 delegreturn" OK
it_expect b "v4 close" OK
it_expect_value "A, gone before the chmod, not recalled" "RECALLS $RECALLS" \
	"$(it_send a "v4 recalls" && echo "$IT_REPLY")"

it_note "a holder that never returns is revoked, and the local writer goes"
delegate f-keep
t0=$(now_ms)
(
	local_run sh -c 'exec 3>>f-keep'
	echo "$? $(now_ms)" >"$IT_DIR/f-keep.done"
) &
writer=$!
expect_recall "$t0"
wait "$writer"
read -r status t_done <"$IT_DIR/f-keep.done"
it_expect_value "the local write open succeeded" 0 "$status"
it_note "the local write open waited $((t_done - t0)) ms (lease ${LEASE} s)"
it_expect_value "it waited at most three leases" within \
	"$( ((t_done - t0 <= 3 * LEASE * 1000)) && echo within || echo "$((t_done - t0)) ms")"
it_expect_store "the delegation was revoked" 'type=deleg' 0
it_expect a "v4 delegreturn" "ERR NFS4ERR_BAD_STATEID"
it_expect a "v4 close" OK

it_note "a lock on a delegated file: granted at once, then local writes are recalled just after"
# Ganesha opens a lock state's fd read/write (src/FSAL/commonlib.c:1715):
# the lease is dropped first, or that open would wait on it (holding the
# file's state lock the recall needs) until lease-break-time.
delegate f-lock
t0=$(now_ms)
it_expect a "v4 lock read 0 10" OK
it_note "the holder's LOCK took $(($(now_ms) - t0)) ms"
it_expect_value "LOCK answered within 2 s" within \
	"$( (($(now_ms) - t0 <= 2000)) && echo within || echo "$(($(now_ms) - t0)) ms")"
t0=$(now_ms)
local_run sh -c 'echo more >>f-lock' || it_fail "local write failed"
expect_recall "$t0"
it_expect a "v4 unlock 0 10" OK
give_back f-lock

it_note "a local process holds the file open for write: no delegation"
echo data >"$IT_EXPORT/w"
rm -f "$IT_DIR/w.ready"
# shellcheck disable=SC2016 # expanded by the local shell
local_run sh -c 'exec 3>>w && echo $$ >"$1" && exec sleep 30' sh "$IT_DIR/w.ready" &
writer=$!
for _ in $(seq 50); do [ -s "$IT_DIR/w.ready" ] && break; sleep 0.1; done
[ -s "$IT_DIR/w.ready" ] || it_fail "the local writer did not open w"
it_expect a "v4 open w read" OK
it_expect_store "no delegation beside a local writer" 'type=deleg' 0
it_expect a "v4 close" OK
kill "$(cat "$IT_DIR/w.ready")"
wait "$writer" || true
it_expect a "v4 open w read" "OK deleg=read"
give_back w

it_note "a write delegation would need a write lease: none over VFS"
it_expect a "v4 open wd both" OK
it_expect_store "no write delegation" 'type=deleg' 0
it_expect a "v4 close" OK
it_expect_value "no recall beyond the ten" "RECALLS $RECALLS" \
	"$(it_send a "v4 recalls" && echo "$IT_REPLY")"
