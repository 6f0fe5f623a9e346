# shellcheck shell=bash
# kdc.sh: a throwaway Kerberos realm (MIT krb5kdc from Debian) inside a
# sandbox node. Source it after sandbox.sh, then:
#
#   kdc_init NODE REALM          private krb5.conf, kdc.conf, database
#   kdc_start NODE               krb5kdc on the node's loopback, port 88
#   kdc_add_service PRINC KEYTAB a service principal, its keys in KEYTAB
#   kdc_add_user PRINC           a user principal with password $KDC_PASSWORD
#   kdc_kinit NODE CCACHE PRINC [LIFETIME]   a TGT for PRINC in CCACHE
#
# Everything lives in NODE's directory: krb5.conf, kdc.conf, the database
# (kdc-db/), and the KDC's log (kdc.log, one line per ticket issued).
# KRB5_CONFIG and KRB5_KDC_PROFILE are exported, so every Kerberos program
# started afterwards (kinit, ganesha.nfsd, the GSS client) uses this realm
# and nothing of /etc/krb5.conf.

KDC_REALM=${KDC_REALM:-}
KDC_DIR=${KDC_DIR:-}
# Users' password; the realm lives only as long as one test.
KDC_PASSWORD=${KDC_PASSWORD:-ulm-test-pw}
KDC_CLOCKSKEW=${KDC_CLOCKSKEW:-2}

kdc__write_krb5_conf() {
	cat >"$KDC_DIR/krb5.conf" <<EOF
[libdefaults]
	default_realm = $KDC_REALM
	# No DNS in the sandbox: take host names as written.
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
	# One clock for all: a small skew lets a test see a ticket expire
	# (acceptors add the skew to a context's life; default 300 s).
	clockskew = $KDC_CLOCKSKEW
[realms]
	$KDC_REALM = {
		kdc = 127.0.0.1:88
	}
[domain_realm]
	localhost = $KDC_REALM
EOF
}

kdc__write_kdc_conf() {
	cat >"$KDC_DIR/kdc.conf" <<EOF
[kdcdefaults]
	kdc_tcp_listen = 88
	kdc_listen = 88
[realms]
	$KDC_REALM = {
		database_name = $KDC_DIR/kdc-db/principal
		key_stash_file = $KDC_DIR/kdc-db/stash
		acl_file = $KDC_DIR/kadm5.acl
		max_life = 1h
		max_renewable_life = 0
	}
[logging]
	kdc = FILE:$KDC_DIR/kdc.log
	admin_server = FILE:$KDC_DIR/kadmin.log
	default = FILE:$KDC_DIR/krb5lib.log
EOF
}

# kdc_init NODE REALM: the realm's files and database in NODE's directory.
kdc_init() {
	local node=$1
	KDC_REALM=$2
	KDC_DIR=$(sb_node_dir "$node")
	mkdir -p "$KDC_DIR/kdc-db" || return 1
	: >"$KDC_DIR/kadm5.acl"
	kdc__write_krb5_conf && kdc__write_kdc_conf || return 1
	export KRB5_CONFIG=$KDC_DIR/krb5.conf
	export KRB5_KDC_PROFILE=$KDC_DIR/kdc.conf
	kdb5_util create -s -r "$KDC_REALM" -P "$KDC_PASSWORD-master" \
		>"$KDC_DIR/kdb5_util.out" 2>&1 || {
		sb_err "kdc: kdb5_util create failed; see $KDC_DIR/kdb5_util.out"
		return 1
	}
}

# kdc_start NODE: krb5kdc in the foreground (-n) inside NODE; returns once
# it accepts TCP connections on port 88.
kdc_start() {
	sb_spawn "$1" kdc krb5kdc -n -r "$KDC_REALM" || return 1
	sb_wait_until "$SB_TIMEOUT" sb__tcp_open "$1" 88 || {
		sb_err "node $1: krb5kdc does not listen; see $KDC_DIR/kdc.log and $(sb_node_dir "$1")/kdc.out"
		return 1
	}
}

kdc__admin() {
	kadmin.local -r "$KDC_REALM" -q "$1" >>"$KDC_DIR/kadmin.out" 2>&1 || {
		sb_err "kdc: kadmin.local '$1' failed; see $KDC_DIR/kadmin.out"
		return 1
	}
}

# kdc_add_service PRINC KEYTAB: e.g. nfs/localhost; random keys, exported
# to KEYTAB (appended, so one keytab can hold several principals).
kdc_add_service() {
	kdc__admin "addprinc -randkey $1" &&
		kdc__admin "ktadd -k $2 $1"
}

# kdc_add_user PRINC: a user principal with password $KDC_PASSWORD.
kdc_add_user() {
	kdc__admin "addprinc -pw $KDC_PASSWORD $1"
}

# kdc_kinit NODE CCACHE PRINC [LIFETIME]: log PRINC in (kinit, password on
# stdin) inside NODE, its TGT in the file CCACHE. LIFETIME as kinit -l
# takes it (e.g. 5s); the KDC's maximum (1h) by default.
kdc_kinit() {
	local node=$1 ccache=$2 princ=$3 life=${4:-}
	local args=(-c "FILE:$ccache")
	[ -z "$life" ] || args+=(-l "$life")
	printf '%s\n' "$KDC_PASSWORD" |
		sb_exec "$node" kinit "${args[@]}" "$princ" >>"$KDC_DIR/kinit.out" 2>&1 || {
		sb_err "kdc: kinit $princ failed; see $KDC_DIR/kinit.out"
		return 1
	}
}
