"""Attention modules by their properties (ascnb.models.attention)"""

from __future__ import annotations

import pytest
import torch

from ascnb.models.attention import (FrameAttention, FrequencyAttention, PixelAttention,
                                    SqueezeExcitation, TemporalAttentionPooling, TimeAttention,
                                    upsample_weights)

torch.set_num_threads(2)


@pytest.fixture
def X():
    torch.manual_seed(0)
    return torch.randn(3, 32, 12, 20)  # (batch, channels, freq, time)


@pytest.mark.parametrize("pba_ws", ["tensor", "channel"])
def test_pba_with_gamma_zero_is_the_identity_before_its_relu(X, pba_ws):
    pba = PixelAttention(32, pba_ws=pba_ws)
    assert pba.gamma.item() == 0.0  # the documented start
    branch = pba.branch(X)[0]
    assert torch.count_nonzero(branch) == 0
    output, _ = pba(X)
    torch.testing.assert_close(output, torch.relu(X), rtol=0, atol=0)
    # the same module with γ moved away from 0 does change X: the check above can fail
    with torch.no_grad():
        pba.gamma.fill_(0.5)
    assert not torch.allclose(pba(X)[0], torch.relu(X))


@pytest.mark.parametrize("pba_ws, ws_shape", [("tensor", (3, 32, 12, 20)), ("channel", (3, 32))])
def test_pba_weights_and_parameters(X, pba_ws, ws_shape):
    pba = PixelAttention(32, kernel_size=5, reduction=8, gamma_init=0.25, pba_ws=pba_ws)
    output, weights = pba(X)
    assert output.shape == X.shape and (output >= 0).all()
    assert weights["pixel"].shape == (3, 12, 20) and (weights["pixel"] >= 0).all()  # ReLU(Wk)
    assert weights["channel"].shape == (3, 32)
    assert ((weights["channel"] > 0) & (weights["channel"] < 1)).all()  # SE sigmoid
    assert pba.branch(X)[3].shape == ws_shape  # "the output tensor Ws has the same dimension as X"
    assert ("se_map" in weights) == (pba_ws == "tensor")
    if pba_ws == "tensor":
        assert weights["se_map"].shape == (3, 12, 20)  # plottable on the pixel grid
    assert pba.value.kernel_size == (5, 5) and pba.se.fc1.out_features == 32 // 8
    assert pba.gamma.item() == 0.25
    with pytest.raises(ValueError, match="kernel_size"):
        PixelAttention(32, kernel_size=4)
    with pytest.raises(ValueError, match="pba_ws"):
        PixelAttention(32, pba_ws="pixel")


def test_pba_readings_follow_eq_19_each_in_its_own_way(X):
    """Both readings written out from the equations, and different computations on the same weights"""
    torch.manual_seed(2)
    tensor = PixelAttention(32, gamma_init=0.5, pba_ws="tensor")
    channel = PixelAttention(32, gamma_init=0.5, pba_ws="channel")
    # F_tr exists only in the "tensor" reading; every other weight is shared
    extra = set(tensor.state_dict()) - set(channel.state_dict())
    assert extra == {"transform.weight", "transform.bias"}
    assert set(channel.state_dict()) < set(tensor.state_dict())
    channel.load_state_dict({k: v for k, v in tensor.state_dict().items() if k not in extra})
    with torch.no_grad():
        Wm = tensor.value(X) * torch.relu(tensor.key(X))  # (batch, C, H, W), eq. 14
        U = tensor.transform(X)  # F_tr, eq. 15-16
        s_U = torch.sigmoid(tensor.se.fc2(torch.relu(tensor.se.fc1(U.mean(dim=(2, 3))))))  # eq. 17-18
        s_X = torch.sigmoid(tensor.se.fc2(torch.relu(tensor.se.fc1(X.mean(dim=(2, 3))))))
        expected_tensor = torch.relu(X + 0.5 * Wm * U * s_U[:, :, None, None])  # Ws = U·s
        expected_channel = torch.relu(X + 0.5 * Wm * s_X[:, :, None, None])  # Ws = s
        out_tensor, weights_tensor = tensor(X)
        out_channel, weights_channel = channel(X)
    torch.testing.assert_close(out_tensor, expected_tensor)
    torch.testing.assert_close(out_channel, expected_channel)
    torch.testing.assert_close(weights_tensor["pixel"], weights_channel["pixel"])  # shared Wk
    assert not torch.allclose(out_tensor, out_channel, atol=1e-3)  # the readings differ
    torch.testing.assert_close(weights_tensor["channel"], s_U)
    torch.testing.assert_close(weights_channel["channel"], s_X)


def test_squeeze_excitation_weights_one_per_channel(X):
    se = SqueezeExcitation(32, reduction=16)
    output, s = se(X)
    assert s.shape == (3, 32) and ((s > 0) & (s < 1)).all()
    torch.testing.assert_close(output, X * s[:, :, None, None])
    assert SqueezeExcitation(8, reduction=16).fc1.out_features == 1  # narrow layers still work


