"""The search: which point a trial runs next, and whether a running trial stops early.

Optuna does the searching (the optional extra `runwrap[sweep]`): its study lives in the sweep's
directory as a journal file (Optuna's JournalStorage; its file lock works on NFS), or in a
database the user names (`--storage postgresql://...`). One path for every method:

- grid: every point is put in Optuna's queue of waiting trials when the sweep is created; an
  agent claims one by moving it from WAITING to RUNNING, which the storage does atomically
  (of two agents racing for a point, exactly one gets it).
- random: wandb's distributions drawn by a sampler seeded per (seed, trial, parameter), so a
  seeded sweep draws the same points whichever agents run it.
- bayes: Optuna's TPE sampler (multivariate, with the constant liar so parallel agents spread).
- hyperband: Optuna's successive-halving pruner on wandb's brackets (see `Bands`).

A trial whose agent died (SIGKILL, a lost machine) is marked crashed by the next agent that
looks, and its point goes back to the queue once.
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional

from runwrap.errors import UsageError
from runwrap.store import sweeps as store
from runwrap.store.owner import hostname, process_alive
from runwrap.sweeps import space
from runwrap.sweeps.config import SweepSpec, parse_config

HEARTBEAT = 30.0  # seconds between a running trial's heartbeats (trials/<n>.json)
STALE = 4 * HEARTBEAT  # another host's trial without a heartbeat this long: its agent is gone
UNCLAIMED_GRACE = 60.0  # a RUNNING trial with no document this long after its start: crashed


def optuna_module() -> Any:
    try:
        import optuna  # optional extra
    except ImportError:
        raise UsageError("sweeps need Optuna: pip install 'runwrap[sweep]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    return optuna


def open_storage(sweep: Path, url: Optional[str]) -> Any:
    optuna = optuna_module()
    if url:
        try:
            return optuna.storages.RDBStorage(with_driver(url))
        except Exception as e:  # a driver missing, the server down, bad credentials
            raise UsageError(f"cannot open the sweep's storage {masked(url)}: "
                             f"{str(e).splitlines()[0] if str(e) else type(e).__name__}; "
                             f"check the URL (and pip install 'runwrap[sweep]' for "
                             f"PostgreSQL's driver)") from None
    # optional extra (sweep)
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

    path = str(sweep / store.JOURNAL)
    return optuna.storages.JournalStorage(
        JournalFileBackend(path, lock_obj=JournalFileOpenLock(path)))


def with_driver(url: str) -> str:
    """`postgresql://` with the driver the sweep extra installs (psycopg2): SQLAlchemy 2.1
    reads a bare `postgresql://` as psycopg 3, which may be absent. A URL naming its driver
    (`postgresql+psycopg://`) is left as it is."""
    if url.startswith("postgresql://"):
        import importlib.util  # start-up: loaded only on the path that needs it

        if (importlib.util.find_spec("psycopg") is None
                and importlib.util.find_spec("psycopg2") is not None):
            return "postgresql+psycopg2://" + url[len("postgresql://"):]
    return url


def masked(url: str) -> str:
    """The URL without its password (what sweep.json records)."""
    if "://" not in url or "@" not in url.split("://", 1)[1]:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


class Claim:
    """A trial this agent runs: its Optuna trial, number and nested config."""

    def __init__(self, trial: Any, number: int, config: Dict[str, Any],
                 retry_of: Optional[int]):
        self.trial = trial
        self.number = number
        self.config = config
        self.retry_of = retry_of
        self.history: List[float] = []  # the metric's values seen so far


class Search:
    """The sweep's study, opened by one agent (or by `runwrap sweep` to create it)."""

    def __init__(self, sweep: Path, doc: Dict[str, Any], storage_url: Optional[str] = None,
                 create: bool = False):
        """Open the sweep's study (`create`: make it first, with a grid's points queued)."""
        self.dir = sweep
        self.doc = doc
        self.spec: SweepSpec = parse_config(doc["config"])
        self.seed: Optional[int] = doc.get("seed")
        self.optuna = optuna_module()
        url = storage_url or (doc.get("storage") if doc.get("storage") and
                              "***" not in doc["storage"] else None)
        if doc.get("storage") and not url:
            raise UsageError(f"sweep {doc['id']} lives in {doc['storage']}; pass --storage "
                             f"with the full URL (its password is not recorded)")
        self.storage = open_storage(sweep, url)
        self.study_name = f"runwrap-sweep-{doc['id']}"
        if create:
            self.optuna.create_study(storage=self.storage, study_name=self.study_name,
                                     direction="maximize" if self.spec.goal == "maximize"
                                     else "minimize")
        self.study = self._load()
        if create and self.spec.method == "grid":
            for point in self.spec.grid():
                self.study.enqueue_trial({p.name: space.internal_of(p, point[p.name])
                                          for p in self.spec.searched})

    def _load(self) -> Any:
        try:
            return self.optuna.load_study(study_name=self.study_name, storage=self.storage,
                                          sampler=self._sampler(), pruner=self._pruner())
        except KeyError:
            raise UsageError(f"the sweep's storage has no study {self.study_name}; was the "
                             f"sweep created with another --storage?") from None

    def _sampler(self) -> Any:
        spec, seed = self.spec, self.seed
        by_name = {p.name: p for p in spec.searched}
        optuna = self.optuna

        if spec.method == "bayes":
            return Bayes(optuna, by_name, seed, self._trials_so_far())
        return WandbRandom(optuna, by_name, seed)

    def _trials_so_far(self) -> int:
        try:
            study_id = self.storage.get_study_id_from_name(self.study_name)
        except KeyError:
            return 0
        return len(self.storage.get_all_trials(study_id, deepcopy=False))

    def _pruner(self) -> Any:
        et = self.spec.early_terminate
        if not et:
            return self.optuna.pruners.NopPruner()
        return Bands(self.optuna, et)

    # -- claiming ---------------------------------------------------------------------------
    def claim(self) -> Optional[Claim]:
        """The next trial for this agent, or None when the sweep has nothing left to run
        (grid exhausted, run_cap reached, metric target met, or the sweep stopped)."""
        if store.sweep_state(self.dir) != "running":
            return None
        self.recover_crashed()
        TrialState = self.optuna.trial.TrialState
        trials = self.study.get_trials(deepcopy=False)
        started = [t for t in trials if t.state != TrialState.WAITING]
        cap = self.spec.run_cap
        if cap is not None and len(started) >= cap:
            return None
        if self.target_met(trials):
            return None
        trial = self._pop_waiting(trials)
        if trial is None:
            if self.spec.method == "grid":
                return None
            trial = self.study.ask()
        for p in self.spec.searched:
            _suggest(trial, p, space.distribution(p))
        number = trial.number
        retry_of = trial.user_attrs.get("retry_of")
        return Claim(trial, number, space.config_of(self.spec, trial.params), retry_of)

    def _pop_waiting(self, trials: List[Any]) -> Optional[Any]:
        TrialState = self.optuna.trial.TrialState
        study_id = self.storage.get_study_id_from_name(self.study_name)
        for t in trials:
            if t.state != TrialState.WAITING:
                continue
            trial_id = self.storage.get_trial_id_from_study_id_trial_number(study_id, t.number)
            try:
                if not self.storage.set_trial_state_values(trial_id, state=TrialState.RUNNING):
                    continue  # another agent took it first
            except self.optuna.exceptions.UpdateFinishedTrialError:
                continue
            return self.optuna.trial.Trial(self.study, trial_id)
        return None

    def target_met(self, trials: List[Any]) -> bool:
        target = self.spec.target
        if target is None:
            return False
        values = [t.value for t in trials if t.value is not None]
        if not values:
            return False
        best = max(values) if self.spec.goal == "maximize" else min(values)
        return best >= target if self.spec.goal == "maximize" else best <= target

    # -- during and after a trial -------------------------------------------------------------
    def report(self, claim: Claim, value: float) -> bool:
        """Record the metric's next value; True when the trial should stop early."""
        claim.history.append(value)
        if not self.spec.early_terminate:
            return False
        step = len(claim.history) - 1  # wandb's iteration: the value's index in the history
        claim.trial.report(value, step)
        return bool(claim.trial.should_prune())

    def finish(self, claim: Claim, state: str, value: Optional[float]) -> None:
        """Tell the study how the trial ended (`state`: a trial state of store/sweeps.py)."""
        TrialState = self.optuna.trial.TrialState
        try:
            if state == "stopped":
                self.study.tell(claim.trial, state=TrialState.PRUNED)
            elif state == "finished" and value is not None:
                self.study.tell(claim.trial, value)
            else:
                self.study.tell(claim.trial, state=TrialState.FAIL)
        except (ValueError, RuntimeError, self.optuna.exceptions.UpdateFinishedTrialError):
            pass  # already told (another agent found this one crashed meanwhile)

    # -- crashed agents -----------------------------------------------------------------------
    def recover_crashed(self) -> List[int]:
        """Mark the trials whose agent is gone as crashed and queue their points once more
        (a retry that crashes too is not queued again). Returns their numbers."""
        TrialState = self.optuna.trial.TrialState
        found = []
        now = time.time()
        for t in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            doc = store.read_trial(self.dir, t.number)
            if not _agent_gone(doc, t, now):
                continue
            study_id = self.storage.get_study_id_from_name(self.study_name)
            trial_id = self.storage.get_trial_id_from_study_id_trial_number(study_id, t.number)
            try:
                if not self.storage.set_trial_state_values(trial_id, state=TrialState.FAIL):
                    continue
            except self.optuna.exceptions.UpdateFinishedTrialError:
                continue  # another agent got there first
            found.append(t.number)
            if doc is not None:
                doc.update(state="crashed", end_time=now,
                           reason=f"its agent (pid {(doc.get('agent') or {}).get('pid')} on "
                                  f"{(doc.get('agent') or {}).get('host')}) died")
                store.write_trial(self.dir, doc)
            if t.user_attrs.get("retry_of") is None:
                self.study.enqueue_trial(dict(t.params), user_attrs={"retry_of": t.number})
        return found


