"""A program whose output a test writes through its stdin (supervisor.sendProcessStdin), one chunk at a time.

Each line on stdin is a JSON array [CHANNEL, TEXT] or [CHANNEL, TEXT, ENCODING]: TEXT, encoded
with ENCODING (default utf-8; latin-1 makes undecodable bytes), is written to CHANNEL ("stdout"
or "stderr") in a single write, so that supervisord reads it as one chunk.
Standard library only.
"""
import json
import os

pending = b""
while True:
    data = os.read(0, 65536)  # not sys.stdin: its buffered reader waits for more than a line
    if not data:
        break
    pending += data
    *lines, pending = pending.split(b"\n")
    for line in lines:
        channel, text, *encoding = json.loads(line)
        os.write(1 if channel == "stdout" else 2, text.encode(encoding[0] if encoding else "utf-8"))
