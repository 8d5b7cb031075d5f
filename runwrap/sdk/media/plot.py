"""`runwrap.plot.*` (wandb.plot): each chart is a Table plus a spec of what to draw.

Logged, a chart writes its table like any Table and a reference record
`{"_type": "plot", "kind": "line", "fields": {"x": ..., "y": ...}, "title": ..., "table":
{table-file reference}}`: a person (or `runwrap export --tables`) reads the numbers from the
table, and the fields say which columns are the axes.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from runwrap.errors import UsageError
from runwrap.sdk.media.base import Media, MediaSink, require
from runwrap.sdk.media.table import Table

__all__ = ["line", "scatter", "bar", "histogram", "line_series", "confusion_matrix",
           "pr_curve", "roc_curve", "plot_table", "Plot"]


class Plot(Media):
    """A chart: its table, the kind of chart, which columns it draws, a title."""

    def __init__(self, kind: str, table: Table, fields: Dict[str, str], title: str = "",
                 extra: Optional[Dict[str, Any]] = None):
        self.kind = kind
        self.table = table
        self.fields = fields
        self.title = title or ""
        self.extra = extra or {}  # what a kind adds to the record (plot_table's spec name)

    def check(self, key: str) -> None:
        self.table.check(key)

    def store(self, sink: MediaSink, key: str, step: int) -> Dict[str, Any]:
        table = self.table.store(sink, key, step)
        return {"_type": "plot", "kind": self.kind, "fields": self.fields, "title": self.title,
                **self.extra, "path": table["path"], "table": table}

    def __repr__(self) -> str:
        return f"<Plot {self.kind} {self.fields}>"


def _columns(table: Any, *names: str) -> None:
    if not isinstance(table, Table):
        raise UsageError(f"wandb.plot needs a runwrap.Table, got {type(table).__name__}")
    for name in names:
        if name not in table.columns:
            raise UsageError(f"plot: the table has no column {name!r}; columns are {table.columns}")


def line(table: Table, x: str, y: str, stroke: Optional[str] = None, title: str = "",
         split_table: bool = False) -> Plot:
    _columns(table, x, y)
    fields = {"x": x, "y": y}
    if stroke is not None:
        _columns(table, stroke)
        fields["stroke"] = stroke
    return Plot("line", table, fields, title)


def scatter(table: Table, x: str, y: str, title: str = "", split_table: bool = False) -> Plot:
    _columns(table, x, y)
    return Plot("scatter", table, {"x": x, "y": y}, title)


def bar(table: Table, label: str, value: str, title: str = "", split_table: bool = False) -> Plot:
    _columns(table, label, value)
    return Plot("bar", table, {"label": label, "value": value}, title)


def histogram(table: Table, value: str, title: str = "", split_table: bool = False) -> Plot:
    _columns(table, value)
    return Plot("histogram", table, {"value": value}, title)


def plot_table(vega_spec_name: str, data_table: Table, fields: Dict[str, Any],
               string_fields: Optional[Dict[str, Any]] = None, split_table: bool = False) -> Plot:
    """wandb.plot_table: a custom chart, `kind="custom"` with the Vega spec's name, its fields
    (spec field -> column) and string fields kept in the record; no Vega is drawn offline."""
    if not isinstance(vega_spec_name, str) or not vega_spec_name:
        raise UsageError(f"plot_table: vega_spec_name {vega_spec_name!r} must name a Vega "
                         f"spec, e.g. 'wandb/line/v0'")
    if not isinstance(fields, dict):
        raise UsageError(f"plot_table: fields must map the spec's fields to columns, got "
                         f"{fields!r:.80}")
    _columns(data_table, *[str(c) for c in fields.values()])
    extra = {"vega_spec": vega_spec_name, "string_fields": dict(string_fields or {})}
    title = (string_fields or {}).get("title", "")
    return Plot("custom", data_table, {str(k): str(v) for k, v in fields.items()},
                str(title), extra)


def line_series(xs: Sequence[Any], ys: Sequence[Sequence[Any]], keys: Optional[Sequence[str]] = None,
                title: str = "", xname: str = "x", split_table: bool = False) -> Plot:
    """Several lines over shared (or per-line) x values: one row per point (lineKey, x, y)."""
    ys = [list(y) for y in ys]
    many_xs = len(xs) > 0 and hasattr(xs[0], "__len__") and not isinstance(xs[0], str)
    x_lists = [list(x) for x in xs] if many_xs else [list(xs)] * len(ys)
    if len(x_lists) != len(ys):
        raise UsageError(f"plot.line_series: {len(x_lists)} x lists for {len(ys)} lines")
    keys = list(keys) if keys is not None else [f"key_{i}" for i in range(len(ys))]
    if len(keys) != len(ys):
        raise UsageError(f"plot.line_series: {len(keys)} keys for {len(ys)} lines")
    table = Table(columns=["step", "lineKey", "lineVal"])
    for key, x_values, y_values in zip(keys, x_lists, ys):
        if len(x_values) != len(y_values):
            raise UsageError(f"plot.line_series: line {key!r} has {len(y_values)} values for "
                             f"{len(x_values)} x values")
        for x, y in zip(x_values, y_values):
            table.add_data(x, key, y)
    return Plot("line_series", table, {"step": "step", "lineKey": "lineKey",
                                       "lineVal": "lineVal", "xname": xname}, title)


def confusion_matrix(probs: Any = None, y_true: Any = None, preds: Any = None,
                     class_names: Optional[Sequence[str]] = None, title: str = "",
                     split_table: bool = False) -> Plot:
    np = require("numpy", "numpy", "plot.confusion_matrix")
    if (probs is None) == (preds is None):
        raise UsageError("plot.confusion_matrix: pass either probs or preds (one of them)")
    if y_true is None:
        raise UsageError("plot.confusion_matrix needs y_true")
    truth = np.asarray(y_true).ravel().astype(int)
    guess = (np.asarray(probs).argmax(axis=1) if probs is not None
             else np.asarray(preds).ravel().astype(int))
    if len(truth) != len(guess):
        raise UsageError(f"plot.confusion_matrix: {len(truth)} labels for {len(guess)} predictions")
    n = int(max(truth.max(initial=0), guess.max(initial=0))) + 1
    names = list(class_names) if class_names is not None else [f"Class {i + 1}" for i in range(n)]
    if len(names) < n:
        raise UsageError(f"plot.confusion_matrix: {len(names)} class_names for class ids up "
                         f"to {n - 1}")
    counts = np.zeros((len(names), len(names)), dtype=int)
    np.add.at(counts, (truth, guess), 1)
    table = Table(columns=["Actual", "Predicted", "nPredictions"])
    for i, actual in enumerate(names):
        for j, predicted in enumerate(names):
            table.add_data(actual, predicted, int(counts[i, j]))
    return Plot("confusion_matrix", table, {"Actual": "Actual", "Predicted": "Predicted",
                                            "nPredictions": "nPredictions"}, title)


def _curves(y_true: Any, y_probas: Any, labels: Any, classes_to_plot: Any, what: str) -> List[tuple]:
    np = require("numpy", "numpy", f"plot.{what}")
    truth = np.asarray(y_true).ravel()
    probas = np.asarray(y_probas, dtype=float)
    if probas.ndim == 1:
        probas = np.stack([1 - probas, probas], axis=1)
    if len(truth) != len(probas):
        raise UsageError(f"plot.{what}: {len(truth)} labels for {len(probas)} rows of probabilities")
    classes = list(range(probas.shape[1]))
    chosen = classes if classes_to_plot is None else list(classes_to_plot)
    names = list(labels) if labels is not None else [str(c) for c in classes]
    out = []
    for c in chosen:
        scores = probas[:, c]
        positive = truth == c
        order = np.argsort(-scores, kind="stable")
        tp = np.cumsum(positive[order])
        fp = np.cumsum(~positive[order])
        out.append((names[c] if c < len(names) else str(c), tp, fp, int(positive.sum()),
                    int((~positive).sum())))
    return out


def _sample(n: int, size: int) -> List[int]:
    if n <= size:
        return list(range(n))
    return sorted({round(i * (n - 1) / (size - 1)) for i in range(size)})


def pr_curve(y_true: Any, y_probas: Any, labels: Any = None, classes_to_plot: Any = None,
             interp_size: int = 21, title: str = "", split_table: bool = False) -> Plot:
    table = Table(columns=["class", "precision", "recall"])  # wandb's column order
    for name, tp, fp, positives, _ in _curves(y_true, y_probas, labels, classes_to_plot, "pr_curve"):
        for i in _sample(len(tp), max(int(interp_size), 2)):
            precision = float(tp[i] / (tp[i] + fp[i]))
            recall = float(tp[i] / positives) if positives else 0.0
            table.add_data(name, precision, recall)
    return Plot("pr_curve", table, {"x": "recall", "y": "precision", "class": "class"}, title)


def roc_curve(y_true: Any, y_probas: Any, labels: Any = None, classes_to_plot: Any = None,
              title: str = "", split_table: bool = False) -> Plot:
    table = Table(columns=["class", "fpr", "tpr"])
    for name, tp, fp, positives, negatives in _curves(y_true, y_probas, labels, classes_to_plot,
                                                      "roc_curve"):
        table.add_data(name, 0.0, 0.0)
        for i in _sample(len(tp), 200):
            table.add_data(name, float(fp[i] / negatives) if negatives else 0.0,
                           float(tp[i] / positives) if positives else 0.0)
    return Plot("roc_curve", table, {"x": "fpr", "y": "tpr", "class": "class"}, title)
