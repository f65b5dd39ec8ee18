# Shared by the config-*.bats suites: what the container gets from config.json, checked from inside.

load helpers

# Run `sh -c CMD` in the container to completion; bats' $status and $output hold the result.
run_in_container() { # run_in_container CMD [skiff run flags...]
        local cmd=$1
        shift
        set_cmd "$cmd"
        run skiff run "$@" --bundle "$BUNDLE" "$CID" </dev/null
}

# Fail with the output shown unless the last `run` exited 0.
assert_success() {
        [ "$status" -eq 0 ] && return 0
        echo "exit status $status, output: $output" >&2
        return 1
}

# A line of `$output` must be exactly $1.
assert_line_is() {
        local l
        for l in "${lines[@]}"; do
                [ "$l" = "$1" ] && return 0
        done
        echo "no line \"$1\" in: $output" >&2
        return 1
}

# The value of field $1 of /proc/self/status as the container printed it (tabs squeezed).
status_field() { # status_field NAME  (reads $output)
        printf '%s\n' "$output" | awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'
}

# No process of this test's containers is alive: their cmdlines name this test's --root
# (the init is a fork of `skiff create`, the shim is given --root).
assert_no_process_left() {
        local left
        # "${ROOT%?}[x]" matches ROOT but not this grep's own command line.
        left=$(grep -al -- "${ROOT%?}[${ROOT: -1}]" /proc/[0-9]*/cmdline 2>/dev/null || true)
        [ -z "$left" ] && return 0
        echo "process left behind: $left" >&2
        return 1
}

# The host's mount table names nothing of the bundle.
assert_no_mount_left() {
        if grep -F -- "$BUNDLE" /proc/self/mountinfo >&2; then
                echo "mount of the bundle left on the host" >&2
                return 1
        fi
}

# create must fail, its message naming $1, and leave nothing: no state dir, cgroup, process or mount.
assert_create_fails_with() { # assert_create_fails_with MESSAGE-PART
        run skiff create --bundle "$BUNDLE" "$CID" </dev/null
        if [ "$status" -eq 0 ]; then
                echo "create succeeded, expected: $1" >&2
                return 1
        fi
        assert_output_contains "$1"
        assert_nothing_left "$CID"
        assert_no_process_left
        assert_no_mount_left
}

# The init maps root to host uid 100000 before it bind-mounts the rootfs: that uid must be able to
# reach the bundle through bats' private temporary directories.
userns_config() {
        local d=$BUNDLE
        while [ "$d" != / ]; do
                chmod o+x "$d"
                d=$(dirname "$d")
        done
        chown -R 100000:100000 "$BUNDLE/rootfs"
        update_config '.linux.namespaces += [{"type": "user"}]
                       | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
                       | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}
