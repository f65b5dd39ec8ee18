#!/bin/bash
# skiff side by side with crun and runc on one busybox bundle, and the bare-namespace baseline.
# usage: tests/bench/bench.sh SKIFF [ITERATIONS]      (make bench runs it; run as root)
#
# crun 1.8 refuses this machine's hybrid cgroup layout, so every runtime, skiff too, runs inside one
# `unshare -m` with /sys/fs/cgroup/unified unmounted: the same wrapper for all. A runtime that is not
# installed is skipped. Prints the median of ITERATIONS runs per case and the ratio to crun.
set -euo pipefail

skiff=$(readlink -f "${1:?usage: bench.sh SKIFF [ITERATIONS]}")
iterations=${2:-${BENCH_ITERATIONS:-50}}
top=$(cd "$(dirname "$0")/../.." && pwd)

if [ -z "${SKIFF_BENCH_INNER:-}" ]; then
        export SKIFF_BENCH_INNER=1
        exec unshare -m --propagation private "$0" "$skiff" "$iterations"
fi
if mountpoint -q /sys/fs/cgroup/unified; then
        umount /sys/fs/cgroup/unified
fi

# State roots under /run, where engines keep them, the bundle beside them; on a tmpfs, as /run is
# on Debian (on this VM it is on the root's ext4: 0.5-1 ms more per run, for every runtime). The
# tmpfs is this mount namespace's alone.
work=$(mktemp -d /run/skiff-bench.XXXXXX)
# crun and runc leave the cgroupsPath's parent behind, and crun, with the unified mount gone, writes
# a plain cgroup.procs into the tmpfs beneath it: take both away with the rest.
cleanup() {
        umount "$work/ro" "$work" 2>/dev/null
        rm -rf "$work" /sys/fs/cgroup/unified/skiff-bench
        rmdir /sys/fs/cgroup/*/skiff-bench /sys/fs/cgroup/skiff-bench 2>/dev/null || true
}
trap cleanup EXIT
mount -t tmpfs -o mode=0700 skiff-bench "$work"
"$top/contrib/make-bundle" "$work/bundle" "$skiff" >/dev/null
# skiff and skiff-shim stripped, as a distribution ships them (crun and runc here are Debian's
# stripped binaries).
mkdir "$work/bin"
cp "$skiff" "$(dirname "$skiff")/skiff-shim" "$work/bin/"
strip "$work/bin/skiff" "$work/bin/skiff-shim"
skiff=$work/bin/skiff
# The same binary installed where nothing can write it (a read-only mount; chattr +i does as well):
# it needs no switch to a read-only mount of itself (src/lib/sealed-exe.h).
mkdir "$work/ro"
cp "$work/bin/skiff" "$work/ro/skiff-ro"
cp "$work/bin/skiff-shim" "$work/ro/"
mount --bind -o ro "$work/ro" "$work/ro"
unset SKIFF_SHIM
# /bin/true, no terminal, an ociVersion crun 1.8 knows, no seccomp flags (runc 1.1 refuses them; the
# filter itself stays); cgroupsPath set so every runtime makes (and removes) a cgroup.
jq '.ociVersion = "1.0.2" | .process.args = ["/bin/true"] | .process.terminal = false
    | del(.linux.seccomp.flags) | .linux.cgroupsPath = "/skiff-bench/c"' \
        "$work/bundle/config.json" >"$work/c.json" && mv "$work/c.json" "$work/bundle/config.json"
rootfs="$work/bundle/rootfs"

# One run of a command: its wall time ($EPOCHREALTIME: no fork to time it) to NAME.us, and the CPU
# time of all its processes (user + system, bash's `time`) to NAME.cpu, both in microseconds. The
# CPU time hardly moves with load from elsewhere; the wall time does.
measure() { # measure NAME COMMAND...
        local name=$1 t0 t1 TIMEFORMAT='%3U %3S'
        shift
        t0=$EPOCHREALTIME
        { time "$@" >/dev/null 2>&1; } 2>"$work/cpu.one" ||
                { echo "bench: $* failed:" >&2; "$@" >&2 </dev/null; exit 1; }
        t1=$EPOCHREALTIME
        echo $((${t1/./} - ${t0/./})) >>"$work/$name.us"
        awk '{ printf "%d\n", ($1 + $2) * 1000000 }' "$work/cpu.one" >>"$work/$name.cpu"
}

median_ms() { # median_ms FILE: the median of the microsecond timings in FILE, in ms
        sort -n "$1" | awk '{ v[NR] = $1 } END {
                m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m / 1000 }'
}

bare() {
        unshare --mount --uts --ipc --net --pid --fork chroot "$rootfs" /bin/true
}

# Inside the timed region nothing may fork but the runtime itself: "${1##*/}", not $(basename "$1"),
# whose fork and exec cost about 6 ms here, which the bare baseline never paid.
run_true() { # run_true RUNTIME
        "$1" --root "$work/root-${1##*/}" run --bundle "$work/bundle" bench </dev/null
}

