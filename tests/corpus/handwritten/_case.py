"""Shared by the hand-written cases: what a case declares a careful user wants recorded.

A case is a small program that prints what an upstream training script prints (its print and
logging statements copied verbatim, the numbers synthetic) and says, beside each statement,
which records that line must give. The expectations are the case's own variables, formatted
as the statement formats them (`printed`), never numbers typed by hand.

    case = Case("pytorch/examples", "mnist/main.py", "<commit>", either=["epoch"])
    print('Loss: {:.6f}'.format(loss))
    case.want(epoch, {"loss": printed(loss, ".6f")})

Keys are compared in lower case with blanks, `-` and `/` read as `_` (`test/loss`, `test loss`
and `test_loss` are one name); `a|b` accepts either name.
`either` lists names (fnmatch patterns) a user accepts recorded or not: eta, times, memory,
throughput, a learning rate printed as a side value, the step word itself. Any other key the
console gives is junk. A step of None means the line states none (any step is accepted); a
list names the steps a line states when it states two (`epoch 001: … num_updates=100`).
"""
import atexit
import json
import os
from typing import Dict, Iterable, List, Union


def printed(value, spec: str = "") -> float:
    """The number a reader sees when `value` is formatted with `spec` (`.4f`, `.3e`, `5.2f`)."""
    return float(format(value, spec))


class Case:
    def __init__(self, repo: str, path: str, commit: str, either: Iterable[str] = ()):
        self.source = {"repo": repo, "path": path, "commit": commit}
        self.either = list(either)
        self.records = []
        atexit.register(self.save)

    def want(self, step: Union[int, List[int], None], values: Dict[str, float]) -> None:
        """The line just printed must give each of `values` (name: value as printed), at
        `step` when the line states one."""
        self.records.append({"step": step,
                             "values": {k: float(v) for k, v in values.items()}})

    def may(self, step: Union[int, List[int], None], values: Dict[str, float]) -> None:
        """The line just printed may give these values or not (a summary echoing values the
        run already gave, such as a final JSON dump); under another name they are wrong."""
        self.records.append({"step": step, "optional": True,
                             "values": {k: float(v) for k, v in values.items()}})

    def save(self) -> None:
        target = os.environ.get("CORPUS_EXPECT")
        if target:
            with open(target, "w") as f:
                json.dump({"source": self.source, "either": self.either,
                           "records": self.records}, f, indent=1)
