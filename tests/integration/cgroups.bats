#!/usr/bin/env bats
# linux.resources and the cgroup lifecycle: limits read back from /sys/fs/cgroup and proven from
# inside the container, on whichever layout the machine has (v1/hybrid here, v2 in tests/vm).

load helpers
load cgroups-helpers

@test "a memory limit is written and a process that allocates past it is OOM-killed" {
        update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
        # dd's 64 MiB buffer is touched as it reads: twice the limit.
        set_cmd 'dd if=/dev/zero of=/dev/null bs=64M count=1; echo dd=$?'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        assert_output_contains "dd=137"
        assert_nothing_left "$CID"
}

@test "memory, swap, reservation and cpu values read back in the layout's own files" {
        update_config '.linux.resources.memory = {"limit": 67108864, "swap": 100663296, "reservation": 33554432}
                | .linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}'
        set_cmd 'sleep 100'
        run_detached
        if cg_v2; then
                assert_cg "$(cg_dir memory)/memory.max" 67108864
                # swap is memory+swap in the spec; v2 counts swap alone.
                assert_cg "$(cg_dir memory)/memory.swap.max" 33554432
                assert_cg "$(cg_dir memory)/memory.low" 33554432
                # runc's mapping of shares 512 onto cpu.weight.
                assert_cg "$(cg_dir cpu)/cpu.weight" 20
                assert_cg "$(cg_dir cpu)/cpu.max" "50000 100000"
        else
                assert_cg "$(cg_dir memory)/memory.limit_in_bytes" 67108864
                assert_cg "$(cg_dir memory)/memory.memsw.limit_in_bytes" 100663296
                assert_cg "$(cg_dir memory)/memory.soft_limit_in_bytes" 33554432
                assert_cg "$(cg_dir cpu)/cpu.shares" 512
                assert_cg "$(cg_dir cpu)/cpu.cfs_quota_us" 50000
                assert_cg "$(cg_dir cpu)/cpu.cfs_period_us" 100000
        fi
        # The init is in the cgroup.
        grep -qx "$(pid_of "$CID")" "$(cg_dir memory)/cgroup.procs"
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}

@test "pids.limit stops a fork loop inside the container" {
        update_config '.linux.resources.pids = {"limit": 10}'
        set_cmd '(for i in $(seq 30); do sleep 100 & echo $i >/tmp/forks; done) 2>/dev/null; kill -9 -1; echo forks=$(cat /tmp/forks)'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        forks=$(echo "$output" | sed -n 's/^forks=//p')
        [ -n "$forks" ] && [ "$forks" -lt 10 ]
        assert_nothing_left "$CID"
}

@test "pids.max reads back, and -1 is max" {
        update_config '.linux.resources.pids = {"limit": 42}'
        set_cmd 'sleep 100'
        run_detached
        assert_cg "$(cg_dir pids)/pids.max" 42
        skiff update --pids-limit -1 "$CID"
        assert_cg "$(cg_dir pids)/pids.max" max
}

@test "cpuset.cpus pins the container to one core" {
        update_config '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
        set_cmd 'grep Cpus_allowed_list /proc/self/status'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | awk '{print $2}')" = 0 ]
}

@test "cpuset.cpus reads back while the container runs" {
        update_config '.linux.resources.cpu = {"cpus": "0"}'
        set_cmd 'sleep 100'
        run_detached
        assert_cg "$(cg_dir cpuset)/cpuset.cpus" 0
}

@test "a device rule makes /dev/null unreadable but still writable" {
        update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
                {"allow": false, "type": "c", "major": 1, "minor": 3, "access": "r"}]'
        set_cmd 'cat /dev/null; echo read=$?; echo x >/dev/null; echo write=$?; head -c1 /dev/zero >/dev/null; echo zero=$?'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        assert_output_contains "read=1"
        assert_output_contains "write=0"
        assert_output_contains "zero=0"
        assert_output_contains "Operation not permitted"
}

@test "devices not granted stay closed: a deny-all keeps only the default devices" {
        # /dev/loop-control (10:237) is not a default device: mknod works (m), opening does not.
        update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
        set_cmd 'mknod /tmp/lc c 10 237 && cat /tmp/lc; echo open=$?'
        run skiff run --bundle "$BUNDLE" "$CID"
        assert_output_contains "open=1"
        assert_output_contains "Operation not permitted"
}

