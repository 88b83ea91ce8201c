"""Call XML-RPC methods of a supervisord with Python's standard xmlrpc.client, print JSON.

Usage: python3 xmlrpc_call.py SERVERURL METHOD [JSON_ARG...] [-- METHOD [JSON_ARG...]]...

SERVERURL is unix:///path/to/socket or http://host:port. Each call prints one JSON line:
{"result": ...}, {"fault": {"faultCode": N, "faultString": "..."}} or, for an HTTP error,
{"protocolError": {"errcode": 500, "errmsg": "Internal Server Error"}}.
Only the standard library is used, as any client of supervisord would.
"""
import http.client
import json
import socket
import sys
import xmlrpc.client


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.socket_path)
        self.sock = sock


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path):
        super().__init__()
        self.socket_path = path

    def make_connection(self, host):
        return UnixHTTPConnection(self.socket_path)


def proxy(serverurl):
    if serverurl.startswith("unix://"):
        return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=UnixTransport(serverurl[7:]))
    return xmlrpc.client.ServerProxy(serverurl.rstrip("/") + "/RPC2")


def main():
    server = proxy(sys.argv[1])
    calls, current = [], []
    for arg in sys.argv[2:]:
        if arg == "--":
            calls.append(current)
            current = []
        else:
            current.append(arg)
    calls.append(current)
    for call in calls:
        if not call:
            continue
        method, args = call[0], [json.loads(a) for a in call[1:]]
        try:
            out = {"result": getattr(server, method)(*args)}
        except xmlrpc.client.Fault as fault:
            out = {"fault": {"faultCode": fault.faultCode, "faultString": fault.faultString}}
        except xmlrpc.client.ProtocolError as err:
            out = {"protocolError": {"errcode": err.errcode, "errmsg": err.errmsg}}
        print(json.dumps(out, sort_keys=True), flush=True)


main()
