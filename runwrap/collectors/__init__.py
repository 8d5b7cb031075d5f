"""Collectors turn one source each into metric records in the run directory.

Each collector writes its own stream (`store.streams.StreamWriter`) and implements the small
interface of `base.Collector`: `start()`, `stop()` (final read, flush, idempotent) and
`problems()` (counts of skipped items, recorded in run.json). A collector never raises into its
caller and never slows the child: bad input is skipped, counted, and warned about once.
"""
