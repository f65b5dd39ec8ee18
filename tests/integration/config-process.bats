#!/usr/bin/env bats
# process.*: args, env, cwd, user, rlimits, noNewPrivileges, capabilities, oomScoreAdj — each checked
# from inside the container.

load config-helpers

@test "process.args reach the program as its argv, process.env as its environment" {
        update_config '.process.args = ["sh", "-c", "echo \"[$0] [$1] [$2]\"; echo \"FOO=$FOO\"; env | sort", "zero", "one two", ""]
                       | .process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY="]'
        run skiff run --bundle "$BUNDLE" "$CID" </dev/null
        assert_success
        assert_line_is "[zero] [one two] []"
        assert_line_is "FOO=bar baz"
        assert_line_is "EMPTY="
        assert_line_is "PATH=/bin"
        # Nothing of skiff's own environment leaks in.
        ! printf '%s\n' "$output" | grep -q '^SKIFF' || false
}

@test "process.cwd is the working directory, made inside the rootfs when missing" {
        update_config '.process.cwd = "/var/lib/app"'
        [ ! -e "$BUNDLE/rootfs/var/lib/app" ]
        run_in_container 'pwd; stat -c "%a %u" .'
        assert_success
        [ "${lines[0]}" = /var/lib/app ]
        [ "${lines[1]}" = "755 0" ]
        [ -d "$BUNDLE/rootfs/var/lib/app" ]
}

@test "process.cwd through a symlink out of the rootfs is made inside it" {
        ln -s /../../../../etc "$BUNDLE/rootfs/escape"
        update_config '.process.cwd = "/escape/skiff-cwd-test"'
        run_in_container 'pwd -P'
        assert_success
        [ "$output" = /etc/skiff-cwd-test ]
        [ -d "$BUNDLE/rootfs/etc/skiff-cwd-test" ]
        [ ! -e /etc/skiff-cwd-test ]
}

@test "process.cwd the user may not search its parents of still works, as in runc" {
        mkdir -p "$BUNDLE/rootfs/locked/home"
        chmod 700 "$BUNDLE/rootfs/locked"
        chown 1000:1000 "$BUNDLE/rootfs/locked/home"
        update_config '.process.cwd = "/locked/home" | .process.user = {"uid": 1000, "gid": 1000}'
        run_in_container 'pwd; touch here && echo wrote'
        assert_success
        [ "${lines[0]}" = /locked/home ]
        [ "${lines[1]}" = wrote ]
}

@test "process.user: uid, gid, additionalGids and umask" {
        update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20, 1001], "umask": 63}'
        run_in_container 'id -u; id -g; grep -E "^(Uid|Gid|Groups):" /proc/self/status; umask; touch /tmp/f; stat -c "%a %u %g" /tmp/f'
        assert_success
        [ "${lines[0]}" = 1000 ]
        [ "${lines[1]}" = 1001 ]
        [ "$(status_field Uid)" = "1000 1000 1000 1000" ]
        [ "$(status_field Gid)" = "1001 1001 1001 1001" ]
        [ "$(status_field Groups)" = "10 20 1001" ]
        assert_line_is 0077
        assert_line_is "600 1000 1001"
}

@test "process.user without additionalGids: the host's supplementary groups are dropped" {
        update_config '.process.user = {"uid": 0, "gid": 0}'
        run_in_container 'grep "^Groups:" /proc/self/status'
        assert_success
        [ "$(status_field Groups)" = "" ]
}

@test "process.rlimits within the host's limits are what the container sees" {
        update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 4096},
                                          {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
                                          {"type": "RLIMIT_NPROC", "soft": 300, "hard": 400}]'
        run_in_container 'ulimit -n; ulimit -Hn; ulimit -c; ulimit -Hc; grep "Max processes" /proc/self/limits'
        assert_success
        [ "${lines[0]}" = 512 ]
        [ "${lines[1]}" = 4096 ]
        [ "${lines[2]}" = 0 ]
        [ "${lines[3]}" = 0 ]
        [[ "${lines[4]}" =~ ^Max\ processes\ +300\ +400\ +processes ]]
}

@test "process.rlimits: RLIMIT_NOFILE hard limit above the host's fails create, naming the entry" {
        # This machine withholds CAP_SYS_RESOURCE: the init cannot raise a hard limit above its own.
        host_hard=$(ulimit -Hn)
        update_config --argjson h $((host_hard + 1)) '.process.rlimits = [{"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
                                                     {"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]'
        assert_create_fails_with "process.rlimits[1]: RLIMIT_NOFILE hard limit $((host_hard + 1)) is above"
        assert_output_contains "CAP_SYS_RESOURCE"
}

@test "process.rlimits: soft above hard and an unknown type are refused before anything runs" {
        update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]'
        assert_create_fails_with "process.rlimits[0]: soft limit 2048 is above hard limit 1024"
        update_config '.process.rlimits = [{"type": "RLIMIT_NOPE", "soft": 1, "hard": 1}]'
        assert_create_fails_with 'process.rlimits[0].type: unknown rlimit "RLIMIT_NOPE"'
}

@test "process.noNewPrivileges sets NoNewPrivs, and only when asked" {
        update_config '.process.noNewPrivileges = true'
        run_in_container 'grep NoNewPrivs /proc/self/status'
        assert_success
        [ "$(status_field NoNewPrivs)" = 1 ]
        update_config '.process.noNewPrivileges = false'
        run_in_container 'grep NoNewPrivs /proc/self/status'
        assert_success
        [ "$(status_field NoNewPrivs)" = 0 ]
}

