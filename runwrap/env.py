"""Every environment variable runwrap reads or sets: the whole wrapper/child contract on one screen.

The wrapper sets the RUN_* variables for the child; `runwrap.init()` inside the child reads them and
attaches to that run. Users may set the others.
"""

# Set by the wrapper for the child (read by runwrap.init()).
RUN_ID = "RUNWRAP_RUN_ID"  # id of the wrapper's run
RUN_DIR = "RUNWRAP_RUN_DIR"  # absolute path of the run directory
PROJECT = "RUNWRAP_PROJECT"  # project name (also a user default for init())
ENTITY = "RUNWRAP_ENTITY"  # entity (team or user) name
NAME = "RUNWRAP_NAME"  # display name of the run
GROUP = "RUNWRAP_GROUP"  # group of runs this run belongs to
JOB_TYPE = "RUNWRAP_JOB_TYPE"  # job type (train, eval, ...)
TAGS = "RUNWRAP_TAGS"  # comma-separated tags
NOTES = "RUNWRAP_NOTES"  # free-text notes
MODE = "RUNWRAP_MODE"  # online | offline | disabled
CONFIG_FILE = "RUNWRAP_CONFIG_FILE"  # path of the run's config.yaml
WRAPPER_PID = "RUNWRAP_WRAPPER_PID"  # pid of the runwrap process that owns the run
PART = "RUNWRAP_PART"  # this task's part of a launcher job's run (parts/<part>.json)
WANDB_SET = "RUNWRAP_WANDB_SET"  # WANDB_MODE,WANDB_DIR: those the wrapper set for the child

# Set by `runwrap agent` for a trial's wrapper (read and removed by the wrapper at its start).
AGENT_PID = "RUNWRAP_AGENT_PID"  # the agent's pid: the wrapper ends with it (wrap/orphan.py)

# Set by users.
DIR = "RUNWRAP_DIR"  # root of the run store (default ./runwrap-runs)
QUIET = "RUNWRAP_QUIET"  # "1": no warnings of runwrap's own (`--quiet` sets it, child included)
HOST = "RUNWRAP_HOST"  # this machine's name as runs record it (tests simulate cluster nodes)
SAVE_CODE = "RUNWRAP_SAVE_CODE"  # save the main script into code/ (init())
TRACKING_URI = "RUNWRAP_TRACKING_URI"  # MLflow tracking server URI
MLFLOW_TRACKING_URI = "MLFLOW_TRACKING_URI"  # the MLflow ecosystem's own name for the same
MLFLOW_TRACKING_TOKEN = "MLFLOW_TRACKING_TOKEN"  # bearer token for the tracking server
MLFLOW_TRACKING_USERNAME = "MLFLOW_TRACKING_USERNAME"  # basic-auth user
MLFLOW_TRACKING_PASSWORD = "MLFLOW_TRACKING_PASSWORD"  # basic-auth password
MLFLOW_TRACKING_INSECURE_TLS = "MLFLOW_TRACKING_INSECURE_TLS"  # "true": skip TLS verification
MLFLOW_TRACKING_SERVER_CERT_PATH = "MLFLOW_TRACKING_SERVER_CERT_PATH"  # CA bundle for TLS

