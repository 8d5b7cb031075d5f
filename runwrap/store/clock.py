"""The run's clock: wall times are recorded as read (`_time`, `start_time`, `end_time`), while
`_runtime` and a run's duration come from the monotonic clock, so a clock stepped back or
forward during a run (NTP, a VM resumed, a hand) moves neither."""
from __future__ import annotations

import time
from typing import Optional


class RunClock:
    """Seconds since the run started. `start_monotonic` is `time.monotonic()` at the run's
    start where it is known (the wrapper's, passed to an attached init()); else it is taken
    from how long ago `start_time` was, by the wall clock, once, now."""

    def __init__(self, start_time: float, start_monotonic: Optional[float] = None):
        self.start_time = start_time
        if start_monotonic is None:
            start_monotonic = time.monotonic() - max(0.0, time.time() - start_time)
        self.start_monotonic = start_monotonic

    def runtime(self) -> float:
        return time.monotonic() - self.start_monotonic

    def runtime_at(self, t: float) -> float:
        """The runtime at wall time `t`, read a moment ago: the monotonic runtime now, less
        how long ago `t` was by the wall clock. That is a moment, unless the clock stepped in
        between: then it is taken as no time (stepped back) or at most the whole run (stepped
        forward), so a runtime is never negative nor past the present."""
        now = self.runtime()
        return now - min(max(time.time() - t, 0.0), now)
