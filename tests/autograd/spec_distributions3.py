"""The calls whose torch 2.13 answers torch_values_distributions3.json holds: the gamma
family (Gamma, Chi2, Beta, Dirichlet, Poisson, StudentT, Binomial, Multinomial) and the
KL pairs torch registers for it. Same conventions as spec_distributions.py, whose ``run``
computes them (``run(lib, D, name, make, SPECS)``)."""

from __future__ import annotations

CONC = [[0.5, 1.3, 2.0], [0.9, 4.0, 11.0]]
RATE = [[1.0, 0.4, 0.6], [2.0, 0.3, 1.5]]
POSV = [[0.1, 0.5, 3.0], [0.2, 1.6, 0.05]]
UNIT = [[0.1, 0.5, 0.9], [0.25, 0.6, 0.02]]
SIMPLEX = [[0.2, 0.3, 0.5], [0.05, 0.9, 0.05]]
REAL = [[0.1, -0.5, 3.0], [0.2, 0.6, -2.0]]


def _c(lib, values, like):
    return lib.tensor(values, dtype=like.dtype)


def gamma(lib, D, p):
    d = D.Gamma(p["c"], p["r"])
    chi = D.Chi2(p["c"])
    return {"log_prob": d.log_prob(p["v"]), "entropy": d.entropy(), "mean": d.mean,
            "variance": d.variance, "mode": d.mode, "chi2_log_prob": chi.log_prob(p["v"]),
            "chi2_entropy": chi.entropy(), "chi2_mean": chi.mean,
            "numbers": D.Gamma(2.0, 0.5).log_prob(p["v"])}


def beta_dirichlet(lib, D, p):
    b = D.Beta(p["c"], p["r"])
    d = D.Dirichlet(p["c"])
    return {"beta_log_prob": b.log_prob(p["u"]), "beta_entropy": b.entropy(),
            "beta_mean": b.mean, "beta_variance": b.variance, "beta_mode": b.mode,
            "dir_log_prob": d.log_prob(_c(lib, [[0.2, 0.3, 0.5], [0.05, 0.9, 0.05]], p["c"])),
            "dir_entropy": d.entropy(), "dir_mean": d.mean, "dir_variance": d.variance,
            "dir_mode": D.Dirichlet(p["c"] + 1).mode}


def poisson_student(lib, D, p):
    po = D.Poisson(p["r"])
    k = _c(lib, [[0.0, 1.0, 4.0], [2.0, 0.0, 7.0]], p["r"])
    t = D.StudentT(p["c"], p["a"], p["r"])
    return {"poisson_log_prob": po.log_prob(k), "poisson_mean": po.mean,
            "poisson_zero_rate": D.Poisson(p["r"] * 0).log_prob(k),
            "t_log_prob": t.log_prob(p["v"]), "t_entropy": t.entropy(), "t_mean": t.mean,
            "t_variance": t.variance, "t_numbers": D.StudentT(3.0).log_prob(p["v"])}


def binomial(lib, D, p):
    n = _c(lib, [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]], p["q"])
    b = D.Binomial(n, probs=p["q"])
    bl = D.Binomial(_c(lib, [[3.0, 10.0, 1.0], [0.0, 4.0, 7.0]], p["q"]), logits=p["a"])
    k = _c(lib, [[0.0, 2.0, 5.0], [1.0, 3.0, 4.0]], p["q"])
    m = D.Multinomial(6, probs=p["q"])
    ml = D.Multinomial(4, logits=p["a"])
    counts = _c(lib, [[1.0, 2.0, 3.0], [0.0, 6.0, 0.0]], p["q"])
    return {"log_prob": b.log_prob(k), "entropy": b.entropy(), "mean": b.mean,
            "variance": b.variance, "mode": b.mode,
            "l_log_prob": bl.log_prob(_c(lib, [[1.0, 10.0, 0.0], [0.0, 2.0, 7.0]], p["q"])),
            "l_probs": bl.probs, "m_log_prob": m.log_prob(counts), "m_entropy": m.entropy(),
            "m_mean": m.mean, "m_variance": m.variance,
            "ml_log_prob": ml.log_prob(_c(lib, [[1.0, 2.0, 1.0], [0.0, 4.0, 0.0]], p["q"])),
            "ml_entropy": ml.entropy()}