@test "pause freezes every process and resume thaws them" {
        set_cmd 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
        run_detached
        wait_rootfs_file tmp/count
        pid=$(pid_of "$CID")
        skiff pause "$CID"
        [ "$(status_of "$CID")" = paused ]
        if cg_v2; then
                grep -qx "frozen 1" "$(cg_dir freezer)/cgroup.events"
        else
                assert_cg "$(cg_dir freezer)/freezer.state" FROZEN
                grep -q '^State:.*D' /proc/$pid/status
        fi
        before=$(read_count)
        sleep 0.5
        [ "$(read_count)" = "$before" ]
        # Pausing twice is refused as runc does.
        run skiff pause "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "not running"
        skiff resume "$CID"
        [ "$(status_of "$CID")" = running ]
        sleep 0.5
        [ "$(read_count)" -gt "$before" ]
        run skiff resume "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "not paused"
}

@test "a paused container is killed and removed by delete --force" {
        set_cmd 'sleep 100'
        run_detached
        skiff pause "$CID"
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}

@test "update changes memory, cpu and pids limits, from flags and from -r FILE" {
        update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
        set_cmd 'sleep 100'
        run_detached
        skiff update --memory 128m --memory-swap 256m --cpu-quota 20000 --cpu-period 100000 --pids-limit 60 "$CID"
        if cg_v2; then
                assert_cg "$(cg_dir memory)/memory.max" 134217728
                assert_cg "$(cg_dir memory)/memory.swap.max" 134217728
                assert_cg "$(cg_dir cpu)/cpu.max" "20000 100000"
        else
                assert_cg "$(cg_dir memory)/memory.limit_in_bytes" 134217728
                assert_cg "$(cg_dir memory)/memory.memsw.limit_in_bytes" 268435456
                assert_cg "$(cg_dir cpu)/cpu.cfs_quota_us" 20000
        fi
        assert_cg "$(cg_dir pids)/pids.max" 60
        echo '{"pids": {"limit": 70}, "cpu": {"cpus": "0"}}' >"$BATS_TEST_TMPDIR/res.json"
        skiff update -r "$BATS_TEST_TMPDIR/res.json" "$CID"
        assert_cg "$(cg_dir pids)/pids.max" 70
        assert_cg "$(cg_dir cpuset)/cpuset.cpus" 0
        # Bad values are refused, naming what is wrong, and change nothing.
        run skiff update --pids-limit -7 "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "pids.limit"
        run skiff update --memory lots "$CID"
        [ "$status" -eq 2 ]
        assert_cg "$(cg_dir pids)/pids.max" 70
}

@test "update of a stopped container is refused" {
        set_cmd 'true'
        run skiff run --bundle "$BUNDLE" "$CID"
        run skiff update --pids-limit 5 "$CID"
        [ "$status" -ne 0 ]
}

@test "ps lists the container's processes, with ps options and as JSON" {
        set_cmd 'sleep 100 & exec sleep 200'
        run_detached
        pid=$(pid_of "$CID")
        for i in $(seq 50); do [ "$(skiff ps --format json "$CID" | jq length)" -ge 2 ] && break; sleep 0.05; done
        run skiff ps --format json "$CID"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq length)" -eq 2 ]
        echo "$output" | jq -e --argjson p "$pid" 'index($p) != null'
        run skiff ps "$CID"
        [ "$status" -eq 0 ]
        [ "${lines[0]%%PID*}" != "${lines[0]}" ]
        [ "${#lines[@]}" -eq 3 ]
        assert_output_contains "sleep 200"
        run skiff ps "$CID" -o pid,args
        [ "$status" -eq 0 ]
        assert_output_contains "sleep 100"
        [ "$(echo "$output" | grep -c sleep)" -eq 2 ]
}

@test "events --stats prints one JSON snapshot; events streams until the container stops" {
        update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 30}'
        set_cmd 'sleep 100'
        run_detached
        run skiff events --stats "$CID"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .type)" = stats ]
        [ "$(echo "$output" | jq -r .id)" = "$CID" ]
        [ "$(echo "$output" | jq .data.memory.usage.limit)" -eq 67108864 ]
        [ "$(echo "$output" | jq .data.memory.usage.usage)" -gt 0 ]
        [ "$(echo "$output" | jq .data.pids.current)" -ge 1 ]
        [ "$(echo "$output" | jq .data.pids.limit)" -eq 30 ]
        [ "$(echo "$output" | jq .data.cpu.usage.total)" -gt 0 ]
        # The stream ends by itself when the container stops.
        timeout 60 "$SKIFF" --root "$ROOT" events --interval 100ms "$CID" >"$BATS_TEST_TMPDIR/events" 2>&1 3>&- &
        events=$!
        for i in $(seq 200); do [ "$(wc -l <"$BATS_TEST_TMPDIR/events")" -ge 2 ] && break; sleep 0.1; done
        skiff kill "$CID" KILL
        wait "$events"
        [ "$(wc -l <"$BATS_TEST_TMPDIR/events")" -ge 2 ]
        [ "$(head -n1 "$BATS_TEST_TMPDIR/events" | jq -r .type)" = stats ]
}