# create + start + wait + delete, waiting the same way for every runtime: `state` until stopped.
lifecycle() { # lifecycle RUNTIME
        local rt=("$1" --root "$work/root-${1##*/}") i
        "${rt[@]}" create --bundle "$work/bundle" bench </dev/null
        "${rt[@]}" start bench
        for ((i = 0; i < 1000; i++)); do
                case $("${rt[@]}" state bench) in
                *'"stopped"'*) break ;;
                esac
        done
        "${rt[@]}" delete bench
}

runtimes=()
for name in skiff skiff-ro crun runc; do
        if [ "$name" = skiff ]; then
                runtimes+=("$skiff")
        elif [ "$name" = skiff-ro ]; then
                runtimes+=("$work/ro/skiff-ro")
        elif command -v "$name" >/dev/null; then
                runtimes+=("$(command -v "$name")")
        else
                echo "bench: $name is not installed: skipped" >&2
        fi
done

# One run of every case per iteration, in a new random order each time: load from elsewhere falls
# on all alike, and so does the work a case leaves to the kernel after it exits (a network
# namespace is taken apart in the background for about a millisecond), which in a fixed order
# always fell on the same next case.
shuffled() { # shuffled ITEM...: the items in random order, one a line
        local a=("$@") i j t
        for ((i = ${#a[@]} - 1; i > 0; i--)); do
                j=$((RANDOM % (i + 1)))
                t=${a[i]} a[i]=${a[j]} a[j]=$t
        done
        printf '%s\n' "${a[@]}"
}

cases=(bare)
for rt in "${runtimes[@]}"; do
        cases+=("run_true $rt" "lifecycle $rt")
done
for ((i = 0; i < iterations; i++)); do
        mapfile -t order < <(shuffled "${cases[@]}")
        for c in "${order[@]}"; do
                # shellcheck disable=SC2086 # a case is a function and its argument
                measure "$(echo "$c" | tr ' /' '__')" $c
        done
done
declare -A result
result[bare]=$(median_ms "$work/bare.us")
result[bare.cpu]=$(median_ms "$work/bare.cpu")
for rt in "${runtimes[@]}"; do
        name=$(basename "$rt")
        result[$name.run]=$(median_ms "$work/run_true_$(echo "$rt" | tr / _).us")
        result[$name.cpu]=$(median_ms "$work/run_true_$(echo "$rt" | tr / _).cpu")
        result[$name.life]=$(median_ms "$work/lifecycle_$(echo "$rt" | tr / _).us")
done

ratio() { # ratio A B: A/B with two decimals, "-" without B
        [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || echo -
}

echo "median of $iterations runs, ms ($(uname -r), $(nproc) cpus; all inside unshare -m, cgroup v1; state and bundle on tmpfs)"
printf '%-8s %14s %8s %8s %8s %26s %8s\n' runtime "run /bin/true" "vs crun" "cpu ms" "vs crun" \
        "create+start+wait+delete" "vs crun"
for rt in "${runtimes[@]}"; do
        name=$(basename "$rt")
        printf '%-8s %14s %8s %8s %8s %26s %8s\n' "$name" "${result[$name.run]}" \
                "$(ratio "${result[$name.run]}" "${result[crun.run]:-}")" "${result[$name.cpu]}" \
                "$(ratio "${result[$name.cpu]}" "${result[crun.cpu]:-}")" "${result[$name.life]}" \
                "$(ratio "${result[$name.life]}" "${result[crun.life]:-}")"
done
printf '%-8s %14s %8s %8s\n' bare "${result[bare]}" "" "${result[bare.cpu]}"
echo "bare: unshare --mount --uts --ipc --net --pid --fork chroot ROOTFS /bin/true"
echo "skiff run vs bare: $(ratio "${result[skiff.run]}" "${result[bare]}") wall, $(ratio "${result[skiff.cpu]}" "${result[bare.cpu]}") cpu;" \
        "skiff-ro: $(ratio "${result[skiff-ro.run]}" "${result[bare]}") wall, $(ratio "${result[skiff-ro.cpu]}" "${result[bare.cpu]}") cpu"
echo "skiff-ro: the same skiff installed on a read-only mount, which needs no switch to a sealed binary"
