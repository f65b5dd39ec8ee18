#!/usr/bin/env bats
# make bench-storage: runs in the VM harness (dm-thin). Prints, as TAP comments:
#  - create with a thin snapshot rootfs against a plain-directory bundle;
#  - commit of a running container that wrote SMALL against one that wrote BIG (both synced);
#  - the same commits while a dd writes to the disk that backs the pool.
# Under qemu's emulation absolute times mean little: compare the ratios. Commit ratios near 1 mean
# commit is constant time (a create_snap message, whatever the rootfs holds, whatever the load).
# The pool's loop files and the dd load live on the harness's scratch disk (tests/vm/run --disk, a
# virtio disk in the guest), not on the guest's tmpfs: 1 GiB would eat half its memory, and a tmpfs
# has no disk queue for the load to fill.

load ../integration/storage-helpers

ITER=${SKIFF_BENCH_ITERATIONS:-5}
SMALL_MB=${SKIFF_BENCH_SMALL_MB:-10}
BIG_MB=${SKIFF_BENCH_BIG_MB:-1024}

setup() {
        storage_setup
        [ -n "${SKIFF_VM_DISK:-}" ] || { echo "no scratch disk: run with tests/vm/run --disk SIZE" >&2; return 1; }
        export SKIFF_STORAGE_ROOT="$SKIFF_VM_DISK/storage"
        POOL_OPTS=(--data-size 4G --metadata-size 64M --base-size $((BIG_MB + 512))M)
        pool_init
        import_busybox base
}
teardown() {
        [ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null
        storage_teardown
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
say() { echo "# $*" >&3; }

# What the guest is doing, when a step takes too long: blocked tasks and the end of the kernel log.
show_stuck() {
        say "stuck: $*"
        ps -eo pid,stat,wchan:32,args | awk '$2 ~ /D/' | sed 's/^/# /' >&3
        dmesg | tail -n 40 | sed 's/^/# /' >&3
        return 1
}

# A step that must end within $1 seconds.
bounded() {
        local limit=$1
        shift
        timeout "$limit" "$@" || show_stuck "$* (exit $?)"
}

# Mean ms of ITER creates (each deleted after) of the bundle as it is configured.
time_creates() {
        local i t0 total=0
        for i in $(seq "$ITER"); do
                t0=$(now_ms)
                skiff create --bundle "$BUNDLE" "bench-$i" </dev/null >/dev/null 2>&1
                total=$((total + $(now_ms) - t0))
                skiff delete --force "bench-$i"
        done
        echo $((total / ITER))
}

# "SMALL BIG BASE": mean ms of ITER commits of container small, of big, and of `skiff image ls` (a
# command that opens the pool as commit does, but takes no snapshot and syncs nothing: what the
# guest's load costs any skiff command). Interleaved, so that all three meet the same conditions
# (writeback of what the containers wrote goes on for a while after they synced).
time_commits() {
        local i c t0 t small=0 big=0 base=0
        for i in $(seq "$ITER"); do
                for c in small big; do
                        t0=$(now_ms)
                        bounded 600 "$SKIFF" --root "$ROOT" commit "$c" "img-$c-$i"
                        t=$(($(now_ms) - t0))
                        say "  commit of $c: $t ms"
                        [ "$c" = small ] && small=$((small + t)) || big=$((big + t))
                done
                t0=$(now_ms)
                bounded 600 "$SKIFF" image ls >/dev/null
                base=$((base + $(now_ms) - t0))
        done
        for i in $(seq "$ITER"); do
                for c in small big; do bounded 600 "$SKIFF" image rm "img-$c-$i"; done
        done
        echo "$((small / ITER)) $((big / ITER)) $((base / ITER))"
}

# MiB written to the scratch disk so far (the kernel's count of sectors written to it).
disk_written_mb() {
        local dev
        dev=$(basename "$(findmnt -no SOURCE "$SKIFF_VM_DISK")")
        awk '{ print int($7 * 512 / 1048576) }' "/sys/block/$dev/stat"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

@test "storage benchmark" {
        set_cmd 'sleep 1000'
        plain=$(time_creates)
        use_image base
        thin=$(time_creates)
        say "create, plain directory rootfs: ${plain} ms; thin snapshot rootfs: ${thin} ms; ratio $(ratio "$thin" "$plain")"

        # Zeros cost thin blocks as any data does (neither dm-thin nor ext4 skip them), and are cheap
        # to make under emulation.
        set_cmd "dd if=/dev/zero of=/w bs=1M count=$SMALL_MB conv=fsync 2>/dev/null && echo written; sleep 1000"
        run_bg small
        set_cmd "dd if=/dev/zero of=/w bs=1M count=$BIG_MB conv=fsync 2>/dev/null && echo written; sleep 1000"
        run_bg big
        t0=$(now_ms)
        for c in small big; do
                for i in $(seq 900); do
                        grep -q '^written$' "$BATS_TEST_TMPDIR/$c.out" && break
                        ((i % 60)) || say "waiting for $c's dd: $((($(now_ms) - t0) / 1000)) s"
                        sleep 1
                done
                grep -q '^written$' "$BATS_TEST_TMPDIR/$c.out" || show_stuck "$c's dd"
        done
        say "both wrote their files in $((($(now_ms) - t0) / 1000)) s"
        times=$(time_commits)
        read -r cs cb base <<<"$times"
        say "commit, wrote ${SMALL_MB} MiB: ${cs} ms; wrote ${BIG_MB} MiB: ${cb} ms; ratio $(ratio "$cb" "$cs") (skiff image ls: ${base} ms)"

        # A writer on the disk that backs the pool's loop files.
        (while :; do dd if=/dev/zero of="$SKIFF_VM_DISK/load" bs=1M count=256 conv=fsync 2>/dev/null; done) &
        LOAD_PID=$!
        sleep 1
        t0=$(now_ms)
        w0=$(disk_written_mb)
        times=$(time_commits)
        read -r ls_ lb lbase <<<"$times"
        say "the dd wrote $(($(disk_written_mb) - w0)) MiB to the pool's disk during these $((($(now_ms) - t0) / 1000)) s"
        kill "$LOAD_PID"; wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=
        rm -f "$SKIFF_VM_DISK/load"
        say "commit under a parallel dd: wrote ${SMALL_MB} MiB: ${ls_} ms; wrote ${BIG_MB} MiB: ${lb} ms; ratio $(ratio "$lb" "$ls_") (skiff image ls: ${lbase} ms)"
        say "under load against idle: commit ${SMALL_MB} MiB $(ratio "$ls_" "$cs"), ${BIG_MB} MiB $(ratio "$lb" "$cb"); skiff image ls $(ratio "$lbase" "$base")"
        skiff delete --force small
        skiff delete --force big
}
