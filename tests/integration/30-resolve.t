#!/usr/bin/env bash
# copenclose resolve against real containers (runc with its default cgroup path, podman with
# runc, crun in a unified private namespace) by PID and by cgroup path, and against every row of
# the cgroup path fixtures.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root to run containers"
[ -x "$CC_BIN" ] || tap_bail "$CC_BIN is missing: run make"
command -v runc >/dev/null || tap_skip_all "runc is not installed"
command -v podman >/dev/null || tap_skip_all "podman is not installed"
command -v crun >/dev/null || tap_skip_all "crun is not installed"
cc_setup
TSV=$CC_ROOT/tests/fixtures/cgroup-paths.tsv
V2=$CC_V2

# Fixture rows a real host can answer: runc and crun rows need their fixture state tree.
# Rows whose engine only a state tree tells ("(state only)") need it too; "(engine from state)"
# rows are answered from the path alone here: the id, and no engine (null).
rows=$(grep -av '^#' "$TSV" | awk -F '\t' '$2 != "runc" && $2 != "crun" && $4 !~ /\(state only\)/' |
	grep -ac .)
tap_plan $((20 + rows))

RID=ccres$$
PNAME=ccres-pod$$
CID=cccrun$$
cc_defer 'crun delete -f "$CID" >/dev/null 2>&1'

# field JSON KEY: a key of resolve's output, as Python prints it (None for null).
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# expect DESCRIPTION JSON runtime id name trust cgroup: one TAP line for all five keys.
expect() {
	local d=$1 js=$2 bad=
	shift 2
	local k v
	for k in container_runtime container_id container_name container_trust cgroup; do
		v=$(field "$js" "$k" 2>/dev/null)
		[ "$v" = "$1" ] || bad="$bad $k=$v (want $1)"
		shift
	done
	if [ -z "$bad" ]; then tap_ok 0 "$d"; else tap_ok 1 "$d:$bad"; fi
}

# runc: cgroupsPath left to its default ("/<id>" with cgroupfs), detached.
cc_rootfs
rb=$(cc_runc_bundle --raw --cgroup '' "$RID" "$(cc_ctl_dir "$RID")" sleep 120)
cc_defer 'runc delete -f "$RID" >/dev/null 2>&1'
runc run -d --bundle "$rb" "$RID" >/dev/null 2>&1 </dev/null
RPID=$(runc state "$RID" 2>/dev/null | jq .pid)
tap_check "runc container $RID runs (pid ${RPID:-none})" [ -n "$RPID" ]
js=$("$CC_BIN" resolve "$RPID" 2>"$CC_WORK/err")
tap_diag "resolve $RPID: $js $(cat "$CC_WORK/err")"
expect "runc, by PID" "$js" runc "$RID" "$RID" system "/$RID"
tap_check "runc, by PID: cgroup_id is the inode of its v2 directory" \
	[ "$(field "$js" cgroup_id)" = "$(stat -c %i "$V2/$RID" 2>/dev/null)" ]
js=$("$CC_BIN" resolve "/$RID")
expect "runc, by cgroup path" "$js" runc "$RID" "$RID" system "/$RID"
js=$("$CC_BIN" resolve "$V2/$RID")
expect "runc, by path under the v2 mount" "$js" runc "$RID" "$RID" system "/$RID"
mkdir -p "$V2/$RID/sub"
js=$("$CC_BIN" resolve "/$RID/sub")
expect "runc, a sub-cgroup of the container" "$js" runc "$RID" "$RID" system "/$RID/sub"
rmdir "$V2/$RID/sub"

# podman with runc, rootful, cgroupfs: /libpod_parent/libpod-<id>; the name from conmon.
cc_podman_start "$PNAME"
PCID=${CC_ID[$PNAME]}
PPID_=${CC_CPID[$PNAME]}
tap_check "podman container $PNAME runs (pid ${PPID_:-none}) $(head -c 200 "$CC_WORK/$PNAME.err")" \
	[ -n "$PCID" -a "${PPID_:-0}" -gt 0 ]
js=$("$CC_BIN" resolve "$PPID_" 2>"$CC_WORK/err")
tap_diag "resolve $PPID_: $js $(cat "$CC_WORK/err")"
expect "podman, by PID" "$js" podman "$PCID" "$PNAME" system "/libpod_parent/libpod-$PCID"
tap_check "podman, by PID: cgroup_id is the inode of its v2 directory" \
	[ "$(field "$js" cgroup_id)" = "$(stat -c %i "$V2/libpod_parent/libpod-$PCID" 2>/dev/null)" ]
js=$("$CC_BIN" resolve "/libpod_parent/libpod-$PCID")
expect "podman, by cgroup path" "$js" podman "$PCID" "$PNAME" system "/libpod_parent/libpod-$PCID"
CPID=$(cat "/run/containers/storage/overlay-containers/$PCID/userdata/conmon.pid" 2>/dev/null)
js=$("$CC_BIN" resolve "${CPID:-0}")
tap_check "podman's conmon (pid ${CPID:-none}) is not in the container" \
	[ "$(field "$js" container_id)" = None ]