@test "events reports an OOM kill" {
        update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
        set_cmd 'sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 2'
        run_detached
        run timeout 20 "$SKIFF" --root "$ROOT" events --interval 200ms "$CID"
        [ "$status" -eq 0 ]
        assert_output_contains '"type":"oom"'
}

@test "hugepage limits are written where the layout keeps hugetlb" {
        update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
        set_cmd 'sleep 100'
        parent=$(dirname "$(cg_dir hugetlb)")
        if [ -d "$parent" ] && ! cg_skiff_made "$parent" && ! grep -qw hugetlb "$parent/cgroup.subtree_control" 2>/dev/null &&
                [ "$(dirname "$parent")" != /sys/fs/cgroup/hugetlb ]; then
                # A parent skiff did not make (left by an older run) is not skiff's to enable hugetlb in.
                run skiff create --bundle "$BUNDLE" "$CID"
                assert_refused "hugetlb controller is not enabled in $parent/cgroup.subtree_control"
                return
        fi
        run_detached
        if cg_v2 || [ ! -d /sys/fs/cgroup/hugetlb ]; then
                assert_cg "$(cg_dir hugetlb)/hugetlb.2MB.max" 4194304
        else
                assert_cg "$(cg_dir hugetlb)/hugetlb.2MB.limit_in_bytes" 4194304
        fi
}

# assert_entered TRACE PID: in strace -y's TRACE, PID entered every v1 hierarchy by writing "0" to
# its tasks, and was cloned into the cgroup2 part (CLONE_INTO_CGROUP): no pid was written anywhere,
# the move that waits for an RCU grace period (cgroup.h).
assert_entered() {
        local trace=$1 pid=$2 mnt
        for mnt in $(findmnt -rn -t cgroup -o TARGET); do
                grep -q "^$pid write([0-9]*<$mnt/skiff-test/$CID/tasks>, \"0\", 1)" "$trace" ||
                        { echo "$pid did not write 0 to $mnt/skiff-test/$CID/tasks" >&2; return 1; }
        done
        if grep "cgroup.procs>" "$trace" >&2; then
                echo "a pid was written to a cgroup.procs" >&2
                return 1
        fi
        if findmnt -rn -t cgroup2 >/dev/null; then
                grep -q "clone3({flags=[^}]*CLONE_INTO_CGROUP[^}]*cgroup=[0-9]*}, 88) = $pid\$" "$trace" ||
                        { echo "$pid was not cloned into its cgroup2 directory" >&2; return 1; }
        fi
}

# strace_ff OUT COMMAND...: the writes and clone3 calls of COMMAND and its children, one file per
# process (no call split by another's), then merged into OUT with each line led by its pid.
# (LeakSanitizer cannot run under ptrace.)
strace_ff() {
        local out=$1 f
        shift
        ASAN_OPTIONS=detect_leaks=0 strace -ff -qq -y -e trace=write,clone3 -o "$out.pid" "$@" || return
        for f in "$out".pid.*; do
                sed "s/^/${f##*.} /" "$f"
        done >"$out"
}

