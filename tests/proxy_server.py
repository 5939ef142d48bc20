#!/usr/bin/env python3
"""proxy_server.py — a small HTTP forward proxy on 127.0.0.1 for vane's tests.

A request in absolute form ("GET http://127.0.0.1:PORT/path HTTP/1.1") is
recorded — method, target, headers, body — and forwarded to its origin,
whose answer goes back as is; CONNECT host:port is recorded and tunnelled
(bytes copied both ways until either side closes). Only 127.0.0.1 and
localhost are forwarded to: anything else gets 403 (the tests never leave
the machine).

    with ProxyServer() as p:         # p.port, p.url
        ...; p.requests()           # [{"method", "target", "headers", "body"}]

Socks5Server is a SOCKS5 proxy (RFC 1928, no authentication, CONNECT
only) on 127.0.0.1 that records each (host, port) asked for — a name with
socks5h://, an address with socks5:// — and relays to 127.0.0.1/localhost.
Python's standard library only.
"""

import http.client
import select
import socket
import socketserver
import struct
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCAL = ("127.0.0.1", "localhost")


def _relay(a, b):
    """Copy bytes both ways until either side closes (or 30 s of silence)."""
    socks = [a, b]
    while True:
        ready, _, _ = select.select(socks, [], [], 30)
        if not ready:
            return
        for s in ready:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _record(self, body):
        self.server.proxy.record(self.command, self.path, self.headers, body)

    def _refuse(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        self._record(body)
        u = urllib.parse.urlsplit(self.path)
        if u.scheme != "http" or u.hostname not in LOCAL:
            return self._refuse(403, "this proxy forwards to 127.0.0.1 only\n")
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("proxy-connection", "connection", "keep-alive")}
        target = urllib.parse.urlunsplit(("", "", u.path or "/", u.query, ""))
        conn.request(self.command, target, body=body or None, headers=headers)
        res = conn.getresponse()
        data = res.read()
        self.send_response(res.status, res.reason)
        for k, v in res.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = _forward

    def do_CONNECT(self):
        self._record(b"")
        host, _, port = self.path.rpartition(":")
        if host not in LOCAL or not port.isdigit():
            return self._refuse(403, "this proxy tunnels to 127.0.0.1 only\n")
        try:
            up = socket.create_connection((host, int(port)), timeout=30)
        except OSError:
            return self._refuse(502, "cannot connect\n")
        self.send_response(200, "Connection established")
        self.end_headers()
        try:
            _relay(self.connection, up)
        finally:
            up.close()
            self.close_connection = True


class ProxyServer:
    """A forward proxy in a background thread."""

    def __init__(self, port=0):
        self.port = port
        self._lock = threading.Lock()
        self._requests = []
        self._httpd = None
        self._thread = None

    def start(self):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.proxy = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self.port

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def record(self, method, target, headers, body):
        with self._lock:
            self._requests.append({"method": method, "target": target,
                                   "headers": {k.lower(): v for k, v in headers.items()},
                                   "body": body})

    def requests(self):
        """Every request the proxy received, in order."""
        with self._lock:
            return [dict(r) for r in self._requests]


class _Socks5Handler(socketserver.BaseRequestHandler):
    def _read(self, n):
        data = b""
        while len(data) < n:
            more = self.request.recv(n - len(data))
            if not more:
                raise ConnectionError("closed")
            data += more
        return data

    def handle(self):
        try:
            ver, n = self._read(2)
            methods = self._read(n)
            if ver != 5 or 0 not in methods:
                self.request.sendall(b"\x05\xff")
                return
            self.request.sendall(b"\x05\x00")
            ver, cmd, _, atyp = self._read(4)
            if atyp == 1:
                host = socket.inet_ntoa(self._read(4))
            elif atyp == 3:
                host = self._read(self._read(1)[0]).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, self._read(16))
            port = struct.unpack("!H", self._read(2))[0]
            self.server.proxy.record(host, port, atyp)
            if cmd != 1 or host not in LOCAL:
                self.request.sendall(b"\x05\x02\x00\x01" + bytes(6))  # not allowed
                return
            up = socket.create_connection(("127.0.0.1", port), timeout=30)
        except (ConnectionError, OSError, ValueError):
            return
        self.request.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack("!H", 0))
        try:
            _relay(self.request, up)
        finally:
            up.close()


class _Socks5Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Socks5Server(ProxyServer):
    """A SOCKS5 proxy in a background thread; requests() gives
    [{"host", "port", "by_name": bool}]."""

    def start(self):
        self._httpd = _Socks5Server(("127.0.0.1", self.port), _Socks5Handler)
        self._httpd.proxy = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self.port

    @property
    def url(self):
        return "socks5h://127.0.0.1:%d" % self.port

    def record(self, host, port, atyp):
        with self._lock:
            self._requests.append({"host": host, "port": port, "by_name": atyp == 3})
