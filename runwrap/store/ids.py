"""Run ids, generated names, and the rule for names that end up in paths."""
from __future__ import annotations

import os
import string

from runwrap.errors import UsageError
from runwrap.store.layout import LATEST

ID_ALPHABET = string.digits + string.ascii_lowercase
ID_LENGTH = 8
FORBIDDEN_CHARS = "/\\#?%:"
# Names the store gives a meaning of its own: `<root>/latest` is the link to the newest run
# (a project of that name would be written through it), and `runwrap show latest` means it.
RESERVED_NAMES = (LATEST,)

_ADJECTIVES = (
    "amber autumn bold brisk calm cosmic crisp dainty dapper dawn deft eager easy fancy fearless "
    "fiery gentle glad golden grand happy hardy hazy honest icy jolly keen lively lucky lunar "
    "mellow misty noble olive polar proud quiet rapid royal rustic serene sharp silent silver "
    "smooth snowy solar stellar sunny swift tidy twilight upbeat vital vivid warm wild wise young"
).split()
_NOUNS = (
    "aurora bird breeze brook butterfly canyon cedar cloud comet dawn deer dream dune eagle "
    "ember field firefly flower forest frost galaxy glade grass harbor hill lake leaf meadow "
    "moon morning mountain night ocean orchid pine planet pond rain river sea shadow sky "
    "snow sound star stone sun sunset thunder tree valley violet water wave wind wood"
).split()


def _random_below(n: int) -> int:
    # os.urandom rather than `secrets`/`random`: their imports cost more than the whole id.
    return int.from_bytes(os.urandom(8), "big") % n


def new_run_id() -> str:
    """Eight random lowercase base-36 characters (36^8 ≈ 2.8e12: collisions are negligible;
    the run directory is also created exclusively)."""
    return "".join(ID_ALPHABET[_random_below(36)] for _ in range(ID_LENGTH))


def generate_name() -> str:
    """A readable name: two words and a number, like `brisk-river-42`."""
    return (f"{_ADJECTIVES[_random_below(len(_ADJECTIVES))]}-"
            f"{_NOUNS[_random_below(len(_NOUNS))]}-{_random_below(1000)}")


def usable_path_name(value: str, fallback: str = "uncategorized") -> str:
    """A name runwrap derived itself (a git root's folder name, a script's file name) made into
    one `check_path_name` accepts: forbidden and control characters become '_', leading dots
    go, at most 128 characters are kept. The user never typed it, so it must not be refused
    as if they had."""
    out = "".join("_" if c in FORBIDDEN_CHARS or ord(c) < 32 or ord(c) == 127 else c
                  for c in value).lstrip(".")[:128]
    if not out.strip("_ "):
        return fallback
    return out + "_" if out in RESERVED_NAMES else out


def check_path_name(value: str, what: str) -> str:
    """Reject a value that will become a path component (`id`, `project`) if it is unusable."""
    if not isinstance(value, str) or not value:
        raise UsageError(f"{what} must be a non-empty string, got {value!r}")
    bad = [c for c in FORBIDDEN_CHARS if c in value]
    if bad:
        raise UsageError(f"{what} {value!r} contains {' '.join(bad)}; "
                         f"use letters, digits, '-', '_' or '.' (none of {' '.join(FORBIDDEN_CHARS)})")
    if value in RESERVED_NAMES:
        raise UsageError(f"{what} {value!r} is a name the run store keeps for itself "
                         f"({', '.join(RESERVED_NAMES)}); choose another")
    if value in (".", "..") or value.startswith("."):
        raise UsageError(f"{what} {value!r} must not start with '.'")
    if len(value) > 128 or len(value.encode("utf-8", "surrogatepass")) > 200:
        # It names a folder (and `.index/<project>.json`): 255 bytes at most on most systems.
        raise UsageError(f"{what} {value[:20]!r}... is {len(value)} characters "
                         f"({len(value.encode('utf-8', 'surrogatepass'))} bytes); use at most "
                         f"128 characters and 200 bytes")
    if any(ord(c) < 32 for c in value):
        raise UsageError(f"{what} {value!r} contains a control character; remove it")
    return value
