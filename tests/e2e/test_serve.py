"""test_serve.py — `vane serve`, the web view's server, driven as a person
and a script would: the real binary on 127.0.0.1 over a demo database
(a monitor's first step), with raw HTTP (http.client, sockets).

Only the server's own routes exist on this branch (/, /static/…, /login,
/logout, the error pages): the pages of the view are tested with them.
"""

import crypt
import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse

from vanetest import LuaExpr, VaneCase, kill_process, lua_value, on_postgresql, wait_for

CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
TOKEN = "tok-0123456789abcdef-secret"
PASSWORD = "correct horse battery"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def bcrypt(password):
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 8))


class Server:
    """`vane serve` on a free port of 127.0.0.1, stopped at clean-up."""

    def __init__(self, case, monitor, env=None, extra=()):
        self.case = case
        self.port = free_port()
        e = dict(os.environ)
        e.update(env or {})
        argv = monitor.argv("serve", "--listen", "127.0.0.1:%d" % self.port, *extra)
        self.p = subprocess.Popen(argv, cwd=monitor.dir, env=e, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        case.addCleanup(kill_process, self.p)
        if not wait_for(self.answers, timeout=10):
            kill_process(self.p)
            case.fail("vane serve did not answer on port %d: %s" % (self.port, self.p.stderr.read()))

    def answers(self):
        if self.p.poll() is not None:
            return True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = dict(headers or {})
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        r.text = r.read().decode("utf-8")
        c.close()
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        try:
            out, err = self.p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            kill_process(self.p)
            self.case.fail("vane serve did not stop on %s" % sig)
        return self.p.returncode, err


class ServeCase(VaneCase):
    def demo(self, serve=None):
        """A monitor with the demo database (step 1) and serve { … } in vane.lua."""
        m = self.monitor(env={"VANE_SERVE_TOKEN": TOKEN})
        m.step(1)
        if serve is not None:
            with open(m.config, "a", encoding="utf-8") as f:
                f.write("serve " + lua_value(serve) + "\n")
        return m

    def assertSafeHeaders(self, r, cache="no-store"):
        what = "%s %s" % (r.status, r.getheader("Content-Type"))
        self.assertEqual(r.getheader("Content-Security-Policy"), CSP, what)
        self.assertEqual(r.getheader("X-Content-Type-Options"), "nosniff", what)
        self.assertEqual(r.getheader("Referrer-Policy"), "same-origin", what)
        self.assertEqual(r.getheader("X-Frame-Options"), "DENY", what)
        if cache == "no-store":
            self.assertEqual(r.getheader("Cache-Control"), "no-store", what)
        else:
            self.assertRegex(r.getheader("Cache-Control"), r"max-age=\d+", what)


class TestServeRequests(ServeCase):
    def test_serve_every_answer_carries_the_headers(self):
        s = Server(self, self.demo())
        r = s.get("/static/vane.css")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Type"), "text/css; charset=utf-8")
        self.assertIn("body{", r.text)
        self.assertSafeHeaders(r, cache="max-age")
        r = s.get("/static/vane.js")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.getheader("Content-Type").startswith("text/javascript"))
        self.assertSafeHeaders(r, cache="max-age")
        r = s.get("/")
        self.assertEqual((r.status, r.getheader("Location")), (303, "/flags"))
        self.assertSafeHeaders(r)
        for path, status in [("/login", 200), ("/nowhere", 404), ("/a/../static/vane.css", 400),
                             ("/x%00", 400), ("/x%zz", 400), ("/x%ff", 400)]:
            r = s.get(path)
            self.assertEqual(r.status, status, path)
            self.assertSafeHeaders(r)
            self.assertTrue(r.getheader("Content-Type").startswith("text/html"), path)
        r = s.request("POST", "/static/vane.css", body={"csrf": "x"})
        self.assertEqual(r.status, 405)
        self.assertSafeHeaders(r)
        r = s.request("PUT", "/login", body="x")
        self.assertEqual(r.status, 405)
        self.assertSafeHeaders(r)

    def test_serve_head_answers_like_get_without_a_body(self):
        s = Server(self, self.demo())
        g = s.get("/static/vane.css")
        h = s.request("HEAD", "/static/vane.css")
        self.assertEqual(h.status, 200)
        self.assertEqual(h.text, "")
        self.assertEqual(h.getheader("Content-Length"), g.getheader("Content-Length"))
        self.assertSafeHeaders(h, cache="max-age")
        self.assertEqual(s.request("HEAD", "/nowhere").status, 404)

    def test_serve_limits_url_body_and_fields(self):
        s = Server(self, self.demo())
        r = s.get("/login?x=" + "a" * 9000)
        self.assertEqual(r.status, 414)
        self.assertSafeHeaders(r)
        self.assertEqual(s.get("/login?x=" + "a" * 7000).status, 200)
        r = s.request("POST", "/login", body="user=" + "a" * 70000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 413)
        self.assertSafeHeaders(r)
        many = "&".join("f%d=1" % i for i in range(101))
        r = s.get("/login?" + many)
        self.assertEqual(r.status, 400)
        self.assertSafeHeaders(r)
        self.assertEqual(s.get("/login?" + "&".join("f%d=1" % i for i in range(100))).status, 200)
        r = s.request("POST", "/login", body=many,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 400)

    def test_serve_a_slow_client_does_not_stall_others(self):
        s = Server(self, self.demo())
        slow = socket.create_connection(("127.0.0.1", s.port))
        self.addCleanup(slow.close)
        stop = threading.Event()

        def drip():
            for ch in "GET /static/vane.css HTTP/1.1\r\nHost: x\r\n":
                if stop.is_set():
                    return
                try:
                    slow.send(ch.encode())
                except OSError:
                    return
                time.sleep(1)

        t = threading.Thread(target=drip, daemon=True)
        t.start()
        time.sleep(1.5)
        times = []
        for _ in range(3):
            start = time.monotonic()
            r = s.get("/static/vane.css")
            times.append(time.monotonic() - start)
            self.assertEqual(r.status, 200)
        stop.set()
        self.assertLess(max(times), 1.0, times)

    def test_serve_closes_a_silent_connection_and_limits_one_address(self):
        s = Server(self, self.demo())
        silent = socket.create_connection(("127.0.0.1", s.port))
        self.addCleanup(silent.close)
        silent.sendall(b"GET /login HTTP/1.1\r\n")   # and nothing more
        # one address may hold 16 connections; the 17th is closed at once
        held = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(15)]
        extra = socket.create_connection(("127.0.0.1", s.port))
        extra.settimeout(5)
        try:
            got = extra.recv(100)
        except ConnectionResetError:
            got = b""
        self.assertEqual(got, b"")
        extra.close()
        for h in held:
            h.close()
        # the server sees the 16 closes on its own time: until then a new
        # connection may still be the one too many, and is closed at once
        def answers():
            try:
                return s.get("/login").status == 200
            except (ConnectionError, http.client.HTTPException):
                return False
        self.assertTrue(wait_for(answers, timeout=5))
        # the silent one is closed after 15 s
        start = time.monotonic()
        silent.settimeout(30)
        try:
            got = silent.recv(100)
        except ConnectionResetError:
            got = b""
        waited = time.monotonic() - start
        self.assertEqual(got, b"")
        self.assertLess(waited, 25)
        self.assertGreater(waited, 5)   # not at once: the timeout, not the limit

    def test_serve_stops_on_sigterm_and_sigint_with_exit_0(self):
        m = self.demo()
        for sig in (signal.SIGTERM, signal.SIGINT):
            s = Server(self, m)
            self.assertEqual(s.get("/login").status, 200)
            code, err = s.stop(sig)
            self.assertEqual(code, 0, err)
            self.assertIn("vane: serving http://127.0.0.1:%d/ (database " % s.port, err)

    def test_serve_keeps_answering_while_a_run_writes(self):
        m = self.demo()
        s = Server(self, m)
        failures, answered = [], [0]
        done = threading.Event()

        def ask():
            while not done.is_set():
                try:
                    r = s.get("/static/vane.css")
                    if r.status != 200:
                        failures.append(r.status)
                    answered[0] += 1
                except OSError as e:
                    failures.append(str(e))

        t = threading.Thread(target=ask, daemon=True)
        t.start()
        for n in (2, 3, 4):
            m.step(n)
        done.set()
        t.join(10)
        self.assertEqual(failures, [])
        self.assertGreater(answered[0], 10)
        self.assertIsNone(s.p.poll())
        self.assertEqual(s.get("/login").status, 200)


    def test_serve_only_serve_loads_libmicrohttpd(self):
        m = self.demo()

        def loaded(*argv_env):
            out = os.path.join(m.dir, "ld-debug")
            for f in os.listdir(m.dir):
                if f.startswith("ld-debug"):
                    os.unlink(os.path.join(m.dir, f))
            env = {"LD_DEBUG": "libs", "LD_DEBUG_OUTPUT": out}
            if argv_env:
                s = Server(self, m, env=env)
                self.assertEqual(s.get("/login").status, 200)
                self.assertEqual(s.stop()[0], 0)
            else:
                self.assertExit(m.vane("flags", env=env), 0)
            text = ""
            for f in os.listdir(m.dir):
                if f.startswith("ld-debug"):
                    with open(os.path.join(m.dir, f), errors="replace") as fh:
                        text += fh.read()
            return text

        other = loaded()
        self.assertIn("libsqlite3", other)   # LD_DEBUG works here
        self.assertNotIn("libmicrohttpd", other)
        if not on_postgresql():  # libpq, opened for the database, brings TLS with it
            self.assertNotIn("libgnutls", other)
        self.assertIn("libmicrohttpd.so.12", loaded("serve"))


