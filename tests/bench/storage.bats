#!/usr/bin/env bats
# make bench-storage: runs in the VM harness (dm-thin). Prints, as TAP comments:
#  - create with a thin snapshot rootfs against a plain-directory bundle;
#  - commit of a running container that wrote SMALL against one that wrote BIG (both synced);
#  - the same commits while a dd writes to the disk that backs the pool.
# Under qemu's emulation absolute times mean little: compare the ratios. Commit ratios near 1 mean
# commit is constant time (a create_snap message, whatever the rootfs holds, whatever the load).

load ../integration/storage-helpers

ITER=${SKIFF_BENCH_ITERATIONS:-3}
SMALL_MB=${SKIFF_BENCH_SMALL_MB:-10}
BIG_MB=${SKIFF_BENCH_BIG_MB:-256}

setup() {
        storage_setup
        POOL_OPTS=(--data-size 1G --metadata-size 16M --base-size 512M)
        pool_init
        import_busybox base
}
teardown() {
        [ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null
        storage_teardown
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
say() { echo "# $*" >&3; }

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

# Mean ms of ITER commits of container $1.
time_commits() {
        local i t0 total=0
        for i in $(seq "$ITER"); do
                t0=$(now_ms)
                skiff commit "$1" "img-$1-$i"
                total=$((total + $(now_ms) - t0))
        done
        for i in $(seq "$ITER"); do "$SKIFF" image rm "img-$1-$i"; done
        echo $((total / ITER))
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

@test "storage benchmark" {
        set_cmd 'sleep 1000'
        plain=$(time_creates)
        use_image base
        thin=$(time_creates)
        say "create, plain directory rootfs: ${plain} ms; thin snapshot rootfs: ${thin} ms; ratio $(ratio "$thin" "$plain")"

        set_cmd "dd if=/dev/urandom of=/w bs=1M count=$SMALL_MB conv=fsync 2>/dev/null; touch /done; sleep 1000"
        run_bg small
        set_cmd "dd if=/dev/urandom of=/w bs=1M count=$BIG_MB conv=fsync 2>/dev/null; touch /done; sleep 1000"
        run_bg big
        for c in small big; do
                for i in $(seq 600); do skiff exec "$c" test -e /done 2>/dev/null && break; sleep 0.5; done
                skiff exec "$c" test -e /done
        done
        cs=$(time_commits small)
        cb=$(time_commits big)
        say "commit, wrote ${SMALL_MB} MiB: ${cs} ms; wrote ${BIG_MB} MiB: ${cb} ms; ratio $(ratio "$cb" "$cs")"

        # A writer on the disk that backs the pool's loop files.
        (while :; do dd if=/dev/zero of="$SKIFF_STORAGE_ROOT/../load" bs=1M count=128 conv=fsync 2>/dev/null; done) &
        LOAD_PID=$!
        sleep 1
        ls_=$(time_commits small)
        lb=$(time_commits big)
        kill "$LOAD_PID"; wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=
        rm -f "$SKIFF_STORAGE_ROOT/../load"
        say "commit under a parallel dd: wrote ${SMALL_MB} MiB: ${ls_} ms; wrote ${BIG_MB} MiB: ${lb} ms; ratio $(ratio "$lb" "$ls_")"
        say "commit under load against idle: ${SMALL_MB} MiB $(ratio "$ls_" "$cs"), ${BIG_MB} MiB $(ratio "$lb" "$cb")"
        skiff delete --force small
        skiff delete --force big
}
