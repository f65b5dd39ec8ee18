#!/usr/bin/env bats
# linux.namespaces: new ones, joined ones (by path), user namespace maps, time offsets, uts names.

load config-helpers

teardown() {
        [ -z "${NETNS:-}" ] || ip netns delete "$NETNS" 2>/dev/null || true
        common_teardown
}

NS_TYPES="pid net ipc uts mnt cgroup"

# "TYPE:[inode]" for each namespace of /proc/$1, one a line.
ns_ids_of() {
        local t
        for t in $NS_TYPES; do
                echo "$t $(readlink "/proc/$1/ns/$t")"
        done
}

@test "every namespace listed is new, every one left out is the host's" {
        update_config '.linux.namespaces = [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}, {"type": "cgroup"}]'
        run_in_container 'for t in pid net ipc uts mnt cgroup; do echo "$t $(readlink /proc/self/ns/$t)"; done'
        assert_success
        while read -r t id; do
                case $t in
                net | ipc) assert_line_is "$t $id" ;;
                *) ! assert_line_is "$t $id" 2>/dev/null || { echo "$t namespace is the host's" >&2; false; } ;;
                esac
        done < <(ns_ids_of self)
}

@test "pid namespace: the workload is pid 1 and sees only its own processes" {
        run_in_container 'echo $$; ps -o pid= | wc -l'
        assert_success
        [ "${lines[0]}" = 1 ]
        [ "${lines[1]}" -le 3 ]
}

@test "network namespace: only a loopback device; without one, the host's devices" {
        run_in_container 'ls /sys/class/net'
        assert_success
        [ "$output" = lo ]
        update_config '.linux.namespaces |= map(select(.type != "network"))'
        run_in_container 'ls /sys/class/net | sort'
        assert_success
        [ "$output" = "$(ls /sys/class/net | sort)" ]
}

@test "uts namespace: hostname and domainname, and the host's stay as they were" {
        host_name=$(hostname)
        host_domain=$(cat /proc/sys/kernel/domainname)
        update_config '.hostname = "box.example" | .domainname = "example.org"'
        run_in_container 'hostname; cat /proc/sys/kernel/domainname'
        assert_success
        [ "${lines[0]}" = box.example ]
        [ "${lines[1]}" = example.org ]
        [ "$(hostname)" = "$host_name" ]
        [ "$(cat /proc/sys/kernel/domainname)" = "$host_domain" ]
}

@test "uts: a hostname without a uts namespace is refused, naming the field" {
        update_config '.hostname = "x" | .linux.namespaces |= map(select(.type != "uts"))'
        assert_create_fails_with "hostname: needs a uts namespace"
}

@test "ipc namespace: its sysctls are the container's own" {
        host_shmmni=$(cat /proc/sys/kernel/shmmni)
        update_config '.linux.sysctl = {"kernel.shmmni": "1234", "fs.mqueue.msg_max": "42"}'
        run_in_container 'cat /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max'
        assert_success
        [ "${lines[0]}" = 1234 ]
        [ "${lines[1]}" = 42 ]
        [ "$(cat /proc/sys/kernel/shmmni)" = "$host_shmmni" ]
}

@test "mount namespace is required" {
        update_config '.linux.namespaces |= map(select(.type != "mount"))'
        assert_create_fails_with "linux.namespaces: skiff needs a mount namespace"
}

@test "cgroup namespace: the container's cgroup is its root; without one, the host's path shows" {
        run_in_container 'cat /proc/self/cgroup'
        assert_success
        ! printf '%s\n' "$output" | grep -q "skiff-test" || false
        printf '%s\n' "$output" | grep -q ':memory:/$'
        update_config '.linux.namespaces |= map(select(.type != "cgroup"))'
        run_in_container 'cat /proc/self/cgroup'
        assert_success
        printf '%s\n' "$output" | grep -q ":memory:/skiff-test/$CID\$"
}

@test "user namespace: uidMappings and gidMappings are the container's uid_map and gid_map" {
        userns_config
        run_in_container 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; touch /made-inside; grep ^CapEff /proc/self/status'
        assert_success
        [ "$(echo ${lines[0]})" = "0 100000 65536" ]
        [ "$(echo ${lines[1]})" = "0 100000 65536" ]
        [ "${lines[2]}" = 0 ]
        [ "${lines[3]}" = 0 ]
        # root in the container is uid 100000 on the host.
        [ "$(stat -c %u:%g "$BUNDLE/rootfs/made-inside")" = 100000:100000 ]
        # Its capabilities are as configured (in its own namespace).
        [ "$(status_field CapEff)" = 0000000020000420 ]
}

@test "user namespace: /dev nodes come from the host (mknod is refused there) and work" {
        userns_config
        run_in_container 'for d in null zero full random urandom tty; do stat -c "%n %t,%T" /dev/$d; done;
                          echo x >/dev/null && echo null-ok; head -c 4 /dev/zero | wc -c; ls /sys/class/net'
        assert_success
        assert_line_is "/dev/null 1,3"
        assert_line_is "/dev/zero 1,5"
        assert_line_is "/dev/full 1,7"
        assert_line_is "/dev/random 1,8"
        assert_line_is "/dev/urandom 1,9"
        assert_line_is "/dev/tty 5,0"
        assert_line_is null-ok
        assert_line_is 4
        # sysfs of its own network namespace.
        assert_line_is lo
}

