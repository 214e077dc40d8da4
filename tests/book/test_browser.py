"""The built book in a real browser: headless Chromium renders every page of the table of contents

The book is served from _build/html on 127.0.0.1 (no other network). For every page we check
that it renders, that notebook pages show their figures and tables, and that the widget views
of the teaching chapter are drawn by the widget manager the book serves itself (not a CDN).
Screenshots go to _build/screenshots/.

Needs a built book (``make book`` or ``make book-smoke``, which runs this file again with
ASCNB_REQUIRE_BOOK=1 so that a missing build fails instead of skipping). Skips when Debian's
``chromium`` is not installed.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml

from ascnb.paths import REPO

HTML = REPO / "_build" / "html"
SCREENSHOTS = REPO / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-extensions", "--hide-scrollbars", "--mute-audio"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                "(apt-get install -y chromium)")


def toc_pages() -> list[str]:
    """Every file of _toc.yml, in order (without suffix)"""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return pages


@pytest.fixture(scope="module")
def built_book() -> Path:
    if not (HTML / "index.html").is_file():
        message = "the book is not built (make book / make book-smoke, which runs this test)"
        if os.environ.get("ASCNB_REQUIRE_BOOK"):
            pytest.fail(message)
        pytest.skip(message)
    return HTML


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    requested: list = []

    def log_message(self, format, *args):
        QuietHandler.requested.append((self.path, args[1] if len(args) > 1 else ""))


@pytest.fixture(scope="module")
def server(built_book):
    handler = functools.partial(QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def chromium(*args: str, timeout: float = 90) -> str:
    result = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, *args], capture_output=True, text=True,
                            timeout=timeout)
    return result.stdout


def rendered_dom(url: str) -> str:
    """The DOM after scripts ran (virtual time lets the widget manager finish)"""
    return chromium("--virtual-time-budget=20000", "--dump-dom", url)


# a console message that is an error: an uncaught exception or a resource that failed to load
CONSOLE_ERROR = re.compile(r'CONSOLE[^\]]*\] "((?:Uncaught|Failed to load resource|'
                           r'Refused to)[^"]*)"')


def rendered_with_console(url: str) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and the page's console errors (Chromium's log on stderr)"""
    result = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, "--enable-logging=stderr", "--v=0",
                             "--virtual-time-budget=20000", "--dump-dom", url],
                            capture_output=True, text=True, timeout=90)
    return result.stdout, CONSOLE_ERROR.findall(result.stderr)


def failed_requests() -> list[str]:
    """Requests the book's server answered with an error since the list was cleared"""
    return [f"{path} ({status})" for path, status in QuietHandler.requested
            if str(status).isdigit() and int(status) >= 400]


def screenshot(url: str, name: str, height: int = 2400) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    path.unlink(missing_ok=True)
    chromium("--virtual-time-budget=20000", f"--window-size=1280,{height}", f"--screenshot={path}", url)
    return path


# pages of tables and prose only; every other notebook page must draw at least one figure
PAGES_WITHOUT_FIGURES = {"03-models", "05-choices"}


def notebook_figures(path: Path) -> int:
    """Figures the executed notebook shows (image outputs; glued values not displayed don't count)"""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return sum("image/png" in output.get("data", {})
               for cell in nb.cells if cell.cell_type == "code"
               for output in cell.get("outputs", []))


def figures_without_caption(dom: str) -> int:
    """Images of notebook outputs (png) that are not inside a <figure> with a <figcaption>"""
    outside = 0
    for match in re.finditer(r'<img[^>]+src="[^"]*\.png"', dom):
        before = dom[:match.start()]
        opened, closed = before.rfind("<figure"), before.rfind("</figure>")
        after = dom[match.end():]
        end = after.find("</figure>")
        if opened <= closed or end < 0 or "<figcaption" not in after[:end]:
            outside += 1
    return outside


