"""Whole torch programs, written once in tests/programs/ against a namespace, run on
chainrule and compared with torch 2.13's record of the same program from the same
NumPy-drawn start (tests/programs/<module>_values.json): losses at every step, final
weights, gradients, argmax-decoded samples. Below them, the single calls those programs
found differing from torch, each with torch's value written in."""

from __future__ import annotations

import importlib
import json
import pathlib
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
import nn.functional as F
import optim
from tests.programs.namespace import Lib, differences

HERE = pathlib.Path(__file__).parent / "programs"
MODULES = ["makemore_mlp", "backprop_ninja", "wavenet", "nanogpt", "recurrent", "mnist",
           "transformer_lm", "rnn_tutorials", "gpt_video", "vision", "higher_order", "blitz",
           "tricks", "word_lm", "mingpt", "packed_rnn", "contrastive", "dqn",
           "nanogpt_train"]
# Records whose torch value is a rounding accident: where torch says True we must too.
AT_LEAST_WHERE_TORCH = {"exact"}


def _cases() -> list:
    out = []
    for modname in MODULES:
        mod = importlib.import_module(f"tests.programs.{modname}")
        for i, name in enumerate(mod.PROGRAMS):
            out.append(pytest.param(modname, name, i, id=f"{modname}.{name}"))
    return out


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # torch's warning too
@pytest.mark.parametrize(("modname", "name", "seed"), _cases())
def test_program_gives_torchs_numbers(modname: str, name: str, seed: int) -> None:
    want = json.loads((HERE / f"{modname}_values.json").read_text())[name]
    assert "ERROR" not in want
    got = importlib.import_module(f"tests.programs.{modname}").PROGRAMS[name](
        Lib(ag, nn, F, optim, nn.data, seed))
    for key in AT_LEAST_WHERE_TORCH & want.keys():
        w, g = want.pop(key), got.pop(key)
        assert [k for k in w if w[k] and not g[k]] == []
    assert differences(want, got, f"{modname}.{name}") == []


# -- single calls the programs found differing ------------------------------------------
def test_pow_gradient_is_torchs_formula_bit_for_bit() -> None:
    # backprop ninja: dcounts_sum = (-counts_sum**-2) * dcounts_sum_inv is torch's
    # counts_sum.grad exactly (torch.all(dt == t.grad) is True); NumPy's pow(x, -2) for
    # the VJP differed from the forward's 1/(x·x) in the last bit.
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.uniform(1, 5, (200,)).astype(np.float32), requires_grad=True)
    g = ag.tensor(rng.standard_normal(200).astype(np.float32))
    for e in (-1, -2, 3, 0.5):
        x.grad = None
        (x**e).backward(g)
        assert ag.all(x.grad == g * (e * x.detach() ** (e - 1))).item(), e  # torch: True