@test "user namespace: a non-root user with additionalGids gets them (setgroups is allowed)" {
        userns_config
        update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]}'
        run_in_container 'id -u; grep -E "^(Gid|Groups):" /proc/self/status'
        assert_success
        [ "${lines[0]}" = 1000 ]
        [ "$(status_field Gid)" = "1000 1000 1000 1000" ]
        [ "$(status_field Groups)" = "10 20" ]
}

@test "user namespace without a network namespace still gets a /sys" {
        userns_config
        update_config '.linux.namespaces |= map(select(.type != "network" and .type != "cgroup"))'
        run_in_container 'ls /sys/class/net | sort; grep " /sys " /proc/self/mountinfo'
        assert_success
        # The host's network devices, through a bind of the host's /sys.
        for dev in $(ls /sys/class/net); do
                assert_line_is "$dev"
        done
        printf '%s\n' "$output" | grep -q " /sys ro,"
}

@test "time namespace: timeOffsets shift the monotonic and boot clocks" {
        update_config '.linux.namespaces += [{"type": "time"}]
                       | .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0},
                                              "boottime": {"secs": 172800, "nanosecs": 500}}'
        host_up=$(cut -d. -f1 /proc/uptime)
        run_in_container 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
        assert_success
        [ "$(echo ${lines[0]})" = "monotonic 86400 0" ]
        [ "$(echo ${lines[1]})" = "boottime 172800 500" ]
        # uptime is the boot clock: two days ahead of the host's.
        [ "${lines[2]}" -ge $((host_up + 172800)) ]
        [ "${lines[2]}" -le $((host_up + 172800 + 30)) ]
}

@test "a network namespace path joins that namespace (ip netns)" {
        NETNS="skiff-$CID"
        ip netns add "$NETNS"
        ip -n "$NETNS" link set lo up
        want="net:[$(stat -L -c %i "/run/netns/$NETNS")]"
        update_config --arg p "/run/netns/$NETNS" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
        run_in_container 'readlink /proc/self/ns/net; ip -o link show lo'
        assert_success
        [ "${lines[0]}" = "$want" ]
        # The state the namespace had before: lo is up.
        [[ "${lines[1]}" == *"UP"* ]]
}

@test "namespace paths join another container's namespaces by /proc/PID/ns" {
        set_cmd 'hostname; sleep 100'
        create_detached first
        skiff start first
        first_pid=$(pid_of first)
        BUNDLE_FIRST=$BUNDLE
        update_config --arg p "/proc/$first_pid/ns" --arg cg "/skiff-test/$CID-second" 'del(.hostname)
                | .linux.cgroupsPath = $cg
                | .linux.namespaces = [{"type": "mount"}, {"type": "pid", "path": "\($p)/pid"},
                                       {"type": "network", "path": "\($p)/net"}, {"type": "ipc", "path": "\($p)/ipc"},
                                       {"type": "uts", "path": "\($p)/uts"}]'
        run_in_container 'for t in pid net ipc uts; do echo "$t $(readlink /proc/self/ns/$t)"; done; hostname; ps -o args='
        assert_success
        for t in pid net ipc uts; do
                assert_line_is "$t $(readlink /proc/$first_pid/ns/$t)"
        done
        assert_line_is skiff
        # In the first container's pid namespace: its sleep is visible.
        assert_line_is "sleep 100"
        # The mount namespace is still the second container's own.
        skiff kill first KILL
        wait_status first stopped
        skiff delete first
        [ "$BUNDLE_FIRST" = "$BUNDLE" ]
}

@test "a new namespace the init cannot make fails create, naming linux.namespaces, leaving nothing" {
        # The init makes its new mount, network, ipc and uts namespaces itself: its unshare fails as
        # on a host out of network namespaces. (LeakSanitizer cannot run under ptrace.)
        run bash -c "ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=unshare \\
                -e inject=unshare:error=ENOSPC:when=1 '$SKIFF' --root '$ROOT' create --bundle '$BUNDLE' '$CID' </dev/null"
        echo "$output"
        [ "$status" -ne 0 ]
        assert_output_contains "linux.namespaces: unshare the new namespaces: No space left on device"
        assert_nothing_left "$CID"
        assert_no_process_left
        assert_no_mount_left
}

@test "a namespace path that cannot be joined fails create, naming linux.namespaces, leaving nothing" {
        update_config '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/ns/net" else . end)'
        assert_create_fails_with "linux.namespaces: open network namespace /nonexistent/ns/net"
        # A file that is not a namespace of that type.
        update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/uts" else . end)'
        assert_create_fails_with "linux.namespaces: join network namespace /proc/self/ns/uts"
}