@test "the init and an exec'd process are cloned into cgroup2 and enter v1 themselves (0 to tasks)" {
        set_cmd 'sleep 100'
        strace_ff "$BATS_TEST_TMPDIR/create.trace" "$SKIFF" --root "$ROOT" create --bundle "$BUNDLE" "$CID" \
                </dev/null >/dev/null 2>&1 &
        wait_status "$CID" created
        pid=$(pid_of "$CID")
        # The directory it was cloned into is the container's.
        ! findmnt -rn -t cgroup2 >/dev/null || grep -qx "0::/skiff-test/$CID" /proc/$pid/cgroup || false
        strace_ff "$BATS_TEST_TMPDIR/exec.trace" "$SKIFF" --root "$ROOT" exec "$CID" true
        skiff delete --force "$CID"
        wait
        assert_entered "$BATS_TEST_TMPDIR/create.trace" "$pid"
        # The joining process: the one exec cloned into cgroup2, or (pure v1) the one that wrote "0".
        joiner=$(sed -nE 's/^[0-9]+ clone3\(.* = ([0-9]+)$/\1/p
                s/^([0-9]+) write\([0-9]+<[^>]*\/tasks>, "0".*/\1/p' "$BATS_TEST_TMPDIR/exec.trace" | head -1)
        [ -n "$joiner" ]
        assert_entered "$BATS_TEST_TMPDIR/exec.trace" "$joiner"
}

@test "without clone3 (a kernel before 5.3), the init and an exec'd process are moved in by pid" {
        set_cmd 'sleep 100'
        ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=clone3 -e inject=clone3:error=ENOSYS -o /dev/null \
                "$SKIFF" --root "$ROOT" create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 &
        wait_status "$CID" created
        pid=$(pid_of "$CID")
        for mnt in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
                grep -qx "$pid" "$mnt/skiff-test/$CID/cgroup.procs"
        done
        run bash -c "ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=clone3 -e inject=clone3:error=ENOSYS \
                -o /dev/null '$SKIFF' --root '$ROOT' exec '$CID' cat /proc/self/cgroup"
        echo "$output"
        [ "$status" -eq 0 ]
        # In the container's cgroup namespace its cgroup is "/"; any other is "/.." something.
        ! findmnt -rn -t cgroup2 >/dev/null || printf '%s\n' "$output" | grep -qxE "0::/(skiff-test/$CID)?" || false
        skiff delete --force "$CID"
        wait
}

@test "the cgroup goes away when the container is deleted, stragglers killed first" {
        # Without a pid namespace a background process outlives the init.
        update_config '.linux.namespaces |= map(select(.type != "pid"))'
        set_cmd 'sleep 1000 & echo $! >/tmp/bg; exec sleep 1000'
        run_detached
        wait_rootfs_file tmp/bg
        bg=$(cat "$BUNDLE/rootfs/tmp/bg")
        kill -0 "$bg"
        [ -d "$(cg_dir pids)" ]
        skiff delete --force "$CID"
        for i in $(seq 50); do kill -0 "$bg" 2>/dev/null || break; sleep 0.05; done
        ! kill -0 "$bg" 2>/dev/null || false
        assert_nothing_left "$CID"
}

@test "an empty cgroupsPath means /skiff/ID; a relative one goes below /skiff too" {
        update_config '.linux.cgroupsPath = ""'
        set_cmd 'sleep 100'
        run_detached
        [ -d "$(cg_dir pids | sed "s|/skiff-test/$CID|/skiff/$CID|")" ]
        skiff delete --force "$CID"
        [ ! -e "$(cg_dir pids | sed "s|/skiff-test/$CID|/skiff/$CID|")" ]
        update_config --arg p "rel-$CID/../../x-$CID" '.linux.cgroupsPath = $p'
        run_detached
        # ".." never climbs out of the skiff parent.
        [ -d "$(cg_dir pids | sed "s|/skiff-test/$CID|/skiff/x-$CID|")" ]
        skiff delete --force "$CID"
        [ ! -e "$(cg_dir pids | sed "s|/skiff-test/$CID|/skiff/x-$CID|")" ]
}

@test "a cgroupsPath that exists frozen is refused and left as it was" {
        dir=$(cg_dir freezer)
        mkdir -p "$dir"
        if cg_v2; then echo 1 >"$dir/cgroup.freeze"; else echo FROZEN >"$dir/freezer.state"; fi
        set_cmd 'true'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "frozen"
        assert_output_contains "linux.cgroupsPath"
        [ ! -e "$ROOT/$CID" ]
        # Not skiff's: still there, still frozen.
        [ -d "$dir" ]
        if cg_v2; then assert_cg "$dir/cgroup.freeze" 1; echo 0 >"$dir/cgroup.freeze"; else assert_cg "$dir/freezer.state" FROZEN; echo THAWED >"$dir/freezer.state"; fi
        rmdir "$dir"
}

@test "a cgroupsPath that already holds processes gets a warning, is joined, and is not removed" {
        sleep 300 >/dev/null 2>&1 3>&- &
        other=$!
        for ctrl in pids memory freezer cpu; do
                d=$(cg_dir $ctrl)
                mkdir -p "$d"
                echo "$other" >"$d/cgroup.procs"
                cg_v2 && break
        done
        set_cmd 'sleep 100'
        run_detached
        output=$(cat "$BATS_TEST_TMPDIR/$CID.err")
        assert_output_contains "warning"
        assert_output_contains "already holds processes"
        grep -qx "$(pid_of "$CID")" "$(cg_dir pids)/cgroup.procs"
        # As in runc, what shares the cgroup shares the container's end: delete --force kills it.
        skiff delete --force "$CID"
        wait "$other" || true
        # The cgroup that was there before is not skiff's to remove.
        [ -d "$(cg_dir pids)" ]
        for ctrl in pids memory freezer cpu; do
                d=$(cg_dir $ctrl)
                for i in $(seq 50); do rmdir "$d" 2>/dev/null && break; sleep 0.05; done
                cg_v2 && break
        done
        [ ! -e "$(cg_dir pids)" ]
}
