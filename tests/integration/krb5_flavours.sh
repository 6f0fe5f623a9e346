#!/usr/bin/env bash
# it.krb5_flavours: one lock scenario under each RPCSEC_GSS flavour. For
# krb5, krb5i and krb5p in turn, Ganesha's UNIFIED export accepts only
# that flavour; two clients of user alice (fresh tickets each round) open
# one file, A's write lock denies B's LOCK and LOCKT with A's range and
# is a libulm record, and B gets the lock once A unlocks. The KDC's log
# shows the service ticket of each round, and a client of another flavour
# is told NFS4ERR_WRONGSEC.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/krb5_lib.sh
. "$(dirname "$0")/krb5_lib.sh"
it_setup krb5_flavours
it_need ULM_IT_INSPECT "ulm-store-inspect"

krb5_realm n1
krb5_unified_node n1 krb5

# A client of another flavour than the export's must be refused.
other_flavour() {
	case $1 in krb5) echo krb5p ;; *) echo krb5 ;; esac
}

lock_scenario() {
	local flavour=$1 round=$2 ccache=$IT_DIR/alice.cc
	it_note "round $round: SecType = $flavour"
	krb5_kinit n1 alice
	krb5_client_start "a$round" n1 "$flavour" "$ccache"
	krb5_client_start "b$round" n1 "$flavour" "$ccache"
	it_expect "a$round" "v4 open f$round both" OK
	it_expect "b$round" "v4 open f$round both" OK
	krb5_expect_ticket alice "$round"
	it_expect "a$round" "v4 lock write 0 100" OK
	it_expect_store "[$flavour] A's lock is persisted" \
		'type=write start=0 end=99 proto=nfs4 kind=lock' 1
	it_expect "b$round" "v4 lock write 50 10" "DENIED write 0 100"
	it_expect "b$round" "v4 lockt read 0 1" "DENIED write 0 100"
	it_expect "a$round" "v4 unlock 0 100" OK
	it_expect "b$round" "v4 lock write 50 10" OK
	it_expect "b$round" "v4 unlock 50 10" OK
	it_expect_store "[$flavour] every unlock reached the store" 'kind=lock' 0
	it_expect "a$round" "v4 close" OK
	it_expect "b$round" "v4 close" OK
	krb5_client_start "w$round" n1 "$(other_flavour "$flavour")" "$ccache"
	it_expect "w$round" "v4 open f$round both" "ERR NFS4ERR_WRONGSEC"
	it_client_stop "a$round"
	it_client_stop "b$round"
	it_client_stop "w$round"
}

round=0
for flavour in krb5 krb5i krb5p; do
	round=$((round + 1))
	if [ "$round" -gt 1 ]; then
		sb_stop n1 ganesha || it_fail "ganesha did not stop"
		sb_ganesha_conf n1 protocols=4 lease=4 graceless=true \
			store=lmdb store_path="$IT_STORE" node_id=1 sync=true \
			export="1:$IT_EXPORT:/export:UNIFIED" sectype="$flavour" \
			krb5="$KRB5_KEYTAB" krb5_principal="$KRB5_SERVICE" ||
			it_fail "config for $flavour"
		it_ganesha_up n1
	fi
	lock_scenario "$flavour" "$round"
done
