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

# Set by users.
DIR = "RUNWRAP_DIR"  # root of the run store (default ./runwrap)
SAVE_CODE = "RUNWRAP_SAVE_CODE"  # save the main script into code/ (init())
TRACKING_URI = "RUNWRAP_TRACKING_URI"  # MLflow tracking server URI
MLFLOW_TRACKING_URI = "MLFLOW_TRACKING_URI"  # the MLflow ecosystem's own name for the same
MLFLOW_TRACKING_TOKEN = "MLFLOW_TRACKING_TOKEN"  # bearer token for the tracking server
MLFLOW_TRACKING_USERNAME = "MLFLOW_TRACKING_USERNAME"  # basic-auth user
MLFLOW_TRACKING_PASSWORD = "MLFLOW_TRACKING_PASSWORD"  # basic-auth password
MLFLOW_TRACKING_INSECURE_TLS = "MLFLOW_TRACKING_INSECURE_TLS"  # "true": skip TLS verification
MLFLOW_TRACKING_SERVER_CERT_PATH = "MLFLOW_TRACKING_SERVER_CERT_PATH"  # CA bundle for TLS

# Set by runwrap for the child when the user has not.
PYTHONUNBUFFERED = "PYTHONUNBUFFERED"  # pipe mode: child's Python flushes each write

# Every RUN_* name, for clearing or copying the contract in one go.
RUN_VARIABLES = (RUN_ID, RUN_DIR, PROJECT, ENTITY, NAME, GROUP, JOB_TYPE, TAGS, NOTES, MODE,
                 CONFIG_FILE, WRAPPER_PID)
