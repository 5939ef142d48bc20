#!/usr/bin/env python3
"""fixture_server.py — a small HTTP/1.1 server for vane's tests and demo.

Serves the files of one folder on 127.0.0.1 the way a well-behaved origin
does: `Last-Modified` (the file's mtime), a strong `ETag` (a hash of the
content), `Content-Type` from the extension without a charset (so charsets
must come from the document itself), and 304 for a matching `If-None-Match`
(preferred) or, when that header is absent, `If-Modified-Since`.

Test controls (per path, the query string is not part of the path):
  delay   seconds to sleep before answering (slow origins, lock tests, kill -9)
  status  a forced status (e.g. 500) answered instead of the file
  alias   serve another file for this path (swap which snapshot
          /travel_advisories.xml is) — relative to the folder, or absolute
  conditional = False makes the server ignore validators (always 200)
  validators  False: send no ETag / Last-Modified for this path (and no 304);
          "etag" or "last-modified": only that one
  flaky   answer STATUS (e.g. 429, 503), with `Retry-After: V` if given (seconds,
          or an HTTP date V seconds ahead), for the next K requests, then serve
          normally
  redirect  answer 302 with `Location: L` (L = the path itself: a loop)
  content_type  send this Content-Type for the path instead of the one
          its extension gives (e.g. "text/html; charset=gbk")
  endless   stream bytes (no Content-Length, `Connection: close`) until the
          client hangs up or a bound (default 50 MB) is reached; each stream's
          bytes sent and whether the client hung up are recorded

A request may carry a body (POST, PUT, PATCH): it is read and kept with
its method and headers (received(path)); the answer is the file, as for a
GET. A path may ask for credentials (set_auth): Basic, or Digest (RFC 7616,
MD5, qop=auth) with a challenge in WWW-Authenticate and the response
checked; a request without them gets 401, with wrong ones 401 too.

Counts are kept per path and status, and every request is logged, with its
headers. Concurrency is measured: how many requests are being handled at
once (from the arrival of the request, before any delay, until just before
the answer is written), overall and per folder prefix ("/a/" for "/a/b.html"),
now and at most; and the (start, end) span of every request, so that spans of
several servers can be combined with max_overlap().

Used two ways:
  from Python:  srv = FixtureServer(folder); port = srv.start(); ...; srv.stop()
  from a shell: python3 tests/fixture_server.py DIR [--port 0] [--verbose]
                prints "serving DIR on http://127.0.0.1:PORT/" then serves
                until SIGTERM or SIGINT.

HTTP control endpoints (not counted):
  GET /__stats             {"total": N, "paths": {path: {status: n}},
                            "arrivals": {path: n (received, before any delay)},
                            "targets": {path?query: {status: n}},
                            "concurrency": {"now": n, "max": n,
                                            "prefixes": {prefix: {"now": n, "max": n}}},
                            "streams": {path: [{"sent": bytes, "hung_up": bool}]}}
  GET /__stats?reset=1     the same, then zero every count
  GET /__control?path=P&delay=S | &status=N | &alias=FILE | &clear=1
                       | &validators=0|1|etag|last-modified | &redirect=LOCATION
                       | &flaky=STATUS[&retry_after=V][&retry_date=1][&times=K]
                       | &endless=1|BYTES (0 clears)
  GET /__control?conditional=0|1   (no path needed)
  GET /__control?reset=1   drop every control (delays, statuses, aliases)
Python's standard library only.
"""

import argparse
import base64
import email.utils
import hashlib
import json
import os
import posixpath
import signal
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/xml",
    ".atom": "application/xml",
    ".json": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".txt": "text/plain",
    ".csv": "text/csv",
}


def content_type_of(path):
    ext = os.path.splitext(path)[1].lower()
    return CONTENT_TYPES.get(ext, "application/octet-stream")


