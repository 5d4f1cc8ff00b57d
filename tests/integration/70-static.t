#!/usr/bin/env bash
# make static: build/static/copenclose is one statically linked file that needs no library at run
# time, and it traces a runc container's standard workload exactly as the dynamic build does.
CC_BIN=${CC_STATIC_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/static/copenclose}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
tap_plan 7

tap_is "$(file -b "$CC_BIN" | grep -o 'statically linked')" "statically linked" \
	"file(1) says $CC_BIN is statically linked"
tap_is "$(objdump -p "$CC_BIN" | awk '$1 == "NEEDED"' | wc -l)" 0 \
	"it needs no shared library (no NEEDED entry)"
tap_is "$("$CC_BIN" --version)" "copenclose $(cat "$CC_ROOT/VERSION")" "--version"

name=$(cc_name) port=$(cc_port)
# shellcheck disable=SC2046
cc_runc_start "$name" $(cc_std_steps "$port")
tap_ok $? "a runc container with the standard workload is ready"
cc_tracer_start static -o json -n workload
started=$?
cc_run_traced "$name"
[ "$started" -eq 0 ] && [ "$CC_TRACER_RC" -eq 0 ]
tap_ok $? "the static tracer printed Tracing, and ended with status $CC_TRACER_RC (want 0)"
tap_is "$(cc_json_summary "$CC_WORK/static.out" ".container_id == \"$name\"")" \
	"$(cc_std_expected)" "exactly the workload's events, counted by system call and result"
tap_is "$(jq -c "select(.container_id == \"$name\") | [.container_runtime, .cgroup, .host]" \
	"$CC_WORK/static.out" | sort -u)" "[\"runc\",\"/$name\",false]" \
	"every one named: runtime runc, cgroup /$name, not the host"