class TestServeAuth(ServeCase):
    def test_serve_loopback_without_sign_in_is_local(self):
        s = Server(self, self.demo())
        r = s.get("/logout")   # a page that needs someone signed in
        self.assertEqual(r.status, 200)
        self.assertIn('name="csrf"', r.text)
        self.assertIn("no users to sign in", s.get("/login").text)

    def test_serve_refuses_other_addresses_without_sign_in(self):
        m = self.demo()
        for addr in ("0.0.0.0:%d" % free_port(), "[::]:%d" % free_port()):
            r = m.vane("serve", "--listen", addr, timeout=10)
            self.assertExit(r, 2, addr)
            self.assertIn("refusing to listen on %s without sign-in" % addr, r.stderr)
            self.assertIn("token", r.stderr)
        r = m.vane("serve", "--listen", "localhost:80", timeout=10)
        self.assertExit(r, 2)
        self.assertIn("cannot listen on 'localhost:80'", r.stderr)
        taken = socket.socket()
        self.addCleanup(taken.close)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        addr = "127.0.0.1:%d" % taken.getsockname()[1]
        r = m.vane("serve", "--listen", addr, timeout=10)
        self.assertExit(r, 1)
        self.assertIn("vane: serve: cannot listen on %s (in use" % addr, r.stderr)

    def test_serve_other_address_with_a_token_starts(self):
        m = self.demo(serve={"token": LuaExpr('env "VANE_SERVE_TOKEN"')})
        port = free_port()
        p = subprocess.Popen(m.argv("serve", "--listen", "0.0.0.0:%d" % port), cwd=m.dir,
                             env=dict(os.environ, VANE_SERVE_TOKEN=TOKEN),
                             stderr=subprocess.PIPE, text=True)
        self.addCleanup(kill_process, p)
        self.assertTrue(wait_for(lambda: p.poll() is not None or _connects(port), timeout=10))
        self.assertIsNone(p.poll())
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=10)
        self.assertEqual(p.returncode, 0, err)
        self.assertNotIn(TOKEN, err)

    def test_serve_bearer_token(self):
        m = self.demo(serve={"token": LuaExpr('env "VANE_SERVE_TOKEN"')})
        s = Server(self, m, env={"VANE_SERVE_TOKEN": TOKEN})
        r = s.get("/logout")
        self.assertEqual((r.status, r.getheader("Location")), (303, "/login?next=%2Flogout"))
        self.assertSafeHeaders(r)
        r = s.get("/logout", headers={"Authorization": "Bearer " + TOKEN[:-1]})
        self.assertEqual(r.status, 303)
        r = s.get("/logout", headers={"Authorization": "Bearer " + TOKEN + "x"})
        self.assertEqual(r.status, 303)
        # unknown paths too: nothing is given away before sign-in
        r = s.get("/no/such/page")
        self.assertEqual((r.status, r.getheader("Location")), (303, "/login?next=%2Fno%2Fsuch%2Fpage"))
        for path in ("/metrics", "/api/flags"):   # read by programs: 401, not a redirect
            r = s.get(path)
            self.assertEqual(r.status, 401, path)
            self.assertSafeHeaders(r)
        self.assertEqual(s.get("/no/such/page", headers={"Authorization": "Bearer " + TOKEN}).status, 404)
        self.assertEqual(s.get("/static/vane.css").status, 200)   # the sign-in page needs it
        r = s.get("/logout", headers={"Authorization": "Bearer " + TOKEN})
        self.assertEqual(r.status, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', r.text).group(1)
        # a POST without credentials is 401, not a redirect
        r = s.request("POST", "/logout", body={"csrf": csrf})
        self.assertEqual(r.status, 401)
        self.assertEqual(r.getheader("WWW-Authenticate"), 'Bearer realm="vane"')
        self.assertSafeHeaders(r)
        auth = {"Authorization": "Bearer " + TOKEN}
        self.assertEqual(s.request("POST", "/logout", body={"csrf": "0" * 64}, headers=auth).status, 403)
        self.assertEqual(s.request("POST", "/logout", body={}, headers=auth).status, 403)
        self.assertEqual(s.request("POST", "/logout", body={"csrf": csrf}, headers=auth).status, 303)
        code, err = s.stop()
        self.assertEqual(code, 0)
        self.assertNotIn(TOKEN, err)

    def test_serve_users_sign_in_with_a_cookie(self):
        m = self.demo(serve={"users": {"ana": bcrypt(PASSWORD)},
                             "url": "https://desk.example.org/vane"})
        s = Server(self, m)
        r = s.get("/logout")
        self.assertEqual((r.status, r.getheader("Location")), (303, "/login?next=%2Flogout"))
        r = s.get("/login?next=%2Flogout")
        self.assertIn('<form method="post" action="/login">', r.text)
        self.assertIn('name="next" value="/logout"', r.text)
        # wrong password, unknown user: 401, no cookie, a line in the log
        start = time.monotonic()
        r = s.request("POST", "/login", body={"user": "ana", "password": "nope"})
        wrong_pw = time.monotonic() - start
        self.assertEqual(r.status, 401)
        self.assertIsNone(r.getheader("Set-Cookie"))
        self.assertIn("Wrong name or password", r.text)
        start = time.monotonic()
        r = s.request("POST", "/login", body={"user": "bob", "password": PASSWORD},
                      headers={"X-Forwarded-For": "203.0.113.9"})   # a proxy on this machine
        wrong_user = time.monotonic() - start
        self.assertEqual(r.status, 401)
        self.assertGreater(wrong_user, wrong_pw * 0.4, (wrong_user, wrong_pw))
        # from another site: refused before the password is looked at
        r = s.request("POST", "/login", body={"user": "ana", "password": PASSWORD},
                      headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 403)
        self.assertIsNone(r.getheader("Set-Cookie"))
        # the right one: a session cookie and back to where we were going
        r = s.request("POST", "/login", body={"user": "ana", "password": PASSWORD,
                                              "next": "/logout"},
                      headers={"Origin": "https://desk.example.org"})
        self.assertEqual((r.status, r.getheader("Location")), (303, "/logout"))
        cookie = r.getheader("Set-Cookie")
        self.assertRegex(cookie, r"^vane_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Secure")
        jar = {"Cookie": cookie.split(";")[0]}
        r = s.get("/logout", headers=jar)
        self.assertEqual(r.status, 200)
        self.assertIn("ana", r.text)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', r.text).group(1)
        # CSRF: missing, wrong, or from another origin
        self.assertEqual(s.request("POST", "/logout", body={}, headers=jar).status, 403)
        self.assertEqual(s.request("POST", "/logout", body={"csrf": csrf[::-1]}, headers=jar).status, 403)
        r = s.request("POST", "/logout", body={"csrf": csrf},
                      headers=dict(jar, Origin="http://evil.example"))
        self.assertEqual(r.status, 403)
        self.assertSafeHeaders(r)
        self.assertEqual(s.get("/logout", headers=jar).status, 200)   # still signed in
        r = s.request("POST", "/logout", body={"csrf": csrf},
                      headers=dict(jar, Origin="http://127.0.0.1:%d" % s.port))
        self.assertEqual((r.status, r.getheader("Location")), (303, "/login"))
        self.assertIn("Max-Age=0", r.getheader("Set-Cookie"))
        self.assertEqual(s.get("/logout", headers=jar).status, 303)   # the session is over
        # an outside next is not followed
        for outside in ("//evil.example/", "/\t/evil.example/", "/\\evil.example", "https://evil.example/",
                        "/ /evil.example"):
            r = s.request("POST", "/login", body={"user": "ana", "password": PASSWORD,
                                                  "next": outside})
            self.assertEqual(r.getheader("Location"), "/flags", repr(outside))
        code, err = s.stop()
        self.assertEqual(code, 0)
        self.assertIn("vane: sign-in refused for 'ana' from 127.0.0.1\n", err)
        self.assertIn("vane: sign-in refused for 'bob' from 203.0.113.9 (via 127.0.0.1)\n", err)
        self.assertNotIn(PASSWORD, err)
        self.assertNotIn("nope", err)

    def test_serve_bad_serve_block_is_refused_with_its_line(self):
        m = self.demo(serve={"users": {"ana": "hunter2"}, "listen": "nowhere"})
        line = m.config_line("serve {")
        r = m.vane("serve", timeout=10)
        self.assertExit(r, 2)
        self.assertIn("vane.lua:%d: serve: listen must be" % line, r.stderr)
        self.assertIn("'ana' needs a password hash", r.stderr)
        self.assertNotIn("hunter2", r.stderr)


def _connects(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False
