# shellcheck shell=bash
# apt.sh: what this machine's apt sources say.
#
#   apt_debian_mirror   prints the URI of the first source of Debian
#                       bookworm's main archive (deb822 .sources files
#                       first, then one-line .list files); fails if none

apt_debian_mirror() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		uri=$(awk '/^URIs:/ {u = $2}
			/^Suites:/ && / bookworm( |$)/ && u {print u; exit}' "$f")
		[ -n "$uri" ] && echo "$uri" && return 0
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		uri=$(awk '$1 == "deb" && / bookworm / {
			for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}' "$f")
		[ -n "$uri" ] && echo "$uri" && return 0
	done
	return 1
}
