#!/usr/bin/env bats
# The pool's transaction id and skiff's metadata files stay consistent across a crash at any step
# (SKIFF_TEST_CRASH_AT makes skiff SIGKILL itself there): the next command rolls the open
# transaction back (a create) or forward (a delete). VM suite: needs dm-thin (tests/vm/run).

load storage-helpers

setup() { storage_setup; pool_init; }
teardown() { storage_teardown; }

# Whether the kernel's pool holds thin device $1: create_thin of a used id fails.
pool_has_device() {
        if dmsetup message "$(pool_name)" 0 "create_thin $1" 2>/dev/null; then
                dmsetup message "$(pool_name)" 0 "delete $1"
                return 1
        fi
        return 0
}

# After recovery: the open id is the pool's, every record's device exists in the pool.
assert_consistent() {
        local key id
        [ "$(jq .openTransactionId "$SKIFF_STORAGE_ROOT/transaction.json")" = "$(pool_field tid)" ]
        for key in $(device_keys); do
                id=$(jq .deviceId "$SKIFF_STORAGE_ROOT/devices/$key.json")
                pool_has_device "$id" || { echo "record $key: device $id missing from the pool" >&2; return 1; }
                [ "$(jq .ready "$SKIFF_STORAGE_ROOT/devices/$key.json")" = true ]
        done
}

crash_import() {
        run env SKIFF_TEST_CRASH_AT="$1" "$SKIFF" image import base "$TEMPLATE/rootfs"
        [ "$status" -eq 137 ]
}

@test "a crash at every step of a create is rolled back by the next command" {
        for point in create:after-open create:after-message create:after-record import:after-mkfs; do
                tid=$(pool_field tid)
                crash_import "$point"
                id=$(jq .deviceId "$SKIFF_STORAGE_ROOT/transaction.json")
                [ "$(jq .openTransactionId "$SKIFF_STORAGE_ROOT/transaction.json")" -eq $((tid + 1)) ] ||
                        [ "$point" = import:after-mkfs ]
                run "$SKIFF" image ls
                [ "$status" -eq 0 ]
                [[ "$output" != *base* ]]
                [ -z "$(device_keys)" ]
                ! pool_has_device "$id" || false
                assert_consistent
        done
        # and the pool works on: the same import now succeeds
        import_busybox base
        assert_consistent
        "$SKIFF" image export base | tar -t | grep -q '^./bin/busybox$'
}

@test "a crash at every step of a delete is rolled forward by the next command" {
        for point in delete:after-open delete:after-message delete:after-record; do
                import_busybox base
                id=$(jq .deviceId "$SKIFF_STORAGE_ROOT/devices/image-base.json")
                run env SKIFF_TEST_CRASH_AT="$point" "$SKIFF" image rm base
                [ "$status" -eq 137 ]
                run "$SKIFF" image ls
                [ "$status" -eq 0 ]
                [[ "$output" != *base* ]]
                ! pool_has_device "$id" || false
                assert_consistent
        done
}

@test "a crash while a container's snapshot is made leaves no snapshot, and create works after" {
        import_busybox base
        use_image base
        for point in create:after-message create:after-record; do
                run env SKIFF_TEST_CRASH_AT="$point" "$SKIFF" --root "$ROOT" create --bundle "$BUNDLE" "$CID"
                [ "$status" -eq 137 ]
                "$SKIFF" --root "$ROOT" delete --force "$CID" 2>/dev/null || rm -rf "${ROOT:?}/$CID"
                "$SKIFF" pool status >/dev/null
                [ "$(device_keys)" = image-base ]
                assert_consistent
        done
        set_cmd 'echo fine'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        [ "$output" = fine ]
}

@test "a metadata file that belongs to another pool is refused with a clear message" {
        import_busybox base
        echo '{"openTransactionId": 0, "deviceId": 0, "key": ""}' >"$SKIFF_STORAGE_ROOT/transaction.json"
        run "$SKIFF" image ls
        [ "$status" -eq 1 ]
        assert_output_contains "do not belong to this pool"
        echo "{\"openTransactionId\": $(pool_field tid), \"deviceId\": 0, \"key\": \"\"}" >"$SKIFF_STORAGE_ROOT/transaction.json"
}

