#!/usr/bin/env bash
# unit.grant_check: the journal checker of the integration tests
# (grant_check.py) finds each kind of double grant it claims to, and
# passes a journal without one.   grant_check_test.sh GRANT_CHECK_PY
set -uo pipefail
check=$1
failed=0
tab=$'\t'

# expect WANT_RC WHAT [ARGS...] < JOURNAL (spaces between fields: tabs)
expect() {
	local want=$1 what=$2 out rc=0
	shift 2
	out=$(python3 "$check" <(sed "s/ | /$tab/g") "$@") || rc=$?
	if [ "$rc" = "$want" ]; then
		echo "ok - $what: ${out##*$'\n'}"
	else
		echo "not ok - $what: exit $rc, not $want"
		echo "$out" | sed 's/^/# /'
		failed=1
	fi
}

# a holds f [0,9]; b is refused until a's unlock, then granted.
expect 0 "a grant after the unlock" <<'J'
100 | 110 | a | v4 open f both | OK
120 | 130 | a | v4 lock write 0 10 | OK
140 | 150 | b | v4 open f both | OK
160 | 170 | b | v4 lock write 5 1 | DENIED write 0 10
180 | 190 | a | v4 unlock 0 10 | OK
200 | 210 | b | v4 lock write 5 1 | OK
J
expect 1 "a write lock granted over another" <<'J'
100 | 110 | a | v4 open f both | OK
120 | 130 | a | v4 lock write 0 10 | OK
140 | 150 | b | v4 open f both | OK
160 | 170 | b | v4 lock write 5 1 | OK
J
expect 0 "read locks share" <<'J'
100 | 110 | a | nlm lock read 0 10 f | OK
120 | 130 | b | nlm lock read 0 10 f | OK
J
expect 1 "an NLM write lock over a split remnant" <<'J'
100 | 110 | a | nlm lock write 0 10 f | OK
120 | 130 | a | nlm unlock 0 5 f | OK
140 | 150 | b | nlm lock write 2 1 f | OK
160 | 170 | b | nlm lock write 7 1 f | OK
J
expect 1 "an open past a deny" <<'J'
100 | 110 | a | v4 open h both deny write | OK
120 | 130 | b | v4 open h write | OK
J
expect 0 "an open after the close" <<'J'
100 | 110 | a | v4 open h both deny write | OK
120 | 130 | a | v4 close | OK
140 | 150 | b | v4 open h write | OK
J
# A silent client's lock may end a lease after its last answer, no sooner.
silent='100 | 110 | s | v4 open g both | OK
120 | 130 | s | v4 lock write 0 10 | OK
140 | 150 | b | v4 open g both | OK
5000 | 5100 | b | v4 lock write 0 10 | OK'
expect 1 "a silent client's lock within its lease" --silent s --lease 5 <<<"$silent"
expect 0 "a silent client's lock past its lease" --silent s --lease 4 <<<"$silent"
exit "$failed"
