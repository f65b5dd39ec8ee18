#!/usr/bin/env bats
# process.terminal: the pty in the container's devpts, handed over a --console-socket as conmon
# and containerd expect, or relayed by skiff itself for a foreground run or exec.

load helpers

CONSOLE_SOCKET=${CONSOLE_SOCKET:-$(dirname "$SKIFF")/tests/helpers/console-socket}

# Start the receiver on $SOCK; its output (what the container writes to the pty) goes to $TTY_OUT.
start_receiver() {
        SOCK="$BATS_TEST_TMPDIR/console.sock"
        TTY_OUT="$BATS_TEST_TMPDIR/tty.out"
        "$CONSOLE_SOCKET" "$SOCK" "$@" >"$TTY_OUT" 2>"$BATS_TEST_TMPDIR/receiver.err" &
        RECEIVER=$!
        for i in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.02; done
        return 1
}

# Wait for the receiver (in this shell: a $(...) subshell cannot wait for it); $out is then what
# the container wrote, without the pty's carriage returns.
receive_output() {
        wait "$RECEIVER"
        out=$(tr -d '\r' <"$TTY_OUT")
}

@test "a terminal needs --console-socket at create, and create leaves nothing" {
        update_config '.process.terminal = true'
        run skiff create --bundle "$BUNDLE" "$CID"
        [ "$status" -ne 0 ]
        assert_output_contains "process.terminal: needs --console-socket"
        assert_nothing_left "$CID"
}

@test "--console-socket gets the pty master; the slave is the process's controlling terminal" {
        update_config '.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}'
        set_cmd 'tty; stty size; readlink /proc/self/fd/0; echo sid=$(cut -d" " -f6 /proc/$$/stat) pid=$$'
        start_receiver
        skiff create --bundle "$BUNDLE" --console-socket "$SOCK" "$CID" </dev/null
        grep -q "got /dev/pts/" "$BATS_TEST_TMPDIR/receiver.err"
        skiff start "$CID"
        receive_output
        echo "$out"
        [ "$(echo "$out" | sed -n 1p)" = /dev/pts/0 ]
        [ "$(echo "$out" | sed -n 2p)" = "30 100" ]
        [ "$(echo "$out" | sed -n 3p)" = /dev/pts/0 ]
        # setsid: the shell leads its own session.
        [ "$(echo "$out" | sed -n 4p)" = "sid=1 pid=1" ]
        wait_status "$CID" stopped
}

@test "the pty carries input to the process" {
        update_config '.process.terminal = true'
        set_cmd 'read line; echo "got:$line"'
        start_receiver $'hello\n'
        skiff create --bundle "$BUNDLE" --console-socket "$SOCK" "$CID" </dev/null
        skiff start "$CID"
        receive_output
        [[ "$out" == *"got:hello"* ]]
}

@test "run in the foreground without a console socket is the terminal itself" {
        update_config '.process.terminal = true | .process.consoleSize = {"height": 25, "width": 90}'
        set_cmd 'tty; stty size; read line; echo "got:$line"; exit 3'
        run bash -c "echo hello | script -qfec '$SKIFF --root $ROOT run --bundle $BUNDLE $CID' /dev/null"
        out=$(echo "$output" | tr -d '\r')
        echo "$out"
        [[ "$out" == *"/dev/pts/0"* ]]
        [[ "$out" == *"25 90"* ]]
        [[ "$out" == *"got:hello"* ]]
        assert_nothing_left "$CID"
}

@test "run in the foreground: the caller's terminal size, and SIGWINCH resizes the pty" {
        update_config '.process.terminal = true'
        set_cmd 'trap "stty size" WINCH; stty size; echo ready; while :; do sleep 0.1; done'
        cat >"$BATS_TEST_TMPDIR/winch.py" <<'PY'
import fcntl, os, pty, select, signal, struct, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
out, deadline, resized = b"", time.time() + 15, False
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            out += os.read(fd, 4096)
        except OSError:
            break
    if b"ready" in out and not resized:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 132, 0, 0))
        resized = True
    if b"50 132" in out:
        break
os.kill(pid, signal.SIGTERM)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
PY
        run timeout 30 python3 "$BATS_TEST_TMPDIR/winch.py" "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
        echo "$output"
        [[ "$output" == *"40 120"* ]]
        [[ "$output" == *"50 132"* ]]
}

@test "exec --tty relays a new pty of the container's devpts" {
        set_cmd 'sleep 1000'
        run_detached
        wait_status "$CID" running
        run script -qfec "$SKIFF --root $ROOT exec --tty $CID sh -c 'tty; test -t 0 && echo stdin-is-tty; exit 5'" /dev/null
        out=$(echo "$output" | tr -d '\r')
        echo "$out"
        [[ "$out" == *"/dev/pts/"* ]]
        [[ "$out" == *"stdin-is-tty"* ]]
        # A process without --tty has no terminal.
        run skiff exec "$CID" sh -c 'test -t 0 || echo no-tty'
        [ "$output" = no-tty ]
}

@test "exec --tty --detach --console-socket sends the master" {
        set_cmd 'sleep 1000'
        run_detached
        wait_status "$CID" running
        start_receiver
        skiff exec --tty --detach --console-socket "$SOCK" "$CID" sh -c 'tty; echo done'
        receive_output
        [[ "$out" == *"/dev/pts/"* ]]
        [[ "$out" == *"done"* ]]
        run skiff exec --tty --detach "$CID" true
        [ "$status" -eq 255 ]
        assert_output_contains "needs --console-socket"
}
