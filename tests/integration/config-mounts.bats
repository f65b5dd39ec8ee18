#!/usr/bin/env bats
# root and mounts: types, options, bind and rbind, propagation, recursive attributes, read-only root,
# masked and read-only paths, targets that must stay inside the rootfs, pivot_root and --no-pivot.

load config-helpers

setup() {
        common_setup
        HOST_MOUNTS=()
}

teardown() {
        local m i
        common_teardown
        # Unmount what the test mounted on the host, innermost first.
        for ((i = ${#HOST_MOUNTS[@]} - 1; i >= 0; i--)); do
                umount -l "${HOST_MOUNTS[$i]}" 2>/dev/null || true
        done
}

host_mount() { # host_mount ARGS... TARGET: a mount on the host that teardown removes
        mount "$@"
        HOST_MOUNTS+=("${!#}")
}

# The mount options (field 6) of the container's mount at $1, from a mountinfo in $output.
opts_of() {
        printf '%s\n' "$output" | awk -v m="$1" '$5 == m { print $6 }' | tail -1
}

# A volume directory with a file, and a tmpfs submount holding another.
make_volume() {
        VOL="$BATS_TEST_TMPDIR/vol"
        mkdir -p "$VOL/sub"
        echo top >"$VOL/file"
        host_mount -t tmpfs tmpfs "$VOL/sub"
        echo sub >"$VOL/sub/file"
}

@test "the default mounts: proc, /dev tmpfs, devpts, shm, mqueue, sysfs, cgroup, with their options" {
        run_in_container 'cat /proc/self/mountinfo'
        assert_success
        printf '%s\n' "$output" | awk '{ print $5, $6, $(NF-2) }' >"$BATS_TEST_TMPDIR/table"
        grep -qx '/proc rw,nosuid,nodev,noexec,relatime proc' "$BATS_TEST_TMPDIR/table"
        grep -qx '/dev rw,nosuid tmpfs' "$BATS_TEST_TMPDIR/table"
        grep -qx '/dev/pts rw,nosuid,noexec,relatime devpts' "$BATS_TEST_TMPDIR/table"
        grep -qx '/dev/shm rw,nosuid,nodev,noexec,relatime tmpfs' "$BATS_TEST_TMPDIR/table"
        grep -qx '/dev/mqueue rw,nosuid,nodev,noexec,relatime mqueue' "$BATS_TEST_TMPDIR/table"
        grep -qx '/sys ro,nosuid,nodev,noexec,relatime sysfs' "$BATS_TEST_TMPDIR/table"
        grep -qx '/sys/fs/cgroup ro,nosuid,nodev,noexec,relatime tmpfs' "$BATS_TEST_TMPDIR/table"
        grep -qx '/sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime cgroup' "$BATS_TEST_TMPDIR/table"
        # devpts options reach the kernel as data.
        printf '%s\n' "$output" | grep ' /dev/pts ' | grep -q 'ptmxmode=666'
}

@test "tmpfs with ro, nosuid, nodev, noexec and data options; atime flags" {
        update_config '.mounts += [
                {"destination": "/m/ro", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "nosuid", "nodev", "noexec", "size=1m", "mode=700"]},
                {"destination": "/m/rw", "type": "tmpfs", "source": "tmpfs", "options": ["rw", "exec", "suid", "dev"]},
                {"destination": "/m/strict", "type": "tmpfs", "source": "tmpfs", "options": ["strictatime"]},
                {"destination": "/m/noatime", "type": "tmpfs", "source": "tmpfs", "options": ["noatime", "nodiratime"]},
                {"destination": "/m/relatime", "type": "tmpfs", "source": "tmpfs", "options": ["relatime"]}]'
        run_in_container 'cat /proc/self/mountinfo; stat -c "%a" /m/ro; touch /m/ro/x 2>&1; touch /m/rw/x && echo rw-ok'
        assert_success
        [ "$(opts_of /m/ro)" = ro,nosuid,nodev,noexec,relatime ]
        printf '%s\n' "$output" | grep ' /m/ro ' | grep -q 'size=1024k,mode=700'
        [ "$(opts_of /m/rw)" = rw,relatime ]
        [ "$(opts_of /m/strict)" = rw ]
        [ "$(opts_of /m/noatime)" = rw,noatime,nodiratime ]
        [ "$(opts_of /m/relatime)" = rw,relatime ]
        assert_line_is 700
        assert_output_contains "touch: /m/ro/x: Read-only file system"
        assert_line_is rw-ok
}

@test "mqueue and devpts: /dev/ptmx and a pty work" {
        run_in_container 'ls -l /dev/ptmx; ls /dev/pts; ls /dev/mqueue && echo mqueue-ok; grep " /dev/mqueue " /proc/self/mountinfo | cut -d" " -f9'
        assert_success
        assert_output_contains "/dev/ptmx -> pts/ptmx"
        assert_line_is ptmx
        assert_line_is mqueue-ok
        assert_line_is mqueue
}

@test "bind shows the source without its submounts; rbind with them" {
        make_volume
        update_config --arg v "$VOL" '.mounts += [
                {"destination": "/bind", "type": "bind", "source": $v, "options": ["bind"]},
                {"destination": "/rbind", "type": "bind", "source": $v, "options": ["rbind"]},
                {"destination": "/none", "type": "none", "source": $v, "options": ["rbind"]}]'
        run_in_container 'cat /bind/file /rbind/file /rbind/sub/file /none/sub/file; ls /bind/sub | wc -l'
        assert_success
        [ "$output" = "$(printf 'top\ntop\nsub\nsub\n0')" ]
}