def kl_gamma(lib, D, p):
    c, r, a, u = p["c"], p["r"], p["a"], p["u"]
    g, g2 = D.Gamma(c, r), D.Gamma(r + 0.5, c)
    b, b2 = D.Beta(c, r), D.Beta(r, c + 1)
    n = D.Normal(a, r)
    kl = D.kl_divergence
    return {
        "gamma_gamma": kl(g, g2), "beta_beta": kl(b, b2),
        "dirichlet": kl(D.Dirichlet(c), D.Dirichlet(r + 0.2)),
        "poisson": kl(D.Poisson(c), D.Poisson(r)),
        "binomial": kl(D.Binomial(_c(lib, [[4.0] * 3, [6.0] * 3], u), probs=u),
                       D.Binomial(_c(lib, [[4.0] * 3, [2.0] * 3], u), logits=a)),
        "gumbel_gumbel": kl(D.Gumbel(a, c), D.Gumbel(r, c + r)),
        "bernoulli_poisson": kl(D.Bernoulli(probs=u), D.Poisson(r)),
        "beta_exponential": kl(b, D.Exponential(r)), "beta_gamma": kl(b, g2),
        "beta_normal": kl(b, n), "beta_uniform": kl(b, D.Uniform(u - 1, u + 1)),
        "beta_uniform_inside": kl(b, D.Uniform(u - 1, u * 0.5)),
        "exponential_gamma": kl(D.Exponential(r), g),
        "gamma_exponential": kl(g, D.Exponential(r)),
        "gamma_gumbel": kl(g, D.Gumbel(a, r)), "gamma_normal": kl(g, n),
        "uniform_beta": kl(D.Uniform(u * 0.5, u * 0.5 + 0.3), b),
        "uniform_beta_outside": kl(D.Uniform(u - 1, u), b),
        "uniform_gamma": kl(D.Uniform(u, u + c), g),
        "uniform_gamma_negative": kl(D.Uniform(a, a + c), g),
        "chi2_chi2": kl(D.Chi2(c), D.Chi2(r)),
        "normal_gamma": kl(n, g), "gamma_uniform": kl(g, D.Uniform(a, a + 1)),
    }


def _moments(d, names=("mean", "variance", "mode")):
    return {n: getattr(d, n) for n in names}


def more_families(lib, D, p):
    c, r, a, u, v = p["c"], p["r"], p["a"], p["u"], p["v"]
    out = {}
    for name, d, value in (("half_cauchy", D.HalfCauchy(r), v),
                           ("pareto", D.Pareto(r, c), v + r), ("weibull", D.Weibull(r, c), v),
                           ("inverse_gamma", D.InverseGamma(c, r), v),
                           ("kumaraswamy", D.Kumaraswamy(c, r + 1), u)):
        out[name + "_log_prob"] = d.log_prob(value)
        out[name + "_entropy"] = d.entropy()
        out.update({f"{name}_{k}": t for k, t in _moments(d).items()})
        if name in ("half_cauchy", "pareto", "weibull"):
            out[name + "_cdf"] = d.cdf(value)
            out[name + "_icdf"] = d.icdf(u)
    ln = D.LogisticNormal(a, r)
    out["logistic_normal_log_prob"] = ln.log_prob(
        _c(lib, [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.4, 0.1]], a))
    nb, nbp = D.NegativeBinomial(c, logits=a), D.NegativeBinomial(c * 2, probs=u)
    k = _c(lib, [[0.0, 1.0, 4.0], [2.0, 0.0, 7.0]], a)
    out.update({"nb_log_prob": nb.log_prob(k), "nbp_log_prob": nbp.log_prob(k),
                "nb_mean": nb.mean, "nb_variance": nb.variance, "nb_mode": nbp.mode})
    f = D.FisherSnedecor(c * 3, r * 6)
    out.update({"f_log_prob": f.log_prob(v), "f_mean": f.mean, "f_variance": f.variance,
                "f_mode": f.mode})
    kl = D.kl_divergence
    pa, pb = D.Pareto(r, c + 2), D.Pareto(r * 0.5, c + 1)
    out.update({"kl_pareto": kl(pa, pb), "kl_pareto_inf": kl(pb, pa),
                "kl_pareto_exponential": kl(pa, D.Exponential(c)),
                "kl_pareto_gamma": kl(pa, D.Gamma(c, r)),
                "kl_pareto_normal": kl(pa, D.Normal(a, c)),
                "kl_pareto_normal_inf": kl(D.Pareto(r, c), D.Normal(a, c)),
                "kl_uniform_pareto": kl(D.Uniform(r + 0.1, r + 1), pa),
                "kl_half_cauchy": kl(D.HalfCauchy(r), D.HalfCauchy(c)),
                "kl_inverse_gamma": kl(D.InverseGamma(c, r), D.InverseGamma(r, c))})
    return out


