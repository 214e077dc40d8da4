"""Widgets that work in the static book: precomputed views switched in the browser

Book: notebooks/04-attention.ipynb. The slider and the pictures are ipywidgets whose state is
saved in the executed notebook, so the static book switches pictures without a kernel (the
book serves the widget manager from its own files); in Jupyter they work the same.
``audio_players`` puts a player beside every clip a page shows (notebooks 01, 04, 13, 24): the
audio is embedded in the page, so it plays offline too.
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


def audio_players(data, positions, *, rate: int = 16000, label=None):
    """HTML audio players, one per clip of ``data`` (an AudioDataset) at ``positions``

    Each clip is read as the pipeline reads it, resampled to ``rate`` (16 kHz keeps a page light:
    about 210 kB per 5 s clip) and embedded as a WAV in the page, under a caption naming its
    class and file (``label(clip_row)`` to name it otherwise). Returns an ``IPython.display.HTML``;
    a position outside the dataset raises IndexError naming it and the dataset's size.
    """
    import librosa
    import numpy as np
    from IPython.display import HTML, Audio

    n = len(data.clips)
    players = []
    for i in positions:
        if not 0 <= int(i) < n:
            raise IndexError(f"audio_players: no clip at position {i} (the dataset has {n} clips)")
        clip = data.clips.iloc[int(i)]
        audio = np.asarray(data.read(int(i)), dtype=np.float32)
        if data.sample_rate != rate:
            audio = librosa.resample(audio, orig_sr=data.sample_rate, target_sr=rate)
        player = Audio(audio, rate=rate)._repr_html_().strip()
        caption = label(clip) if label else f"{clip['category']} ({clip['filename']})"
        players.append("<div style='display:inline-block;margin:0 1em 0.5em 0'>"
                       f"<div style='font-size:0.85em'>{caption}</div>{player}</div>")
    return HTML("".join(players))
