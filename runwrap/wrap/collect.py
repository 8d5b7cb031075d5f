"""Which collectors a wrapped run starts, built from the options. Each collector adds its lines."""
from __future__ import annotations

from typing import List

from runwrap.collectors.base import Collector, CollectorContext
from runwrap.wrap.request import WrapOptions


def build_collectors(options: WrapOptions, ctx: CollectorContext) -> List[Collector]:
    """The collectors for this run, not yet started. A collector whose construction fails is
    left out with a warning rather than stopping the run."""
    collectors: List[Collector] = []
    if options.stats_interval > 0:
        from runwrap.collectors.system import SystemSampler

        collectors.append(SystemSampler(ctx, options.stats_interval))
    if not options.no_scalars:
        from runwrap.collectors.scalars import compile_patterns
        from runwrap.collectors.stdout import StdoutScalars

        # The CLI validated the patterns already; this raises UsageError if it did not.
        collectors.append(StdoutScalars(ctx, compile_patterns(options.scalars)))
    if options.metrics_files:
        from runwrap.collectors.metricfiles import MetricsFiles

        collectors.append(MetricsFiles(ctx, options.metrics_files))
    if options.tensorboard or options.tensorboard_discovery:
        from runwrap.collectors.tensorboard import TensorBoardCollector

        collectors.append(TensorBoardCollector(ctx, options.tensorboard,
                                               options.tensorboard_discovery))
    return collectors
