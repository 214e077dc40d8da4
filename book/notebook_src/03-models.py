# %% [markdown]
# # The networks of both papers
#
# **Overview.** Eight networks, one function: `build_model(name, n_classes, input_shape)`.
# Each is one entry of a registry (`ascnb.models.MODELS`: its class, the feature it reads, its
# paper and training recipe). This chapter lists them, runs one segment through each, and
# counts their parameters and floating-point operations with `torch.utils.flop_counter`
# beside the ACRNN paper's Table 2.
#
# **Prerequisites.** {doc}`02-features` (the input shapes).

# %% tags=["parameters"]
dataset = "synthetic"      # unused: only the class count matters here
data_root = None           # unused
profile = "quick"          # this chapter trains nothing
n_classes = 10

# %% tags=["fold"]
import pandas as pd
import torch

from ascnb.models import MODELS, build_model, default_input_shape
from ascnb.models.cost import cost_table
from ascnb.report.tables import glue

# %% [markdown]
# ## One segment through every network

# %%
rows = []
for name, spec in MODELS.items():
    shape = default_input_shape(name)
    model = build_model(name, n_classes, shape).eval()
    X = torch.zeros(2, *shape)                                  # (batch, channels, freq, time)
    with torch.no_grad():
        logits = model(X)
    rows.append({"model": name, "paper": spec.paper, "features": spec.features,
                 "attention": spec.has_attention, "input (C, F, T)": shape,
                 "logits": tuple(logits.shape),
                 "parameters": sum(p.numel() for p in model.parameters()),
                 "what it is": spec.description})
pd.DataFrame(rows).set_index("model")

# %% [markdown]
# ## Cost beside the ACRNN paper's Table 2

# %%
costs = cost_table(n_classes=n_classes)
acrnn = costs[costs["model"] == "acrnn"].iloc[0]
glue("models_acrnn_params_M", float(acrnn["params_M"]))
costs[["model", "variant", "input_shape", "params_M", "paper_params_M", "flops_M", "paper_flops_M"]]

# %% [markdown]
# Our FLOPs count every use of every weight; the paper's Table 2 counts about two per
# parameter, so for ACRNN the two differ a hundredfold. {doc}`20-acrnn-comparison-cost`
# explains the difference beside the same table, with the ratios.

# %% [markdown]
# ## Summary
#
# Every network takes (batch, channels, bands, frames) and returns logits; attention weights
# come back with `return_attention=True`.
#
# ## What's next
#
# {doc}`04-attention` opens the attention modules; the two parts that follow train the
# networks.
#
# ## Exercises
#
# 1. Build ACRNN with attention at l4 and softmax scaling, feed it a batch of two segments of
#    128 bands × 128 frames, and look at the weights it returns. How many frames does l4 see,
#    and what do the weights of one segment sum to? Then try `attention_scale="sigmoid"`.
#
# :::{admonition} Solution
# :class: dropdown
#
# `m = build_model("acrnn", attention_at=4, attention_scale="softmax", n_classes=10)`;
# `logits, w = m(torch.randn(2, 2, 128, 128), return_attention=True)` gives `w["l4"]` of
# shape (2, 42): the pooling after l2 (by 3 in time) leaves 42 of the 128 frames. Softmax weights sum
# to 1 over those frames; sigmoid weights are each in (0, 1) and sum to anything up to 42.
# :::
#
# 2. ACRNN has far fewer parameters than PiczakCNN in the cost table, yet costs far more
#    FLOPs per segment. Why?
#
# :::{admonition} Solution
# :class: dropdown
#
# A convolution's FLOPs grow with the size of its output map, its parameters do not:
# ACRNN's first two layers (32 filters of 3 × 5) run over the whole 128 × 128
# time–frequency grid before the first pooling. PiczakCNN's input is only 60 × 41, it
# pools early, and most of its parameters sit in two dense layers, which cost one
# multiply-add per weight per segment.
# :::
