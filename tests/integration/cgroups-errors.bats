#!/usr/bin/env bats
# Bad linux.resources are refused by create with the field named, and nothing is left behind: no
# state dir, no process, no cgroup in any hierarchy.

load helpers
load cgroups-helpers

create_refused() { # create_refused JQ-PROGRAM EXPECTED-TEXT...
        update_config "$1"
        shift
        set_cmd 'sleep 100'
        run skiff create --bundle "$BUNDLE" "$CID"
        for text in "$@"; do
                assert_refused "$text"
        done
        assert_output_contains "create $CID"
}

@test "a negative memory limit is refused" {
        create_refused '.linux.resources.memory = {"limit": -5}' "linux.resources.memory.limit" "negative"
}

@test "a memory+swap limit below the memory limit is refused" {
        create_refused '.linux.resources.memory = {"limit": 67108864, "swap": 1048576}' "linux.resources.memory.swap"
}

@test "a cpu list that is not one is refused" {
        create_refused '.linux.resources.cpu = {"cpus": "1-a"}' "linux.resources.cpu.cpus" '"1-a"'
}

@test "a cpu the machine does not have is refused by the kernel, and the cgroup made for it removed" {
        create_refused '.linux.resources.cpu = {"cpus": "63"}' "linux.resources.cpu.cpus"
}

@test "a cpu period under 1 ms is refused" {
        create_refused '.linux.resources.cpu = {"period": 10}' "linux.resources.cpu.period"
}

@test "a pids limit that is not a number is refused" {
        create_refused '.linux.resources.pids = {"limit": "many"}' "linux.resources.pids.limit" "integer"
}

@test "a device rule with an unknown access is refused" {
        create_refused '.linux.resources.devices = [{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rx"}]' \
                "linux.resources.devices[0].access"
}

@test "a blkio weight out of range is refused" {
        create_refused '.linux.resources.blockIO = {"weight": 5000}' "linux.resources.blockIO.weight"
}

@test "an unknown file in unified is refused (and unified itself on v1)" {
        if cg_v2; then
                create_refused '.linux.resources.unified = {"memory.nosuchfile": "1"}' "linux.resources.unified.memory.nosuchfile"
        else
                create_refused '.linux.resources.unified = {"memory.max": "1"}' "linux.resources.unified" "cgroup v2"
        fi
}

@test "a unified key that is a path is refused" {
        create_refused '.linux.resources.unified = {"../../cgroup.procs": "1"}' "linux.resources.unified"
}

@test "a limit for a controller the machine lacks is refused (net_cls)" {
        create_refused '.linux.resources.network = {"classID": 1048577}' "linux.resources.network"
}

@test "a hugepage size the machine lacks is refused" {
        create_refused '.linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 0}]' "linux.resources.hugepageLimits[0]"
}

@test "cgroupsPath / is refused" {
        create_refused '.linux.cgroupsPath = "/"' "linux.cgroupsPath"
}

@test "pause, resume, update, ps and events of an unknown container say it does not exist" {
        for cmd in pause resume ps "events --stats" "update --pids-limit 5"; do
                run skiff $cmd nosuch
                [ "$status" -ne 0 ]
                assert_output_contains "does not exist"
        done
}

@test "pause of a created container is refused; update with nothing to do is a usage error" {
        set_cmd 'sleep 100'
        create_detached
        run skiff pause "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "not running"
        run skiff update "$CID"
        [ "$status" -eq 2 ]
        run skiff events --interval soon "$CID"
        [ "$status" -eq 2 ]
}
