"""Drive a command on a pseudo-terminal, as a user at an 80x24 terminal would, and print JSON.

Usage: python3 pty_session.py STEPS_JSON COMMAND [ARG...]

STEPS_JSON is a list of steps {"send": "keys", "expect": "regex"}, each with an optional "run":
["argv", ...], a command run to completion first (to make something happen that the command
under test should show, e.g. an XML-RPC call to its daemon), and an optional "idle": true, to
type the keys only once the command waits for input (its main thread blocked in a read, select,
poll or epoll: a Ctrl-C that lands while it is still busy printing may take another path). The keys are written to the
terminal, then the output is read until the regex matches what the command printed since those
keys (escape sequences, carriage returns, bells and backspaces taken out), or for 10 seconds (the
step's "seconds" if it has one). An "expect" of null waits for the command to exit. Prints one
JSON object:
{"steps": [{"output": "...", "matched": true}, ...], "status": N, "killed": false}
where status is the command's exit status (after the last step it gets that step's seconds to
exit, then it is killed by its pid). Only the standard library is used.
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

STEP_SECONDS = 10
CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\x1b[=>]|[\r\x07\x08]")


def clean(text):
    return CONTROL.sub("", text)


# read, poll, select, epoll_wait, pselect6, ppoll, epoll_pwait, epoll_pwait2 (x86_64 numbers)
WAITING = {0, 7, 23, 232, 270, 271, 281, 441}


def waits_for_input(pid):
    try:
        with open("/proc/%d/syscall" % pid) as f:
            return int(f.read().split()[0]) in WAITING
    except (OSError, ValueError):  # gone, or "running"
        return False


def read_some(fd, until):
    """Read what is there before `until` (a time); None at end of file."""
    ready, _, _ = select.select([fd], [], [], max(0.0, until - time.monotonic()))
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the command has exited and closed the terminal
        return None


def main():
    steps = json.loads(sys.argv[1])
    command = sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execv(command[0], command)
    results = []
    ended = False
    for step in steps:
        if step.get("run"):
            subprocess.run(step["run"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True, timeout=STEP_SECONDS)
        if step.get("idle"):
            idle_by = time.monotonic() + STEP_SECONDS
            while not waits_for_input(pid) and time.monotonic() < idle_by:
                time.sleep(0.01)
        os.write(fd, step["send"].encode("utf-8"))
        expect = step.get("expect")
        output = b""
        seconds = step.get("seconds", STEP_SECONDS)
        deadline = time.monotonic() + seconds
        matched = False
        while time.monotonic() < deadline and not ended:
            chunk = read_some(fd, deadline)
            if chunk is None:
                ended = True
                break
            output += chunk
            text = clean(output.decode("utf-8", "replace"))
            if expect is not None and re.search(expect, text):
                matched = True
                break
        if expect is None:
            matched = ended
        results.append({"output": clean(output.decode("utf-8", "replace")), "matched": matched})
    deadline = time.monotonic() + (steps[-1].get("seconds", STEP_SECONDS) if steps else STEP_SECONDS)
    killed = False
    while True:
        if not ended:
            ended = read_some(fd, min(deadline, time.monotonic() + 0.05)) is None
        else:
            time.sleep(0.02)  # waiting for the exit the terminal's end announced
        done, status = os.waitpid(pid, os.WNOHANG)
        if done != 0:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            killed = True
            _, status = os.waitpid(pid, 0)
            break
    os.close(fd)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"steps": results, "status": code, "killed": killed}))


if __name__ == "__main__":
    main()
