#!/usr/bin/env bats
# skiff image import | ls | rm | export. VM suite: needs dm-thin (tests/vm/run).

load storage-helpers

setup() { storage_setup; pool_init; }
teardown() { storage_teardown; }

@test "image import of a directory and of a tar; ls lists them; export gives the files back" {
        import_busybox fromdir
        tar -C "$TEMPLATE/rootfs" -cf "$BATS_TEST_TMPDIR/rootfs.tar" .
        "$SKIFF" image import fromtar "$BATS_TEST_TMPDIR/rootfs.tar"
        run "$SKIFF" image ls
        [ "$status" -eq 0 ]
        assert_output_contains "fromdir"
        assert_output_contains "fromtar"
        assert_output_contains "32.0MiB"
        "$SKIFF" image export fromtar >"$BATS_TEST_TMPDIR/out.tar"
        tar -tf "$BATS_TEST_TMPDIR/out.tar" | grep -q '^./bin/busybox$'
        ! tar -tf "$BATS_TEST_TMPDIR/out.tar" | grep -q 'lost+found' || false
        mkdir "$BATS_TEST_TMPDIR/x"
        tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/out.tar"
        cmp "$TEMPLATE/rootfs/bin/busybox" "$BATS_TEST_TMPDIR/x/bin/busybox"
        # images are inactive between uses, and nothing was mounted on the host
        [ -z "$(dm_thin_devices)" ]
        ! grep -q "$SKIFF_STORAGE_ROOT" /proc/self/mountinfo || false
        [ -z "$(ls -A "$SKIFF_STORAGE_ROOT/mnt" 2>/dev/null)" ]
}

@test "the image's filesystem is ext4 made without lazy init" {
        import_busybox base
        id=$(jq .deviceId "$SKIFF_STORAGE_ROOT/devices/image-base.json")
        dmsetup create "$(pool_name)-look" --table "0 65536 thin /dev/mapper/$(pool_name) $id"
        dumpe2fs "/dev/mapper/$(pool_name)-look" >"$BATS_TEST_TMPDIR/fs" 2>&1 || true
        dmsetup remove "$(pool_name)-look"
        grep -q "Filesystem magic number:  0xEF53" "$BATS_TEST_TMPDIR/fs"
        grep -q "has_journal" "$BATS_TEST_TMPDIR/fs"
        # lazy_itable_init=0: mkfs zeroed every group's inode table itself
        ! grep "^Group [0-9]" "$BATS_TEST_TMPDIR/fs" | grep -qv ITABLE_ZEROED || false
}

@test "image names with '/' or '..' and empty names are refused, nothing made" {
        for bad in a/b .. ../x 'a b' ''; do
                run "$SKIFF" image import "$bad" "$TEMPLATE/rootfs"
                [ "$status" -eq 1 ]
        done
        run "$SKIFF" image import ../etc "$TEMPLATE/rootfs"
        assert_output_contains '".." is not allowed'
        run "$SKIFF" image import a/b "$TEMPLATE/rootfs"
        assert_output_contains "'/' is not allowed"
        [ -z "$(device_keys)" ]
}

@test "importing from a missing path or a broken tar fails and leaves no device" {
        run "$SKIFF" image import x /nonexistent
        [ "$status" -eq 1 ]
        assert_output_contains "/nonexistent"
        echo "not a tar" >"$BATS_TEST_TMPDIR/bad.tar"
        tid=$(pool_field tid)
        run "$SKIFF" image import x "$BATS_TEST_TMPDIR/bad.tar"
        [ "$status" -eq 1 ]
        assert_output_contains "tar failed"
        [ -z "$(device_keys)" ]
        [ -z "$(dm_thin_devices)" ]
        # the device was created and deleted: two transactions, both closed
        [ "$(pool_field tid)" -eq $((tid + 2)) ]
        [ "$(jq .openTransactionId "$SKIFF_STORAGE_ROOT/transaction.json")" -eq $((tid + 2)) ]
}

@test "importing a name twice is refused" {
        import_busybox base
        run import_busybox base
        [ "$status" -eq 1 ]
        assert_output_contains "image base already exists"
}

@test "unknown images: rm and export fail clearly" {
        run "$SKIFF" image rm nope
        [ "$status" -eq 1 ]
        assert_output_contains "image nope does not exist"
        run "$SKIFF" image export nope
        [ "$status" -eq 1 ]
        assert_output_contains "image nope does not exist"
}

@test "image rm removes the device and gives its blocks back" {
        import_busybox base
        used=$(pool_field data_used)
        [ "$used" -gt 0 ]
        "$SKIFF" image rm base
        [ -z "$(device_keys)" ]
        [ "$(pool_field data_used)" -lt "$used" ]
        run "$SKIFF" image ls
        [[ "$output" != *base* ]]
}

@test "image rm is refused while a container or another image uses it" {
        import_busybox base
        use_image base
        set_cmd 'sleep 100'
        run_bg
        run "$SKIFF" image rm base
        [ "$status" -eq 1 ]
        assert_output_contains "image base is used by container $CID"
        skiff commit "$CID" child
        skiff delete --force "$CID"
        run "$SKIFF" image rm base
        [ "$status" -eq 1 ]
        assert_output_contains "image base is used by image child"
        "$SKIFF" image rm child
        "$SKIFF" image rm base
}

@test "image: bad usage" {
        run "$SKIFF" image import onlyname
        [ "$status" -eq 2 ]
        run "$SKIFF" image frob
        [ "$status" -eq 2 ]
        assert_output_contains "unknown subcommand"
}
