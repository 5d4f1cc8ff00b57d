# Turns benchmark samples (lines: tracer metric value) into medians, tables and target checks.
# Variables: burst_n, rate (for the headings); only ("fdtable": the descriptor table's section alone).
function median(key,   n, i, j, t, a) {
	n = cnt[key]
	if (!n)
		return ""
	for (i = 1; i <= n; i++)
		a[i] = val[key, i]
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function lo(key,   i, v) {
	for (i = 1; i <= cnt[key]; i++)
		if (i == 1 || val[key, i] < v)
			v = val[key, i]
	return v
}
function hi(key,   i, v) {
	for (i = 1; i <= cnt[key]; i++)
		if (i == 1 || val[key, i] > v)
			v = val[key, i]
	return v
}
function m(t, k) { return median(t SUBSEP k) }
function added(t, k,   b, v) {
	v = m(t, k); b = m("none", k)
	return (v == "" || b == "") ? "" : v - b
}
function fmt(v, f) { return v == "" ? "n/a" : sprintf(f, v) }
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b }
function check(what, ok, detail) {
	printf "| %s | %s | %s |\n", what, ok == "" ? "n/a" : ok ? "PASS" : "MISS", detail
}
function fd_row(what, a, b, f) {
	printf "| %s | %s | %s | %s |\n", what, fmt(a, f), fmt(b, f),
		fmt(ratio(a, b), "%.2f")
}
# With the descriptor table (the default) against --no-fd-table, both copenclose -o json.
function fd_section(   a, b, t, h) {
	print "### The descriptor table (copenclose -o json with it, the default, and with --no-fd-table; medians, same run)\n"
	print "| measure | with the table | without | ratio |"
	print "|---|---|---|---|"
	fd_row("added ns per open+close pair (traced process)", added("cc-json", "openclose"), added("cc-json-nofd", "openclose"), "%+.0f")
	fd_row("added ns per failing openat (traced process)", added("cc-json", "failopen"), added("cc-json-nofd", "failopen"), "%+.0f")
	fd_row("added ns per untraced getpid", added("cc-json", "getpid"), added("cc-json-nofd", "getpid"), "%+.1f")
	fd_row("added ns per process spawned (fork, exit, wait)", added("cc-json", "spawn"), added("cc-json-nofd", "spawn"), "%+.0f")
	fd_row("tracer's user-space CPU ns per open+close pair, JSON (bench/fdcost, CPU time)", m("fdcost", "with_ns_pair"), m("fdcost", "without_ns_pair"), "%.0f")
	fd_row("tracer CPU ns per open+close pair (user + system)", m("cc-json", "cpu_ns_pair"), m("cc-json-nofd", "cpu_ns_pair"), "%.0f")
	fd_row("tracer CPU ns per failing openat", m("cc-json", "cpu_ns_event"), m("cc-json-nofd", "cpu_ns_event"), "%.0f")
	fd_row("BPF ns/run of the sys_exit_openat program", m("cc-json", "bpf_ns_exit_openat"), m("cc-json-nofd", "bpf_ns_exit_openat"), "%.0f")
	fd_row("BPF ns/run of the sys_exit_close program", m("cc-json", "bpf_ns_exit_close"), m("cc-json-nofd", "bpf_ns_exit_close"), "%.0f")
	printf "| BPF ns/run of the sched_process_exit program | %s | not loaded | - |\n", fmt(m("cc-json", "bpf_ns_proc_exit"), "%.0f")
	for (t = 0; t < 2; t++) {
		h[t] = m(t ? "cc-json-nofd" : "cc-json", "hwm_kib")
		h[t] = h[t] == "" ? "" : h[t] / 1024
	}
	fd_row("peak RSS MiB", h[0], h[1], "%.1f")
	print "\nThe table lives in user space: the kernel runs the same system-call programs with or without it (their BPF time per run above), and adds one program on sched_process_exit and one on sched_process_exec, which run once per process exit or exec. Added ns per spawn is dominated by scheduling on a loaded machine; the BPF time per run is not."
}
# The statistics part: each tracer's BPF time per run against the empty program's at the same hook
# (sys_exit_openat) under the same workload (failing openat), its own work the difference.
function bpf_section(   i, t, a, o, f) {
	f = m("floor-tp", "bpf_ns_openat")
	if (f == "" && m("cc-table", "bpf_ns_run") == "")
		return
	print "\n### BPF time per run against the empty program (statistics part: failing openat, kernel.bpf_stats_enabled; medians)\n"
	print "| tracer | all its programs, ns/run | its sys_exit_openat program, ns/run | less the empty program's | x the empty program's |"
	print "|---|---|---|---|---|"
	split("cc-table cc-json cc-rej-pid cc-rej-host floor-tp", S, " ")
	for (i = 1; i in S; i++) {
		t = S[i]; a = m(t, "bpf_ns_run"); o = m(t, "bpf_ns_openat")
		if (a == "" && o == "")
			continue
		printf "| %s | %s | %s | %s | %s |\n", label[t], fmt(a, "%.0f"), fmt(o, "%.0f"),
			t == "floor-tp" ? "-" : fmt((o == "" || f == "") ? "" : o - f, "%+.0f"),
			t == "floor-tp" ? "-" : fmt(ratio(o, f), "%.2f")
	}
	print "\nThe empty program (return 0) runs at the same tracepoint for the same calls: its time per run is what the statistics measure around any program there (two clock reads, the program's call), so a tracer's own work per run is the difference. All its programs: every program the tracer attached, over every process's calls during the workload (closes of other processes included); its sys_exit_openat program: that one alone."
}
$3 != "" { k = $1 SUBSEP $2; val[k, ++cnt[k]] = $3 + 0 }
END {
	if (only == "fdtable") {
		fd_section()
		exit
	}
	split("none cc-table cc-json cc-json-nofd cc-jsonfile cc-rej-pid cc-rej-host opensnoop bpftrace orig floor-tp floor-rawtp cc-jsonfile-ring4 cc-jsonfile-omit", T, " ")
	label["none"] = "no tracer"
	label["cc-table"] = "copenclose (table > /dev/null)"
	label["cc-json"] = "copenclose -o json > /dev/null"
	label["cc-json-nofd"] = "copenclose -o json --no-fd-table > /dev/null"
	label["cc-jsonfile"] = "copenclose -o json > file"
	label["cc-rej-pid"] = "copenclose -p 1 (events rejected)"
	label["cc-rej-host"] = "copenclose -I (host events rejected)"
	label["opensnoop"] = "opensnoop (libbpf-tools)"
	label["bpftrace"] = "bpftrace one-liner"
	label["orig"] = "original approach (raw_syscalls + perf buffer)"
	label["floor-tp"] = "floor: empty program on sys_exit_openat"
	label["floor-rawtp"] = "floor: empty raw_tp program on sys_exit"
	label["cc-jsonfile-ring4"] = "copenclose -o json --ringbuf-size 4 > file"
	label["cc-jsonfile-omit"] = "copenclose -o json --omit-null > file"

	print "### Cost to the traced process (medians; added = traced - no tracer)\n"
	print "| tracer | failing openat ns | added ns/event | open+close ns | added ns/pair | getpid ns | added ns (untraced) | tracer CPU ns/event | BPF ns/run |"
	print "|---|---|---|---|---|---|---|---|---|"
	for (i = 1; i in T; i++) {
		t = T[i]
		if (m(t, "failopen") == "")
			continue
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label[t],
			fmt(m(t, "failopen"), "%.0f"), t == "none" ? "-" : fmt(added(t, "failopen"), "%+.0f"),
			fmt(m(t, "openclose"), "%.0f"), t == "none" ? "-" : fmt(added(t, "openclose"), "%+.0f"),
			fmt(m(t, "getpid"), "%.0f"), t == "none" ? "-" : fmt(added(t, "getpid"), "%+.1f"),
			t == "none" ? "-" : fmt(m(t, "cpu_ns_event"), "%.0f"), t == "none" ? "-" : fmt(m(t, "bpf_ns_run"), "%.0f")
	}
	print "\nopen+close is two events for copenclose and the original approach (open and close), one for opensnoop and bpftrace (openat only)."
	print "The floors are no tracer: an empty BPF program attached where a tracer would be, the least that attaching there costs."
	print "BPF ns/run: the time the tracer's programs ran, per run, from the kernel's BPF statistics over a failing-openat run (every process's calls included; the statistics add their own cost, see the empty program's figure): unlike the other columns, it does not depend on how busy the machine is."
	print "Tracer CPU ns/event: the tracer process's user + system time over the failing-openat runs, per call (clock-tick resolution)."
	bpf_section()
	print "\n### Steady " rate " events/s, bursts of " burst_n " events, memory (medians)\n"
	print "| tracer | CPU % of a core (user/sys) | wake-ups/s | peak RSS MiB | BPF maps MiB | burst 1 proc: events/s | lost | burst 2 procs: events/s | lost | burst CPU ns/event | output bytes/event |"
	print "|---|---|---|---|---|---|---|---|---|---|---|"
	for (i = 2; i in T; i++) {
		t = T[i]
		if (m(t, "rate_cpu_pct") == "" && m(t, "b1_eps") == "" && m(t, "hwm_kib") == "")
			continue
		hwm = m(t, "hwm_kib"); b = m(t, "b1_hwm_kib"); if (b > hwm) hwm = b
		b = m(t, "b2_hwm_kib"); if (b > hwm) hwm = b
		cpu = m(t, "rate_cpu_pct") == "" ? "n/a" : sprintf("%.2f (%.2f/%.2f)", m(t, "rate_cpu_pct"), m(t, "rate_usr_pct"), m(t, "rate_sys_pct"))
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label[t],
			cpu, fmt(m(t, "wakeups_s"), "%.0f"),
			fmt(hwm == "" ? "" : hwm / 1024, "%.1f"), fmt(m(t, "map_kib") == "" ? "" : m(t, "map_kib") / 1024, "%.2f"),
			fmt(m(t, "b1_eps"), "%.0f"), fmt(m(t, "b1_lost"), "%.0f"),
			fmt(m(t, "b2_eps"), "%.0f"), fmt(m(t, "b2_lost"), "%.0f"),
			fmt(m(t, "b1_cpu_ns_event"), "%.0f"), fmt(m(t, "b1_bytes_event"), "%.0f")
	}
	print "\nPeak RSS counts the ring buffer's pages as mapped by the tracer (copenclose maps its data area twice, as BPF ring buffers are); BPF maps: the locked memory of the maps the tracer holds (perf buffers' pages are not maps). Burst CPU ns/event and bytes/event are from the 1-process burst."
	print "\nBurst events/s: workload events the tracer wrote, over the time from the burst's start until the tracer was idle again; lost = generated - written."

	if (m("cc-close-top", "close_bpf_ns_run") != "") {
		print "\n### Counting in the kernel against streaming every event: close calls (medians)\n"
		print "| tracer | BPF ns/run | tracer CPU ns/call | sum ns/call |"
		print "|---|---|---|---|"
		label["cc-close-stream"] = "copenclose -o json -e close (every close streamed)"
		label["cc-close-metrics"] = "copenclose -o json -e close --metrics (streamed and tallied)"
		label["cc-close-top"] = "copenclose top -o json -e close (tallied in the kernel only)"
		split("cc-close-stream cc-close-metrics cc-close-top", C, " ")
		for (i = 1; i in C; i++) {
			b = m(C[i], "close_bpf_ns_run"); c = m(C[i], "close_cpu_ns_call")
			sum[C[i]] = (b == "" || c == "") ? "" : b + c
			printf "| %s | %s | %s | %s |\n", label[C[i]], fmt(b, "%.0f"), fmt(c, "%.0f"), fmt(sum[C[i]], "%.0f")
		}
		printf "\nCounting a close in the kernel costs %s of streaming it (BPF time plus the tracer's CPU).\n",
			fmt(ratio(sum["cc-close-top"], sum["cc-close-stream"]), "%.3f")
	}
	print "\n### Targets (ratios between tracers in this run)\n"
	print "| target | result | measured |"
	print "|---|---|---|"
	a = added("cc-table", "failopen"); o = added("opensnoop", "failopen"); r = ratio(a, o)
	check("added cost per traced event <= 0.025 x opensnoop's", r == "" ? "" : r <= 0.025,
		sprintf("%s (%s ns vs %s ns)", fmt(r, "%.3f"), fmt(a, "%.0f"), fmt(o, "%.0f")))
	f = added("floor-tp", "failopen"); r = ratio(a, f)
	check("added cost per traced event <= 5 x the empty program's on sys_exit_openat", r == "" ? "" : r <= 5,
		sprintf("%s (%s ns vs %s ns)", fmt(r, "%.2f"), fmt(a, "%.0f"), fmt(f, "%.0f")))
	b = m("cc-table", "bpf_ns_openat"); f = m("floor-tp", "bpf_ns_openat"); d = (b == "" || f == "") ? "" : b - f
	check("BPF time per run of the sys_exit_openat program, less the empty program's there, <= 150 ns", d == "" ? "" : d <= 150,
		sprintf("%s (%s ns - %s ns; all programs: %s ns)", fmt(d, "%.0f ns"), fmt(b, "%.0f"), fmt(f, "%.0f"), fmt(m("cc-table", "bpf_ns_run"), "%.0f")))
	a = added("cc-table", "getpid"); o = added("opensnoop", "getpid"); g = added("orig", "getpid")
	check("added cost per untraced call <= opensnoop's", (a == "" || o == "") ? "" : a <= o,
		sprintf("%s ns vs %s ns", fmt(a, "%.1f"), fmt(o, "%.1f")))
	r = ratio(a, g)
	check("added cost per untraced call <= 0.25 x original approach's", r == "" ? "" : r <= 0.25,
		sprintf("%s (%s ns vs %s ns)", fmt(r, "%.3f"), fmt(a, "%.1f"), fmt(g, "%.1f")))
	d = added("cc-table", "failopen")
	split("cc-rej-pid cc-rej-host", R, " ")
	for (i = 1; i in R; i++) {
		a = added(R[i], "failopen"); r = ratio(a, d)
		check("rejected event (" (R[i] == "cc-rej-pid" ? "-p of another pid" : "-I on host events") ") <= 0.35 x a delivered event's added cost",
			r == "" ? "" : r <= 0.35, sprintf("%s (%s ns vs %s ns)", fmt(r, "%.3f"), fmt(a, "%.0f"), fmt(d, "%.0f")))
	}
	for (j = 1; j <= 2; j++) {
		e = m("cc-jsonfile", "b" j "_eps"); l = m("cc-jsonfile", "b" j "_lost")
		check("burst of " burst_n " from " j " process(es), JSON to a file: 0 lost",
			l == "" ? "" : l == 0, sprintf("%s events/s, %s lost", fmt(e, "%.0f"), fmt(l, "%.0f")))
	}
	c = m("cc-table", "rate_cpu_pct")
	check("tracer CPU at " rate " events/s <= 3% of a core (table)", c == "" ? "" : c <= 3, fmt(c, "%.2f%%"))
	c = m("cc-jsonfile", "rate_cpu_pct")
	check("tracer CPU at " rate " events/s <= 4% of a core (JSON to a file)", c == "" ? "" : c <= 4, fmt(c, "%.2f%%"))
	a = m("cc-jsonfile", "b1_bytes_event"); o = m("cc-jsonfile-omit", "b1_bytes_event")
	c = m("cc-jsonfile-omit", "rate_cpu_pct")
	printf "| --omit-null: bytes per event beside the default's (burst, 1 process); CPU at %d events/s | %s | %s vs %s bytes (%s); %s%% of a core |\n",
		rate, (a == "" || o == "") ? "not measured" : "measured", fmt(o, "%.0f"), fmt(a, "%.0f"),
		fmt(ratio(o, a), "%.3f"), fmt(c, "%.2f")
	w = m("cc-table", "wakeups_s"); x = m("cc-jsonfile", "wakeups_s"); if (x > w) w = x
	check("at most 1000 wake-ups/s at " rate " events/s", w == "" ? "" : w <= 1000, fmt(w, "%.0f/s"))
	hwm = 0
	for (i = 2; i <= 7; i++)
		for (j = 0; j <= 2; j++) {
			b = m(T[i], j ? "b" j "_hwm_kib" : "hwm_kib")
			if (b != "" && b > hwm) hwm = b
		}
	check("peak RSS <= 32 MiB", hwm ? hwm <= 32 * 1024 : "", fmt(hwm ? hwm / 1024 : "", "%.1f MiB"))
	print ""
	fd_section()
	print "\n### What bounds the figures (same run)\n"
	d = added("cc-table", "failopen"); f = added("floor-tp", "failopen"); r = added("floor-rawtp", "failopen")
	printf "- An empty program on sys_exit_openat adds %s ns to a failing openat, %s of a delivered copenclose event's %s ns: no filter in such a program can reject an event for less.\n",
		fmt(f, "%.0f"), fmt(ratio(f, d), "%.3f"), fmt(d, "%.0f")
	printf "- An empty raw_tp program on sys_exit (every system call) adds %s ns to a failing openat.\n", fmt(r, "%.0f")
	f = added("floor-tp", "getpid"); r = added("floor-rawtp", "getpid")
	printf "- Untraced getpid: any program on a syscalls:* tracepoint adds %s ns (the kernel's syscall-tracepoint slow path, the same for copenclose and opensnoop); an empty raw_tp program on sys_exit adds %s ns.\n",
		fmt(f, "%.1f"), fmt(r, "%.1f")
	printf "- Noise: no-tracer samples ranged %s..%s ns (failing openat) and %s..%s ns (getpid) across rounds.\n",
		fmt(lo("none" SUBSEP "failopen"), "%.0f"), fmt(hi("none" SUBSEP "failopen"), "%.0f"),
		fmt(lo("none" SUBSEP "getpid"), "%.1f"), fmt(hi("none" SUBSEP "getpid"), "%.1f")
}
