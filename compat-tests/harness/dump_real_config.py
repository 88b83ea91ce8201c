"""Print, as JSON, the configuration the installed supervisord 4.2.5 builds from a file.

Usage: /usr/bin/python3 dump_real_config.py [supervisord arguments...]

This imports Debian's supervisor package (the reference implementation) and runs its own
option parsing and config reading, so the differential tests compare our reader with the
real one field by field, including what getAllConfigInfo does not show (environment,
umask, [supervisord] and server settings, parse messages).
"""
import json
import sys

from supervisor import datatypes, events
from supervisor.options import ServerOptions


class Usage(Exception):
    pass


def raise_usage(msg):
    raise Usage(str(msg))


def logfile(value):
    if value is datatypes.Automatic:
        return {"auto": True}
    return value


def autorestart(value):
    if value is datatypes.RestartUnconditionally:
        return True
    if value is datatypes.RestartWhenExitUnexpected:
        return "unexpected"
    return value


def process(p):
    return {
        "name": p.name, "command": p.command, "directory": p.directory, "umask": p.umask,
        "priority": p.priority, "autostart": p.autostart, "autorestart": autorestart(p.autorestart),
        "startsecs": p.startsecs, "startretries": p.startretries, "uid": p.uid,
        "stdout_logfile": logfile(p.stdout_logfile),
        "stdout_capture_maxbytes": p.stdout_capture_maxbytes,
        "stdout_events_enabled": p.stdout_events_enabled, "stdout_syslog": p.stdout_syslog,
        "stdout_logfile_backups": p.stdout_logfile_backups,
        "stdout_logfile_maxbytes": p.stdout_logfile_maxbytes,
        "stderr_logfile": logfile(p.stderr_logfile),
        "stderr_capture_maxbytes": p.stderr_capture_maxbytes,
        "stderr_logfile_backups": p.stderr_logfile_backups,
        "stderr_logfile_maxbytes": p.stderr_logfile_maxbytes,
        "stderr_events_enabled": p.stderr_events_enabled, "stderr_syslog": p.stderr_syslog,
        "stopsignal": int(p.stopsignal), "stopwaitsecs": p.stopwaitsecs,
        "stopasgroup": p.stopasgroup, "killasgroup": p.killasgroup,
        "exitcodes": p.exitcodes, "redirect_stderr": p.redirect_stderr,
        "environment": p.environment, "serverurl": p.serverurl,
    }


def group(g):
    kind = type(g).__name__
    out = {"name": g.name, "priority": g.priority, "processes": [process(p) for p in g.process_configs]}
    if kind == "EventListenerPoolConfig":
        out["type"] = "eventlistener"
        out["buffer_size"] = g.buffer_size
        out["events"] = sorted(events.getEventNameByType(e) for e in g.pool_events)
        out["result_handler"] = "%s:%s" % (g.result_handler.__module__, g.result_handler.__name__)
    elif kind == "FastCGIGroupConfig":
        s = g.socket_config
        out["type"] = "fcgi"
        out["socket"] = {"url": s.url, "backlog": s.backlog,
                         "mode": getattr(s, "mode", None), "owner": list(s.owner) if getattr(s, "owner", None) else None}
    else:
        out["type"] = "process"
    return out


def server(c):
    out = {k: c[k] for k in ("name", "section", "username", "password")}
    if "file" in c:
        out.update(family="unix", file=c["file"], chmod=c["chmod"], chown=list(c["chown"]))
    else:
        out.update(family="inet", host=c["host"], port=c["port"])
    return out


def main():
    options = ServerOptions()
    options.usage = raise_usage
    try:
        options.realize(args=sys.argv[1:])
    except Usage as e:
        print(json.dumps({"ok": False, "error": str(e)}))
        return
    sup = {
        "minfds": options.minfds, "minprocs": options.minprocs, "directory": options.directory,
        "user": options.user, "uid": options.uid, "gid": options.gid, "umask": options.umask,
        "logfile": options.logfile, "logfile_maxbytes": options.logfile_maxbytes,
        "logfile_backups": options.logfile_backups, "loglevel": options.loglevel,
        "pidfile": options.pidfile, "identifier": options.identifier,
        "nodaemon": bool(options.nodaemon), "silent": bool(options.silent),
        "childlogdir": options.childlogdir, "nocleanup": bool(options.nocleanup),
        "strip_ansi": bool(options.strip_ansi),
        "environment": options.configroot.supervisord.environment,
        "serverurl": options.serverurl,
    }
    print(json.dumps({
        "ok": True,
        "supervisord": sup,
        "rpcinterfaces": [[name, sorted(extras.items())] for name, _f, extras in options.rpcinterface_factories],
        "groups": [group(g) for g in options.process_group_configs],
        "servers": [server(c) for c in options.server_configs],
        "messages": {"criticals": options.parse_criticals, "warnings": options.parse_warnings,
                     "infos": options.parse_infos},
    }, sort_keys=True))


main()