def _agent_gone(doc: Optional[Dict[str, Any]], t: Any, now: float) -> bool:
    if doc is None:
        started = t.datetime_start.timestamp() if t.datetime_start else now
        return now - started > UNCLAIMED_GRACE
    if doc.get("state") != "running":
        return True  # its agent recorded the end but did not tell the study
    agent = doc.get("agent") or {}
    if agent.get("host") == hostname() and isinstance(agent.get("pid"), int):
        return not process_alive(agent["pid"], agent.get("pid_start"))
    return now - float(doc.get("heartbeat") or doc.get("start_time") or now) > STALE


def _suggest(trial: Any, p: Any, dist: Any) -> Any:
    """Ask `trial` for `p`'s internal coordinate through Optuna's public suggest calls."""
    kind = type(dist).__name__
    if kind == "CategoricalDistribution":
        return trial.suggest_categorical(p.name, list(dist.choices))
    if kind == "IntDistribution":
        return trial.suggest_int(p.name, dist.low, dist.high)
    return trial.suggest_float(p.name, dist.low, dist.high, log=dist.log)


class WandbRandom:
    """Optuna sampler drawing each parameter from wandb's distribution (see space.draw)."""

    def __new__(cls, optuna: Any, params: Dict[str, Any], seed: Optional[int]) -> Any:
        class _Sampler(optuna.samplers.BaseSampler):
            def infer_relative_search_space(self, study: Any, trial: Any) -> Dict[str, Any]:
                return {}

            def sample_relative(self, study: Any, trial: Any, search_space: Any) -> Dict:
                return {}

            def sample_independent(self, study: Any, trial: Any, name: str,
                                   param_distribution: Any) -> Any:
                return space.draw(params[name], space.rng_for(seed, trial.number, name))

        return _Sampler()


