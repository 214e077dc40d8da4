"""Each script once per page, no thebe while the book has no live kernel to offer, and the
MathJax 2 call of the widget manager answered by MathJax 3

Jupyter Book loads sphinx-thebe and sphinx-togglebutton, and their configuration scripts end
up twice in every page's head; the second ``const THEBE_JS_URL`` then throws "Identifier
'THEBE_JS_URL' has already been declared" in the console of every page. The book offers no
live code (no repository, no Binder: see _config.yml), so thebe's scripts are dropped, and
any other script listed twice is kept once.

The widget manager (@jupyter-widgets/html-manager 1.0) typesets widget labels with MathJax 2's
``MathJax.Hub.Queue``; the book serves MathJax 3, which has no ``Hub``, and every widget page
logged "Cannot read properties of undefined (reading 'Queue')". A small shim gives MathJax 3 a
``Hub.Queue`` that asks it to typeset the page.
"""

# Sphinx writes MathJax's configuration as ``window.MathJax = {...}`` on pages with math; the
# shim goes right after it (on the configuration object) and again on the loaded MathJax 3,
# which replaces window.MathJax (startup.ready)
MATHJAX2_SHIM = """
(function () {
  function queue() {
    if (window.MathJax && window.MathJax.typesetPromise) { window.MathJax.typesetPromise(); }
  }
  function shim(mathjax) { if (!mathjax.Hub) { mathjax.Hub = {Queue: queue}; } }
  var config = window.MathJax = window.MathJax || {};
  shim(config);
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) { ready(); } else { window.MathJax.startup.defaultReady(); }
    shim(window.MathJax);
  };
})();
"""


def is_thebe(script) -> bool:
    body = getattr(script, "attributes", {}).get("body", "") or ""
    return "THEBE_JS_URL" in body or filename(script).endswith("sphinx-thebe.js")


def filename(script) -> str:
    """The script's file ('' for an inline script: Sphinx stores None or '' for those)"""
    return str(getattr(script, "filename", script) or "")


def identity(script):
    attributes = getattr(script, "attributes", {}) or {}
    return (filename(script), tuple(sorted(attributes.items())))


def clean_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = identity(script)
        if is_thebe(script) or key in seen:
            continue
        seen.add(key)
        kept.append(script)
        if (getattr(script, "attributes", {}).get("body") or "").startswith("window.MathJax ="):
            kept.append(type(script)(None, body=MATHJAX2_SHIM))
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