def test_index_add() -> None:
    x = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    s = ag.tensor(np.arange(6.0).reshape(3, 2) * 0.5 + 1, requires_grad=True)
    y = ag.index_add(x * 1, 1, ag.tensor([3, 3]), s, alpha=-2)
    assert y.tolist() == [[0.0, 1.0, 2.0, -2.0], [4.0, 5.0, 6.0, -2.0], [8.0, 9.0, 10.0, -2.0]]
    (y**2).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 4.0, -4.0], [8.0, 10.0, 12.0, -4.0],
                               [16.0, 18.0, 20.0, -4.0]]
    assert s.grad.tolist() == [[8.0, 8.0]] * 3
    z = ag.zeros(4, 2)
    assert z.index_add_(0, ag.tensor([0, 0, 2]), ag.ones(3, 2)) is z
    assert z.tolist() == [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    with pytest.raises(IndexError):
        z.index_add_(0, ag.tensor([0, 5]), ag.ones(2, 2))
    with pytest.raises(RuntimeError):
        z.index_add_(0, ag.tensor([0]), ag.ones(2, 2))  # source's shape
    with pytest.raises(RuntimeError):
        z.index_add_(0, ag.tensor([-1]), ag.ones(1, 2))  # torch refuses negative indices
    with pytest.raises(RuntimeError):
        z.index_add_(0, ag.tensor([0]), ag.ones(1, 2, dtype=ag.float64))


def test_torch_nn_and_torch_optim_inline() -> None:
    # nanoGPT: torch.nn.functional.scaled_dot_product_attention, torch.nn.init.normal_,
    # torch.optim.AdamW, torch.nn.utils.clip_grad_norm_ after `import torch` (was
    # AttributeError: module 'autograd' has no attribute 'nn')
    assert ag.nn is nn and ag.optim is optim
    assert ag.nn.functional is F and ag.nn.init.normal_ is nn.init.normal_
    assert ag.optim.AdamW is optim.AdamW and ag.nn.utils.clip_grad_norm_ is nn.utils.clip_grad_norm_


def test_adadelta() -> None:
    # examples/mnist's optimizer (AttributeError before); torch 2.13's numbers
    w = ag.tensor([[0.5, -1.5, 2.0], [0.1, -0.3, 1.2]], dtype=ag.float64, requires_grad=True)
    opt = optim.Adadelta([w], lr=0.5, rho=0.7, eps=1e-4, weight_decay=0.1)
    for _ in range(4):
        opt.zero_grad()
        (w**3 + w.sum() * w).sum().backward()
        opt.step()
    np.testing.assert_allclose(w.tolist(), [
        [0.46053968710705484, -1.540333914789111, 1.9600267292451288],
        [0.06053871849976283, -0.3396866886661991, 1.160270992680036]], rtol=1e-13)
    np.testing.assert_allclose(opt.state[w]["acc_delta"], [
        [0.00030683101540984634, 0.00032532131266397, 0.00031760281719264846],
        [0.0003068517899989686, 0.0003115615786686342, 0.00031244559775438045]], rtol=1e-12)
    w = ag.tensor([0.5, -1.5], requires_grad=True)
    opt = optim.Adadelta([w], maximize=True)
    for _ in range(3):
        opt.zero_grad()
        (w**2).sum().backward()
        opt.step()
    np.testing.assert_allclose(w.tolist(), [0.5097402334213257, -1.509718418121338], rtol=1e-6)
    assert {k: v for k, v in opt.defaults.items()} == {
        "lr": 1.0, "rho": 0.9, "eps": 1e-06, "weight_decay": 0, "maximize": True,
        "capturable": False, "foreach": None, "differentiable": False}
    for bad in (dict(lr=-1), dict(rho=1.5), dict(eps=-1), dict(weight_decay=-1)):
        with pytest.raises(ValueError):
            optim.Adadelta([w], **bad)


def test_view_as_reshape_as_expand_as() -> None:
    # examples/mnist: pred.eq(target.view_as(pred)) (AttributeError before)
    a = ag.ones(2, 3, requires_grad=True)
    assert a.view_as(ag.zeros(6)).shape == (6,)
    assert ag.zeros(6).reshape_as(a).shape == (2, 3)
    (a.expand_as(ag.zeros(4, 2, 3)) * 2).sum().backward()
    assert a.grad.tolist() == [[8.0] * 3] * 2


def test_transformer_encoder() -> None:
    # the transformer tutorial's nn.TransformerEncoder (AttributeError before)
    with pytest.warns(UserWarning, match="batch_first was not True"):
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6), 3)
    a, b = enc.layers[0].linear1.weight, enc.layers[2].linear1.weight
    assert len(enc.layers) == 3 and a is not b and ag.equal(a, b)
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, batch_first=True)
    enc = nn.TransformerEncoder(layer, 2).eval()
    x = ag.randn(2, 3, 4)
    pad = ag.tensor([[False, False, True], [False, False, False]])
    with ag.no_grad():  # torch's nested-tensor path: padded positions are 0
        out = enc(x, src_key_padding_mask=pad)
    assert out[0, 2].tolist() == [0.0] * 4 and out[1, 2].abs().sum().item() > 0
    assert enc(x, src_key_padding_mask=pad)[0, 2].abs().sum().item() > 0  # recording grads
    right = ag.tensor([[True, False, False], [False, False, False]])  # not left-aligned
    with ag.no_grad():
        assert enc(x, src_key_padding_mask=right)[0, 0].abs().sum().item() > 0


