"""Which launcher started this task, and the one run id every task of its job step derives.

`srun runwrap python train.py` starts one runwrap per task on every node; `mpirun -n 8 runwrap
...` and `torchrun ... runwrap python ...` do the same on one or many machines. Each task reads
its launcher's environment and derives the same run id without talking to the others, then
joins that run as a part named for its rank.

The id names the job step: the scheduler's step when there is one (SLURM_JOB_ID and
SLURM_STEP_ID; a requeued job adds its restart count), else the inner launcher's own id
(torchrun's rendezvous id, Open MPI's PMIx namespace) prefixed by a PBS or LSF job id when
inside one. The rank is the innermost launcher's (torchrun's RANK inside an srun task, the MPI
rank inside a SLURM step started by mpirun). A launcher without any job id (MPICH's Hydra,
torchrun without --rdzv-id) is only trusted on one machine, where the launching process's pid
tells launches apart; across machines it is not a job here, and runwrap says so once.
"""
from __future__ import annotations

import os
from typing import Dict, Mapping, Optional

# SLURM (srun): one task per process; a step is one srun inside the job.
SLURM_JOB_ID = ("SLURM_JOB_ID", "SLURM_JOBID")
SLURM_STEP_ID = ("SLURM_STEP_ID", "SLURM_STEPID")
SLURM_PROCID = "SLURM_PROCID"  # the task's rank in the step
SLURM_LOCALID = "SLURM_LOCALID"  # its rank on this node
SLURM_NODEID = "SLURM_NODEID"  # the node's index in the step
SLURM_NTASKS = ("SLURM_STEP_NUM_TASKS", "SLURM_NTASKS")
SLURMD_NODENAME = "SLURMD_NODENAME"
SLURM_RESTART_COUNT = "SLURM_RESTART_COUNT"  # a requeued job runs again under the same id
# torchrun (torch.distributed.run) workers.
TORCHELASTIC_RUN_ID = "TORCHELASTIC_RUN_ID"  # --rdzv-id; "none" when not given
TORCHELASTIC_RESTART_COUNT = "TORCHELASTIC_RESTART_COUNT"
TORCH_RANK, TORCH_LOCAL_RANK, TORCH_WORLD_SIZE = "RANK", "LOCAL_RANK", "WORLD_SIZE"
TORCH_GROUP_RANK, TORCH_LOCAL_WORLD_SIZE = "GROUP_RANK", "LOCAL_WORLD_SIZE"
# MPI: Open MPI (ORTE/PRRTE), PMIx, and PMI (MPICH's Hydra, Intel MPI, srun --mpi=pmi2).
OMPI_RANK, OMPI_LOCAL_RANK = "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_LOCAL_RANK"
OMPI_SIZE, OMPI_LOCAL_SIZE = "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_SIZE"
OMPI_NODE_RANK = "OMPI_COMM_WORLD_NODE_RANK"
OMPI_JOBID = "OMPI_MCA_ess_base_jobid"
PMIX_RANK, PMIX_NAMESPACE = "PMIX_RANK", "PMIX_NAMESPACE"
PMI_RANK, PMI_SIZE = "PMI_RANK", "PMI_SIZE"
MPI_LOCALRANKID, MPI_LOCALNRANKS = "MPI_LOCALRANKID", "MPI_LOCALNRANKS"  # Hydra
# PBS / Torque and LSF: job ids (their tasks' ranks come from the MPI they start).
PBS_JOBID = "PBS_JOBID"
PBS_TASKNUM = "PBS_VNODENUM"  # pbsdsh's task index
LSB_JOBID, LSB_JOBINDEX = "LSB_JOBID", "LSB_JOBINDEX"


class Job:
    """This task's place in a launcher's job: the run id all its tasks share and its part."""

    __slots__ = ("launcher", "run_id", "rank", "local_rank", "node", "size", "restart",
                 "no_id")

    def __init__(self, launcher: str, run_id: str, rank: Optional[int],
                 local_rank: Optional[int] = None, node: Optional[int] = None,
                 size: Optional[int] = None, restart: int = 0):
        self.launcher, self.run_id, self.rank = launcher, run_id, rank
        self.local_rank, self.node, self.size, self.restart = local_rank, node, size, restart
        self.no_id: Optional[str] = None  # why the launcher alone gives no shared id

    @property
    def part(self) -> str:
        """The part's name in file names (`output.<part>.log`): the rank, and the restart
        count for a worker torchrun restarted (`3.r1`)."""
        base = str(self.rank) if self.rank is not None else f"pid{os.getpid()}"
        return f"{base}.r{self.restart}" if self.restart else base

    @property
    def samples_host(self) -> bool:
        """Whether this task runs its host's system sampler: the first task on each node."""
        return self.local_rank in (0, None)

    def record(self) -> Dict[str, object]:
        """What run.json and the part's record say about the job."""
        return {"launcher": self.launcher, "id": self.run_id, "size": self.size}

    def __repr__(self) -> str:
        return f"Job({self.launcher!r}, {self.run_id!r}, part={self.part!r})"


