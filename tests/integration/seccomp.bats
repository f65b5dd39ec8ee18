#!/usr/bin/env bats
# linux.seccomp: the filter is in force in the container's process, and create refuses a bad profile
# naming the field, leaving nothing behind.

load helpers

LISTENER=${SECCOMP_LISTENER:-$(dirname "$SKIFF")/tests/helpers/seccomp-listener}

# A profile that allows everything but the rules given as a JSON array.
seccomp_rules() {
        update_config --argjson rules "$1" \
                '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": $rules}'
}

@test "seccomp: a rule with SCMP_ACT_ERRNO makes mkdir fail with EPERM inside" {
        seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
        set_cmd 'mkdir /x; echo "rc=$?"; [ ! -e /x ] && echo absent'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        assert_output_contains "mkdir: can't create directory '/x': Operation not permitted"
        assert_output_contains "rc=1"
        assert_output_contains "absent"
        assert_nothing_left "$CID"
}

@test "seccomp: errnoRet chooses the errno" {
        seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]'
        set_cmd 'mkdir /x'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -ne 0 ]
        assert_output_contains "No space left on device"
}

@test "seccomp: without a rule the same command works (the filter is the cause)" {
        seccomp_rules '[{"names": ["chroot"], "action": "SCMP_ACT_ERRNO"}]'
        set_cmd 'mkdir /x && echo made'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        assert_output_contains "made"
}

@test "seccomp: args filters match only the given argument values" {
        # kill(pid, sig): deny signal 10 (SIGUSR1) only; signal 0 still reaches the kernel.
        seccomp_rules '[{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                         "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}]'
        set_cmd 'kill -0 $$ && echo zero-sent; kill -USR1 $$ || echo usr1-refused'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        assert_output_contains "zero-sent"
        assert_output_contains "Permission denied"
        assert_output_contains "usr1-refused"
}

@test "seccomp: two comparisons of one argument are ORed, as in runc" {
        seccomp_rules '[{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                         "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"},
                                  {"index": 1, "value": 12, "op": "SCMP_CMP_EQ"}]}]'
        set_cmd 'kill -USR1 $$ || echo usr1-refused; kill -USR2 $$ || echo usr2-refused; kill -0 $$ && echo zero-sent'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        assert_output_contains "usr1-refused"
        assert_output_contains "usr2-refused"
        assert_output_contains "zero-sent"
}

@test "seccomp: SCMP_CMP_MASKED_EQ compares the masked argument" {
        # Deny signals whose value & 0xfc is 8 (8 to 11); 0 and 17 (SIGCHLD, ignored) pass.
        seccomp_rules '[{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                         "args": [{"index": 1, "value": 252, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}]'
        set_cmd 'kill -0 $$ && echo zero-sent; kill -CHLD $$ && echo chld-sent; kill -USR1 $$ || echo usr1-refused'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        assert_output_contains "zero-sent"
        assert_output_contains "chld-sent"
        assert_output_contains "usr1-refused"
}

@test "seccomp: defaultAction SCMP_ACT_ERRNO with defaultErrnoRet, and an allow-list" {
        # Everything the shell and busybox need is allowed; mkdir falls to the default.
        update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
                "syscalls": [{"names": ["read", "write", "openat", "open", "close", "fstat", "newfstatat",
                        "stat", "lstat", "mmap", "munmap", "mprotect", "brk", "rt_sigaction",
                        "rt_sigprocmask", "rt_sigreturn", "ioctl", "execve", "exit", "exit_group",
                        "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "arch_prctl",
                        "set_tid_address", "wait4", "fork", "vfork", "clone", "clone3", "dup2", "dup3",
                        "fcntl", "getcwd", "chdir", "uname", "prlimit64", "getrlimit", "access",
                        "readlink", "getdents64", "lseek", "pipe", "pipe2", "set_robust_list",
                        "rseq", "getrandom", "prctl", "setresuid", "setresgid", "setgroups", "capget",
                        "capset", "close_range", "statx", "futex", "sched_getaffinity", "poll", "ppoll",
                        "faccessat", "faccessat2"],
                        "action": "SCMP_ACT_ALLOW"}]}'
        set_cmd 'mkdir /x; echo "after"'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        assert_output_contains "Function not implemented"
        assert_output_contains "after"
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the workload" {
        seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]'
        set_cmd 'exec mkdir /x'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        # 128 + SIGSYS
        [ "$status" -eq 159 ]
}

@test "seccomp: with noNewPrivileges off the filter is still loaded (before the capabilities are dropped)" {
        seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
        update_config '.process.noNewPrivileges = false | .process.capabilities = {}'
        set_cmd 'grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status; mkdir /x'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -ne 0 ]
        assert_output_contains "Operation not permitted"
        [[ "$output" =~ Seccomp:.2 ]]
        [[ "$output" =~ NoNewPrivs:.0 ]]
        [[ "$output" =~ CapEff:.0000000000000000 ]]
}