# a role MyST did not parse: "{doc}`page`" left as text (CommonMark renders the backticks as code)
UNRENDERED_ROLE = re.compile(r"\{((?:doc|ref|numref|eq|term|glue|cite)(?::\w+)?)\}(?:`|<code)")


def test_every_page_renders_with_its_figures_and_tables(server):
    """Every page of the table of contents renders, with no console error, no failed request
    and no MyST role left as text; every notebook page shows the figures its notebook drew,
    each with a caption"""
    problems = []
    for page in toc_pages():
        url = f"{server}/{page}.html"
        QuietHandler.requested.clear()
        dom, console_errors = rendered_with_console(url)
        problems += [f"{page}: console error: {message}" for message in console_errors]
        problems += [f"{page}: failed request: {request}" for request in failed_requests()]
        if "<article" not in dom or "bd-article" not in dom:
            problems.append(f"{page}: no article rendered")
            continue
        roles = UNRENDERED_ROLE.findall(dom)
        if roles:
            problems.append(f"{page}: MyST role(s) shown as text: {sorted(set(roles))} (a Markdown "
                            "output needs its cell's mystnb markdown_format: myst)")
        if page.startswith("book/_generated/"):
            name = page.rsplit("/", 1)[-1]
            drawn = notebook_figures(REPO / f"{page}.ipynb")
            shown = len(re.findall(r'<img[^>]+src="[^"]*\.png"', dom))
            if drawn == 0 and name not in PAGES_WITHOUT_FIGURES:
                problems.append(f"{page}: the executed notebook drew no figure")
            if shown < drawn:
                problems.append(f"{page}: {shown} of the notebook's {drawn} figures on the page")
            uncaptioned = figures_without_caption(dom)
            if uncaptioned:
                problems.append(f"{page}: {uncaptioned} figure(s) without a caption")
            if "Traceback" in dom or 'class="output traceback' in dom:
                problems.append(f"{page}: an error output")
        shot = screenshot(url, page.replace("/", "_"))
        if not shot.is_file() or shot.stat().st_size < 10_000:
            problems.append(f"{page}: no screenshot")
    assert not problems, "\n".join(problems)


def test_result_tables_show_paper_and_ours(server):
    """Every experiment chapter has a table with the paper's column beside ours"""
    for page in toc_pages():
        name = page.rsplit("/", 1)[-1]
        if not re.match(r"(1[0-2]|2[0-2])-", name):
            continue
        dom = rendered_dom(f"{server}/{page}.html")
        assert "<table" in dom, f"{page}: no table"
        assert "paper" in dom and "ours" in dom, f"{page}: no paper-vs-ours columns"


def test_widgets_render_offline_from_the_books_own_scripts(server):
    page = "book/_generated/04-attention"
    html = (HTML / f"{page}.html").read_text()
    # the page loads the widget manager and require.js from the book, never from a CDN
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    widget_scripts = [s for s in scripts if "require" in s or "embed-amd" in s]
    assert len(widget_scripts) == 2, widget_scripts
    assert all("://" not in s for s in widget_scripts), widget_scripts
    assert 'application/vnd.jupyter.widget-state+json' in html

    QuietHandler.requested.clear()
    dom = rendered_dom(f"{server}/{page}.html")
    fetched = {path.split("?")[0] for path, status in QuietHandler.requested if status == "200"}
    assert any(p.endswith("_widgets/require.js") for p in fetched), fetched
    assert any(p.endswith("embed-amd.js") for p in fetched), fetched
    # the manager replaced the view placeholders with live widgets: sliders, buttons, images
    assert dom.count("widget-slider") >= 2
    assert "widget-toggle-button" in dom
    assert re.search(r'class="[^"]*widget-image', dom)
    shot = screenshot(f"{server}/{page}.html", "widgets-04-attention", height=4000)
    assert shot.stat().st_size > 10_000


