#!/usr/bin/env bats
# What a container process inherits: fds 3.. only as --preserve-fds and LISTEN_FDS say, nothing of
# skiff's or the caller's otherwise, and a cwd inside the rootfs (runc CVE-2024-21626).

load helpers

# The open fds of the workload's shell, on one line. `ls` runs in a subshell ($$ is still the shell),
# so that no pipe or saved fd of a redirection is open in the shell meanwhile.
FD_LIST='(ls /proc/$$/fd >/tmp/fds); echo $(cat /tmp/fds)'

@test "the workload holds only stdin, stdout and stderr, whatever the caller has open" {
        set_cmd "$FD_LIST; readlink /proc/self/cwd"
        exec 7</etc 8>"$BATS_TEST_TMPDIR/leak" 9<"$BUNDLE/config.json"
        run skiff run --bundle "$BUNDLE" "$CID"
        exec 7<&- 8>&- 9<&-
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "0 1 2" ]
        [ "${lines[1]}" = / ]
}

@test "an exec'd process holds only stdin, stdout and stderr" {
        set_cmd 'sleep 1000'
        run_detached
        wait_status "$CID" running
        exec 7</etc 8>"$BATS_TEST_TMPDIR/leak"
        run skiff exec "$CID" sh -c "$FD_LIST"
        exec 7<&- 8>&-
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "0 1 2" ]
}

@test "--preserve-fds N passes fds 3 .. 3+N-1 and no more" {
        echo first >"$BATS_TEST_TMPDIR/a"
        echo second >"$BATS_TEST_TMPDIR/b"
        set_cmd "$FD_LIST; cat <&3; cat <&4"
        # In a shell of its own: bats itself writes to fd 3.
        run bash -c "exec 3<'$BATS_TEST_TMPDIR/a' 4<'$BATS_TEST_TMPDIR/b' 5</etc
                '$SKIFF' --root '$ROOT' run --preserve-fds 2 --bundle '$BUNDLE' '$CID'"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "0 1 2 3 4" ]
        [ "${lines[1]}" = first ]
        [ "${lines[2]}" = second ]
}

@test "exec --preserve-fds passes the caller's fds" {
        set_cmd 'sleep 1000'
        run_detached
        wait_status "$CID" running
        echo passed >"$BATS_TEST_TMPDIR/a"
        run bash -c "exec 3<'$BATS_TEST_TMPDIR/a' 4</etc
                '$SKIFF' --root '$ROOT' exec --preserve-fds 1 '$CID' sh -c '$FD_LIST; cat <&3'"
        echo "$output"
        [ "${lines[0]}" = "0 1 2 3" ]
        [ "${lines[1]}" = passed ]
}

@test "--preserve-fds naming an fd that is not open is refused, nothing left" {
        # In a shell of its own: bats itself writes to fd 3.
        run bash -c "exec 3<&- 4<&- 5<&- 6<&-; '$SKIFF' --root '$ROOT' create --preserve-fds 4 --bundle '$BUNDLE' '$CID'"
        [ "$status" -ne 0 ]
        assert_output_contains "--preserve-fds: fd 3 is not open"
        assert_nothing_left "$CID"
}

@test "LISTEN_FDS for skiff: the fds pass first, with LISTEN_FDS and LISTEN_PID in the container" {
        echo socket-one >"$BATS_TEST_TMPDIR/a"
        echo extra >"$BATS_TEST_TMPDIR/b"
        set_cmd "$FD_LIST; echo \$LISTEN_FDS \$LISTEN_PID; cat <&3; cat <&4"
        run bash -c "exec 3<'$BATS_TEST_TMPDIR/a' 4<'$BATS_TEST_TMPDIR/b'
                LISTEN_FDS=1 LISTEN_PID=\$\$ exec '$SKIFF' --root '$ROOT' run --preserve-fds 1 --bundle '$BUNDLE' '$CID'"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "0 1 2 3 4" ]
        [ "${lines[1]}" = "1 1" ]
        [ "${lines[2]}" = socket-one ]
        [ "${lines[3]}" = extra ]
        # LISTEN_FDS meant for another process (LISTEN_PID) is not ours to pass on.
        set_cmd "$FD_LIST; echo \"[\$LISTEN_FDS]\""
        run bash -c "exec 3<'$BATS_TEST_TMPDIR/a'; LISTEN_FDS=1 LISTEN_PID=1 '$SKIFF' --root '$ROOT' run --bundle '$BUNDLE' '$CID'"
        [ "${lines[0]}" = "0 1 2" ]
        [ "${lines[1]}" = "[]" ]
}

@test "process.cwd through an fd (/proc/self/fd/N) cannot reach a host directory" {
        exec 7</etc
        for fd in 3 4 5 6 7 8 9 10; do
                update_config --arg cwd "/proc/self/fd/$fd" '.process.cwd = $cwd'
                set_cmd 'readlink /proc/self/cwd; ls'
                # Where fd N is not open in the init while it sets up, create cannot make that
                # cwd (1); where it is, the init fails at start (127), before the workload runs: no
                # fd is open by then. Which fds the init holds depends on the build (ASan's too).
                # Not `run -127`: on a wrong status, that would fail without showing the output.
                status=0
                skiff run --bundle "$BUNDLE" "${CID}-$fd" >"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
                output=$(cat "$BATS_TEST_TMPDIR/out")
                echo "fd $fd: status $status: $output"
                [ "$status" -eq 127 ] || [ "$status" -eq 1 ]
                assert_output_contains "process.cwd"
                [[ "$output" != *passwd* ]]
                assert_nothing_left "${CID}-$fd"
        done
        exec 7<&-
}

@test "exec --cwd through an fd cannot reach a host directory" {
        set_cmd 'sleep 1000'
        run_detached
        wait_status "$CID" running
        exec 7</etc
        for fd in 3 4 5 6 7 8 9 10; do
                run skiff exec --cwd "/proc/self/fd/$fd" "$CID" readlink /proc/self/cwd
                echo "fd $fd: status $status: $output"
                [ "$status" -eq 255 ]
        done
        exec 7<&-
}
