#!/usr/bin/env bats
# OCI hooks: each kind runs at its point of the lifecycle, in the namespaces the runtime spec says,
# with the state on stdin; a failing one fails its operation (poststop only warns).

load helpers

# A hook that records its kind, the state it was given and the namespaces it runs in. It lives in
# the rootfs so that startContainer (run after pivot_root) finds it at /bin/recorder, and the others
# at its host path; it writes to /hooks.log of the rootfs, which it is given as an argument.
setup() {
        common_setup
        cat >"$BUNDLE/rootfs/bin/recorder" <<'SH'
#!/bin/sh
kind=$1 log=$2
state=$(cat)
field() { printf '%s' "$state" | sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"; }
echo "$kind status=$(field status) pid=$(field pid) id=$(field id) env=${HOOK_ENV:-unset} mnt=$(readlink /proc/self/ns/mnt) net=$(readlink /proc/self/ns/net)" >>"$log"
SH
        chmod +x "$BUNDLE/rootfs/bin/recorder"
        LOG="$BUNDLE/rootfs/hooks.log"
        HOST_MNT=$(readlink /proc/self/ns/mnt)
        HOST_NET=$(readlink /proc/self/ns/net)
}

# hook KIND: one recorder hook of that kind, as JSON.
hook() {
        local kind=$1 path="$BUNDLE/rootfs/bin/recorder" log="$LOG"
        if [ "$kind" = startContainer ]; then
                path=/bin/recorder log=/hooks.log
        fi
        jq -n --arg p "$path" --arg k "$kind" --arg l "$log" \
                '{path: $p, args: ["recorder", $k, $l], env: ["HOOK_ENV=set-for-\($k)", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}'
}

all_hooks() {
        local k hooks='{}'
        for k in prestart createRuntime createContainer startContainer poststart poststop; do
                hooks=$(jq --arg k "$k" --argjson h "$(hook "$k")" '.[$k] = [$h]' <<<"$hooks")
        done
        update_config --argjson h "$hooks" '.hooks = $h'
}

line_of() { grep "^$1 " "$LOG"; }

@test "hooks: every kind runs once, in lifecycle order, with the state and its own argv and env" {
        all_hooks
        set_cmd 'sleep 30'
        create_detached
        pid=$(pid_of "$CID")
        skiff start "$CID"
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
        skiff delete "$CID"
        run cut -d' ' -f1 "$LOG"
        [ "$output" = "$(printf 'prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststop')" ]
        for k in prestart createRuntime createContainer startContainer poststart poststop; do
                line_of "$k" | grep -q " id=$CID "
                line_of "$k" | grep -q " env=set-for-$k "
        done
        line_of prestart | grep -q " status=creating pid=$pid "
        line_of createRuntime | grep -q " status=creating pid=$pid "
        line_of createContainer | grep -q " status=creating pid=$pid "
        line_of startContainer | grep -q " status=created pid=$pid "
        line_of poststart | grep -q " status=running pid=$pid "
        line_of poststop | grep -q " status=stopped "
        assert_nothing_left "$CID"
}

@test "hooks: createRuntime, prestart, poststart and poststop run in the runtime's namespaces; createContainer and startContainer in the container's" {
        all_hooks
        set_cmd 'sleep 30'
        create_detached
        pid=$(pid_of "$CID")
        cont_mnt=$(readlink /proc/$pid/ns/mnt)
        cont_net=$(readlink /proc/$pid/ns/net)
        [ "$cont_mnt" != "$HOST_MNT" ] && [ "$cont_net" != "$HOST_NET" ]
        skiff start "$CID"
        skiff delete --force "$CID"
        cat "$LOG"
        echo "host: $HOST_MNT $HOST_NET container: $cont_mnt $cont_net"
        for k in prestart createRuntime poststart poststop; do
                line_of "$k" | grep -qF " mnt=$HOST_MNT net=$HOST_NET"
        done
        for k in createContainer startContainer; do
                line_of "$k" | grep -qF " mnt=$cont_mnt net=$cont_net"
        done
}

@test "hooks: createContainer runs before pivot_root (it sees the host's files), startContainer after it" {
        update_config --arg p "$BUNDLE/rootfs/bin/sh" --arg f "$BATS_TEST_TMPDIR" '.hooks = {
                createContainer: [{path: $p, args: ["sh", "-c", "[ -d \($f) ] && [ -e /proc/self/ns/mnt ] && touch \($f)/cc-saw-host"]}],
                startContainer: [{path: "/bin/sh", args: ["sh", "-c", "[ ! -d \($f) ] && touch /sc-saw-container"]}]}'
        set_cmd '[ -e /sc-saw-container ] && echo "start hook ran first"'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        [ -e "$BATS_TEST_TMPDIR/cc-saw-host" ]
        assert_output_contains "start hook ran first"
}

# fail_hook KIND: a hook of that kind exiting 3.
fail_hook() {
        local path="$BUNDLE/rootfs/bin/sh"
        [ "$1" = startContainer ] && path=/bin/sh
        update_config --arg k "$1" --arg p "$path" '.hooks = {($k): [{path: $p, args: ["sh", "-c", "echo hook-stderr >&2; exit 3"]}]}'
}