def test_torch_autograd_and_constants() -> None:
    # WGAN-GP / PINN code: torch.autograd.grad(...), torch.pi (AttributeError before)
    assert ag.autograd is ag and ag.autograd.grad is ag.grad
    assert ag.autograd.Function is ag.Function and ag.autograd.functional is ag.functional
    assert (ag.pi, ag.e, ag.inf, ag.newaxis) == (3.141592653589793, 2.718281828459045,
                                                 float("inf"), None)
    assert ag.nan != ag.nan


def test_add_sub_with_alpha_and_named_forms() -> None:
    # the 60-minute blitz: torch.add(x, y) (AttributeError before), Tensor.add(y, alpha=)
    x = ag.tensor([1.5, -2.0, 4.0], requires_grad=True)
    y = ag.tensor([0.5, 3.0, -1.0], requires_grad=True)
    i = ag.tensor([1, 2, 4])
    outs = [ag.add(x, y, alpha=2), ag.sub(x, y, alpha=0.5), ag.subtract(x, 2), ag.mul(x, y),
            ag.multiply(x, 3), ag.negative(x), ag.reciprocal(x), ag.true_divide(x, y),
            x.add(y, alpha=-1), x.sub(y, alpha=3), x.multiply(y), x.subtract(y),
            x.reciprocal(), x.negative(), x.true_divide(2), ag.add(x, 1),
            ag.add(i, i, alpha=2), ag.reciprocal(i), ag.sub(i, 1.5)]
    want = [[2.5, 4.0, 2.0], [1.25, -3.5, 4.5], [-0.5, -4.0, 2.0], [0.75, -6.0, -4.0],
            [4.5, -6.0, 12.0], [-1.5, 2.0, -4.0], [0.6666666865348816, -0.5, 0.25],
            [3.0, -0.6666666865348816, -4.0], [1.0, -5.0, 5.0], [0.0, -11.0, 7.0],
            [0.75, -6.0, -4.0], [1.0, -5.0, 5.0], [0.6666666865348816, -0.5, 0.25],
            [-1.5, 2.0, -4.0], [0.75, -1.0, 2.0], [2.5, -1.0, 5.0], [3, 6, 12],
            [1.0, 0.5, 0.25], [-0.5, 0.5, 2.5]]  # torch 2.13
    assert [o.tolist() for o in outs] == want
    assert [o.dtype for o in outs[-3:]] == [np.int64, np.float32, np.float32]
    sum((o.float() * (k + 1)).sum() for k, o in enumerate(outs) if o.requires_grad).backward()
    np.testing.assert_allclose(x.grad.tolist(), [70.11111450195312, 98.16666412353516, 31.25],
                               rtol=1e-6)
    np.testing.assert_allclose(y.grad.tolist(), [-75.5, -78.22222137451172, -22.0], rtol=1e-6)
    with pytest.raises(RuntimeError):
        ag.add(i, i, alpha=0.5)


