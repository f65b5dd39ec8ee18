#!/usr/bin/env bats
# skiff exec: another process in a running container, in its namespaces and cgroup, with the
# identity asked for; its exit code is exec's, 255 is skiff's own failure.

load helpers

REFUSE_SET_MM=${REFUSE_SET_MM:-$(dirname "$SKIFF")/tests/helpers/refuse-set-mm}

teardown() {
        # The immutable copy of skiff a test below makes would outlive the test's temp dir.
        chattr -i "$BATS_TEST_TMPDIR/bin/skiff" 2>/dev/null || true
        common_teardown
}

# A running container whose workload waits.
start_sleeper() {
        set_cmd 'sleep 1000'
        run_detached
        wait_status "$CID" running
}

@test "exec joins every namespace of the init" {
        start_sleeper
        pid=$(pid_of "$CID")
        for ns in pid mnt net ipc uts cgroup; do
                run skiff exec "$CID" readlink /proc/self/ns/$ns
                [ "$status" -eq 0 ]
                [ "$output" = "$(readlink /proc/$pid/ns/$ns)" ]
                [ "$output" != "$(readlink /proc/self/ns/$ns)" ]
        done
        # In the container's pid namespace, its init is pid 1 and sleeps.
        run skiff exec "$CID" cat /proc/1/cmdline
        [ "$output" = "$(printf 'sleep\0001000')" ] || [ "$output" = "sleep1000" ]
}

@test "exec joins the container's cgroup" {
        start_sleeper
        pid=$(pid_of "$CID")
        skiff exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 1000
        epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
        [ "$(cat /proc/$epid/cgroup)" = "$(cat /proc/$pid/cgroup)" ]
        grep -q "/skiff-test/$CID" /proc/$epid/cgroup
}

@test "exec exits with the process's code, 128 + signal when a signal ended it" {
        start_sleeper
        run skiff exec "$CID" sh -c 'exit 42'
        [ "$status" -eq 42 ]
        run skiff exec "$CID" sh -c 'kill -TERM $$'
        [ "$status" -eq 143 ]
        run skiff exec "$CID" sh -c 'echo out; echo err >&2'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = out ]
        [ "${lines[1]}" = err ]
}

@test "exec returns 255 for its own failures, with the reason" {
        start_sleeper
        run skiff exec "$CID" /no/such/program
        [ "$status" -eq 255 ]
        assert_output_contains "process.args[0]: \"/no/such/program\" is not an executable file"
        run skiff exec nosuchcontainer true
        [ "$status" -eq 255 ]
        assert_output_contains "does not exist"
        run skiff exec "$CID"
        [ "$status" -eq 2 ]
        assert_output_contains "needs a command to run"
}

@test "exec --user, --env, --cwd" {
        start_sleeper
        run skiff exec --user 1000:1001 --env FOO=bar --env TERM=dumb --cwd /tmp "$CID" \
                sh -c 'echo $(id -u) $(id -g) $FOO $TERM $(pwd)'
        [ "$status" -eq 0 ]
        [ "$output" = "1000 1001 bar dumb /tmp" ]
        # The config's environment is the base: PATH is still there.
        run skiff exec "$CID" sh -c 'echo $PATH'
        [ "$output" = "$(jq -r '.process.env[] | select(startswith("PATH="))' "$BUNDLE/config.json" | cut -d= -f2)" ]
        run skiff exec --user nobody "$CID" true
        [ "$status" -eq 255 ]
        assert_output_contains "--user"
}

@test "exec --cap adds a capability; without it the config's set holds" {
        start_sleeper
        # CAP_SYS_ADMIN is bit 21 of CapEff.
        run skiff exec "$CID" sh -c 'grep CapEff /proc/self/status'
        [ "$status" -eq 0 ]
        eff=$(echo "$output" | awk '{print $2}')
        [ $(( 0x$eff >> 21 & 1 )) -eq 0 ]
        run skiff exec --cap CAP_SYS_ADMIN "$CID" sh -c 'grep CapEff /proc/self/status'
        eff=$(echo "$output" | awk '{print $2}')
        [ $(( 0x$eff >> 21 & 1 )) -eq 1 ]
        # no_new_privs from the config applies to exec'd processes too.
        run skiff exec "$CID" sh -c 'grep NoNewPrivs /proc/self/status'
        [ "$(echo "$output" | awk '{print $2}')" = 1 ]
}

@test "exec --process FILE runs the process described there" {
        start_sleeper
        cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"args": ["sh", "-c", "echo $A $(id -u) $(pwd)"], "env": ["A=from-json", "PATH=/bin"],
 "cwd": "/etc", "user": {"uid": 7, "gid": 7}}