@test "process.capabilities: all five sets as configured for root, with and without noNewPrivileges" {
        # CAP_CHOWN=0 CAP_KILL=5 CAP_NET_BIND_SERVICE=10 CAP_NET_RAW=13 CAP_SYS_ADMIN=21
        update_config '.process.noNewPrivileges = true | .process.capabilities = {
                "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_ADMIN"],
                "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
                "effective": ["CAP_CHOWN", "CAP_KILL"],
                "inheritable": ["CAP_NET_RAW", "CAP_KILL"],
                "ambient": ["CAP_NET_RAW"]}'
        run_in_container 'grep ^Cap /proc/self/status'
        assert_success
        [ "$(status_field CapBnd)" = 0000000000202421 ]
        [ "$(status_field CapInh)" = 0000000000002020 ]
        [ "$(status_field CapAmb)" = 0000000000002000 ]
        # no_new_privs: exec gains nothing beyond the permitted set; root's exec raises effective to it.
        [ "$(status_field CapPrm)" = 0000000000002021 ]
        [ "$(status_field CapEff)" = 0000000000002021 ]

        # Without it, root's exec of a file without capabilities gets the bounding set (the kernel's
        # rule for uid 0); inheritable, ambient and bounding stay as configured.
        update_config '.process.noNewPrivileges = false'
        run_in_container 'grep ^Cap /proc/self/status'
        assert_success
        [ "$(status_field CapBnd)" = 0000000000202421 ]
        [ "$(status_field CapInh)" = 0000000000002020 ]
        [ "$(status_field CapAmb)" = 0000000000002000 ]
        [ "$(status_field CapPrm)" = 0000000000202421 ]
        [ "$(status_field CapEff)" = 0000000000202421 ]
}

@test "process.capabilities: a non-root user keeps exactly its ambient capabilities across exec" {
        update_config '.process.user = {"uid": 1000, "gid": 1000}
                       | .process.capabilities = {
                "bounding": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
                "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
                "effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
                "inheritable": ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
                "ambient": ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"]}'
        run_in_container 'id -u; grep ^Cap /proc/self/status; nc -l -p 80 -w 1 </dev/null & sleep 0.3; netstat -ltn'
        [ "${lines[0]}" = 1000 ]
        [ "$(status_field CapBnd)" = 0000000000002420 ]
        [ "$(status_field CapInh)" = 0000000000002400 ]
        [ "$(status_field CapAmb)" = 0000000000002400 ]
        # busybox has no file capabilities: after exec a non-root user holds its ambient set.
        [ "$(status_field CapPrm)" = 0000000000002400 ]
        [ "$(status_field CapEff)" = 0000000000002400 ]
        # CAP_NET_BIND_SERVICE works: uid 1000 binds port 80.
        assert_output_contains ":80 "
}

@test "process.capabilities: a non-root user without ambient capabilities has none after exec" {
        update_config '.process.user = {"uid": 1000, "gid": 1000}
                       | .process.capabilities = {"bounding": ["CAP_KILL"], "permitted": ["CAP_KILL"], "effective": ["CAP_KILL"]}'
        run_in_container 'grep ^Cap /proc/self/status'
        assert_success
        [ "$(status_field CapBnd)" = 0000000000000020 ]
        [ "$(status_field CapPrm)" = 0000000000000000 ]
        [ "$(status_field CapEff)" = 0000000000000000 ]
        [ "$(status_field CapAmb)" = 0000000000000000 ]
}

@test "process.capabilities the kernel would refuse fail create, naming the set" {
        update_config '.process.capabilities = {"bounding": ["CAP_KILL"], "permitted": ["CAP_KILL"],
                                                "effective": ["CAP_KILL"], "ambient": ["CAP_KILL"]}'
        assert_create_fails_with "process.capabilities.ambient: cap_kill is not in both permitted and inheritable"
        update_config '.process.capabilities = {"bounding": ["CAP_KILL"], "permitted": [],
                                                "effective": ["CAP_KILL"]}'
        assert_create_fails_with "process.capabilities.effective: cap_kill is not in permitted"
        update_config '.process.capabilities = {"bounding": ["CAP_NOT_A_CAP"]}'
        assert_create_fails_with 'process.capabilities.bounding: unknown capability "CAP_NOT_A_CAP"'
}

@test "process.oomScoreAdj is the container's oom_score_adj" {
        update_config '.process.oomScoreAdj = 789'
        run_in_container 'cat /proc/self/oom_score_adj'
        assert_success
        [ "$output" = 789 ]
}

@test "the workload starts with no signal ignored or blocked, whatever skiff's caller ignored" {
        # As under nohup, or a daemon that ignores SIGPIPE: exec would keep both ignored.
        ignoring() { bash -c 'trap "" HUP PIPE; exec "$@"' _ "$SKIFF" --root "$ROOT" "$@"; }
        update_config '.process.args = ["grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"]'
        run ignoring run --bundle "$BUNDLE" "$CID"
        [ "$status" -eq 0 ]
        [[ "$output" == *"SigIgn:	0000000000000000"* ]]
        [[ "$output" == *"SigBlk:	0000000000000000"* ]]
        # And a process exec'd into a running container.
        set_cmd 'sleep 100'
        run_detached
        run ignoring exec "$CID" grep -E "^Sig(Ign|Blk):" /proc/self/status
        [ "$status" -eq 0 ]
        [[ "$output" == *"SigIgn:	0000000000000000"* ]]
        [[ "$output" == *"SigBlk:	0000000000000000"* ]]
        skiff delete --force "$CID"
        assert_nothing_left "$CID"
}
