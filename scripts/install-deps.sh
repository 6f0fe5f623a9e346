#!/usr/bin/env bash
# Install every Debian package ULM needs to build, run and test (the list
# is scripts/debian-packages.txt), and the deb-src entry used to fetch
# Ganesha's source package for its headers. Idempotent: does nothing that
# is already done. (Samba's source package, for the VFS module's headers,
# comes from the same deb-src entry: cmake/SambaHeaders.cmake.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/apt.sh
. "$here/lib/apt.sh"

mapfile -t PACKAGES < <(sed -n 's/^\([a-z0-9][^[:space:]]*\)[[:space:]].*/\1/p' \
	"$here/debian-packages.txt")

SRC_LIST=/etc/apt/sources.list.d/ulm-deb-src.sources

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: must run as root to apt-get install" >&2
		exit 1
	fi
}

write_src_list() {
	local mirror
	# Source packages come from where the binary packages do.
	if ! mirror=$(apt_debian_mirror); then
		echo "install-deps: no apt source for Debian bookworm found in" \
			"/etc/apt/sources.list{,.d}: add one, then run again" >&2
		exit 1
	fi
	cat >"$SRC_LIST" <<SRC
# Ganesha's source package, for its internal headers (ULM's
# scripts/install-deps.sh); same mirror as the machine's binary packages.
Types: deb-src
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
}

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ] && [ -f "$SRC_LIST" ]; then
	exit 0
fi
need_root
[ -f "$SRC_LIST" ] || write_src_list

echo "install-deps: apt-get update; installing: ${missing[*]:-none}"
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		"${missing[@]}" >/dev/null
fi
# Debian's units may have started system-wide daemons (Ganesha; Corosync
# and Pacemaker as a one-node cluster; Samba; Prometheus and its node
# exporter); ours run in namespaces and must not meet them.
if command -v systemctl >/dev/null; then
	systemctl disable --now nfs-ganesha pacemaker corosync smbd nmbd \
		prometheus prometheus-node-exporter \
		>/dev/null 2>&1 || true
fi
