"""Which collectors a wrapped run starts, built from the options. Each collector adds its lines."""
from __future__ import annotations

import os
from typing import Callable, Dict, List

from runwrap import env
from runwrap.collectors.base import Collector, CollectorContext
from runwrap.notices import warn_once
from runwrap.wrap.request import WrapOptions

Factory = Callable[[CollectorContext], Collector]  # imports its collector's module, builds it


def build_collectors(options: WrapOptions, ctx: CollectorContext) -> List[Collector]:
    """The collectors for this run, not yet started. Each is built on its own: one whose module
    or constructor fails is left out with one warning naming it, and the others still record."""
    collectors: List[Collector] = []
    for name, make in _wanted(options, ctx).items():
        try:
            collectors.append(make(ctx))
        except Exception as e:  # a broken collector must not cost the run the others
            warn_once(f"collector-{name}", f"the {name} collector did not start and records "
                                           f"nothing in this run: {e}")
    return collectors


def _wanted(options: WrapOptions, ctx: CollectorContext) -> Dict[str, Factory]:
    """The factory of each collector the options ask for, by its name for messages. The
    factories import their module, so a module that cannot be imported fails only its own
    collector. In a task of a launcher job, one task per host samples the system and one per
    job follows the files on the shared filesystem (metrics files, TensorBoard, wandb)."""
    wanted: Dict[str, Factory] = {}
    if options.stats_interval > 0 and ctx.samples_host:
        def system(ctx: CollectorContext) -> Collector:
            # start-up: loaded only on the path that needs it
            from runwrap.collectors.system.sampler import SystemSampler

            return SystemSampler(ctx, options.stats_interval)
        wanted["system"] = system
    if not options.no_scalars:
        def scalars(ctx: CollectorContext) -> Collector:
            # start-up: loaded only on the path that needs it
            from runwrap.collectors.console.collector import StdoutScalars

            # The plan validated the patterns already; the collector compiles them (and loads
            # the grammar) at the program's first console text.
            return StdoutScalars(ctx, options.scalars)
        wanted["console scalars"] = scalars
    if not ctx.reads_files:
        return wanted
    if options.metrics_files:
        def metrics_files(ctx: CollectorContext) -> Collector:
            # start-up: loaded only on the path that needs it
            from runwrap.collectors.metricfiles.collector import MetricsFiles

            return MetricsFiles(ctx, options.metrics_files)
        wanted["metrics files"] = metrics_files
    if options.tensorboard or options.tensorboard_discovery:
        def tensorboard(ctx: CollectorContext) -> Collector:
            # start-up: loaded only on the path that needs it
            from runwrap.collectors.tensorboard.collector import TensorBoardCollector

            return TensorBoardCollector(ctx, options.tensorboard, options.tensorboard_discovery,
                                        part=ctx.part)
        wanted["TensorBoard"] = tensorboard

    def wandb(ctx: CollectorContext) -> Collector:
        # start-up: loaded only on the path that needs it
        from runwrap.collectors.wandb.collector import WandbCollector

        return WandbCollector(ctx, wandb_dirs(ctx))
    wanted["wandb"] = wandb
    return wanted


def wandb_dirs(ctx: CollectorContext) -> List[str]:
    """Where the child's wandb may put its run folders: WANDB_DIR (the user's, or the run
    directory that runner.child_env gave it), and the working directory, for programs that pass
    `dir=` to wandb.init() (Lightning's WandbLogger does)."""
    chosen = os.environ.get(env.WANDB_DIR) or str(ctx.run_dir)
    return [os.path.join(str(ctx.cwd), os.path.expanduser(chosen)), str(ctx.cwd)]
