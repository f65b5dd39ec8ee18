#!/usr/bin/env bats
# Every command with runc's flags: create, start, state, kill, delete, run, list, spec, features,
# --version, --help, and the global --root, --log, --log-format and --debug.

load helpers

@test "create --pid-file writes the init's pid; the OCI lifecycle runs created → running → stopped" {
        set_cmd 'sleep 100'
        create_detached "$CID" --pid-file "$BATS_TEST_TMPDIR/pid"
        [ "$(status_of "$CID")" = created ]
        [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(pid_of "$CID")" ]
        skiff start "$CID"
        [ "$(status_of "$CID")" = running ]
        # The init is the workload now: sleep, in the container's own pid namespace as pid 1.
        pid=$(pid_of "$CID")
        [ "$(cat /proc/$pid/comm)" = sleep ]
        [ "$(awk '/^NSpid/ { print $NF }' /proc/$pid/status)" = 1 ]
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
        run skiff state "$CID"
        [ "$(echo "$output" | jq -r .pid)" = 0 ]
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "state gives the time of the create in RFC 3339, in UTC" {
        set_cmd 'sleep 100'
        before=$(date -u +%s)
        create_detached
        after=$(date -u +%s)
        created=$(skiff state "$CID" | jq -r .created)
        [[ "$created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$ ]]
        at=$(date -u -d "$created" +%s)
        [ "$at" -ge "$before" ] && [ "$at" -le "$after" ]
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}

@test "create --bundle resolves a relative bundle; state names the absolute one" {
        set_cmd 'sleep 100'
        cd "$BATS_TEST_TMPDIR"
        skiff create --bundle bundle "$CID" </dev/null >/dev/null 2>&1
        [ "$(skiff state "$CID" | jq -r .bundle)" = "$BUNDLE" ]
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}

@test "create --no-pivot runs the container with MS_MOVE + chroot" {
        set_cmd 'cat /etc/passwd | head -1; ls /'
        create_detached "$CID" --no-pivot
        skiff start "$CID"
        wait_status "$CID" stopped
        grep -q '^root:x:0:0' "$BATS_TEST_TMPDIR/$CID.out"
        grep -qx proc "$BATS_TEST_TMPDIR/$CID.out"
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "create --preserve-fds passes fd 3 to the workload and no more" {
        set_cmd 'cat <&3; readlink /proc/self/fd/4 || echo no fd 4'
        in="$BATS_TEST_TMPDIR/in"
        echo "through fd 3" >"$in"
        create_detached "$CID" --preserve-fds 1 3<"$in" 4<"$in"
        skiff start "$CID"
        wait_status "$CID" stopped
        run cat "$BATS_TEST_TMPDIR/$CID.out"
        [ "${lines[0]}" = "through fd 3" ]
        [ "${lines[1]}" = "no fd 4" ]
        skiff delete "$CID"
}

@test "kill takes signal names, SIG names and numbers; the container sees each" {
        set_cmd 'trap "echo got USR1" USR1; trap "echo got HUP" HUP; trap "echo got TERM; exit 3" TERM
                 echo ready; while true; do sleep 0.05; done'
        run_detached
        for i in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/$CID.out" && break; sleep 0.05; done
        skiff kill "$CID" USR1
        skiff kill "$CID" SIGHUP
        for i in $(seq 100); do grep -q "got HUP" "$BATS_TEST_TMPDIR/$CID.out" && break; sleep 0.05; done
        skiff kill "$CID" 15
        wait_status "$CID" stopped
        run cat "$BATS_TEST_TMPDIR/$CID.out"
        assert_output_contains "got USR1"
        assert_output_contains "got HUP"
        assert_output_contains "got TERM"
        run skiff wait "$CID"
        [ "$status" -eq 3 ]
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "kill without a signal sends TERM" {
        set_cmd 'trap "exit 4" TERM; echo ready; while true; do sleep 0.05; done'
        run_detached
        for i in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/$CID.out" && break; sleep 0.05; done
        skiff kill "$CID"
        run skiff wait "$CID"
        [ "$status" -eq 4 ]
}

@test "kill --all reaches every process of the container, not only its init" {
        # No pid namespace: killing the init alone would leave the background sleep behind.
        update_config '.linux.namespaces |= map(select(.type != "pid"))'
        set_cmd 'sleep 100 & echo $! >/tmp/child; exec sleep 100'
        run_detached
        for i in $(seq 100); do [ -s "$BUNDLE/rootfs/tmp/child" ] && break; sleep 0.05; done
        child=$(cat "$BUNDLE/rootfs/tmp/child")
        [ -d /proc/$child ]
        skiff kill --all "$CID" KILL
        wait_status "$CID" stopped
        for i in $(seq 100); do [ -d /proc/$child ] || break; sleep 0.05; done
        [ ! -d /proc/$child ] || [ "$(awk '{ print $3 }' /proc/$child/stat)" = Z ]
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "delete --force removes a running container and everything it had" {
        set_cmd 'sleep 100'
        run_detached
        pid=$(pid_of "$CID")
        skiff delete --force "$CID"
        for i in $(seq 100); do [ -d /proc/$pid ] || break; sleep 0.05; done
        [ ! -d /proc/$pid ]
        assert_nothing_left "$CID"
        run skiff state "$CID"
        [ "$status" -ne 0 ]
}

@test "delete --force removes a created container" {
        set_cmd 'sleep 100'
        create_detached
        pid=$(pid_of "$CID")
        skiff delete -f "$CID"
        [ ! -d /proc/$pid ]
        assert_nothing_left "$CID"
}

@test "run exits with the workload's code and deletes the container" {
        set_cmd 'exit 42'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 42 ]
        assert_nothing_left "$CID"
}

@test "run exits 128+N when signal N ends the workload" {
        set_cmd 'echo $$ >/tmp/ready; sleep 100'
        update_config '.linux.namespaces |= map(select(.type != "pid"))'
        skiff run --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 &
        runner=$!
        for i in $(seq 100); do [ "$(status_of "$CID" 2>/dev/null)" = running ] && break; sleep 0.05; done
        skiff kill "$CID" KILL
        wait "$runner" || code=$?
        [ "${code:-0}" -eq 137 ]
        assert_nothing_left "$CID"
}

@test "run in the foreground passes the signals it gets on to the workload" {
        set_cmd 'trap "echo got TERM; exit 5" TERM; echo ready; while true; do sleep 0.05; done'
        # skiff itself, not the helper function's subshell, must get the signal.
        "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
        runner=$!
        for i in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/out" && break; sleep 0.05; done
        kill -TERM "$runner"
        wait "$runner" || code=$?
        [ "${code:-0}" -eq 5 ]
        grep -q "got TERM" "$BATS_TEST_TMPDIR/out"
        assert_nothing_left "$CID"
}

@test "run --detach returns while the workload runs; its output goes to the caller's stdout" {
        set_cmd 'echo detached; sleep 100'
        run_detached
        [ "$(status_of "$CID")" = running ]
        for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/$CID.out" ] && break; sleep 0.05; done
        [ "$(cat "$BATS_TEST_TMPDIR/$CID.out")" = detached ]
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}

@test "run --pid-file and --bundle from the current directory" {
        set_cmd 'exit 0'
        cd "$BUNDLE"
        skiff run --pid-file "$BATS_TEST_TMPDIR/pid" "$CID"
        [ "$(cat "$BATS_TEST_TMPDIR/pid")" -gt 1 ]
        assert_nothing_left "$CID"
}

@test "list prints a table, -q the IDs, --format json the state of each" {
        set_cmd 'sleep 100'
        create_detached "$CID-a"
        run_detached "$CID-b"
        run skiff list
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED* ]]
        [[ "$output" == *"$CID-a "*created*"$BUNDLE"* ]]
        [[ "$output" == *"$CID-b "*running*"$BUNDLE"* ]]
        run skiff list -q
        [ "$output" = "$(printf '%s\n%s' "$CID-a" "$CID-b")" ]
        run skiff list --format json
        [ "$(echo "$output" | jq length)" = 2 ]
        [ "$(echo "$output" | jq -r '.[] | select(.id == "'"$CID-a"'") | .status')" = created ]
        [ "$(echo "$output" | jq -r '.[] | select(.id == "'"$CID-b"'") | .status')" = running ]
        [ "$(echo "$output" | jq -r '.[0].pid')" -gt 0 ]
        skiff delete -f "$CID-a"
        skiff delete -f "$CID-b"
        run skiff list --format json
        [ "$output" = "[]" ]
}

@test "list of an empty or missing root prints no containers" {
        run skiff list -q
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        run skiff list --format json
        [ "$output" = "[]" ]
}

@test "spec writes a config.json that skiff runs once args point at busybox" {
        dir="$BATS_TEST_TMPDIR/fresh"
        mkdir -p "$dir"
        cp -a "$BUNDLE/rootfs" "$dir/rootfs"
        skiff spec --bundle "$dir"
        jq -e '.ociVersion and .process.args and .root.path == "rootfs" and (.linux.namespaces | length > 0)' \
                "$dir/config.json"
        jq --arg cg "/skiff-test/$CID" '.process.args = ["/bin/busybox", "echo", "from spec"] | .process.terminal = false
                | .linux.cgroupsPath = $cg' "$dir/config.json" >"$dir/c" && mv "$dir/c" "$dir/config.json"
        run skiff run --bundle "$dir" "$CID"
        [ "$status" -eq 0 ]
        [ "$output" = "from spec" ]
        assert_nothing_left "$CID"
}

@test "spec refuses to overwrite a config.json" {
        run skiff spec --bundle "$BUNDLE"
        [ "$status" -ne 0 ]
        [[ "$output" == "skiff: spec: "*"already exists"* ]]
}

@test "features prints valid runtime-spec features JSON with what skiff supports" {
        run skiff features
        [ "$status" -eq 0 ]
        echo "$output" | jq -e . >/dev/null
        [ "$(echo "$output" | jq -r .ociVersionMin)" = 1.0.0 ]
        for ns in pid network mount ipc uts user cgroup; do
                echo "$output" | jq -e --arg ns "$ns" '.linux.namespaces | index($ns)' >/dev/null
        done
        echo "$output" | jq -e '.mountOptions | index("nosuid") and index("rbind")' >/dev/null
        echo "$output" | jq -e '.linux.cgroup.v1 == true and .linux.cgroup.systemd == false' >/dev/null
        echo "$output" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' >/dev/null
}

@test "--version prints skiff's version and the runtime-spec version" {
        run "$SKIFF" --version
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "skiff version "[0-9]* ]]
        [[ "${lines[1]}" == "spec: 1."* ]]
}

@test "--help for skiff and for each command" {
        run "$SKIFF" --help
        [ "$status" -eq 0 ]
        overview=$output
        for cmd in create start state kill delete run list spec features wait; do
                [[ "$overview" == *"  $cmd "* ]]
                run "$SKIFF" "$cmd" --help
                [ "$status" -eq 0 ]
                [[ "${lines[0]}" == "Usage: skiff [global options] $cmd"* ]]
                run "$SKIFF" "$cmd" -h
                [ "$status" -eq 0 ]
        done
        run "$SKIFF" create --help
        for flag in --bundle --pid-file --no-pivot --preserve-fds; do
                assert_output_contains "$flag"
        done
}

@test "--root keeps state where it says" {
        set_cmd 'sleep 100'
        "$SKIFF" --root "$BATS_TEST_TMPDIR/other" create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
        [ -f "$BATS_TEST_TMPDIR/other/$CID/state.json" ]
        [ ! -e "$ROOT/$CID" ]
        "$SKIFF" --root "$BATS_TEST_TMPDIR/other" delete --force "$CID"
        [ ! -e "$BATS_TEST_TMPDIR/other/$CID" ]
}

@test "--log --log-format json writes an error as one JSON line" {
        log="$BATS_TEST_TMPDIR/log.json"
        run skiff --log "$log" --log-format json state nothere
        [ "$status" -ne 0 ]
        [ "$(wc -l <"$log")" = 1 ]
        [ "$(jq -r .level "$log")" = error ]
        [[ "$(jq -r .msg "$log")" == *"does not exist"* ]]
        jq -e '.time | test("^[0-9]{4}-")' "$log" >/dev/null
        # A usage error lands there too.
        run skiff --log "$log" --log-format json kill "$CID" NOSUCHSIGNAL
        [ "$status" -ne 0 ]
        [ "$(wc -l <"$log")" = 2 ]
        [[ "$(tail -1 "$log" | jq -r .msg)" == *"NOSUCHSIGNAL"* ]]
}

@test "--log with the text format writes a readable line" {
        log="$BATS_TEST_TMPDIR/log.txt"
        run skiff --log "$log" start nothere
        [ "$status" -ne 0 ]
        grep -q 'error start nothere: container "nothere" does not exist' "$log"
}

@test "--debug says what skiff does, on stderr or in the log" {
        set_cmd 'exit 0'
        run skiff --debug run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        assert_output_contains "skiff: debug: run: root $ROOT"
        assert_output_contains "exit code 0"
        log="$BATS_TEST_TMPDIR/log.json"
        run skiff --debug --log "$log" --log-format json list
        [ "$(jq -r 'select(.level == "debug") | .msg' "$log" | head -1)" = "list: root $ROOT" ]
}

@test "relative --root and --log are taken from where skiff started, not from the bundle" {
        set_cmd 'sleep 100'
        cd "$BATS_TEST_TMPDIR"
        "$SKIFF" --root rel-root --log rel.log run --detach --bundle "$BUNDLE" "$CID" </dev/null
        [ -f "$BATS_TEST_TMPDIR/rel-root/$CID/state.json" ]
        [ ! -e "$BUNDLE/rel-root" ]
        run "$SKIFF" --root rel-root --log rel.log start "$CID"
        [ "$status" -ne 0 ]
        grep -q "error start $CID" "$BATS_TEST_TMPDIR/rel.log"
        "$SKIFF" --root rel-root delete --force "$CID"
        assert_nothing_left "$CID"
}
