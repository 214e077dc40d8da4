"""What the book's pages are made of: plots, paper-vs-ours tables and verdicts, widgets, attention maps

Book: every notebook in ``notebooks/`` imports from here, so that notebooks hold narrative and
figures, not logic. Modules mirror what a page shows:

- ``plots``: spectrograms with colour bars and ground-truth boxes, confusion matrices
- ``tables``: the paper's number beside ours (mean ± 95 % CI over folds × seeds, n, dataset,
  profile), claims and their verdicts, computed from records by one function (``compare``)
- ``widgets``: sliders over precomputed figures that work in the static book
- ``attention_maps``: a trained model's attention over a whole clip, and how much of it lies
  on the ground-truth events (the localisation metric)
"""
