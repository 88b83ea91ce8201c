"""Drive a supervisord through named XML-RPC scenarios and print a masked transcript, one JSON line a call.

Usage: python3 rpc_scenario.py SERVERURL DIR PID SCENARIO [SCENARIO...]

SERVERURL is unix:///path/to/socket or http://user:password@127.0.0.1:port (the credentials are
those of [inet_http_server]); DIR is the run's directory: it holds supervisord.conf and every log,
and is written `<DIR>` in the transcript; PID is the daemon's. SCENARIO names are those of SCENARIOS below,
run in the order given on one daemon (each expects the state the ones before it leave).

Each call prints {"call": METHOD, "args": [...], "result": ...} or "fault": {...} or
"protocolError": {"errcode", "errmsg"}; raw bodies print "raw" instead of "call", raw exchanges
("wire") print the whole response. Types survive: true, 1 and "1" stay distinct. Masked: the
daemon's pid, child pids, start/stop/now times, uptimes and dates in descriptions, timestamps in
log text, the run's directory, AUTO log names' random part, the Date header; methodHelp texts are
reduced to their shape (see help_shape). Steps that wait for a state poll and record nothing unless
the wait fails, which ends the scenario (the next one still runs).

Only the standard library is used, as any client of supervisord would.
"""
import base64
import http.client
import json
import os
import re
import socket
import sys
import time
import urllib.parse
import xmlrpc.client

CALL_TIMEOUT = 30  # seconds; the longest deferred call of these scenarios takes about 3
WAIT_TIMEOUT = 15


class Abort(Exception):
    """A wait failed: the rest of the scenario would only repeat the difference."""


# --- the run ---------------------------------------------------------------------------------

class Run:
    def __init__(self, url, directory, daemon_pid):
        self.dir = directory
        parsed = urllib.parse.urlsplit(url)
        self.unix_path = url[len("unix://"):] if url.startswith("unix://") else None
        self.host = parsed.hostname
        self.port = parsed.port
        self.username = urllib.parse.unquote(parsed.username) if parsed.username else None
        self.password = urllib.parse.unquote(parsed.password) if parsed.password else None
        self.daemon_pid = daemon_pid
        self.dirs = sorted({directory, os.path.realpath(directory)}, key=len, reverse=True)
        self.proxy = self.make_proxy(self.username, self.password)

    @property
    def inet(self):
        return self.unix_path is None

    def make_proxy(self, username, password):
        if self.unix_path is not None:
            return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=Transport(self))
        auth = "" if username is None else "%s:%s@" % (urllib.parse.quote(username), urllib.parse.quote(password))
        return xmlrpc.client.ServerProxy("http://%s%s:%d/RPC2" % (auth, self.host, self.port), transport=Transport(self))

    def connect(self):
        if self.unix_path is not None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(CALL_TIMEOUT)
            sock.connect(self.unix_path)
            return sock
        return socket.create_connection((self.host, self.port), timeout=CALL_TIMEOUT)

    def out(self, record):
        print(json.dumps(record, ensure_ascii=False, default=jsonable), flush=True)

    # masking -----------------------------------------------------------------------------------

    def mask_text(self, text):
        for d in self.dirs:
            text = text.replace(d, "<DIR>")
        text = re.sub(r"(-(?:stdout|stderr)---[^\s/]*?-)[a-z0-9_]{8}(\.log)", r"\1XXXXXXXX\2", text)
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", "<TIMESTAMP>", text)

    def mask(self, value):
        if type(value) is int and value == self.daemon_pid:
            return "<supervisord pid>"
        if isinstance(value, str):
            return self.mask_text(value)
        if isinstance(value, list):
            return [self.mask(v) for v in value]
        if isinstance(value, dict):
            return {k: self.mask_member(k, v, value) for k, v in value.items()}
        return value

    def mask_member(self, key, value, struct):
        """A process info struct's varying members, each masked only when it has the expected form."""
        if key in ("start", "stop", "now") and type(value) is int and value != 0 and abs(value - time.time()) < 3600:
            return "<time>"
        if key == "pid" and type(value) is int and value > 0:
            return "<pid>"
        if key == "description" and isinstance(value, str):
            pid = struct.get("pid")
            running = re.fullmatch(r"pid (\d+), uptime \d+:\d\d:\d\d", value)
            if running and type(pid) is int and int(running.group(1)) == pid:
                return "pid <pid>, uptime <uptime>"
            if re.fullmatch(r"[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M", value):
                return "<date>"
        return self.mask(value)

    def mask_wire(self, response):
        """A raw response with the Date header, the process info numbers and what mask_text() masks
        masked. A Content-Length that counts the body's bytes is written as such: masking may change
        them (a pid's length)."""
        head, sep, body = response.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length: *(\d+)\r?$", head)
        if length is not None and int(length.group(1)) == len(body):
            head = head[:length.start(1)] + b"<the body's length>" + head[length.end(1):]
        text = (head + sep + body).decode("utf-8", "replace")
        text = re.sub(r"(?m)^Date: [^\r\n]*", "Date: <date>", text)
        text = self.mask_text(text)
        text = re.sub(r"(<name>(?:start|stop|now|pid)</name>\n<value><int>)(\d+)(</int>)",
                      lambda m: m.group(1) + ("0" if m.group(2) == "0" else "<number>") + m.group(3), text)
        return re.sub(r"(pid )\d+(, uptime )\d+:\d\d:\d\d", r"\1<pid>\2<uptime>", text)

    # calls ---------------------------------------------------------------------------------------

    def call(self, method, args, proxy=None):
        """Call and answer as a JSON-able dict: result, fault or protocolError (or a transport error)."""
        try:
            return {"result": getattr(proxy or self.proxy, method)(*args)}
        except xmlrpc.client.Fault as fault:
            return {"fault": {"faultCode": fault.faultCode, "faultString": fault.faultString}}
        except xmlrpc.client.ProtocolError as err:
            self.proxy = self.make_proxy(self.username, self.password)  # what is left of the reply is unread
            return {"protocolError": {"errcode": err.errcode, "errmsg": err.errmsg}}
        except (OSError, http.client.HTTPException, xmlrpc.client.ResponseError) as err:
            self.proxy = self.make_proxy(self.username, self.password)  # the connection is spoilt
            return {"error": type(err).__name__}

    def exchange(self, body, authorization=None):
        """POST body to /RPC2 on a fresh connection; the response's bytes."""
        data = body.encode("utf-8")
        head = "POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n" % len(data)
        if authorization is None and self.username is not None:
            authorization = "%s:%s" % (self.username, self.password)
        if authorization is not None:
            head += "Authorization: Basic %s\r\n" % base64.b64encode(authorization.encode()).decode()
        sock = self.connect()
        try:
            sock.sendall(head.encode() + b"\r\n" + data)
            return read_response(sock)
        except OSError as err:
            return ("<%s>" % type(err).__name__).encode()
        finally:
            sock.close()


