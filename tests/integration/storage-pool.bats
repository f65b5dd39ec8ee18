#!/usr/bin/env bats
# skiff pool init | status | destroy, and the pool coming back by itself after a "reboot".
# VM suite: needs dm-thin (tests/vm/run).

load storage-helpers

setup() { storage_setup; }
teardown() { storage_teardown; }

@test "pool init makes a thin pool on sparse loop files; status reports its use" {
        run pool_init
        [ "$status" -eq 0 ]
        [ -f "$SKIFF_STORAGE_ROOT/data" ] && [ -f "$SKIFF_STORAGE_ROOT/metadata" ]
        # sparse: far less on disk than its size
        [ "$(du -k "$SKIFF_STORAGE_ROOT/data" | cut -f1)" -lt 1024 ]
        dmsetup table "$(pool_name)" | grep -q "thin-pool .* 128 32768 2 skip_block_zeroing error_if_no_space"
        run "$SKIFF" pool status
        [ "$status" -eq 0 ]
        assert_output_contains "data used:"
        assert_output_contains "metadata used:"
        assert_output_contains "of 256.0MiB"
        assert_output_contains "loop files are for development"
        [ "$(jq -r .blockSize "$SKIFF_STORAGE_ROOT/pool.json")" = 65536 ]
        [ "$(jq -r .baseSize "$SKIFF_STORAGE_ROOT/pool.json")" = $((32 << 20)) ]
}

@test "pool init: every size is an option; --block-size 128K gives 256-sector blocks" {
        run pool_init --block-size 128K
        [ "$status" -eq 0 ]
        dmsetup table "$(pool_name)" | grep -q "thin-pool .* 256 32768"
        [ "$(stat -c %s "$SKIFF_STORAGE_ROOT/metadata")" = $((4 << 20)) ]
}

@test "pool init twice is refused, the pool untouched" {
        pool_init
        run pool_init
        [ "$status" -eq 1 ]
        assert_output_contains "already initialised"
        dmsetup info "$(pool_name)" >/dev/null
}

@test "pool init: sizes that are not sizes are usage errors, nothing made" {
        for bad in abc 10X -1 "" 1.5G; do
                run "$SKIFF" pool init --data-size "$bad"
                [ "$status" -eq 2 ]
                assert_output_contains "is not a size"
        done
        run "$SKIFF" pool init --block-size 100K
        [ "$status" -eq 1 ]
        assert_output_contains "multiple of 64K"
        [ ! -e "$SKIFF_STORAGE_ROOT/pool.json" ] && [ ! -e "$SKIFF_STORAGE_ROOT/data" ]
}

# Loop devices $DATA and $META for --data-dev/--metadata-dev, the metadata one holding an old header.
devices_with_stale_metadata() {
        truncate -s 8M "$BATS_TEST_TMPDIR/meta.img"
        truncate -s 128M "$BATS_TEST_TMPDIR/data.img"
        printf 'old pool superblock' | dd of="$BATS_TEST_TMPDIR/meta.img" conv=notrunc 2>/dev/null
        META=$(losetup -f --show "$BATS_TEST_TMPDIR/meta.img")
        DATA=$(losetup -f --show "$BATS_TEST_TMPDIR/data.img")
}

@test "a metadata device with a stale header is refused unless --wipe-metadata" {
        mkdir -p "$SKIFF_STORAGE_ROOT"
        devices_with_stale_metadata
        run "$SKIFF" pool init --data-dev "$DATA" --metadata-dev "$META" --base-size 32M
        [ "$status" -eq 1 ]
        assert_output_contains "stale header"
        assert_output_contains "--wipe-metadata"
        [ ! -e "$SKIFF_STORAGE_ROOT/pool.json" ]
        run "$SKIFF" pool init --data-dev "$DATA" --metadata-dev "$META" --base-size 32M --wipe-metadata
        [ "$status" -eq 0 ]
        run "$SKIFF" pool status
        assert_output_contains "block device"
        "$SKIFF" pool destroy
        [ -e "$BATS_TEST_TMPDIR/data.img" ] # real devices are the user's: destroy keeps them
        losetup -d "$META" "$DATA"
}

# A failed init leaves nothing: no storage root (nor its lock), no loop file, no loop or dm device.
assert_init_left_nothing() {
        [ ! -e "$SKIFF_STORAGE_ROOT" ] || { echo "left: $(ls -la "$SKIFF_STORAGE_ROOT")" >&2; return 1; }
        assert_storage_gone
}

@test "a failed pool init leaves nothing behind: bad sizes, missing devices, a dm name taken" {
        run "$SKIFF" pool init --data-size 12Q
        [ "$status" -eq 2 ]
        assert_output_contains '--data-size: "12Q" is not a size'
        assert_init_left_nothing
        run "$SKIFF" pool init --data-size 64K
        [ "$status" -eq 1 ]
        assert_output_contains "--data-size: at least 16 blocks"
        assert_init_left_nothing
        run "$SKIFF" pool init --data-dev /dev/no-such-data --metadata-dev /dev/no-such-meta
        [ "$status" -eq 1 ]
        assert_output_contains "--data-dev /dev/no-such-data: No such file or directory"
        assert_init_left_nothing
        truncate -s 8M "$BATS_TEST_TMPDIR/meta.img"
        META=$(losetup -f --show "$BATS_TEST_TMPDIR/meta.img")
        run "$SKIFF" pool init --data-dev "$BATS_TEST_TMPDIR/meta.img" --metadata-dev "$META"
        [ "$status" -eq 1 ]
        assert_output_contains "--data-dev $BATS_TEST_TMPDIR/meta.img: not a block device"
        run "$SKIFF" pool init --data-dev "$META" --metadata-dev /dev/no-such-meta
        [ "$status" -eq 1 ]
        assert_output_contains "--metadata-dev /dev/no-such-meta: No such file or directory"
        losetup -d "$META"
        assert_init_left_nothing
        # the pool's dm name taken: refused after the root and its lock were made, which go again
        name=$(printf '%s' "$SKIFF_STORAGE_ROOT" | storage_prefix)
        dmsetup create "$name" --table "0 8 error"
        run "$SKIFF" pool init "${POOL_OPTS[@]}"
        dmsetup remove "$name"
        [ "$status" -eq 1 ]
        assert_output_contains "a device-mapper device $name already exists"
        assert_init_left_nothing
        # and then init works
        pool_init
        [ -e "$SKIFF_STORAGE_ROOT/pool.json" ]
}

