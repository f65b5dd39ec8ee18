#!/usr/bin/env bats
# Every wrong request is an error: one line "skiff: <command> <id>: ...", a non-zero exit, the
# container's state unchanged, and nothing left behind by a create that failed.

load helpers

# No process of this test's containers may be alive: their cmdlines all name this test's --root
# (the init is a fork of `skiff create`, the shim gets --root).
assert_no_process() {
        local f
        for f in /proc/[0-9]*/cmdline; do
                if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$ROOT"; then
                        echo "process left behind: ${f%/cmdline}: $(tr '\0' ' ' <"$f")" >&2
                        return 1
                fi
        done
}

# No mount of the host may point into this test's files (the rootfs's mounts live and die in the
# container's own mount namespace).
assert_no_host_mount() {
        if grep -F -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo >&2; then
                echo "mount left behind on the host" >&2
                return 1
        fi
}

# One line on stderr (and nothing on stdout), starting with the prefix given.
assert_one_line_error() { # assert_one_line_error PREFIX
        [ "$status" -ne 0 ] || { echo "exit status was 0" >&2; return 1; }
        [ "${#lines[@]}" -eq 1 ] || { echo "expected one line, got: $output" >&2; return 1; }
        [[ "${lines[0]}" == "$1"* ]] || { echo "expected \"$1...\", got: ${lines[0]}" >&2; return 1; }
}

# A failed create: the error, then nothing of it anywhere.
assert_create_fails_cleanly() { # assert_create_fails_cleanly MESSAGE-PART
        run skiff create --bundle "$BUNDLE" "$CID" </dev/null
        assert_one_line_error "skiff: create $CID: "
        assert_output_contains "$1"
        assert_nothing_left "$CID"
        assert_no_process
        assert_no_host_mount
}

snapshot() { # the state JSON of $1, as `state` prints it
        skiff state "$1" | jq -c .
}

@test "an unknown id does not exist, for every command that takes one" {
        for cmd in state start delete kill wait; do
                run skiff "$cmd" nothere
                assert_one_line_error "skiff: $cmd nothere: "
                assert_output_contains 'container "nothere" does not exist'
        done
        run skiff delete --force nothere
        assert_output_contains "does not exist"
}