class Transport(xmlrpc.client.Transport):
    """xmlrpc.client's transport over the run's unix socket or TCP, with a timeout."""

    def __init__(self, run):
        super().__init__()
        self.run = run

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        chost, self._extra_headers, _ = self.get_host_info(host)
        if self.run.unix_path is not None:
            conn = UnixHTTPConnection(self.run.unix_path)
        else:
            conn = http.client.HTTPConnection(chost, timeout=CALL_TIMEOUT)
        self._connection = host, conn
        return conn


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=CALL_TIMEOUT)
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


def read_response(sock):
    """One HTTP response as received: the head, then Content-Length bytes, or chunks up to the last
    one, or (with neither) everything up to the end of the connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *(\d+)\r?$", head)
    chunked = re.search(rb"(?im)^transfer-encoding: *chunked\r?$", head) is not None

    def complete():
        if length is not None:
            return len(body) >= int(length.group(1))
        return chunked and (body.startswith(b"0\r\n\r\n") or b"\r\n0\r\n\r\n" in body)

    while not complete():
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def jsonable(value):
    if isinstance(value, xmlrpc.client.Binary):
        return {"$base64": base64.b64encode(value.data).decode()}
    if isinstance(value, xmlrpc.client.DateTime):
        return {"$dateTime": value.value}
    raise TypeError(repr(value))


def help_shape(text):
    """A methodHelp text as its shape: how it starts and ends, its @param tags' types and names and its
    @return tag's type. The prose is supervisord's documentation, which a reimplementation does not copy."""
    if not isinstance(text, str):
        return text
    start = re.match(r"\s*", text).group()
    end = re.search(r"\s*$", text).group()
    tags = []
    for line in text.splitlines():
        words = line.split()
        if words and words[0] == "@param":
            tags.append(" ".join(words[:3]))
        elif words and words[0] == "@return":
            tags.append(" ".join(words[:2]))
    return {"starts with": start, "ends with": end, "tags": tags}


# --- steps --------------------------------------------------------------------------------------
# A step is a function of the run. The constructors below make them.

def call(method, *args, sort=False, shape=None):
    """Call a method and record its masked answer. sort: a result array of group/all operations,
    which supervisord returns in completion order (xmlrpc.md §9.4), is sorted by group and name."""
    def step(run):
        answer = run.call(method, args)
        if "result" in answer:
            result = answer["result"]
            if sort and isinstance(result, list):
                result = sorted(result, key=lambda r: (str(r.get("group")), str(r.get("name"))) if isinstance(r, dict) else ("", ""))
            answer["result"] = shape(result) if shape else result
        run.out({"call": method, "args": run.mask(args), **run.mask(answer)})
    return step


def method_call_body(method, params_xml):
    params = "" if params_xml is None else "<params>\n%s</params>\n" % "".join("<param>%s</param>\n" % p for p in params_xml)
    return "<?xml version='1.0'?>\n<methodCall>\n<methodName>%s</methodName>\n%s</methodCall>\n" % (method, params)


def raw(label, body):
    """POST a hand-written body; record the status and the decoded answer (or the error page)."""
    def step(run):
        response = run.exchange(body).decode("utf-8", "replace")
        head, _, text = response.partition("\r\n\r\n")
        status = head.split("\r\n", 1)[0]
        record = {"raw": label, "status": status}
        if status.endswith(" 200 OK"):
            try:
                params, _ = xmlrpc.client.loads(text)
                record["result"] = params[0]
            except xmlrpc.client.Fault as fault:
                record["fault"] = {"faultCode": fault.faultCode, "faultString": fault.faultString}
            except Exception as err:  # an unparsable body is itself the difference to show
                record["unparsable"] = "%s: %s" % (type(err).__name__, text)
        else:
            record["body"] = text
        run.out(run.mask(record))
    return step


def raw_call(method, *params_xml):
    """raw() of a call whose <param> contents are given as XML (None: no <params> element at all)."""
    params = None if params_xml == (None,) else list(params_xml)
    label = "%s(%s)" % (method, ", ".join(params) if params is not None else "no <params>")
    return raw(label, method_call_body(method, params))


def wire(label, method=None, args=(), body=None, authorization=None):
    """Record a whole response (status line, headers, body), Date and varying values masked."""
    def step(run):
        request = body if body is not None else xmlrpc.client.dumps(tuple(args), method)
        response = run.exchange(request, authorization)
        run.out({"wire": label, "response": run.mask_wire(response).split("\n")})
    return step


def poll(what, probe, done, timeout=WAIT_TIMEOUT):
    def step(run):
        deadline = time.monotonic() + timeout
        while True:
            answer = probe(run)
            if done(answer):
                return
            failed = "result" not in answer
            if failed or time.monotonic() > deadline:
                run.out({"wait": what, "failed": "error" if failed else "timed out", "last": run.mask(answer)})
                raise Abort()
            time.sleep(0.05)
    return step


def wait_state(name, *states):
    """Wait until getProcessInfo(name) is in one of the states."""
    return poll("%s in %s" % (name, "/".join(states)),
                lambda run: run.call("supervisor.getProcessInfo", (name,)),
                lambda a: isinstance(a.get("result"), dict) and a["result"].get("statename") in states)


def wait_log(name, text, count=1):
    """Wait until the process's stdout log holds `text` `count` times."""
    return poll("%r %d time(s) in %s's log" % (text, count, name),
                lambda run: run.call("supervisor.readProcessStdoutLog", (name, 0, 0)),
                lambda a: isinstance(a.get("result"), str) and a["result"].count(text) >= count)


