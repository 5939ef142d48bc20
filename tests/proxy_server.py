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
Python's standard library only.
"""

import http.client
import select
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCAL = ("127.0.0.1", "localhost")


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
        socks = [self.connection, up]
        try:
            while True:
                ready, _, _ = select.select(socks, [], [], 30)
                if not ready:
                    break
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (up if s is self.connection else self.connection).sendall(data)
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