class Bayes:
    """TPE after N_STARTUP finished trials, wandb-distributed random points before. The
    start-up points are drawn per (seed, trial), so agents starting together never draw the
    same ones; TPE itself is one sampler per agent, seeded from the seed and the trials the
    study held when the agent opened it (one agent's sweep replays exactly)."""

    N_STARTUP = 10

    def __new__(cls, optuna: Any, params: Dict[str, Any], seed: Optional[int],
                offset: int) -> Any:
        tpe = optuna.samplers.TPESampler(
            seed=None if seed is None else seed * 1_000_003 + offset, multivariate=True,
            group=True, constant_liar=True, n_startup_trials=cls.N_STARTUP)
        random = WandbRandom(optuna, params, seed)
        done = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
        n_startup = cls.N_STARTUP

        class _Sampler(optuna.samplers.BaseSampler):
            def _starting(self, study: Any) -> bool:
                return len(study.get_trials(deepcopy=False, states=done)) < n_startup

            def infer_relative_search_space(self, study: Any, trial: Any) -> Dict[str, Any]:
                return {} if self._starting(study) else tpe.infer_relative_search_space(
                    study, trial)

            def sample_relative(self, study: Any, trial: Any, search_space: Any) -> Dict:
                return tpe.sample_relative(study, trial, search_space) if search_space else {}

            def sample_independent(self, study: Any, trial: Any, name: str,
                                   param_distribution: Any) -> Any:
                chosen = random if self._starting(study) else tpe
                return chosen.sample_independent(study, trial, name, param_distribution)

            def before_trial(self, study: Any, trial: Any) -> None:
                tpe.before_trial(study, trial)

            def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
                tpe.after_trial(study, trial, state, values)

        return _Sampler()


class Bands:
    """wandb's hyperband: brackets at min_iter, min_iter*eta, ... (or max_iter/eta^s, ...,
    max_iter/eta); at each, a trial outside the best 1/eta of those that reached it stops.
    That is Optuna's successive-halving pruner with min_resource = the first bracket and
    reduction_factor = eta, held to the last bracket when max_iter is given."""

    def __new__(cls, optuna: Any, et: Dict[str, Any]) -> Any:
        eta = et["eta"]
        if "min_iter" in et:
            first, last = et["min_iter"], None
        else:
            first = max(1, int(et["max_iter"] / eta ** et["s"]))
            last = int(et["max_iter"] / eta)
        inner = optuna.pruners.SuccessiveHalvingPruner(
            min_resource=first, reduction_factor=eta, min_early_stopping_rate=0)

        class _Pruner(optuna.pruners.BasePruner):
            def prune(self, study: Any, trial: Any) -> bool:
                step = trial.last_step
                if step is None or (last is not None and step > last):
                    return False
                return inner.prune(study, trial)

        return _Pruner()
