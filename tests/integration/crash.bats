#!/usr/bin/env bats
# Crash safety (DESIGN §4): kill -9 skiff at each step of create, or the shim while its container
# runs. Afterwards `state` tells the truth, and `delete --force` or `skiff gc` leaves nothing behind.
# SKIFF_TEST_CRASH_AT=POINT makes skiff SIGKILL itself at POINT (src/lib/recover.h).

load helpers

POINTS="after-clone after-cgroup after-mounts before-state-write after-state-write"

# No process of ours may survive: the workload names the container's id on its command line.
assert_no_process() {
        ! pgrep -f -- "sleep 1000 $1" >&2 || false
}

# A mount of this test's bundle on the host would be a leak.
assert_no_mount() {
        ! grep -q -- "$BUNDLE" /proc/self/mountinfo || false
}

# Each container of a test gets its own cgroup, named after its id. COMMAND is create (the
# default) or run, which in the foreground is its init's parent and shim itself.
crash_create() { # crash_create POINT ID [COMMAND]
        local point=$1 id=$2 command=${3:-create}
        update_config --arg cg "/skiff-test/$id" '.linux.cgroupsPath = $cg'
        # Not under bats' `run`: an init that outlives its create holds the create's stdout until
        # it is repaired, and `run` would wait for that pipe to close.
        local rc=0
        SKIFF_TEST_CRASH_AT="$point" "$SKIFF" --root "$ROOT" "$command" --bundle "$BUNDLE" "$id" \
                </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>&1 || rc=$?
        [ "$rc" -eq 137 ]
}

@test "create (and a foreground run) killed at each step: state tells the truth, delete --force leaves nothing" {
        # The workload names the id, so that a leaked init is found by assert_no_process.
        for point in $POINTS; do
                for command in create run; do
                        id="$CID-$command-$point"
                        update_config --arg id "$id" '.process.args = ["sleep", "1000", $id]'
                        crash_create "$point" "$id" "$command"
                        # Never "creating" for good, never "created": this container can not be started.
                        [ "$(status_of "$id")" = stopped ]
                        run skiff start "$id"
                        [ "$status" -ne 0 ]
                        skiff delete --force "$id"
                        assert_nothing_left "$id"
                        assert_no_process "$id"
                        assert_no_mount
                done
        done
}

@test "create killed at each step: skiff gc removes every one of them and touches nothing else" {
        update_config '.process.args = ["sleep", "1000"]'
        for point in $POINTS; do
                crash_create "$point" "$CID-$point"
        done
        # A healthy container beside them stays.
        update_config --arg cg "/skiff-test/$CID-ok" '.linux.cgroupsPath = $cg'
        run_detached "$CID-ok"
        run skiff gc
        [ "$status" -eq 0 ]
        for point in $POINTS; do
                assert_output_contains "$CID-$point"
                assert_nothing_left "$CID-$point"
        done
        [ "$(status_of "$CID-ok")" = running ]
        run skiff list -q
        [ "$output" = "$CID-ok" ]
        skiff delete --force "$CID-ok"
        assert_nothing_left "$CID-ok"
        assert_no_mount
}

@test "gc removes a state dir that a create killed before its first write left" {
        mkdir -p "$ROOT/$CID-bare"
        : >"$ROOT/$CID-bare/lock"
        mkdir -p "$ROOT/$CID-empty"
        run skiff gc
        [ "$status" -eq 0 ]
        [ ! -e "$ROOT/$CID-bare" ]
        [ ! -e "$ROOT/$CID-empty" ]
}

@test "gc leaves a container alone while another command holds its lock" {
        update_config '.process.args = ["sleep", "1000"]'
        crash_create after-mounts "$CID"
        flock "$ROOT/$CID/lock" sleep 2 &
        holder=$!
        sleep 0.3
        run skiff gc
        [ "$status" -eq 0 ]
        [ -d "$ROOT/$CID" ]
        wait "$holder"
        skiff gc
        assert_nothing_left "$CID"
}

@test "shim killed while the container runs: it keeps running; once it exits, any command repairs it" {
        set_cmd 'sleep 1000'
        run_detached
        pid=$(pid_of "$CID")
        kill -9 "$(jq -r .shimPid "$ROOT/$CID/state.json")"
        sleep 0.2
        # The workload does not depend on its shim.
        [ "$(status_of "$CID")" = running ]
        kill -0 "$pid"
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
        # Nobody saw the exit: state says so, and the repair has released the cgroup.
        run skiff state "$CID"
        [ "$(echo "$output" | jq -r '."skiff.exit".unknown')" != null ]
        for d in /sys/fs/cgroup/*/skiff-test/"$CID"; do [ ! -e "$d" ]; done
        run skiff wait "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "unknown"
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "shim killed, then delete --force: nothing left" {
        set_cmd 'sleep 1000'
        run_detached
        pid=$(pid_of "$CID")
        kill -9 "$(jq -r .shimPid "$ROOT/$CID/state.json")"
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
        ! kill -0 "$pid" 2>/dev/null || [ "$(awk '{ print $3 }' /proc/$pid/stat)" = Z ] || false
}

@test "a recycled pid is never taken for the container's init" {
        set_cmd 'sleep 1000'
        run_detached
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
        # Make the record point at a live process that is not ours (same pid number case: the
        # start time differs).
        sleep 1000 &
        other=$!
        jq --argjson p "$other" '.pid = $p' "$ROOT/$CID/state.json" >"$ROOT/$CID/s" && mv "$ROOT/$CID/s" "$ROOT/$CID/state.json"
        rm -f "$ROOT/$CID/exit.json"
        [ "$(status_of "$CID")" = stopped ]
        run skiff kill "$CID" KILL
        [ "$status" -ne 0 ]
        skiff delete --force "$CID"
        kill -0 "$other"
        kill "$other"
        assert_nothing_left "$CID"
}

@test "concurrent start, kill and delete on one id never corrupt its state" {
        set_cmd 'sleep 1000'
        for round in 1 2 3; do
                create_detached
                skiff start "$CID" 2>/dev/null &
                skiff kill "$CID" KILL 2>/dev/null &
                skiff delete --force "$CID" 2>/dev/null &
                skiff state "$CID" >/dev/null 2>&1 &
                skiff delete --force "$CID" 2>/dev/null &
                wait || true
                # Whatever won, what is left is either nothing or a readable, truthful state.
                if [ -e "$ROOT/$CID" ]; then
                        jq . "$ROOT/$CID/state.json" >/dev/null
                        skiff delete --force "$CID"
                fi
                assert_nothing_left "$CID"
        done
}
