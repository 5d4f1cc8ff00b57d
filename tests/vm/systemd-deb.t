#!/usr/bin/env bash
# Guest only (the systemd guest of scripts/run-vm-tests.sh, a real Debian system made by
# mmdebstrap: dpkg with its database, apt, systemd with journald): the package make deb built,
# installed as a user installs it, runs as its unit and names a container's events. dpkg -i
# installs it (every file of the .deb on disk, the unit neither enabled nor started), systemctl
# starts copenclose.service (its default dependencies bring up sysinit.target: journald and the
# rest of a booted system), a runc container opens a known file 5 times and the unit's output in
# the journal has exactly those 5 opens, named runtime runc with the id runc gives and the
# cgroup the kernel gives; systemctl stop ends it with the closing line; dpkg --purge leaves the
# file system as it was before the installation (but for the package manager's own records). Then
# apt-get install ./copenclose_*.deb: apt resolves its dependencies from the guest's packages
# (one package newly installed; the guest has no network) and apt-get purge again leaves nothing.
# It changes the system it runs on (a package installed, sysinit.target started): the systemd
# guest runs it last, and anywhere else it refuses to run.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
[ "${CC_SYSTEMD_GUEST:-}" = 1 ] ||
	tap_skip_all "the systemd guest's test only (it installs a package into the system it runs on)"
# A booted system: what the unit's default dependencies bring up anyway (journald above all),
# and logind (apt takes its inhibitor lock over D-Bus, which would start it), before the work
# directory is made (systemd-tmpfiles-setup empties /tmp) and before the snapshot the purge is
# compared with.
# sysinit.target runs systemd-tmpfiles --remove, which empties /tmp (Debian's tmp.conf: D /tmp):
# the repository under test and the work directory may be there (a clone in /tmp). An empty
# /etc/tmpfiles.d/tmp.conf overrides it in this guest, before the snapshot is taken.
[ -e /etc/tmpfiles.d/tmp.conf ] || : >/etc/tmpfiles.d/tmp.conf
t0=$SECONDS
systemctl start sysinit.target systemd-logind.service >/dev/null 2>&1
sysinit=$? sysinit_s=$((SECONDS - t0))
cc_begin 31 rootfs
tap_ok "$sysinit" "systemctl start sysinit.target systemd-logind (a booted system)"
tap_is "$(systemctl is-active systemd-journald.service 2>&1)" active "journald runs"
tap_diag "sysinit.target took $sysinit_s s"
deb=$CC_ROOT/build/copenclose_$(cat "$CC_ROOT/VERSION")_$(dpkg --print-architecture).deb
[ -f "$deb" ] || tap_bail "$deb is missing: make deb"
# The .deb's entries that are not directories (files and links), as paths.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print substr($6, 2) }' | LC_ALL=C sort >"$CC_WORK/deb.files"
dpkg-deb -c "$deb" | awk '{ p = substr($6, 2); sub("/$", "", p); print (p == "" ? "/." : p) }' |
	LC_ALL=C sort >"$CC_WORK/deb.all"
journal() { journalctl -u copenclose -o cat --no-pager 2>/dev/null; }
status() { dpkg-query -W -f '${Status}' copenclose 2>&1; }
# The file system as paths with type, mode and owner; what the package manager keeps of its own
# doings (dpkg's database and log, apt's and debconf's records), the journal and this test's own
# directories aside.
snapshot() {
	find / -xdev \( -path /tmp -o -path "/${CC_ROOT#/}" -o -path /var/lib/dpkg -o \
		-path /var/log/dpkg.log -o -path /var/log/apt -o -path /var/lib/apt -o -path /var/cache/apt \
		-o -path /var/cache/debconf -o -path /var/log/journal \) -prune -o \
		-printf '%y %m %u:%g %p\n' | LC_ALL=C sort
}
on_disk() { while read -r f; do if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi; done; }

snapshot >"$CC_WORK/before"

# --- dpkg -i ------------------------------------------------------------------------------------
t0=$SECONDS
dpkg -i "$deb" >"$CC_WORK/dpkg-i.out" 2>&1
tap_ok $? "dpkg -i ${deb##*/}: status 0" || tap_diag "$(cat "$CC_WORK/dpkg-i.out")"
tap_diag "dpkg -i took $((SECONDS - t0)) s"
tap_is "$(status)" "install ok installed" "dpkg -s: install ok installed"
tap_is "$(dpkg -L copenclose 2>&1 | LC_ALL=C sort)" "$(cat "$CC_WORK/deb.all")" \
	"dpkg -L lists exactly the .deb's entries (dpkg-deb -c)"
tap_is "$(on_disk <"$CC_WORK/deb.files")" "$(cat "$CC_WORK/deb.files")" \
	"every file of the .deb is on disk ($(wc -l <"$CC_WORK/deb.files"))"
tap_is "$(systemctl is-enabled copenclose.service 2>&1)" disabled \
	"the unit is not enabled on installation"
tap_is "$(systemctl is-active copenclose.service 2>&1)" inactive \
	"nor started"

