"""wandb's parameter distributions in Optuna's terms.

Each parameter is searched over an Optuna distribution of an *internal* coordinate, and its
config value is a transform of that coordinate: `log_uniform` (whose min/max are natural
logarithms) searches the exponent and its value is exp(x); a categorical parameter searches the
index of its value (any YAML value may be a choice, and Optuna's choices must be plain
scalars). Random search draws each coordinate from wandb's own distribution (normal, beta,
probabilities included); Bayesian search (TPE) sees the same coordinates, the unbounded
distributions cut at mu +- 4 sigma.
"""
from __future__ import annotations

import math
import zlib
from typing import Any, Dict, Optional

from runwrap.sweeps.config import Param, SweepSpec, _tidy

SIGMAS = 4.0  # where Bayesian search cuts a normal distribution


def distribution(p: Param) -> Any:
    import optuna  # optional extra: runwrap[sweep]

    d, s = p.distribution, p.spec
    D = optuna.distributions
    if d.startswith("categorical"):
        return D.CategoricalDistribution(list(range(len(s["values"]))))
    if d == "int_uniform":
        return D.IntDistribution(s["min"], s["max"])
    if d in ("log_uniform_values", "q_log_uniform_values", "inv_log_uniform_values"):
        return D.FloatDistribution(s["min"], s["max"], log=True)
    if d in ("normal", "q_normal", "log_normal", "q_log_normal"):
        return D.FloatDistribution(s["mu"] - SIGMAS * s["sigma"],
                                   s["mu"] + SIGMAS * s["sigma"] + 1e-12)
    if d in ("beta", "q_beta"):
        return D.FloatDistribution(0.0, 1.0)
    return D.FloatDistribution(s["min"], s["max"])


def value_of(p: Param, x: Any) -> Any:
    """The config value of internal coordinate `x`."""
    d, s = p.distribution, p.spec
    if d == "constant":
        return s["value"]
    if d.startswith("categorical"):
        return s["values"][int(x)]
    if d == "int_uniform":
        return int(x)
    if d in ("log_uniform", "log_normal", "q_log_uniform", "q_log_normal"):
        x = math.exp(x)
    elif d == "inv_log_uniform":
        x = math.exp(-x)
    if d.startswith("q_"):
        x = round(x / s["q"]) * s["q"]
        return int(x) if float(s["q"]).is_integer() else _tidy(x)
    return float(x)


def draw(p: Param, rng: Any) -> Any:
    """A random internal coordinate, drawn from wandb's distribution (`rng`: numpy Generator)."""
    d, s = p.distribution, p.spec
    if d == "categorical":
        return int(rng.integers(len(s["values"])))
    if d == "categorical_w_probabilities":
        return int(rng.choice(len(s["values"]), p=s["probabilities"]))
    if d == "int_uniform":
        return int(rng.integers(s["min"], s["max"] + 1))
    if d in ("log_uniform_values", "q_log_uniform_values", "inv_log_uniform_values"):
        return float(math.exp(rng.uniform(math.log(s["min"]), math.log(s["max"]))))
    if d in ("normal", "q_normal", "log_normal", "q_log_normal"):
        return float(rng.normal(s["mu"], s["sigma"]))
    if d in ("beta", "q_beta"):
        return float(rng.beta(s["a"], s["b"]))
    return float(rng.uniform(s["min"], s["max"]))


def config_of(spec: SweepSpec, params: Dict[str, Any]) -> Dict[str, Any]:
    """The trial's nested config from Optuna's params (internal coordinates by name)."""
    flat = {}
    for p in spec.params:
        flat[p.name] = value_of(p, params.get(p.name)) if p.distribution != "constant" \
            else p.spec["value"]
    return spec.nest(flat)


def internal_of(p: Param, value: Any) -> Any:
    """The internal coordinate of a grid value (categorical: its index)."""
    if p.distribution.startswith("categorical") or p.distribution == "constant":
        return p.values.index(value) if p.distribution != "constant" else None
    if p.distribution == "q_uniform":
        return float(value)
    return value


def rng_for(seed: Optional[int], number: int, name: str) -> Any:
    """A generator for one parameter of one trial: the same (seed, trial, parameter) always
    draws the same value, whichever agent draws it, and agents never share a sequence."""
    import numpy as np  # optional extra (sweep): comes with optuna

    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng([int(seed), int(number), zlib.crc32(name.encode())])
