"""Parameters and FLOPs per segment of every network, beside the ACRNN paper's Table 2

Book: notebooks/03-models.ipynb ("Cost beside the ACRNN paper's Table 2"). ``model_cost`` runs one
forward pass of a batch of one segment under ``torch.utils.flop_counter.FlopCounterMode``:
no hand-counted formulas. What it counts: matrix products and convolutions, 2 FLOPs per
multiply-add, including the GRUs (they run as matrix products per time step); not the
element-wise work (batch norm, ReLU, pooling, GRU gates, softmax), which is small beside them.

Why our FLOPs differ from Table 2: see ``NOTES`` (also printed by ``python -m ascnb models``).
"""

from __future__ import annotations

import pandas as pd
import torch
from torch.utils.flop_counter import FlopCounterMode

from ascnb.reference import paper_table

NOTES = """\
The published FLOPs are close to two per parameter -- PiczakCNN 63.27 M against
2 x 31.53 M = 63.07 M, convolutional RNN 9.17 M against 2 x 3.81 M = 7.62 M -- i.e. they count
roughly one multiply and one add per WEIGHT, not per weight use. A forward pass applies each
convolution kernel at every position of its feature map: the first layer of PiczakCNN alone
(2·57·6 = 684 weights per filter, 80 filters, 4 x 36 positions) is 15.8 M FLOPs, and ACRNN's l2
(32 filters 3x5 over 32 channels at 128 x 128 positions) is 503 M FLOPs, 55 times the whole
published figure. One way such counts arise (a guess the paper cannot confirm) is TensorFlow
1's graph profiler run on a Keras graph whose batch dimension is unknown: convolutions are then
skipped and the weight initialisers' multiply-add are counted. Our parameter counts match
Table 2 exactly in the readings that reproduce it (rows "piczak, pool_padding=same" and
"crnn/acrnn, padding=valid, axes=time-freq", 10 classes); see ascnb.models.piczak and
ascnb.models.acrnn. Our defaults follow the papers' text instead (those rows without params)."""

def cost_rows() -> list[tuple[str, dict, str | None]]:
    """(model name, build params, row of ACRNN Table 2 or None) of every registered model's cost rows"""
    from ascnb.models.registry import MODELS

    return [(name, dict(params), paper_row) for name, spec in MODELS.items()
            for params, paper_row in spec.cost_rows]


def __getattr__(name: str):
    if name == "COST_ROWS":  # the former constant, now read from the registry
        return tuple(cost_rows())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def model_cost(model: torch.nn.Module, input_shape: tuple[int, int, int]) -> dict[str, int]:
    """{"params": trainable parameters, "flops": FLOPs of one forward pass of one segment}

    ``input_shape`` = (channels, bands, frames), batch 1, eval mode (dropout off), no autograd
    """
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    was_training = model.training
    model.eval()
    try:
        X = torch.zeros(1, *input_shape)
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(X)
    finally:
        model.train(was_training)
    return {"params": int(params), "flops": int(counter.get_total_flops())}


def cost_table(n_classes: int = 10) -> pd.DataFrame:
    """Parameters and FLOPs per segment of every network beside ACRNN Table 2 (``NOTES`` explains the gap)

    One row per cost row of every registered model (``cost_rows()``, the specs'
    ``cost_rows``) at its default input shape; n_classes = 10
    (ESC-10, the class count for which Table 2's parameter counts match). Columns: model,
    variant (the build parameters of the row, e.g. "pba_ws=channel"; "" the model as
    registered), input_shape, n_classes, params_M and flops_M (ours), paper_model,
    paper_params_M and paper_flops_M (Table 2), n_params and n_flops (exact counts)
    """
    from ascnb.models import build_model, default_input_shape

    paper = paper_table("acrnn", "table2_complexity")
    rows = []
    for name, params, paper_row in cost_rows():
        input_shape = default_input_shape(name)
        cost = model_cost(build_model(name, n_classes, input_shape, **params), input_shape)
        rows.append({
            "model": name,
            "variant": ", ".join(f"{k}={v}" for k, v in params.items()),
            "input_shape": "x".join(map(str, input_shape)),
            "n_classes": n_classes,
            "params_M": round(cost["params"] / 1e6, 3),
            "flops_M": round(cost["flops"] / 1e6, 2),
            "paper_model": paper_row or "",
            "paper_params_M": paper.loc[paper_row, "params_M"] if paper_row else None,
            "paper_flops_M": paper.loc[paper_row, "flops_M"] if paper_row else None,
            "n_params": cost["params"],
            "n_flops": cost["flops"],
        })
    return pd.DataFrame(rows)
