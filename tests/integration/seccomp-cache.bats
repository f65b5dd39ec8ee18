#!/usr/bin/env bats
# The compiled seccomp program is kept under --root (src/lib/seccomp-compile.c): reused when every input
# matches, compiled again when the entry is damaged or belongs to another profile, and never taken
# for a container of its own. create keys it by linux.seccomp's text as written, exec by the profile
# as parsed.

load helpers

CACHE() { echo "$ROOT/.seccomp@cache"; }

deny_mkdir() { # deny_mkdir ERRNO: a profile that fails mkdir with ERRNO
        update_config --argjson e "$1" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "architectures": ["SCMP_ARCH_X86_64"],
                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": $e}]}'
        set_cmd 'mkdir /x'
}

run_mkdir() { # run_mkdir MESSAGE: the container's mkdir fails with MESSAGE
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -ne 0 ]
        assert_output_contains "$1"
}

entries() { find "$(CACHE)" -type f | sort; }

@test "seccomp cache: one entry per profile, reused by the next container as it is" {
        deny_mkdir 1
        run_mkdir "Operation not permitted"
        [ "$(entries | wc -l)" -eq 1 ]
        entry=$(entries)
        before=$(stat -c '%i %Y %s' "$entry")
        run_mkdir "Operation not permitted"
        [ "$(entries)" = "$entry" ]
        [ "$(stat -c '%i %Y %s' "$entry")" = "$before" ]
        # Another errno is another program: a second entry, and its own errno inside.
        deny_mkdir 28
        run_mkdir "No space left on device"
        [ "$(entries | wc -l)" -eq 2 ]
}

@test "seccomp cache: create finds the program by the profile's text; another text is parsed and checked" {
        deny_mkdir 1
        run_mkdir "Operation not permitted"
        [ "$(entries | wc -l)" -eq 1 ]
        # The same profile written otherwise (indented by 7): another text, so another entry.
        jq --indent 7 . "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/config.json"
        mv "$BATS_TEST_TMPDIR/config.json" "$BUNDLE/config.json"
        run_mkdir "Operation not permitted"
        [ "$(entries | wc -l)" -eq 2 ]
        # A list the cache has not seen is parsed: an action that does not exist is refused.
        update_config '.linux.seccomp.syscalls[0].action = "SCMP_ACT_BOGUS"'
        run skiff create --bundle "$BUNDLE" "$CID" </dev/null
        [ "$status" -ne 0 ]
        assert_output_contains "linux.seccomp.syscalls[0].action"
        assert_nothing_left "$CID"
}

@test "seccomp cache: a damaged entry is compiled again, never loaded" {
        deny_mkdir 1
        run_mkdir "Operation not permitted"
        entry=$(entries)
        good=$(sha256sum <"$entry")
        # The last instruction zeroed (as a crash can leave a file), then the file cut short.
        size=$(stat -c %s "$entry")
        dd if=/dev/zero of="$entry" bs=1 seek=$((size - 8)) count=8 conv=notrunc status=none
        run_mkdir "Operation not permitted"
        [ "$(sha256sum <"$entry")" = "$good" ]
        truncate -s $((size / 2)) "$entry"
        run_mkdir "Operation not permitted"
        [ "$(sha256sum <"$entry")" = "$good" ]
}

@test "seccomp cache: an entry stored for another profile under this one's name is not used" {
        deny_mkdir 28
        run_mkdir "No space left on device"
        other=$(entries)
        mv "$other" "$BATS_TEST_TMPDIR/other"
        deny_mkdir 1
        run_mkdir "Operation not permitted"
        mine=$(entries)
        cp "$BATS_TEST_TMPDIR/other" "$mine"
        run_mkdir "Operation not permitted"
}

@test "seccomp cache: exec compiles, or reuses, the container's program too" {
        deny_mkdir 1
        set_cmd 'sleep 100'
        run_detached
        rm -rf "$(CACHE)"
        run skiff exec "$CID" mkdir /y
        [ "$status" -ne 0 ]
        assert_output_contains "Operation not permitted"
        [ "$(entries | wc -l)" -eq 1 ]
        skiff delete --force "$CID"
}

@test "seccomp cache: list and gc pass over it, and a container whose ID starts with a dot is listed" {
        deny_mkdir 1
        set_cmd 'true'
        skiff run --bundle "$BUNDLE" "$CID" </dev/null
        [ -d "$(CACHE)" ]
        update_config --arg cg "/skiff-test/$CID-dot" '.linux.cgroupsPath = $cg'
        create_detached ".$CID"
        run skiff list --quiet
        [ "$status" -eq 0 ]
        [ "$output" = ".$CID" ]
        skiff delete --force ".$CID"
        run skiff gc
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        [ -d "$(CACHE)" ]
}

@test "seccomp cache: each store keeps the 32 newest entries and drops the oldest" {
        deny_mkdir 1
        run_mkdir "Operation not permitted"
        first=$(entries)
        # 32 more profiles, each its own entry: the first is then the oldest of 33.
        for e in $(seq 2 33); do
                deny_mkdir "$e"
                run skiff run --bundle "$BUNDLE" "$CID" </dev/null
                [ "$status" -ne 0 ]
        done
        entries
        [ "$(entries | wc -l)" -eq 32 ]
        [ ! -e "$first" ]
        # The dropped profile is compiled and kept again, and still works.
        deny_mkdir 1
        run_mkdir "Operation not permitted"
        [ -e "$first" ]
        [ "$(entries | wc -l)" -eq 32 ]
}
