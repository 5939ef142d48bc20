"""What a source sends: headers, cookies, Accept-Language, a POST body
(body, form, json) with its Content-Type, Basic and Digest credentials, a
proxy — each arriving exactly at the fixture server (or the proxy) on
127.0.0.1; secrets never in vane's output nor its database; a changed
header re-baselines the source as a changed url does; bad keys refused
at load naming vane.lua:LINE."""

import base64
import os
import ssl
import subprocess
import sys

from vanetest import TOP, LuaExpr, VaneCase, describe, make_site

sys.path.insert(0, os.path.join(TOP, "tests"))
from proxy_server import ProxyServer, Socks5Server  # noqa: E402

T = ["2026-03-0%dT08:00:00Z" % d for d in range(1, 10)]
SECRET = "s3cr3t-Tok3n-9f2b"
COOKIE = "c00kie-Val-77e1"
PASSWORD = "pa55-W0rd-41aa"

# One item: the first line of the body.
ECHO = """
return function(doc)
  return { { key = "page", title = doc.body:match("[^\\n]*") } }
end
"""

# One item per <li><a id=KEY href=PAGE>, completed by its page's text.
FOLLOW = r"""
return {
  list = function(doc)
    local items = {}
    for _, a in ipairs(vane.html(doc.body, doc.url):select("li a")) do
      items[#items + 1] = { key = a:attr("id"), follow = a:url("href") }
    end
    return items
  end,
  detail = function(doc, item) item.body = doc.body end,
}
"""


