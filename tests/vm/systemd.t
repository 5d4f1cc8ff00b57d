#!/usr/bin/env bash
# Guest only (scripts/vm-run --systemd; make vm-test-systemd): the guest scripts/vm-run boots with
# systemd as PID 1 is what 33-systemd-driver needs (systemd, cgroup v2 alone, the system bus) and
# stays lean (nothing of sysinit.target: no udev, journald or getty, and not a first boot; no
# process but PID 1, the bus and the command), and the command runs in the unit vm-run.service
# with CC_SYSTEMD_GUEST set. (In a guest where `systemctl start sysinit.target` or
# `systemd-run sleep 100` ran first, checks 6, 7 and 9 fail.)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
tap_plan 9
tap_is "$(cat /proc/1/comm)" systemd "PID 1 is systemd"
tap_is "$(stat -f -c %T /sys/fs/cgroup)" cgroup2fs "cgroup v2 alone on /sys/fs/cgroup"
tap_is "$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)" /system.slice/vm-run.service \
	"the command runs in vm-run.service"
tap_is "${CC_SYSTEMD_GUEST:-}" 1 "CC_SYSTEMD_GUEST=1: 33-systemd-driver may not skip here"
bus_answers() { busctl --system --no-pager status org.freedesktop.DBus >/dev/null; }
tap_check "the system bus answers" bus_answers
# vm-run.service, a oneshot, is "activating" while its command runs.
tap_is "$(systemctl list-units --no-legend --plain --state=active,activating --type=service 2>&1 |
	awk '{ print $1 }' | sort | tr '\n' ' ')" "dbus.service vm-run.service " \
	"the only services running are the bus and vm-run.service"
# What pulls in the early boot's services (a unit with default dependencies) is not started, and
# the guest has a machine id: not a first boot, so no ConditionFirstBoot= unit would run either.
tap_is "$(systemctl show -P ActiveState sysinit.target 2>&1)" inactive \
	"sysinit.target is not started (nothing has default dependencies)"
# systemd's own test of ConditionFirstBoot= (PID 1 marks a first boot in /run/systemd/first-boot).
not_first_boot() { systemd-analyze condition ConditionFirstBoot=no >/dev/null 2>&1; }
tap_check "not a first boot (systemd-analyze condition ConditionFirstBoot=no)" not_first_boot
# And no process outside them: the cgroups that hold a process are the root (the kernel's
# threads), PID 1's, the bus's and the command's.
populated() {
	local f
	find /sys/fs/cgroup -name cgroup.procs | while read -r f; do
		if [ -n "$(cat "$f")" ]; then dirname "/${f#/sys/fs/cgroup/}"; fi
	done | sort | tr '\n' ' '
}
tap_is "$(populated)" "/ /init.scope /system.slice/dbus.service /system.slice/vm-run.service " \
	"processes only in PID 1's, the bus's and vm-run.service's cgroups"
