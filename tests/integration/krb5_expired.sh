#!/usr/bin/env bash
# it.krb5_expired: Kerberos failures end cleanly. A client without tickets
# and one whose ticket has expired are refused before any NFS call, each
# naming the reason in Kerberos's words; a client whose ticket expires
# while it holds a lock is refused by Ganesha (RPC authentication error)
# and says so; Ganesha stays up throughout and serves a client that has a
# valid ticket.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/krb5_lib.sh
. "$(dirname "$0")/krb5_lib.sh"
it_setup krb5_expired

krb5_realm n1
krb5_unified_node n1 krb5,krb5i,krb5p

krb5_expect_refused "no ticket at all" n1 krb5 "$IT_DIR/nobody.cc" \
	'No Kerberos credentials available'

SHORT_LIFE=4
krb5_kinit n1 alice "${SHORT_LIFE}s"
krb5_client_start a n1 krb5i "$IT_DIR/alice.cc"
it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK
sleep $((SHORT_LIFE + 2))
it_expect a "v4 lockt write 0 1" "ERR RPC_AUTHERROR"
it_expect_value "client A explains" "*RPCSEC_GSS_CREDPROBLEM*" \
	"$(grep -m 1 RPCSEC_GSS "$(sb_node_dir n1)/client-a.out" || true)"
krb5_expect_refused "expired ticket" n1 krb5 "$IT_DIR/alice.cc" \
	'Ticket expired'

sb_alive n1 ganesha || it_fail "ganesha.nfsd died"
it_pass "ganesha.nfsd is still running"
krb5_kinit n1 bob
krb5_client_start b n1 krb5p "$IT_DIR/bob.cc"
it_expect b "v4 open f both" OK
# A cannot renew its lease any more: Ganesha drops its state; its lock
# stays only as a courtesy record (it.courtesy), which B's lock drops.
it_expect_store_within 20 "the expired client's lock ends with its lease" \
	'type=write start=0 end=99 .*client=alice@ULM.TEST' 0
it_expect_store "kept as a courtesy lock" \
	'type=write start=0 end=99 .*client=courtesy:alice@ULM.TEST' 1
it_expect b "v4 lock write 0 100" OK
it_expect b "v4 unlock 0 100" OK