def _etag_matches(header, etag):
    """If-None-Match uses the weak comparison: W/"x" matches "x"."""
    header = header.strip()
    if header == "*":
        return True
    bare = etag[2:] if etag.startswith("W/") else etag
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == bare:
            return True
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vane-fixture/1"
    # Headers and body go out in two writes; with Nagle's algorithm the body
    # waits for the client's delayed ACK (~40 ms a response on a kept-alive
    # connection), which made a thousand small pages take seconds.
    disable_nagle_algorithm = True

    # ---- logging -----------------------------------------------------------
    def log_message(self, fmt, *args):
        if self.server.fixture.verbose:
            sys.stderr.write("fixture %s - %s\n" % (self.address_string(), fmt % args))

    # ---- dispatch ------------------------------------------------------------
    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_POST(self):
        self._serve(head=False, body=self._read_body())

    do_PUT = do_POST
    do_PATCH = do_POST

    def _authorized(self, fx, path):
        """True when `path` asks for no credentials or they are right; else
        a 401 with the challenge has been sent."""
        want = fx.auth_for(path)
        if want is None:
            return True
        user, password, scheme = want
        got = self.headers.get("Authorization") or ""
        ok = False
        if scheme == "basic" and got.startswith("Basic "):
            try:
                ok = base64.b64decode(got[6:]).decode() == "%s:%s" % (user, password)
            except ValueError:
                ok = False
        elif scheme == "digest" and got.startswith("Digest "):
            ok = _digest_ok(got[7:], user, password, self.command, fx.nonce)
        fx.note_auth(path, scheme, ok, got)
        if ok:
            return True
        body = b"unauthorized\n"
        self.send_response(401)
        if scheme == "basic":
            self.send_header("WWW-Authenticate", 'Basic realm="vane-fixture"')
        else:
            self.send_header("WWW-Authenticate",
                             'Digest realm="vane-fixture", qop="auth", algorithm=MD5, '
                             'nonce="%s", opaque="0pq"' % fx.nonce)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        fx.count(path, self.path, 401, self.command)
        return False

    def _send_json(self, obj, status=200):
        body = json.dumps(obj, sort_keys=True, indent=1).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _send_plain(self, status, text, head=False):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _serve(self, head, body=None):
        fx = self.server.fixture
        parsed = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(parsed.path) or "/"
        query = urllib.parse.parse_qs(parsed.query)

        if path == "/__stats":
            if query.get("reset", ["0"])[0] not in ("0", ""):
                snap = fx.stats()
                fx.reset_stats()
                return self._send_json(snap)
            return self._send_json(fx.stats())
        if path == "/__control":
            try:
                fx.apply_control(query)
            except ValueError as e:
                return self._send_plain(400, "bad control: %s\n" % e)
            return self._send_json(fx.controls())

        fx.receive(path, self.command, self.headers, body)
        if not self._authorized(fx, path):
            return
        started = fx.arrive(path, self.headers)
        try:
            self._answer(fx, path, head, started)
        finally:
            fx.depart(path, started)  # no-op when the answer already departed

    def _answer(self, fx, path, head, started):
        delay, forced, alias = fx.controls_for(path)
        if delay > 0:
            time.sleep(delay)

        flaky = fx.take_flaky(path)
        if flaky is not None:
            status, retry_after = flaky
            body = ("flaky status %d\n" % status).encode()
            fx.depart(path, started)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            if not head:
                self.wfile.write(body)
            fx.count(path, self.path, status, self.command)
            return

        if forced is not None:
            status = forced
            fx.depart(path, started)
            self._send_plain(status, "forced status %d\n" % status, head)
            fx.count(path, self.path, status, self.command)
            return

        location = fx.redirect_of(path)
        if location is not None:
            body = b"moved\n"
            fx.depart(path, started)
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
            fx.count(path, self.path, 302, self.command)
            return

        limit = fx.endless_of(path)
        if limit is not None:
            return self._stream(fx, path, limit, head)

        file_path = (fx.resolve(alias, is_alias=True) if alias is not None
                     else fx.resolve(path))
        if file_path is None or not os.path.isfile(file_path):
            fx.depart(path, started)
            self._send_plain(404, "not found\n", head)
            fx.count(path, self.path, 404, self.command)
            return

        with open(file_path, "rb") as f:
            body = f.read()
        mtime = int(os.stat(file_path).st_mtime)
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        last_modified = email.utils.formatdate(mtime, usegmt=True)

        send_etag, send_lm = fx.validators_for(path)
        not_modified = False
        if fx.conditional:
            inm = self.headers.get("If-None-Match") if send_etag else None
            ims = self.headers.get("If-Modified-Since") if send_lm else None
            if inm is not None:
                not_modified = _etag_matches(inm, etag)
            elif ims is not None:
                try:
                    since = email.utils.parsedate_to_datetime(ims).timestamp()
                    not_modified = mtime <= int(since)
                except (TypeError, ValueError, IndexError, OverflowError):
                    not_modified = False

        fx.depart(path, started)
        if not_modified:
            self.send_response(304)
            if send_etag:
                self.send_header("ETag", etag)
            if send_lm:
                self.send_header("Last-Modified", last_modified)
            self.end_headers()
            fx.count(path, self.path, 304, self.command)
            return

        self.send_response(200)
        self.send_header("Content-Type", fx.content_type_for(path) or content_type_of(file_path))
        self.send_header("Content-Length", str(len(body)))
        if send_lm:
            self.send_header("Last-Modified", last_modified)
        if send_etag:
            self.send_header("ETag", etag)
        self.end_headers()
        if not head:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        fx.count(path, self.path, 200, self.command)

    def _stream(self, fx, path, limit, head):
        """An endless body: bytes until the client hangs up or `limit` is sent."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent, hung_up = 0, False
        if not head:
            chunk = b"<p>endless</p>\n" * 4096
            # a client that stops reading without hanging up must not hold
            # this thread for ever
            self.connection.settimeout(10)
            while sent < limit:
                piece = chunk[:min(len(chunk), limit - sent)]
                try:
                    self.wfile.write(piece)
                except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
                    hung_up = True
                    break
                sent += len(piece)
        fx.stream_done(path, sent, hung_up)
        fx.count(path, self.path, 200, self.command)


def _digest_ok(params, user, password, method, nonce):
    """Check a Digest Authorization's response (MD5, qop=auth)."""
    fields = {}
    for part in urllib.request.parse_http_list(params):
        k, _, v = part.partition("=")
        fields[k.strip()] = v.strip().strip('"')
    if fields.get("username") != user or fields.get("nonce") != nonce:
        return False

    def md5(text):
        return hashlib.md5(text.encode()).hexdigest()

    ha1 = md5("%s:%s:%s" % (user, "vane-fixture", password))
    ha2 = md5("%s:%s" % (method, fields.get("uri", "")))
    want = md5(":".join([ha1, nonce, fields.get("nc", ""), fields.get("cnonce", ""),
                         fields.get("qop", ""), ha2]))
    return fields.get("qop") == "auth" and fields.get("response") == want


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128   # a burst of parallel connects must not be dropped

    def handle_error(self, request, client_address):
        # A client that hangs up (a killed vane) is normal here.
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        if self.fixture.verbose:
            super().handle_error(request, client_address)