@test "a bad id is refused by every command, and create makes nothing for it" {
        for id in ../escape a/b .. "has space"; do
                run skiff create --bundle "$BUNDLE" "$id"
                assert_one_line_error "skiff: create $id: invalid container id"
                for cmd in state start delete kill; do
                        run skiff "$cmd" "$id"
                        assert_one_line_error "skiff: $cmd $id: invalid container id"
                done
        done
        [ ! -e "$BATS_TEST_TMPDIR/escape" ]
        [ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
        assert_no_process
}

@test "create with an id in use fails and leaves the first container as it was" {
        set_cmd 'sleep 100'
        create_detached
        before=$(snapshot "$CID")
        run skiff create --bundle "$BUNDLE" "$CID" </dev/null
        assert_one_line_error "skiff: create $CID: "
        assert_output_contains "already exists"
        [ "$(snapshot "$CID")" = "$before" ]
        skiff start "$CID"
        [ "$(status_of "$CID")" = running ]
}

@test "start of a container that is not created fails, state unchanged" {
        set_cmd 'sleep 100'
        run_detached
        before=$(snapshot "$CID")
        run skiff start "$CID"
        assert_one_line_error "skiff: start $CID: "
        assert_output_contains "running"
        [ "$(snapshot "$CID")" = "$before" ]
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
        before=$(snapshot "$CID")
        run skiff start "$CID"
        assert_one_line_error "skiff: start $CID: "
        assert_output_contains "stopped"
        [ "$(snapshot "$CID")" = "$before" ]
}

@test "delete without --force refuses a running and a created container" {
        set_cmd 'sleep 100'
        run_detached "$CID-r"
        create_detached "$CID-c"
        for id in "$CID-r" "$CID-c"; do
                before=$(snapshot "$id")
                run skiff delete "$id"
                assert_one_line_error "skiff: delete $id: "
                assert_output_contains "not stopped"
                [ "$(snapshot "$id")" = "$before" ]
                [ -d "/proc/$(pid_of "$id")" ]
        done
        # The created one still starts: the refused delete did not touch its fifo.
        skiff start "$CID-c"
        [ "$(status_of "$CID-c")" = running ]
}

@test "kill of a stopped container: container not running" {
        set_cmd 'exit 0'
        run_detached
        wait_status "$CID" stopped
        before=$(snapshot "$CID")
        run skiff kill "$CID" TERM
        assert_one_line_error "skiff: kill $CID: container not running"
        run skiff kill --all "$CID" KILL
        assert_one_line_error "skiff: kill $CID: container not running"
        [ "$(snapshot "$CID")" = "$before" ]
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "a bad signal is a usage error and sends nothing" {
        set_cmd 'trap "echo got signal" HUP TERM USR1; while true; do sleep 0.05; done'
        run_detached
        before=$(snapshot "$CID")
        for sig in NOSUCH SIGNOPE 0 -1 65 999 1x ""; do
                run skiff kill "$CID" "$sig"
                [ "$status" -eq 2 ]
                assert_one_line_error "skiff: kill $CID: unknown signal"
        done
        [ "$(snapshot "$CID")" = "$before" ]
        sleep 0.2
        [ ! -s "$BATS_TEST_TMPDIR/$CID.out" ]
}

@test "an unknown command, an unknown flag, a missing value: usage errors, exit 2, one line" {
        run skiff frobnicate "$CID"
        [ "$status" -eq 2 ]
        assert_one_line_error 'skiff: unknown command "frobnicate"'
        run skiff --no-such-global list
        [ "$status" -eq 2 ]
        assert_one_line_error "skiff: unknown global option --no-such-global"
        for cmd in create start state kill delete run list spec features; do
                run skiff "$cmd" --no-such-flag "$CID"
                [ "$status" -eq 2 ]
                assert_one_line_error "skiff: $cmd: unknown option --no-such-flag"
        done
        run skiff create --bundle
        [ "$status" -eq 2 ]
        assert_one_line_error "skiff: create: option --bundle needs a value"
        run skiff create --bundle "$BUNDLE"
        [ "$status" -eq 2 ]
        assert_one_line_error "skiff: create: needs a container ID"
        run skiff --log-format yaml list
        [ "$status" -eq 2 ]
        assert_one_line_error "skiff: --log-format"
        run skiff list --format yaml
        [ "$status" -eq 2 ]
        run skiff create --preserve-fds many --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 2 ]
        assert_nothing_left "$CID"
}

@test "create fails cleanly without a bundle" {
        rm -rf "$BUNDLE"
        assert_create_fails_cleanly "$BUNDLE"
}

@test "create fails cleanly on a config.json that is not JSON" {
        echo '{"ociVersion": ' >"$BUNDLE/config.json"
        assert_create_fails_cleanly "config.json"
}

@test "create fails cleanly when the program is not in the rootfs" {
        update_config '.process.args = ["/no/such/program"]'
        assert_create_fails_cleanly "/no/such/program"
}

@test "create fails cleanly when a mount's source is missing" {
        update_config '.mounts += [{"destination": "/data", "type": "bind", "source": "/no/such/dir", "options": ["bind"]}]'
        assert_create_fails_cleanly "/no/such/dir"
}

@test "create fails cleanly when a namespace path cannot be joined" {
        update_config '.linux.namespaces |= map(if .type == "network" then .path = "/no/such/netns" else . end)'
        assert_create_fails_cleanly "/no/such/netns"
}

@test "run fails cleanly when create fails, with create's message" {
        update_config '.process.args = ["/no/such/program"]'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        assert_one_line_error "skiff: run $CID: "
        assert_output_contains "/no/such/program"
        assert_nothing_left "$CID"
        assert_no_process
}

@test "spec with a bundle dir that does not exist fails with one line" {
        run skiff spec --bundle "$BATS_TEST_TMPDIR/none"
        assert_one_line_error "skiff: spec: "
        assert_output_contains "$BATS_TEST_TMPDIR/none/config.json"
}

# DESIGN §7: no wait of skiff's is unbounded. A createRuntime hook freezes the container's cgroup
# while the init waits for the hooks to end, so the init can never report ready.
@test "create gives up on an init that stops answering (SKIFF_SYNC_TIMEOUT), leaving nothing" {
        cat >"$BATS_TEST_TMPDIR/freeze" <<SCRIPT
#!/bin/sh
v1=/sys/fs/cgroup/freezer/skiff-test/$CID/freezer.state
v2=/sys/fs/cgroup/skiff-test/$CID/cgroup.freeze
if [ -e "\$v1" ]; then echo FROZEN >"\$v1"; else echo 1 >"\$v2"; fi
SCRIPT
        chmod +x "$BATS_TEST_TMPDIR/freeze"
        update_config --arg p "$BATS_TEST_TMPDIR/freeze" '.hooks.createRuntime = [{"path": $p}]'
        SKIFF_SYNC_TIMEOUT=2 run skiff create --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -ne 0 ]
        assert_output_contains "the container's init did not answer within 2 s (SKIFF_SYNC_TIMEOUT)"
        assert_nothing_left "$CID"
        assert_no_process
}

@test "run in the foreground releases a thin rootfs with the skiff it was run as, not its re-executed image" {
        local storage=$BATS_TEST_TMPDIR/storage
        mkdir -p "$storage/devices"
        set_cmd 'while [ ! -e /go ]; do sleep 0.05; done'
        # (LeakSanitizer cannot run under ptrace.)
        SKIFF_STORAGE_ROOT=$storage ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=execve \
                -o "$BATS_TEST_TMPDIR/trace" "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID" \
                </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
        wait_status "$CID" running
        # A snapshot record appears while it runs (there is no thin pool on this host to make one).
        echo '{}' >"$storage/devices/ctr-$CID.json"
        touch "$BUNDLE/rootfs/go"
        wait
        cat "$BATS_TEST_TMPDIR/out"
        grep -F "execve(\"$SKIFF\", [\"skiff\", \"pool\", \"release\", \"$CID\"]" "$BATS_TEST_TMPDIR/trace"
}

@test "pool init without device-mapper says so, and leaves nothing behind" {
        local storage=$BATS_TEST_TMPDIR/storage
        # A control node that no driver answers, bound in a mount namespace of the test's own: the
        # kernel without device-mapper that this host may or may not be. Without a control node at
        # all, the host is that kernel already.
        mknod "$BATS_TEST_TMPDIR/control" c 240 0
        run unshare -m --propagation private sh -c '
                if [ -e /dev/mapper/control ]; then mount --bind "$1" /dev/mapper/control || exit 99; fi
                SKIFF_STORAGE_ROOT=$2 exec "$3" pool init --data-size 100M' _ \
                "$BATS_TEST_TMPDIR/control" "$storage" "$SKIFF"
        [ "$status" -ne 0 ] && [ "$status" -ne 99 ]
        assert_output_contains "device-mapper is not available"
        assert_output_contains "open /dev/mapper/control"
        [ ! -e "$storage" ]
        ! losetup -j "$storage/data" | grep -q . || false
}