def wait_ready(name):
    """Wait until the ignore-term fixture's log ends with its `ready` line: from then on it ignores
    SIGTERM (a stop a moment after its start could come before it has set that up). Every earlier
    incarnation's log ends with `ignored SIGTERM`, as each one is stopped with a SIGTERM first."""
    return poll("%s ready" % name,
                lambda run: run.call("supervisor.readProcessStdoutLog", (name, 0, 0)),
                lambda a: isinstance(a.get("result"), str) and a["result"].endswith("ready\n"))


def wait_restarted():
    """After restart(): wait until getState answers RUNNING again (meanwhile the daemon stops its
    processes, faults SHUTDOWN_STATE, then closes and reopens its servers: errors are expected)."""
    def step(run):
        deadline = time.monotonic() + WAIT_TIMEOUT
        answer = {}
        while time.monotonic() < deadline:
            answer = run.call("supervisor.getState", ())
            if answer.get("result") == {"statecode": 1, "statename": "RUNNING"}:
                return
            time.sleep(0.05)
        run.out({"wait": "restarted", "failed": "timed out", "last": run.mask(answer)})
        raise Abort()
    return step


def wait_gone():
    """Wait until the daemon no longer accepts connections, and record that it is gone."""
    def step(run):
        deadline = time.monotonic() + WAIT_TIMEOUT
        while time.monotonic() < deadline:
            try:
                run.connect().close()
            except OSError:
                run.out({"daemon": "gone"})
                return
            time.sleep(0.05)
        run.out({"daemon": "still there after %d s" % WAIT_TIMEOUT})
    return step


def edit_config(label, change):
    """Rewrite supervisord.conf with change(text) (the original text is kept for restore_config)."""
    def step(run):
        path = os.path.join(run.dir, "supervisord.conf")
        if not os.path.exists(path + ".orig"):
            os.link(path, path + ".orig")
        with open(path) as f:
            text = f.read()
        with open(path + ".new", "w") as f:
            f.write(change(text))
        os.replace(path + ".new", path)
        run.out({"config": label})
    return step


def restore_config():
    def step(run):
        path = os.path.join(run.dir, "supervisord.conf")
        os.replace(path + ".orig", path)
        run.out({"config": "restored"})
    return step


def without_section(name):
    return lambda text: re.sub(r"(?ms)^\[%s\]\n.*?(?=^\[|\Z)" % re.escape(name), "", text)


def remove_file(relative):
    def step(run):
        os.unlink(os.path.join(run.dir, relative))
        run.out({"removed": relative})
    return step


def inet_only(*steps):
    """Steps for the [inet_http_server] pass only (credentials live there)."""
    def step(run):
        if run.inet:
            for s in steps:
                s(run)
    return step


def wrong_credentials(label, username, password):
    """A call with other credentials on a fresh connection (after a 401 supervisord stops reading it)."""
    def step(run):
        proxy = run.make_proxy(username, password)
        run.out({"call": "supervisor.getState", "credentials": label, **run.mask(run.call("supervisor.getState", (), proxy))})
        proxy("close")()
    return step


# --- scenarios ----------------------------------------------------------------------------------

AUTOSTARTED = ["grp:ga", "grp:gb", "stubborn", "cat", "nostdin", "sig", "ticker"]

