#!/bin/sh
# Runs an OpenWrt procd init script's start_service and service_triggers with procd's and
# /lib/functions.sh's functions replaced by recorders, so a test can see what procd would start.
#
# usage: run-init.sh INIT_SCRIPT UCI_VALUES CALL_LOG
#   UCI_VALUES: one "section.option=value" per line, as config_get would return them (a list's
#   items joined by spaces). CALL_LOG receives one line per procd call: the function name and its
#   arguments, separated by the byte 0x1f.
set -eu
init_script=$1
uci_values=$2
call_log=$3
: > "$call_log"

record() {
	{
		printf '%s' "$1"
		shift
		for arg in "$@"; do printf '\037%s' "$arg"; done
		printf '\n'
	} >> "$call_log"
}

for fn in procd_open_instance procd_set_param procd_append_param procd_close_instance \
	procd_add_reload_trigger procd_add_interface_trigger procd_open_trigger procd_close_trigger \
	procd_add_validation procd_open_data procd_close_data; do
	eval "$fn() { record $fn \"\$@\"; }"
done

config_load() {
	record config_load "$@"
}

# /lib/functions.sh semantics: an unset or empty option yields the default.
config_get() {
	_value=
	while IFS= read -r _line; do
		case $_line in
			"$2.$3="*) _value=${_line#*=}; break ;;
		esac
	done < "$uci_values"
	eval "$1=\${_value:-\${4:-}}"
}

config_get_bool() {
	config_get _bool "$2" "$3" "${4:-}"
	case "$_bool" in
		1|on|true|yes|enabled) _bool=1 ;;
		0|off|false|no|disabled) _bool=0 ;;
		*) _bool=${4:-} ;;
	esac
	eval "$1=\$_bool"
}

# shellcheck source=/dev/null # the script under test
. "$init_script"
start_service
service_triggers
