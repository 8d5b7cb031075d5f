"""The exceptions runwrap raises, mirroring wandb's names so `except wandb.Error` keeps working."""


class Error(Exception):
    """Base class of every error runwrap raises on purpose."""


class UsageError(Error):
    """The caller passed a bad argument; the message names it and the fix."""


class CommError(Error):
    """The tracking server could not be reached or answered with an error."""


class AuthenticationError(Error):
    """The tracking server rejected the credentials (401/403)."""
