#!/usr/bin/env bash
# it.krb5_wrongsec: an UNIFIED export with SecType = krb5, krb5i, krb5p
# refuses AUTH_SYS. An AUTH_SYS client (libnfs) may set up its clientid
# (RFC 7530 allows it) but is told NFS4ERR_WRONGSEC when it walks into
# the export, so it can neither open nor lock; a krb5 client of the same
# server locks the same file, and only its lock reaches the store.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/krb5_lib.sh
. "$(dirname "$0")/krb5_lib.sh"
it_setup krb5_wrongsec
it_need ULM_IT_INSPECT "ulm-store-inspect"

krb5_realm n1
krb5_unified_node n1 krb5,krb5i,krb5p
krb5_kinit n1 alice

it_client_start sys n1
it_expect sys "v4 open f both" "ERR NFS4ERR_WRONGSEC"
it_expect sys "v4 lock write 0 100" "ERR usage: no file open*"

krb5_client_start k n1 krb5 "$IT_DIR/alice.cc"
it_expect k "v4 open f both" OK
it_expect k "v4 lock write 0 100" OK
it_expect sys "v4 open f both" "ERR NFS4ERR_WRONGSEC"
it_expect_store "only the krb5 client's lock is stored" \
	"proto=nfs4 kind=lock .*client=alice@$KRB5_REALM\\\\x00" 1
it_expect k "v4 unlock 0 100" OK
it_expect k "v4 close" OK