@test "hooks: a failing prestart, createRuntime or createContainer hook fails create, leaving nothing" {
        for k in prestart createRuntime createContainer; do
                fail_hook "$k"
                run skiff create --bundle "$BUNDLE" "$CID"
                [ "$status" -ne 0 ]
                assert_output_contains "hooks.$k[0]: $BUNDLE/rootfs/bin/sh exited with status 3"
                assert_output_contains "hook-stderr"
                assert_nothing_left "$CID"
        done
}

@test "hooks: a failing startContainer hook fails start and the user program never runs" {
        fail_hook startContainer
        set_cmd 'touch /program-ran'
        create_detached
        run skiff start "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "user program ran"
        wait_status "$CID" stopped
        [ ! -e "$BUNDLE/rootfs/program-ran" ]
        grep -q "hooks.startContainer\[0\]: /bin/sh exited with status 3" "$BATS_TEST_TMPDIR/$CID.err"
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "hooks: a failing poststart hook fails start and stops the container" {
        fail_hook poststart
        set_cmd 'sleep 30'
        create_detached
        run skiff start "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "hooks.poststart[0]: $BUNDLE/rootfs/bin/sh exited with status 3"
        wait_status "$CID" stopped
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "hooks: a workload that exits at once has started: poststart runs and run gets its code" {
        update_config --argjson h "$(hook poststart)" '.hooks.poststart = [$h]'
        set_cmd 'exit 5'
        # strace makes start's wait for the exec (its second poll) time out 0.3 s late, by when the
        # workload has exited. (LeakSanitizer cannot run under ptrace.)
        run bash -c "ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null -e trace=poll \\
                -e inject=poll:retval=0:delay_exit=300000:when=2 '$SKIFF' --root '$ROOT' run --bundle '$BUNDLE' '$CID'"
        echo "$output"
        [ "$status" -eq 5 ]
        [ "$(cut -d' ' -f1 "$LOG")" = poststart ]
        assert_nothing_left "$CID"
}

@test "hooks: a failing poststop hook only warns: delete succeeds and leaves nothing" {
        fail_hook poststop
        set_cmd 'true'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        assert_output_contains "skiff: warning: hooks.poststop[0]: $BUNDLE/rootfs/bin/sh exited with status 3"
        assert_nothing_left "$CID"

        create_detached
        run skiff delete --force "$CID"
        [ "$status" -eq 0 ]
        assert_output_contains "warning: hooks.poststop[0]"
        assert_nothing_left "$CID"
}

@test "hooks: a hook that outlives its timeout is killed with what it started, and fails create" {
        update_config --arg p "$BUNDLE/rootfs/bin/sh" '.hooks.createRuntime = [{path: $p,
                args: ["sh", "-c", "sleep 37.1 & sleep 37.2; echo never"], timeout: 1}]'
        start=$(date +%s)
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        [ $(($(date +%s) - start)) -lt 10 ]
        assert_output_contains "hooks.createRuntime[0]: $BUNDLE/rootfs/bin/sh timed out after 1 s and was killed"
        [[ "$output" != *never* ]]
        assert_nothing_left "$CID"
        ! pgrep -f "sleep 37.[12]" || false
}

@test "hooks: bad hook config fails create naming the field" {
        update_config '.hooks.poststart = [{"path": "relative/hook"}]'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains 'hooks.poststart[0].path: "relative/hook" is not an absolute path'
        assert_nothing_left "$CID"

        update_config '.hooks.poststart = [{"path": "/bin/true", "timeout": 0}]'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains 'hooks.poststart[0].timeout: 0 is not a number of seconds above zero'

        update_config '.hooks.poststart = [{"path": "/no/such/hook"}]'
        set_cmd 'sleep 30'
        create_detached
        run skiff start "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains 'hooks.poststart[0]: /no/such/hook could not be executed'
}

@test "hooks/netns-veth: the container gets a veth with the address, reachable from the host" {
        update_config --arg p "$TOP/hooks/netns-veth" '.hooks.createRuntime = [{path: $p,
                args: ["netns-veth", "10.231.7.2/24", "10.231.7.1/24"], env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}]'
        set_cmd 'ip addr show eth0; ip link show lo; sleep 30'
        create_detached
        pid=$(pid_of "$CID")
        skiff start "$CID"
        sleep 0.3
        grep -q "inet 10.231.7.2/24" "$BATS_TEST_TMPDIR/$CID.out"
        grep -q "lo: <LOOPBACK,UP" "$BATS_TEST_TMPDIR/$CID.out"
        ip addr show "sk$pid" | grep -q "inet 10.231.7.1/24"
        "$BUNDLE/rootfs/bin/ping" -c 1 -W 2 10.231.7.2 >/dev/null
        skiff delete --force "$CID"
        ! ip link show "sk$pid" 2>/dev/null || false
}
