#!/usr/bin/env bash
# it.dbus_exports: Ganesha's own ExportMgr (AddExport, UpdateExport,
# RemoveExport over DBus) with UNIFIED exports at run time. An added
# export serves locks at once and is listed by ulmctl; an update applies
# (read-only: write opens refused) and keeps the locks held; removing the
# export releases its clients' lock state in the store and nothing of
# the other export's; Ganesha keeps serving; the export can come back.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/dbus_lib.sh
. "$IT_SRC/dbus_lib.sh"
it_setup dbus_exports
it_need ULM_IT_ULMCTL "ulmctl"

it_unified_node n1 4 1 dbus=1
it_client_start a n1 # on export 1, all along
it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 10" OK

# exportmgr METHOD ARG...: Ganesha's ExportMgr on n1; reply in OUT.
exportmgr() {
	RC=0
	OUT=$(sb_exec n1 dbus-send --system --print-reply \
		--dest=org.ganesha.nfsd /org/ganesha/nfsd/ExportMgr \
		"org.ganesha.nfsd.exportmgr.$1" "${@:2}" 2>&1) || RC=$?
}

# export2_conf ACCESS: export 2 (UNIFIED over VFS) in its own file.
EXPORT2=$IT_DIR/export2
EXPORT2_CONF=$IT_DIR/export2.conf
mkdir -p "$EXPORT2"
export2_conf() {
	sb__export_block "2:$EXPORT2:/export2:UNIFIED" 4 sys |
		sed "s/Access_Type = RW;/Access_Type = $1;/" >"$EXPORT2_CONF"
}

it_note "AddExport of a UNIFIED export at run time"
export2_conf RW
exportmgr AddExport "string:$EXPORT2_CONF" "string:EXPORT(Export_Id=2)"
it_expect_value "AddExport" "0 *string \"1 exports added\"" "$RC $OUT"
it_client_start b n1 /export2
it_client_start c n1 /export2
it_expect b "v4 open g both" OK
it_expect b "v4 lock write 0 100" OK
it_expect c "v4 open g both" OK
it_expect c "v4 lock read 50 1" "DENIED write 0 100"
ulmctl locks --export 2 -n -o type,start,end,path
it_expect_value "ulmctl: the new export's lock, by path" \
	"write 0 99 $EXPORT2/g" "$(tr -s ' ' <<<"$OUT")"

it_note "UpdateExport: read-only from now on; held locks stay"
export2_conf RO
exportmgr UpdateExport "string:$EXPORT2_CONF" "string:EXPORT(Export_Id=2)"
it_expect_value "UpdateExport" "0 *string \"1 exports updated\"" "$RC $OUT"
it_client_start d n1 /export2
it_expect d "v4 open g write" "ERR NFS4ERR_ROFS"
it_expect_store "B's lock stays" "type=write start=0 end=99 .*client=ulmt-b-$$ " 1
it_expect c "v4 lock read 50 1" "DENIED write 0 100"

it_note "RemoveExport releases the export's lock state, nothing else"
exportmgr RemoveExport uint16:2
it_expect_value "RemoveExport" 0 "$RC"
it_expect_store_within 5 "B's lock and share are gone" "client=ulmt-b-$$ " 0
it_expect_store "C's share is gone" "client=ulmt-c-$$ " 0
it_expect_store "A's lock on export 1 stays" "type=write start=0 end=9 .*client=ulmt-a-$$ " 1
it_expect a "v4 lock write 20 10" OK
ulmctl_expect "ulmctl knows export 2 is gone" 1 \
	"ulmctl: export 2 is not a UNIFIED export" locks --export 2
it_expect_value "Ganesha runs on" "" "$(sb_status n1 ganesha)"

it_note "the export comes back"
export2_conf RW
exportmgr AddExport "string:$EXPORT2_CONF" "string:EXPORT(Export_Id=2)"
it_expect_value "AddExport again" "0 *string \"1 exports added\"" "$RC $OUT"
it_client_start e n1 /export2
it_expect e "v4 open g both" OK
it_expect e "v4 lock write 0 100" OK
it_expect_store "E's lock" "type=write start=0 end=99 .*client=ulmt-e-$$ " 1
