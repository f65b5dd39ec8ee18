#!/usr/bin/env bats
# Each image's filesystem identity (type, UUID) is recorded when it is made and checked when a
# snapshot of it is mounted and when the pool comes back after a reboot: a device that now holds
# another filesystem is refused with the repair to run, never mounted, never wiped.
# VM suite: needs dm-thin (tests/vm/run).

load storage-helpers

setup() { storage_setup; pool_init; import_busybox base; use_image base; }
teardown() { dmsetup remove "$(pool_name)-probe" 2>/dev/null || true; storage_teardown; }

# Run "$@" with image $1's thin device active as /dev/mapper/POOL-probe ("DEV" in an argument stands for it).
on_image_device() {
        local rec="$SKIFF_STORAGE_ROOT/devices/image-$1.json" dev="/dev/mapper/$(pool_name)-probe" rc=0 a args=()
        shift
        dmsetup create "$(pool_name)-probe" \
                --table "0 $(($(jq .size "$rec") / 512)) thin /dev/mapper/$(pool_name) $(jq .deviceId "$rec")"
        for a in "$@"; do args+=("${a//DEV/$dev}"); done
        "${args[@]}" || rc=$?
        dmsetup remove "$(pool_name)-probe"
        return $rc
}

# Give image $1's filesystem a new random UUID, as if its device had been swapped behind skiff.
change_uuid() {
        on_image_device "$1" e2fsck -fy DEV >/dev/null 2>&1 || true
        on_image_device "$1" tune2fs -U random DEV >/dev/null
}

recorded_uuid() {
        jq -r .fsUuid "$SKIFF_STORAGE_ROOT/devices/image-$1.json"
}

@test "import records the filesystem's type and UUID; image verify checks and prints them" {
        [ "$(jq -r .fsType "$SKIFF_STORAGE_ROOT/devices/image-base.json")" = ext4 ]
        uuid=$(on_image_device base blkid -s UUID -o value DEV)
        [ -n "$uuid" ]
        [ "$(recorded_uuid base)" = "$uuid" ]
        run "$SKIFF" image verify
        [ "$status" -eq 0 ]
        [ "$output" = "base ext4 $uuid" ]
        # a container's snapshot and a commit of it inherit the identity
        set_cmd 'sleep 100'
        run_bg
        [ "$(jq -r .fsUuid "$SKIFF_STORAGE_ROOT/devices/ctr-$CID.json")" = "$uuid" ]
        skiff commit "$CID" snap
        [ "$(recorded_uuid snap)" = "$uuid" ]
        skiff delete --force "$CID"
        "$SKIFF" image import other "$TEMPLATE/rootfs"
        [ "$(recorded_uuid other)" != "$uuid" ]
        run "$SKIFF" image verify other
        [ "$status" -eq 0 ]
        [ "$output" = "other ext4 $(recorded_uuid other)" ]
}

@test "an image whose filesystem UUID changed is refused at create, naming it and the repair; --accept repairs" {
        old=$(recorded_uuid base)
        change_uuid base
        new=$(on_image_device base blkid -s UUID -o value DEV)
        [ "$new" != "$old" ]
        tid=$(pool_field tid)
        set_cmd 'echo fine'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 1 ]
        assert_output_contains "run.skiff.image: image base (the rootfs of container $CID)"
        assert_output_contains "ext4 UUID $new, not the ext4 UUID $old"
        assert_output_contains "skiff image verify --accept base"
        # nothing left: no state dir, no snapshot, no active device but the pool
        assert_nothing_left "$CID"
        [ "$(device_keys)" = image-base ]
        [ -z "$(dm_thin_devices)" ]
        [ "$(pool_field tid)" -eq $((tid + 2)) ] # the snapshot made and deleted again
        # verify and export refuse it too, naming the image
        run "$SKIFF" image verify
        [ "$status" -eq 1 ]
        assert_output_contains "image base: its device holds ext4 UUID $new"
        run "$SKIFF" image export base
        [ "$status" -eq 1 ]
        assert_output_contains "skiff image verify --accept base"
        # the repair: accept what the device holds now; then it runs
        run "$SKIFF" image verify --accept base
        [ "$status" -eq 0 ]
        [ "$output" = "base ext4 $new" ]
        [ "$(recorded_uuid base)" = "$new" ]
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        [ "$output" = fine ]
}

@test "a device with no filesystem where an image was recorded is refused" {
        on_image_device base dd if=/dev/zero of=DEV bs=4k count=1 conv=fsync 2>/dev/null
        on_image_device base blkid -p DEV && { echo "the superblock is still there" >&2; return 1; }
        # stdio on a file: a create that wrongly succeeded would leave its container holding a pipe
        status=0
        timeout 300 "$SKIFF" --root "$ROOT" create --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
        output=$(cat "$BATS_TEST_TMPDIR/out")
        [ "$status" -eq 1 ]
        assert_output_contains "holds no ext2/3/4 filesystem, not the ext4 UUID $(recorded_uuid base)"
        assert_nothing_left "$CID"
        [ "$(device_keys)" = image-base ]
}

@test "after a reboot, a pool whose image changed identity stays down until it is repaired" {
        change_uuid base
        dmsetup remove "$(pool_name)"
        for i in 1 2; do
                run "$SKIFF" image ls
                [ "$status" -eq 1 ]
                assert_output_contains "image base: its device holds ext4 UUID"
                assert_output_contains "skiff image verify --accept base"
                # refused, and down again: the next command checks again
                ! dmsetup info "$(pool_name)" >/dev/null 2>&1 || false
                ! losetup -a | grep -q "$SKIFF_STORAGE_ROOT" || false
        done
        "$SKIFF" image verify --accept base
        dmsetup remove "$(pool_name)"
        run "$SKIFF" image ls
        [ "$status" -eq 0 ]
        assert_output_contains base
}

@test "image verify: bad usage and unknown images" {
        run "$SKIFF" image verify --accept
        [ "$status" -eq 2 ]
        assert_output_contains "verify --accept takes the NAME of one image"
        run "$SKIFF" image ls --accept
        [ "$status" -eq 2 ]
        assert_output_contains "--accept goes with verify only"
        run "$SKIFF" image verify nope
        [ "$status" -eq 1 ]
        assert_output_contains "image nope does not exist"
        run "$SKIFF" image verify ../x
        [ "$status" -eq 1 ]
        assert_output_contains '".." is not allowed'
        run "$SKIFF" image verify a b
        [ "$status" -eq 2 ]
}
