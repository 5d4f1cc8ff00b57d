#!/usr/bin/env bash
# -G on a parent cgroup keeps the events of a runc container started under it after the tracer,
# and drops those of a container started beside it.
. "$(dirname "$0")/lib.sh"
cc_begin 4 runc

parent=ccparent$$
inner=ccin$$ outer=ccout$$
mkdir "$CC_V2/$parent"
# runc makes the parent in each v1 hierarchy of a hybrid host too, and leaves it there
cc_defer 'for h in "$CC_V2" /sys/fs/cgroup/*; do rmdir "$h/$parent/$inner" "$h/$parent"; done 2>/dev/null'
cc_tracer_start g -o json -G "/$parent"
# both made after the tracer attached; only the first is below the parent
cc_runc_start --cgroup "/$parent/$inner" "$inner" exec /bin/flood -n 30 -p /nonexistent/cc-parent
cc_runc_start "$outer" exec /bin/flood -n 40 -p /nonexistent/cc-parent
cc_container_go "$inner"
cc_container_go "$outer"
cc_container_wait "$inner"
cc_container_wait "$outer"
sleep 0.3
cc_tracer_stop
n=$(grep -c '/nonexistent/cc-parent' "$CC_WORK/g.out")
named=$(grep '/nonexistent/cc-parent' "$CC_WORK/g.out" | grep -c "\"cgroup\":\"/$parent/$inner\",.*\"hostname\":\"$inner\"")
tap_check "exactly the 30 opens of the container under /$parent (got $n)" [ "$n" -eq 30 ]
tap_check "each with its cgroup /$parent/$inner and hostname $inner (got $named)" [ "$named" -eq 30 ]
tap_check "nothing of the container beside it" [ "$(grep -c "\"hostname\":\"$outer\"" "$CC_WORK/g.out")" -eq 0 ]
tap_check "nothing from outside the parent at all" [ "$(grep -vc "\"cgroup\":\"/$parent/" "$CC_WORK/g.out")" -eq 0 ]
