"""Which collectors a wrapped run starts, built from the options. Each collector adds its lines."""
from __future__ import annotations

import os
from typing import List

from runwrap import env
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
    from runwrap.collectors.wandbwatch import WandbCollector

    collectors.append(WandbCollector(ctx, wandb_dirs(ctx)))
    return collectors


def wandb_dirs(ctx: CollectorContext) -> List[str]:
    """Where the child's wandb may put its run folders: WANDB_DIR (the user's, or the run
    directory that runner.child_env gave it), and the working directory, for programs that pass
    `dir=` to wandb.init() (Lightning's WandbLogger does)."""
    chosen = os.environ.get(env.WANDB_DIR) or str(ctx.run_dir)
    return [os.path.join(str(ctx.cwd), os.path.expanduser(chosen)), str(ctx.cwd)]
