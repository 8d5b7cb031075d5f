"""wandb's sweep configuration, read as wandb reads it: every key checked, defaults filled in.

A key runwrap does not know is refused with one line naming it (never ignored). The result is a
`SweepSpec`: the method, the metric, the early-termination rule, the command, and the parameters
flattened to `Param`s named by their path (`optimizer.lr` for a nested parameter).
"""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Tuple

from runwrap.errors import UsageError

TOP_KEYS = ("program", "method", "metric", "parameters", "early_terminate", "command",
            "run_cap", "name", "description", "project", "entity", "controller")
METHODS = ("grid", "random", "bayes")
GOALS = ("minimize", "maximize")
# distribution -> the keys it takes (besides `distribution`).
DISTRIBUTIONS = {
    "constant": ("value",),
    "categorical": ("values",),
    "categorical_w_probabilities": ("values", "probabilities"),
    "int_uniform": ("min", "max"),
    "uniform": ("min", "max"),
    "q_uniform": ("min", "max", "q"),
    "log_uniform": ("min", "max"),
    "log_uniform_values": ("min", "max"),
    "q_log_uniform": ("min", "max", "q"),
    "q_log_uniform_values": ("min", "max", "q"),
    "inv_log_uniform": ("min", "max"),
    "inv_log_uniform_values": ("min", "max"),
    "normal": ("mu", "sigma"),
    "q_normal": ("mu", "sigma", "q"),
    "log_normal": ("mu", "sigma"),
    "q_log_normal": ("mu", "sigma", "q"),
    "beta": ("a", "b"),
    "q_beta": ("a", "b", "q"),
}
DEFAULT_COMMAND = ["${env}", "${interpreter}", "${program}", "${args}"]


class Param:
    """One searched (or constant) parameter. `path` is its place in the config
    (('optimizer', 'lr') for a nested one); `name` joins it with dots."""

    def __init__(self, path: Tuple[str, ...], distribution: str, spec: Dict[str, Any]):
        self.path = path
        self.name = ".".join(path)
        self.distribution = distribution
        self.spec = spec  # the parameter's keys with defaults filled in

    @property
    def values(self) -> List[Any]:
        if self.distribution == "constant":
            return [self.spec["value"]]
        return list(self.spec.get("values") or [])

    @property
    def discrete(self) -> bool:
        """Whether grid search can enumerate it."""
        return self.distribution in ("constant", "categorical", "categorical_w_probabilities",
                                     "int_uniform") or (
            self.distribution == "q_uniform" and self.spec["q"] > 0)

    def grid_values(self) -> List[Any]:
        d, s = self.distribution, self.spec
        if d == "int_uniform":
            return list(range(int(s["min"]), int(s["max"]) + 1))
        if d == "q_uniform":
            n = int(math.floor((s["max"] - s["min"]) / s["q"] + 1e-9))
            return [_tidy(s["min"] + i * s["q"]) for i in range(n + 1)]
        return self.values


def _tidy(x: float) -> float:
    return float(f"{x:.12g}")


class SweepSpec:
    """A checked sweep configuration."""

    def __init__(self, config: Dict[str, Any], params: List[Param]):
        self.config = config  # defaults filled in: what sweep.json records
        self.params = params
        self.method: str = config["method"]
        metric = config.get("metric") or {}
        self.metric: Optional[str] = metric.get("name")
        self.goal: str = metric.get("goal", "minimize")
        self.target: Optional[float] = metric.get("target")
        self.early_terminate: Optional[Dict[str, Any]] = config.get("early_terminate")
        self.command: List[str] = list(config.get("command") or DEFAULT_COMMAND)
        self.program: Optional[str] = config.get("program")
        self.run_cap: Optional[int] = config.get("run_cap")
        self.name: Optional[str] = config.get("name")
        self.description: Optional[str] = config.get("description")

    @property
    def searched(self) -> List[Param]:
        return [p for p in self.params if p.distribution != "constant"]

    def grid(self) -> List[Dict[str, Any]]:
        """Every grid point, as {param name: value}, in wandb's order (the last parameter
        varies fastest)."""
        points: List[Dict[str, Any]] = [{}]
        for p in self.params:
            points = [dict(point, **{p.name: v}) for point in points for v in p.grid_values()]
        return points

    def nest(self, flat: Dict[str, Any]) -> Dict[str, Any]:
        """{'optimizer.lr': 0.1} -> {'optimizer': {'lr': 0.1}}, following each param's path."""
        out: Dict[str, Any] = {}
        for p in self.params:
            if p.name not in flat:
                continue
            node = out
            for part in p.path[:-1]:
                node = node.setdefault(part, {})
            node[p.path[-1]] = flat[p.name]
        return out


def _fail(message: str) -> None:
    raise UsageError(message)


