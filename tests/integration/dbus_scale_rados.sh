#!/usr/bin/env bash
# it.dbus_scale_rados: it.dbus_scale on RADOS (see dbus_scale.sh).
# shellcheck source=tests/integration/dbus_scale.sh
. "$(dirname "$0")/dbus_scale.sh"
