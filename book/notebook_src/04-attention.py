# %% [markdown]
# # Attention for audio classification
#
# **Overview.** Both papers in this book add *attention* to a network that classifies
# spectrograms. This chapter builds the idea up from nothing, on a real ESC-10 recording
# (the `dataset` parameter picks another set; the first code cell prints which clip), with
# the modules of `ascnb.models.attention`: soft attention as a weighted average, scaled
# dot-product and self-attention, the squeeze-and-excitation block {cite:p}`hu2018squeeze`,
# sub-spectrogram (frequency) attention, pixel-based attention (PB-CNN, {cite:p}`pbcnn2020`)
# and frame-level attention (ACRNN, {cite:p}`zhang2021acrnn`). The sliders switch between
# precomputed pictures, so they work in this page without a running kernel.
#
# **Prerequisites.** {doc}`01-data` and {doc}`02-features` (what a log-gammatone spectrogram
# is); a little PyTorch.

# %% tags=["parameters"]
dataset = "esc10"          # the recordings to look at: esc10 (real), synthetic, …
data_root = None           # None: where the dataset registry finds it (ASCNB_DATA, ./data, ../shared)
profile = "quick"          # this chapter trains nothing; kept for the runner's interface
seed = 0
category = "dog"           # a class of the dataset (ESC-10: dog, rain, crying_baby, clock_tick, …)

# %% tags=["fold"]
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import LogNorm
from IPython.display import display

from ascnb.data import load_dataset
from ascnb.features import band_frequencies, extract, feature_config
from ascnb.models.attention import (FrameAttention, FrequencyAttention, PixelAttention,
                                    SqueezeExcitation, TemporalAttentionPooling, scale_scores)
from ascnb.report.plots import plot_spectrogram
from ascnb.report.tables import dataset_label, glue
from ascnb.report.widgets import audio_players, figure_grid, figure_slider

torch.manual_seed(seed)
data = load_dataset(dataset, data_root)           # not found: the error names every place looked in
if category not in set(data.clips["category"]):
    print(f"{dataset_label(data)} has no class {category!r}: showing {data.classes[0]!r}")
    category = data.classes[0]
i = int(data.clips.index[data.clips["category"] == category][0])
config = feature_config("gammatone")
X = extract(config, data.read(i))                 # (2, 128, frames): log-gammatone and its delta
band_hz = band_frequencies(config)
S = X[0]                                          # (bands, frames)
glue("attention_clip", f"{category} ({dataset_label(data)})")
print(f"{dataset_label(data)}: {category}, {data.clips.iloc[i]['filename']}, features {X.shape}")
display(audio_players(data, [i]))                # the clip every figure below shows

# %% [markdown]
# ## Soft attention is a weighted average
#
# A classifier must turn a spectrogram of variable content into one decision. The simplest
# summary averages every frame equally. *Attention* averages with weights: a score $e_t$ per
# frame, turned into weights $a_t$ by a *scaling function*, and the summary
# $v = \sum_t a_t h_t$. With the softmax $a_t = e^{e_t / \tau} / \sum_s e^{e_s / \tau}$ the
# weights sum to one; the *temperature* $\tau$ decides how peaked they are. With the sigmoid
# $a_t = \sigma(e_t / \tau)$ every frame is weighted on its own, between 0 and 1, and several
# frames can be fully on — the ACRNN paper compares the two (its Table 4 and Fig. 5).
#
# Here the score of a frame is simply its loudness (mean log energy over bands, standardised):
# a hand-made attention that says "loud frames matter". Move the slider and switch the scaling.

# %%
loudness = S.mean(axis=0)
scores = torch.tensor((loudness - loudness.mean()) / loudness.std(), dtype=torch.float32)
temperatures = [0.1, 0.25, 0.5, 1.0, 2.0, 4.0]