@test "bind of a single file, and a relative source resolved against the bundle" {
        echo "from bundle" >"$BUNDLE/data.txt"
        update_config '.mounts += [{"destination": "/etc/data.txt", "type": "bind", "source": "data.txt", "options": ["bind", "ro"]}]'
        run_in_container 'cat /etc/data.txt; echo x >/etc/data.txt 2>&1'
        assert_output_contains "from bundle"
        assert_output_contains "Read-only file system"
        [ "$(cat "$BUNDLE/data.txt")" = "from bundle" ]
}

@test "ro on an rbind covers the top mount only; rro covers every submount (mount_setattr)" {
        make_volume
        update_config --arg v "$VOL" '.mounts += [
                {"destination": "/ro", "type": "bind", "source": $v, "options": ["rbind", "ro"]},
                {"destination": "/rro", "type": "bind", "source": $v, "options": ["rbind", "rro"]},
                {"destination": "/rnoexec", "type": "bind", "source": $v, "options": ["rbind", "rnosuid", "rnodev", "rnoexec"]}]'
        run_in_container 'cat /proc/self/mountinfo; for d in /ro /ro/sub /rro /rro/sub; do touch $d/new 2>/dev/null && echo "$d writable" || echo "$d read-only"; done'
        assert_success
        assert_line_is "/ro read-only"
        assert_line_is "/ro/sub writable"
        assert_line_is "/rro read-only"
        assert_line_is "/rro/sub read-only"
        [ "$(opts_of /rro/sub)" = ro,relatime ]
        [ "$(opts_of /rnoexec)" = rw,nosuid,nodev,noexec,relatime ]
        [ "$(opts_of /rnoexec/sub)" = rw,nosuid,nodev,noexec,relatime ]
        [ -e "$VOL/sub/new" ] && [ ! -e "$VOL/new" ]
}

@test "propagation: rslave sees the host's later mounts, private does not" {
        make_volume
        host_mount --bind "$VOL" "$VOL"
        mount --make-shared "$VOL"
        update_config --arg v "$VOL" '.mounts += [
                {"destination": "/slave", "type": "bind", "source": $v, "options": ["rbind", "rslave"]},
                {"destination": "/private", "type": "bind", "source": $v, "options": ["rbind", "rprivate"]}]'
        set_cmd 'sleep 100'
        create_detached
        skiff start "$CID"
        pid=$(pid_of "$CID")
        mkdir -p "$VOL/late"
        host_mount -t tmpfs late "$VOL/late"
        grep -q ' /slave/late ' "/proc/$pid/mountinfo"
        ! grep -q ' /private/late ' "/proc/$pid/mountinfo" || false
        grep ' /slave ' "/proc/$pid/mountinfo" | grep -q 'master:'
}