METHODS = """supervisor.addProcessGroup supervisor.clearAllProcessLogs supervisor.clearLog supervisor.clearProcessLog
supervisor.clearProcessLogs supervisor.getAPIVersion supervisor.getAllConfigInfo supervisor.getAllProcessInfo
supervisor.getIdentification supervisor.getPID supervisor.getProcessInfo supervisor.getState
supervisor.getSupervisorVersion supervisor.getVersion supervisor.readLog supervisor.readMainLog
supervisor.readProcessLog supervisor.readProcessStderrLog supervisor.readProcessStdoutLog
supervisor.reloadConfig supervisor.removeProcessGroup supervisor.restart supervisor.sendProcessStdin
supervisor.sendRemoteCommEvent supervisor.shutdown supervisor.signalAllProcesses supervisor.signalProcess
supervisor.signalProcessGroup supervisor.startAllProcesses supervisor.startProcess
supervisor.startProcessGroup supervisor.stopAllProcesses supervisor.stopProcess supervisor.stopProcessGroup
supervisor.tailProcessLog supervisor.tailProcessStderrLog supervisor.tailProcessStdoutLog
system.listMethods system.methodHelp system.methodSignature system.multicall""".split()

# §7: every form of a name that resolves to nothing (a group spec where a process is needed too).
BAD_NAMES = ["nosuch", "grp:nosuch", "nosuch:*", "nosuch:", "grp", "", ":", "grp:ga:x"]

# The 21-byte stdout of [program:echo] and the offset tables of xmlrpc.md §10.6.
READ_OFFSETS = [(0, 0), (3, 0), (0, 5), (5, 5), (0, 1000), (21, 5), (100, 5), (-5, 0), (-100, 0), (-5, 2), (5, -1), (0, -1)]
TAIL_OFFSETS = [(0, 0), (0, 5), (5, 5), (15, 10), (0, 100), (21, 5), (100, 5), (-5, 0), (-5, 3), (-30, 5), (5, -3), (30, -5)]