def test_math_is_typeset_by_the_books_own_mathjax(server):
    page = "book/_generated/13-pbcnn-attention-overlay"
    html = (HTML / f"{page}.html").read_text()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    mathjax = [s for s in scripts if "mathjax" in s.lower()]
    assert mathjax and all("://" not in s for s in mathjax), mathjax
    QuietHandler.requested.clear()
    dom = rendered_dom(f"{server}/{page}.html")
    fetched = {path.split("?")[0] for path, status in QuietHandler.requested if status == "200"}
    assert any(p.endswith("mathjax/tex-chtml.js") for p in fetched), fetched
    assert "<mjx-container" in dom, "no formula typeset (MathJax did not run)"


# ---- a phone-sized screen: the DevTools protocol of the same Chromium, over tornado's websocket
# client (tornado is already installed with Jupyter); no page may be wider than the screen
# except inside a box that scrolls on its own (wide tables, code cells)

OVERFLOW_JS = """(() => {
  const vw = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1 || !el.checkVisibility({visibilityProperty: true})) continue;
    let p = el.parentElement, contained = false;
    while (p && p !== document.body) {
      const s = getComputedStyle(p);
      if (/(auto|scroll|hidden|clip)/.test(s.overflowX) && p.getBoundingClientRect().right <= vw + 1) {
        contained = true; break;
      }
      p = p.parentElement;
    }
    if (!contained) bad.push(`${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]} to ${Math.round(r.right)} px`);
  }
  return JSON.stringify({width: vw, page: document.documentElement.scrollWidth, wider: bad.slice(0, 5)});
})()"""


async def _too_wide(urls: list[str], width: int) -> dict[str, dict]:
    import asyncio
    import json
    import tempfile
    import urllib.request

    from tornado.websocket import websocket_connect

    profile = tempfile.mkdtemp()
    process = subprocess.Popen([CHROMIUM, *CHROMIUM_FLAGS, "--remote-debugging-port=0",
                                f"--user-data-dir={profile}", f"--window-size={width},900",
                                "about:blank"], stderr=subprocess.PIPE, text=True)
    try:
        address = None
        for line in process.stderr:
            found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if found:
                address = f"http://127.0.0.1:{found.group(1)}"
                break
        assert address, "Chromium did not open its DevTools port"
        targets = json.loads(urllib.request.urlopen(f"{address}/json", timeout=10).read())
        page = next(t for t in targets if t["type"] == "page")
        connection = await websocket_connect(page["webSocketDebuggerUrl"], max_message_size=2**26)
        counter = 0

        async def call(method, wait_for=None, **params):
            """Send a command; return its answer once it (and the event ``wait_for``) came"""
            nonlocal counter
            counter += 1
            connection.write_message(json.dumps({"id": counter, "method": method, "params": params}))
            answer, waited = None, wait_for is None
            while answer is None or not waited:
                message = json.loads(await asyncio.wait_for(connection.read_message(), 60))
                if message.get("id") == counter:
                    answer = message
                waited = waited or message.get("method") == wait_for
            return answer

        await call("Page.enable")
        await call("Emulation.setDeviceMetricsOverride", width=width, height=900,
                   deviceScaleFactor=1, mobile=False)
        results = {}
        for url in urls:
            await call("Page.navigate", wait_for="Page.loadEventFired", url=url)
            await asyncio.sleep(0.5)
            value = await call("Runtime.evaluate", expression=OVERFLOW_JS, returnByValue=True)
            results[url] = json.loads(value["result"]["result"]["value"])
        connection.close()
        return results
    finally:
        process.kill()


def test_every_page_fits_a_400_px_screen(server):
    import asyncio

    urls = [f"{server}/{page}.html" for page in toc_pages()]
    measured = asyncio.run(_too_wide(urls, 400))
    problems = [f"{url.split('/', 3)[-1]}: {m['page']} px wide on a {m['width']} px screen "
                f"({'; '.join(m['wider'])})"
                for url, m in measured.items() if m["page"] > m["width"] or m["wider"]]
    assert not problems, "\n".join(problems)
