"""Print, as JSON, the [supervisorctl] settings the installed supervisorctl 4.2.5 reads.

Usage: /usr/bin/python3 dump_real_ctl_config.py CONFIG_FILE
Prints {"ok": true, "serverurl": ..., "username": ..., "password": ..., "prompt": ...,
"history_file": ...} or {"ok": false, "error": "..."} for a usage error.
"""
import json
import sys

from supervisor.options import ClientOptions


class Usage(Exception):
    pass


def raise_usage(msg):
    raise Usage(str(msg))


def main():
    options = ClientOptions()
    options.usage = raise_usage
    try:
        options.realize(args=["-c", sys.argv[1]])
    except Usage as e:
        print(json.dumps({"ok": False, "error": str(e)}))
        return
    section = options.configroot.supervisorctl
    print(json.dumps({
        "ok": True, "serverurl": section.serverurl, "username": section.username,
        "password": section.password, "prompt": section.prompt, "history_file": section.history_file,
    }, sort_keys=True))


main()
