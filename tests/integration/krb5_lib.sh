# shellcheck shell=bash
# krb5_lib.sh: Kerberos helpers for the it.krb5_* tests, on top of
# it_lib.sh. A test does
#
#   . "$(dirname "$0")/it_lib.sh"
#   . "$(dirname "$0")/krb5_lib.sh"
#   it_setup NAME
#   krb5_realm n1                 realm, nfs/localhost keytab, users
#   krb5_unified_node n1 krb5p    Ganesha: UNIFIED export, SecType krb5p
#   krb5_kinit n1 alice           $IT_DIR/alice.cc
#   krb5_client_start a n1 krb5p "$IT_DIR/alice.cc"
#
# The realm's KDC runs in the node beside Ganesha (scripts/lib/kdc.sh).

# shellcheck source=scripts/lib/kdc.sh
. "$(dirname "${ULM_SANDBOX_LIB:-$IT_SRC/../../scripts/lib/sandbox.sh}")/kdc.sh"

KRB5_REALM=ULM.TEST
# Host names are taken as written (krb5.conf): the service principal is
# nfs/localhost whatever this machine is called.
KRB5_SERVICE=nfs@localhost
KRB5_SERVICE_PRINC=nfs/localhost

krb5__need_tools() {
	local tool
	for tool in krb5kdc kdb5_util kadmin.local kinit; do
		command -v "$tool" >/dev/null ||
			it_fail "$tool is missing: run scripts/install-deps.sh"
	done
}

# krb5_realm NODE: a KDC database for ULM.TEST in NODE's directory, the
# service keys of nfs/localhost in $KRB5_KEYTAB, users alice and bob.
# The KDC itself starts with krb5_unified_node (it needs the node).
krb5_realm() {
	krb5__need_tools
	kdc_init "$1" "$KRB5_REALM" || it_fail "KDC database"
	KRB5_KEYTAB=$(sb_node_dir "$1")/nfs.keytab
	kdc_add_service "$KRB5_SERVICE_PRINC" "$KRB5_KEYTAB" ||
		it_fail "service principal $KRB5_SERVICE_PRINC"
	kdc_add_user alice || it_fail "user alice"
	kdc_add_user bob || it_fail "user bob"
}

# krb5_unified_node NODE SECTYPE [CONF_KEY=VALUE...]: it_unified_node with
# Kerberos on and the export's SecType, then the KDC in the same node.
# Unmapped principals act as "nobody" (docs/kerberos.md): the export is
# world-writable so that they can create the test files.
krb5_unified_node() {
	local node=$1 sectype=$2
	chmod 1777 "$IT_EXPORT"
	it_unified_node "$node" 4 1 sectype="$sectype" krb5="$KRB5_KEYTAB" \
		krb5_principal="$KRB5_SERVICE" "${@:3}"
	kdc_start "$node" || it_fail "node $node: krb5kdc did not start"
}

# krb5_kinit NODE USER [LIFETIME]: USER's TGT in $IT_DIR/USER.cc.
krb5_kinit() {
	kdc_kinit "$1" "$IT_DIR/$2.cc" "$2" "${3:-}" ||
		it_fail "kinit $2"
}

# krb5_client_start CLIENT NODE FLAVOUR CCACHE: an ulm-nfs-client speaking
# RPCSEC_GSS (krb5, krb5i or krb5p) with the tickets in CCACHE.
krb5_client_start() {
	KRB5CCNAME=FILE:$4 it_proc_start "$1" "$2" "$ULM_IT_CLIENT" \
		--server 127.0.0.1 --export /export --name "ulmt-$1-$$" \
		--lease-renew 1 --sec "$3" --gss-service "$KRB5_SERVICE"
}

# krb5_expect_refused WHAT NODE FLAVOUR CCACHE REGEX: a client that must
# not get a session exits 1 (no crash) and says why (REGEX on its stderr).
krb5_expect_refused() {
	local what=$1 node=$2 flavour=$3 ccache=$4 regex=$5 out rc=0
	out=$(KRB5CCNAME=FILE:$ccache sb_exec "$node" "$ULM_IT_CLIENT" \
		--server 127.0.0.1 --export /export --name "ulmt-refused-$$" \
		--sec "$flavour" --gss-service "$KRB5_SERVICE" \
		</dev/null 2>&1) || rc=$?
	it_expect_value "$what: client exit status" 1 "$rc"
	if grep -Eq -- "$regex" <<<"$out"; then
		it_pass "$what: client says: $(grep -E -m 1 -- "$regex" <<<"$out")"
	else
		printf '# %s\n#   expected stderr matching: %s\n#   got: %s\n' \
			"$what" "$regex" "$out"
		it_fail "$what"
	fi
}

# krb5_kdc_count REGEX: lines of the KDC's log that match REGEX.
krb5_kdc_count() {
	grep -cE -- "$1" "$KDC_DIR/kdc.log" || true
}

# krb5_expect_ticket USER COUNT: the KDC issued USER exactly COUNT service
# tickets for the NFS service so far (TGS_REQ ... ISSUE lines).
krb5_expect_ticket() {
	local regex="TGS_REQ .* ISSUE: .* $1@$KRB5_REALM for $KRB5_SERVICE_PRINC@$KRB5_REALM"
	it_expect_value "KDC log: service tickets issued to $1 for $KRB5_SERVICE_PRINC" \
		"$2" "$(krb5_kdc_count "$regex")"
}
