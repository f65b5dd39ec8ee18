#!/usr/bin/env bats
# Proves the VM harness gives the suites what they are run there for. Meant for the guest:
#   tests/vm/run tests/vm/selftest.bats
#   tests/vm/run --cgroup v1 tests/vm/selftest.bats
# On the host (no SKIFF_VM) every test is skipped.

setup_file() {
	[ -n "${SKIFF_VM:-}" ] || skip "runs only in the guest (tests/vm/run)"
}

setup() {
	[ -n "${SKIFF_VM:-}" ] || skip "runs only in the guest (tests/vm/run)"
	ID=selftest-$$-$BATS_TEST_NUMBER
}

teardown() {
	[ -n "${SKIFF_VM:-}" ] || return 0
	local m
	for m in "$BATS_TEST_TMPDIR"/mnt-*; do
		mountpoint -q "$m" && umount "$m"
	done
	for m in "$ID-snap" "$ID-thin" "$ID-pool"; do
		dmsetup remove "$m" 2>/dev/null || true
	done
	for m in ${LOOPS:-}; do
		losetup -d "$m" 2>/dev/null || true
	done
	rmdir /sys/fs/cgroup/"$ID" /sys/fs/cgroup/memory/"$ID" 2>/dev/null || true
}

# Starts a process in the cgroup DIR that keeps growing its memory (tail keeps a line that never
# ends), and expects it to be killed by the cgroup's OOM killer.
expect_oom_kill_in() {
	local dir=$1
	run bash -c "echo \$\$ >'$dir/cgroup.procs' && exec tail -n 1 /dev/zero"
	[ "$status" -eq 137 ]
}

@test "the guest runs Debian's 6.1 kernel, not the host's" {
	[ -n "$SKIFF_VM_HOST_KERNEL" ]
	[ "$(uname -r)" != "$SKIFF_VM_HOST_KERNEL" ]
	[[ $(uname -r) == 6.1.* ]]
	grep -q Debian /proc/version
}

@test "root is the host's / read-only over 9p, the repository read-write at the same path" {
	[ "$(findmnt -n -o FSTYPE /)" = 9p ]
	findmnt -n -o OPTIONS / | tr , '\n' | grep -qx ro
	run touch /usr/.skiff-vm-probe
	[ "$status" -ne 0 ]
	[ "$(findmnt -n -o FSTYPE --target "$BATS_TEST_DIRNAME")" = 9p ]
	findmnt -n -o OPTIONS --target "$BATS_TEST_DIRNAME" | tr , '\n' | grep -qx rw
	[ -f "$BATS_TEST_DIRNAME/run" ]
	local probe
	probe=$(mktemp "$BATS_TEST_DIRNAME/.cache/probe.XXXXXX")
	echo written-in-guest >"$probe"
	[ "$(cat "$probe")" = written-in-guest ]
	rm "$probe"
}

@test "/tmp, /run and /dev are the guest's own" {
	[ "$(findmnt -n -o FSTYPE /tmp)" = tmpfs ]
	[ "$(findmnt -n -o FSTYPE /run)" = tmpfs ]
	[ "$(findmnt -n -o FSTYPE /dev)" = devtmpfs ]
	[ "$(findmnt -n -o FSTYPE /proc)" = proc ]
	[ -z "$(ls -A /run)" ]
	[ -c /dev/loop-control ]
	[ -c /dev/mapper/control ]
	[ -L /dev/fd ]
}

@test "environment: root, DM_DISABLE_UDEV, PATH, tools from the host" {
	[ "$(id -u)" -eq 0 ]
	[ "$DM_DISABLE_UDEV" = 1 ]
	[[ :$PATH: == *:/usr/sbin:* ]]
	command -v dmsetup losetup mkfs.ext4 bats
	ip -o link show lo | grep -q '<LOOPBACK,UP'
	[ "$SKIFF_VM_CGROUP" = v1 ] || [ "$SKIFF_VM_CGROUP" = v2 ]
}

