#!/usr/bin/env bash
# -I keeps every event of a container's cgroup: runc's init does its first calls there while it
# still has the host's namespaces (it joins the cgroup before it unshares them), and those are
# the container's events all the same, also when naming is slow: the -I tracer looks for
# containerd's state, which it looks at first, on a mount (FUSE, open to the tracer's dropped
# user) answering each lookup in 400 ms, so its records wait past their 100 ms; what the path
# tells ("/parent/<id>") does not say container. A tracer with -I and one without, on the same
# runc containers, write the same events of their cgroups, and top -I counts them all too.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
K=3
cc_begin 6 runc cgroup2
cc_rootfs

parent=ccih$$
mkdir "$CC_V2/$parent"
# runc makes the parent in each v1 hierarchy of a hybrid host too
cc_defer 'for h in "$CC_V2" /sys/fs/cgroup/*; do rmdir "$h/$parent"/* "$h/$parent"; done 2>/dev/null'
cc_tracer_start all -o json -e openat,close -G "/$parent" || tap_bail "the tracer did not start"
all_pid=$CC_TRACER_PID
STALLFS=$CC_ROOT/build/helpers/stallfs
[ -x "$STALLFS" ] || tap_bail "$STALLFS is missing: run make helpers (libfuse3-dev)"
slow=$CC_WORK/slow-runc
mkdir -p "$slow"
# the mount comes once the tracer runs: its start names the containers already running (other
# engines' on this machine), each lookup of which the slow mount would make 400 ms longer
cc_tracer_start noh -I -o json -e openat,close -G "/$parent" --state-dir "containerd=$slow" ||
	tap_bail "-I did not start"
noh_pid=$CC_TRACER_PID
"$STALLFS" -d 400 "$CC_WORK/no-gate" "$slow" -f -o allow_other 2>"$CC_WORK/stallfs.err" &
fs_pid=$!
cc_defer "umount '$slow' 2>/dev/null || umount -l '$slow' 2>/dev/null; kill $fs_pid 2>/dev/null"
mounted() { mountpoint -q "$slow"; }
cc_wait_for 10 mounted || tap_bail "the slow file system did not mount"
cc_tracer_start top top -I -o json --interval 1 -e openat,close -G "/$parent" ||
	tap_bail "top -I did not start"
ran=0
for _ in $(seq 1 "$K"); do
	n=$(cc_name)
	bundle=$(cc_runc_bundle --raw --cgroup "/$parent/$n" "$n" "$(cc_ctl_dir "$n")" \
		flood -n 10 -p /data/file -k) || tap_bail "runc spec failed"
	runc run --bundle "$bundle" "$n" </dev/null >"$CC_WORK/$n.out" 2>&1 && ran=$((ran + 1))
done
tap_is "$ran" "$K" "$K runc containers ran and ended"
tap_check "the -I tracer's naming looked on the slow mount" grep -q 'stalled: /' "$CC_WORK/stallfs.err"
sleep 1.5 # top's next interval
cc_tracer_stop INT
CC_TRACER_PID=$noh_pid cc_tracer_stop INT
CC_TRACER_PID=$all_pid cc_tracer_stop INT
# per container cgroup: opens, failed opens and closes, as each tracer wrote them
per_cgroup() {
	jq -r --arg p "/$parent/" 'select(.type == "event" and (.cgroup // "" | startswith($p))) |
		"\(.cgroup | ltrimstr($p)) \(if .syscall == "close" then "closes" elif .ret >= 0 then "opens" else "failed" end)"' \
		"$CC_WORK/$1.out" | sort | uniq -c | awk '{ print $2, $3, $1 }'
}
per_cgroup all >"$CC_WORK/all.n"
per_cgroup noh >"$CC_WORK/noh.n"
tap_is "$(awk '$2 == "closes" { print $1 }' "$CC_WORK/all.n" | sort -u | wc -l)" "$K" \
	"the tracer without -I wrote closes in each container's cgroup"
tap_is "$(cat "$CC_WORK/noh.n")" "$(cat "$CC_WORK/all.n")" \
	"-I wrote the same opens, failed opens and closes of each container's cgroup"
jq -r 'select(.container_name != null) | "\(.container_name) \(.opens) \(.failed_opens) \(.closes)"' \
	"$CC_WORK/top.out" | awk '{ o[$1] += $2; f[$1] += $3; c[$1] += $4 }
	END { for (n in o) { if (c[n]) print n, "closes", c[n]; if (f[n]) print n, "failed", f[n]; if (o[n]) print n, "opens", o[n] } }' |
	sort >"$CC_WORK/top.n"
tap_is "$(cat "$CC_WORK/top.n")" "$(cat "$CC_WORK/all.n")" "top -I counted them all, under each one's name"
tap_is "$(jq -r 'select(.host) | .container_name' "$CC_WORK/top.out" | wc -l)" 0 "top -I has no host row"
