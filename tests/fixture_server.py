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

Counts are kept per path and status, and every request is logged.

Used two ways:
  from Python:  srv = FixtureServer(folder); port = srv.start(); ...; srv.stop()
  from a shell: python3 tests/fixture_server.py DIR [--port 0] [--verbose]
                prints "serving DIR on http://127.0.0.1:PORT/" then serves
                until SIGTERM or SIGINT.

HTTP control endpoints (not counted):
  GET /__stats             {"total": N, "paths": {path: {status: n}},
                            "arrivals": {path: n (received, before any delay)},
                            "targets": {path?query: {status: n}}}
  GET /__stats?reset=1     the same, then zero every count
  GET /__control?path=P&delay=S | &status=N | &alias=FILE | &clear=1
  GET /__control?conditional=0|1   (no path needed)
  GET /__control?reset=1   drop every control (delays, statuses, aliases)
Python's standard library only.
"""

import argparse
import email.utils
import hashlib
import json
import os
import posixpath
import signal
import sys
import threading
import time
import urllib.parse
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

    # ---- logging -----------------------------------------------------------
    def log_message(self, fmt, *args):
        if self.server.fixture.verbose:
            sys.stderr.write("fixture %s - %s\n" % (self.address_string(), fmt % args))

    # ---- dispatch ------------------------------------------------------------
    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

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

    def _serve(self, head):
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

        fx.arrive(path)
        delay, forced, alias = fx.controls_for(path)
        if delay > 0:
            time.sleep(delay)

        if forced is not None:
            status = forced
            self._send_plain(status, "forced status %d\n" % status, head)
            fx.count(path, self.path, status, self.command)
            return

        file_path = (fx.resolve(alias, is_alias=True) if alias is not None
                     else fx.resolve(path))
        if file_path is None or not os.path.isfile(file_path):
            self._send_plain(404, "not found\n", head)
            fx.count(path, self.path, 404, self.command)
            return

        with open(file_path, "rb") as f:
            body = f.read()
        mtime = int(os.stat(file_path).st_mtime)
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        last_modified = email.utils.formatdate(mtime, usegmt=True)

        not_modified = False
        if fx.conditional:
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if inm is not None:
                not_modified = _etag_matches(inm, etag)
            elif ims is not None:
                try:
                    since = email.utils.parsedate_to_datetime(ims).timestamp()
                    not_modified = mtime <= int(since)
                except (TypeError, ValueError, IndexError, OverflowError):
                    not_modified = False

        if not_modified:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            fx.count(path, self.path, 304, self.command)
            return

        self.send_response(200)
        self.send_header("Content-Type", content_type_of(file_path))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", last_modified)
        self.send_header("ETag", etag)
        self.end_headers()
        if not head:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        fx.count(path, self.path, 200, self.command)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

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

    def set_conditional(self, on):
        """False: ignore If-None-Match / If-Modified-Since (always 200)."""
        with self._lock:
            self.conditional = bool(on)

    def clear_controls(self):
        with self._lock:
            self._delays.clear()
            self._statuses.clear()
            self._aliases.clear()
            self.conditional = True

    def controls(self):
        with self._lock:
            return {"delays": dict(self._delays), "statuses": dict(self._statuses),
                    "aliases": dict(self._aliases), "conditional": self.conditional}

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
        touches_path = any(one(k) is not None for k in ("delay", "status", "alias", "clear"))
        if touches_path and not path:
            raise ValueError("path= is required")
        if path and one("clear") not in (None, "", "0"):
            self.set_delay(path, 0)
            self.set_status(path, None)
            self.alias(path, None)
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

    def arrive(self, path):
        with self._lock:
            self._arrivals[path] = self._arrivals.get(path, 0) + 1

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
                    "targets": {k: dict(v) for k, v in self._targets.items()}}

    def reset_stats(self):
        with self._lock:
            self._paths.clear()
            self._targets.clear()
            self._log.clear()
            self._arrivals.clear()

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