def test_inplace_math_forms() -> None:
    # an EMA written ema.lerp_(p, w) (AttributeError before); torch 2.13's values
    a, b = ag.tensor([0.5, -1.25, 2.0]), ag.tensor([1.0, 2.0, -3.0])
    got = []
    for name, args in [("lerp_", (b, 0.25)), ("square_", ()), ("floor_", ()),
                       ("atan2_", (b,)), ("round_", ()), ("frac_", ()), ("fmod_", (0.75,)),
                       ("hypot_", (b,)), ("sign_", ())]:
        x = a.clone()
        assert getattr(x, name)(*args) is x
        got.append([round(v, 6) for v in x.tolist()])
    assert got == [[0.625, -0.4375, 0.75], [0.25, 1.5625, 4.0], [0.0, -2.0, 2.0],
                   [0.463648, -0.558599, 2.55359], [0.0, -1.0, 2.0], [0.5, -0.25, 0.0],
                   [0.5, -0.5, 0.5], [1.118034, 2.358495, 3.605551], [1.0, -1.0, 1.0]]
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    z = w * 1
    z.lerp_(ag.tensor([3.0, 5.0]), 0.5)
    z.square_()
    z.sum().backward()
    assert w.grad.tolist() == [2.0, 3.5]
    with pytest.raises(RuntimeError):
        w.lerp_(ag.ones(2), 0.1)  # a leaf that requires grad
    assert ag.tensor([1.23456]).round_(decimals=2).tolist() == pytest.approx([1.23])


