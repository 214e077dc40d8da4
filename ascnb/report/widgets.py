"""Widgets that work in the static book: precomputed views switched in the browser

Book: notebooks/04-attention.ipynb. The slider and the pictures are ipywidgets whose state is
saved in the executed notebook, so the static book switches pictures without a kernel (the
book serves the widget manager from its own files); in Jupyter they work the same.
"""

from __future__ import annotations


def figure_png(fig, dpi: int = 72) -> bytes:
    """A matplotlib figure as PNG bytes (and closed)"""
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def figure_slider(figures: dict, description: str, *, dpi: int = 72, value=None):
    """A slider over precomputed figures {value: fig}, linked in the browser (jslink)"""
    import ipywidgets as widgets

    labels = list(figures)
    images = [widgets.Image(value=figure_png(figures[k], dpi), format="png") for k in labels]
    stack = widgets.Stack(images, selected_index=labels.index(value) if value in labels else 0)
    slider = widgets.SelectionSlider(options=[(str(k), k) for k in labels],
                                     value=value if value in labels else labels[0],
                                     description=description, continuous_update=True,
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width="min(420px, 95%)"))
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return widgets.VBox([slider, stack])


def figure_grid(figures: dict, row_name: str, column_name: str, *, dpi: int = 72):
    """Buttons over the first key and a slider over the second of {(row, column): fig}"""
    import ipywidgets as widgets

    rows = list(dict.fromkeys(k[0] for k in figures))
    columns = list(dict.fromkeys(k[1] for k in figures))
    buttons = widgets.ToggleButtons(options=[str(r) for r in rows], description=row_name,
                                    style={"description_width": "initial"})
    slider = widgets.SelectionSlider(options=[str(c) for c in columns], description=column_name,
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width="min(420px, 95%)"))
    inner = []
    for r in rows:
        stack = widgets.Stack([widgets.Image(value=figure_png(figures[(r, c)], dpi), format="png")
                               for c in columns], selected_index=0)
        widgets.jslink((slider, "index"), (stack, "selected_index"))
        inner.append(stack)
    outer = widgets.Stack(inner, selected_index=0)
    widgets.jslink((buttons, "index"), (outer, "selected_index"))
    return widgets.VBox([buttons, slider, outer])
