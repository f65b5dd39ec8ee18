#!/usr/bin/env bats
# A config.json that is missing, not JSON, or has a value of the wrong type: create exits non-zero
# with a message naming the field, and leaves nothing (state dir, cgroup, process, mount).
# Fields skiff does not know are ignored.

load config-helpers

@test "config.json missing: create fails naming the file, leaving nothing" {
        rm "$BUNDLE/config.json"
        assert_create_fails_with "$BUNDLE/config.json: No such file or directory"
}

@test "config.json that is not JSON, empty, or not an object: create fails, leaving nothing" {
        echo '{"ociVersion": "1.2.0", "process": {' >"$BUNDLE/config.json"
        assert_create_fails_with "not valid JSON"
        : >"$BUNDLE/config.json"
        assert_create_fails_with "not valid JSON"
        echo '["ociVersion"]' >"$BUNDLE/config.json"
        assert_create_fails_with "config.json: expected an object"
}

# One case a line: a jq program that breaks the valid config, a tab, the message create must print.
type_error_cases() {
        cat <<'EOF'
.process.args = "sh"	process.args: expected an array of strings
.process.args = ["sh", 1]	process.args: expected an array of strings
.process.args = []	process.args: must name a program
del(.process.args)	process.args: missing
.process.env = "PATH=/bin"	process.env: expected an array of strings
.process.env = ["NO_EQUALS"]	process.env[0]: "NO_EQUALS" is not NAME=VALUE
.process.cwd = 1	process.cwd: expected a string
.process.cwd = "relative"	process.cwd: "relative" is not an absolute path
.process.terminal = "no"	process.terminal: expected a boolean
.process.user = "root"	process.user: expected an object
.process.user.uid = "0"	process.user.uid: expected a non-negative integer
.process.user.gid = -1	process.user.gid: expected a non-negative integer
.process.user.umask = "022"	process.user.umask: expected a non-negative integer
.process.user.additionalGids = 10	process.user.additionalGids: expected an array
.process.user.additionalGids = [10, "wheel"]	process.user.additionalGids[1]: expected a non-negative integer
.process.rlimits = {}	process.rlimits: expected an array
.process.rlimits = ["RLIMIT_NOFILE"]	process.rlimits[0]: expected an object
.process.rlimits[0].hard = "1024"	process.rlimits[0].hard: expected a non-negative integer
.process.rlimits[0].type = 7	process.rlimits[0].type: expected a string
.process.noNewPrivileges = "true"	process.noNewPrivileges: expected a boolean
.process.capabilities = ["CAP_KILL"]	process.capabilities: expected an object
.process.capabilities.bounding = "CAP_KILL"	process.capabilities.bounding: expected an array of strings
.process.capabilities.effective = [5]	process.capabilities.effective: expected an array of strings
.process.oomScoreAdj = "100"	process.oomScoreAdj: expected an integer
.process.oomScoreAdj = 2000	process.oomScoreAdj: 2000 is outside -1000..1000
.process = []	process: expected an object
del(.process)	process: missing
.ociVersion = 1	ociVersion: expected a string
del(.ociVersion)	ociVersion: missing
.root = "rootfs"	root: expected an object
.root.path = 1	root.path: expected a string
.root.readonly = "false"	root.readonly: expected a boolean
.hostname = 7	hostname: expected a string
.domainname = ["example.org"]	domainname: expected a string
.mounts = {}	mounts: expected an array
.mounts[0] = "/proc"	mounts[0]: expected an object
.mounts[1].destination = 1	mounts[1].destination: expected a string
.mounts[2].options = "nosuid"	mounts[2].options: expected an array of strings
.mounts[3].source = false	mounts[3].source: expected a string
.mounts[4].type = {}	mounts[4].type: expected a string
.linux = []	linux: expected an object
.linux.namespaces = {}	linux.namespaces: expected an array
.linux.namespaces[0] = "pid"	linux.namespaces[0]: expected an object
.linux.namespaces[1].type = 3	linux.namespaces[1].type: expected a string
.linux.namespaces[1].type = "bogus"	linux.namespaces[1].type: unknown namespace type "bogus"
.linux.namespaces[1].path = 3	linux.namespaces[1].path: expected a string
.linux.uidMappings = {}	linux.uidMappings: expected an array
.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": "1000", "size": 1}]	linux.uidMappings[0].hostID: expected a non-negative integer
.linux.devices = "/dev/fuse"	linux.devices: expected an array
.linux.devices = [{"path": "/dev/x", "type": "c", "major": "10", "minor": 1}]	linux.devices[0].major: expected an integer
.linux.devices = [{"path": "/dev/x", "type": "c", "major": 10, "minor": 1, "fileMode": "0644"}]	linux.devices[0].fileMode: expected a non-negative integer
.linux.sysctl = ["net.ipv4.ip_forward=1"]	linux.sysctl: expected an object of strings
.linux.sysctl = {"net.ipv4.ip_forward": 1}	linux.sysctl.net.ipv4.ip_forward: expected a string
.linux.maskedPaths = "/proc/kcore"	linux.maskedPaths: expected an array of strings
.linux.readonlyPaths = [1]	linux.readonlyPaths: expected an array of strings
.linux.rootfsPropagation = true	linux.rootfsPropagation: expected a string
.linux.rootfsPropagation = "sideways"	linux.rootfsPropagation: unknown propagation "sideways"
.linux.cgroupsPath = 5	linux.cgroupsPath: expected a string
.linux.timeOffsets = []	linux.timeOffsets: expected an object
.linux.personality = "LINUX"	linux.personality: expected an object
.annotations = ["a"]	annotations: expected an object of strings
.annotations = {"a": 1}	annotations.a: expected a string
EOF
}

@test "each value of the wrong type names its field, and create leaves nothing behind" {
        cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/good.json"
        local n=0 filter message
        while IFS=$'\t' read -r filter message; do
                jq "$filter" "$BATS_TEST_TMPDIR/good.json" >"$BUNDLE/config.json"
                echo "case: $filter" >&2
                assert_create_fails_with "$message"
                n=$((n + 1))
        done < <(type_error_cases)
        [ "$n" -ge 60 ]
}

@test "fields skiff does not know are ignored, at every level" {
        update_config '.futureTopLevel = {"x": [1, 2]}
                       | .root.futureRootKnob = true
                       | .process.futureProcessKnob = "yes"
                       | .process.user.futureUserKnob = 1
                       | .mounts[0].futureMountKnob = {}
                       | .linux.futureLinuxKnob = null
                       | .linux.namespaces[0].futureNsKnob = 2
                       | .process.rlimits[0].futureLimitKnob = 3'
        run_in_container 'echo ran'
        assert_success
        [ "$output" = ran ]
}

@test "a failed create after the init started (unknown program) leaves no process, mount or cgroup" {
        update_config '.process.args = ["/no/such/program"]'
        assert_create_fails_with 'process.args[0]: "/no/such/program" is not an executable file'
}