class FixtureServer:
    """A fixture HTTP server for one folder, run in a background thread."""

    def __init__(self, directory, port=0, verbose=False):
        self.directory = os.path.abspath(directory)
        self.port = port
        self.verbose = verbose
        self.conditional = True
        self._lock = threading.Lock()
        self._delays = {}     # path -> seconds; "*" applies to every path
        self._statuses = {}   # path -> status
        self._aliases = {}    # path -> file
        self._paths = {}      # path -> {status: n}
        self._targets = {}    # path?query -> {status: n}
        self._log = []        # (time, method, target, status)
        self._arrivals = {}   # path -> requests received (counted before any delay)
        self._validators = {}  # path -> False | "etag" | "last-modified" (default: both)
        self._flaky = {}      # path -> [status, retry_after, as_date, times left (None: always)]
        self._redirects = {}  # path -> Location
        self._endless = {}    # path -> bound in bytes
        self._content_types = {}  # path -> Content-Type sent instead of the extension's
        self._headers = {}    # path -> [{header-name-lower: value}] per request
        self._streams = {}    # path -> [{"sent": n, "hung_up": bool}]
        self._in_flight = {}  # prefix ("/" overall) -> requests being handled now
        self._max_in_flight = {}  # prefix -> the most at once
        self._open = set()    # serial numbers of the requests being handled
        self._serial = 0
        self._spans = []      # (start, end, path), time.monotonic()
        self._received = {}   # path -> [{"method", "headers", "body"}] (control paths left out)
        self._auth = {}       # path -> (user, password, "basic" | "digest")
        self._auth_log = {}   # path -> [{"scheme", "ok", "sent": bool}]
        self.nonce = hashlib.sha256(os.urandom(16)).hexdigest()[:32]
        self._httpd = None
        self._thread = None

    # ---- lifecycle -----------------------------------------------------------
    def start(self):
        """Bind 127.0.0.1, serve in a daemon thread, return the port."""
        self._httpd = _Server(("127.0.0.1", self.port), _Handler)
        self._httpd.fixture = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self.port

    def serve_forever(self):
        """Bind and serve in the calling thread (the command-line use)."""
        self._httpd = _Server(("127.0.0.1", self.port), _Handler)
        self._httpd.fixture = self
        self.port = self._httpd.server_address[1]
        return self._httpd

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

    def url(self, path="/"):
        if not path.startswith("/"):
            path = "/" + path
        return "http://127.0.0.1:%d%s" % (self.port, path)

    # ---- controls ------------------------------------------------------------
    @staticmethod
    def _norm(path):
        return path if path.startswith("/") or path == "*" else "/" + path

    def set_delay(self, path, seconds):
        """Sleep `seconds` before answering `path` ("*": every path); 0 clears."""
        with self._lock:
            if seconds and seconds > 0:
                self._delays[self._norm(path)] = float(seconds)
            else:
                self._delays.pop(self._norm(path), None)

    def set_status(self, path, status):
        """Answer `path` with `status` instead of the file; None clears."""
        with self._lock:
            if status is None:
                self._statuses.pop(self._norm(path), None)
            else:
                self._statuses[self._norm(path)] = int(status)

    def alias(self, path, file):
        """Serve `file` (relative to the folder, or absolute) for `path`; None clears."""
        with self._lock:
            if file is None:
                self._aliases.pop(self._norm(path), None)
            else:
                self._aliases[self._norm(path)] = file

    def set_validators(self, path, on):
        """Which validators `path` is answered with: True both (the default),
        False none (and never 304), "etag" or "last-modified" only that one
        (and only the matching conditional header can give a 304)."""
        if on not in (True, False, "etag", "last-modified"):
            raise ValueError("validators: True, False, 'etag' or 'last-modified'")
        with self._lock:
            self._validators[self._norm(path)] = on
            if on is True:
                del self._validators[self._norm(path)]

    def set_flaky(self, path, status=503, retry_after=None, times=None, as_date=False):
        """Answer `path` with `status` (and `Retry-After: retry_after` if not
        None) for the next `times` requests (None: every one), then normally.
        as_date: send Retry-After as an HTTP date retry_after seconds ahead.
        status None clears."""
        with self._lock:
            if status is None:
                self._flaky.pop(self._norm(path), None)
            else:
                self._flaky[self._norm(path)] = [int(status), retry_after, bool(as_date),
                                                 None if times is None else int(times)]

    def set_redirect(self, path, location):
        """Answer `path` with 302 to `location` (the path itself: a loop); None clears."""
        with self._lock:
            if location is None:
                self._redirects.pop(self._norm(path), None)
            else:
                self._redirects[self._norm(path)] = location

    def set_endless(self, path, limit=50_000_000):
        """Stream an endless body for `path`, bounded at `limit` bytes; None or 0 clears."""
        with self._lock:
            if not limit:
                self._endless.pop(self._norm(path), None)
            else:
                self._endless[self._norm(path)] = int(limit)

    def set_content_type(self, path, content_type):
        """Send `content_type` as the Content-Type of `path`; None clears."""
        with self._lock:
            if content_type is None:
                self._content_types.pop(self._norm(path), None)
            else:
                self._content_types[self._norm(path)] = content_type

    def content_type_for(self, path):
        with self._lock:
            return self._content_types.get(path)

    def take_flaky(self, path):
        """(status, Retry-After value or None) if this request is to fail, else None."""
        with self._lock:
            f = self._flaky.get(path)
            if f is None:
                return None
            status, retry_after, as_date, left = f
            if left is not None:
                if left <= 0:
                    del self._flaky[path]
                    return None
                f[3] = left - 1
        if retry_after is None:
            return status, None
        if as_date:
            return status, email.utils.formatdate(time.time() + float(retry_after), usegmt=True)
        return status, str(retry_after)

    def redirect_of(self, path):
        with self._lock:
            return self._redirects.get(path)

    def endless_of(self, path):
        with self._lock:
            return self._endless.get(path)

    def validators_for(self, path):
        """(send ETag, send Last-Modified) for `path`."""
        with self._lock:
            v = self._validators.get(path, True)
        return v in (True, "etag"), v in (True, "last-modified")

    def set_conditional(self, on):
        """False: ignore If-None-Match / If-Modified-Since (always 200)."""
        with self._lock:
            self.conditional = bool(on)

    def clear_controls(self):
        with self._lock:
            self._delays.clear()
            self._statuses.clear()
            self._aliases.clear()
            self._validators.clear()
            self._flaky.clear()
            self._redirects.clear()
            self._endless.clear()
            self._content_types.clear()
            self.conditional = True

    def controls(self):
        with self._lock:
            return {"delays": dict(self._delays), "statuses": dict(self._statuses),
                    "aliases": dict(self._aliases), "conditional": self.conditional,
                    "validators": dict(self._validators),
                    "flaky": {p: {"status": f[0], "retry_after": f[1], "as_date": f[2],
                                  "times": f[3]} for p, f in self._flaky.items()},
                    "redirects": dict(self._redirects), "endless": dict(self._endless)}

    def controls_for(self, path):
        with self._lock:
            delay = self._delays.get(path, self._delays.get("*", 0.0))
            return delay, self._statuses.get(path), self._aliases.get(path)

    def apply_control(self, query):
        def one(name):
            return query[name][0] if name in query else None

        if one("reset") not in (None, "", "0"):
            self.clear_controls()
        if one("conditional") is not None:
            self.set_conditional(one("conditional") not in ("0", "false", "no", "off"))
        path = one("path")
        touches_path = any(one(k) is not None for k in (
            "delay", "status", "alias", "clear", "validators", "flaky", "redirect", "endless"))
        if touches_path and not path:
            raise ValueError("path= is required")
        if path and one("clear") not in (None, "", "0"):
            self.set_delay(path, 0)
            self.set_status(path, None)
            self.alias(path, None)
            self.set_validators(path, True)
            self.set_flaky(path, None)
            self.set_redirect(path, None)
            self.set_endless(path, None)
        if one("validators") is not None:
            v = one("validators")
            self.set_validators(path, v if v in ("etag", "last-modified") else
                                v not in ("0", "false", "no", "off"))
        if one("flaky") is not None:
            st = one("flaky")
            times = one("times")
            self.set_flaky(path, None if st in ("", "0", "none") else int(st),
                           retry_after=one("retry_after"),
                           times=None if times in (None, "") else int(times),
                           as_date=one("retry_date") not in (None, "", "0"))
        if one("redirect") is not None:
            self.set_redirect(path, one("redirect") or None)
        if one("endless") is not None:
            e = one("endless")
            self.set_endless(path, None if e in ("", "0") else
                             (50_000_000 if e == "1" else int(e)))
        if one("delay") is not None:
            self.set_delay(path, float(one("delay")))
        if one("status") is not None:
            s = one("status")
            self.set_status(path, None if s in ("", "0", "none") else int(s))
        if one("alias") is not None:
            a = one("alias")
            self.alias(path, a if a else None)

    def resolve(self, path, is_alias=False):
        """The file for a URL path (kept inside the folder) or for an alias
        (relative to the folder, or an absolute file name the test chose)."""
        if is_alias and os.path.isabs(path):
            return path
        return self._inside(path)

    def _inside(self, path):
        rel = posixpath.normpath("/" + path.lstrip("/")).lstrip("/")
        if rel.startswith("..") or rel == ".":
            return None
        full = os.path.join(self.directory, rel)
        if os.path.isdir(full):
            full = os.path.join(full, "index.html")
        return full

    # ---- counts ----------------------------------------------------------------
    def count(self, path, target, status, method="GET"):
        with self._lock:
            key = str(status)
            p = self._paths.setdefault(path, {})
            p[key] = p.get(key, 0) + 1
            t = self._targets.setdefault(target, {})
            t[key] = t.get(key, 0) + 1
            self._log.append((time.time(), method, target, status))

    @staticmethod
    def _prefixes(path):
        """"/" and every folder above `path`: "/a/b/c.html" -> "/", "/a/", "/a/b/"."""
        out = ["/"]
        parts = path.strip("/").split("/")[:-1]
        for i in range(len(parts)):
            out.append("/" + "/".join(parts[:i + 1]) + "/")
        return out

    def arrive(self, path, headers=None):
        """A request arrived: count it, keep its headers, start its span.
        Returns a token for depart()."""
        with self._lock:
            self._arrivals[path] = self._arrivals.get(path, 0) + 1
            if headers is not None:
                self._headers.setdefault(path, []).append(
                    {k.lower(): v for k, v in headers.items()})
            self._serial += 1
            token = (time.monotonic(), self._serial)
            self._open.add(token[1])
            for p in self._prefixes(path):
                n = self._in_flight.get(p, 0) + 1
                self._in_flight[p] = n
                if n > self._max_in_flight.get(p, 0):
                    self._max_in_flight[p] = n
            return token

    def depart(self, path, token):
        """The request is answered (called just before the answer is written,
        so that the server never counts more requests at once than the client
        has in flight); a second call for the same request does nothing."""
        if token is None:
            return
        with self._lock:
            if token[1] not in self._open:
                return
            self._open.discard(token[1])
            for p in self._prefixes(path):
                self._in_flight[p] = max(0, self._in_flight.get(p, 0) - 1)
            self._spans.append((token[0], time.monotonic(), path))

    def receive(self, path, method, headers, body):
        """Keep what a request brought: its method, headers and body."""
        with self._lock:
            self._received.setdefault(path, []).append(
                {"method": method, "headers": {k.lower(): v for k, v in headers.items()},
                 "body": body or b""})

    def received(self, path):
        """Each request for `path`: {"method", "headers" (lower-case names), "body"
        (bytes)}, answered or refused alike."""
        with self._lock:
            return [dict(r) for r in self._received.get(self._norm(path), [])]

    def set_auth(self, path, user, password, scheme="basic"):
        """Ask for credentials on `path` (None for user: ask no more)."""
        with self._lock:
            if user is None:
                self._auth.pop(self._norm(path), None)
            else:
                self._auth[self._norm(path)] = (user, password, scheme)

    def auth_for(self, path):
        with self._lock:
            return self._auth.get(path)

    def note_auth(self, path, scheme, ok, sent):
        with self._lock:
            self._auth_log.setdefault(path, []).append(
                {"scheme": scheme, "ok": ok, "sent": bool(sent)})

    def auth_log(self, path):
        """Each checked request for `path`: {"scheme", "ok", "sent" (it had
        an Authorization header)}."""
        with self._lock:
            return [dict(x) for x in self._auth_log.get(self._norm(path), [])]

    def stream_done(self, path, sent, hung_up):
        with self._lock:
            self._streams.setdefault(path, []).append({"sent": sent, "hung_up": hung_up})

    def streams(self, path):
        """Each endless stream answered for `path`: {"sent": bytes, "hung_up": bool}."""
        with self._lock:
            return [dict(x) for x in self._streams.get(self._norm(path), [])]

    def request_headers(self, path):
        """The headers of each request for `path`, in order, names in lower case."""
        with self._lock:
            return [dict(h) for h in self._headers.get(self._norm(path), [])]

    def in_flight(self, prefix="/"):
        """Requests being handled now, overall ("/") or under a folder prefix."""
        with self._lock:
            return self._in_flight.get(self._prefix_norm(prefix), 0)

    def max_in_flight(self, prefix="/"):
        """The most requests handled at the same moment, overall ("/") or under
        a folder prefix ("/a/"), since the start or the last reset_stats()."""
        with self._lock:
            return self._max_in_flight.get(self._prefix_norm(prefix), 0)

    @staticmethod
    def _prefix_norm(prefix):
        prefix = "/" + (prefix or "").strip("/")
        return prefix if prefix == "/" else prefix + "/"

    def spans(self):
        """(start, end, path) of every answered request, time.monotonic()."""
        with self._lock:
            return list(self._spans)

    def arrived(self, path):
        """Requests received for `path`, answered or not (counted before the delay)."""
        with self._lock:
            return self._arrivals.get(self._norm(path), 0)

    def stats(self):
        with self._lock:
            total = sum(sum(v.values()) for v in self._paths.values())
            return {"total": total,
                    "arrivals": dict(self._arrivals),
                    "paths": {k: dict(v) for k, v in self._paths.items()},
                    "targets": {k: dict(v) for k, v in self._targets.items()},
                    "concurrency": {
                        "now": self._in_flight.get("/", 0),
                        "max": self._max_in_flight.get("/", 0),
                        "prefixes": {p: {"now": self._in_flight.get(p, 0), "max": m}
                                     for p, m in self._max_in_flight.items()}},
                    "streams": {k: [dict(x) for x in v] for k, v in self._streams.items()}}

    def reset_stats(self):
        with self._lock:
            self._paths.clear()
            self._targets.clear()
            self._log.clear()
            self._arrivals.clear()
            self._headers.clear()
            self._received.clear()
            self._auth_log.clear()
            self._streams.clear()
            self._spans.clear()
            # requests being handled now stay counted; the maxima start again
            self._max_in_flight = {p: n for p, n in self._in_flight.items() if n}

    def requests(self):
        """Every counted request so far: (time, method, target, status)."""
        with self._lock:
            return list(self._log)

    def hits(self, path, status=None):
        """How many requests `path` got (with this status, if given)."""
        with self._lock:
            counts = self._paths.get(self._norm(path), {})
            if status is None:
                return sum(counts.values())
            return counts.get(str(status), 0)


def max_overlap(spans):
    """The most spans (start, end, …) open at the same moment; a span that
    ends when another starts does not overlap it. Combine the spans() of
    several servers to measure a client's concurrency over all of them."""
    points = []
    for sp in spans:
        points.append((sp[0], 1))
        points.append((sp[1], -1))
    points.sort(key=lambda p: (p[0], p[1]))   # at a tie, ends first
    best = cur = 0
    for _, d in points:
        cur += d
        best = max(best, cur)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description="Serve a folder of fixtures on 127.0.0.1.")
    ap.add_argument("directory")
    ap.add_argument("--port", type=int, default=0, help="0 (the default) picks a free port")
    ap.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.directory):
        sys.stderr.write("fixture_server: %s is not a folder\n" % args.directory)
        return 2

    fx = FixtureServer(args.directory, port=args.port, verbose=args.verbose)
    httpd = fx.serve_forever()

    def stop(signum, frame):
        # shutdown() waits for serve_forever, so ask from another thread.
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("serving %s on http://127.0.0.1:%d/" % (args.directory, fx.port), flush=True)
    try:
        httpd.serve_forever(poll_interval=0.1)
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
