# cgroup layout helpers for the cgroups suites: the same tests run on this machine's hybrid layout
# (v1 controllers, cgroup2 at /sys/fs/cgroup/unified) and on cgroup v2 in the VM harness, and
# assert the files of whichever layout they find.

cg_v2() {
        [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
}

# The directory of container $2 (default $CID) that holds controller $1's files.
cg_dir() {
        local ctrl=$1 id=${2:-$CID}
        if cg_v2; then
                echo "/sys/fs/cgroup/skiff-test/$id"
        elif [ "$ctrl" = hugetlb ] && [ ! -d /sys/fs/cgroup/hugetlb ]; then
                echo "/sys/fs/cgroup/unified/skiff-test/$id"
        else
                echo "/sys/fs/cgroup/$ctrl/skiff-test/$id"
        fi
}

# cg_file CONTROLLER V1-FILE V2-FILE: the path of the file this layout uses.
cg_file() {
        if cg_v2; then
                echo "$(cg_dir "$1")/$3"
        else
                echo "$(cg_dir "$1")/$2"
        fi
}

# Whether skiff made cgroup directory $1 (its ownership mark).
cg_skiff_made() {
        python3 -c 'import os, sys; os.getxattr(sys.argv[1], "trusted.skiff.owned")' "$1" 2>/dev/null
}

# Assert that a cgroup file holds what is expected (first line, trailing space trimmed).
assert_cg() { # assert_cg FILE WANT
        local got
        got=$(head -n1 "$1" | sed 's/[[:space:]]*$//')
        [ "$got" = "$2" ] || { echo "$1: got \"$got\", want \"$2\"" >&2; return 1; }
}

# Wait (bounded) until file $1 exists in the container's rootfs and is not empty.
wait_rootfs_file() {
        local i
        for i in $(seq 100); do
                [ -s "$BUNDLE/rootfs/$1" ] && return 0
                sleep 0.05
        done
        echo "$BUNDLE/rootfs/$1 never appeared" >&2
        return 1
}

# Create must have failed naming $1, leaving no state dir and no cgroup behind.
assert_refused() { # assert_refused FIELD-TEXT
        [ "$status" -ne 0 ] || { echo "create succeeded" >&2; return 1; }
        assert_output_contains "$1"
        assert_nothing_left "$CID"
}

# The counter the pause test's container keeps in /tmp/count: read again when caught mid-write.
read_count() {
        local i v
        for i in $(seq 50); do
                v=$(cat "$BUNDLE/rootfs/tmp/count" 2>/dev/null)
                [ -n "$v" ] && { echo "$v"; return 0; }
                sleep 0.02
        done
        return 1
}