@test "propagation: rshared with rootfsPropagation rshared carries the container's mounts to the host" {
        make_volume
        host_mount --bind "$VOL" "$VOL"
        mount --make-shared "$VOL"
        mkdir -p "$VOL/from-container"
        update_config --arg v "$VOL" '.mounts += [{"destination": "/shared", "type": "bind", "source": $v, "options": ["rbind", "rshared"]}]
                | .linux.rootfsPropagation = "rshared"
                | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
                | .process.capabilities.permitted += ["CAP_SYS_ADMIN"] | del(.linux.seccomp)'
        run_in_container 'mount -t tmpfs fromc /shared/from-container && echo mounted; grep " / " /proc/self/mountinfo'
        assert_success
        assert_line_is mounted
        HOST_MOUNTS+=("$VOL/from-container")
        grep -q " $VOL/from-container " /proc/self/mountinfo
        # The rootfs itself never shows on the host.
        assert_no_mount_left
}

@test "without rootfsPropagation the container's mounts never reach the host, even on a shared volume" {
        make_volume
        host_mount --bind "$VOL" "$VOL"
        mount --make-shared "$VOL"
        mkdir -p "$VOL/from-container"
        update_config --arg v "$VOL" '.mounts += [{"destination": "/shared", "type": "bind", "source": $v, "options": ["rbind", "rshared"]}]
                | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
                | .process.capabilities.permitted += ["CAP_SYS_ADMIN"] | del(.linux.seccomp)'
        run_in_container 'mount -t tmpfs fromc /shared/from-container && echo mounted'
        assert_success
        assert_line_is mounted
        ! grep -q " $VOL/from-container " /proc/self/mountinfo || false
}

@test "rootfsPropagation sets the propagation of the container's /" {
        for p in private rprivate slave rslave shared rshared unbindable runbindable; do
                update_config --arg p "$p" '.linux.rootfsPropagation = $p'
                run_in_container 'awk "\$5 == \"/\"" /proc/self/mountinfo'
                assert_success
                case $p in
                *shared) [[ "$output" == *" shared:"* ]] ;;
                *unbindable) [[ "$output" == *" unbindable "* ]] ;;
                *) [[ "$output" != *" shared:"* ]] ;;
                esac
        done
}

@test "root.readonly: / is read-only (EROFS), its flags kept, tmpfs mounts stay writable" {
        update_config '.root.readonly = true'
        run_in_container 'touch /newfile 2>&1; touch /dev/shm/x && echo shm-ok; cat /proc/self/mountinfo'
        assert_output_contains "touch: /newfile: Read-only file system"
        assert_line_is shm-ok
        [ "$(opts_of /)" = ro,relatime ]
        [ ! -e "$BUNDLE/rootfs/newfile" ]
        # Only the container's view: the bundle's rootfs is still writable from the host.
        touch "$BUNDLE/rootfs/host-can-write"
}

@test "readonlyPaths are read-only and keep nosuid, nodev, noexec; maskedPaths are empty" {
        update_config '.linux.readonlyPaths = ["/proc/sys", "/proc/bus", "/no/such/path"]
                       | .linux.maskedPaths = ["/proc/timer_list", "/sys/firmware", "/proc/no-such-file"]'
        run_in_container 'cat /proc/self/mountinfo; echo h >/proc/sys/kernel/hostname 2>&1; wc -c </proc/timer_list; ls /sys/firmware | wc -l'
        assert_success
        [ "$(opts_of /proc/sys)" = ro,nosuid,nodev,noexec,relatime ]
        [ "$(opts_of /proc/bus)" = ro,nosuid,nodev,noexec,relatime ]
        assert_output_contains "/proc/sys/kernel/hostname: Read-only file system"
        [ "${lines[-2]}" = 0 ]
        [ "${lines[-1]}" = 0 ]
        [ "$(opts_of /sys/firmware)" = ro,nosuid,nodev,noexec,relatime ]
}