def attention_figure(weights, title):
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.6, 3.6), sharex=True, layout="constrained",
                                      gridspec_kw={"height_ratios": [3, 1]})
    image = plot_spectrogram(top, S, hop_seconds=config.hop_seconds, band_hz=band_hz, title=title,
                             colorbar=False)
    fig.colorbar(image, ax=[top, bottom], fraction=0.04, pad=0.02).set_label("log energy (dB)", fontsize=8)
    top.set_xlabel("")
    t = np.arange(len(weights)) * config.hop_seconds
    bottom.fill_between(t, weights, step="mid", alpha=0.7)
    bottom.set_xlim(t[0], t[-1])
    bottom.set_ylabel("weight")
    bottom.set_xlabel("time (s)")
    return fig


figures = {}
for scale in ["softmax", "sigmoid"]:
    for tau in temperatures:
        a = scale_scores(scores[None] / tau, scale)[0].numpy()
        figures[(scale, tau)] = attention_figure(a, f"{scale}, τ = {tau}")
display(figure_grid(figures, "scaling", "temperature τ"))

# %% [markdown]
# With the softmax and a small $\tau$ nearly all the weight goes to the loudest few frames;
# with a large $\tau$ the weights approach $1/T$ and attention becomes mean pooling. The
# sigmoid never normalises: at a small $\tau$ it is a hard gate (every frame above average is
# on), at a large one every frame gets about one half.

# %%
a = scale_scores(scores[None], "softmax")[0]
glue("attention_max_weight_softmax", float(a.max()))
glue("attention_uniform_weight", 1 / len(a))
print(f"largest softmax weight at τ = 1: {a.max():.4f}; uniform weight 1/T: {1 / len(a):.4f}")

# %% [markdown]
# ## Scaled dot-product and self-attention
#
# Where does the score come from? In *scaled dot-product attention* {cite:p}`vaswani2017attention`
# a query $q$ is compared with keys $k_t$: $e_t = q \cdot k_t / \sqrt{d}$, and the weights
# average values $v_t$. In *self-attention* every frame is a query, so each frame is rebuilt
# as a weighted average of all frames. With the raw spectrogram frames as queries, keys and
# values, the attention matrix shows which frames resemble which. Each frame resembles itself
# most, so the diagonal is brightest; the colour scale is logarithmic so that the rest shows:
# frames of the same sound (a bark, a repeated event shape) attend to each other as bright
# blocks, while quiet background frames spread their weight evenly over the other quiet frames
# and give the loud ones almost none (dark bands).

# %% mystnb={"figure": {"caption": "Self-attention weights between the frames of the clip: row i shows how much frame i attends to every other frame."}}
frames = torch.tensor(S.T, dtype=torch.float32)              # (time, bands)
frames = (frames - frames.mean(0)) / (frames.std(0) + 1e-6)
d = frames.shape[1]
attention_matrix = torch.softmax(frames @ frames.T / np.sqrt(d), dim=-1)   # (time, time)
fig, ax = plt.subplots(figsize=(4.2, 3.6))
weights_matrix = np.maximum(attention_matrix.numpy(), 1e-6)  # weights below 1e-6 shown as 1e-6
image = ax.imshow(weights_matrix, origin="lower", cmap="viridis",
                  extent=[0, S.shape[1] * config.hop_seconds] * 2,
                  norm=LogNorm(vmin=float(weights_matrix.min()), vmax=float(weights_matrix.max())))
fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03).set_label("weight (log scale)", fontsize=8)
ax.set_xlabel("key frame (s)")
ax.set_ylabel("query frame (s)")
ax.set_title("self-attention weights")
glue("attention_self_matrix", fig, display=False)
plt.show()

# %% [markdown]
# ## Channel attention: the squeeze-and-excitation block
#
# Attention need not weight time. The SE block {cite:p}`hu2018squeeze` averages each channel of a
# feature map to one number (squeeze), passes the vector through two small layers and a sigmoid
# (excitation), and rescales each channel. PB-CNN uses it inside PBA to compute $W_s$. Below,
# an untrained SE block on the two channels of our input: the weights start near
# one half, training is what makes them informative.

