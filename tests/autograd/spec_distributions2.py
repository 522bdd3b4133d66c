"""The calls whose torch 2.13 answers torch_values_distributions2.json holds (the second set
of families: MultivariateNormal from a covariance or a precision, LogNormal, HalfNormal,
Cauchy, Gumbel, Geometric, the relaxed families, MixtureSameFamily, the transforms and
TransformedDistribution, and their KL pairs). Same conventions as spec_distributions.py,
whose ``run`` computes them (``run(lib, D, name, make, SPECS)``)."""

from __future__ import annotations

LOC = [[0.3, -1.2, 2.0], [0.0, 0.7, -0.4]]
SCALE = [[0.5, 1.3, 2.0], [0.9, 0.25, 1.1]]
T2 = [[1.0, 0.4, 0.6], [2.0, 0.3, 1.5]]
VAL = [[[0.1, -0.5, 3.0], [0.2, 0.6, -2.0]], [[1.5, -1.0, 1.0], [-0.3, 0.75, 0.0]]]
POSV = [[0.1, 0.5, 3.0], [0.2, 1.6, 0.05]]
U = [[0.1, 0.5, 0.9], [0.25, 0.6, 0.02]]
COV = [[[2.0, 0.5, 0.3], [0.5, 1.5, -0.2], [0.3, -0.2, 1.0]],
       [[1.0, 0.0, 0.2], [0.0, 0.7, 0.1], [0.2, 0.1, 0.9]]]
PREC = [[1.5, -0.4, 0.1], [-0.4, 2.0, 0.3], [0.1, 0.3, 0.8]]
MV_LOC = [[0.1, -0.3, 0.5], [1.0, 0.0, -1.0]]
MV_V = [[[0.0, 0.5, 1.0], [1.1, -0.2, -0.8]], [[2.0, -1.0, 0.0], [0.3, 0.3, 0.3]]]
L2 = [[0.9, 0.0, 0.0], [-0.2, 1.1, 0.0], [0.4, 0.3, 0.7]]
MATS = [[[0.5, 1.0, 0.0], [0.3, -0.2, 2.0], [0.1, 0.4, 0.6]],
        [[-0.5, 0.0, 0.0], [1.3, 0.2, 0.5], [0.1, -0.4, 0.2]]]


def _c(lib, values, like):
    """A constant in the dtype of the spec (float32 constants in a float64 spec would
    carry float32 rounding, which differs between libraries by an ulp)."""
    return lib.tensor(values, dtype=like.dtype)


def mvn_cov(lib, D, p):
    d = D.MultivariateNormal(p["loc"], covariance_matrix=p["cov"])
    e = D.MultivariateNormal(p["loc"][0], precision_matrix=p["prec"])
    f = D.MultivariateNormal(p["loc"][1], scale_tril=p["L2"])
    return {"log_prob": d.log_prob(p["v"]), "entropy": d.entropy(), "scale_tril": d.scale_tril,
            "precision_matrix": d.precision_matrix, "variance": d.variance,
            "p_log_prob": e.log_prob(p["v"]), "p_entropy": e.entropy(),
            "p_scale_tril": e.scale_tril, "p_covariance": e.covariance_matrix,
            "l_precision": f.precision_matrix,
            "kl_cov_prec": D.kl_divergence(d, e), "kl_prec_tril": D.kl_divergence(e, f)}


def lowrank(lib, D, p):
    d = D.LowRankMultivariateNormal(p["loc"], p["W"], p["dg"])
    e = D.LowRankMultivariateNormal(p["loc"][0] * 0.5, p["W"] * 0.7, p["dg"][1] + 0.3)
    f = D.MultivariateNormal(p["loc"][1], scale_tril=p["L2"])
    # torch's LowRank→MVN KL expands cov_diag to the batch of cov_factor and scale_tril
    g = D.LowRankMultivariateNormal(p["loc"], p["W"].expand(2, 3, 2), p["dg"])
    return {"log_prob": d.log_prob(p["v"]), "entropy": d.entropy(), "variance": d.variance,
            "scale_tril": d.scale_tril, "covariance_matrix": d.covariance_matrix,
            "precision_matrix": d.precision_matrix, "kl_lowrank": D.kl_divergence(d, e),
            "kl_lowrank_mvn": D.kl_divergence(g, f), "kl_mvn_lowrank": D.kl_divergence(f, d)}


def _props(d, v, u=None, cdf=True):
    out = {"mean": d.mean, "variance": d.variance, "stddev": d.stddev,
           "entropy": d.entropy(), "log_prob": d.log_prob(v)}
    if cdf:
        out["cdf"] = d.cdf(v)
    if u is not None:
        out["icdf"] = d.icdf(u)
    return out


