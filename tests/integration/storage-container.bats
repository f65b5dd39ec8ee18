#!/usr/bin/env bats
# Containers on thin snapshots (annotation run.skiff.image), commit, volumes.
# VM suite: needs dm-thin (tests/vm/run).

load storage-helpers

setup() { storage_setup; pool_init; import_busybox base; use_image base; }
teardown() { storage_teardown; }

# Create, start and wait for the end of $CID, without deleting it.
run_to_end() {
        create_detached || { cat "$BATS_TEST_TMPDIR/$CID.err" >&2; return 1; }
        skiff start "$CID"
        skiff wait "$CID" || true
        wait_status "$CID" stopped
}

ctr_device() {
        echo "$(pool_name)-$(jq .deviceId "$SKIFF_STORAGE_ROOT/devices/ctr-$1.json")"
}

@test "a container runs on its own snapshot, mounted only in its own mount namespace" {
        set_cmd 'grep " / / " /proc/self/mountinfo; echo hi >/written; sleep 100'
        run_bg
        wait_status "$CID" running
        dev=$(ctr_device "$CID")
        dmsetup info "$dev" >/dev/null
        for i in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/$CID.out" ] && break; sleep 0.1; done
        grep -q "ext4" "$BATS_TEST_TMPDIR/$CID.out"
        # the host never sees the mount, nor the bundle's rootfs dir any file of the image
        ! grep -q "$BUNDLE/rootfs" /proc/self/mountinfo || false
        [ -z "$(ls -A "$BUNDLE/rootfs")" ]
        [ "$(jq -r .parent "$SKIFF_STORAGE_ROOT/devices/ctr-$CID.json")" = image-base ]
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
        # the shim deactivated the device at exit
        for i in $(seq 100); do dmsetup info "$dev" >/dev/null 2>&1 || break; sleep 0.1; done
        ! dmsetup info "$dev" >/dev/null 2>&1 || false
        skiff delete "$CID"
        [ ! -e "$SKIFF_STORAGE_ROOT/devices/ctr-$CID.json" ]
        assert_nothing_left "$CID"
}

@test "two containers of one image share its blocks and do not see each other's writes" {
        set_cmd 'echo one >/mine; sleep 100'
        run_bg c1
        data=$(pool_field data_used)
        set_cmd 'cat /mine 2>/dev/null || echo none; sleep 100'
        run_bg c2
        wait_status c2 running
        for i in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/c2.out" ] && break; sleep 0.1; done
        [ "$(cat "$BATS_TEST_TMPDIR/c2.out")" = none ]
        # the second snapshot costs (almost) no data blocks: shared with the image
        [ "$(pool_field data_used)" -le $((data + 8)) ]
        skiff delete --force c1
        skiff delete --force c2
}

@test "delete --keep-rootfs keeps the snapshot; a new create of the id runs on it again" {
        set_cmd 'echo kept >/kept'
        run_to_end
        skiff delete --keep-rootfs "$CID"
        [ -e "$SKIFF_STORAGE_ROOT/devices/ctr-$CID.json" ]
        [ ! -e "$ROOT/$CID" ]
        set_cmd 'cat /kept'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        [ "$output" = kept ]
        [ ! -e "$SKIFF_STORAGE_ROOT/devices/ctr-$CID.json" ]
}

@test "an unknown image is a clear error and leaves nothing" {
        update_config '.annotations["run.skiff.image"] = "nope"'
        tid=$(pool_field tid)
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 1 ]
        assert_output_contains "run.skiff.image: image nope does not exist"
        assert_nothing_left "$CID"
        [ "$(pool_field tid)" = "$tid" ]
        [ "$(device_keys)" = image-base ]
}

@test "an image name with '..' in the annotation is refused" {
        update_config '.annotations["run.skiff.image"] = "../base"'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 1 ]
        assert_output_contains '".." is not allowed'
        assert_nothing_left "$CID"
}

@test "a create that fails after the snapshot was made deletes it again" {
        set_cmd 'true'
        update_config '.process.args = ["/no/such/program"]'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 1 ]
        assert_nothing_left "$CID"
        [ "$(device_keys)" = image-base ]
        [ -z "$(dm_thin_devices)" ]
}

@test "commit of a running container: frozen for the snapshot, the new image has its files" {
        set_cmd 'echo committed >/state; sync; sleep 100'
        run_bg
        wait_status "$CID" running
        for i in $(seq 50); do skiff exec "$CID" cat /state >/dev/null 2>&1 && break; sleep 0.1; done
        run skiff exec "$CID" cat /state
        [ "$status" -eq 0 ]
        [ "$output" = committed ]
        run skiff commit "$CID" snap1
        [ "$status" -eq 0 ]
        [ "$(status_of "$CID")" = running ]
        [ "$(jq -r .parent "$SKIFF_STORAGE_ROOT/devices/image-snap1.json")" = image-base ]
        "$SKIFF" image export snap1 >"$BATS_TEST_TMPDIR/snap1.tar"
        [ "$(tar -xOf "$BATS_TEST_TMPDIR/snap1.tar" ./state)" = committed ]
        skiff delete --force "$CID"
}