# The thin device id of container $1's snapshot.
ctr_device_id() {
        jq .deviceId "$SKIFF_STORAGE_ROOT/devices/ctr-$1.json"
}

# Run container $1 (default $CID) on the image to its end, leaving it stopped (not deleted).
run_stopped() {
        local id=${1:-$CID}
        set_cmd 'echo hi >/written'
        create_detached "$id" || { cat "$BATS_TEST_TMPDIR/$id.err" >&2; return 1; }
        skiff start "$id"
        skiff wait "$id" || true
        wait_status "$id" stopped
}

@test "gc drops the snapshots of containers whose state dir is gone; kept ones and other roots' stay" {
        import_busybox base
        use_image base
        run_stopped gone
        gone_id=$(ctr_device_id gone)
        run_stopped kept
        skiff delete --keep-rootfs kept
        # a container of another --root, on the same pool
        ROOT2="$BATS_TEST_TMPDIR/state2"
        update_config '.linux.cgroupsPath = "/skiff-test/'"$CID"'-other"'
        "$SKIFF" --root "$ROOT2" create --bundle "$BUNDLE" other </dev/null >/dev/null 2>&1
        # a reboot empties the state root (/run/skiff); the pool survives it
        rm -rf "${ROOT:?}"
        run skiff gc
        [ "$status" -eq 0 ]
        [ "$output" = gone ]
        [ "$(device_keys | tr '\n' ' ')" = "ctr-kept ctr-other image-base " ]
        ! pool_has_device "$gone_id" || false
        assert_consistent
        # nothing more to do the second time
        run skiff gc
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        "$SKIFF" --root "$ROOT2" delete --force other
}

# Not under `run`: an init that outlives its create holds the create's stdout until it is repaired.
crash_create() {
        local rc=0
        SKIFF_TEST_CRASH_AT="$1" "$SKIFF" --root "$ROOT" create --bundle "$BUNDLE" "$CID" \
                </dev/null >"$BATS_TEST_TMPDIR/$CID.out" 2>&1 || rc=$?
        [ "$rc" -eq 137 ]
}

@test "a create killed after its snapshot was made, its state dir then lost: gc drops the snapshot" {
        import_busybox base
        use_image base
        set_cmd 'sleep 1000'
        for point in after-clone after-mounts after-state-write; do
                crash_create "$point"
                id=$(ctr_device_id "$CID")
                # gc repairs the half-made container (its processes, cgroup) and drops its snapshot
                run skiff gc
                [ "$status" -eq 0 ]
                [ "$output" = "$CID" ]
                [ "$(device_keys)" = image-base ]
                ! pool_has_device "$id" || false
                assert_nothing_left "$CID"
                assert_consistent
        done
        # killed again, and this time its state dir is removed by hand before any repair
        crash_create after-state-write
        id=$(ctr_device_id "$CID")
        for pid in $(jq -r '.pid, .shimPid // empty' "$ROOT/$CID/state.json" 2>/dev/null); do
                kill -9 "$pid" 2>/dev/null || true
        done
        for i in $(seq 100); do
                dmsetup info -c --noheadings -o open "$(pool_name)-$id" 2>/dev/null | grep -qx 0 && break
                sleep 0.1
        done
        rm -rf "${ROOT:?}/$CID"
        run skiff gc
        [ "$status" -eq 0 ]
        [ "$output" = "$CID" ]
        [ "$(device_keys)" = image-base ]
        ! pool_has_device "$id" || false
        assert_consistent
}

@test "a delete killed at every step: gc finishes it, no snapshot is left" {
        import_busybox base
        use_image base
        for point in delete:after-open delete:after-message delete:after-record; do
                run_stopped
                id=$(ctr_device_id "$CID")
                run env SKIFF_TEST_CRASH_AT="$point" "$SKIFF" --root "$ROOT" delete "$CID"
                [ "$status" -eq 137 ]
                run skiff gc
                [ "$status" -eq 0 ]
                [ "$output" = "$CID" ]
                [ ! -e "$ROOT/$CID" ]
                [ "$(device_keys)" = image-base ]
                ! pool_has_device "$id" || false
                assert_consistent
        done
}
