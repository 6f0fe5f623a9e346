#!/usr/bin/env bash
# docs.ulmctl: the man page (docs/ulmctl.1) and docs/dbus.md keep up with
# the tool: every command and long option of `ulmctl --help` is in the man
# page, and every method of the lockmgr interface has its section in
# dbus.md.   docs_ulmctl.sh ULMCTL MANPAGE DBUS_MD FSAL_DBUS_C
set -euo pipefail
ulmctl=$1 man=$2 dbus_md=$3 methods_c=$4
missing=0
page=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man")

need() { # WHAT TEXT WORD
	if ! grep -qF -- "$3" <<<"$2"; then
		echo "missing from $1: $3"
		missing=$((missing + 1))
	fi
}

help=$("$ulmctl" --help)
for cmd in $(sed -n '/^Commands:/,/^$/p' <<<"$help" | awk 'NF > 1 {print $1}'); do
	need "$man" "$page" "$cmd"
done
for opt in $(grep -oE -- '--[a-z-]+' <<<"$help" | sort -u); do
	need "$man" "$page" "$opt"
done
for m in $(sed -n 's/^\t\.name = "\([A-Z][A-Za-z]*\)",$/\1/p' "$methods_c"/dbus/dbus_*.c "$methods_c"/service/stats.c); do
	need "$dbus_md" "$(cat "$dbus_md")" "### $m("
done
[ "$missing" = 0 ] && echo "man page and dbus.md cover every command, option and method"
exit "$missing"
