"""browser.py — a small driver of headless Chromium for vane's browser tests.

Starts `chromium --headless=new --remote-debugging-port=0` with a throw-away
profile, reads the port it chose from DevToolsActivePort in that profile,
and speaks the DevTools protocol over a WebSocket (Debian's
python3-websocket) to the one page target:

    with Browser() as b:
        b.navigate("http://127.0.0.1:8080/flags")
        title = b.evaluate("document.title")
        b.screenshot("flags")                      # build/test-output/screenshots/flags.png
        b.fill_and_submit("form.verdict", {"verdict": "useful"})
        self.assertEqual(b.console_errors(), [])

Console errors are collected from Runtime.consoleAPICalled (console.error,
console.assert), Log.entryAdded at level "error" (what the browser itself
reports: Content-Security-Policy violations, failed loads) and
Runtime.exceptionThrown (uncaught exceptions) — all but a failed
/favicon.ico, which the browser asks for on its own. Every wait has a deadline;
chromium is always stopped (TERM, then KILL) and its profile removed, also
when a test fails half-way.

Chromium is looked up as $CHROMIUM, then chromium, chromium-browser,
google-chrome. When there is none, require_browser() skips the test module
with the reason — unless $VANE_REQUIRE_BROWSER or $CI is set, where a
missing browser is a failure (CI installs it: the skip must not hide one).
Nothing here opens anything beyond 127.0.0.1.
"""

import atexit
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SCREENSHOTS = os.environ.get("VANE_SCREENSHOTS") or os.path.join(
    TOP, "build", "test-output", "screenshots")

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


_RUNNING = set()     # browsers started and not yet closed: closed at exit


@atexit.register
def _close_all():
    for b in list(_RUNNING):
        b.close()


class BrowserError(Exception):
    """The browser did not start, answer or load a page in time."""


