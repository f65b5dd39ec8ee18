#!/usr/bin/env bats
# skiff-shim: who reaps the init, what is recorded when it exits, signals, locks, size.

load helpers

# The pid of container $1's shim, from skiff's own record.
shim_of() {
        jq -r .shimPid "$ROOT/$1/state.json"
}

ppid_of() {
        awk '/^PPid:/ { print $2 }' "/proc/$1/status"
}

@test "standalone: skiff-shim is the init's parent; state shows the exit code once it exits" {
        update_config '.process.args = ["sh", "-c", "mkfifo /tmp/go; read line </tmp/go; exit 7"]'
        run_detached
        pid=$(pid_of "$CID")
        shim=$(shim_of "$CID")
        [ "$(cat /proc/$shim/comm)" = skiff-shim ]
        [ "$(ppid_of "$pid")" = "$shim" ]
        [ "$(status_of "$CID")" = running ]
        [ "$(skiff state "$CID" | jq '."skiff.exit"')" = null ]
        for i in $(seq 50); do [ -p "$BUNDLE/rootfs/tmp/go" ] && break; sleep 0.05; done
        echo go >"$BUNDLE/rootfs/tmp/go"
        wait_status "$CID" stopped
        run skiff state "$CID"
        [ "$(echo "$output" | jq .pid)" = 0 ]
        [ "$(echo "$output" | jq '."skiff.exit".exitCode')" = 7 ]
        [ "$(echo "$output" | jq '."skiff.exit".signal')" = 0 ]
        [ "$(echo "$output" | jq -r '."skiff.exit".exitedAt')" != null ]
        # The shim exits once it has recorded the exit and removed the cgroup.
        for i in $(seq 100); do kill -0 "$shim" 2>/dev/null || break; sleep 0.05; done
        ! kill -0 "$shim" 2>/dev/null || false
        for d in /sys/fs/cgroup/*/skiff-test/"$CID"; do [ ! -e "$d" ]; done
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "state records the signal that killed the workload" {
        set_cmd 'sleep 100'
        run_detached
        skiff kill "$CID" KILL
        wait_status "$CID" stopped
        run skiff state "$CID"
        [ "$(echo "$output" | jq '."skiff.exit".signal')" = 9 ]
        [ "$(echo "$output" | jq '."skiff.exit".exitCode')" = 0 ]
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "wait blocks until the container exits and exits with its code" {
        set_cmd 'sleep 0.5; exit 42'
        create_detached
        skiff wait "$CID" >"$BATS_TEST_TMPDIR/wait.out" 2>&1 &
        waiter=$!
        sleep 0.3
        # Still waiting: the container has not even started.
        kill -0 "$waiter"
        skiff start "$CID"
        rc=0
        wait "$waiter" || rc=$?
        [ "$rc" -eq 42 ]
        run skiff wait "$CID"
        [ "$status" -eq 42 ]
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "wait reports 128 + the signal for a killed workload" {
        # The workload traps nothing: TERM, which a pid namespace's init ignores, is not enough.
        set_cmd 'sleep 100'
        run_detached
        skiff kill "$CID" KILL
        run skiff wait "$CID"
        [ "$status" -eq 137 ]
        skiff delete "$CID"
}

@test "run --detach goes the same way: shim parent, exit recorded, wait gets the code" {
        update_config '.process.args = ["sh", "-c", "mkfifo /tmp/go; read line </tmp/go; exit 3"]'
        run_detached
        [ "$(ppid_of "$(pid_of "$CID")")" = "$(shim_of "$CID")" ]
        for i in $(seq 50); do [ -p "$BUNDLE/rootfs/tmp/go" ] && break; sleep 0.05; done
        echo go >"$BUNDLE/rootfs/tmp/go"
        run skiff wait "$CID"
        [ "$status" -eq 3 ]
        [ "$(skiff state "$CID" | jq '."skiff.exit".exitCode')" = 3 ]
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "run in the foreground exits with the code, and with 128 + signal" {
        set_cmd 'exit 5'
        run skiff run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 5 ]
        assert_nothing_left "$CID"
        set_cmd 'sleep 100'
        skiff run --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 &
        runner=$!
        wait_status "$CID" running
        skiff kill "$CID" KILL
        rc=0
        wait "$runner" || rc=$?
        [ "$rc" -eq 137 ]
        assert_nothing_left "$CID"
}

@test "run in the foreground is its init's parent and shim, whatever --shim-mode says" {
        set_cmd 'trap "exit 3" TERM; while :; do sleep 0.05; done'
        for mode in auto watch; do
                "$SKIFF" --root "$ROOT" --shim-mode="$mode" run --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 &
                runner=$!
                wait_status "$CID" running
                pid=$(pid_of "$CID")
                [ "$(shim_of "$CID")" = "$runner" ]
                [ "$(ppid_of "$pid")" = "$runner" ]
                # Passed on to the init, whose own exit code run then exits with.
                kill -s TERM "$runner"
                rc=0
                wait "$runner" || rc=$?
                [ "$rc" -eq 3 ]
                assert_nothing_left "$CID"
        done
}

@test "the shim passes TERM, INT, HUP, USR1 and USR2 on to the container" {
        set_cmd 'for s in TERM INT HUP USR1 USR2; do trap "echo $s >>/tmp/got" $s; done; echo ready >/tmp/ready; while :; do sleep 0.05; done'
        run_detached
        for i in $(seq 100); do [ -e "$BUNDLE/rootfs/tmp/ready" ] && break; sleep 0.05; done
        shim=$(shim_of "$CID")
        for s in TERM INT HUP USR1 USR2; do
                kill -s "$s" "$shim"
                for i in $(seq 100); do grep -qx "$s" "$BUNDLE/rootfs/tmp/got" 2>/dev/null && break; sleep 0.05; done
                grep -qx "$s" "$BUNDLE/rootfs/tmp/got"
        done
        # The shim is still there, still waiting.
        [ "$(status_of "$CID")" = running ]
        kill -0 "$shim"
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}

@test "the shim holds no lock and none of the caller's fds while it waits" {
        set_cmd 'sleep 100'
        exec 7>"$BATS_TEST_TMPDIR/held"
        run_detached
        exec 7>&-
        shim=$(shim_of "$CID")
        flock --nonblock "$ROOT/$CID/lock" true
        ! ls -l /proc/$shim/fd | grep -q "$BATS_TEST_TMPDIR/held" || false
        ! ls -l /proc/$shim/fd | grep -q "$ROOT/$CID/lock" || false
        # stdin, stdout, stderr on /dev/null, the init's pidfd and a signalfd: nothing else.
        [ "$(ls /proc/$shim/fd | wc -l)" -le 5 ]
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}

@test "skiff-shim stays small: no JSON or devmapper library, RSS under 2 MiB" {
        ! ldd "$SKIFF_SHIM" | grep -Eq 'yajl|devmapper|seccomp|libcap' || false
        set_cmd 'sleep 100'
        run_detached
        rss=$(awk '/^VmRSS:/ { print $2 }' /proc/"$(shim_of "$CID")"/status)
        echo "# skiff-shim VmRSS: $rss kB" >&3
        # An ASan build maps shadow memory and its runtime: the bound is for the plain build.
        ldd "$SKIFF_SHIM" | grep -q libasan || [ "$rss" -lt 2048 ]
        skiff delete --force "$CID"
}

@test "--shim-mode=watch: the caller stays the init's parent; the shim still records the exit and cleans up" {
        update_config '.process.args = ["sh", "-c", "mkfifo /tmp/go; read line </tmp/go; exit 9"]'
        skiff --shim-mode=watch run --detach --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
        shim=$(shim_of "$CID")
        [ "$(ppid_of "$(pid_of "$CID")")" != "$shim" ]
        grep -q -- --watch /proc/$shim/cmdline
        for i in $(seq 50); do [ -p "$BUNDLE/rootfs/tmp/go" ] && break; sleep 0.05; done
        echo go >"$BUNDLE/rootfs/tmp/go"
        run skiff wait "$CID"
        [ "$status" -eq 9 ]
        for d in /sys/fs/cgroup/*/skiff-test/"$CID"; do [ ! -e "$d" ]; done
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "auto mode: under a caller that is a child subreaper (as conmon is), the init is reparented to it" {
        set_cmd 'sleep 0.3; exit 6'
        # A tiny engine: becomes a child subreaper (prctl 36), runs skiff, then reaps what it adopts.
        perl -e 'syscall(157, 36, 1, 0, 0, 0) == 0 or die "prctl: $!";
                 my $p = fork; if (!$p) { exec @ARGV or die } waitpid($p, 0);
                 while ((my $c = wait) > 0) { printf "%d %d\n", $c, $? >> 8 }' \
                "$SKIFF" --root "$ROOT" run --detach --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/reaped"
        pid=$(jq .pid "$ROOT/$CID/state.json")
        # The engine reaped the init itself and saw its exit code...
        grep -qx "$pid 6" "$BATS_TEST_TMPDIR/reaped"
        # ...and the shim, only watching (it had exited when the engine's last child was gone),
        # recorded it as well.
        [ "$(skiff state "$CID" | jq '."skiff.exit".exitCode')" = 6 ]
        skiff delete "$CID"
        assert_nothing_left "$CID"
}

@test "--shim-mode takes auto, parent or watch only" {
        run skiff --shim-mode=sideways list
        [ "$status" -eq 2 ]
        assert_output_contains "--shim-mode"
}

# A directory where exit.json goes keeps the shim from recording the end.
shim_error_in_log() { # shim_error_in_log FORMAT DETACH: the shim's failure goes to create's --log
        local log=$BATS_TEST_TMPDIR/$1.log
        set_cmd 'while [ ! -e /tmp/go ]; do sleep 0.05; done'
        if [ "$2" = detach ]; then
                skiff --log "$log" --log-format "$1" run --detach --bundle "$BUNDLE" "$CID" </dev/null
        else
                skiff --log "$log" --log-format "$1" run --bundle "$BUNDLE" "$CID" </dev/null &
                wait_status "$CID" running
        fi
        mkdir "$ROOT/$CID/exit.json"
        echo go >"$BUNDLE/rootfs/tmp/go"
        for i in $(seq 100); do grep -q "skiff-shim $CID" "$log" 2>/dev/null && break; sleep 0.05; done
        # A foreground run takes the state dir away itself, this obstacle with it.
        rm -rf "$ROOT/$CID/exit.json"
        wait
        cat "$log"
        if [ "$1" = json ]; then
                jq -se --arg id "$CID" 'map(select(.msg | startswith("skiff-shim \($id): ") and test("exit.json")))
                        | length == 1 and .[0].level == "error" and (.[0].time | length > 0)' "$log"
        else
                grep -E "^[0-9T:.-]+Z error skiff-shim $CID: .*exit.json" "$log"
        fi
        skiff delete --force "$CID" 2>/dev/null || true
        assert_nothing_left "$CID"
}

@test "the detached shim's own errors go to create's --log, as text" {
        shim_error_in_log text detach
}

@test "the foreground run's shim's own errors go to its --log, as JSON" {
        shim_error_in_log json foreground
}