class SourceRequests(VaneCase):

    def start(self, **src):
        site = make_site(self, {"api.txt": "hello\n", "other.txt": "other\n"})
        m = self.monitor(serve_dir=site, rules=[], sources=[],
                         env={"VANE_T_SECRET": SECRET, "VANE_T_COOKIE": COOKIE,
                              "VANE_T_PASSWORD": PASSWORD})
        m.add_script("echo", ECHO)
        self.src = {"id": "api", "url": m.server.url("/api.txt"), "script": "echo",
                    "every": "1h", "timeout": "10s"}
        self.src.update(src)
        m.sources = [self.src]
        m.write_config()
        return m

    def rewrite(self, m, **changes):
        self.src.update(changes)
        m.sources = [self.src]
        m.write_config()

    def last(self, m, path="/api.txt"):
        got = m.server.received(path)
        self.assertTrue(got, "nothing received at %s" % path)
        return got[-1]

    def assertNoSecrets(self, m, *results):
        """No secret in any output, nor in the database and its WAL."""
        for r in results:
            for s in (SECRET, COOKIE, PASSWORD):
                self.assertNotIn(s, r.stdout + r.stderr, describe(r))
        for f, data in m.stored_data():
            for s in (SECRET, COOKIE, PASSWORD):
                self.assertNotIn(s.encode(), data, f)
                self.assertNotIn(base64.b64encode(("u:" + s).encode()), data, f)

    # ---- headers and cookies -------------------------------------------------
    def test_headers_cookies_and_language_arrive_exactly(self):
        m = self.start(headers={"X-Api-Key": LuaExpr('env "VANE_T_SECRET"'),
                                "Referer": "https://example.org/list"},
                       cookies={"session": LuaExpr('env "VANE_T_COOKIE"'), "lang": "en"},
                       accept_language="en-US,en;q=0.8")
        r = m.run(T[0], "-v")
        req = self.last(m)
        self.assertEqual(req["method"], "GET")
        h = req["headers"]
        self.assertEqual(h["x-api-key"], SECRET)
        self.assertEqual(h["referer"], "https://example.org/list")
        self.assertEqual(h["cookie"], "lang=en; session=" + COOKIE)
        self.assertEqual(h["accept-language"], "en-US,en;q=0.8")
        self.assertEqual(req["body"], b"")
        r2 = m.run(T[1], "-v")          # a GET stays conditional
        self.assertIn("if-none-match", self.last(m)["headers"])
        self.assertEqual(m.server.hits("/api.txt", 304), 1)
        shown = [m.vane("check"), m.vane("sources"), m.vane("preview", "api")]
        self.assertNoSecrets(m, r, r2, *shown)

    def test_a_changed_header_rebaselines_the_source(self):
        m = self.start(headers={"X-Api-Key": LuaExpr('env "VANE_T_SECRET"')})
        m.run(T[0], "-v")
        r = m.run(T[1], "-v")
        self.assertNotIn("definition changed", r.stderr)
        m.env["VANE_T_SECRET"] = SECRET + "-rotated"
        r = m.run(T[2], "-v")
        self.assertIn("vane: source api: definition changed (request)", r.stderr, describe(r))
        self.assertNotIn("if-none-match", self.last(m)["headers"])
        defn = m.sql("SELECT definition FROM sources WHERE id = 'api'")[0][0]
        self.assertIn("request=", defn)
        self.assertNotIn(SECRET, defn)

    def test_no_request_keys_no_request_part(self):
        m = self.start()
        m.run(T[0], "-v")
        defn = m.sql("SELECT definition FROM sources WHERE id = 'api'")[0][0]
        self.assertNotIn("request=", defn)

    # ---- bodies ------------------------------------------------------------------
    def test_post_form(self):
        m = self.start(method="POST", form={"q": "China", "x": "a b&c=é"})
        r = m.run(T[0], "-v")
        req = self.last(m)
        self.assertEqual(req["method"], "POST")
        self.assertEqual(req["body"], b"q=China&x=a+b%26c%3D%C3%A9")
        self.assertEqual(req["headers"]["content-type"], "application/x-www-form-urlencoded")
        self.assertNotIn("expect", req["headers"])
        m.run(T[1], "-v")               # a POST has no validators
        self.assertNotIn("if-none-match", self.last(m)["headers"])
        self.assertEqual(m.server.hits("/api.txt", 200), 2, describe(r))

    def test_post_json_is_canonical(self):
        m = self.start(method="POST", json={"b": [1, 2], "a": "x", "c": {"z": True, "y": 1.5}})
        m.run(T[0], "-v")
        req = self.last(m)
        self.assertEqual(req["body"], b'{"a":"x","b":[1,2],"c":{"y":1.5,"z":true}}')
        self.assertEqual(req["headers"]["content-type"], "application/json")

    def test_post_body_with_its_type(self):
        m = self.start(method="POST", body="<q>China</q>", content_type="application/xml")
        m.run(T[0], "-v")
        req = self.last(m)
        self.assertEqual((req["method"], req["body"]), ("POST", b"<q>China</q>"))
        self.assertEqual(req["headers"]["content-type"], "application/xml")

    # ---- credentials -------------------------------------------------------------
    def test_basic_auth(self):
        m = self.start(user="u", password=LuaExpr('env "VANE_T_PASSWORD"'), insecure_auth=True)
        m.server.set_auth("/api.txt", "u", PASSWORD, "basic")
        r = m.run(T[0], "-v")
        log = m.server.auth_log("/api.txt")
        self.assertTrue(log and log[-1]["ok"], log)
        self.assertIn("warning: source 'api': insecure_auth = true", m.vane("check").stderr)
        want = "Basic " + base64.b64encode(("u:" + PASSWORD).encode()).decode()
        self.assertEqual(self.last(m)["headers"]["authorization"], want)
        self.assertEqual(m.server.hits("/api.txt", 200), 1, describe(r))
        self.assertNoSecrets(m, r, m.vane("check"), m.vane("sources"))

    def test_wrong_password_is_a_failure(self):
        m = self.start(user="u", password="wrong", insecure_auth=True)
        m.server.set_auth("/api.txt", "u", PASSWORD, "basic")
        r = m.run(T[0], "-v", expect=None)
        self.assertIn("HTTP 401", r.stdout + r.stderr, describe(r))
        self.assertNotIn("wrong", r.stdout + r.stderr)

    def test_digest_auth_answers_the_challenge(self):
        m = self.start(user="u", password=LuaExpr('env "VANE_T_PASSWORD"'), auth="digest",
                       insecure_auth=True)
        m.server.set_auth("/api.txt", "u", PASSWORD, "digest")
        r = m.run(T[0], "-v")
        log = m.server.auth_log("/api.txt")
        self.assertEqual([(x["sent"], x["ok"]) for x in log], [(False, False), (True, True)], log)
        self.assertTrue(self.last(m)["headers"]["authorization"].startswith("Digest "))
        self.assertEqual(m.server.hits("/api.txt", 200), 1, describe(r))
        self.assertNoSecrets(m, r)

    def test_credentials_over_http_need_insecure_auth(self):
        m = self.start(user="u", password=LuaExpr('env "VANE_T_PASSWORD"'))
        r = m.vane("check")
        self.assertNotEqual(r.returncode, 0)
        line = m.config_line("source {")
        self.assertIn("vane.lua:%d: source 'api': a user and password would cross the network "
                      "in clear" % line, r.stderr, describe(r))
        self.assertNoSecrets(m, r)

    # ---- detail pages --------------------------------------------------------------
    def test_detail_pages_get_headers_on_the_same_host_only(self):
        m = self.start(method="POST", form={"q": "x"},
                       headers={"X-Api-Key": LuaExpr('env "VANE_T_SECRET"')},
                       cookies={"session": LuaExpr('env "VANE_T_COOKIE"')})
        with open(os.path.join(m.server.directory, "list.html"), "w") as f:
            f.write('<ul><li><a id="a" href="/a.html">a</a></li>'
                    '<li><a id="b" href="http://localhost:%d/b.html">b</a></li></ul>\n' % m.port)
        for name in ("a", "b"):
            with open(os.path.join(m.server.directory, name + ".html"), "w") as f:
                f.write("page %s\n" % name)
        m.add_script("follow", FOLLOW)
        self.rewrite(m, url=m.server.url("/list.html"), script="follow")
        r = m.run(T[0], "-v")
        self.assertEqual(self.last(m, "/list.html")["method"], "POST")
        same, other = self.last(m, "/a.html"), self.last(m, "/b.html")
        self.assertEqual((same["method"], same["body"]), ("GET", b""), describe(r))
        self.assertEqual(same["headers"]["x-api-key"], SECRET)
        self.assertEqual(same["headers"]["cookie"], "session=" + COOKIE)
        self.assertNotIn("content-type", same["headers"])
        self.assertEqual(other["method"], "GET")
        self.assertNotIn("x-api-key", other["headers"])
        self.assertNotIn("cookie", other["headers"])
        self.assertNoSecrets(m, r)

    def test_a_redirect_to_another_host_is_not_followed_with_secrets(self):
        m = self.start(headers={"X-Api-Key": LuaExpr('env "VANE_T_SECRET"')})
        m.server.set_redirect("/api.txt", "http://localhost:%d/other.txt" % m.port)
        r = m.run(T[0], "-v", expect=None)
        self.assertIn("redirects to another host; not followed", r.stdout + r.stderr, describe(r))
        self.assertEqual(m.server.received("/other.txt"), [])
        self.assertNoSecrets(m, r)
        m.server.set_redirect("/api.txt", "/other.txt")     # the same host: followed
        r = m.run(T[1], "-v", "--source", "api")
        self.assertEqual(self.last(m, "/other.txt")["headers"]["x-api-key"], SECRET, describe(r))

    # ---- TLS ---------------------------------------------------------------------
    def tls_monitor(self, **src):
        """The fixture server over TLS with a certificate of its own for
        127.0.0.1 (made with openssl); the source fetches it over https."""
        m = self.start(**src)
        cert, key = os.path.join(m.dir, "ca.pem"), os.path.join(m.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        httpd = m.server._httpd
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        self.rewrite(m, url=m.server.url("/api.txt").replace("http://", "https://"))
        return m

    def test_ca_file_verifies_a_private_certificate(self):
        m = self.tls_monitor()
        r = m.run(T[0], "-v", expect=None)
        self.assertEqual(m.server.received("/api.txt"), [], describe(r))   # unverified: refused
        self.assertIn("certificate", (r.stdout + r.stderr).lower(), describe(r))
        self.rewrite(m, ca_file="ca.pem", user="u", password=LuaExpr('env "VANE_T_PASSWORD"'))
        m.server.set_auth("/api.txt", "u", PASSWORD, "basic")
        r = m.run(T[1], "-v")          # https: credentials need no insecure_auth
        self.assertEqual(m.server.hits("/api.txt", 200), 1, describe(r))
        self.assertNoSecrets(m, r)

    def test_insecure_tls_turns_verification_off(self):
        m = self.tls_monitor(insecure_tls=True)
        r = m.run(T[0], "-v")
        self.assertEqual(m.server.hits("/api.txt", 200), 1, describe(r))
        r = m.vane("check")
        self.assertEqual(r.returncode, 0, describe(r))
        self.assertIn("vane.lua:%d: warning: source 'api': insecure_tls = true: the server's "
                      "certificate is not verified" % m.config_line("source {"), r.stderr)

    # ---- proxy -------------------------------------------------------------------
    def test_proxy_receives_the_request(self):
        with ProxyServer() as p:
            m = self.start(proxy=p.url, headers={"X-Api-Key": "k1"})
            r = m.run(T[0], "-v")
            got = p.requests()
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["method"], "GET")
        self.assertEqual(got[0]["target"], m.server.url("/api.txt"))
        self.assertEqual(got[0]["headers"]["x-api-key"], "k1")
        self.assertEqual(self.last(m)["headers"]["x-api-key"], "k1")
        self.assertEqual(m.server.hits("/api.txt", 200), 1, describe(r))

    def test_socks5h_proxy_resolves_the_name(self):
        with Socks5Server() as p:
            m = self.start(proxy=p.url)
            self.rewrite(m, url="http://localhost:%d/api.txt" % m.port)
            r = m.run(T[0], "-v")
            got = p.requests()
        self.assertEqual(got, [{"host": "localhost", "port": m.port, "by_name": True}], describe(r))
        self.assertEqual(m.server.hits("/api.txt", 200), 1, describe(r))

    # ---- refused at load -----------------------------------------------------------
    def check_fails(self, m, message):
        r = m.vane("check")
        self.assertNotEqual(r.returncode, 0, describe(r))
        line = m.config_line("source {")
        self.assertIn("vane.lua:%d: source 'api': %s" % (line, message), r.stderr, describe(r))
        return r

    def test_bad_requests_are_refused_naming_the_line(self):
        m = self.start()
        base = dict(self.src)
        cases = [
            ({"form": {"q": "x"}}, 'a body is not sent with GET: add method = "POST"'),
            ({"method": "POST", "body": "a", "json": {"a": 1}},
             "give one of 'body', 'form' and 'json', not two"),
            ({"method": "POST"}, "a method other than GET needs one of 'body', 'form' or 'json'"),
            ({"method": "DELETE", "body": "x"}, "'method' must be"),
            ({"headers": {"X-Api-Key": LuaExpr('(env "VANE_T_SECRET") .. "\\r\\nX-Evil: 1"')}},
             "headers 'X-Api-Key': the value holds a line break or a NUL"),
            ({"headers": {"Bad Name": "x"}}, "headers: 'Bad Name' is not a header name"),
            ({"headers": {"Cookie": "a=1"}, "cookies": {"b": "2"}},
             "both 'cookies' and a Cookie header: give one"),
            ({"auth": "digest"}, "'password' and 'auth' need a 'user'"),
            ({"proxy": "ftp://127.0.0.1:1"}, "'proxy' must start with"),
            ({"ca_file": "nowhere.pem"}, "ca_file: cannot read"),
            ({"headesr": {"a": "b"}}, "unknown key 'headesr'"),
        ]
        for keys, message in cases:
            with self.subTest(keys=list(keys)):
                self.src = dict(base)
                self.rewrite(m, **keys)
                r = self.check_fails(m, message)
                self.assertNoSecrets(m, r)