# wandb's names, so launcher scripts and cluster jobs written for wandb configure runwrap too.
# Each is read after the RUNWRAP_* variable of the same meaning (sdk/compat/wandb_env.py maps them).
WANDB_MODE = "WANDB_MODE"  # online | offline | disabled (also dryrun/run)
WANDB_DISABLED = "WANDB_DISABLED"  # "true": mode disabled
WANDB_RUN_ID = "WANDB_RUN_ID"  # the run's id (resume with WANDB_RESUME)
WANDB_RESUME = "WANDB_RESUME"  # allow | must | never | auto
WANDB_PROJECT = "WANDB_PROJECT"  # project name
WANDB_ENTITY = "WANDB_ENTITY"  # entity name
WANDB_NAME = "WANDB_NAME"  # display name
WANDB_NOTES = "WANDB_NOTES"  # notes
WANDB_TAGS = "WANDB_TAGS"  # comma-separated tags
WANDB_RUN_GROUP = "WANDB_RUN_GROUP"  # group
WANDB_JOB_TYPE = "WANDB_JOB_TYPE"  # job type
WANDB_DIR = "WANDB_DIR"  # store root (init(dir=)); ignored under the wrapper
WANDB_CONFIG_PATHS = "WANDB_CONFIG_PATHS"  # comma-separated YAML files loaded into config
WANDB_SILENT = "WANDB_SILENT"  # "true": no notices or termlog lines
WANDB_QUIET = "WANDB_QUIET"  # "true": the same, for runwrap's purposes
WANDB_CONSOLE = "WANDB_CONSOLE"  # "off"/"wrap"/...: recorded in run.settings.console
WANDB_SAVE_CODE = "WANDB_SAVE_CODE"  # "true": save the main script (init(save_code=))
WANDB_DISABLE_CODE = "WANDB_DISABLE_CODE"  # "true": never save code
WANDB_DISABLE_GIT = "WANDB_DISABLE_GIT"  # "true": do not record git state
WANDB_ANONYMOUS = "WANDB_ANONYMOUS"  # never | allow | must
WANDB_SWEEP_ID = "WANDB_SWEEP_ID"  # recorded in run.json and run.settings.sweep_id
WANDB_IGNORE_GLOBS = "WANDB_IGNORE_GLOBS"  # comma-separated globs save() skips
WANDB_ARTIFACT_DIR = "WANDB_ARTIFACT_DIR"  # where artifact.download() puts files
WANDB_CACHE_DIR = "WANDB_CACHE_DIR"  # accepted (runwrap's artifact store needs no cache)
WANDB_DATA_DIR = "WANDB_DATA_DIR"  # accepted (artifacts are staged in the store itself)
WANDB_CONFIG_DIR = "WANDB_CONFIG_DIR"  # accepted (runwrap keeps no per-user settings file)
WANDB_NOTEBOOK_NAME = "WANDB_NOTEBOOK_NAME"  # accepted (runwrap does not save notebooks)

# wandb's cloud-only settings: accepted, ignored with one notice, never written to disk.
WANDB_CLOUD_ONLY = ("WANDB_API_KEY", "WANDB_BASE_URL", "WANDB_HOST", "WANDB_USERNAME",
                    "WANDB_USER_EMAIL", "WANDB_DOCKER", "WANDB_HTTP_TIMEOUT",
                    "WANDB_INIT_TIMEOUT", "WANDB_IDENTITY_TOKEN_FILE", "WANDB_CREDENTIALS_FILE")

# Set by the shell's completion script when it asks `runwrap` for candidates (click's name,
# `_<PROG>_COMPLETE`).
COMPLETE = "_RUNWRAP_COMPLETE"

# Set by runwrap for the child when the user has not.
PYTHONUNBUFFERED = "PYTHONUNBUFFERED"  # pipe mode: child's Python flushes each write
# Also WANDB_MODE=offline and WANDB_DIR=<run dir> (each unless the user set it): the child's
# own wandb then needs no login and writes its transaction log into the run directory, where
# runwrap reads it (collectors/wandb/collector.py). WANDB_SET names the ones the wrapper set, and
# runwrap.init() ignores those (sdk/start/resolver.py): they are not the user's choice.

# Set by the wrapper for the child (not in a launcher job): its time.monotonic() when the run
# started, so that an attached init()'s `_runtime` is monotonic from the same origin.
START_MONOTONIC = "RUNWRAP_START_MONOTONIC"

# Every RUN_* name, for clearing or copying the contract in one go.
RUN_VARIABLES = (RUN_ID, RUN_DIR, PROJECT, ENTITY, NAME, GROUP, JOB_TYPE, TAGS, NOTES, MODE,
                 CONFIG_FILE, WRAPPER_PID, PART, WANDB_SET, START_MONOTONIC)
