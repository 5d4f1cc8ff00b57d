#!/usr/bin/env bash
# --path and --exclude-path on a runc container's standard workload, four tracers at once: the
# opens under the prefixes pass or not, exactly, the closes of the excluded opens' descriptors
# are dropped with them, the other calls pass untouched; the options' bad values are refused.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 25 rootfs
name=$(cc_name) port=$(cc_port)
# shellcheck disable=SC2046
cc_runc_start "$name" $(cc_std_steps "$port")
tap_ok $? "container $name ready: the standard workload"
# what the standard workload does (cc_std_expected) but its opens
others=$(printf 'accept ok 2\naccept4 ok 1\nclose EBADF 4\nconnect ok 3')
declare -A args=(
	[excl]="--exclude-path /data"
	[incl]="--path /data/"
	[both]="--path /data --path /nonexistent --exclude-path /data/f"
	[miss]="--path /nonexistent-cc"
)
declare -A want=(
	# its 9 opens of /data/file and their 9 closes gone; the failed opens and the sockets' closes
	[excl]="$(printf '%s\nclose ok 9\nopenat ENOENT 3' "$others" | LC_ALL=C sort)"
	# the opens of /data/file and every other call (the failed opens are elsewhere)
	[incl]="$(printf '%s\nclose ok 18\nopen ok 2\nopenat ok 5\nopenat2 ok 2' "$others" | LC_ALL=C sort)"
	# /data/f excluded whatever --path says; /nonexistent-cc under --path /nonexistent
	[both]="$(printf '%s\nclose ok 9\nopenat ENOENT 3' "$others" | LC_ALL=C sort)"
	# only the failed opens, and the closes of the sockets
	[miss]="$(printf '%s\nclose ok 9\nopenat ENOENT 3' "$others" | LC_ALL=C sort)"
)
# excl and both without -I: the path filters are then the kernel's first test of an open (before
# its task is read further); incl and miss with -I, whose host rule comes before them
declare -A host=([excl]="" [incl]="-I" [both]="" [miss]="-I")
for tag in excl incl both miss; do
	# shellcheck disable=SC2086
	cc_tracer_start "$tag" ${host[$tag]} -o json ${args[$tag]}
	tap_ok $? "$tag: the tracer started with ${args[$tag]}"
done
cc_container_go "$name"
cc_container_wait "$name"
tap_ok $? "the workload ran and exited 0"
sleep 0.3
cc_tracers_stop INT
for tag in excl incl both miss; do
	tap_is "$(cc_json_summary "$CC_WORK/$tag.out" ".hostname == \"$name\"")" "${want[$tag]}" \
		"${args[$tag]}: exactly what passes"
done
tap_is "$(jq -r "select(.hostname == \"$name\" and .syscall == \"close\" and .ret >= 0) | .closed_path // \"socket\"" "$CC_WORK/excl.out" | sort -u | tr '\n' ' ')" \
	"socket " "--exclude-path /data: no close left of a descriptor of /data/file"
tap_is "$(jq -r "select(.hostname == \"$name\" and .syscall == \"close\" and .ret >= 0) | .closed_path // \"socket\"" "$CC_WORK/incl.out" | sort | uniq -c | awk '{ print $2, $1 }' | tr '\n' ' ')" \
	"/data/file 9 socket 9 " "--path /data/: each close says what it closed"
for tag in excl incl both miss; do
	tap_check "${args[$tag]}: closing line on stderr" cc_closing_ok "$tag"
done

tap_refuses "--path relative" 2 "invalid --path 'data': an absolute path prefix" \
	"$CC_BIN" --path data
tap_refuses "--exclude-path empty" 2 "invalid --exclude-path '': an absolute path prefix" \
	"$CC_BIN" --exclude-path ""
tap_refuses "--path too long" 2 "at most 256 bytes" "$CC_BIN" --path "/$(printf 'a%.0s' $(seq 256))"
