# Helpers for the tracer's reliability tests (sourced): short names over lib.sh's TAP output,
# starting and stopping the tracer, counting what it left loaded.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
top=$CC_ROOT
BIN=$CC_BIN
FLOOD=$top/build/helpers/flood
T=$(mktemp -d /tmp/copenclose-test.XXXXXX)
_tracers=()
cleanup_tracers() {
	for p in "${_tracers[@]}"; do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup_tracers EXIT

plan() { tap_plan "$1"; }
ok() { tap_ok 0 "$*"; }
notok() { tap_ok 1 "$*" || true; }
not() { ! "$@"; }
check() { # check DESCRIPTION COMMAND...: ok when the command succeeds
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
diag() { tap_diag "$*"; }
skip_all() { tap_skip_all "$*"; }

require_bpf() {
	cc_require_bpf
	[ -x "$FLOOD" ] || tap_bail "$FLOOD is missing: run make helpers"
}

# start_tracer NAME ARGS...: runs the tracer in the background with stdout in $T/NAME.out and
# stderr in $T/NAME.err, waits for its "Tracing" line; sets TRACER_PID. Fails after 10 s.
start_tracer() {
	local name=$1
	shift
	"$BIN" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	TRACER_PID=$!
	_tracers+=("$TRACER_PID")
	wait_tracing "$name"
}

wait_tracing() {
	for _ in $(seq 1 200); do
		if grep -q '^Tracing' "$T/$1.err" 2>/dev/null; then
			held_ids "$TRACER_PID" >>"$T/held-ids"
			return 0
		fi
		kill -0 "$TRACER_PID" 2>/dev/null || break
		sleep 0.05
	done
	diag "tracer $1 did not start: $(cat "$T/$1.err")"
	return 1
}

# stop_tracer PID [SIGNAL]: signals it and waits; sets TRACER_RC.
stop_tracer() {
	kill -"${2:-INT}" "$1" 2>/dev/null
	wait "$1"
	TRACER_RC=$?
}

# closing_counts FILE: "DELIVERED LOST UNREAD" from the tracer's closing line.
closing_counts() {
	sed -n 's/^copenclose: \([0-9]*\) events delivered, \([0-9]*\) lost\(, \([0-9]*\) unread\)\{0,1\}$/\1 \2 \4/p' "$1" | tail -n1 | awk '{print $1, $2, ($3 == "" ? 0 : $3)}'
}

# held_ids PID: "prog N", "map N", "link N" for every BPF object process PID holds.
held_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		sed -n 's/^prog_id:[[:space:]]*/prog /p; s/^map_id:[[:space:]]*/map /p; s/^link_id:[[:space:]]*/link /p' "$f" 2>/dev/null
	done | sort -u
}

# leftover_ids: the objects some tracer of this test held that the kernel still has.
leftover_ids() {
	local kind
	[ -s "$T/held-ids" ] || return 0
	for kind in prog map link; do
		bpftool "$kind" show -j 2>/dev/null | jq -r ".[].id | \"$kind \\(.)\"" 2>/dev/null
	done | sort -u | comm -12 - <(sort -u "$T/held-ids")
}

# Our programs and maps currently loaded.
our_progs() { bpftool prog show 2>/dev/null | grep -cE 'name (exit_(open|openat|openat2|close|connect|accept|accept4)|cgroup_(mkdir|rmdir)) '; }
our_maps() { bpftool map show 2>/dev/null | grep -cE 'name (events|counters|cgroup_filter|lost_by_cgroup|scratch_map|cg_scratch_map|copencl)'; }

# A busybox root file system for runc bundles, built once per checkout under build/.
ROOTFS=$top/build/rootfs-tracer
make_rootfs() {
	[ -x "$ROOTFS/bin/workload" ] && return 0
	local bb
	bb=$(command -v busybox) || return 1
	file -L "$bb" 2>/dev/null | grep -q 'statically linked' || [ -x /bin/busybox ] || return 1
	mkdir -p "$ROOTFS"/{bin,proc,sys,dev,etc,tmp}
	cp "$bb" "$ROOTFS/bin/busybox"
	for c in sh cat ls sleep true hostname; do ln -sf busybox "$ROOTFS/bin/$c"; done
	cp "$FLOOD" "$ROOTFS/bin/flood"
	cp "$top/build/helpers/workload" "$ROOTFS/bin/workload"
	mkdir -p "$ROOTFS/cc"
}

# runc_bundle DIR HOSTNAME ARGS...: an OCI bundle whose process runs ARGS, on the shared rootfs,
# with DIR/share bound on /cc inside (for start files).
runc_bundle() {
	local dir=$1 host=$2
	shift 2
	mkdir -p "$dir/share"
	(cd "$dir" && runc spec) || return 1
	python3 - "$dir/config.json" "$ROOTFS" "$host" "$@" <<'PY'
import json, sys
path, rootfs, host, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
c = json.load(open(path))
c["root"] = {"path": rootfs, "readonly": True}
c["process"]["terminal"] = False
c["process"]["args"] = args
c["hostname"] = host
c["mounts"].append({"destination": "/cc", "type": "bind",
                    "source": path.rsplit("/", 1)[0] + "/share", "options": ["rbind", "ro"]})
json.dump(c, open(path, "w"))
PY
}