def lognormal(lib, D, p):
    d = D.LogNormal(p["loc"], p["scale"])
    out = _props(d, p["v"], p["u"])
    out["mode"] = d.mode
    return out


def halfnormal(lib, D, p):
    d = D.HalfNormal(p["scale"])
    out = _props(d, p["v"], p["u"])
    out["log_prob_negative"] = D.HalfNormal(p["scale"], validate_args=False).log_prob(-p["v"])
    return out


def cauchy(lib, D, p):
    d = D.Cauchy(p["loc"], p["scale"])
    return {"entropy": d.entropy(), "log_prob": d.log_prob(p["v"]), "cdf": d.cdf(p["v"]),
            "icdf": d.icdf(p["u"]), "mean": d.mean, "variance": d.variance}


def gumbel(lib, D, p):
    d = D.Gumbel(p["loc"], p["scale"])
    return {"mean": d.mean, "stddev": d.stddev, "variance": d.variance, "entropy": d.entropy(),
            "log_prob": d.log_prob(p["v"]), "cdf": d.cdf(p["v"]), "icdf": d.icdf(p["u"]),
            "numbers_log_prob": D.Gumbel(0.5, 2.0).log_prob(p["v"])}


def geometric(lib, D, p):
    d, e = D.Geometric(probs=p["probs"]), D.Geometric(logits=p["logits"])
    k = _c(lib, [[0.0, 1.0, 4.0], [2.0, 0.0, 7.0]], p["probs"])
    return {"p_log_prob": d.log_prob(k), "p_entropy": d.entropy(), "p_mean": d.mean,
            "p_variance": d.variance, "p_logits": d.logits, "l_log_prob": e.log_prob(k),
            "l_entropy": e.entropy(), "l_probs": e.probs,
            "edge": D.Geometric(probs=lib.tensor([1.0, 0.5])).log_prob(lib.tensor([0.0, 3.0])),
            "kl": D.kl_divergence(d, e)}


def relaxed(lib, D, p):
    t = p["temperature"]
    rb = D.RelaxedBernoulli(t, probs=p["probs"])
    lrb = D.relaxed_bernoulli.LogitRelaxedBernoulli(t, logits=p["logits"])
    x = _c(lib, [[0.2, 0.9, 0.5], [0.05, 0.6, 0.99]], t)
    ro = D.RelaxedOneHotCategorical(t, logits=p["cat"])
    y = _c(lib, [[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]], t)
    ero = D.relaxed_categorical.ExpRelaxedCategorical(t, probs=p["cat"].softmax(-1))
    return {"rb_log_prob": rb.log_prob(x), "lrb_log_prob": lrb.log_prob(x),
            "rb_logits": rb.logits, "ro_log_prob": ro.log_prob(y),
            "ero_log_prob": ero.log_prob(y.log())}


def mixture(lib, D, p):
    mix = D.Categorical(logits=p["w"])
    comp = D.Normal(p["loc"], p["scale"])
    m = D.MixtureSameFamily(mix, comp)
    v = _c(lib, [[0.5, -1.0], [2.0, 0.0], [0.1, 0.2]], p["w"])
    mvn = D.MultivariateNormal(lib.stack([p["loc"], p["loc"] * 0.5], -1),
                               scale_tril=lib.diag_embed(lib.stack([p["scale"],
                                                                    p["scale"] + 1], -1)))
    mm = D.MixtureSameFamily(mix, mvn)
    vv = _c(lib, [[[0.5, -1.0], [2.0, 0.0]], [[0.1, 0.2], [1.0, 1.0]]], p["w"])
    return {"log_prob": m.log_prob(v), "cdf": m.cdf(v), "mean": m.mean,
            "variance": m.variance, "mv_log_prob": mm.log_prob(vv), "mv_mean": mm.mean,
            "mv_variance": mm.variance}


def transforms(lib, D, p):
    x, s, a = p["x"], p["s"], p["a"]
    T = D.transforms
    out = {}
    for name, t in (("exp", T.ExpTransform()), ("sigmoid", T.SigmoidTransform()),
                    ("tanh", T.TanhTransform()), ("affine", T.AffineTransform(a, s)),
                    ("affine_num", T.AffineTransform(0.5, -2.0)),
                    ("power", T.PowerTransform(s)),
                    ("compose", T.ComposeTransform([T.AffineTransform(0.2 * a, 0.2 * s),
                                                    T.TanhTransform(),
                                                    T.AffineTransform(1.0, 3.0)]))):
        arg = x.exp() if name == "power" else x
        y = t(arg)
        out[name] = y
        out[name + "_ladj"] = t.log_abs_det_jacobian(arg, y)
        out[name + "_inv"] = t.inv(y)
    sm = T.SoftmaxTransform()
    out["softmax"] = sm(x)
    out["softmax_inv"] = sm.inv(sm(x))
    aff = T.AffineTransform(a, s, event_dim=1)
    out["affine_event_ladj"] = aff.log_abs_det_jacobian(x, aff(x))
    return out


