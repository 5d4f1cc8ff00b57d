#!/usr/bin/env bash
# copenclose resolve against real containers (runc with its default cgroup path, podman with
# runc, crun in a unified private namespace) by PID and by cgroup path, and against every row of
# the cgroup path fixtures.
. "$(dirname "$0")/tracer-lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root to run containers"
[ -x "$BIN" ] || { echo "1..1"; echo "not ok 1 - $BIN is not built"; exit 1; }
command -v runc >/dev/null || skip_all "runc is not installed"
command -v podman >/dev/null || skip_all "podman is not installed"
command -v crun >/dev/null || skip_all "crun is not installed"
make_rootfs || skip_all "no static busybox to build a root file system"
TSV=$top/tests/fixtures/cgroup-paths.tsv
V2=$(findmnt -n -o TARGET -t cgroup2 | head -n1)

# Fixture rows a real host can answer: runc and crun rows need their fixture state tree.
# Rows whose engine only a state tree tells ("(state only)") need it too; "(engine from state)"
# rows are answered from the path alone here: the id, and no engine (null).
rows=$(grep -av '^#' "$TSV" | awk -F '\t' '$2 != "runc" && $2 != "crun" && $4 !~ /\(state only\)/' |
	grep -ac .)
plan $((20 + rows))

RID=ccres$$
PNAME=ccres-pod$$
PCID=
CID=cccrun$$
cleanup() {
	runc kill "$RID" KILL >/dev/null 2>&1
	sleep 0.2
	runc delete -f "$RID" >/dev/null 2>&1
	[ -n "$PCID" ] && podman rm -f "$PCID" >/dev/null 2>&1
	crun delete -f "$CID" >/dev/null 2>&1
	cleanup_tracers
}
trap cleanup EXIT

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
	if [ -z "$bad" ]; then ok "$d"; else notok "$d:$bad"; fi
}

# runc: a bundle made by runc spec, cgroupsPath left to its default ("/<id>" with cgroupfs).
runc_bundle "$T/rb" cc-resolve sleep 120 || { echo "not ok 1 - runc spec"; exit 1; }
runc run -d --bundle "$T/rb" "$RID" >/dev/null 2>&1 </dev/null
RPID=$(runc state "$RID" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])' 2>/dev/null)
check "runc container $RID runs (pid ${RPID:-none})" [ -n "$RPID" ]
js=$("$BIN" resolve "$RPID" 2>"$T/err")
diag "resolve $RPID: $js $(cat "$T/err")"
expect "runc, by PID" "$js" runc "$RID" "$RID" system "/$RID"
check "runc, by PID: cgroup_id is the inode of its v2 directory" \
	[ "$(field "$js" cgroup_id)" = "$(stat -c %i "$V2/$RID" 2>/dev/null)" ]
js=$("$BIN" resolve "/$RID")
expect "runc, by cgroup path" "$js" runc "$RID" "$RID" system "/$RID"
js=$("$BIN" resolve "$V2/$RID")
expect "runc, by path under the v2 mount" "$js" runc "$RID" "$RID" system "/$RID"
mkdir -p "$V2/$RID/sub"
js=$("$BIN" resolve "/$RID/sub")
expect "runc, a sub-cgroup of the container" "$js" runc "$RID" "$RID" system "/$RID/sub"
rmdir "$V2/$RID/sub"

# podman with runc, rootful, cgroupfs: /libpod_parent/libpod-<id>; the name from conmon.
cp -a "$ROOTFS" "$T/prootfs"
PCID=$(podman --runtime runc run -d --name "$PNAME" --ulimit nofile=1024:1024 \
	--ulimit nproc=4096:4096 --rootfs "$T/prootfs" sleep 120 2>"$T/perr")
PPID_=$(podman inspect -f '{{.State.Pid}}' "$PNAME" 2>/dev/null)
check "podman container $PNAME runs (pid ${PPID_:-none}) $(head -c 200 "$T/perr")" \
	[ -n "$PCID" -a "${PPID_:-0}" -gt 0 ]
