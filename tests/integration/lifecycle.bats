#!/usr/bin/env bats
# The OCI lifecycle: create, start, state, kill, delete, run, and their errors.

load helpers

@test "run prints the workload's output and exits with its code" {
        set_cmd 'echo hello from $(hostname); exit 7'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 7 ]
        [ "$output" = "hello from skiff" ]
        assert_nothing_left "$CID"
}

@test "create leaves the init blocked before exec; start makes it exec" {
        set_cmd 'echo started; sleep 100'
        create_detached
        [ "$(status_of "$CID")" = created ]
        pid=$(pid_of "$CID")
        [ "$pid" -gt 0 ]
        # The user program has not run yet.
        [ ! -s "$BATS_TEST_TMPDIR/$CID.out" ]
        [ "$(readlink /proc/$pid/exe)" != "$(readlink -f "$BUNDLE/rootfs/bin/busybox")" ]
        skiff start "$CID"
        [ "$(status_of "$CID")" = running ]
        for i in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/$CID.out" ] && break; sleep 0.05; done
        [ "$(cat "$BATS_TEST_TMPDIR/$CID.out")" = started ]
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "start: a workload that exits at once is its exit, not a failed start" {
        # strace makes start's first wait for the init's byte time out 0.3 s late, by when the init
        # has written it and the workload has exited: start must still take the byte.
        # (LeakSanitizer cannot run under ptrace.)
        set_cmd 'exit 3'
        run bash -c "ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null -e trace=poll \\
                -e inject=poll:retval=0:delay_exit=300000:when=1 '$SKIFF' --root '$ROOT' run --bundle '$BUNDLE' '$CID'"
        echo "$output"
        [ "$status" -eq 3 ]
        [ -z "$output" ]
        assert_nothing_left "$CID"
}

@test "state prints the OCI fields" {
        set_cmd 'sleep 100'
        update_config '.annotations = {"org.example.key": "value"}'
        create_detached
        run skiff state "$CID"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .ociVersion)" != null ]
        [ "$(echo "$output" | jq -r .id)" = "$CID" ]
        [ "$(echo "$output" | jq -r .status)" = created ]
        [ "$(echo "$output" | jq -r .bundle)" = "$BUNDLE" ]
        [ "$(echo "$output" | jq -r '.annotations["org.example.key"]')" = value ]
        [ "$(echo "$output" | jq -r .pid)" -gt 1 ]
}

@test "create makes the cgroup beside the init, on another CPU, and leaves every CPU to the workload and to run" {
        # While the init makes its namespaces, it runs on create's other CPUs (src/lib/cpu-apart.h):
        # it must take back every CPU create had, and run must never lose one.
        want=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
        set_cmd 'sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status; sleep 100'
        "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
        run_pid=$!
        wait_status "$CID" running
        for i in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/out" ] && break; sleep 0.05; done
        echo "want $want, workload: $(cat "$BATS_TEST_TMPDIR/out")"
        [ "$(cat "$BATS_TEST_TMPDIR/out")" = "$want" ]
        [ "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$run_pid/status")" = "$want" ]
        skiff kill "$CID" KILL
        wait "$run_pid" || true
        assert_nothing_left "$CID"
}

# The first sched_setaffinity of the shim-to-be and of the init in strace's trace $1 binds each to
# every CPU but the one create bound itself to.
check_sent_aside() {
        local create here others shim init pid first
        create=$(head -1 "$1" | cut -d' ' -f1)
        # create stays on its CPU: its first call binds it there; the others are every other CPU.
        here=$(sed -En "s/^$create +sched_setaffinity\(0, [0-9]+, \[([0-9]+)\]\) += 0$/\1/p" "$1" | head -1)
        [ -n "$here" ]
        others=$(seq 0 $(($(nproc) - 1)) | grep -vx "$here" | paste -sd' ')
        shim=$(jq -r .shimPid "$ROOT/$CID/state.json")
        init=$(skiff state "$CID" | jq -r .pid)
        # Seen from the host, the init is the shim-to-be's child: strace names it by its host pid.
        for pid in "$shim" "$init"; do
                first=$(grep "^$pid " "$1" | head -1)
                echo "$pid: $first"
                echo "$first" | grep -Eq "^$pid +sched_setaffinity\(0, [0-9]+, \[$others\]"
        done
}

@test "the shim-to-be and the init bind themselves to create's other CPUs before anything else" {
        # The scheduler may run a new child before its parent: it must not then hold create's CPU
        # (src/lib/cpu-apart.h). With one CPU there is nowhere to go, and no process asks. (LeakSanitizer
        # cannot run under ptrace.)
        set_cmd 'sleep 100'
        # Each process is let go at its exec: skiff-shim at once, the init when started.
        ASAN_OPTIONS=detect_leaks=0 strace -f -qq -b execve -e signal=none -e trace=sched_setaffinity \
                -o "$BATS_TEST_TMPDIR/trace" "$SKIFF" --root "$ROOT" create --bundle "$BUNDLE" "$CID" \
                </dev/null >/dev/null 2>&1 &
        tracer=$!
        wait_status "$CID" created
        skiff start "$CID"
        wait "$tracer"
        cat "$BATS_TEST_TMPDIR/trace"
        if [ "$(nproc)" -eq 1 ]; then
                ! grep -q sched_setaffinity "$BATS_TEST_TMPDIR/trace" || false
        else
                check_sent_aside "$BATS_TEST_TMPDIR/trace"
        fi
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}

@test "create sends the shim-to-be to another CPU too, and skiff-shim and the workload take back every CPU" {
        want=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
        set_cmd 'sleep 100'
        skiff create --bundle "$BUNDLE" "$CID"
        shim=$(jq -r .shimPid "$ROOT/$CID/state.json")
        pid=$(skiff state "$CID" | jq -r .pid)
        echo "want $want, shim $shim, init $pid"
        [ "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$shim/status")" = "$want" ]
        skiff start "$CID"
        [ "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$pid/status")" = "$want" ]
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
        skiff delete "$CID"
        assert_nothing_left "$CID"
}