SCENARIOS = {
    "startup": [
        *[wait_state(name, "RUNNING") for name in AUTOSTARTED],
        wait_ready("stubborn"),
        # loglevel=critical: only the start-up warnings, before any traceback of an HTTP 500.
        call("supervisor.readLog", 0, 0),
        call("supervisor.readMainLog", -1000, 0),
        call("supervisor.getAllProcessInfo"),
    ],
    "identification": [
        call("supervisor.getAPIVersion"),
        call("supervisor.getVersion"),
        call("supervisor.getSupervisorVersion"),
        call("supervisor.getIdentification"),
        call("supervisor.getState"),
        call("supervisor.getPID"),
        call("system.listMethods"),
        *[call("system.methodSignature", m) for m in METHODS],
        *[call("system.methodHelp", m, shape=help_shape) for m in METHODS],
        call("system.methodSignature", "nosuch"),
        call("system.methodSignature", ""),
        call("system.methodSignature", "supervisor"),
        call("system.methodHelp", "supervisor.nosuch"),
        call("system.methodHelp", ""),
    ],
    "names": [
        *[call(method, name, *extra) for method, extra in [
            ("supervisor.getProcessInfo", ()), ("supervisor.startProcess", ()), ("supervisor.stopProcess", ()),
            ("supervisor.signalProcess", ("HUP",)), ("supervisor.readProcessStdoutLog", (0, 0)),
            ("supervisor.readProcessStderrLog", (0, 0)), ("supervisor.tailProcessStdoutLog", (0, 10)),
            ("supervisor.tailProcessStderrLog", (0, 10)), ("supervisor.clearProcessLogs", ()),
            ("supervisor.sendProcessStdin", ("x",)),
        ] for name in BAD_NAMES],
        # a group spec where only a process will do (start/stop/signal take it: see start-stop)
        *[call(method, "grp:*", *extra) for method, extra in [
            ("supervisor.getProcessInfo", ()), ("supervisor.readProcessStdoutLog", (0, 0)),
            ("supervisor.tailProcessStdoutLog", (0, 10)), ("supervisor.clearProcessLogs", ()),
            ("supervisor.sendProcessStdin", ("x",)),
        ]],
        *[call(method, name, *extra) for method, extra in [
            ("supervisor.startProcessGroup", ()), ("supervisor.stopProcessGroup", ()),
            ("supervisor.signalProcessGroup", ("HUP",)), ("supervisor.removeProcessGroup", ()),
            ("supervisor.addProcessGroup", ()),
        ] for name in ["nosuch", "grp:ga", "", 5]],
    ],
    "dispatch": [
        *[call(name) for name in ["supervisor", "a.b.c", "supervisor._update", "supervisor.nosuch", "nosuch.getState",
                                  "system.namespaces", "supervisor.supervisord", "supervisor.update_text", "system._listMethods",
                                  "supervisor.getState.x", ".getState", "supervisor."]],
        call("supervisor.getState", 1),
        call("supervisor.getProcessInfo"),
        call("supervisor.getProcessInfo", "cat", "x"),
        call("supervisor.startProcess", "cat", True, 3),
        call("supervisor.readLog", 0),
        call("system.listMethods", 1),
        call("system.methodHelp"),
        call("system.methodSignature", "a", "b"),
        # HTTP 500 (xmlrpc.md §8.1); each writes a traceback at CRIT into the main log.
        call("supervisor.getProcessInfo", 5),
        call("supervisor.readLog", "abc", 0),
        call("supervisor.getProcessInfo", ["cat"]),
        call("supervisor.getState"),
    ],
    "decoding": [
        raw_call("supervisor.getState", None),
        raw_call("supervisor.getProcessInfo", None),
        raw_call("supervisor.getProcessInfo", "<value>cat</value>"),
        raw_call("supervisor.getProcessInfo", "<value><string>cat</string></value>"),
        raw_call("supervisor.getProcessInfo", "<value></value>"),
        raw_call("supervisor.getProcessInfo", "<value><string></string></value>"),
        raw_call("supervisor.getProcessInfo", "<value><i8>5</i8></value>"),
        raw_call("supervisor.getProcessInfo", "<value><nil/></value>"),
        raw_call("supervisor.readMainLog", "<value><i4>-1</i4></value>", "<value><int>0</int></value>"),
        raw_call("supervisor.readLog", "<value><i8>-1</i8></value>", "<value><int>0</int></value>"),
        raw_call("supervisor.tailProcessStdoutLog", "<value>cat</value>", "<value><double>0.5</double></value>", "<value>0</value>"),
        raw_call("system.methodSignature", "<value><base64>c3VwZXJ2aXNvci5nZXRTdGF0ZQ==</base64></value>"),
        raw_call("system.multicall", "<value><array><data><value><struct><member><name>methodName</name>"
                 "<value>supervisor.getAPIVersion</value></member></struct></value></data></array></value>"),
        raw_call("system.multicall", "<value><array><data><value><struct><member><value>supervisor.getAPIVersion</value>"
                 "<name>methodName</name></member></struct></value></data></array></value>"),
        raw("not XML", "hello"),
        raw("no methodName", "<?xml version='1.0'?>\n<methodCall>\n<params>\n</params>\n</methodCall>\n"),
        raw("empty methodName", "<?xml version='1.0'?>\n<methodCall>\n<methodName></methodName>\n</methodCall>\n"),
        raw("unclosed element", "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getState</methodName>\n"),
        call("supervisor.getState"),
    ],
    "wire": [
        wire("getState", "supervisor.getState"),
        wire("getProcessInfo of a process never started", "supervisor.getProcessInfo", ["manual"]),
        wire("getProcessInfo of a running process", "supervisor.getProcessInfo", ["cat"]),
        wire("a fault", "supervisor.getProcessInfo", ["nosuch"]),
        wire("multicall", "system.multicall", [[{"methodName": "supervisor.getAPIVersion"},
                                                {"methodName": "supervisor.stopProcess", "params": ["nosuch"]}]]),
        wire("a deferred reply", "supervisor.stopProcessGroup", ["multi"]),
        wire("listMethods", "system.listMethods"),
        wire("getAllConfigInfo", "supervisor.getAllConfigInfo"),
        wire("HTTP 400", body="hello"),
        wire("HTTP 500", "supervisor.getProcessInfo", [5]),
    ],
    "start-stop": [
        # a program never started: its log files do not exist yet
        call("supervisor.getProcessInfo", "manual"),
        call("supervisor.readProcessStdoutLog", "manual", 0, 0),
        call("supervisor.readProcessStderrLog", "manual", 0, 0),
        call("supervisor.tailProcessStdoutLog", "manual", 0, 10),
        call("supervisor.tailProcessStderrLog", "manual", 0, 10),
        call("supervisor.readProcessStdoutLog", "nofile", 0, 0),
        call("supervisor.stopProcess", "manual"),
        call("supervisor.signalProcess", "manual", "HUP"),
        call("supervisor.sendProcessStdin", "manual", "x"),
        call("supervisor.clearProcessLogs", "manual"),
        # <boolean>true</boolean> is false: no wait, the reply comes while it is STARTING (startsecs=2)
        raw_call("supervisor.startProcess", "<value>manual</value>", "<value><boolean>true</boolean></value>"),
        call("supervisor.getProcessInfo", "manual"),
        call("supervisor.startProcess", "manual"),
        call("supervisor.stopProcess", "manual"),
        call("supervisor.getProcessInfo", "manual"),
        # <value>0</value> is the string "0", which is true: the reply waits for RUNNING
        raw_call("supervisor.startProcess", "<value>manual</value>", "<value>0</value>"),
        call("supervisor.getProcessInfo", "manual"),
        call("supervisor.startProcess", "manual", False),
        call("supervisor.stopProcess", "manual", False),
        wait_state("manual", "STOPPED"),
        call("supervisor.getProcessInfo", "manual"),
        # the command is checked first, even for a running process
        call("supervisor.startProcess", "nofile"),
        call("supervisor.startProcess", "notexec"),
        call("supervisor.startProcess", "nofile", False),
        call("supervisor.getProcessInfo", "nofile"),
        call("supervisor.startProcessGroup", "nofile"),
        call("supervisor.startProcessGroup", "notexec", False),
        # exits before startsecs, startretries=0
        call("supervisor.startProcess", "quick"),
        wait_state("quick", "FATAL"),
        call("supervisor.getProcessInfo", "quick"),
        call("supervisor.startProcess", "quick", False),
        wait_state("quick", "FATAL"),
        call("supervisor.startProcessGroup", "quick"),
        wait_state("quick", "FATAL"),
        call("supervisor.stopProcess", "quick"),
        # BACKOFF (or STARTING between two tries: both are "running")
        call("supervisor.startProcess", "flappy", False),
        wait_state("flappy", "BACKOFF"),
        call("supervisor.startProcess", "flappy"),
        call("supervisor.stopProcess", "flappy"),
        wait_state("flappy", "STOPPED"),
        call("supervisor.removeProcessGroup", "flappy"),
        # a group, and the group forms of startProcess / stopProcess
        call("supervisor.startProcessGroup", "grp"),
        call("supervisor.startProcess", "grp:*"),
        call("supervisor.startProcess", "grp:"),
        call("supervisor.startProcess", "grp:ga"),
        call("supervisor.stopProcessGroup", "grp", sort=True),
        call("supervisor.getProcessInfo", "grp:ga"),
        call("supervisor.stopProcessGroup", "grp"),
        call("supervisor.stopProcess", "grp:ga"),
        call("supervisor.startProcessGroup", "grp", False, sort=True),
        wait_state("grp:ga", "RUNNING"),
        wait_state("grp:gb", "RUNNING"),
        call("supervisor.stopProcess", "grp:*", False, sort=True),
        wait_state("grp:ga", "STOPPED"),
        wait_state("grp:gb", "STOPPED"),
        call("supervisor.startProcess", "grp:", sort=True),
        call("supervisor.getProcessInfo", "grp:gb"),
        # numprocs
        call("supervisor.startProcessGroup", "multi", sort=True),
        call("supervisor.getProcessInfo", "multi:multi_1"),
        call("supervisor.startProcess", "multi:multi_0"),
        call("supervisor.stopProcess", "multi:multi_0"),
        call("supervisor.stopProcess", "multi:*", sort=True),
        call("supervisor.stopProcess", "multi:*"),
        # a TERM-ignoring process: STOPPING until SIGKILL after stopwaitsecs=2
        call("supervisor.stopProcess", "stubborn", False),
        call("supervisor.startProcess", "stubborn"),
        call("supervisor.startProcess", "stubborn", False),
        call("supervisor.stopProcess", "stubborn"),
        call("supervisor.sendProcessStdin", "stubborn", "x"),
        call("supervisor.getProcessInfo", "stubborn"),
        wait_state("stubborn", "STOPPED"),
        call("supervisor.getProcessInfo", "stubborn"),
        call("supervisor.startProcess", "stubborn"),
        call("supervisor.getProcessInfo", "stubborn"),
        wait_ready("stubborn"),
        call("supervisor.stopProcess", "stubborn"),
        call("supervisor.startProcess", "stubborn"),
        wait_ready("stubborn"),
        call("supervisor.getAllProcessInfo"),
    ],
    "signals": [
        call("supervisor.signalProcess", "sig", "HUP"),
        wait_log("sig", "got SIGHUP", 1),
        call("supervisor.signalProcess", "sig", "1"),
        wait_log("sig", "got SIGHUP", 2),
        call("supervisor.signalProcess", "sig", 1),
        wait_log("sig", "got SIGHUP", 3),
        call("supervisor.signalProcess", "sig", 1.0),
        wait_log("sig", "got SIGHUP", 4),
        raw_call("supervisor.signalProcess", "<value>sig</value>", "<value><boolean>1</boolean></value>"),
        wait_log("sig", "got SIGHUP", 5),
        call("supervisor.signalProcess", "sig", " usr2 "),
        wait_log("sig", "got SIGUSR2", 1),
        call("supervisor.signalProcess", "sig", "sigusr2"),
        wait_log("sig", "got SIGUSR2", 2),
        call("supervisor.signalProcess", "sig", 0),
        call("supervisor.signalProcess", "sig", "0"),
        call("supervisor.readProcessStdoutLog", "sig", 0, 0),
        *[call("supervisor.signalProcess", "sig", s) for s in ["BOGUS", "99", 99, "32", 33, 63, -1, "", "SIG", "KILL9"]],
        call("supervisor.signalProcess", "manual", "BOGUS"),
        *[call("supervisor.signalProcess", "manual", s) for s in ["RTMIN", "RTMAX", "IOT", "CLD", "POLL", 34, 64, "TERM"]],
        call("supervisor.signalProcess", "sig", [1]),
        call("supervisor.signalProcess", "grp:*", 0, sort=True),
        call("supervisor.signalProcess", "grp", 0),
        call("supervisor.signalProcessGroup", "grp", "BOGUS"),
        call("supervisor.signalProcessGroup", "multi", "HUP"),
        call("supervisor.signalProcessGroup", "multi", "BOGUS"),
        call("supervisor.signalProcessGroup", "stubborn", "CONT"),
        call("supervisor.signalAllProcesses", 0),
        call("supervisor.signalAllProcesses", "BOGUS"),
        call("supervisor.getProcessInfo", "sig"),
    ],
    "io": [
        call("supervisor.sendProcessStdin", "cat", "hello <&>\n"),
        call("supervisor.sendProcessStdin", "cat", "h\u00e9llo \u00fcnicode\n"),
        call("supervisor.sendProcessStdin", "cat", xmlrpc.client.Binary(b"from base64\n")),
        raw_call("supervisor.sendProcessStdin", "<value>cat</value>", "<value><i8>5</i8></value>"),
        call("supervisor.sendProcessStdin", "cat", "\n"),
        call("supervisor.sendProcessStdin", "cat", ""),
        call("supervisor.sendProcessStdin", "cat", 5),
        call("supervisor.sendProcessStdin", "nosuch", 5),
        raw_call("supervisor.sendProcessStdin", "<value>cat</value>", "<value><nil/></value>"),
        call("supervisor.sendProcessStdin", "nostdin", "x"),
        wait_log("cat", "5\n"),
        call("supervisor.readProcessStdoutLog", "cat", 0, 0),
        call("supervisor.readProcessLog", "cat", 10, 3),
        call("supervisor.tailProcessStdoutLog", "cat", 0, 100),
        call("supervisor.readProcessStdoutLog", "cat", 12, 1),  # cuts the é: HTTP 500
        call("supervisor.tailProcessStdoutLog", "cat", 0, 35),
        call("system.multicall", [{"methodName": "supervisor.readProcessStdoutLog", "params": ["cat", 12, 1]}]),
        call("supervisor.readProcessStderrLog", "cat", 0, 0),
        call("supervisor.sendRemoteCommEvent", "mytype", "some data \u00fc"),
        call("supervisor.sendRemoteCommEvent", 5, [1, 2]),
        call("supervisor.sendRemoteCommEvent", "t"),
        # a known log: 0123456789ABCDEFGHIJ\n on stdout, a <b> & c\n on stderr
        call("supervisor.startProcess", "echo"),
        wait_state("echo", "EXITED"),
        call("supervisor.getProcessInfo", "echo"),
        *[call("supervisor.readProcessStdoutLog", "echo", o, n) for o, n in READ_OFFSETS],
        *[call("supervisor.tailProcessStdoutLog", "echo", o, n) for o, n in TAIL_OFFSETS],
        call("supervisor.readProcessLog", "echo", 0, 0),
        call("supervisor.readProcessStdoutLog", "echo", 1.9, 0),
        call("supervisor.readProcessStdoutLog", "echo", "5", "5"),
        call("supervisor.readProcessStderrLog", "echo", 0, 0),
        call("supervisor.readProcessStderrLog", "echo", -3, 0),
        call("supervisor.tailProcessLog", "echo", 0, 100),
        call("supervisor.tailProcessStderrLog", "echo", 0, 100),
        wire("tail of a log with <&>", "supervisor.tailProcessStderrLog", ["echo", 0, 100]),
        call("supervisor.readLog", -1, 5),
        call("supervisor.readLog", 0, -1),
        call("supervisor.readMainLog", -5, 2),
        # clearing
        call("supervisor.clearProcessLogs", "cat"),
        call("supervisor.readProcessStdoutLog", "cat", 0, 0),
        call("supervisor.tailProcessStdoutLog", "cat", 0, 10),
        call("supervisor.clearProcessLog", "echo"),
        call("supervisor.readProcessStdoutLog", "echo", 0, 0),
        call("supervisor.sendProcessStdin", "cat", "after clear\n"),
        wait_log("cat", "after clear\n"),
        call("supervisor.clearAllProcessLogs"),
        call("supervisor.readProcessStdoutLog", "cat", 0, 0),
        call("supervisor.readProcessStdoutLog", "echo", 0, 0),
        call("supervisor.clearLog"),
        call("supervisor.readLog", 0, 0),
        call("supervisor.readMainLog", 0, 0),
        remove_file("supervisord.log"),
        call("supervisor.readLog", 0, 0),
        call("supervisor.clearLog"),
        remove_file("cat-stdout.log"),
        call("supervisor.readProcessStdoutLog", "cat", 0, 0),
        call("supervisor.tailProcessStdoutLog", "cat", 0, 10),
        call("supervisor.clearProcessLogs", "cat"),
        call("supervisor.readProcessStdoutLog", "cat", 0, 0),
    ],
    "config": [
        call("supervisor.getAllConfigInfo"),
        call("supervisor.reloadConfig"),
        edit_config("[program:added] appended, [program:echo] removed, stubborn's stopwaitsecs changed",
                    lambda text: without_section("program:echo")(text).replace("stopwaitsecs=2", "stopwaitsecs=3")
                    + "\n[program:added]\ncommand=/bin/cat\nstartsecs=0\npriority=5\n"),
        call("supervisor.reloadConfig"),
        call("supervisor.getAllConfigInfo"),
        call("supervisor.getProcessInfo", "added"),
        call("supervisor.addProcessGroup", "added"),
        call("supervisor.addProcessGroup", "added"),
        call("supervisor.addProcessGroup", "nosuch"),
        call("supervisor.addProcessGroup", "grp"),
        wait_state("added", "RUNNING"),
        call("supervisor.removeProcessGroup", "added"),
        call("supervisor.stopProcess", "added"),
        call("supervisor.removeProcessGroup", "added"),
        call("supervisor.removeProcessGroup", "added"),
        call("supervisor.getProcessInfo", "added"),
        call("supervisor.removeProcessGroup", "echo"),
        call("supervisor.removeProcessGroup", "grp"),
        call("supervisor.getAllProcessInfo"),
        call("supervisor.reloadConfig"),
        edit_config("[program:bad] without a command appended",
                    lambda text: text + "\n[program:bad]\nautostart=false\n"),
        call("supervisor.reloadConfig"),
        edit_config("a line that is no option", lambda text: text + "\nthis is not ini\n"),
        call("supervisor.reloadConfig"),
        call("supervisor.getAllConfigInfo"),
        restore_config(),
        call("supervisor.reloadConfig"),
        call("supervisor.addProcessGroup", "echo"),
        call("supervisor.addProcessGroup", "added"),
        call("supervisor.getProcessInfo", "echo"),
        call("supervisor.reloadConfig"),
    ],
    "multicall": [
        # the captured example of xmlrpc.md §11, grp:gb standing in for newlazy
        call("system.multicall", [
            {"methodName": "supervisor.getAPIVersion", "params": []},
            {"methodName": "supervisor.getProcessInfo", "params": ["nosuch"]},
            {"methodName": "system.multicall", "params": [[]]},
            {"params": []},
            {"methodName": "supervisor.stopProcess", "params": ["grp:gb"]},
            {"methodName": "supervisor.startProcess", "params": ["grp:gb"]},
            {"methodName": "supervisor.getState"},
            {"methodName": "supervisor.getAPIVersion", "params": [1, 2]},
            {"methodName": "bogus", "params": []},
        ]),
        call("system.multicall", []),
        call("system.multicall", "abc"),
        call("system.multicall", 5),
        call("system.multicall"),
        call("system.multicall", {"methodName": "supervisor.getState"}),
        call("system.multicall", [5]),
        call("system.multicall", [{"methodName": "supervisor.getState", "params": "x"}]),
        call("system.multicall", [{"methodName": "supervisor.signalProcess", "params": ["sig", [1]]}]),
        call("system.multicall", [{"methodName": "supervisor.getProcessInfo", "params": [5]}]),
        call("system.multicall", [{"methodName": 5}]),
        call("system.multicall", [
            {"methodName": "supervisor.getPID"},
            # deferred group calls (of a one-process group: their results come in completion order)
            {"methodName": "supervisor.stopProcessGroup", "params": ["cat"]},
            {"methodName": "supervisor.getProcessInfo", "params": ["cat"]},
            {"methodName": "supervisor.startProcess", "params": ["cat:*"]},
            {"methodName": "supervisor.getProcessInfo", "params": ["cat"]},
            {"methodName": "system.listMethods"},
            {"methodName": "supervisor.startProcess", "params": ["nofile"]},
            {"methodName": "supervisor.readProcessStdoutLog", "params": ["echo", -1, 5]},
        ]),
    ],
    "all": [
        call("supervisor.startAllProcesses", sort=True),
        wait_state("echo", "EXITED"),
        wait_state("quick", "FATAL"),
        call("supervisor.getAllProcessInfo"),
        call("supervisor.startAllProcesses", False, sort=True),
        wait_state("echo", "EXITED"),
        wait_state("quick", "FATAL"),
        wait_state("manual", "RUNNING"),
        call("supervisor.stopAllProcesses", sort=True),
        call("supervisor.getAllProcessInfo"),
        call("supervisor.stopAllProcesses", False),
        call("supervisor.startProcessGroup", "grp", sort=True),
        call("supervisor.stopAllProcesses", False, sort=True),
        *[wait_state(name, "STOPPED") for name in ["grp:ga", "grp:gb"]],
        # restart and shutdown take stopwaitsecs: time to see SHUTDOWN_STATE
        call("supervisor.startProcess", "stubborn"),
        wait_ready("stubborn"),
    ],
    "auth": [
        inet_only(
            wrong_credentials("wrong password", "user", "wrong"),
            wrong_credentials("unknown user", "someone", "secret"),
            wire("a wrong password", "supervisor.getState", authorization="user:wrong"),
            call("supervisor.getState"),
        ),
    ],
    "restart": [
        # stubborn ignores SIGTERM for stopwaitsecs: time to see SHUTDOWN_STATE
        call("supervisor.restart"),
        call("supervisor.getState"),
        call("supervisor.restart"),
        call("supervisor.sendRemoteCommEvent", "during", "restart"),
        wait_restarted(),
        *[wait_state(name, "RUNNING") for name in AUTOSTARTED],
        wait_ready("stubborn"),
        call("supervisor.getPID"),
        # the main log was removed in "io": a new one, with the start-up warnings
        call("supervisor.readLog", 0, 0),
        call("supervisor.getAllProcessInfo"),
        call("supervisor.reloadConfig"),
    ],
    "shutdown": [
        call("supervisor.shutdown"),
        call("supervisor.getState"),
        call("supervisor.getProcessInfo", "stubborn"),
        call("supervisor.startProcess", "cat"),
        call("supervisor.shutdown"),
        call("supervisor.sendRemoteCommEvent", "during", "shutdown"),
        call("system.listMethods"),
        call("system.methodSignature", "supervisor.getState"),
        call("supervisor.signalProcessGroup", "grp", 0),
        call("supervisor.signalProcessGroup", "nosuch", 0),
        call("supervisor.signalAllProcesses", 0),
        call("system.multicall", [{"methodName": "supervisor.getState"}, {"methodName": "system.listMethods"}]),
        wait_gone(),
    ],
}


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    url, directory, pid, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        sys.exit("unknown scenario(s): %s (known: %s)" % (" ".join(unknown), " ".join(SCENARIOS)))
    run = Run(url, directory, pid)
    for name in names:
        run.out({"scenario": name})
        began = time.monotonic()
        try:
            for step in SCENARIOS[name]:
                step(run)
        except Abort:
            run.out({"scenario": name, "aborted": "a wait failed"})
        print("%s: %.1f s" % (name, time.monotonic() - began), file=sys.stderr, flush=True)


main()