@pytest.mark.parametrize("module, gain", [(FrameAttention(32, "softmax"), 1),
                                          (TimeAttention(32, "softmax"), 20)])
def test_softmax_frame_attention_sums_to_one_over_frames(module, gain, X):
    output, A = module(X)
    assert A.shape == (3, 20)
    torch.testing.assert_close(A.sum(dim=1), torch.ones(3))
    assert (A > 0).all()
    # applied frame-wise, broadcast over channels and frequency (TB-CNN: n·α keeps the scale)
    torch.testing.assert_close(output, X * gain * A[:, None, None, :])


@pytest.mark.parametrize("module, axis", [(TimeAttention(32, rescale_softmax=False), 3),
                                          (FrequencyAttention(12, rescale_softmax=False), 2)])
def test_softmax_attention_without_rescaling_multiplies_by_the_distribution(module, axis, X):
    output, alpha = module(X)
    shape = [alpha.shape[0], 1, 1, 1]
    shape[axis] = alpha.shape[1]
    torch.testing.assert_close(output, X * alpha.reshape(shape))  # eq. 13 as written: X ⊙ α
    torch.testing.assert_close(alpha.sum(dim=1), torch.ones(3))


@pytest.mark.parametrize("module", [FrameAttention(32, "sigmoid"), TimeAttention(32, "sigmoid"),
                                    FrequencyAttention(12, "sigmoid")])
def test_sigmoid_attention_weights_lie_in_0_1(module, X):
    with torch.no_grad():  # large inputs push a sigmoid to its limits; it must stay inside (0, 1)
        _, A = module(3 * X)
    assert ((A > 0) & (A < 1)).all()
    assert not torch.allclose(A.sum(dim=1), torch.ones(3))  # not normalised


def test_frequency_attention_is_a_distribution_over_bins(X):
    module = FrequencyAttention(12)
    output, alpha = module(X)
    assert alpha.shape == (3, 12)
    torch.testing.assert_close(alpha.sum(dim=1), torch.ones(3))
    torch.testing.assert_close(output, X * 12 * alpha[:, None, :, None])  # H·α keeps the scale
    with pytest.raises(RuntimeError):  # the FC layer is built for 12 bins
        module(torch.randn(1, 32, 13, 20))


def test_constant_score_reduces_l10_attention_to_mean_pooling():
    torch.manual_seed(1)
    h = torch.randn(4, 7, 512)  # (batch, time, features)
    pooling = TemporalAttentionPooling(512)
    with torch.no_grad():
        pooling.score.weight.zero_()
        pooling.score.bias.fill_(3.7)  # any constant
    v, beta = pooling(h)
    torch.testing.assert_close(beta, torch.full((4, 7), 1 / 7))
    torch.testing.assert_close(v, h.mean(dim=1))
    # a learnt score is not mean pooling, and still a distribution over steps
    v, beta = TemporalAttentionPooling(512)(h)
    torch.testing.assert_close(beta.sum(dim=1), torch.ones(4))
    assert not torch.allclose(v, h.mean(dim=1))


@pytest.mark.parametrize("module", [FrameAttention(32, "sigmoid"), TimeAttention(32, "sigmoid")])
def test_frame_weights_follow_the_frames_of_their_input(module, X):
    """Perturbing late frames changes late weights only (sigmoid: no normalisation couples them)"""
    with torch.no_grad():
        _, A = module(X)
        X2 = X.clone()
        X2[..., 17:] += 5 * torch.randn_like(X2[..., 17:])
        _, A2 = module(X2)
    changed = (A - A2).abs().amax(dim=0) > 1e-6
    assert changed[17:].all()
    assert not changed[:15].any()  # a 3-frame kernel reaches one frame back


def test_unknown_scale_is_rejected():
    with pytest.raises(ValueError, match="attention_scale"):
        FrameAttention(8, "tanh")


def test_upsample_weights_maps_each_input_frame_to_its_pooled_frame():
    w = torch.arange(7.0)[None]  # (batch, T') at stride 18
    on_input = upsample_weights(w, (18,), (128,))
    assert on_input.shape == (1, 128)
    assert on_input[0, 0] == 0 and on_input[0, 17] == 0 and on_input[0, 18] == 1
    assert on_input[0, 125] == 6 and on_input[0, 127] == 6  # frames dropped by floor pooling
    pixel = torch.arange(12.0).reshape(1, 3, 4)  # (batch, F', T')
    grid = upsample_weights(pixel, (2, 4), (6, 16))
    assert grid.shape == (1, 6, 16) and grid[0, 5, 15] == 11 and grid[0, 2, 4] == 5
    with pytest.raises(ValueError, match="strides"):
        upsample_weights(w, (2, 2), (4,))
