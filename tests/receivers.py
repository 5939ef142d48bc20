"""receivers.py — the other end of vane's channels, for end-to-end tests.

Two receivers that listen on 127.0.0.1 on a free port, record everything
they are sent, and can be told to misbehave:

    from receivers import WebhookReceiver, SmtpReceiver, verify_signature

    hook = WebhookReceiver()            # HTTP; modes: accept, fail, hang
    hook.start()                        # -> port
    url = hook.url("/hook")             # http://127.0.0.1:PORT/hook
    hook.set_mode("fail", status=500)   # answer 500 (body "receiver refuses")
    hook.set_mode("hang")               # hold every request until release()
    hook.release()                      # let hung requests go (answering 200)
    hook.set_mode("accept")             # answer 200 "ok" (the default)
    hook.set_answer(500, times=1)       # the next request only: 500, then the mode again
    hook.set_answer(200, {"ok": True})  # every request: 200 with that JSON (until
                                        # set_answer(None)); text or bytes go as text/plain
    hook.requests()                     # [Request(method, path, headers, body, status)]
    hook.accepted()                     # those it answered 2xx
    hook.bodies(), hook.json_bodies()   # bytes / parsed JSON of each request
    hook.wait_for(2, timeout=10)        # until 2 requests arrived (True/False)
    hook.clear(); hook.stop()

    smtp = SmtpReceiver()               # aiosmtpd (Debian's python3-aiosmtpd)
    smtp.start()                        # -> port; smtp.url() = smtp://127.0.0.1:PORT
    smtp.set_mode("reject", code=451)   # refuse at DATA with 451 (or 550, …)
    smtp.set_mode("reject", code=550, stage="rcpt")   # refuse the recipients
    smtp.set_mode("accept")
    smtp.messages()                     # [Mail(mail_from, rcpt_tos, raw, message, login, code)]
    smtp.accepted()                     # those it answered 250 (message: email.message.EmailMessage)
    smtp.wait_for(1); smtp.clear(); smtp.stop()
    SmtpReceiver(credentials=("user", "secret"))   # requires AUTH (over plain text)

Every request or message is recorded as it arrives, also when the receiver
then refuses it or hangs; `status` / `code` say what it answered. The
accessors are thread-safe and return copies. Both classes are context
managers (start on enter, stop on exit).

verify_signature(secret, body, header) checks an X-Vane-Signature header
("sha256=HEX") the way a receiver should: HMAC-SHA256 of the exact body
bytes, compared in constant time.
"""

import email
import email.policy
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
import warnings
from collections import namedtuple
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Request = namedtuple("Request", "method path headers body status")
Mail = namedtuple("Mail", "mail_from rcpt_tos raw message login code")


def verify_signature(secret, body, header):
    """True when header is "sha256=" + the hex HMAC-SHA256 of body under secret."""
    if not header or not header.startswith("sha256="):
        return False
    key = secret.encode() if isinstance(secret, str) else secret
    want = hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, header[len("sha256="):])


def free_port():
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(cond, lock, pred, timeout):
    end = time.monotonic() + timeout
    with lock:
        while not pred():
            left = end - time.monotonic()
            if left <= 0:
                return False
            cond.wait(left)
        return True


# ---- webhooks ------------------------------------------------------------------