# %%
Z = (X - X.mean(axis=(1, 2), keepdims=True)) / X.std(axis=(1, 2), keepdims=True)  # per channel, as in training
X_batch = torch.tensor(Z[None], dtype=torch.float32)       # (batch, channels, freq, time)
se = SqueezeExcitation(channels=2, reduction=1)
_, channel_weights = se(X_batch)
print("channel weights (log-gammatone, delta):", channel_weights[0].detach().numpy().round(3))

# %% [markdown]
# ## Frequency attention: sub-spectrograms
#
# The FB-CNN of the PB-CNN paper weights frequency bands: average over time and channels to a
# profile over bands, a fully connected layer, and a softmax over bands. Bands that carry the
# class get more weight; in a scene the traffic rumble and the birds live in different bands.
# Below, the module on our clip with its fully connected layer set by hand to the identity, so
# that a band's score is its mean log energy: at a low temperature the softmax gives the
# loudest bands almost all the weight, at a high one it tends to the uniform 1/bands. Trained,
# the layer learns which bands matter for the classes instead of which are loud.

# %% mystnb={"figure": {"caption": "Frequency attention on the clip: the band profile (mean over time) and the softmax weights over bands at three temperatures, with the uniform weight 1/bands for reference."}}
fb = FrequencyAttention(n_bins=S.shape[0])
profile = torch.tensor(S.mean(axis=1), dtype=torch.float32)          # (bands,) mean over time
profile = (profile - profile.mean()) / profile.std()
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
left.plot(band_hz / 1000, S.mean(axis=1), color="black")
left.set_xlabel("band centre (kHz)")
left.set_ylabel("mean log energy (dB)")
left.set_title("band profile", fontsize=10)
for tau in (0.25, 1.0, 4.0):
    with torch.no_grad():
        fb.fc.weight.copy_(torch.eye(S.shape[0]) / tau)           # score = profile / τ
        fb.fc.bias.zero_()
        _, alpha = fb(((torch.tensor(S, dtype=torch.float32) - torch.tensor(S.mean()))
                       / torch.tensor(S.std()))[None, None])        # (1, bands)
    right.plot(band_hz / 1000, alpha[0].numpy(), label=f"τ = {tau}")
right.axhline(1 / S.shape[0], color="grey", ls=":", label="uniform 1/bands")
right.set_xlabel("band centre (kHz)")
right.set_ylabel("weight α")
right.set_yscale("log")
right.set_title("softmax over bands", fontsize=10)
right.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()

# %% [markdown]
#
# ## Pixel-based attention and γ
#
# PBA weights every time–frequency cell: $W_k = \mathrm{ReLU}(\mathrm{conv}_{1\times1}(X))$ is
# one weight per pixel, $W_v$ a convolution of $X$, $W_s$ the output of an SE block, and the
# output is $\mathrm{ReLU}(X + \gamma \cdot (W_v \odot W_k) \odot W_s)$. The paper says $W_s$
# "has the same dimension as $X$": a convolution $F_{tr}(X)$ rescaled per channel by the SE
# weights (`pba_ws="tensor"`, our default); the SE channel weights alone are the other reading
# (`pba_ws="channel"`). The learnable $\gamma$ mixes the attended map into the input:
# $\gamma = 0$ gives $\mathrm{ReLU}(X)$, the input wherever it is positive and zero elsewhere
# (the tests of `ascnb.models.attention` check it), a large $\gamma$ lets the attended cells
# dominate.
#
# Here we set the PBA's layers by hand so that it is readable: $W_v$ the identity, $W_k$ the
# part of the log-energy above its mean, and, in the channel reading of $W_s$, channel weights
# of one.

# %%
pba = PixelAttention(channels=1, kernel_size=3, reduction=1, pba_ws="channel")
with torch.no_grad():
    pba.value.weight.zero_()
    pba.value.weight[0, 0, 1, 1] = 1.0                        # Wv = X
    pba.value.bias.zero_()
    pba.key.weight.fill_(1.0)                                 # Wk = ReLU(X - mean)
    pba.se.fc2.weight.zero_()
    pba.se.fc2.bias.fill_(20.0)                               # Ws = sigmoid(20) ≈ 1
    S_in = torch.tensor((S - S.min())[None, None], dtype=torch.float32)   # (1, 1, bands, frames), >= 0
    pba.key.bias.fill_(-float(S_in.mean()))