# --- the unit -----------------------------------------------------------------------------------
t0=$SECONDS
tap_check "systemctl start copenclose" systemctl start copenclose
attached() { journal | grep -q '^Tracing'; }
cc_wait_for 60 attached
tap_ok $? "the unit's tracer attached (its Tracing line in the journal)"
tap_diag "start to attach: $((SECONDS - t0)) s" "$(journal | grep -v '^{')"
pid=$(systemctl show -P MainPID copenclose)
tap_is "$(systemctl is-active copenclose 2>&1)" active "the unit is active"
tap_check "its tracer runs as a user of its own, not root (uid $(stat -c %u "/proc/$pid" 2>&1))" \
	test "$(stat -c %u "/proc/$pid" 2>/dev/null || echo 0)" -ne 0

n=$(cc_name)
cc_runc_start "$n" open /data/file 5
tap_ok $? "a runc container started and waits"
rid=$(runc state "$n" 2>/dev/null | jq -r .id)
tap_is "$(runc list -q 2>&1 | grep -Fx "$n")" "$n" "runc lists the container, id $rid"
cgroup=$(awk -F: '$1 == "0" { print $3 }' "/proc/${CC_CPID[$n]:-0}/cgroup" 2>&1)
cc_container_go "$n"
cc_container_wait "$n"
tap_ok $? "its workload opened /data/file 5 times and ended (status 0)"
opens() {
	journal | grep '^{' | jq -c --arg id "$rid" 'select(.type == "event" and .container_id == $id
		and .syscall == "openat" and .path == "/data/file")' 2>/dev/null
}
five_opens() { [ "$(opens | wc -l)" -eq 5 ]; }
cc_wait_for 30 five_opens
tap_is "$(opens | wc -l)" 5 "the unit's output has the container's 5 opens of /data/file"
tap_diag "one as the unit wrote it:" "$(opens | head -n1)"
tap_is "$(opens | jq -r '[.container_runtime, .container_id, .cgroup, .hostname, .ret >= 0] |
	@tsv' | sort -u)" "$(printf 'runc\t%s\t%s\t%s\ttrue' "$rid" "$cgroup" "$n")" \
	"each is named runtime runc, id $rid, cgroup $cgroup, hostname $n, and succeeded"

t0=$SECONDS
tap_check "systemctl stop copenclose" systemctl stop copenclose
tap_diag "stop took $((SECONDS - t0)) s"
tap_is "$(systemctl show -P ActiveState copenclose) $(systemctl show -P ExecMainStatus copenclose)" \
	"inactive 0" "the unit is inactive, its tracer ended with status 0"
closing=$(journal | grep '^copenclose: [0-9]* events delivered' | tail -n1)
tap_check "the closing line is in the journal: ${closing:-none}" \
	grep -qE '^copenclose: [0-9]+ events delivered, 0 lost' <<<"$closing"

# --- dpkg --purge -------------------------------------------------------------------------------
t0=$SECONDS
dpkg --purge copenclose >"$CC_WORK/purge.out" 2>&1
tap_ok $? "dpkg --purge copenclose: status 0" || tap_diag "$(cat "$CC_WORK/purge.out")"
tap_diag "dpkg --purge took $((SECONDS - t0)) s"
tap_check "dpkg -L copenclose: not installed any more ($(dpkg -L copenclose 2>&1 | head -n1))" \
	sh -c '! dpkg -L copenclose >/dev/null 2>&1'
tap_is "$(on_disk <"$CC_WORK/deb.files")" "" "none of the .deb's files is on disk"
snapshot >"$CC_WORK/after"
tap_is "$(diff "$CC_WORK/before" "$CC_WORK/after")" "" \
	"the file system is as before the installation ($(wc -l <"$CC_WORK/after") paths compared)"

# --- apt-get install ./copenclose_*.deb ---------------------------------------------------------
t0=$SECONDS
apt-get install -y -q "$deb" >"$CC_WORK/apt.out" 2>&1
tap_ok $? "apt-get install $deb: status 0" || tap_diag "$(cat "$CC_WORK/apt.out")"
tap_diag "apt-get install took $((SECONDS - t0)) s"
tap_is "$(grep -E '^[0-9]+ upgraded' "$CC_WORK/apt.out")" \
	"0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded." \
	"apt found every dependency among the guest's packages: copenclose alone newly installed"
tap_is "$(status)" "install ok installed" "dpkg -s: install ok installed"
tap_is "$(on_disk <"$CC_WORK/deb.files")" "$(cat "$CC_WORK/deb.files")" "every file of the .deb is on disk"
apt-get purge -y -q copenclose >"$CC_WORK/apt-purge.out" 2>&1
tap_ok $? "apt-get purge copenclose: status 0" || tap_diag "$(cat "$CC_WORK/apt-purge.out")"
tap_is "$(on_disk <"$CC_WORK/deb.files")" "" "none of the .deb's files is on disk"
snapshot >"$CC_WORK/after-apt"
tap_is "$(diff "$CC_WORK/before" "$CC_WORK/after-apt")" "" "the file system is as before again"
