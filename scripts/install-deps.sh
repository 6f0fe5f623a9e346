#!/usr/bin/env bash
# Install every Debian package ULM needs to build, run and test, and the
# deb-src entry used to fetch Ganesha's source package for its headers.
# Idempotent: does nothing that is already done.
set -euo pipefail

PACKAGES=(
	# build
	build-essential cmake pkg-config dpkg-dev clang-format
	# Ganesha, its sub-FSAL and what its headers and config.h need
	nfs-ganesha nfs-ganesha-vfs libntirpc-dev liburcu-dev
	libnfsidmap-dev libwbclient-dev libacl1-dev libattr1-dev
	libkrb5-dev libblkid-dev libcap-dev libdbus-1-dev uuid-dev
	# libulm's embedded store and unit tests
	liblmdb-dev lmdb-utils libcmocka-dev
	# integration tests: real daemons and real NFS clients
	rpcbind nfs-common libnfs-dev libnfs-utils iproute2 util-linux
	procps psmisc
	# Kerberos tests: a throwaway KDC, kinit, and the GSS test client's
	# RPCSEC_GSS (libtirpc) over MIT GSSAPI (libkrb5-dev, above)
	krb5-kdc krb5-admin-server krb5-user libtirpc-dev
	# the rados store and its test cluster (one mon, one osd, no mgr)
	ceph-mon ceph-osd ceph-common librados-dev
	# ulmctl (tables, JSON) and the lockmgr tests (a private system bus;
	# JSON checked with python3)
	libsmartcols-dev dbus-daemon dbus-bin python3
	# recovery: Ganesha's rados_cluster backend (libganesha_rados_recov.so)
	# and ganesha-rados-grace, whose grace database ULM follows
	nfs-ganesha-ceph nfs-ganesha-rados-grace
)

SRC_LIST=/etc/apt/sources.list.d/ulm-deb-src.sources

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: must run as root to apt-get install" >&2
		exit 1
	fi
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

if [ ! -f "$SRC_LIST" ]; then
	cat >"$SRC_LIST" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

echo "install-deps: apt-get update; installing: ${missing[*]:-none}"
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		"${missing[@]}" >/dev/null
fi
# Debian's ganesha unit may have started a system-wide daemon; ours run in
# namespaces and must not meet it.
systemctl disable --now nfs-ganesha >/dev/null 2>&1 || true