@test "device-mapper: thin pool on loop files, thin volume with ext4, snapshot" {
	local d=$BATS_TEST_TMPDIR meta data sectors
	truncate -s 16M "$d/meta"
	truncate -s 256M "$d/data"
	meta=$(losetup -f --show "$d/meta")
	data=$(losetup -f --show "$d/data")
	LOOPS="$meta $data"
	sectors=$(blockdev --getsz "$data")
	[ "$sectors" -eq $((256 * 2048)) ]

	# Pool with 64 KiB blocks; a thin volume of 128 MiB, id 0.
	dmsetup create "$ID-pool" --table "0 $sectors thin-pool $meta $data 128 0"
	dmsetup message "$ID-pool" 0 "create_thin 0"
	dmsetup create "$ID-thin" --table "0 $((128 * 2048)) thin /dev/mapper/$ID-pool 0"
	[ -b "/dev/mapper/$ID-thin" ]
	mkfs.ext4 -q -E nodiscard "/dev/mapper/$ID-thin"
	mkdir "$d/mnt-origin" "$d/mnt-snap"
	mount "/dev/mapper/$ID-thin" "$d/mnt-origin"
	echo before-snapshot >"$d/mnt-origin/file"
	sync

	# Snapshot id 1 of the active volume: suspend (flushes and freezes ext4), snap, resume.
	dmsetup suspend "$ID-thin"
	dmsetup message "$ID-pool" 0 "create_snap 1 0"
	dmsetup resume "$ID-thin"
	echo after-snapshot >"$d/mnt-origin/file"
	sync

	dmsetup create "$ID-snap" --table "0 $((128 * 2048)) thin /dev/mapper/$ID-pool 1"
	mount -o ro,noload "/dev/mapper/$ID-snap" "$d/mnt-snap"
	[ "$(cat "$d/mnt-snap/file")" = before-snapshot ]
	[ "$(cat "$d/mnt-origin/file")" = after-snapshot ]

	# The pool really allocated blocks: status is "<txn> <used>/<total> meta <used>/<total> data ...".
	local used
	used=$(dmsetup status "$ID-pool" | awk '{ split($6, a, "/"); print a[1] }')
	[ "$used" -gt 0 ]
	dmsetup ls | grep -q "^$ID-snap"
}

@test "a new mount namespace can pivot_root, as a container's does" {
	local d=$BATS_TEST_TMPDIR
	mkdir "$d/mnt-root"
	mount -t tmpfs tmpfs "$d/mnt-root"
	mkdir "$d/mnt-root/old"
	# After the pivot only shell builtins are left: the new root is empty.
	unshare -m sh -c "cd '$d/mnt-root' && pivot_root . old && test -d /old/proc && test ! -e /proc/self"
}

@test "overlayfs mounts in /tmp" {
	local d=$BATS_TEST_TMPDIR
	mkdir "$d/lower" "$d/upper" "$d/work" "$d/mnt-ovl"
	echo lower >"$d/lower/f"
	mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/mnt-ovl"
	[ "$(cat "$d/mnt-ovl/f")" = lower ]
	echo upper >"$d/mnt-ovl/f"
	[ "$(cat "$d/upper/f")" = upper ]
	[ "$(cat "$d/lower/f")" = lower ]
}

# cgroup v2: every controller enabled at the root, memory limit enforced.
check_cgroup_v2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
	local c
	for c in cpuset cpu io memory hugetlb pids rdma misc; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.controllers
		grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
	done
	[ "$(cat /proc/self/cgroup)" = "0::/" ]

	mkdir "/sys/fs/cgroup/$ID"
	for c in cpuset cpu io memory pids; do
		grep -qw "$c" "/sys/fs/cgroup/$ID/cgroup.controllers"
	done
	echo 16M >"/sys/fs/cgroup/$ID/memory.max"
	echo 0 >"/sys/fs/cgroup/$ID/memory.swap.max"
	expect_oom_kill_in "/sys/fs/cgroup/$ID"
	grep -qx 'oom_kill [1-9][0-9]*' "/sys/fs/cgroup/$ID/memory.events"
}

# cgroup v1: each controller in its own hierarchy, memory limit enforced.
check_cgroup_v1() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ]
	[ ! -e /sys/fs/cgroup/cgroup.controllers ]
	local c
	for c in cpu cpuacct cpuset memory devices freezer blkio pids hugetlb net_cls net_prio perf_event rdma; do
		[ "$(findmnt -n -o FSTYPE "/sys/fs/cgroup/$c")" = cgroup ]
		findmnt -n -o OPTIONS "/sys/fs/cgroup/$c" | tr , '\n' | grep -qx "$c"
	done
	grep -q ':memory:/$' /proc/self/cgroup

	mkdir "/sys/fs/cgroup/memory/$ID"
	echo 16M >"/sys/fs/cgroup/memory/$ID/memory.limit_in_bytes"
	expect_oom_kill_in "/sys/fs/cgroup/memory/$ID"
	[ "$(cat "/sys/fs/cgroup/memory/$ID/memory.failcnt")" -gt 0 ]
	grep -qx 'oom_kill [1-9][0-9]*' "/sys/fs/cgroup/memory/$ID/memory.oom_control"
}

@test "the cgroup layout the guest was booted with is mounted and enforces a memory limit" {
	case "$SKIFF_VM_CGROUP" in
	v2) check_cgroup_v2 ;;
	v1) check_cgroup_v1 ;;
	*) echo "unknown layout \"$SKIFF_VM_CGROUP\"" >&2; return 1 ;;
	esac
}
