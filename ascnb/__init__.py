"""ascnb: a reproducible, teachable companion to two papers on attention for audio.

Layers, in the order data flows through them (see DESIGN.md):
``ascnb.data`` → ``ascnb.features`` → ``ascnb.models`` → ``ascnb.train`` →
``ascnb.evaluate`` → ``ascnb.experiment`` (the catalogue of paper tables, result records)
→ ``ascnb.report`` (tables, verdicts, figures) → notebooks → book.
"""

__version__ = "0.1.0"