# Seccomp: in /proc/PID/status, as soon as it reads WANT, or after 2 s.
seccomp_mode_becomes() { # seccomp_mode_becomes PID WANT
        local mode i
        for i in $(seq 40); do
                mode=$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$1/status")
                [ "$mode" = "$2" ] && break
                sleep 0.05
        done
        echo "Seccomp: $mode (want $2)"
        [ "$mode" = "$2" ]
}

@test "seccomp: a filter that lets through all the init still does goes in while the container is created" {
        seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
        set_cmd 'mkdir /x || echo refused'
        skiff create --bundle "$BUNDLE" "$CID"
        pid=$(skiff state "$CID" | jq -r .pid)
        seccomp_mode_becomes "$pid" 2
        [ "$(skiff state "$CID" | jq -r .status)" = created ]
        skiff start "$CID"
        wait_status "$CID" stopped
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "seccomp: a filter that refuses a call the init still makes (getcwd) goes in last, and the container runs" {
        seccomp_rules '[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}, {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
        set_cmd 'grep ^Seccomp: /proc/self/status; mkdir /x || echo refused'
        "$SKIFF" --root "$ROOT" create --bundle "$BUNDLE" "$CID" >"$BATS_TEST_TMPDIR/out" 2>&1
        pid=$(skiff state "$CID" | jq -r .pid)
        # The early load comes within moments of create's return (the test above): here it must not.
        sleep 0.3
        [ "$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$pid/status")" = 0 ]
        skiff start "$CID"
        wait_status "$CID" stopped
        cat "$BATS_TEST_TMPDIR/out"
        grep -q '^Seccomp:.2' "$BATS_TEST_TMPDIR/out"
        grep -q refused "$BATS_TEST_TMPDIR/out"
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "seccomp: unknown syscall names are skipped (debug message), the rest applies" {
        seccomp_rules '[{"names": ["no_such_call", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
        set_cmd 'mkdir /x'
        run skiff --debug run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -ne 0 ]
        assert_output_contains "Operation not permitted"
        assert_output_contains "no_such_call"
}

@test "seccomp: an unknown action, operator, architecture or flag fails create naming the field" {
        seccomp_rules '[{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW"}, {"names": ["rmdir"], "action": "SCMP_ACT_NOPE"}]'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains 'linux.seccomp.syscalls[1].action: unknown action "SCMP_ACT_NOPE"'
        assert_nothing_left "$CID"

        seccomp_rules '[{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ALMOST"}]}]'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains 'linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_ALMOST"'
        assert_nothing_left "$CID"

        update_config '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"]'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains 'linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_Z80"'
        assert_nothing_left "$CID"

        update_config '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64"] | .linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_FAST"]'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains 'linux.seccomp.flags[0]: unknown or unsupported flag "SECCOMP_FILTER_FLAG_FAST"'
        assert_nothing_left "$CID"

        update_config '.linux.seccomp.flags = [] | .linux.seccomp.syscalls = [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains 'linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY'
        assert_nothing_left "$CID"
}

@test "seccomp: flags SECCOMP_FILTER_FLAG_LOG and SPEC_ALLOW are accepted and the filter works" {
        seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
        update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]'
        set_cmd 'mkdir /x'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -ne 0 ]
        assert_output_contains "Operation not permitted"
}

start_listener() { # start_listener REPLY
        SOCK="$BATS_TEST_TMPDIR/listener.sock"
        rm -f "$SOCK"
        "$LISTENER" "$SOCK" "$BATS_TEST_TMPDIR/listener.json" "$BATS_TEST_TMPDIR/listener.log" "$1" \
                2>"$BATS_TEST_TMPDIR/listener.err" &
        LISTENER_PID=$!
        for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.02; done
        [ -S "$SOCK" ]
        update_config --arg sock "$SOCK" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "listenerPath": $sock, "listenerMetadata": "from-the-test",
                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
}

# What the listener was sent: a mkdir of container $CID's, the container in STATUS, a pid.
assert_listener_saw() { # assert_listener_saw STATUS
        json="$BATS_TEST_TMPDIR/listener.json"
        grep -qx "mkdir\|mkdirat" "$BATS_TEST_TMPDIR/listener.log"
        [ "$(jq -r .state.id "$json")" = "$CID" ]
        [ "$(jq -r .state.status "$json")" = "$1" ]
        [ "$(jq -r .pid "$json")" -gt 1 ]
}

stop_listener() {
        kill "$LISTENER_PID" 2>/dev/null || true
        wait "$LISTENER_PID" 2>/dev/null || true
}

@test "seccomp notify: the listener gets the fd and the state, and its answer is the call's result" {
        start_listener errno:39
        set_cmd 'mkdir /x; echo "rc=$?"; [ -e /x ] || echo absent'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        stop_listener
        [ "$status" -eq 0 ]
        assert_output_contains "Directory not empty"
        assert_output_contains "absent"
        assert_listener_saw creating
        [ "$(jq -r .metadata "$json")" = "from-the-test" ]
        [ "$(jq -r '.fds[0]' "$json")" = "seccompFd" ]
        [ "$(jq -r .pid "$json")" = "$(jq -r .state.pid "$json")" ]
        [ "$(jq -r .state.bundle "$json")" = "$(cd "$BUNDLE" && pwd -P)" ]
        assert_nothing_left "$CID"
}

