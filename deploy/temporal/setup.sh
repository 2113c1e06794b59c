#!/bin/sh
# The temporal-setup service of docker-compose.yml (temporalio/admin-tools):
# once the server answers, makes sure sfconnect's namespace exists and has
# sfconnect's custom search attributes, then exits (the worker and the Web UI
# wait for it). Safe to run on every start: it creates only what is missing,
# and fails if an attribute exists with another type.
#
#   TEMPORAL_ADDRESS              host:port of the frontend (temporal:7233)
#   TEMPORAL_NAMESPACE            the namespace (default)
#   TEMPORAL_NAMESPACE_RETENTION  how long closed workflows are kept (720h)
#   SEARCH_ATTRIBUTES             "Name=Type …", the names and types of
#                                 workflows.SearchAttributes (checked by
#                                 deploy/deploy_test.go)
set -eu
# A failed `temporal … list` must not read as an empty list.
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi

ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
RETENTION=${TEMPORAL_NAMESPACE_RETENTION:-720h}
: "${SEARCH_ATTRIBUTES:?SEARCH_ATTRIBUTES is not set}"

log() { echo "temporal-setup: $*"; }

for attribute in $SEARCH_ATTRIBUTES; do
	case "$attribute" in
	?*=?*) ;;
	*)
		log "SEARCH_ATTRIBUTES: \"$attribute\" is not Name=Type" >&2
		exit 1
		;;
	esac
done

# The server listens on IPv4; dial the host's IPv4 address so that a Docker
# network with IPv6 enabled does not send the CLI to an address nobody
# listens on.
host=${ADDRESS%:*}
port=${ADDRESS##*:}
ip=$(getent ahosts "$host" 2>/dev/null | awk '$2 == "STREAM" && $1 ~ /^[0-9.]+$/ { print $1; exit }') || true
if [ -n "$ip" ]; then
	ADDRESS="$ip:$port"
fi

t() { temporal --address "$ADDRESS" "$@"; }

# retry N COMMAND…: runs COMMAND until it succeeds, at most N times, 3 s apart.
retry() {
	n=$1
	shift
	i=1
	until "$@"; do
		if [ "$i" -ge "$n" ]; then
			log "gave up after $n attempts: $*" >&2
			return 1
		fi
		i=$((i + 1))
		sleep 3
	done
}

log "waiting for Temporal at $ADDRESS ($host)"
retry 60 t operator cluster health

ensure_namespace() {
	t operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 ||
		t operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
}
retry 20 ensure_namespace
log "namespace $NAMESPACE is there"

# registered_type NAME: the type NAME is listed with in the namespace ("" if
# it is not listed; "?" if listed in a form whose type cannot be read).
registered_type() {
	t operator search-attribute list --namespace "$NAMESPACE" | awk -v name="$1" '
		!found { for (i = 1; i <= NF; i++) if ($i == name) { type = (i < NF ? $(i + 1) : "?"); found = 1; break } }
		END { print type }'
}

# type_key TYPE: Keyword, KEYWORD and INDEXED_VALUE_TYPE_KEYWORD alike.
type_key() {
	echo "$1" | tr '[:upper:]' '[:lower:]' | sed -e 's/^indexed_value_type_//' -e 's/_//g'
}

# ensure_attribute NAME TYPE: registers NAME unless it is there already.
ensure_attribute() {
	have=$(registered_type "$1") || return 1
	case "$have" in
	"")
		log "registering search attribute $1 ($2)"
		t operator search-attribute create --namespace "$NAMESPACE" --name "$1" --type "$2" || return 1
		created=yes
		have=$(registered_type "$1") || return 1
		[ -n "$have" ] || return 1
		;;
	esac
	if [ "$have" != "?" ] && [ "$(type_key "$have")" != "$(type_key "$2")" ]; then
		log "search attribute $1 is registered as $have; sfconnect needs $2" >&2
		exit 1
	fi
}

created=no
for attribute in $SEARCH_ATTRIBUTES; do
	retry 20 ensure_attribute "${attribute%%=*}" "${attribute#*=}"
done

if [ "$created" = yes ]; then
	# Frontends refresh their namespace cache every 10 s: let them see the
	# new attributes before the worker starts upserting them.
	sleep 15
fi
log "search attributes of $NAMESPACE: $SEARCH_ATTRIBUTES"