def test_narrow() -> None:
    # word_language_model's batchify: data.narrow(0, 0, nbatch * bsz) (AttributeError before)
    x = ag.arange(12.0).view(3, 4)
    assert x.narrow(1, -2, 2).tolist() == [[2.0, 3.0], [6.0, 7.0], [10.0, 11.0]]
    assert ag.narrow(x, 0, 1, 2).tolist() == [[4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]
    assert x.narrow(1, ag.tensor(1), 2).tolist() == [[1.0, 2.0], [5.0, 6.0], [9.0, 10.0]]
    for args, cls in [((1, 5, 1), IndexError), ((1, -5, 1), IndexError),
                      ((1, 1, 5), RuntimeError), ((1, 0, -1), RuntimeError),
                      ((2, 0, 1), IndexError)]:  # torch's classes
        with pytest.raises(cls):
            x.narrow(*args)
    y = ag.ones(3, 4, requires_grad=True)
    z = y * 1
    z.narrow(1, 1, 2).mul_(3)  # a view: the write reaches z
    z.sum().backward()
    assert y.grad.tolist() == [[1.0, 3.0, 3.0, 1.0]] * 3


def test_pad_and_pack_sequences() -> None:
    # nn.utils.rnn was missing (ModuleNotFoundError); torch 2.13's values and classes
    from nn.utils import rnn

    seqs = [ag.tensor([1.0, 2.0]), ag.tensor([3.0]), ag.tensor([4.0, 5.0, 6.0])]
    assert rnn.pad_sequence(seqs).tolist() == [[1.0, 3.0, 4.0], [2.0, 0.0, 5.0],
                                               [0.0, 0.0, 6.0]]
    assert rnn.pad_sequence(seqs, batch_first=True, padding_value=9).tolist() == [
        [1.0, 2.0, 9.0], [3.0, 9.0, 9.0], [4.0, 5.0, 6.0]]
    assert rnn.pad_sequence(seqs, padding_side="left", batch_first=True).tolist() == [
        [0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [4.0, 5.0, 6.0]]
    ps = rnn.pack_sequence(seqs, enforce_sorted=False)
    assert ps.data.tolist() == [4.0, 1.0, 3.0, 5.0, 2.0, 6.0]
    assert ps.batch_sizes.tolist() == [3, 2, 1] and ps.batch_sizes.dtype == np.int64
    assert ps.sorted_indices.tolist() == [2, 0, 1] and ps.unsorted_indices.tolist() == [1, 2, 0]
    padded, lengths = rnn.pad_packed_sequence(ps, batch_first=True, padding_value=-1.0)
    assert padded.tolist() == [[1.0, 2.0, -1.0], [3.0, -1.0, -1.0], [4.0, 5.0, 6.0]]
    assert lengths.tolist() == [2, 1, 3]
    for bad, cls in [(lambda: rnn.pack_padded_sequence(ag.zeros(3, 2, 1), [1, 2]), RuntimeError),
                     (lambda: rnn.pack_padded_sequence(ag.zeros(3, 2, 1), [2, 0]), RuntimeError),
                     (lambda: rnn.pad_packed_sequence(ps, total_length=1), ValueError),
                     (lambda: rnn.pack_padded_sequence(ag.zeros(3, 2, 1), [2, 1, 1]),
                      RuntimeError)]:
        with pytest.raises(cls):
            bad()



def test_aliases_and_inplace_forms() -> None:
    # masked_fill_, clip, clamp_min, addcmul_ ... (AttributeError before); torch's numbers
    x = ag.tensor([[0.5, -1.5, 2.0], [3.0, -0.25, 1.0], [0.1, 0.2, 0.3], [4.0, 5.0, 6.0]],
                  requires_grad=True)
    t1 = ag.tensor([1.5, 2.0, -1.0], requires_grad=True)
    t2 = ag.tensor([[2.0], [0.5], [-4.0], [1.0]], requires_grad=True)
    y = x * 1
    outs = [ag.clamp_min(x, 0.2), ag.clamp_max(x, 1.0), ag.clip(x, -1, 1), x.clip(max=0.5),
            x.clamp_min(0.0), x.clamp_max(2), ag.addcmul(x, t1, t2, value=0.3),
            ag.addcdiv(x, t1, t2, value=-2), x.addcmul(t1, t2), x.addcdiv(t1, t2),
            ag.concat([x, x], 1), ag.concatenate([x, x]), y.clone().masked_fill_(x > 1, -7.0)]
    z = y.clone()
    z.addcmul_(t1, t2, value=0.5)
    w = y.clone()
    w.addcdiv_(t1, t2, value=2)
    v = y.clone()
    v.clip_(-1, 1)
    u = y.clone()
    u.clamp_min_(0.3)
    outs += [z, w, v, u]
    want = json.loads((HERE / "aliases_values.json").read_text())  # torch 2.13's, rounded
    for o, w in zip(outs, want["forward"], strict=True):
        np.testing.assert_allclose(o.detach().numpy(), w, rtol=1e-6, atol=1e-6)
    sum(((o * (k + 1)) ** 2).sum() for k, o in enumerate(outs)).backward()
    gx, g1, g2 = want["grads"]
    np.testing.assert_allclose(x.grad.numpy(), gx, rtol=1e-5)
    np.testing.assert_allclose(t1.grad.numpy(), g1, rtol=1e-5)
    np.testing.assert_allclose(t2.grad.numpy(), g2, rtol=1e-5)
    assert ag.zeros(3, 3).fill_diagonal_(2).tolist() == [[2.0, 0, 0], [0, 2.0, 0], [0, 0, 2.0]]
    assert ag.zeros(7, 3).fill_diagonal_(5, wrap=True).tolist() == [
        [5.0, 0, 0], [0, 5.0, 0], [0, 0, 5.0], [0, 0, 0], [5.0, 0, 0], [0, 5.0, 0], [0, 0, 5.0]]
    assert ag.zeros(7, 3).fill_diagonal_(5).tolist()[3:] == [[0.0] * 3] * 4
    assert ag.zeros(2, 2, 2).fill_diagonal_(1).tolist() == [[[1.0, 0], [0, 0]], [[0, 0], [0, 1.0]]]
    assert ag.is_tensor(x) and not ag.is_tensor([1]) and ag.numel(x) == 12
    for bad in (lambda: ag.zeros(3).fill_diagonal_(1), lambda: ag.zeros(2, 3, 2).fill_diagonal_(1)):
        with pytest.raises(RuntimeError):
            bad()


def test_torch_save_and_load(tmp_path: pathlib.Path) -> None:
    # examples/mnist's torch.save(model.state_dict(), "mnist_cnn.pt") and nanoGPT's
    # checkpoint dict with torch.load(ckpt_path, map_location=device) (AttributeError before)
    m = nn.Linear(3, 2)
    ag.save(m.state_dict(), tmp_path / "m.pt")
    m2 = nn.Linear(3, 2)
    m2.load_state_dict(ag.load(tmp_path / "m.pt", map_location="cpu", weights_only=True))
    assert ag.equal(m.weight, m2.weight)
    ag.save({"model": m.state_dict(), "iter_num": 5, "best_val_loss": ag.tensor(1.5)},
            tmp_path / "ckpt.pt")
    ck = ag.load(tmp_path / "ckpt.pt", map_location="cpu")
    assert ck["iter_num"] == 5 and ck["best_val_loss"].item() == 1.5


def test_amax_amin() -> None:
    # torch.amax / Tensor.amin (AttributeError before); torch 2.13's values and gradients
    x = ag.tensor([[1.0, 3.0, 3.0], [float("nan"), 2.0, 0.0]], requires_grad=True)
    y = ag.amax(x, 1)
    assert y[0].item() == 3.0 and np.isnan(y[1].item())
    y.sum().backward()
    g = x.grad.numpy()
    assert g[0].tolist() == [0.0, 0.5, 0.5] and np.isnan(g[1]).all()  # torch: NaN row
    x = ag.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    assert ag.amax(x).item() == 3.0 and ag.amax(x, (0, 1), keepdim=True).shape == (1, 1)
    assert x.amin(dim=0).tolist() == [1.0, 2.0, 0.0]
    ag.amax(x, dim=(0, 1)).backward()
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]
    assert type(ag.amax(x, 1).grad_fn).__name__ == "AmaxBackward"
    assert ag.amax(ag.tensor([1, 5, 2]), 0).dtype == np.int64
    assert ag.amax(ag.zeros(0, 3), 1).shape == (0,)
    with pytest.raises(IndexError):
        ag.amax(ag.zeros(0, 3), 0)


def test_backward_does_not_warn() -> None:
    # torch's backward gives inf/NaN silently; NumPy's RuntimeWarning leaked from the VJPs
    # (a program under `-W error` failed in loss.backward())
    t = ag.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.sqrt(t).sum().backward()
    assert t.grad.tolist() == [float("inf"), 0.5]


def test_grad_scaler_backends_bfloat16() -> None:
    # nanoGPT's train.py on CPU: torch.bfloat16 named in a dtype table, torch.backends.*
    # .allow_tf32 = True, torch.cuda.amp.GradScaler(enabled=...) (AttributeError before)
    with pytest.warns(UserWarning, match="CUDA is not available"):  # torch's, without CUDA
        with pytest.warns(FutureWarning):
            assert not ag.cuda.amp.GradScaler(enabled=True).is_enabled()
    ag.backends.cuda.matmul.allow_tf32 = True
    ag.backends.cudnn.allow_tf32 = True
    assert not ag.backends.mps.is_available()
    with pytest.raises(TypeError):
        ag.zeros(2, dtype=ag.bfloat16)
    s = ag.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
    m = nn.Linear(2, 1)
    with ag.no_grad():
        m.weight.copy_(ag.tensor([[0.5, -1.0]]))
        m.bias.fill_(0.25)
    opt = optim.SGD(m.parameters(), lr=0.1)
    got = []
    for k in range(5):
        opt.zero_grad()
        x = ag.tensor([[1.0, 2.0], [3.0, float("inf") if k == 2 else 4.0]])
        s.scale(m(x).sum()).backward()
        s.unscale_(opt)
        g = m.weight.grad.tolist()
        s.step(opt)
        s.update()
        got.append((g, m.weight.tolist(), s.get_scale()))
    want = [([[4.0, 6.0]], [[0.1, -1.6]], 4.0), ([[4.0, 6.0]], [[-0.3, -2.2]], 8.0),
            ([[4.0, float("inf")]], [[-0.3, -2.2]], 4.0), ([[4.0, 6.0]], [[-0.7, -2.8]], 4.0),
            ([[4.0, 6.0]], [[-1.1, -3.4]], 8.0)]  # torch 2.13 (the inf step is skipped)
    for (g, w, sc), (g2, w2, sc2) in zip(got, want, strict=True):
        assert g == g2 and sc == sc2
        np.testing.assert_allclose(w, w2, rtol=1e-6)
    assert s.state_dict() == {"scale": 8.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                              "growth_interval": 2, "_growth_tracker": 0}