@test "a mount target through a symlink to /etc lands inside the rootfs; the host's /etc is untouched" {
        before=$(ls -la --time-style=full-iso /etc | md5sum)
        host_lines=$(wc -l </proc/self/mountinfo)
        rmdir "$BUNDLE/rootfs/proc"
        ln -s /etc "$BUNDLE/rootfs/proc"
        run_in_container 'grep " /etc " /proc/self/mountinfo | cut -d" " -f5,9; cat /etc/sys/kernel/ostype'
        assert_success
        assert_line_is "/etc proc"
        assert_line_is Linux
        [ "$(ls -la --time-style=full-iso /etc | md5sum)" = "$before" ]
        [ "$(wc -l </proc/self/mountinfo)" -eq "$host_lines" ]
        ! grep -q ' /etc ' /proc/self/mountinfo || false
}

@test "a mount target through ../../../etc or an absolute symlink in a parent stays inside the rootfs" {
        before=$(ls -la --time-style=full-iso /etc /root | md5sum)
        rmdir "$BUNDLE/rootfs/proc"
        ln -s ../../../../../../../../etc "$BUNDLE/rootfs/proc"
        ln -s /root "$BUNDLE/rootfs/data"
        update_config '.mounts += [{"destination": "/data/skiff-escape", "type": "tmpfs", "source": "tmpfs"},
                                   {"destination": "/../../../tmp/skiff-dotdot", "type": "tmpfs", "source": "tmpfs"}]'
        run_in_container 'cut -d" " -f5 /proc/self/mountinfo'
        assert_success
        assert_line_is /etc
        assert_line_is /root/skiff-escape
        assert_line_is /tmp/skiff-dotdot
        [ -d "$BUNDLE/rootfs/root/skiff-escape" ] && [ -d "$BUNDLE/rootfs/tmp/skiff-dotdot" ]
        [ ! -e /root/skiff-escape ] && [ ! -e /tmp/skiff-dotdot ]
        [ "$(ls -la --time-style=full-iso /etc /root | md5sum)" = "$before" ]
        ! grep -qE ' (/etc|/root|/tmp/skiff-dotdot)[ /]' /proc/self/mountinfo || false
}

@test "a bind mount's source may be a symlink on the host; its target still resolves inside" {
        make_volume
        ln -s "$VOL" "$BATS_TEST_TMPDIR/vol-link"
        ln -s /tmp "$BUNDLE/rootfs/link-to-tmp"
        update_config --arg v "$BATS_TEST_TMPDIR/vol-link" --arg d "/link-to-tmp/skiff-$CID" \
                '.mounts += [{"destination": $d, "type": "bind", "source": $v, "options": ["rbind"]}]'
        run_in_container "cat /tmp/skiff-$CID/file /tmp/skiff-$CID/sub/file"
        assert_success
        [ "$output" = "$(printf 'top\nsub')" ]
        [ -d "$BUNDLE/rootfs/tmp/skiff-$CID" ]
        [ ! -e "/tmp/skiff-$CID" ]
}

@test "--no-pivot: a rootfs on a ramfs mount runs with MS_MOVE + chroot" {
        ram="$BATS_TEST_TMPDIR/ram"
        mkdir -p "$ram"
        host_mount -t ramfs ramfs "$ram"
        cp -a "$BUNDLE/rootfs" "$ram/rootfs"
        update_config --arg r "$ram/rootfs" '.root.path = $r'
        run_in_container 'awk "\$5 == \"/\" { print \$4, \$9 }" /proc/self/mountinfo; ls /; echo ok' --no-pivot
        assert_success
        assert_line_is "/rootfs ramfs"
        assert_line_is bin
        assert_line_is ok
        # The same rootfs also pivots (it is a bind mount of its own first).
        run_in_container 'awk "\$5 == \"/\" { print \$4, \$9 }" /proc/self/mountinfo'
        assert_success
        [ "$output" = "/rootfs ramfs" ]
        [ "$(grep -c " $ram" /proc/self/mountinfo)" -eq 1 ]
}

@test "pivot_root: nothing of the host's root stays reachable in the container's mount table" {
        run_in_container 'cut -d" " -f5 /proc/self/mountinfo'
        assert_success
        # Every mount the container sees is its own: no host mount such as /boot or /run leaks in.
        for m in "${lines[@]}"; do
                case $m in
                / | /proc* | /dev* | /sys*) ;;
                *) echo "unexpected mount $m" >&2; false ;;
                esac
        done
}