@test "seccomp notify: a second container with the same profile text hands its filter over too (cached)" {
        start_listener errno:39
        set_cmd 'mkdir /x; echo "rc=$?"'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        stop_listener
        assert_output_contains "Directory not empty"
        entries=$(find "$ROOT/.seccomp@cache" -type f | wc -l)
        # The same text again: the program, and that it notifies, come from the cache.
        start_listener errno:39
        run skiff run --bundle "$BUNDLE" "${CID}b" </dev/null
        stop_listener
        [ "$status" -eq 0 ]
        assert_output_contains "Directory not empty"
        [ "$(find "$ROOT/.seccomp@cache" -type f | wc -l)" -eq "$entries" ]
        assert_nothing_left "${CID}b"
}

@test "seccomp notify: the listener can let the call succeed without running it, or run it" {
        start_listener fake
        set_cmd 'mkdir /x && echo "said ok"; [ -e /x ] || echo "but absent"'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        stop_listener
        [ "$status" -eq 0 ]
        assert_output_contains "said ok"
        assert_output_contains "but absent"

        start_listener continue
        set_cmd 'mkdir /x && [ -d /x ] && echo "really made"'
        run skiff run --bundle "$BUNDLE" "${CID}b" </dev/null
        stop_listener
        [ "$status" -eq 0 ]
        assert_output_contains "really made"
}

@test "seccomp notify: an exec'd process's filter goes to the listener too, with the running container's state" {
        start_listener errno:39
        set_cmd 'sleep 1000'
        skiff run --detach --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
        stop_listener
        # A listener of its own for the exec'd process (the first one took the init's fd and left).
        start_listener errno:39
        run skiff exec "$CID" sh -c 'mkdir /y; echo "rc=$?"; [ -e /y ] || echo absent'
        stop_listener
        echo "exec said: $output"
        cat "$BATS_TEST_TMPDIR/listener.err" >&2 || true
        [ "$status" -eq 0 ]
        assert_output_contains "Directory not empty"
        assert_output_contains "absent"
        assert_listener_saw running
        [ "$(jq -r .pid "$json")" != "$(jq -r .state.pid "$json")" ]
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}

@test "seccomp notify: no listener at listenerPath fails create, leaving nothing" {
        update_config --arg sock "$BATS_TEST_TMPDIR/nobody.sock" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "listenerPath": $sock, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "linux.seccomp.listenerPath: connect to $BATS_TEST_TMPDIR/nobody.sock"
        assert_nothing_left "$CID"
}

@test "seccomp: skiff spec writes a default profile that runs a container and denies what it should" {
        skiff spec --bundle "$BATS_TEST_TMPDIR" 2>/dev/null || (cd "$BATS_TEST_TMPDIR" && "$SKIFF" spec)
        jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$BATS_TEST_TMPDIR/config.json"
        update_config --slurpfile spec "$BATS_TEST_TMPDIR/config.json" '.linux.seccomp = $spec[0].linux.seccomp'
        set_cmd 'mkdir /x && echo made; unshare -m true || echo no-unshare'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        assert_output_contains "made"
        assert_output_contains "no-unshare"
}

@test "seccomp: features reports the actions, operators, architectures and flags, and every hook kind" {
        run skiff features
        [ "$status" -eq 0 ]
        [ "$(jq -r .linux.seccomp.enabled <<<"$output")" = true ]
        jq -e '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY") and index("SCMP_ACT_ERRNO") and index("SCMP_ACT_KILL_PROCESS")' <<<"$output"
        jq -e '.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ")' <<<"$output"
        jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64")' <<<"$output"
        jq -e '.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_LOG")' <<<"$output"
        [ "$(jq -c .hooks <<<"$output")" = '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' ]
}

@test "seccomp: the cache entry keeps that the filter may go in while the init waits, and what may not" {
        # The second create of each profile takes it from the cache (seccomp-cache.bats).
        seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
        set_cmd 'true'
        for i in 1 2; do
                skiff create --bundle "$BUNDLE" "$CID"
                seccomp_mode_becomes "$(skiff state "$CID" | jq -r .pid)" 2
                skiff delete --force "$CID"
        done
        seccomp_rules '[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]'
        for i in 1 2; do
                skiff create --bundle "$BUNDLE" "$CID"
                sleep 0.3
                [ "$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$(skiff state "$CID" | jq -r .pid)/status")" = 0 ]
                skiff delete --force "$CID"
        done
        [ "$(find "$ROOT/.seccomp@cache" -type f | wc -l)" -eq 2 ]
        assert_nothing_left "$CID"
}
