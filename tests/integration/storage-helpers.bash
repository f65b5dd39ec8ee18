# Shared by the storage suites (storage-*.bats). They need device-mapper with dm-thin, so they run in
# the VM harness: tests/vm/run tests/integration/storage-*.bats (make check-vm).

source "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

# Each test has a storage root of its own: its own pool (a dm name derived from the root), loop
# files and records, on the guest's tmpfs.
storage_setup() {
        common_setup
        export SKIFF_STORAGE_ROOT="$BATS_TEST_TMPDIR/storage"
        POOL_OPTS=(--data-size 256M --metadata-size 4M --base-size 32M)
}

# Remove the pool and everything in it; then nothing of it may be left: no dm device, no loop
# device on its files, no mount anywhere.
storage_teardown() {
        common_teardown
        if [ -f "$SKIFF_STORAGE_ROOT/pool.json" ]; then
                "$SKIFF" pool destroy --force >/dev/null 2>&1 || true
        fi
        assert_storage_gone
}

pool_name() {
        jq -r .name "$SKIFF_STORAGE_ROOT/pool.json"
}

# No dm device of this test's pool and no loop device on its files remain.
assert_storage_gone() {
        local prefix
        prefix=$(printf '%s' "$SKIFF_STORAGE_ROOT" | storage_prefix)
        if dmsetup ls 2>/dev/null | grep -q "^$prefix"; then
                echo "dm devices left: $(dmsetup ls | grep "^$prefix")" >&2
                return 1
        fi
        if losetup -a 2>/dev/null | grep -q "$SKIFF_STORAGE_ROOT"; then
                echo "loop devices left: $(losetup -a | grep "$SKIFF_STORAGE_ROOT")" >&2
                return 1
        fi
        if grep -q "$SKIFF_STORAGE_ROOT" /proc/self/mountinfo; then
                echo "mounts left on the host" >&2
                return 1
        fi
}

# The pool's dm name for a root, as skiff derives it (FNV-1a of the path).
storage_prefix() {
        local path h=2166136261 i c
        path=$(cat)
        for ((i = 0; i < ${#path}; i++)); do
                printf -v c '%d' "'${path:i:1}"
                h=$(( ((h ^ c) * 16777619) & 0xffffffff ))
        done
        printf 'skiff-%08x-pool\n' "$h"
}

pool_init() {
        "$SKIFF" pool init "${POOL_OPTS[@]}" "$@"
}

# Import the suite's busybox rootfs as image $1.
import_busybox() {
        "$SKIFF" image import "$1" "$TEMPLATE/rootfs"
}

# The bundle runs on image $1: annotation set, its own rootfs dir left empty.
use_image() {
        rm -rf "$BUNDLE/rootfs"
        mkdir "$BUNDLE/rootfs"
        update_config --arg i "$1" '.annotations["run.skiff.image"] = $i'
}

# A field of the pool's dm status: tid, meta_used, data_used.
pool_field() {
        local status
        status=$(dmsetup status "$(pool_name)")
        # 0 LEN thin-pool TID META_USED/META_TOTAL DATA_USED/DATA_TOTAL ...
        case $1 in
        tid) echo "$status" | awk '{print $4}' ;;
        meta_used) echo "$status" | awk '{split($5, a, "/"); print a[1]}' ;;
        data_used) echo "$status" | awk '{split($6, a, "/"); print a[1]}' ;;
        esac
}

# The records of the pool's devices (devices/*.json), one key a line.
device_keys() {
        ls "$SKIFF_STORAGE_ROOT/devices" 2>/dev/null | sed 's/\.json$//'
}

# The thin device ids the kernel's pool holds, from the metadata snapshot (thin_ls is not always at
# hand): we count active thin devices instead where it matters.
dm_thin_devices() {
        dmsetup ls 2>/dev/null | awk '{print $1}' | grep "^$(pool_name)-" || true
}

# run_detached that shows skiff's error when it fails.
run_bg() {
        local id=${1:-$CID}
        run_detached "$id" || { cat "$BATS_TEST_TMPDIR/$id.err" >&2; return 1; }
}
