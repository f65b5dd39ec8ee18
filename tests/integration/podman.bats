#!/usr/bin/env bats
# A real engine: podman (with conmon, a child subreaper) runs containers with skiff as its runtime.
# Everything podman keeps (images, containers, skiff's state) lives in a private dir of this file;
# the cgroups go below /skiff-test/podman-PID. Measured: podman 4.3 needs cgroupfs, the file events
# backend, no network and rlimits within what this machine allows (no CAP_SYS_RESOURCE).

load helpers

setup_file() {
        common_setup_file
        export PM="$BATS_FILE_TMPDIR/podman"
        export PM_CGROUP="/skiff-test/podman-$$"
        mkdir -p "$PM"
        # skiff's state goes to $PM/state. Not with --runtime-flag: podman's cleanup process (run by
        # conmon when the container exits) does not pass it on. exec keeps the caller conmon.
        printf '#!/bin/sh\nexec "%s" --root "%s" "$@"\n' "$SKIFF" "$PM/state" >"$PM/skiff"
        chmod +x "$PM/skiff"
        tar -C "$TEMPLATE/rootfs" -cf "$PM/busybox.tar" .
        pm import "$PM/busybox.tar" localhost/skiff-busybox:test >/dev/null
}

teardown_file() {
        local m d
        pm rm --all --force >/dev/null 2>&1 || true
        pm rmi --all --force >/dev/null 2>&1 || true
        # conmon's cgroup and the parent podman made for it.
        for d in /sys/fs/cgroup/*"$PM_CGROUP"; do
                [ -d "$d" ] || continue
                find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
        done
        for m in $(awk -v pm="$PM" 'index($5, pm) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
                umount "$m" || true
        done
}

pm() {
        podman --root "$PM/root" --runroot "$PM/runroot" --tmpdir "$PM/tmp" --storage-driver vfs \
                --network-config-dir "$PM/networks" \
                --cgroup-manager cgroupfs --events-backend file \
                --runtime "$PM/skiff" "$@"
}

pm_run() {
        pm run --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
                --cgroup-parent "$PM_CGROUP" "$@"
}

@test "podman run --rm: the workload's output and exit code come through skiff" {
        run pm_run --rm localhost/skiff-busybox:test sh -c 'echo hello from $(hostname); exit 3'
        [ "$status" -eq 3 ]
        assert_output_contains "hello from"
        # podman deleted the container through skiff (its cleanup runs after the exit):
        # nothing of it stays in skiff's root.
        for i in $(seq 100); do [ -z "$(ls "$PM/state")" ] && break; sleep 0.1; done
        [ -z "$(ls "$PM/state")" ]
}

@test "podman run -d, ps, stop, rm: conmon is the init's parent, skiff-shim only watches" {
        id=$(pm_run -d localhost/skiff-busybox:test sh -c 'trap "echo stopping; exit 5" TERM; echo up; while :; do sleep 0.1; done')
        run pm ps --format '{{.ID}} {{.Status}}' --no-trunc
        assert_output_contains "$id Up"
        # skiff sees it running; its shim runs in watch mode beside the init.
        [ "$("$SKIFF" --root "$PM/state" state "$id" | jq -r .status)" = running ]
        pid=$("$SKIFF" --root "$PM/state" state "$id" | jq .pid)
        conmon=$(pm inspect --format '{{.State.ConmonPid}}' "$id")
        [ "$(awk '/^PPid:/ { print $2 }' /proc/$pid/status)" = "$conmon" ]
        shim=$(jq .shimPid "$PM/state/$id/state.json")
        grep -q -- --watch /proc/$shim/cmdline
        run pm stop --time 10 "$id"
        [ "$status" -eq 0 ]
        [ "$(pm inspect --format '{{.State.ExitCode}}' "$id")" = 5 ]
        run pm ps --all --format '{{.ID}} {{.Status}}' --no-trunc
        assert_output_contains "$id Exited (5)"
        run pm logs "$id"
        assert_output_contains "up"
        assert_output_contains "stopping"
        pm rm "$id"
        [ ! -e "$PM/state/$id" ]
        ! kill -0 "$pid" 2>/dev/null || false
        for d in /sys/fs/cgroup/*"$PM_CGROUP"/libpod-"$id"; do [ ! -e "$d" ]; done
}

@test "podman kill and rm --force of a running container" {
        id=$(pm_run -d localhost/skiff-busybox:test sleep 1000)
        pm kill "$id" >/dev/null
        for i in $(seq 100); do
                [ "$(pm inspect --format '{{.State.Status}}' "$id")" = exited ] && break
                sleep 0.1
        done
        [ "$(pm inspect --format '{{.State.ExitCode}}' "$id")" = 137 ]
        id2=$(pm_run -d localhost/skiff-busybox:test sleep 1000)
        pm rm --force "$id" "$id2" >/dev/null
        [ -z "$(ls "$PM/state")" ]
}
