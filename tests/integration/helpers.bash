# Shared by every suite: make a bundle, run skiff, assert. Binary paths come from the environment
# (make check sets them), so the same suites run on the host and in the VM harness.

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
SKIFF=${SKIFF:-$TOP/build/skiff}
SKIFF_SHIM=${SKIFF_SHIM:-$(dirname "$SKIFF")/skiff-shim}
export SKIFF_SHIM

# One busybox rootfs per suite file, copied for each test.
setup_file() {
        common_setup_file
}

common_setup_file() {
        export TEMPLATE="$BATS_FILE_TMPDIR/template"
        if [ ! -d "$TEMPLATE" ]; then
                "$TOP/contrib/make-bundle" "$TEMPLATE" "$SKIFF" >/dev/null
                # Tests write to their rootfs and keep their cgroups under skiff-test.
                jq '.root.readonly = false | .process.args = ["true"]' "$TEMPLATE/config.json" >"$TEMPLATE/c" &&
                        mv "$TEMPLATE/c" "$TEMPLATE/config.json"
        fi
}

setup() {
        common_setup
}

common_setup() {
        ROOT="$BATS_TEST_TMPDIR/state"
        BUNDLE="$BATS_TEST_TMPDIR/bundle"
        CID="t${BATS_TEST_NUMBER}-$$"
        mkdir -p "$BUNDLE"
        cp -a "$TEMPLATE/rootfs" "$BUNDLE/rootfs"
        jq --arg cg "/skiff-test/$CID" '.linux.cgroupsPath = $cg' "$TEMPLATE/config.json" >"$BUNDLE/config.json"
}

teardown() {
        common_teardown
}

# Remove every container the test left, then check that nothing of it is left anywhere.
common_teardown() {
        local id
        if [ -d "$ROOT" ]; then
                for id in $(ls "$ROOT"); do
                        "$SKIFF" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
                done
        fi
        for d in /sys/fs/cgroup/*/skiff-test /sys/fs/cgroup/skiff-test; do
                [ -d "$d" ] || continue
                find "$d" -depth -mindepth 1 -type d -name "t${BATS_TEST_NUMBER}-$$*" -exec rmdir {} \; 2>/dev/null || true
                rmdir "$d" 2>/dev/null || true
        done
}

skiff() {
        "$SKIFF" --root "$ROOT" "$@"
}

# Apply a jq program to the bundle's config.json.
update_config() {
        jq "$@" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# Set process.args to a shell command line run by busybox sh.
set_cmd() {
        update_config --arg c "$1" '.process.args = ["sh", "-c", $c]'
}

# create with the container's stdio on files, so bats' `run` does not wait for the container.
create_detached() {
        local id=${1:-$CID}
        shift || true
        skiff create --bundle "$BUNDLE" "$@" "$id" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err"
}

run_detached() {
        local id=${1:-$CID}
        shift || true
        skiff run --detach --bundle "$BUNDLE" "$@" "$id" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err"
}

# The status field of `skiff state`.
status_of() {
        skiff state "$1" | jq -r .status
}

pid_of() {
        skiff state "$1" | jq -r .pid
}

# Wait (bounded) until the container has the status wanted.
wait_status() {
        local id=$1 want=$2 i
        for i in $(seq 100); do
                [ "$(status_of "$id" 2>/dev/null)" = "$want" ] && return 0
                sleep 0.05
        done
        echo "container $id did not reach $want: $(status_of "$id" 2>&1)" >&2
        return 1
}

# Nothing of container $1 may remain: state dir, cgroup, process.
assert_nothing_left() {
        local id=$1 d
        [ ! -e "$ROOT/$id" ] || { echo "state dir $ROOT/$id left behind" >&2; return 1; }
        for d in /sys/fs/cgroup/*/skiff-test/"$id" /sys/fs/cgroup/skiff-test/"$id"; do
                [ ! -e "$d" ] || { echo "cgroup $d left behind" >&2; return 1; }
        done
}

assert_output_contains() {
        case "$output" in
        *"$1"*) return 0 ;;
        esac
        echo "expected output to contain: $1" >&2
        echo "output was: $output" >&2
        return 1
}