JSON
        run skiff exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
        [ "$status" -eq 0 ]
        [ "$output" = "from-json 7 /etc" ]
        echo '{"args": ["true"], "user": {"uid": 0, "gid": 0}}' >"$BATS_TEST_TMPDIR/bad.json"
        run skiff exec --process "$BATS_TEST_TMPDIR/bad.json" "$CID"
        [ "$status" -eq 255 ]
        assert_output_contains "process.cwd: missing"
}

@test "exec --detach returns at once; --pid-file names the process, in the container" {
        start_sleeper
        pid=$(pid_of "$CID")
        start=$(date +%s%N)
        skiff exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 1000
        # Bounded well below the 1000 s the process runs (generous for ASan builds on a busy host).
        [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 10000 ]
        epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
        [ -d /proc/$epid ]
        [ "$(cat /proc/$epid/comm)" = sleep ]
        [ "$(readlink /proc/$epid/ns/pid)" = "$(readlink /proc/$pid/ns/pid)" ]
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
}

@test "exec into a stopped container is an error" {
        set_cmd 'true'
        run_detached
        wait_status "$CID" stopped
        run skiff exec "$CID" true
        [ "$status" -eq 255 ]
        assert_output_contains "container not running"
}

# The init's /proc/PID/exe when skiff is installed writable: $1 is what its link reads, $2 the error
# a write to it gets, the rest the command that creates the container. The binary stays intact.
check_init_exe() {
        local want=$1 error=$2 pid sum
        shift 2
        set_cmd 'sleep 1000'
        sum=$(sha256sum <"$SKIFF")
        "$@" --root "$ROOT" create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
        pid=$(pid_of "$CID")
        [[ "$(readlink /proc/$pid/exe)" == $want ]]
        # Seen from inside, through the container's own /proc, by a process strong enough to look
        # at its still privileged init (CAP_SYS_PTRACE).
        run skiff exec --cap CAP_SYS_PTRACE "$CID" readlink /proc/1/exe
        [ "$status" -eq 0 ]
        [[ "$output" == $want ]]
        run skiff exec --cap CAP_SYS_PTRACE "$CID" sh -c 'echo owned >/proc/1/exe'
        echo "$output"
        [ "$status" -ne 0 ]
        assert_output_contains "$error"
        [ "$(sha256sum <"$SKIFF")" = "$sum" ]
        skiff start "$CID"
        wait_status "$CID" running
}

@test "the init before start runs through a detached read-only mount of skiff the container cannot write" {
        # The mount's root is the binary itself: its path there is "/".
        check_init_exe / "Read-only file system" "$SKIFF"
}

@test "without the new mount API (before Linux 5.12), the init runs from a sealed memfd copy instead" {
        # The running copy refuses writers (ETXTBSY); its seals refuse them for good. (LeakSanitizer
        # cannot run under ptrace.)
        ASAN_OPTIONS=detect_leaks=0 check_init_exe '/memfd:skiff*' "Text file busy" \
                strace -qq -o /dev/null -e trace=open_tree -e inject=open_tree:error=ENOSYS "$SKIFF"
}

@test "a writable install switches to the read-only mount in place: no second exec of skiff" {
        # skiff's own exec, then the workload's, and none between. (LeakSanitizer cannot run under
        # ptrace.)
        run bash -c "ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=execve,execveat -o '$BATS_TEST_TMPDIR/trace' \\
                '$SKIFF' --root '$ROOT' run --bundle '$BUNDLE' '$CID'"
        cat "$BATS_TEST_TMPDIR/trace"
        [ "$status" -eq 0 ]
        [ "$(grep -c 'execve(' "$BATS_TEST_TMPDIR/trace")" -eq 2 ]
        ! grep -q 'execveat(' "$BATS_TEST_TMPDIR/trace" || false
        assert_nothing_left "$CID"
}

@test "where the kernel will not swap the exe link in place, the init runs through the mount by an exec" {
        # As without CONFIG_CHECKPOINT_RESTORE: prctl(PR_SET_MM) fails, and create executes itself
        # again through the read-only mount instead. (LeakSanitizer cannot run under ptrace.)
        ASAN_OPTIONS=detect_leaks=0 check_init_exe / "Read-only file system" \
                strace -qq -e trace=execveat -o "$BATS_TEST_TMPDIR/trace" "$REFUSE_SET_MM" "$SKIFF"
        cat "$BATS_TEST_TMPDIR/trace"
        grep -q 'execveat(.*AT_EMPTY_PATH) = 0' "$BATS_TEST_TMPDIR/trace"
}