js=$("$BIN" resolve "$PPID_" 2>"$T/err")
diag "resolve $PPID_: $js $(cat "$T/err")"
expect "podman, by PID" "$js" podman "$PCID" "$PNAME" system "/libpod_parent/libpod-$PCID"
check "podman, by PID: cgroup_id is the inode of its v2 directory" \
	[ "$(field "$js" cgroup_id)" = "$(stat -c %i "$V2/libpod_parent/libpod-$PCID" 2>/dev/null)" ]
js=$("$BIN" resolve "/libpod_parent/libpod-$PCID")
expect "podman, by cgroup path" "$js" podman "$PCID" "$PNAME" system "/libpod_parent/libpod-$PCID"
CPID=$(cat "/run/containers/storage/overlay-containers/$PCID/userdata/conmon.pid" 2>/dev/null)
js=$("$BIN" resolve "${CPID:-0}")
check "podman's conmon (pid ${CPID:-none}) is not in the container" \
	[ "$(field "$js" container_id)" = None ]

# crun refuses hybrid hosts: in a private mount namespace with cgroup2 on /sys/fs/cgroup, with a
# spec without linux.resources; its cgroup is "/<id>", known from /run/crun/<id>/status.
runc_bundle "$T/cb" cc-crun sleep 120 && python3 - "$T/cb/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"].pop("resources", None)
json.dump(c, open(sys.argv[1], "w"))
PY
unshare -m sh -c '[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
	mount -t cgroup2 none /sys/fs/cgroup || exit 1
crun run -d --bundle "$2" "$1" </dev/null >/dev/null 2>&1 || exit 1
pid=$(crun state "$1" | sed -n "s/^ *\"pid\": *\([0-9]*\),*$/\1/p")
echo "$pid" >"$3/crun.pid"
"$4" resolve "$pid" >"$3/crun.pid.json"
"$4" resolve "/$1" >"$3/crun.path.json"
stat -c %i "/sys/fs/cgroup/$1" >"$3/crun.ino"
crun kill "$1" KILL; sleep 0.2; crun delete -f "$1"' _ "$CID" "$T/cb" "$T" "$BIN" >"$T/crun.log" 2>&1
diag "crun pid $(cat "$T/crun.pid" 2>/dev/null): $(cat "$T/crun.pid.json" 2>/dev/null) $(head -c 300 "$T/crun.log")"
js=$(cat "$T/crun.pid.json" 2>/dev/null)
expect "crun (unified, private mount namespace), by PID" "$js" crun "$CID" "$CID" system "/$CID"
check "crun, by PID: cgroup_id is the inode of its cgroup directory" \
	[ -n "$js" -a "$(field "$js" cgroup_id 2>/dev/null)" = "$(cat "$T/crun.ino" 2>/dev/null)" ]
expect "crun, by cgroup path" "$(cat "$T/crun.path.json" 2>/dev/null)" crun "$CID" "$CID" system "/$CID"

# The host itself, and the error contract.
js=$("$BIN" resolve $$)
check "this shell is on the host" [ "$(field "$js" container_runtime)" = None ]
js=$("$BIN" resolve /)
check "the root cgroup has id 1" [ "$(field "$js" cgroup_id)" = 1 ]
js=$("$BIN" resolve /docker/76bafdeaa95fa1dff95adeca3801f47de4af6bfed21111a9326d2b9d5027d1ad)
check "a path absent from this host is parsed, cgroup_id null" \
	[ "$(field "$js" cgroup_id)" = None -a "$(field "$js" container_runtime)" = docker ]
"$BIN" resolve >/dev/null 2>"$T/err"
check "no argument: usage error, exit 2" [ $? -eq 2 -a "$(wc -l <"$T/err")" -eq 1 ]
"$BIN" resolve 2147483646 >"$T/out" 2>"$T/err"
check "a PID that does not exist: exit 1, one line on stderr, nothing on stdout" \
	[ $? -eq 1 -a "$(wc -l <"$T/err")" -eq 1 -a ! -s "$T/out" ]
"$BIN" resolve relative/path >/dev/null 2>"$T/err"
check "neither a PID nor a path: exit 1" [ $? -eq 1 -a "$(wc -l <"$T/err")" -eq 1 ]

# Every fixture row: the runtime, full id and trust it names.
python3 - "$BIN" "$TSV" >"$T/rows" <<'PY'
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
	"ok "*) ok "${line#ok }" ;;
	*) notok "${line#notok }" ;;
	esac
done <"$T/rows"