# crun refuses hybrid hosts: in a private mount namespace with cgroup2 on /sys/fs/cgroup, with a
# spec without linux.resources; its cgroup is "/<id>", known from /run/crun/<id>/status.
cb=$(cc_runc_bundle --raw --crun "$CID" "$(cc_ctl_dir "$CID")" sleep 120)
unshare -m sh -c '[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
	mount -t cgroup2 none /sys/fs/cgroup || exit 1
crun run -d --bundle "$2" "$1" </dev/null >/dev/null 2>&1 || exit 1
pid=$(crun state "$1" | sed -n "s/^ *\"pid\": *\([0-9]*\),*$/\1/p")
echo "$pid" >"$3/crun.pid"
"$4" resolve "$pid" >"$3/crun.pid.json"
"$4" resolve "/$1" >"$3/crun.path.json"
stat -c %i "/sys/fs/cgroup/$1" >"$3/crun.ino"
crun kill "$1" KILL; sleep 0.2; crun delete -f "$1"' _ "$CID" "$cb" "$CC_WORK" "$CC_BIN" >"$CC_WORK/crun.log" 2>&1
tap_diag "crun pid $(cat "$CC_WORK/crun.pid" 2>/dev/null): $(cat "$CC_WORK/crun.pid.json" 2>/dev/null) $(head -c 300 "$CC_WORK/crun.log")"
js=$(cat "$CC_WORK/crun.pid.json" 2>/dev/null)
expect "crun (unified, private mount namespace), by PID" "$js" crun "$CID" "$CID" system "/$CID"
tap_check "crun, by PID: cgroup_id is the inode of its cgroup directory" \
	[ -n "$js" -a "$(field "$js" cgroup_id 2>/dev/null)" = "$(cat "$CC_WORK/crun.ino" 2>/dev/null)" ]
expect "crun, by cgroup path" "$(cat "$CC_WORK/crun.path.json" 2>/dev/null)" crun "$CID" "$CID" system "/$CID"

# The host itself, and the error contract.
js=$("$CC_BIN" resolve $$)
tap_check "this shell is on the host" [ "$(field "$js" container_runtime)" = None ]
js=$("$CC_BIN" resolve /)
tap_check "the root cgroup has id 1" [ "$(field "$js" cgroup_id)" = 1 ]
js=$("$CC_BIN" resolve /docker/76bafdeaa95fa1dff95adeca3801f47de4af6bfed21111a9326d2b9d5027d1ad)
tap_check "a path absent from this host is parsed, cgroup_id null" \
	[ "$(field "$js" cgroup_id)" = None -a "$(field "$js" container_runtime)" = docker ]
"$CC_BIN" resolve >/dev/null 2>"$CC_WORK/err"
tap_check "no argument: usage error, exit 2" [ $? -eq 2 -a "$(wc -l <"$CC_WORK/err")" -eq 1 ]
"$CC_BIN" resolve 2147483646 >"$CC_WORK/out" 2>"$CC_WORK/err"
tap_check "a PID that does not exist: exit 1, one line on stderr, nothing on stdout" \
	[ $? -eq 1 -a "$(wc -l <"$CC_WORK/err")" -eq 1 -a ! -s "$CC_WORK/out" ]
"$CC_BIN" resolve relative/path >/dev/null 2>"$CC_WORK/err"
tap_check "neither a PID nor a path: exit 1" [ $? -eq 1 -a "$(wc -l <"$CC_WORK/err")" -eq 1 ]

# Every fixture row: the runtime, full id and trust it names.
python3 - "$CC_BIN" "$TSV" >"$CC_WORK/rows" <<'PY'
import json, subprocess, sys
binary, tsv = sys.argv[1], sys.argv[2]
for raw in open(tsv, "rb").read().split(b"\n"):
    if not raw or raw.startswith(b"#"):
        continue
    f = raw.split(b"\t")
    path, rt, cid, note = f[0], f[1].decode(), f[2].decode(), f[3].decode("utf-8", "replace")
    trust = f[4].decode() if len(f) > 4 else "system"
    if rt in ("runc", "crun") or "(state only)" in note:
        continue
    if "(engine from state)" in note:
        rt = None
    p = subprocess.run([binary, "resolve", path], capture_output=True)
    want = (None, None, None) if rt == "-" else (
        rt, cid, "user-delegated" if trust == "user" else "system")
    try:
        js = json.loads(p.stdout)
        got = (js["container_runtime"], js["container_id"], js["container_trust"])
        valid = p.returncode == 0
    except ValueError:
        got, valid = ("invalid JSON", p.stdout[:80], p.stderr[:80]), False
    label = note.replace("#", "")
    if valid and got == want:
        print("ok fixture: " + label)
    else:
        print("notok fixture: %s: got %r, want %r" % (label, got, want))
PY
while IFS= read -r line; do
	case $line in
	"ok "*) tap_ok 0 "${line#ok }" ;;
	*) tap_ok 1 "${line#notok }" ;;
	esac
done <"$CC_WORK/rows"