# The init's /proc/PID/exe when skiff is installed write-protected ($1: ro-mount | immutable): the
# binary itself, no memfd copy; the container still cannot write it.
check_write_protected_install() {
        local dir=$BATS_TEST_TMPDIR/bin pid sum
        mkdir "$dir"
        cp "$SKIFF" "$dir/skiff"
        sum=$(sha256sum <"$dir/skiff")
        set_cmd 'sleep 1000'
        if [ "$1" = ro-mount ]; then
                # In a mount namespace of its own: the host never sees the read-only bind mount.
                unshare -m --propagation private sh -c 'd=$1; shift; mount --bind -o ro "$d" "$d" && exec "$d/skiff" "$@"' \
                        sh "$dir" --root "$ROOT" create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
        else
                chattr +i "$dir/skiff"
                "$dir/skiff" --root "$ROOT" create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
        fi
        pid=$(pid_of "$CID")
        [ "$(readlink /proc/$pid/exe)" = "$dir/skiff" ]
        run skiff exec --cap CAP_SYS_PTRACE "$CID" sh -c 'echo owned >/proc/1/exe'
        [ "$status" -ne 0 ]
        [ "$1" = ro-mount ] && assert_output_contains "Read-only file system"
        [ "$1" = immutable ] && assert_output_contains "Operation not permitted"
        chattr -i "$dir/skiff"
        [ "$(sha256sum <"$dir/skiff")" = "$sum" ]
        skiff start "$CID"
        wait_status "$CID" running
}

@test "skiff installed on a read-only mount runs the init from it, no copy; the container cannot write it" {
        check_write_protected_install ro-mount
}

@test "skiff installed immutable (chattr +i) runs the init from it, no copy; the container cannot write it" {
        check_write_protected_install immutable
}

@test "the joining process of exec runs through the read-only mount while it is visible in the container" {
        start_sleeper
        # Hold the joining process in its execve for 3 s, where the container can see it.
        # (LeakSanitizer cannot run under ptrace: off for an ASan build, nothing for others.)
        ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=execve -e inject=execve:delay_enter=3000000 \
                "$SKIFF" --root "$ROOT" exec "$CID" true &
        tracer=$!
        found=
        for i in $(seq 40); do
                sleep 0.25
                # Not the init (1), not this shell: a process whose exe is the mount's root, "/".
                run skiff exec "$CID" sh -c 'for p in /proc/[0-9]*; do
                        [ "${p#/proc/}" != 1 ] && [ "${p#/proc/}" != $$ ] && [ "$(readlink $p/exe)" = / ] &&
                                echo ${p#/proc/}; done'
                [ -n "$output" ] && { found=$output; break; }
        done
        echo "joining process: $found"
        [ -n "$found" ]
        jpid=${found%% *}
        run skiff exec "$CID" sh -c "echo owned >/proc/$jpid/exe"
        echo "$output"
        [ "$status" -ne 0 ]
        assert_output_contains "Read-only file system"
        wait $tracer
}

@test "exec in a container with a 10 MB memory limit: no copy of skiff is charged to it" {
        set_cmd 'sleep 1000'
        # runc's memfd copy OOM-killed containers with 10 MB. An ASan build's shadow memory needs more.
        limit=10485760
        ldd "$SKIFF" | grep -q libasan && limit=$((128 * 1048576))
        update_config --argjson l "$limit" '.linux.resources.memory.limit = $l'
        run_detached
        wait_status "$CID" running
        usage=/sys/fs/cgroup/memory/skiff-test/$CID/memory.usage_in_bytes
        [ -f "$usage" ]
        before=$(cat "$usage")
        run skiff exec "$CID" sh -c 'echo ok'
        [ "$status" -eq 0 ]
        [ "$output" = ok ]
        skiff exec --detach --pid-file "$BATS_TEST_TMPDIR/p" "$CID" sleep 1000
        during=$(cat "$usage")
        echo "container memory: before $before, with an exec'd process $during; skiff is $(stat -c %s "$SKIFF") bytes" >&3
        # Far less than a copy of the binary per process.
        [ $((during - before)) -lt $(stat -c %s "$SKIFF") ]
        # The copy's pages are the caller's: no shared memory is charged to the container.
        grep -qx "shmem 0" /sys/fs/cgroup/memory/skiff-test/$CID/memory.stat
}

@test "an exec'd process runs under the container's seccomp filter" {
        update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
        start_sleeper
        run skiff exec "$CID" sh -c 'mkdir /x; echo "rc=$?"; grep Seccomp: /proc/self/status'
        [ "$status" -eq 0 ]
        assert_output_contains "Operation not permitted"
        assert_output_contains "rc=1"
        assert_output_contains "Seccomp:	2"
        # Also with noNewPrivileges off, where the filter goes in before the capabilities drop.
        run skiff exec --process <(jq '.process | .args = ["mkdir", "/y"] | .noNewPrivileges = false' \
                "$BUNDLE/config.json") "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "Operation not permitted"
}

@test "exec takes the process defaults from the config as created, not from the bundle edited since" {
        update_config '.process.env += ["FROM=created"]'
        start_sleeper
        update_config '.process.env |= map(if startswith("FROM=") then "FROM=edited" else . end)'
        run skiff exec "$CID" sh -c 'echo "from=$FROM"'
        [ "$status" -eq 0 ]
        [ "$output" = "from=created" ]
}
