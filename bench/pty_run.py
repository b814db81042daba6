#!/usr/bin/env python3
"""Runs a command under a pseudo-terminal for the benchmark and reports, as JSON lines on
stdout, when text shows up in what it draws. Times are CLOCK_MONOTONIC nanoseconds
(time.monotonic_ns), the clock Node's process.hrtime.bigint() reads on Linux, so the
benchmark can compare them with its own.

    pty_run.py --cols 160 --rows 50 [--first [NAME=]REGEX ...] [--dump FILE] -- command args...

Events: {"event": "spawned", "pid", "t"} just before the child is started;
{"event": "first", "name", "t"} when REGEX first matches the output (NAME defaults to "first"); {"event": "seen", "id", "t"}
for each `watch ID TEXT` line read on stdin, once TEXT appears in output written after
the command arrived; {"event": "exit", "t", "status", "bytes"} when the child ends.
Stdin commands: `watch ID TEXT`, `keys TEXT` (typed into the terminal; \\n escapes),
`stats` ({"event": "stats", "t", "bytes"}: bytes drawn so far), `kill` (SIGTERM). EOF on stdin kills the child.
"""
import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time


def emit(**event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cols", type=int, default=160)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--first", action="append", default=[])
    parser.add_argument("--dump")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    patterns = []
    for spec in args.first:
        name, _, regex = spec.partition("=") if re.match(r"^\w+=", spec) else ("first", "", spec)
        patterns.append((name, re.compile(regex.encode())))
    dump = open(args.dump, "wb") if args.dump else None

    t0 = time.monotonic_ns()
    pid, master = pty.fork()
    if pid == 0:
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.cols, 0, 0))
        os.execvp(command[0], command)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.cols, 0, 0))
    emit(event="spawned", pid=pid, t=t0)

    state = {"output": bytearray(), "base": 0, "total": 0}
    watches = []  # [id, bytes, stream offset from which to look]
    stdin_open = True
    pending_in = b""
    status = None

    def feed(data, now):
        # output: what the child wrote, trimmed from the front when nothing needs it; base: its stream offset.
        state["total"] += len(data)
        if dump:
            dump.write(data)
        output = state["output"]
        output += data
        for pattern in list(patterns):
            if pattern[1].search(output):
                patterns.remove(pattern)
                emit(event="first", name=pattern[0], t=now)
        for watch in list(watches):
            if output.find(watch[1], max(watch[2], state["base"]) - state["base"]) >= 0:
                watches.remove(watch)
                emit(event="seen", id=watch[0], t=now)
        if not patterns:
            keep = min([w[2] for w in watches] + [state["base"] + len(output) - 4096])
            if keep > state["base"]:
                del output[: keep - state["base"]]
                state["base"] = keep

    while True:
        fds = [master] + ([sys.stdin.fileno()] if stdin_open else [])
        try:
            ready, _, _ = select.select(fds, [], [], 0.05)
        except InterruptedError:
            continue
        # Commands first: a watch must be registered before output read in the same pass.
        if stdin_open and sys.stdin.fileno() in ready:
            chunk = os.read(sys.stdin.fileno(), 65536)
            if not chunk:
                stdin_open = False
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                continue
            pending_in += chunk
            while b"\n" in pending_in:
                line, pending_in = pending_in.split(b"\n", 1)
                parts = line.decode().split(" ", 2)
                if parts[0] == "watch" and len(parts) == 3:
                    watches.append([parts[1], parts[2].encode(), state["base"] + len(state["output"])])
                elif parts[0] == "keys" and len(parts) >= 2:
                    os.write(master, " ".join(parts[1:]).encode().decode("unicode_escape").encode())
                elif parts[0] == "stats":
                    emit(event="stats", t=time.monotonic_ns(), bytes=state["total"])
                elif parts[0] == "kill":
                    try:
                        os.kill(pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if not data:
                break
            feed(data, time.monotonic_ns())
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
            # Drain what is left.
            try:
                while select.select([master], [], [], 0.05)[0]:
                    data = os.read(master, 65536)
                    if not data:
                        break
                    feed(data, time.monotonic_ns())
            except OSError:
                pass
            break
    if status is None:
        _, status = os.waitpid(pid, 0)
    emit(event="exit", t=time.monotonic_ns(), status=os.waitstatus_to_exitcode(status), bytes=state["total"])
    if dump:
        dump.close()


if __name__ == "__main__":
    main()