def _first(env: Mapping[str, str], *names: str) -> Optional[str]:
    for name in names:
        value = env.get(name)
        if value:
            return value
    return None


def _int(env: Mapping[str, str], *names: str) -> Optional[int]:
    value = _first(env, *names)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# Not `re`: this module is imported on every wrapper start.
_SAFE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def _safe(value: str) -> str:
    """An id part usable in a path (PBS ids hold the server name; PMIx namespaces hold '@')."""
    return "".join(c if c in _SAFE_CHARS else "-" for c in value).strip("-.") or "x"


def safe_host(host: str) -> str:
    """A host name as it appears in file names (`system.<host>.jsonl`)."""
    return _safe(host)


class NoJobId(Exception):
    """A launcher whose tasks cannot agree on a run id here (the message says why)."""


def detect(env: Mapping[str, str], host: str, parent_pid: int) -> Optional[Job]:
    """The job this task belongs to, from its environment; None when no launcher started it.
    Raises NoJobId when a launcher did, but its tasks cannot derive one id."""
    inner = _inner(env, host, parent_pid)
    slurm_step = _first(env, *SLURM_STEP_ID)
    slurm_job = _first(env, *SLURM_JOB_ID)
    if slurm_job and slurm_step and slurm_step != "batch":
        run_id = f"slurm-{_safe(slurm_job)}.{_safe(slurm_step)}"
        restart = _int(env, SLURM_RESTART_COUNT)
        if restart:
            run_id += f".requeue{restart}"
        if inner is not None:
            inner.launcher = f"slurm+{inner.launcher}"
            inner.run_id = run_id
            return inner
        return Job("slurm", run_id, _int(env, SLURM_PROCID), _int(env, SLURM_LOCALID),
                   _int(env, SLURM_NODEID), _int(env, *SLURM_NTASKS))
    if inner is None:
        return None
    outer = None
    if env.get(PBS_JOBID):
        outer = f"pbs-{_safe(env[PBS_JOBID])}"
    elif env.get(LSB_JOBID):
        index = env.get(LSB_JOBINDEX)
        outer = f"lsf-{_safe(env[LSB_JOBID])}" + (f".{_safe(index)}" if index and index != "0"
                                                   else "")
    if outer is not None:
        inner.run_id = f"{outer}-{inner.run_id or inner.launcher}"
    elif inner.no_id is not None:
        raise NoJobId(inner.no_id)
    return inner


def _inner(env: Mapping[str, str], host: str, parent_pid: int) -> Optional[Job]:
    """torchrun's or MPI's job, with the id it gives its tasks (if any)."""
    if TORCHELASTIC_RUN_ID in env and env.get(TORCH_RANK):
        rdzv = env[TORCHELASTIC_RUN_ID]
        size, local_size = _int(env, TORCH_WORLD_SIZE), _int(env, TORCH_LOCAL_WORLD_SIZE)
        job = Job("torchrun", "", _int(env, TORCH_RANK), _int(env, TORCH_LOCAL_RANK),
                  _int(env, TORCH_GROUP_RANK), size, _int(env, TORCHELASTIC_RESTART_COUNT) or 0)
        if rdzv and rdzv != "none":
            job.run_id = f"torchrun-{_safe(rdzv)}"
        else:
            # Workers are children of one torchrun agent per node: on one node its pid names
            # the launch. Across nodes only --rdzv-id (or a scheduler's job) does.
            _one_machine(job, local_size, host, parent_pid, "pass torchrun --rdzv-id")
        return job
    namespace = _first(env, PMIX_NAMESPACE, OMPI_JOBID)
    rank = _int(env, OMPI_RANK, PMIX_RANK)
    if rank is not None and namespace:
        return Job("mpi", f"mpi-{_safe(namespace)}", rank, _int(env, OMPI_LOCAL_RANK),
                   _int(env, OMPI_NODE_RANK), _int(env, OMPI_SIZE))
    rank = _int(env, PMI_RANK)
    if rank is not None:
        job = Job("mpi", "", rank, _int(env, MPI_LOCALRANKID), None, _int(env, PMI_SIZE))
        _one_machine(job, _int(env, MPI_LOCALNRANKS), host, parent_pid,
                     "run it under SLURM, PBS or LSF, or use Open MPI")
        return job
    return None


def _one_machine(job: Job, local_size: Optional[int], host: str, parent_pid: int,
                 fix: str) -> None:
    """A launcher without a job id: on one machine the launching process's pid names the
    launch; across machines nothing does (job.no_id says so, unless a scheduler's id helps)."""
    if job.size is not None and job.size == local_size:
        job.run_id = f"{job.launcher}-{_safe(host)}-{parent_pid}"
    else:
        job.no_id = (f"{job.launcher} gave this task no job id its other machines share, so "
                     f"each task records a run of its own; {fix}, or give every task the "
                     f"same --id")