@test "a failed pool init over a stale metadata header leaves nothing behind" {
        # on real devices: the root it made goes again
        devices_with_stale_metadata
        run "$SKIFF" pool init --data-dev "$DATA" --metadata-dev "$META" --base-size 32M
        losetup -d "$META" "$DATA"
        [ "$status" -eq 1 ]
        assert_output_contains "stale header"
        assert_init_left_nothing
        # on loop files: a metadata file left by an old pool is the user's and stays as it was;
        # no data file is made, and the lock goes
        mkdir -p "$SKIFF_STORAGE_ROOT"
        cp "$BATS_TEST_TMPDIR/meta.img" "$SKIFF_STORAGE_ROOT/metadata"
        run "$SKIFF" pool init "${POOL_OPTS[@]}"
        [ "$status" -eq 1 ]
        assert_output_contains "the metadata device $SKIFF_STORAGE_ROOT/metadata holds a stale header"
        [ "$(ls "$SKIFF_STORAGE_ROOT")" = metadata ]
        cmp "$BATS_TEST_TMPDIR/meta.img" "$SKIFF_STORAGE_ROOT/metadata"
        assert_storage_gone
        rm -r "$SKIFF_STORAGE_ROOT"
}

@test "--data-dev without --metadata-dev is refused" {
        run "$SKIFF" pool init --data-dev /dev/null
        [ "$status" -eq 1 ]
        assert_output_contains "go together"
}

@test "commands on a pool that is not initialised fail clearly and make nothing" {
        for cmd in "pool status" "pool destroy" "image ls" "image rm x" "image export x" "volume create --size 8M v"; do
                run "$SKIFF" $cmd
                [ "$status" -eq 1 ]
                assert_output_contains "not initialised"
        done
        run "$SKIFF" image import x "$TEMPLATE/rootfs"
        [ "$status" -eq 1 ]
        assert_output_contains "not initialised"
        [ ! -e "$SKIFF_STORAGE_ROOT" ]
}

@test "after a reboot (pool and loop devices gone) any command brings the pool back with its images" {
        pool_init
        import_busybox base
        dmsetup remove "$(pool_name)"
        ! losetup -a | grep -q "$SKIFF_STORAGE_ROOT" || false
        run "$SKIFF" image ls
        [ "$status" -eq 0 ]
        assert_output_contains "base"
        dmsetup info "$(pool_name)" >/dev/null
        "$SKIFF" image export base | tar -t | grep -q '^./bin/busybox$'
}

@test "pool status warns past 80% data use" {
        POOL_OPTS=(--data-size 16M --metadata-size 4M --base-size 64M)
        pool_init
        "$SKIFF" volume create --size 64M fill
        dev=$(dmsetup ls | awk '{print $1}' | grep "^$(pool_name)-" | head -1 || true)
        [ -z "$dev" ] # volumes are inactive between uses
        run "$SKIFF" pool status
        [ "$status" -eq 0 ]
        [[ "$output" != *warning* ]]
        # fill the volume's device from the host side, by hand
        dmsetup create "$(pool_name)-fill" --table "0 131072 thin /dev/mapper/$(pool_name) $(jq .deviceId "$SKIFF_STORAGE_ROOT/devices/volume-fill.json")"
        dd if=/dev/urandom of="/dev/mapper/$(pool_name)-fill" bs=1M count=14 oflag=direct 2>/dev/null || true
        dmsetup remove "$(pool_name)-fill"
        run "$SKIFF" pool status
        [ "$status" -eq 0 ]
        assert_output_contains "warning: data space is"
        # and no new device below 10% free
        run "$SKIFF" volume create --size 8M more
        [ "$status" -eq 1 ]
        assert_output_contains "the thin pool is full"
        [ ! -e "$SKIFF_STORAGE_ROOT/volumes/more" ]
}

@test "pool destroy refuses while devices exist; --force removes all, leaving no device or file" {
        pool_init
        import_busybox base
        run "$SKIFF" pool destroy
        [ "$status" -eq 1 ]
        assert_output_contains "still holds 1 devices"
        "$SKIFF" pool destroy --force
        [ ! -e "$SKIFF_STORAGE_ROOT/pool.json" ] && [ ! -e "$SKIFF_STORAGE_ROOT/data" ]
        assert_storage_gone
}

@test "pool: unknown subcommand and missing one are usage errors" {
        run "$SKIFF" pool frob
        [ "$status" -eq 2 ]
        assert_output_contains "unknown subcommand"
        run "$SKIFF" pool
        [ "$status" -eq 2 ]
}
