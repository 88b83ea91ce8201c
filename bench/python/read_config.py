"""Time the real supervisord 4.2.5 reading a config: ServerOptions().realize(['-c', FILE]),
the whole of what supervisord does with its command line and config before it starts.

Usage: /usr/bin/python3 read_config.py FILE ITERATIONS
Prints one JSON list of seconds, one per iteration (the first is the cold one).
"""
import json
import sys
import time

from supervisor.options import ServerOptions


def main():
    path, iterations = sys.argv[1], int(sys.argv[2])
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        options = ServerOptions()
        options.realize(args=["-c", path])
        times.append(time.perf_counter() - start)
    print(json.dumps(times))


main()
