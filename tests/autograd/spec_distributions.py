"""The calls whose torch 2.13 answers torch_values_distributions.py holds: each spec is
(inputs, function). Inputs are float lists (float32 unless the name says f64), made into
tensors that require grad; ``function(lib, D, p)`` returns named outputs, run once with
torch and torch.distributions (to write the values) and once with autograd and
autograd.distributions (by test_distributions.py). Gradients are those of
Σ out · cos(0, 1, 2, ...) over the finite entries of each output."""

from __future__ import annotations

LOC = [[0.3, -1.2, 2.0], [0.0, 0.7, -0.4]]
SCALE = [[0.5, 1.3, 2.0], [0.9, 0.25, 1.1]]
VAL = [[[0.1, -0.5, 3.0], [0.2, 0.6, -2.0]], [[1.5, -1.0, 1.0], [-0.3, 0.75, 0.0]]]
U = [[0.1, 0.5, 0.9], [0.25, 0.6, 0.02]]
POSV = [[0.1, 0.5, 3.0], [0.2, 1.6, 0.0]]
PROBS = [[0.1, 0.5, 0.97], [0.3, 0.0, 1.0]]
LOGITS = [[0.2, -3.0, 1.5], [4.0, -0.7, 0.0]]
BITS = [[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
CAT_P = [[0.2, 1.0, 0.3, 0.5], [2.0, 0.0, 1.0, 1.0]]
CAT_L = [[0.5, -1.0, 2.0, 0.0], [-3.0, 1.0, 0.25, 0.4]]
L1 = [[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.2, 1.5]]
L2 = [[0.9, 0.0, 0.0], [-0.2, 1.1, 0.0], [0.4, 0.3, 0.7]]


def _props(d, v, u=None, cdf=True):
    out = {"mean": d.mean, "variance": d.variance, "stddev": d.stddev,
           "entropy": d.entropy(), "log_prob": d.log_prob(v)}
    if cdf:
        out["cdf"] = d.cdf(v)
    if u is not None:
        out["icdf"] = d.icdf(u)
    return out


def normal(lib, D, p):
    return _props(D.Normal(p["loc"], p["scale"]), p["v"], p["u"])


def laplace(lib, D, p):
    return _props(D.Laplace(p["loc"], p["scale"]), p["v"], p["u"])


def exponential(lib, D, p):
    return _props(D.Exponential(p["rate"]), p["v"], p["u"])


def uniform(lib, D, p):
    d = D.Uniform(p["low"], p["low"] + p["width"])
    out = _props(d, p["v"], p["u"])
    out["log_prob_outside"] = D.Uniform(p["low"], p["low"] + p["width"],
                                        validate_args=False).log_prob(p["v"] + 4)
    return out


def bernoulli(lib, D, p):
    d, e = D.Bernoulli(probs=p["probs"]), D.Bernoulli(logits=p["logits"])
    return {"p_log_prob": d.log_prob(p["bits"]), "p_entropy": d.entropy(),
            "p_logits": d.logits, "p_mean": d.mean, "p_variance": d.variance,
            "l_log_prob": e.log_prob(p["bits"]), "l_entropy": e.entropy(), "l_probs": e.probs,
            "l_variance": e.variance, "l_stddev": e.stddev}


def categorical(lib, D, p):
    d, e = D.Categorical(probs=p["probs"]), D.Categorical(logits=p["logits"])
    v = lib.tensor([[0, 1], [3, 1], [2, 2]])
    oh = D.OneHotCategorical(logits=p["logits"])
    onehot = lib.eye(4)[lib.tensor([3, 1])]
    return {"p_log_prob": d.log_prob(v), "p_entropy": d.entropy(), "p_logits": d.logits,
            "p_probs": d.probs, "l_log_prob": e.log_prob(v), "l_entropy": e.entropy(),
            "l_logits": e.logits, "l_probs": e.probs, "kl_pl": D.kl_divergence(d, e),
            "kl_lp": D.kl_divergence(e, d), "oh_log_prob": oh.log_prob(onehot),
            "oh_entropy": oh.entropy(), "oh_variance": oh.variance,
            "oh_kl": D.kl_divergence(oh, D.OneHotCategorical(probs=p["probs"]))}


def kl_pairs(lib, D, p):
    a, b, s, t = p["a"], p["b"], p["s"], p["t"]
    ind = D.Independent(D.Normal(a, s), 1)
    return {
        "normal": D.kl_divergence(D.Normal(a, s), D.Normal(b, t)),
        "laplace": D.kl_divergence(D.Laplace(a, s), D.Laplace(b, t)),
        "exponential": D.kl_divergence(D.Exponential(s), D.Exponential(t)),
        "bernoulli": D.kl_divergence(D.Bernoulli(logits=a), D.Bernoulli(probs=p["q"])),
        "bernoulli_edges": D.kl_divergence(D.Bernoulli(probs=p["q0"]),
                                           D.Bernoulli(probs=p["q1"])),
        "uniform": D.kl_divergence(D.Uniform(a, a + s), D.Uniform(a - t, a + s + 1)),
        "uniform_inf": D.kl_divergence(D.Uniform(a - 1, a + s), D.Uniform(a, a + s)),
        "independent": D.kl_divergence(ind, D.Independent(D.Normal(b, t), 1)),
        "independent_log_prob": ind.log_prob(b),
        "independent_entropy": ind.entropy(),
    }


def kl_cross(lib, D, p):
    a, b, s, t = p["a"], p["b"], p["s"], p["t"]
    n, lap, ex = D.Normal(a, s), D.Laplace(b, t), D.Exponential(s)
    un, un_pos = D.Uniform(a, a + t), D.Uniform(s, s + t)
    return {"normal_laplace": D.kl_divergence(n, lap), "laplace_normal": D.kl_divergence(lap, n),
            "exponential_normal": D.kl_divergence(ex, n),
            "uniform_normal": D.kl_divergence(un, n),
            "uniform_exponential": D.kl_divergence(un, ex),
            "uniform_pos_exponential": D.kl_divergence(un_pos, ex),
            "normal_uniform": D.kl_divergence(n, un), "normal_exponential": D.kl_divergence(n, ex),
            "laplace_uniform": D.kl_divergence(lap, un),
            "laplace_exponential": D.kl_divergence(lap, ex),
            "exponential_uniform": D.kl_divergence(ex, un)}


def numbers(lib, D, p):
    a, s = p["a"], p["s"]
    return {"loc_tensor": D.Normal(a, 1.0).log_prob(s),
            "scale_tensor": D.Normal(0.0, s).entropy(),
            "both_numbers": D.Normal(0.5, 2.0).log_prob(a),
            "laplace_int": D.Laplace(a, 2).log_prob(s),
            "exp_number": D.Exponential(2.0).log_prob(s),
            "bern_number": D.Bernoulli(0.3).log_prob(lib.tensor([0.0, 1.0])),
            "kl_number": D.kl_divergence(D.Normal(a, s), D.Normal(0.0, 1.0))}


def mvn(lib, D, p):
    d = D.MultivariateNormal(p["loc"], scale_tril=p["L1"])
    e = D.MultivariateNormal(p["loc2"], scale_tril=p["L2"])
    return {"log_prob": d.log_prob(p["v"]), "entropy": d.entropy(), "variance": d.variance,
            "covariance_matrix": d.covariance_matrix, "precision_matrix": d.precision_matrix,
            "kl": D.kl_divergence(d, e), "kl_rev": D.kl_divergence(e, d)}


SPECS = {
    "normal": (dict(loc=LOC, scale=SCALE, v=VAL, u=U), normal),
    "normal_f64": (dict(loc=LOC, scale=SCALE, v=VAL, u=U), normal),
    "laplace": (dict(loc=LOC, scale=SCALE, v=VAL, u=U), laplace),
    "exponential": (dict(rate=SCALE, v=POSV, u=U), exponential),
    "exponential_f64": (dict(rate=SCALE, v=POSV, u=U), exponential),
    "uniform": (dict(low=LOC, width=SCALE, v=[[0.4, -1.0, 2.5], [0.8, 0.8, 0.0]], u=U), uniform),
    "bernoulli": (dict(probs=PROBS, logits=LOGITS, bits=BITS), bernoulli),
    "bernoulli_f64": (dict(probs=PROBS, logits=LOGITS, bits=BITS), bernoulli),
    "categorical": (dict(probs=CAT_P, logits=CAT_L), categorical),
    "categorical_f64": (dict(probs=CAT_P, logits=CAT_L), categorical),
    "kl_pairs": (dict(a=LOC, b=LOGITS, s=SCALE, t=[[1.0, 0.4, 0.6], [2.0, 0.3, 1.5]],
                      q=[[0.2, 0.5, 0.9], [0.6, 0.1, 0.35]], q0=PROBS,
                      q1=[[0.5, 0.0, 1.0], [0.3, 0.5, 0.5]]), kl_pairs),
    "kl_pairs_f64": (dict(a=LOC, b=LOGITS, s=SCALE, t=[[1.0, 0.4, 0.6], [2.0, 0.3, 1.5]],
                          q=[[0.2, 0.5, 0.9], [0.6, 0.1, 0.35]], q0=PROBS,
                          q1=[[0.5, 0.0, 1.0], [0.3, 0.5, 0.5]]), kl_pairs),
    "kl_cross": (dict(a=LOC, b=LOGITS, s=SCALE, t=[[1.0, 0.4, 0.6], [2.0, 0.3, 1.5]]),
                 kl_cross),
    "kl_cross_f64": (dict(a=LOC, b=LOGITS, s=SCALE, t=[[1.0, 0.4, 0.6], [2.0, 0.3, 1.5]]),
                     kl_cross),
    "numbers": (dict(a=[0.3, -1.2, 2.0], s=[0.5, 1.3, 2.0]), numbers),
    "mvn": (dict(loc=[[0.1, -0.3, 0.5], [1.0, 0.0, -1.0]], L1=L1, loc2=[0.2, 0.2, -0.1], L2=L2,
                 v=[[[0.0, 0.5, 1.0], [1.1, -0.2, -0.8]], [[2.0, -1.0, 0.0], [0.3, 0.3, 0.3]]]),
            mvn),
    "mvn_f64": (dict(loc=[[0.1, -0.3, 0.5], [1.0, 0.0, -1.0]], L1=L1, loc2=[0.2, 0.2, -0.1],
                     L2=L2, v=[[[0.0, 0.5, 1.0], [1.1, -0.2, -0.8]],
                               [[2.0, -1.0, 0.0], [0.3, 0.3, 0.3]]]), mvn),
}


def run(lib, D, name, make, specs=None):
    """Outputs and gradients of spec ``name`` (of ``specs``, SPECS unless given):
    ``make(values, dtype)`` builds a tensor that requires grad. Returns
    {output: (value, {input: grad or None}, dtype)}, nested lists of floats (float32
    results rounded to the 9 digits that name them)."""
    import numpy as np

    inputs, fn = (SPECS if specs is None else specs)[name]
    dtype = "float64" if name.endswith("_f64") else "float32"
    params = {k: make(v, dtype) for k, v in inputs.items()}

    def listed(a):
        a = np.asarray(a)
        if a.dtype == np.float32:
            return np.vectorize(lambda x: float(f"{x:.9g}"), otypes=[float])(a).tolist()
        return a.astype(np.float64).tolist()

    result = {}
    for key, out in fn(lib, D, params).items():
        raw = out.detach().numpy()
        value = np.asarray(raw, dtype=np.float64)
        grads = {}
        if out.requires_grad:
            w = np.cos(np.arange(value.size, dtype=np.float64)).reshape(value.shape)
            w = np.where(np.isfinite(value), w, 0.0).astype(dtype)
            masked = lib.where(lib.tensor(np.isfinite(value)), out, 0.0)
            total = (masked * lib.tensor(w)).sum()
            names = list(params)
            gs = lib.autograd.grad(total, [params[k] for k in names], retain_graph=True,
                                   allow_unused=True)
            grads = {k: None if g is None else listed(g.numpy()) for k, g in zip(names, gs)}
        result[key] = (listed(raw), grads, str(out.dtype).replace("torch.", ""))
    return result