def _number(where: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(f"sweep config {where}.{key} must be a finite number, not {value!r}")
    return value


def parse_config(config: Any, program: Optional[str] = None) -> SweepSpec:
    """Check a wandb sweep configuration (a dict, as read from YAML) and fill in its defaults.
    Raises UsageError naming the first bad key."""
    if not isinstance(config, dict):
        _fail(f"a sweep config is a mapping of keys (method, metric, parameters, ...), not "
              f"{type(config).__name__}")
    config = dict(config)
    for key in config:
        if key not in TOP_KEYS:
            _fail(f"sweep config key {key!r} is not supported; the keys are "
                  f"{', '.join(TOP_KEYS)}")
    method = config.get("method")
    if method is None:
        _fail(f"sweep config needs `method`: one of {', '.join(METHODS)}")
    if method not in METHODS:
        _fail(f"sweep config method {method!r} is not supported; use one of "
              f"{', '.join(METHODS)}")
    if program is not None and config.get("program") is None:
        config["program"] = program
    if "metric" in config:
        config["metric"] = _metric(config["metric"])
    elif method == "bayes":
        _fail("sweep config method `bayes` needs `metric` with a `name` (and `goal`) to optimize")
    if "parameters" not in config:
        _fail("sweep config needs `parameters`: the values to search, e.g. "
              "`parameters: {lr: {values: [0.1, 0.01]}}`")
    params = _parameters(config["parameters"], (), method)
    if not params:
        _fail("sweep config `parameters` is empty; name at least one parameter")
    if "early_terminate" in config:
        if "metric" not in config:
            _fail("sweep config early_terminate needs `metric` (its name and goal)")
        config["early_terminate"] = _early_terminate(config["early_terminate"])
    if "command" in config:
        command = config["command"]
        if (not isinstance(command, list) or not command
                or not all(isinstance(c, (str, int, float)) for c in command)):
            _fail("sweep config command must be a list of words, e.g. "
                  "[\"${env}\", \"${interpreter}\", \"${program}\", \"${args}\"]")
        config["command"] = [str(c) for c in command]
    for key in ("program", "name", "description", "project", "entity"):
        if key in config and config[key] is not None and not isinstance(config[key], str):
            _fail(f"sweep config {key} must be a string, not {config[key]!r}")
    if "run_cap" in config and config["run_cap"] is not None:
        cap = config["run_cap"]
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
            _fail(f"sweep config run_cap must be a positive whole number, not {cap!r}")
    if "controller" in config:
        controller = config["controller"]
        kind = controller.get("type") if isinstance(controller, dict) else None
        if kind != "local" or set(controller) - {"type"}:
            _fail("sweep config controller: runwrap's sweeps are always controlled locally "
                  "by the agents; remove `controller` or set `controller: {type: local}`")
    spec = SweepSpec(config, params)
    if method == "grid":
        for p in params:
            if not p.discrete:
                _fail(f"sweep config parameter {p.name!r} ({p.distribution}) cannot be "
                      f"searched by grid: give it `values`, an int_uniform range or a "
                      f"q_uniform step, or use method random or bayes")
    return spec


def _metric(metric: Any) -> Dict[str, Any]:
    if isinstance(metric, str):
        metric = {"name": metric}
    if not isinstance(metric, dict):
        _fail(f"sweep config metric must be a mapping with `name` and `goal`, not {metric!r}")
    for key in metric:
        if key not in ("name", "goal", "target", "impute", "imputewhileRunning"):
            _fail(f"sweep config metric key {key!r} is not supported; use name, goal, target")
        if key in ("impute", "imputewhileRunning"):
            _fail(f"sweep config metric.{key} is not supported by runwrap; remove it (a trial "
                  f"without the metric is left out of the search)")
    name = metric.get("name")
    if not isinstance(name, str) or not name:
        _fail("sweep config metric needs `name`: the metric to optimize, as runwrap records it "
              "(see `runwrap show RUN`)")
    goal = metric.get("goal", "minimize")
    if goal not in GOALS:
        _fail(f"sweep config metric.goal {goal!r} must be minimize or maximize")
    out = {"name": name, "goal": goal}
    if metric.get("target") is not None:
        out["target"] = _number("metric", "target", metric["target"])
    return out


def _early_terminate(et: Any) -> Dict[str, Any]:
    if not isinstance(et, dict):
        _fail("sweep config early_terminate must be a mapping, e.g. "
              "{type: hyperband, min_iter: 3}")
    for key in et:
        if key not in ("type", "min_iter", "max_iter", "s", "eta", "strict"):
            _fail(f"sweep config early_terminate key {key!r} is not supported; use type, "
                  f"min_iter, max_iter, s, eta")
    if et.get("type") != "hyperband":
        _fail(f"sweep config early_terminate type {et.get('type')!r} is not supported; "
              f"use hyperband")
    out: Dict[str, Any] = {"type": "hyperband", "eta": et.get("eta", 3)}
    for key in ("min_iter", "max_iter", "s", "eta"):
        if key in et:
            value = et[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                _fail(f"sweep config early_terminate.{key} must be a positive whole number, "
                      f"not {value!r}")
            out[key] = value
    if out["eta"] < 2:
        _fail("sweep config early_terminate.eta must be at least 2")
    if et.get("strict"):
        _fail("sweep config early_terminate.strict is not supported; remove it (runwrap "
              "stops a trial outside the best 1/eta at each bracket)")
    if "min_iter" not in out and "max_iter" not in out:
        _fail("sweep config early_terminate (hyperband) needs min_iter, or max_iter with s")
    if "max_iter" in out and "min_iter" not in out:
        out.setdefault("s", 0)
        if out["s"] < 1:
            _fail("sweep config early_terminate with max_iter needs s: the number of brackets")
    return out


def _parameters(params: Any, prefix: Tuple[str, ...], method: str) -> List[Param]:
    where = "parameters" + "".join(f".{p}.parameters" for p in prefix)
    if not isinstance(params, dict):
        _fail(f"sweep config {where} must be a mapping of parameter names")
    out: List[Param] = []
    for name, spec in params.items():
        if not isinstance(name, str) or not name or "." in name:
            _fail(f"sweep config parameter name {name!r} must be a non-empty string without "
                  f"'.'; nest parameters with `parameters:` instead")
        path = prefix + (name,)
        if isinstance(spec, dict) and "parameters" in spec:
            extra = set(spec) - {"parameters"}
            if extra:
                _fail(f"sweep config parameter {'.'.join(path)!r} has `parameters` and "
                      f"{sorted(extra)[0]!r}; a nested parameter holds only `parameters`")
            out.extend(_parameters(spec["parameters"], path, method))
            continue
        out.append(_parameter(path, spec))
    return out


def _parameter(path: Tuple[str, ...], spec: Any) -> Param:
    label = ".".join(path)
    where = f"parameters.{label}"
    if not isinstance(spec, dict):
        _fail(f"sweep config {where} must be a mapping such as {{values: [...]}} or "
              f"{{min: 0, max: 1}}, not {spec!r}")
    dist = spec.get("distribution")
    if dist is None:  # wandb's defaults
        if "value" in spec:
            dist = "constant"
        elif "values" in spec:
            dist = "categorical_w_probabilities" if "probabilities" in spec else "categorical"
        elif "min" in spec and "max" in spec:
            ints = all(isinstance(spec[k], int) and not isinstance(spec[k], bool)
                       for k in ("min", "max"))
            dist = "int_uniform" if ints else "uniform"
        else:
            _fail(f"sweep config {where} needs `value`, `values`, `min`/`max` or "
                  f"`distribution`")
    if dist not in DISTRIBUTIONS:
        _fail(f"sweep config {where}.distribution {dist!r} is not supported; use one of "
              f"{', '.join(DISTRIBUTIONS)}")
    if dist == "categorical" and "probabilities" in spec:
        dist = "categorical_w_probabilities"
    allowed = DISTRIBUTIONS[dist]
    for key in spec:
        if key != "distribution" and key not in allowed:
            _fail(f"sweep config {where}: key {key!r} does not go with distribution {dist} "
                  f"(it takes {', '.join(allowed)})")
    out: Dict[str, Any] = {}
    if dist == "constant":
        if "value" not in spec:
            _fail(f"sweep config {where} (constant) needs `value`")
        out["value"] = spec["value"]
    elif dist.startswith("categorical"):
        values = spec.get("values")
        if not isinstance(values, list) or not values:
            _fail(f"sweep config {where}.values must be a non-empty list")
        out["values"] = values
        if dist == "categorical_w_probabilities":
            probs = spec.get("probabilities")
            if (not isinstance(probs, list) or len(probs) != len(values)
                    or any(_number(where, "probabilities", p) < 0 for p in probs)):
                _fail(f"sweep config {where}.probabilities must be one number >= 0 per value")
            total = sum(probs)
            if abs(total - 1.0) > 1e-6:
                _fail(f"sweep config {where}.probabilities sum to {total}, not 1")
            out["probabilities"] = probs
    else:
        defaults = {"q": 1.0, "mu": 0.0, "sigma": 1.0, "a": 1.0, "b": 1.0}
        for key in allowed:
            if key in spec:
                out[key] = _number(where, key, spec[key])
            elif key in defaults:
                out[key] = defaults[key]
            else:
                _fail(f"sweep config {where} ({dist}) needs `{key}`")
        if "min" in out and out["min"] > out["max"]:
            _fail(f"sweep config {where}: min {out['min']} is above max {out['max']}")
        if dist == "int_uniform":
            for key in ("min", "max"):
                if not float(out[key]).is_integer():
                    _fail(f"sweep config {where}.{key} must be a whole number for int_uniform")
                out[key] = int(out[key])
        if dist.endswith("_values") and out["min"] <= 0:
            _fail(f"sweep config {where}.min must be above 0 for {dist}")
        if out.get("q", 1.0) <= 0 or out.get("sigma", 1.0) < 0:
            _fail(f"sweep config {where}: q must be above 0 and sigma at least 0")
    return Param(path, dist, out)
