"""Every body reaches source scripts as UTF-8: a GBK page labelled gb2312
keeps 王喆, an HTTP charset wins over the page's meta, and invalid UTF-8 is
a warning naming the line while the items are still stored."""

import json
import os
import shutil

from vanetest import TOP, VaneCase, describe, make_site

NOW = "2024-12-03T23:00:00Z"
GBK_PAGE = os.path.join(TOP, "tests", "fixtures", "mfa_zh", "s2.html")

# One item per <li> link (its text), plus one saying what doc.charset was.
ECHO_SCRIPT = r'''
return function(doc)
  local items = { { key = "charset", charset = doc.charset } }
  for href, text in doc.body:gmatch('<li><a href="([^"]+)"[^>]*>(.-)</a></li>') do
    items[#items + 1] = { key = href, text = text }
  end
  return items
end
'''


def item_fields(ev):
    """The stored fields of an event's item, as a dict."""
    item = ev.get("item")
    if isinstance(item, str):
        item = json.loads(item)
    return item or {}


class Charset(VaneCase):

    def site_monitor(self, files, path, content_type=None):
        site = make_site(self, files)
        m = self.monitor(sources=[], rules=[], serve_dir=site)
        m.add_script("echo", ECHO_SCRIPT)
        if content_type:
            m.server.set_content_type(path, content_type)
        m.sources = [{"id": "page", "url": m.server.url(path), "script": "echo",
                      "every": "1h", "timeout": "10s"}]
        m.write_config()
        return m

    def items(self, m):
        return {e["key"]: item_fields(e) for e in m.events()}

    def test_gbk_page_labelled_gb2312_keeps_wang_zhe(self):
        with open(GBK_PAGE, "rb") as f:
            page = f.read()
        m = self.site_monitor({"mfa.html": page}, "/mfa.html")
        r = m.run(NOW, "-v")
        self.assertNotIn("U+FFFD", r.stderr, describe(r))
        items = self.items(m)
        self.assertEqual(items["charset"]["charset"], "gb2312")
        entry = items["./202411/t20241129_11534955.shtml"]["text"]
        self.assertIn("王喆", entry)
        self.assertEqual(entry, "外交部发言人就中国公民王喆入境美国时被盘查遣返答记者问（2024-11-29）")
        self.assertEqual(len(items), 8, items)
        self.assertFalse(any("\ufffd" in v.get("text", "") for v in items.values()))

    def test_http_charset_overrides_the_meta(self):
        text = '<li><a href="/a">Déjà vu — “quoted” €5</a></li>'
        page = ('<html><head><meta charset="utf-8"></head><body><ul>%s</ul></body></html>\n'
                % text).encode("windows-1252")
        m = self.site_monitor({"p.html": page}, "/p.html", "text/html; charset=Windows-1252")
        r = m.run(NOW, "-v")
        self.assertNotIn("U+FFFD", r.stderr, describe(r))
        items = self.items(m)
        self.assertEqual(items["charset"]["charset"], "windows-1252")
        self.assertEqual(items["/a"]["text"], "Déjà vu — “quoted” €5")

    def test_invalid_utf8_warns_with_the_line_and_items_are_stored(self):
        page = (b'<html><head><meta charset="utf-8"></head><body><ul>\n'
                b'<li><a href="/ok">fine</a></li>\n'
                b'<li><a href="/bad">caf\xe9 \xa0 and \xff</a></li>\n'
                b'</ul></body></html>\n')
        m = self.site_monitor({"p.html": page}, "/p.html")
        r = m.run(NOW, "-v")
        self.assertIn("source page: invalid utf-8 bytes on line 3 (3 replaced with U+FFFD)",
                      r.stderr, describe(r))
        items = self.items(m)
        self.assertEqual(items["/ok"]["text"], "fine")
        self.assertEqual(items["/bad"]["text"], "caf\ufffd \ufffd and \ufffd")

    def test_empty_body_is_still_an_error(self):
        m = self.site_monitor({"e.html": b""}, "/e.html")
        r = m.run(NOW, expect=1)
        self.assertIn("empty body", r.stderr, describe(r))


if __name__ == "__main__":
    import unittest
    unittest.main()
