"""Point the launch and source buttons of executed notebooks at their sources in notebooks/

The runner writes executed copies to book/_generated/ (git-ignored); Colab, Binder and the
repository only hold the parametrised source notebooks/NAME.ipynb, so the URLs that
sphinx-book-theme builds from the page name are rewritten after it has built them.
"""

GENERATED = "book/_generated/"
SOURCE = "notebooks/"


def rewrite_urls(item):
    """Replace the generated folder by notebooks/ in every "url" of a header button tree"""
    if isinstance(item, dict):
        url = item.get("url")
        # only external links (Colab, Binder, repository); downloads stay local
        if isinstance(url, str) and url.startswith("http"):
            item["url"] = url.replace(GENERATED, SOURCE)
        for value in item.values():
            rewrite_urls(value)
    elif isinstance(item, list):
        for value in item:
            rewrite_urls(value)


def point_to_source(app, pagename, templatename, context, doctree):
    if pagename.startswith(GENERATED):
        rewrite_urls(context.get("header_buttons", []))


def setup(app):
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", point_to_source, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