@test "commit of a stopped container, and of a kept rootfs after delete" {
        set_cmd 'echo stopped >/state'
        run_to_end
        skiff commit "$CID" snap1
        "$SKIFF" image export snap1 >"$BATS_TEST_TMPDIR/snap1.tar"
        [ "$(tar -xOf "$BATS_TEST_TMPDIR/snap1.tar" ./state)" = stopped ]
        skiff delete --keep-rootfs "$CID"
        skiff commit "$CID" snap2
        "$SKIFF" image export snap2 >"$BATS_TEST_TMPDIR/snap2.tar"
        [ "$(tar -xOf "$BATS_TEST_TMPDIR/snap2.tar" ./state)" = stopped ]
        run skiff commit "$CID" snap2
        [ "$status" -eq 1 ]
        assert_output_contains "image snap2 already exists"
}

@test "commit: a container without a thin rootfs, and a bad name, are clear errors" {
        run skiff commit nosuch img
        [ "$status" -eq 1 ]
        assert_output_contains "does not exist or has no thin rootfs"
        run skiff commit "$CID" "a/b"
        [ "$status" -eq 1 ]
        assert_output_contains "not allowed"
        run skiff commit onlyone
        [ "$status" -eq 2 ]
}

@test "volumes: a directory volume and a thin volume, mounted in the container; never in a commit" {
        dirv=$("$SKIFF" volume create data)
        thinv=$("$SKIFF" volume create --size 16M fast)
        [ -d "$dirv" ] && [ -d "$thinv" ]
        update_config --arg d "$dirv" --arg t "$thinv" \
                '.mounts += [{"destination": "/data", "type": "bind", "source": $d, "options": ["rbind"]},
                             {"destination": "/fast", "type": "bind", "source": $t, "options": ["rbind"]}]'
        set_cmd 'echo d >/data/f && echo t >/fast/f && grep " /fast " /proc/self/mountinfo | grep -q ext4 && echo ok'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        [ "$output" = ok ]
        [ "$(cat "$dirv/f")" = d ]
        # the thin volume's filesystem was never mounted on the host
        [ ! -e "$thinv/f" ]
        run "$SKIFF" volume ls
        assert_output_contains "data"
        assert_output_contains "thin"
        "$SKIFF" volume rm data
        "$SKIFF" volume rm fast
        [ ! -e "$dirv" ] && [ ! -e "$thinv" ]
}

@test "run.skiff.volumes-from adds another container's volume mounts; commit leaves volumes out" {
        v=$("$SKIFF" volume create shared)
        update_config --arg v "$v" '.mounts += [{"destination": "/shared", "type": "bind", "source": $v, "options": ["rbind"]}]'
        set_cmd 'echo from-a >/shared/f; sleep 100'
        run_bg a
        wait_status a running
        for i in $(seq 50); do [ -e "$v/f" ] && break; sleep 0.1; done
        skiff commit a img-a
        "$SKIFF" image export img-a >"$BATS_TEST_TMPDIR/img-a.tar"
        tar -tf "$BATS_TEST_TMPDIR/img-a.tar" >"$BATS_TEST_TMPDIR/img-a.list"
        grep -q '^./bin/busybox$' "$BATS_TEST_TMPDIR/img-a.list"
        ! grep -q '^./shared/f' "$BATS_TEST_TMPDIR/img-a.list" || false
        # b has a cgroup of its own: sharing a's would add a warning to its output.
        update_config 'del(.mounts[-1]) | .annotations["run.skiff.volumes-from"] = "a" | .linux.cgroupsPath += "-b"'
        set_cmd 'cat /shared/f'
        run skiff run --bundle "$BUNDLE" b
        [ "$status" -eq 0 ]
        [ "$output" = from-a ]
        # Only containers under the same --root count as users.
        run skiff volume rm shared
        [ "$status" -eq 1 ]
        assert_output_contains "used by container a"
        skiff delete --force a
        skiff volume rm shared
}

@test "volumes-from an unknown container is a clear error" {
        update_config '.annotations["run.skiff.volumes-from"] = "ghost"'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 1 ]
        assert_output_contains "run.skiff.volumes-from"
        assert_nothing_left "$CID"
}

@test "volume: bad names and sizes, unknown volumes, twice the same name" {
        run "$SKIFF" volume create --size lots v
        [ "$status" -eq 2 ]
        assert_output_contains "is not a size"
        run "$SKIFF" volume create ../x
        [ "$status" -eq 1 ]
        run "$SKIFF" volume rm nope
        [ "$status" -eq 1 ]
        assert_output_contains "volume nope does not exist"
        "$SKIFF" volume create twice
        run "$SKIFF" volume create twice
        [ "$status" -eq 1 ]
        assert_output_contains "already exists"
        "$SKIFF" volume rm twice
}
