#!/usr/bin/env python3
"""serve.py — the benchmark's static page server, on 127.0.0.1 only.

usage: serve.py DIR [PORT]      (PORT 0 or absent: any free port)

A threaded http.server (a thread per connection, HTTP/1.1 keep-alive,
TCP_NODELAY) serving the files of DIR like a static web server: it sends
Last-Modified from the file's mtime and answers If-Modified-Since with 304
when the file is not newer. It prints "port=PORT pid=PID" once listening.
GET /__stats returns {"200": n, "304": n, ...} counted since the last
GET /__stats?reset=1. SIGTERM or SIGINT stops it.
"""
import functools
import http.server
import json
import os
import signal
import sys
import threading

COUNTS = {}
COUNTS_LOCK = threading.Lock()


class PageHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate send()s: without TCP_NODELAY a
    # keep-alive client waits for the delayed ACK (~40 ms) on every page
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def send_response(self, code, message=None):
        with COUNTS_LOCK:
            COUNTS[str(code)] = COUNTS.get(str(code), 0) + 1
        super().send_response(code, message)

    def do_GET(self):
        if not self.path.startswith("/__stats"):
            return super().do_GET()
        with COUNTS_LOCK:
            body = (json.dumps(COUNTS, sort_keys=True) + "\n").encode()
            if "reset=1" in self.path:
                COUNTS.clear()
        http.server.BaseHTTPRequestHandler.send_response(self, 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main(argv):
    if not argv or len(argv) > 2 or not os.path.isdir(argv[0]):
        sys.exit("usage: serve.py DIR [PORT]")
    port = int(argv[1]) if len(argv) > 1 else 0
    handler = functools.partial(PageHandler, directory=os.path.abspath(argv[0]))
    http.server.ThreadingHTTPServer.request_queue_size = 512
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"port={server.server_address[1]} pid={os.getpid()}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