def find_chromium():
    """The chromium executable, or None."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else shutil.which(env)
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def browser_required():
    return bool(os.environ.get("VANE_REQUIRE_BROWSER") or os.environ.get("CI"))


def require_browser():
    """Skip (raise unittest.SkipTest) when there is no chromium or no
    websocket module — or fail (BrowserError) where one is required."""
    missing = []
    if find_chromium() is None:
        missing.append("no chromium (apt-get install -y chromium, or set $CHROMIUM)")
    try:
        import websocket  # noqa: F401
    except ImportError:
        missing.append("no Python module websocket (apt-get install -y python3-websocket)")
    if not missing:
        return
    reason = "; ".join(missing)
    if browser_required():
        raise BrowserError(reason + " — required here ($CI or $VANE_REQUIRE_BROWSER is set)")
    raise unittest.SkipTest(reason)


class Browser:
    """One headless chromium with one page, driven over DevTools."""

    def __init__(self, timeout=30.0, width=1280, height=900, screenshots=SCREENSHOTS):
        self.timeout = timeout
        self.width, self.height = width, height
        self.screenshots = screenshots
        self.proc = None
        self.profile = None
        self.ws = None
        self.port = None
        self._next_id = 0
        self.events = []        # every event received, in order: {"method", "params"}
        self._errors = []       # console errors, as text

    # ---- lifecycle -------------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        require_browser()
        import websocket
        exe = find_chromium()
        self.profile = tempfile.mkdtemp(prefix="vane-chromium-")
        argv = [exe, "--headless=new", "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                "--user-data-dir=" + self.profile, "--no-sandbox",
                "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                "--disable-extensions", "--disable-background-networking",
                "--disable-sync", "--disable-component-update",
                "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                "--window-size=%d,%d" % (self.width, self.height), "about:blank"]
        self._stderr = open(os.path.join(self.profile, "chromium.stderr"), "w+b")
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=self._stderr,
                                         start_new_session=True)
            _RUNNING.add(self)
            self.port = self._wait_port()
            url = self._page_ws_url()
            self.ws = websocket.create_connection(url, timeout=self.timeout,
                                                  suppress_origin=True)
            for domain in ("Page", "Runtime", "Log"):
                self.send(domain + ".enable")
            self.send("Emulation.setDeviceMetricsOverride", width=self.width,
                      height=self.height, deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.close()
            raise
        return self

    def close(self):
        """Stop chromium (TERM, then KILL after 5 s) and remove its profile."""
        _RUNNING.discard(self)
        if self.ws is not None:
            try:
                self.ws.close()
            except Exception:
                pass
            self.ws = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self._signal(signal.SIGTERM)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self._signal(signal.SIGKILL)
                    try:
                        self.proc.wait(5)
                    except subprocess.TimeoutExpired:
                        pass
            self._signal(signal.SIGKILL)   # any helper left in its group
        if getattr(self, "_stderr", None) is not None:
            self._stderr.close()
            self._stderr = None
        if self.profile is not None:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    def _signal(self, sig):
        if sig != signal.SIGKILL and self.proc.poll() is not None:
            return
        # chromium runs in its own session: its renderers and helpers are in
        # the process group of the PID we started, so they go with it
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass

    def _stderr_tail(self):
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            return self._stderr.read().decode("utf-8", "replace")[-2000:]
        except Exception:
            return ""

    def _wait_port(self):
        path = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BrowserError("chromium exited with status %s before listening:\n%s"
                                   % (self.proc.returncode, self._stderr_tail()))
            try:
                with open(path, encoding="ascii") as f:
                    first = f.readline().strip()
                if first.isdigit():
                    return int(first)
            except OSError:
                pass
            time.sleep(0.05)
        raise BrowserError("chromium wrote no DevToolsActivePort in %ss:\n%s"
                           % (self.timeout, self._stderr_tail()))

    def _page_ws_url(self):
        deadline = time.monotonic() + self.timeout
        last = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % self.port,
                                            timeout=5) as r:
                    targets = json.load(r)
                for t in targets:
                    if t.get("type") == "page" and t.get("webSocketDebuggerUrl"):
                        return t["webSocketDebuggerUrl"]
            except (OSError, ValueError) as e:
                last = e
            time.sleep(0.1)
        raise BrowserError("chromium listed no page target in %ss (%s)" % (self.timeout, last))

    # ---- the protocol ------------------------------------------------------------
    def send(self, method, timeout=None, **params):
        """Call a DevTools method; its result, or BrowserError."""
        import websocket
        if self.ws is None:
            raise BrowserError("the browser is not running")
        self._next_id += 1
        mid = self._next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("%s: no answer in %ss" % (method, timeout or self.timeout))
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                raise BrowserError("%s: no answer in %ss" % (method, timeout or self.timeout))
            if msg.get("id") == mid:
                if "error" in msg:
                    raise BrowserError("%s: %s" % (method, msg["error"].get("message", msg["error"])))
                return msg.get("result", {})
            if "method" in msg:
                self._event(msg)

    def _event(self, msg):
        self.events.append(msg)
        m, p = msg["method"], msg.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            self._errors.append("console.%s: %s" % (p["type"], text))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            if e.get("url", "").endswith("/favicon.ico"):
                return      # the browser's own request, not the page's
            self._errors.append("%s: %s%s" % (e.get("source", "log"), e.get("text", ""),
                                              " (%s)" % e["url"] if e.get("url") else ""))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            exc = d.get("exception", {})
            self._errors.append("exception: %s" % (exc.get("description") or d.get("text", "")))

    def pump(self, seconds):
        """Receive events for a while (late console messages)."""
        import websocket
        end = time.monotonic() + seconds
        while self.ws is not None:
            left = end - time.monotonic()
            if left <= 0:
                return
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                return
            if "method" in msg:
                self._event(msg)

    def wait_event(self, method, after=0, timeout=None):
        """The first event `method` received at index >= after."""
        import websocket
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = after
        while True:
            for i in range(seen, len(self.events)):
                if self.events[i]["method"] == method:
                    return self.events[i]
            seen = len(self.events)
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("no %s in %ss" % (method, timeout or self.timeout))
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                raise BrowserError("no %s in %ss" % (method, timeout or self.timeout))
            if "method" in msg:
                self._event(msg)

    # ---- what the tests use ---------------------------------------------------------
    def console_errors(self):
        """The console errors so far (a list of texts); pumps briefly first."""
        self.pump(0.2)
        return list(self._errors)

    def clear_errors(self):
        self._errors = []

    def navigate(self, url):
        """Load url and wait for its load event; the HTTP status of the page
        (None when the browser reported none)."""
        mark = len(self.events)
        r = self.send("Page.navigate", url=url)
        if r.get("errorText"):
            raise BrowserError("navigating to %s: %s" % (url, r["errorText"]))
        self.wait_event("Page.loadEventFired", after=mark)
        return self.evaluate("performance.getEntriesByType('navigation')[0]"
                             " ? performance.getEntriesByType('navigation')[0].responseStatus : null")

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (JSON-able)."""
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise BrowserError("evaluating %r: %s" % (
                expression[:80], d.get("exception", {}).get("description") or d.get("text")))
        return r.get("result", {}).get("value")

    def text(self, selector="body"):
        """innerText of the first element matching selector ("" if none)."""
        return self.evaluate("(function(){var e=document.querySelector(%s);"
                             "return e ? e.innerText : '';})()" % json.dumps(selector))

    def count(self, selector):
        return self.evaluate("document.querySelectorAll(%s).length" % json.dumps(selector))

    def url(self):
        return self.evaluate("location.href")

    def screenshot(self, name):
        """Write the page as a PNG, SCREENSHOTS/NAME.png; its path."""
        os.makedirs(self.screenshots, exist_ok=True)
        r = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        data = base64.b64decode(r["data"])
        if not data.startswith(PNG_SIGNATURE):
            raise BrowserError("the screenshot %s is not a PNG" % name)
        path = os.path.join(self.screenshots, name + ".png")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def click(self, selector):
        """Click the first element matching selector with real mouse events
        (Input.dispatchMouseEvent at its centre) and wait for the page that
        loads if the click navigates (up to the timeout); returns whether one
        loaded."""
        box = self.evaluate(
            "(function(){var e=document.querySelector(%s); if(!e) return null;"
            "e.scrollIntoView({block:'center'}); var r=e.getBoundingClientRect();"
            "return [r.left + r.width/2, r.top + r.height/2];})()" % json.dumps(selector))
        if box is None:
            raise BrowserError("nothing matches %s" % selector)
        mark = len(self.events)
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)
        try:
            self.wait_event("Page.loadEventFired", after=mark, timeout=min(self.timeout, 10))
            return True
        except BrowserError:
            return False

    def fill(self, form_selector, fields):
        """Set a form's fields {name: value}: a radio or checkbox of that name
        and value is checked, any other input, select or textarea given the
        value. BrowserError when a field is not in the form."""
        script = """(function(sel, fields){
  var f = document.querySelector(sel); if (!f) return 'no form ' + sel;
  for (var name in fields) {
    var els = f.querySelectorAll('[name="' + name + '"]'); if (!els.length) return 'no field ' + name;
    var done = false;
    for (var i = 0; i < els.length; i++) {
      var e = els[i];
      if (e.type === 'radio' || e.type === 'checkbox') {
        if (e.value === fields[name]) { e.checked = true; done = true; }
      } else { e.value = fields[name]; done = true; }
    }
    if (!done) return 'no value ' + fields[name] + ' for ' + name;
  }
  return '';
})(%s, %s)""" % (json.dumps(form_selector), json.dumps(fields))
        problem = self.evaluate(script)
        if problem:
            raise BrowserError("filling %s: %s" % (form_selector, problem))

    def fill_and_submit(self, form_selector, fields):
        """fill(), then click the form's submit button (or requestSubmit() when
        it has none) and wait for the page it loads."""
        self.fill(form_selector, fields)
        button = form_selector + " [type=submit]"
        if self.count(button):
            if self.click(button):
                return
            raise BrowserError("submitting %s loaded no page" % form_selector)
        mark = len(self.events)
        self.evaluate("document.querySelector(%s).requestSubmit()" % json.dumps(form_selector))
        self.wait_event("Page.loadEventFired", after=mark)
