#!/usr/bin/env bash
# it.ulmctl_top: ulmctl top in a real terminal (tmux), over DBus to a real
# Ganesha whose store two nodes share: the screen shows both nodes with
# their records and waiters and which one is asked, the busiest files and
# clients in order with their counts, a lock rate once clients lock, and
# 'q' ends it with exit status 0 and the terminal given back. The scene is
# dbus_lib.sh's, and A locks twice more.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/dbus_lib.sh
. "$IT_SRC/dbus_lib.sh"
it_setup ulmctl_top
it_need ULM_IT_ULMCTL "ulmctl"
command -v tmux >/dev/null || it_fail "tmux is not installed (scripts/install-deps.sh)"
SOCK=$IT_DIR/tmux.sock

dbus_scene
# A: the busiest client (3 locks, 1 share), f the busiest file.
it_expect a "v4 lock write 400 10" OK
it_expect a "v4 lock write 500 10" OK
# D's retry renews its queued request (it lapses a lease after the last).
it_expect d "v4 lock writew 0 0" "DENIED read 0 0"

# tmux_in ARGS...: tmux on the test's own server, inside node 1.
tmux_in() { sb_exec n1 env TERM=xterm tmux -S "$SOCK" "$@"; }
# screen: the terminal's text now, blanks squeezed, in SCREEN.
screen() { SCREEN=$(tmux_in capture-pane -p -t top | tr -s ' '); }
# expect_screen WHAT REGEX [SECONDS]: a line matches within SECONDS (5).
expect_screen() {
	local deadline=$((SECONDS + ${3:-5}))
	screen
	while ! grep -qE -- "$2" <<<"$SCREEN" && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.3
		screen
	done
	if grep -qE -- "$2" <<<"$SCREEN"; then
		it_pass "screen: $1: $(grep -m 1 -E -- "$2" <<<"$SCREEN")"
	else
		printf '# the screen:\n%s\n' "$(sed 's/^/#   /' <<<"$SCREEN")"
		it_fail "screen: $1 (no line matching $2)"
	fi
}

it_note "ulmctl top in a 100x40 terminal"
tmux_in new-session -d -s top -x 100 -y 40 \
	"$ULM_IT_ULMCTL top --delay 1; echo \$? >$IT_DIR/top.rc" ||
	it_fail "tmux new-session"
expect_screen "the title" '^ulmctl top - [0-9]{2}:[0-9]{2}:[0-9]{2} - every 1 s - q quits$'
expect_screen "node 1, asked: 4 locks, 2 shares, 1 waiter" \
	'^1 1 live - 4 2 0 1 \(here\)$'
expect_screen "node 2: 1 lock, 1 share" '^2 1 live - 1 1 0 0$'
it_expect_value "busiest files: f (4 locks, 1 share), then g (1 lock, 2 shares, 1 waiter)" \
	"$IT_EXPORT/f 4 1 0 0|$IT_EXPORT/g 1 2 0 1" \
	"$(grep -A 2 '^BUSIEST FILES' <<<"$SCREEN" | tail -n 2 | paste -sd'|')"
it_expect_value "busiest client: a (3 locks, 1 share)" \
	"ulmt-a-$$ nfs4 1 3 1 0 0" \
	"$(grep -A 1 '^BUSIEST CLIENTS' <<<"$SCREEN" | tail -n 1)"
printf '# the screen:\n%s\n' "$(tmux_in capture-pane -p -t top | sed 's/^/#   /')"

it_note "a narrow terminal: long paths keep their end"
tmux_in resize-window -t top -x 60 || it_fail "tmux resize-window"
expect_screen "f's path cut at its start, the counts in place" \
	'^\.\.\..*/export/f 4 1 0 0$'
it_expect_value "no line wider than 60" 0 \
	"$(tmux_in capture-pane -p -t top | awk 'length > 60' | wc -l)"

it_note "locking: the rate moves"
for i in $(seq 1 10); do
	it_expect a "v4 lock write 1000 10" OK
	it_expect a "v4 unlock 1000 10" OK
done
expect_screen "a lock rate above 0" '^lock/s [1-9][0-9.]* unlock/s [1-9]'
expect_screen "and back to 0 when they stop" '^lock/s 0\.0 unlock/s 0\.0' 6

it_note "'q' quits"
tmux_in send-keys -t top q
deadline=$((SECONDS + 5))
while tmux_in has-session -t top 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
	sleep 0.2
done
it_expect_value "the terminal is closed" gone \
	"$(tmux_in has-session -t top 2>/dev/null && echo open || echo gone)"
it_expect_value "ulmctl top's exit status" 0 "$(cat "$IT_DIR/top.rc" 2>/dev/null)"

it_note "grace: node 1 crashes (kill -9) and restarts with a grace period, reclaiming its epoch 1"
sb_ganesha_conf n1 protocols=3,4 lease=4 grace=20 store=lmdb \
	store_path="$(it_node_store "$IT_STORE" n1)" node_id=1 sync=true \
	export="1:$IT_EXPORT:/export:UNIFIED" dbus=1 || it_fail "node 1: config"
sb_stop n1 ganesha KILL || it_fail "node 1 did not die"
sb_ganesha_start n1 || it_fail "node 1 did not restart"
deadline=$((SECONDS + 10))
until out=$(sb_exec n1 "$ULM_IT_ULMCTL" top --iterations 1 2>&1) &&
	grep -qE '^1 +2 +live +reclaim <2' <<<"$out" || [ "$SECONDS" -ge "$deadline" ]; do
	sleep 0.5
done
it_expect_value "ulmctl top --iterations 1 (no terminal): node 1 in grace" \
	"1 2 live reclaim <2" \
	"$(grep -E '^1 ' <<<"$out" | awk '{print $1, $2, $3, $4, $5}')"
it_grant_check
