"""An event listener for supervisord, on Python's standard library only (no supervisor.childutils).

Usage: python3 event_listener.py RECORDS [--reject N] [--garbage N] [--hold FILE]

Speaks the listener protocol on stdin/stdout (events.md §6): writes READY, reads the header
line, reads the payload, appends one JSON line to RECORDS, answers, and starts over. The record
is written before the answer, so a test that sees N records knows N events were received:
  {"header": "ver:3.0 server:... len:L", "payload": "...", "bytes": B, "answer": "OK"}
B is the payload's length in UTF-8 bytes. supervisord counts `len` in code points (events.md §5),
so the payload is read as `len` characters of UTF-8 text, as childutils' listener reads it from
Python's text-mode stdin: what a real listener sees.

--reject N   answer RESULT 4\\nFAIL to the first N events (rejected: supervisord redelivers them)
--garbage N  answer the line GARBAGE to the Nth event (from 1): a bad result line
--hold FILE  before answering each event, wait until FILE exists (a slow listener, on cue)
"""
import argparse
import codecs
import json
import os
import sys
import time


def read_line(stdin):
    line = b""
    while not line.endswith(b"\n"):
        byte = stdin.read(1)
        if not byte:
            sys.exit(0)  # supervisord closed our stdin: it is stopping us
        line += byte
    return line[:-1].decode("utf-8", "replace")


def read_chars(stdin, count):
    """Read `count` code points of UTF-8 (an undecodable byte counts as one), return them and the byte count."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    text, taken = "", 0
    while len(text) < count:
        byte = stdin.read(1)
        if not byte:
            sys.exit(0)
        taken += 1
        text += decoder.decode(byte)
    return text, taken


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("records")
    parser.add_argument("--reject", type=int, default=0)
    parser.add_argument("--garbage", type=int, default=0)
    parser.add_argument("--hold")
    args = parser.parse_args()
    stdin, stdout = sys.stdin.buffer.raw, sys.stdout.buffer
    received = 0
    stdout.write(b"READY\n")
    stdout.flush()
    while True:
        header = read_line(stdin)
        tokens = dict(token.split(":", 1) for token in header.split())
        payload, taken = read_chars(stdin, int(tokens["len"]))
        received += 1
        if received == args.garbage:
            answer, reply = "GARBAGE", b"GARBAGE\n"
        elif received <= args.reject:
            answer, reply = "FAIL", b"RESULT 4\nFAIL"
        else:
            answer, reply = "OK", b"RESULT 2\nOK"
        with open(args.records, "a", encoding="utf-8") as records:
            records.write(json.dumps({"header": header, "payload": payload, "bytes": taken, "answer": answer}) + "\n")
        while args.hold is not None and not os.path.exists(args.hold):
            time.sleep(0.02)
        # The answer and the next READY in one write: supervisord then reads them in one piece,
        # and its main log shows one `stdout output` record per event whatever the timing.
        stdout.write(reply + b"READY\n")
        stdout.flush()


main()