def generalized_pareto(lib, D, p):
    a, r = p["a"], p["r"]
    xi = a * 0 + _c(lib, [[0.3, 0.0, -0.2], [0.6, 1e-12, 0.1]], a)  # ξ = 0 by isclose too
    d = D.GeneralizedPareto(a, r, xi * p["c"])
    v = a + p["v"] * 0.5
    return {"log_prob": d.log_prob(v), "cdf": d.cdf(v), "icdf": d.icdf(p["u"]),
            "log_survival": d.log_survival_function(v), "mean": d.mean,
            "variance": d.variance, "entropy": d.entropy()}


def von_mises(lib, D, p):
    d = D.VonMises(p["a"], p["c"])  # concentrations on both sides of 3.75
    return {"log_prob": d.log_prob(p["v"]), "variance": d.variance, "mean": d.mean,
            "numbers": D.VonMises(0.5, 2.0).log_prob(p["v"])}


def continuous_bernoulli(lib, D, p):
    q, a, u = p["q"], p["a"], p["u"]
    # the probabilities include one inside torch's unstable region (0.499, 0.501]
    near_half = q * 0 + _c(lib, [[0.5, 0.4995, 0.2], [0.9, 0.5005, 0.05]], q)
    out = {}
    for name, d in (("probs", D.ContinuousBernoulli(probs=q)),
                    ("logits", D.ContinuousBernoulli(logits=a)),
                    ("near_half", D.ContinuousBernoulli(probs=near_half))):
        out.update({f"{name}_log_prob": d.log_prob(u), f"{name}_entropy": d.entropy(),
                    f"{name}_mean": d.mean, f"{name}_variance": d.variance,
                    f"{name}_cdf": d.cdf(u), f"{name}_icdf": d.icdf(u)})
    cb, cb2 = D.ContinuousBernoulli(probs=q), D.ContinuousBernoulli(logits=a)
    kl = D.kl_divergence
    out.update({"kl_cb": kl(cb, cb2), "kl_beta_cb": kl(D.Beta(p["c"], p["r"]), cb),
                "kl_cb_exponential": kl(cb, D.Exponential(p["r"])),
                "kl_cb_normal": kl(cb, D.Normal(a, p["r"])),
                "kl_cb_uniform": kl(cb, D.Uniform(a - 2, a + 2)),
                "kl_uniform_cb": kl(D.Uniform(u * 0.5, u * 0.5 + 0.4), cb)})
    return out


_P = dict(c=CONC, r=RATE, a=REAL, u=UNIT, v=POSV, q=[[0.1, 0.5, 0.97], [0.3, 0.8, 0.6]])
SPECS = {}
for _name, _fn in (("gamma", gamma), ("beta_dirichlet", beta_dirichlet),
                   ("poisson_student", poisson_student), ("binomial", binomial),
                   ("more_families", more_families), ("von_mises", von_mises),
                   ("kl_gamma", kl_gamma)):
    SPECS[_name] = (_P, _fn)
    SPECS[_name + "_f64"] = (_P, _fn)
# float64 only: ContinuousBernoulli's mean and variance cancel two terms ~25 times their
# sum, so in float32 the ulp by which sigmoid(logits) may differ between libraries shows
# up at ~1e-4 relative (the float64 values and gradients agree to 1e-12)
SPECS["continuous_bernoulli_f64"] = (_P, continuous_bernoulli)
# float32 only: torch 2.13's GeneralizedPareto.log_prob compares a float64 concentration
# with a float32 zero (isclose raises "Double did not match Float"); chainrule's works
SPECS["generalized_pareto"] = (_P, generalized_pareto)