def transformed(lib, D, p):
    loc, scale, a, s = p["loc"], p["scale"], p["a"], p["s"]
    T = D.transforms
    tanh_normal = D.TransformedDistribution(
        D.Normal(loc, scale), [T.TanhTransform(), T.AffineTransform(a, s)])
    v = _c(lib, [[0.1, -0.5, 0.3], [0.2, 0.6, -0.9]], s) * s + a
    dec = D.TransformedDistribution(D.Normal(loc, scale), [T.AffineTransform(1.0, -2.0)])
    w = _c(lib, [[0.5, -1.0, 2.0], [0.0, 1.5, -3.0]], s)
    ind = D.TransformedDistribution(D.Normal(loc, scale), T.AffineTransform(a, s, event_dim=1))
    simplex = D.TransformedDistribution(D.Normal(loc, scale), [T.SigmoidTransform()])
    return {"log_prob": tanh_normal.log_prob(v), "dec_log_prob": dec.log_prob(w),
            "dec_cdf": dec.cdf(w), "dec_icdf": dec.icdf(p["u"]),
            "event_log_prob": ind.log_prob(w), "sigmoid_log_prob":
            simplex.log_prob(_c(lib, [[0.2, 0.5, 0.9], [0.1, 0.3, 0.7]], s))}


def kl_more(lib, D, p):
    a, b, s, t = p["a"], p["b"], p["s"], p["t"]
    return {
        "cauchy": D.kl_divergence(D.Cauchy(a, s), D.Cauchy(b, t)),
        "halfnormal": D.kl_divergence(D.HalfNormal(s), D.HalfNormal(t)),
        "lognormal": D.kl_divergence(D.LogNormal(a, s), D.LogNormal(b, t)),
        "exponential_gumbel": D.kl_divergence(D.Exponential(s), D.Gumbel(b, t)),
        "gumbel_normal": D.kl_divergence(D.Gumbel(a, s), D.Normal(b, t)),
        "normal_gumbel": D.kl_divergence(D.Normal(a, s), D.Gumbel(b, t)),
        "uniform_gumbel": D.kl_divergence(D.Uniform(a, a + s), D.Gumbel(b, t)),
        "gumbel_uniform": D.kl_divergence(D.Gumbel(a, s), D.Uniform(b, b + t)),
        "gumbel_exponential": D.kl_divergence(D.Gumbel(a, s), D.Exponential(t)),
    }


def transforms_more(lib, D, p):
    x, a, m = p["x"], p["a"], p["m"]
    T, C = D.transforms, D.constraints
    out = {}
    for name, t in (("softplus", T.SoftplusTransform()), ("stick", T.StickBreakingTransform()),
                    ("independent", T.IndependentTransform(T.SigmoidTransform(), 1)),
                    ("reshape", T.ReshapeTransform((2, 3), (3, 2)))):
        y = t(x)
        out[name] = y
        out[name + "_inv"] = t.inv(y)
        out[name + "_ladj"] = t.log_abs_det_jacobian(x, y)
    for name, t in (("lower_cholesky", T.LowerCholeskyTransform()),
                    ("positive_definite", T.PositiveDefiniteTransform())):
        y = t(m)
        out[name] = y
        out[name + "_inv"] = t.inv(y)
    for name, c in (("positive", C.positive), ("greater_than", C.greater_than(a)),
                    ("less_than", C.less_than(2.0)), ("interval", C.interval(a - 1, a + 2)),
                    ("unit_interval", C.unit_interval), ("real_vector", C.real_vector),
                    ("simplex", C.simplex)):
        for registry in ("biject_to", "transform_to"):
            t = getattr(D, registry)(c)
            y = t(x)
            out[f"{registry}_{name}"] = y
            if registry == "biject_to":
                out[f"{registry}_{name}_ladj"] = t.log_abs_det_jacobian(x, y)
    out["transform_to_lower_cholesky"] = D.transform_to(C.lower_cholesky)(m)
    out["transform_to_positive_definite"] = D.transform_to(C.positive_definite)(m)
    on_simplex = D.TransformedDistribution(D.Normal(x, 1.0), T.StickBreakingTransform())
    v = _c(lib, [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.4, 0.1]], x)
    out["stick_log_prob"] = on_simplex.log_prob(v)
    return out


