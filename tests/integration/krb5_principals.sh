#!/usr/bin/env bash
# it.krb5_principals: two Kerberos users, alice and bob, each an NFSv4
# client (krb5) of one UNIFIED node. Alice's write lock is refused to bob
# (LOCK and LOCKT name her range), and the owner libulm records names the
# principal: client=<principal>\x00<co_ownerid>. Once alice unlocks, bob's
# lock is granted and recorded under his principal.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/krb5_lib.sh
. "$(dirname "$0")/krb5_lib.sh"
it_setup krb5_principals
it_need ULM_IT_INSPECT "ulm-store-inspect"

krb5_realm n1
krb5_unified_node n1 krb5,krb5i,krb5p
krb5_kinit n1 alice
krb5_kinit n1 bob
krb5_client_start a n1 krb5 "$IT_DIR/alice.cc"
krb5_client_start b n1 krb5 "$IT_DIR/bob.cc"
alice_owner="client=alice@$KRB5_REALM\\\\x00ulmt-a-$$ "
bob_owner="client=bob@$KRB5_REALM\\\\x00ulmt-b-$$ "

it_expect a "v4 open shared both" OK
it_expect b "v4 open shared both" OK
krb5_expect_ticket alice 1
krb5_expect_ticket bob 1

it_expect a "v4 lock write 0 100" OK
it_expect_store "alice's lock is recorded under her principal" \
	"type=write start=0 end=99 proto=nfs4 kind=lock .*$alice_owner" 1
it_expect b "v4 lock write 10 10" "DENIED write 0 100"
it_expect b "v4 lockt read 99 1" "DENIED write 0 100"
it_expect_store "bob's refused lock left no record" "kind=lock .*$bob_owner" 0

# Bob's lock beside alice's is granted: the two principals coexist.
it_expect b "v4 lock read 200 50" OK
it_expect a "v4 lockt write 210 1" "DENIED read 200 50"
it_expect_store "bob's lock is recorded under his principal" \
	"type=read start=200 end=249 proto=nfs4 kind=lock .*$bob_owner" 1

it_expect a "v4 unlock 0 100" OK
it_expect b "v4 lock write 0 100" OK
it_expect_store "after alice's unlock, bob holds [0, 100)" \
	"type=write start=0 end=99 .*$bob_owner" 1
it_expect_store "alice holds no lock" "kind=lock .*$alice_owner" 0
it_expect b "v4 unlock 0 0" OK
it_expect_store "every unlock reached the store" 'kind=lock' 0
it_expect a "v4 close" OK
it_expect b "v4 close" OK
