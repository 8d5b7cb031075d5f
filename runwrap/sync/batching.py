"""The limits of one `runs/log-batch` request, and splitting work to fit them.

MLflow refuses a batch with more than 1000 metrics, 100 params, 100 tags or 1000 items in all
(INVALID_PARAMETER_VALUE); keys are at most 250 characters (mapping.clean_key keeps them so).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterator, List

MAX_METRICS = 1000
MAX_PARAMS = 100
MAX_TAGS = 100
MAX_ITEMS = 1000


@dataclass
class Batch:
    metrics: List[dict] = field(default_factory=list)
    params: List[dict] = field(default_factory=list)
    tags: List[dict] = field(default_factory=list)

    @property
    def items(self) -> int:
        return len(self.metrics) + len(self.params) + len(self.tags)

    def room_for_metrics(self) -> int:
        return min(MAX_METRICS - len(self.metrics), MAX_ITEMS - self.items)


def key_values(mapping: Dict[str, str]) -> List[dict]:
    return [{"key": k, "value": v} for k, v in mapping.items()]


def split_params_and_tags(params: Dict[str, str], tags: Dict[str, str]) -> Iterator[Batch]:
    """Params and tags packed into as few batches as the limits allow (params first: a tag that
    says "params were cut" should not arrive before the params it describes)."""
    p = key_values(params)
    t = key_values(tags)
    while p or t:
        batch = Batch(params=p[:MAX_PARAMS])
        p = p[MAX_PARAMS:]
        room = min(MAX_TAGS, MAX_ITEMS - batch.items)
        batch.tags, t = t[:room], t[room:]
        yield batch
