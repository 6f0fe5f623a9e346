#!/usr/bin/env bash
# Prove that the README's two commands work on a fresh Debian 12 machine:
# build a minimal Debian 12 root from Debian's packages (mmdebstrap,
# variant minbase: no compiler, no CMake, nothing of ours), clone this
# checkout's HEAD into it, and run there, as a new user would:
#
#   1. ./scripts/run.sh          (the README's run command)
#   2. a real NFSv4 client against it: a lock, a second client denied, and
#      ulmctl listing the lock over Ganesha's DBus
#   3. ./scripts/run.sh stop
#   4. ./scripts/test.sh         (the README's test command)
#
# printing the wall time of each and exiting non-zero if any fails.
#
#   scripts/fresh-machine.sh            as root
#
# The root runs in a mount and PID namespace of its own, so every daemon
# the suite starts (Ganesha, Ceph, rpcbind, statd, a KDC, dbus) and every
# network namespace it makes live and die inside it. It shares the host's
# network, as a new machine would reach Debian's mirror. Only the base
# tarball is cached between runs ($ULM_FRESH_CACHE, default
# /var/cache/ulm-fresh); the root itself is made anew each run in
# $ULM_FRESH_DIR (default /var/tmp/ulm-fresh), and kept after the run for
# a look (logs in $ULM_FRESH_DIR/logs).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cache=${ULM_FRESH_CACHE:-/var/cache/ulm-fresh}
work=${ULM_FRESH_DIR:-/var/tmp/ulm-fresh}
root=$work/root
checkout=/root/ulm
logs_in_root=/var/log/ulm-fresh

say() { printf 'fresh-machine: %s\n' "$*"; }
die() {
	say "FAIL: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (it builds a root and runs daemons in it)"

# ---- inside the root: the user's steps, in one PID namespace (a daemon
# run.sh starts must outlive that step, for the client to reach it).

declare -a summary=()
step() {
	local name=$1 start rc=0 secs
	shift
	start=$(date +%s)
	case $* in
	*$'\n'*) say "$name" ;;
	*) say "$name: $*" ;;
	esac
	(cd "$checkout" && bash -c "$*") >"$logs_in_root/$name.log" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	summary+=("$(printf '%-6s %5d s  %s' "$name" "$secs" \
		"$([ $rc = 0 ] && echo ok || echo "FAILED (rc $rc)")")")
	if [ $rc != 0 ]; then
		tail -n 40 "$logs_in_root/$name.log" >&2
		report
		die "$name failed (rc $rc): $logs_in_root/$name.log in the root"
	fi
}

# The demo as the README shows it: a lock, a second client refused, the
# lock listed by ulmctl through Ganesha's DBus, the file listed by nfs-ls.
client_check() {
	step client '
		set -e
		cl() {
			printf "v4 open hello.txt both\nv4 lock write 0 100\nquit\n" |
				ip netns exec ulm-demo build/tests/integration/client/ulm-nfs-client \
					--server 127.0.0.1 --export /ulm --name "$1" | tr "\n" " "
		}
		a=$(cl alice); b=$(cl bob)
		echo "alice: $a"; echo "bob: $b"
		[ "$a" = "OK OK OK " ] && [ "$b" = "OK DENIED write 0 100 OK " ]
		ip netns exec ulm-demo nfs-ls "nfs://127.0.0.1/ulm?version=4" | grep hello.txt
		nsenter -t "$(cat /var/lib/ulm-demo/node/demo/holder.pid)" -n -m \
			ulmctl locks | tee /tmp/locks.txt
		grep -Eq "^[0-9a-f]+ +write +0 +99 +nfs4 .* alice " /tmp/locks.txt'
}

report() {
	printf 'fresh-machine: %s\n' "${summary[@]}"
	if [ -e "$logs_in_root/test.log" ]; then
		grep -E '^== |tests passed|tests failed out of|Total Test time' \
			"$logs_in_root/test.log" | sed 's/^/fresh-machine: test: /'
	fi
}

inside() {
	rm -rf "$logs_in_root"
	mkdir -p "$logs_in_root"
	step run ./scripts/run.sh
	client_check
	step stop ./scripts/run.sh stop
	step test ./scripts/test.sh
	report
}

# ---- on the host: the root, then the steps inside it.

base_tarball() {
	local tar=$cache/bookworm-minbase.tar mirror
	if [ ! -s "$tar" ]; then
		command -v mmdebstrap >/dev/null || {
			say "installing mmdebstrap on the host" >&2
			apt-get update -qq
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				mmdebstrap >/dev/null
		}
		# shellcheck source=lib/apt.sh
		. "$src/scripts/lib/apt.sh"
		mirror=$(apt_debian_mirror) || die "no apt source for bookworm on the host"
		mkdir -p "$cache"
		say "making the base root (mmdebstrap, minbase, bookworm)" >&2
		mmdebstrap --quiet --variant=minbase --format=tar bookworm "$tar.part" \
			"deb $mirror bookworm main" \
			"deb $mirror bookworm-updates main" >"$work/mmdebstrap.log" 2>&1 ||
			die "mmdebstrap failed: see $work/mmdebstrap.log"
		mv "$tar.part" "$tar"
	fi
	echo "$tar"
}

# A machine like the ones we are given: root, apt working, what boot
# leaves (/etc/mtab), no init to start the daemons a package ships (the
# same policy-rc.d they have), and this checkout's HEAD cloned (not the
# working tree).
make_root() {
	local tar
	if [ -d "$root" ]; then
		rm -rf --one-file-system "$root"
	fi
	mkdir -p "$root"
	tar=$(base_tarball)
	tar -xf "$tar" -C "$root"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# What boot makes (systemd-tmpfiles); Ganesha's VFS reads it.
	ln -sfn ../proc/self/mounts "$root/etc/mtab"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	git -c advice.detachedHead=false clone --quiet "$src" "$root$checkout"
}

# A mount and PID namespace of its own whose root is the new root
# (pivot_root, not chroot: nsenter -m into a namespace the suite made
# lands at that namespace's root, which a chroot would not be), with what
# a booted machine has mounted; then this script's inside() there with a
# clean environment. Every process left in it dies with it.
run_in_root() {
	# shellcheck disable=SC2016
	unshare --mount --pid --fork --propagation private -- bash -c '
		set -e
		r=$1; shift
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs tmpfs "$r/dev/shm"
		mount -t tmpfs tmpfs "$r/run"
		mount -t tmpfs tmpfs "$r/tmp"
		mkdir -p "$r/.oldroot"
		cd "$r"
		pivot_root . .oldroot
		umount -l /.oldroot
		rmdir /.oldroot
		exec env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			"$@"' enter "$root" bash "$checkout/scripts/fresh-machine.sh" --inside
}

main() {
	local t0 rc=0
	if [ "${1:-}" = --inside ]; then
		inside
		return
	fi
	mkdir -p "$work"
	t0=$(date +%s)
	make_root
	say "commit $(git -C "$src" rev-parse --short HEAD) (HEAD, not the working tree)"
	say "root ready in $(($(date +%s) - t0)) s: $root (base cached in $cache)"
	run_in_root || rc=$?
	say "logs: $root$logs_in_root"
	[ $rc = 0 ] || die "after $(($(date +%s) - t0)) s"
	say "PASS in $(($(date +%s) - t0)) s"
}

# One line: bash reads a script as it runs, and this one runs long.
main "$@"; exit
