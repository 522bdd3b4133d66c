"""``nn.utils.stateless.functional_call`` / ``ag.func.functional_call`` against torch
2.13: a Linear-BatchNorm1d-Linear model run with given parameters and buffers (train mode
updates the given running statistics in place; eval mode uses them), gradients to the
given tensors, per-sample gradients with vmap(grad), torch's errors, and the module's own
tensors put back afterwards, even when the call raises."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn.utils.stateless import functional_call

P = {"0.weight": [[0.5, -0.2], [0.1, 0.3], [-0.4, 0.8]], "0.bias": [0.1, -0.1, 0.2],
     "1.weight": [1.0, 0.5, -1.5], "1.bias": [0.0, 0.2, -0.3],
     "2.weight": [[0.7, -0.6, 0.25]], "2.bias": [0.05]}
B = {"1.running_mean": [0.1, 0.2, 0.3], "1.running_var": [1.0, 2.0, 0.5],
     "1.num_batches_tracked": 3}
X = [[1.0, 2.0], [-0.5, 0.3], [0.2, -1.2], [1.5, 0.1]]

# torch's results (a scratch script ran the same model under torch.func.functional_call)
TORCH = {'eval bufs': {'1.num_batches_tracked': [3],
               '1.running_mean': [0.1, 0.2, 0.3],
               '1.running_var': [1.0, 2.0, 0.5]},
 'eval grads': {'0.bias': [0.452509171623124, -0.13713133016981932, -0.34282575425388906],
                '0.weight': [1.0463770191560509, -3.584740009503235, -0.31710091528378437,
                             1.0863429884810503, -0.7927463426639145, 2.7158371026025816],
                '1.bias': [0.4525114341633263, -0.3878669435685651, 0.16161122648690218],
                '1.weight': [1.2401365114786727, 0.6706644081337649, -1.6827005297153468],
                '2.bias': [0.6464449059476087],
                '2.weight': [1.7716235878266748, -0.4295980255886157, 9.902269706507797]},
 'eval out': [-0.7432102125439818, -0.487155150068216, 0.8333332248289638, 0.7202545907570383],
 'persample': {'0.bias': [-1.040489095129105, 0.31531660039165127, 0.7882855888889423,
                          -0.6820138000350274, 0.20668190935778394, 0.5167008981716318,
                          1.1666606814717253, -0.3535524606787217, -0.8838745226958878,
                          1.0083513853155315, -0.30557737924053296, -0.7639377186185756],
               '0.weight': [-1.040489095129105, -2.08097819025821, 0.31531660039165127,
                            0.6306332007833025, 0.7882855888889423, 1.5765711777778846,
                            0.3410069000175137, -0.20460414001050822, -0.10334095467889197,
                            0.06200457280733518, -0.2583504490858159, 0.15501026945148952,
                            0.23333213629434507, -1.3999928177660703, -0.07071049213574435,
                            0.424262952814466, -0.17677490453917757, 1.0606494272350653,
                            1.512527077973297, 0.10083513853155315, -0.45836606886079945,
                            -0.030557737924053297, -1.1459065779278634, -0.07639377186185757],
               '1.bias': [-1.0404942975615745, 0.8918522550527781, -0.3716051062719909,
                          -0.6820172100955024, 0.5845861800818593, -0.243577575034108,
                          1.1666665147605495, -0.9999998697947567, 0.416666612414482,
                          1.0083564270598537, -0.8643055089084462, 0.36012729537851923],
               '1.weight': [-0.10404890951291047, 0.25225328031332095, -0.5780760985185578,
                            0.2114242780108585, -0.10747459286604766, -0.11711887025223654,
                            0.3966646317003866, 0.4525471496687637, -0.6717446372488748,
                            0.736096511280338, 0.07333857101772791, -0.315760923695678],
               '2.bias': [-1.4864204250879636, -0.974310300136432, 1.666666449657928,
                          1.440509181514077],
               '2.weight': [-0.14864129930415781, -0.5074951519453602, 3.9143827186377353,
                            0.302034682872655, -0.10529989930558004, 0.9950063115543489,
                            0.5666637595719808, -0.0437893347923842, 3.530467888595871,
                            1.0515664446861972, 0.22698636045470882, 1.4624127877198447]},
 'train bufs': {'1.num_batches_tracked': [4],
                '1.running_mean': [0.12150000000000001, 0.18450000000000003,
                                   0.29200000000000004],
                '1.running_var': [0.91899, 1.8185166666666668, 0.5494666666666668]},
 'train grads': {'0.bias': [1.0547118733938987e-15, -6.661338147750939e-16,
                            -3.3306690738754696e-16],
                 '0.weight': [-3.899496748164693, -9.750605140370398, -3.796950521684891,
                              1.2660452829777413, -1.0934506286082284, -0.5466728171742505],
                 '1.bias': [-0.8119999999999994, 0.6960000000000002, -0.29000000000000004],
                 '1.weight': [5.307897131234658, 3.2924834976981603, -2.088713805307528],
                 '2.bias': [-1.1600000000000001],
                 '2.weight': [7.582710187478085, -2.9757362480818004, 12.880282831845168]},
 'train out': [-1.3173905744216838, -1.2165798743714875, 0.937488260315894, 1.0164821884772774]}


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)).double()


def _params() -> dict:
    return {k: ag.tensor(v, dtype=ag.float64, requires_grad=True) for k, v in P.items()}


def _buffers() -> dict:
    return {k: ag.tensor(v, dtype=ag.float64 if k != "1.num_batches_tracked" else ag.int64)
            for k, v in B.items()}


def _close(got: ag.Tensor, want: list) -> None:
    np.testing.assert_allclose(np.asarray(got._data, dtype=np.float64).reshape(-1), want,
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_values_grads_and_buffers(mode: str) -> None:
    m = _model()
    getattr(m, mode)()
    before = {k: v._data.copy() for k, v in [*m.named_parameters(), *m.named_buffers()]}
    p, b = _params(), _buffers()
    out = functional_call(m, (p, b), (ag.tensor(X, dtype=ag.float64),))
    _close(out, TORCH[f"{mode} out"])
    grads = ag.grad((out ** 2).sum(), list(p.values()))
    for k, g in zip(p, grads):
        _close(g, TORCH[f"{mode} grads"][k])
    for k, v in b.items():  # train mode updated the given buffers in place, as torch
        _close(v, TORCH[f"{mode} bufs"][k])
    for k, v in [*m.named_parameters(), *m.named_buffers()]:  # the module's own: untouched
        np.testing.assert_array_equal(v._data, before[k])
    assert all(v.grad is None for v in m.parameters())


def test_per_sample_grads_vmap_grad() -> None:
    m = _model().eval()
    p = {k: v.detach() for k, v in _params().items()}
    b = _buffers()

    def loss(params: dict, x: ag.Tensor) -> ag.Tensor:
        return (ag.func.functional_call(m, (params, b), (x.unsqueeze(0),)) ** 2).sum()

    per = ag.func.vmap(ag.func.grad(loss), in_dims=(None, 0))(p, ag.tensor(X, dtype=ag.float64))
    assert list(per) == list(P)
    for k, v in per.items():
        assert v.shape == (4, *np.shape(P[k]))
        _close(v, TORCH["persample"][k])


def test_restored_after_error_and_plain_attribute() -> None:
    m = nn.Linear(2, 2)
    w = m.weight
    with pytest.raises(Exception, match="shape|mat|multipl"):
        functional_call(m, {"weight": ag.ones(3, 3)}, (ag.ones(1, 2),))
    assert m.weight is w and "weight" in m._parameters
    functional_call(m, {"weight": ag.ones(2, 2), "foo": ag.ones(1)}, (ag.ones(1, 2),))
    assert not hasattr(m, "foo") and m.weight is w


def test_args_forms_and_kwargs() -> None:
    m = nn.Linear(2, 1)
    w, bias = ag.tensor([[1.0, 2.0]]), ag.tensor([0.5])
    x = ag.tensor([[3.0, 4.0]])
    for out in (functional_call(m, {"weight": w, "bias": bias}, x),
                functional_call(m, {"weight": w, "bias": bias}, (x,)),
                functional_call(m, {"weight": w, "bias": bias}, (), {"input": x})):
        np.testing.assert_allclose(out._data, [[11.5]])


class _Tied(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(2, 2, bias=False)
        self.b = nn.Linear(2, 2, bias=False)
        self.b.weight = self.a.weight

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        return self.b(self.a(x))


def test_tied_weights() -> None:
    m = _Tied()
    two = ag.eye(2) * 2
    np.testing.assert_allclose(functional_call(m, {"a.weight": two}, (ag.ones(1, 2),))._data,
                               [[4.0, 4.0]])  # torch: both names replaced
    untied = functional_call(m, {"a.weight": two}, (ag.ones(1, 2),), tie_weights=False)
    np.testing.assert_allclose(untied._data, (ag.ones(1, 2) @ two.T @ m.a.weight.T)._data,
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r"multiple values for keys \['a.weight', "
                                         r"'b.weight'\], which are tied"):
        functional_call(m, {"a.weight": two, "b.weight": ag.eye(2)}, (ag.ones(1, 2),))


def test_errors() -> None:
    m = nn.Linear(2, 2)
    x = ag.ones(1, 2)
    with pytest.raises(RuntimeError, match="Error\\(s\\) in reparametrizing for Linear:\n\t"
                                           "Unexpected key\\(s\\): 'foo'.\n\tMissing "
                                           "key\\(s\\): 'bias'."):
        functional_call(m, {"weight": ag.ones(2, 2), "foo": ag.ones(1)}, (x,), strict=True)
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        functional_call(m, ({"weight": ag.ones(2, 2)}, {"weight": ag.ones(2, 2)}), (x,))
    with pytest.raises(ValueError, match="to be dictionaries"):
        functional_call(m, [1], (x,))


def test_exposed_names() -> None:
    assert nn.utils.stateless.functional_call is functional_call
    assert ag.func.functional_call is functional_call


def test_stack_module_state_ensemble() -> None:
    """vmap over functional_call with stacked state (torch's model-ensembling recipe)."""
    w = [[[1.0, 2.0]], [[-1.0, 0.5]], [[0.3, 0.3]]]
    b = [[0.1], [0.2], [0.3]]
    models = []
    for wi, bi in zip(w, b):
        m = nn.Linear(2, 1).double()
        with ag.no_grad():
            m.weight._data[...] = wi
            m.bias._data[...] = bi
        models.append(m)
    params, buffers = ag.func.stack_module_state(models)
    assert params["weight"].shape == (3, 1, 2) and params["weight"].is_leaf
    assert params["weight"].requires_grad and buffers == {}
    x = ag.tensor([[1.0, 2.0], [3.0, -1.0]], dtype=ag.float64)
    out = ag.func.vmap(lambda p: functional_call(models[0], p, (x,)))(params)
    # torch's values (its parameters held float32 copies of the literals: tolerance 1e-6)
    np.testing.assert_allclose(out._data.reshape(-1), [5.1, 1.1, 0.2, -3.3, 1.2, 0.9],
                               rtol=1e-6)
    (gw,) = ag.grad((out ** 2).sum(), [params["weight"]])
    np.testing.assert_allclose(gw._data.reshape(-1), [16.8, 18.2, -19.4, 7.4, 7.8, 3.0],
                               rtol=1e-6)


def test_stack_module_state_errors() -> None:
    with pytest.raises(RuntimeError, match="Expected at least one model, got 0"):
        ag.func.stack_module_state([])
    with pytest.raises(RuntimeError, match="same training/eval mode"):
        ag.func.stack_module_state([nn.Linear(2, 1), nn.Linear(2, 1).eval()])
    with pytest.raises(RuntimeError, match="same class"):
        ag.func.stack_module_state([nn.Linear(2, 1), nn.Tanh()])


def test_replace_all_batch_norm_modules_removes_the_running_statistics() -> None:
    # torch 2.13: the state_dict keeps the affine parameters only, and eval uses the batch
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.BatchNorm1d(4))
    assert ag.func.replace_all_batch_norm_modules_(model) is model
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias",
                                        "3.weight", "3.bias"]
    assert not model[1].track_running_stats and model[3].running_var is None
    x = ag.tensor(np.arange(6.0).reshape(2, 3), dtype=ag.float32)
    model.eval()
    out = model[1](model[0](x)).detach().numpy()
    np.testing.assert_allclose(out.mean(0), [0.0] * 4, atol=1e-6)  # the batch's statistics
