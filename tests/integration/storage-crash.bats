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
                ! pool_has_device "$id"
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
                ! pool_has_device "$id"
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