_KL = dict(a=LOC, b=[[0.2, -3.0, 1.5], [4.0, -0.7, 0.0]], s=SCALE, t=T2)
SPECS = {
    "mvn_cov": (dict(loc=MV_LOC, cov=COV, prec=PREC, L2=L2, v=MV_V), mvn_cov),
    "mvn_cov_f64": (dict(loc=MV_LOC, cov=COV, prec=PREC, L2=L2, v=MV_V), mvn_cov),
    "lowrank": (dict(loc=MV_LOC, W=[[0.5, -0.2], [0.1, 0.9], [-0.4, 0.3]],
                     dg=[[1.0, 0.5, 2.0], [0.3, 0.8, 1.2]], L2=L2, v=MV_V), lowrank),
    "lowrank_f64": (dict(loc=MV_LOC, W=[[0.5, -0.2], [0.1, 0.9], [-0.4, 0.3]],
                         dg=[[1.0, 0.5, 2.0], [0.3, 0.8, 1.2]], L2=L2, v=MV_V), lowrank),
    "lognormal": (dict(loc=LOC, scale=SCALE, v=POSV, u=U), lognormal),
    "lognormal_f64": (dict(loc=LOC, scale=SCALE, v=POSV, u=U), lognormal),
    "halfnormal": (dict(scale=SCALE, v=POSV, u=U), halfnormal),
    "cauchy": (dict(loc=LOC, scale=SCALE, v=VAL, u=U), cauchy),
    "cauchy_f64": (dict(loc=LOC, scale=SCALE, v=VAL, u=U), cauchy),
    "gumbel": (dict(loc=LOC, scale=SCALE, v=VAL, u=U), gumbel),
    "gumbel_f64": (dict(loc=LOC, scale=SCALE, v=VAL, u=U), gumbel),
    "geometric": (dict(probs=[[0.1, 0.5, 0.97], [0.3, 0.8, 1.0]],
                       logits=[[0.2, -3.0, 1.5], [4.0, -0.7, 0.0]]), geometric),
    "geometric_f64": (dict(probs=[[0.1, 0.5, 0.97], [0.3, 0.8, 1.0]],
                           logits=[[0.2, -3.0, 1.5], [4.0, -0.7, 0.0]]), geometric),
    "relaxed": (dict(temperature=[0.7], probs=[[0.1, 0.5, 0.97], [0.3, 0.8, 0.6]],
                     logits=[[0.2, -3.0, 1.5], [4.0, -0.7, 0.0]],
                     cat=[[0.5, -1.0, 2.0, 0.0], [-3.0, 1.0, 0.25, 0.4]]), relaxed),
    "relaxed_f64": (dict(temperature=[0.7], probs=[[0.1, 0.5, 0.97], [0.3, 0.8, 0.6]],
                         logits=[[0.2, -3.0, 1.5], [4.0, -0.7, 0.0]],
                         cat=[[0.5, -1.0, 2.0, 0.0], [-3.0, 1.0, 0.25, 0.4]]), relaxed),
    "mixture": (dict(w=[[0.3, -0.5], [1.0, 0.2]], loc=[[0.0, 1.0], [-1.0, 2.0]],
                     scale=[[0.5, 1.5], [1.0, 0.3]]), mixture),
    "mixture_f64": (dict(w=[[0.3, -0.5], [1.0, 0.2]], loc=[[0.0, 1.0], [-1.0, 2.0]],
                         scale=[[0.5, 1.5], [1.0, 0.3]]), mixture),
    "transforms": (dict(x=LOC, s=[[0.5, -1.3, 2.0], [0.9, 0.25, -1.1]], a=T2), transforms),
    "transforms_f64": (dict(x=LOC, s=[[0.5, -1.3, 2.0], [0.9, 0.25, -1.1]], a=T2),
                       transforms),
    "transformed": (dict(loc=LOC, scale=SCALE, a=T2, s=[[0.5, 1.3, 2.0], [0.9, 0.25, 1.1]],
                         u=U), transformed),
    "transformed_f64": (dict(loc=LOC, scale=SCALE, a=T2, s=[[0.5, 1.3, 2.0], [0.9, 0.25, 1.1]],
                             u=U), transformed),
    "transforms_more": (dict(x=LOC, a=T2, m=MATS), transforms_more),
    "transforms_more_f64": (dict(x=LOC, a=T2, m=MATS), transforms_more),
    "kl_more": (_KL, kl_more),
    "kl_more_f64": (_KL, kl_more),
}
