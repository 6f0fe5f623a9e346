#!/usr/bin/env bash
# The RADOS store's files depend downwards: each includes only its own
# layer's header and those below it (state_backend/store/rados/README.md).
# The other layers of libulm are held to theirs by the compiler (each an
# object library that sees only the headers below it).
#
#   check_layers.sh STATE_BACKEND_DIR
set -euo pipefail
dir=$1/store/rados
# header -> layer (0 lowest)
declare -A level=(
	[rados_store.h]=0 [rados_io.h]=0
	[rados_live.h]=1 [rados_events.h]=1
	[rados_files.h]=2
	[rados_tokens.h]=3
	[rados_handover.h]=4
	[rados_ops.h]=5
)
# source -> the layer it is part of
declare -A part=(
	[rados_io.c]=0 [rados_batch.c]=0 [rados_bounded.c]=0 [rados_thread.c]=0
	[rados_live.c]=1 [rados_events.c]=1
	[rados_files.c]=2
	[rados_tokens.c]=3
	[rados_handover.c]=4
	[rados_read.c]=5 [rados_purge.c]=5 [rados_purge_plan.c]=5 [rados_scan.c]=5 [rados_write.c]=5 [rados_flusher.c]=5
	[store_rados.c]=6
)
bad=0
for f in "$dir"/*.c "$dir"/*.h; do
	name=$(basename "$f")
	mine=${part[$name]:-${level[$name]:-}}
	if [ -z "$mine" ]; then
		echo "check_layers: $name has no layer: add it to $0"
		bad=1
		continue
	fi
	while read -r inc; do
		[ -n "${level[$inc]:-}" ] || continue # not a rados header
		if [ "${level[$inc]}" -gt "$mine" ] ||
			{ [[ $name == *.h ]] && [ "${level[$inc]}" -ge "$mine" ] &&
				[ "$inc" != rados_store.h ] && [ "$name" != rados_io.h ]; }; then
			echo "check_layers: $name (layer $mine) includes $inc (layer ${level[$inc]})"
			bad=1
		fi
	done < <(sed -n 's/^#include "\(.*\)"$/\1/p' "$f")
done
[ "$bad" = 0 ] && echo "check_layers: every file of the rados store includes only its layer and below"
exit "$bad"