class WebhookReceiver:
    """An HTTP server that records each request and answers by its mode."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._requests = []
        self._mode = "accept"
        self._status = 500
        self._answer = None    # (status, body bytes, content type, times left or None)
        self._released = threading.Event()
        self._server = None
        self._thread = None
        self.port = None

    # ---- control ----
    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                receiver._handle(self)

            do_PUT = do_POST
            do_GET = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.port

    def stop(self):
        self._released.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def url(self, path="/hook"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def set_mode(self, mode, status=500):
        """accept (200), fail (answer `status`), hang (hold until release())."""
        if mode not in ("accept", "fail", "hang"):
            raise ValueError("unknown mode %r" % mode)
        with self._lock:
            self._mode = mode
            self._status = status
            if mode == "hang":
                self._released.clear()
            else:
                self._released.set()

    def set_answer(self, status, body=None, times=None):
        """Answer with status and body (a dict or list as JSON, str or bytes as
        text; None: "ok" or "receiver refuses this request"), for the next
        `times` requests or (None) until set_answer(None); hang still holds."""
        if status is None:
            with self._lock:
                self._answer = None
            return
        if body is None:
            body = "ok" if 200 <= status < 300 else "receiver refuses this request"
        if isinstance(body, (dict, list)):
            data, ctype = json.dumps(body).encode("utf-8"), "application/json"
        else:
            data = body if isinstance(body, bytes) else body.encode("utf-8")
            ctype = "text/plain"
        with self._lock:
            self._answer = (status, data, ctype, times)

    def release(self):
        """Let every hung request go; they are answered 200."""
        self._released.set()

    # ---- what arrived ----
    def requests(self):
        with self._lock:
            return list(self._requests)

    def count(self):
        with self._lock:
            return len(self._requests)

    def accepted(self):
        return [r for r in self.requests() if r.status is not None and 200 <= r.status < 300]

    def bodies(self):
        return [r.body for r in self.requests()]

    def json_bodies(self):
        return [json.loads(r.body.decode("utf-8")) for r in self.requests()]

    def wait_for(self, n, timeout=10.0):
        """Wait until at least n requests arrived; True if they did."""
        return _wait(self._cond, self._lock, lambda: len(self._requests) >= n, timeout)

    def clear(self):
        with self._lock:
            self._requests = []

    # ---- serving ----
    def _handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        ctype = "text/plain"
        with self._lock:
            mode, status, scripted = self._mode, self._status, self._answer
            if scripted and scripted[3] is not None:
                left = scripted[3] - 1
                self._answer = scripted[:3] + (left,) if left > 0 else None
        if scripted:
            answer, text, ctype = scripted[0], scripted[1], scripted[2]
        elif mode == "fail":
            answer, text = status, b"receiver refuses this request"
        else:
            answer, text = 200, b"ok"
        with self._cond:
            self._requests.append(Request(h.command, h.path, h.headers, body,
                                          None if mode == "hang" else answer))
            index = len(self._requests) - 1
            self._cond.notify_all()
        if mode == "hang":
            self._released.wait()
            with self._lock:
                if index < len(self._requests):
                    self._requests[index] = self._requests[index]._replace(status=200)
        try:
            h.send_response(answer)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(text)))
            h.end_headers()
            h.wfile.write(text)
        except OSError:
            pass   # the client gave up (a timeout while we hung)


# ---- SMTP ----------------------------------------------------------------------------

class _SmtpHandler:
    def __init__(self, receiver):
        self.r = receiver

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mode, code, stage = self.r._state()
        if mode == "reject" and stage == "rcpt":
            return "%d %s" % (code, "recipient refused by the test receiver")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mode, code, stage = self.r._state()
        refused = mode == "reject" and stage == "data"
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        login = session.auth_data if session.authenticated else None
        self.r._record(Mail(envelope.mail_from, list(envelope.rcpt_tos), data,
                            email.message_from_bytes(data, policy=email.policy.default),
                            login, code if refused else 250))
        if refused:
            return "%d %s" % (code, "message refused by the test receiver")
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """An SMTP server (aiosmtpd) that stores every message it is sent."""

    def __init__(self, credentials=None):
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._messages = []
        self._mode, self._code, self._stage = "accept", 451, "data"
        self._credentials = credentials
        self._controller = None
        self.port = None

    def start(self):
        from aiosmtpd.controller import Controller   # Debian: python3-aiosmtpd
        kw = {}
        if self._credentials:
            user, password = self._credentials

            def authenticator(server, session, envelope, mechanism, auth_data):
                from aiosmtpd.smtp import AuthResult
                ok = (getattr(auth_data, "login", None) == user.encode()
                      and getattr(auth_data, "password", None) == password.encode())
                return AuthResult(success=ok, auth_data=user if ok else None)

            kw = {"authenticator": authenticator, "auth_required": True,
                  "auth_require_tls": False}
        self.port = free_port()
        # aiosmtpd warns (rightly) about AUTH without TLS, which is the point
        # here; the warning is raised in the server's thread, per connection
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
        self._controller = Controller(_SmtpHandler(self), hostname="127.0.0.1",
                                      port=self.port, **kw)
        self._controller.start()
        return self.port

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def set_mode(self, mode, code=451, stage="data"):
        """accept, or reject with `code` at "data" (after the message) or "rcpt"."""
        if mode not in ("accept", "reject") or stage not in ("data", "rcpt"):
            raise ValueError("unknown mode %r / stage %r" % (mode, stage))
        with self._lock:
            self._mode, self._code, self._stage = mode, code, stage

    def messages(self):
        with self._lock:
            return list(self._messages)

    def count(self):
        with self._lock:
            return len(self._messages)

    def accepted(self):
        return [m for m in self.messages() if m.code == 250]

    def wait_for(self, n, timeout=10.0):
        return _wait(self._cond, self._lock, lambda: len(self._messages) >= n, timeout)

    def clear(self):
        with self._lock:
            self._messages = []

    def _state(self):
        with self._lock:
            return self._mode, self._code, self._stage

    def _record(self, mail):
        with self._cond:
            self._messages.append(mail)
            self._cond.notify_all()
