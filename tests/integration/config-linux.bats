#!/usr/bin/env bats
# /dev (default devices, symlinks, linux.devices), linux.sysctl and linux.personality.

load config-helpers

@test "/dev has the default devices with mode 0666 and the standard symlinks" {
        run_in_container 'for d in null zero full random urandom tty; do stat -c "%n %F %t,%T %a %u:%g" /dev/$d; done;
                          for l in fd stdin stdout stderr ptmx; do echo "/dev/$l -> $(readlink /dev/$l)"; done;
                          echo hi >/dev/null && head -c 3 /dev/zero | wc -c && ls /dev/fd/ | head -1'
        assert_success
        assert_line_is "/dev/null character special file 1,3 666 0:0"
        assert_line_is "/dev/zero character special file 1,5 666 0:0"
        assert_line_is "/dev/full character special file 1,7 666 0:0"
        assert_line_is "/dev/random character special file 1,8 666 0:0"
        assert_line_is "/dev/urandom character special file 1,9 666 0:0"
        assert_line_is "/dev/tty character special file 5,0 666 0:0"
        assert_line_is "/dev/fd -> /proc/self/fd"
        assert_line_is "/dev/stdin -> /proc/self/fd/0"
        assert_line_is "/dev/stdout -> /proc/self/fd/1"
        assert_line_is "/dev/stderr -> /proc/self/fd/2"
        assert_line_is "/dev/ptmx -> pts/ptmx"
        assert_line_is 3
        assert_line_is 0
}

@test "linux.devices: character, block, fifo and unbuffered nodes with fileMode, uid and gid" {
        update_config '.linux.devices = [
                {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 384, "uid": 1000, "gid": 1001},
                {"path": "/dev/disks/loop9", "type": "b", "major": 7, "minor": 9, "fileMode": 432},
                {"path": "/dev/myfifo", "type": "p", "fileMode": 420},
                {"path": "/dev/unbuf", "type": "u", "major": 1, "minor": 3}]'
        run_in_container 'for d in /dev/fuse /dev/disks/loop9 /dev/myfifo /dev/unbuf; do stat -c "%n %F %t,%T %a %u:%g" $d; done'
        assert_success
        assert_line_is "/dev/fuse character special file a,e5 600 1000:1001"
        assert_line_is "/dev/disks/loop9 block special file 7,9 660 0:0"
        assert_line_is "/dev/myfifo fifo 0,0 644 0:0"
        assert_line_is "/dev/unbuf character special file 1,3 666 0:0"
}

@test "linux.devices replaces a default device of the same path" {
        update_config '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 384, "uid": 5}]'
        run_in_container 'stat -c "%a %u" /dev/null'
        assert_success
        [ "$output" = "600 5" ]
}

@test "linux.devices: a path through a symlink out of the rootfs makes the node inside it" {
        ln -s /etc "$BUNDLE/rootfs/devlink"
        update_config '.linux.devices = [{"path": "/devlink/skiff-evil-null", "type": "c", "major": 1, "minor": 3}]'
        run_in_container 'stat -c "%F" /etc/skiff-evil-null'
        assert_success
        [ "$output" = "character special file" ]
        [ -c "$BUNDLE/rootfs/etc/skiff-evil-null" ]
        [ ! -e /etc/skiff-evil-null ]
}

@test "linux.devices with a bad type or without major/minor is refused before anything runs" {
        update_config '.linux.devices = [{"path": "/dev/x", "type": "z", "major": 1, "minor": 3}]'
        assert_create_fails_with 'linux.devices[0].type: "z" is not one of c, b, u, p'
        update_config '.linux.devices = [{"path": "/dev/x", "type": "c"}]'
        assert_create_fails_with "linux.devices[0]: a device of type c needs major and minor"
        update_config '.linux.devices = [{"path": "dev/x", "type": "c", "major": 1, "minor": 3}]'
        assert_create_fails_with 'linux.devices[0].path: "dev/x" is not an absolute path'
}

@test "linux.sysctl: namespaced keys are set in the container only" {
        host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
        update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.ping_group_range": "0 0", "kernel.msgmax": "4096"}'
        run_in_container 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax; tr "\t" " " </proc/sys/net/ipv4/ping_group_range'
        assert_success
        [ "$output" = "$(printf '1\n4096\n0 0')" ]
        [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_forward" ]
}

@test "linux.sysctl: a key outside the container's namespaces is rejected, naming it, leaving nothing" {
        host_panic=$(cat /proc/sys/kernel/panic)
        update_config '.linux.sysctl = {"kernel.panic": "99"}'
        assert_create_fails_with 'linux.sysctl: "kernel.panic" is not in a namespace of the container'
        [ "$(cat /proc/sys/kernel/panic)" = "$host_panic" ]
        # net.* without the container's own network namespace would change the host's.
        update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))'
        assert_create_fails_with 'linux.sysctl: "net.ipv4.ip_forward" is not in a namespace of the container'
        # A key that climbs out of /proc/sys/net.
        update_config '.linux.sysctl = {"net/../kernel/panic": "99"}'
        assert_create_fails_with 'linux.sysctl: "net/../kernel/panic"'
        [ "$(cat /proc/sys/kernel/panic)" = "$host_panic" ]
}

@test "linux.sysctl: a key the kernel does not have fails create, naming it" {
        update_config '.linux.sysctl = {"net.ipv4.no_such_knob": "1"}'
        assert_create_fails_with "linux.sysctl: net.ipv4.no_such_knob"
}

@test "linux.personality: LINUX32 makes uname report a 32-bit machine; LINUX the native one" {
        update_config '.linux.personality = {"domain": "LINUX32"}'
        run_in_container 'uname -m'
        assert_success
        [ "$output" = i686 ]
        update_config '.linux.personality = {"domain": "LINUX"}'
        run_in_container 'uname -m'
        assert_success
        [ "$output" = "$(uname -m)" ]
        update_config '.linux.personality = {"domain": "LINUX64"}'
        assert_create_fails_with 'linux.personality.domain: "LINUX64" is not LINUX or LINUX32'
}