gammas = [0.0, 0.05, 0.1, 0.2, 0.5, 1.0]
outputs = {}
for gamma in gammas:
    with torch.no_grad():
        pba.gamma.fill_(gamma)
        outputs[gamma] = pba(S_in)[0][0, 0].numpy()
top = float(max(o.max() for o in outputs.values()))  # one colour scale for every γ: the slider shows growth
figures = {}
for gamma, output in outputs.items():
    fig, ax = plt.subplots(figsize=(7, 2.8))
    plot_spectrogram(ax, output, hop_seconds=config.hop_seconds, band_hz=band_hz,
                     title=f"PBA output, γ = {gamma}", label="output", vmin=0.0, vmax=top)
    figures[gamma] = fig
display(figure_slider(figures, "γ"))

# %% [markdown]
# ## Frame-level attention (ACRNN)
#
# ACRNN's attention for convolutional layers (its eq. 1–2) scores each frame with one 3×3
# convolution averaged over frequency, scales the scores with a softmax over frames or a
# sigmoid, and multiplies the feature map frame by frame. At the recurrent layer l10 it pools
# the Bi-GRU outputs with $\beta_t = \mathrm{softmax}_t(W h_t)$. A constant score makes that
# pooling a plain mean, which we can check:

# %%
h = torch.randn(1, 20, 8)                                     # (batch, steps, features)
pooling = TemporalAttentionPooling(n_features=8)
with torch.no_grad():
    pooling.score.weight.zero_()                              # every step scores the same
    v, beta = pooling(h)
print("attention pooling == mean pooling:", torch.allclose(v, h.mean(dim=1), atol=1e-6))
frame_attention = FrameAttention(channels=2, attention_scale="softmax")
with torch.no_grad():
    _, A = frame_attention(X_batch)
print("softmax frame weights sum to", A.sum().item())

# %% [markdown]
# ## Summary
#
# - Attention is a learned weighted average; the scaling function decides whether weights
#   compete (softmax, with a temperature) or gate frames independently (sigmoid).
# - It can weight frames (TB-CNN, ACRNN), bands (FB-CNN), channels (SE) or every
#   time–frequency cell (PBA, with γ deciding how much of the attended map is mixed in).
#
# ## What's next
#
# The two parts that follow train these modules inside the papers' networks, and
# {doc}`30-attention-localisation` measures whether the trained attention lands on the events
# that carry the class.
#
# ## Exercises
#
# 1. At which temperature does the softmax put more than half of the weight on a single frame
#    of this clip?
#
# :::{admonition} Solution
# :class: dropdown
#
# Compute `scale_scores(scores[None] / tau, "softmax").max()` for decreasing `tau`; for this
# clip it happens between the smallest temperatures of the slider. The answer depends on how
# much louder the loudest frame is than the others.
# :::
#
# 2. Show that PBA with γ = 0 returns ReLU of its input, whatever its layers.
#
# :::{admonition} Solution
# :class: dropdown
#
# `pba.gamma.fill_(0)`; then `torch.equal(pba(x)[0], torch.relu(x))` is true: the attended
# branch is multiplied by γ before it is added.
# :::
#
# 3. Replace the loudness score by the score of one band (for example the band of the dog's
#    bark, around 1 kHz). What changes in the weights?
#
# :::{admonition} Solution
# :class: dropdown
#
# `scores = torch.tensor(S[k] - S[k].mean())` for the band `k` closest to 1 kHz
# (`np.argmin(abs(band_hz - 1000))`): the weights follow the bark's fundamental and ignore
# broadband noise, which is what frequency-aware attention (FB-CNN, PBA) can learn.
# :::