@test "a mount the kernel refuses fails create, naming the mount, leaving nothing" {
        update_config '.mounts += [{"destination": "/bad", "type": "tmpfs", "source": "tmpfs", "options": ["no-such-option=1"]}]'
        assert_create_fails_with "mounts[7] (/bad): mount tmpfs"
        update_config '.mounts[7] = {"destination": "/bad", "type": "bind", "source": "/no/such/source", "options": ["rbind"]}'
        assert_create_fails_with "mounts[7] (/bad)"
}

# An idmapped mount shows a file owned by containerID on disk as owned by hostID: the mapping of a
# user namespace, so that with the container's own mappings, files owned by root on disk are the
# container's root's. A source with files of uid/gid 0 and 5, and another dir of 0s beside it.
idmap_source() {
        SRC=$BATS_TEST_TMPDIR/src
        mkdir -p "$SRC/sub" "$BATS_TEST_TMPDIR/other"
        touch "$SRC/f" "$SRC/five" "$BATS_TEST_TMPDIR/other/g"
        chown 5:5 "$SRC/five"
}

@test "mounts: idmap with the mount's uidMappings/gidMappings shows disk 0 as 1000, disk 5 as 1005" {
        idmap_source
        update_config --arg src "$SRC" '.mounts += [{"destination": "/m", "type": "bind", "source": $src,
                "options": ["bind", "idmap"],
                "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
                "gidMappings": [{"containerID": 0, "hostID": 2000, "size": 10}]},
                {"destination": "/p", "type": "bind", "source": $src, "options": ["bind"]}]'
        set_cmd 'stat -c "%u:%g" /m/f /m/five /p/f'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        [ "${lines[*]}" = "1000:2000 1005:2005 0:0" ]
        # The tree was made on the host but never attached there.
        ! grep -qF "$SRC" /proc/self/mountinfo || false
}

@test "mounts: ridmap maps the submounts of an rbind too; idmap maps only the top" {
        idmap_source
        host_mount --bind "$BATS_TEST_TMPDIR/other" "$SRC/sub"
        update_config --arg src "$SRC" '.mounts += [
                {"destination": "/r", "type": "bind", "source": $src, "options": ["rbind", "ridmap"],
                 "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
                 "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]},
                {"destination": "/i", "type": "bind", "source": $src, "options": ["rbind", "idmap"],
                 "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
                 "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]}]'
        set_cmd 'stat -c "%u" /r/f /r/sub/g /i/f /i/sub/g'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        [ "${lines[*]}" = "1000 1000 1000 0" ]
}

@test "mounts: idmap without mappings takes the container's: root's files on disk are the container root's" {
        idmap_source
        update_config --arg src "$SRC" '.mounts += [
                {"destination": "/m", "type": "bind", "source": $src, "options": ["bind", "idmap"]},
                {"destination": "/p", "type": "bind", "source": $src, "options": ["bind"]}]'
        userns_config
        set_cmd 'stat -c "%u:%g" /m/f /p/f; touch /m/made && echo made'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -eq 0 ]
        # Without idmap, root's file is nobody's in the container's user namespace.
        [ "${lines[*]}" = "0:0 65534:65534 made" ]
        # What the container's root made is root's on disk.
        [ "$(stat -c %u:%g "$SRC/made")" = "0:0" ]
}

@test "mounts: idmap on a non-bind mount, or without any mapping, fails create naming the mount" {
        update_config '.mounts += [{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}]'
        run skiff create --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -ne 0 ]
        assert_output_contains "options: idmap and ridmap are for bind mounts"
        assert_output_contains "mounts["
        assert_nothing_left "$CID"
        jq '.mounts |= map(select(.destination != "/t"))
            | .mounts += [{"destination": "/m", "type": "bind", "source": "/tmp", "options": ["bind", "idmap"]}]' \
                "$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
        run skiff create --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -ne 0 ]
        assert_output_contains "idmap needs the mount's uidMappings and gidMappings"
        assert_nothing_left "$CID"
}

@test "features: idmap is enabled and idmap, ridmap are known mount options" {
        run skiff features
        [ "$status" -eq 0 ]
        echo "$output" | jq -e '.linux.mountExtensions.idmap.enabled == true'
        echo "$output" | jq -e '.mountOptions | index("idmap") and index("ridmap")'
}
