"""Where a hand-written loop puts what it prints around its metrics: a tag saying which
process printed the line (a pid, a rank), counters in brackets with no word, a phrase after
the value saying when it was measured. Lines from real programs (pytorch/examples run under
runwrap), then other wordings of the same class, then lines that must not change."""
from __future__ import annotations

import pytest

from runwrap.collectors.console.scalars import default_parser

parse = default_parser().parse


@pytest.mark.parametrize("line, expected", [
    # mnist_hogwild: each process prints its pid first.
    ("18257\tTrain Epoch: 1 [0/2000 (0%)]\tLoss: 2.274640",
     ({"Epoch": 1, "train/Loss": 2.27464}, 1)),
    ("  18257 Train Epoch: 1 loss: 0.3", ({"Epoch": 1, "train/loss": 0.3}, 1)),
    ("[rank 3] Train Epoch: 1 [0/2000 (0%)]\tLoss: 2.274640",
     ({"Epoch": 1, "train/Loss": 2.27464}, 1)),
    ("0: Train Epoch: 1 [0/2000 (0%)]\tLoss: 2.274640", ({"Epoch": 1, "train/Loss": 2.27464}, 1)),
    ("3 | train loss 0.5 | acc 0.9", ({"train/loss": 0.5, "train/acc": 0.9}, None)),
    ("[GPU0] Test: loss 0.3", ({"test/loss": 0.3}, None)),
    ("12 Test set: Average loss: 1.8149, Accuracy: 302/500 (60%)",
     ({"test/average_loss": 1.8149, "test/Accuracy": 0.604}, None)),
    ("[12] Test: loss 0.3", ({"test/loss": 0.3}, 12)),  # a leading [N] stays the step
    ("(RayTrainWorker pid=4242, ip=10.0.0.1) Validation: loss=0.4 acc=0.8",
     ({"val/loss": 0.4, "val/acc": 0.8}, None)),
    ("[worker 1][rank 0] Eval loss: 0.2, acc: 0.9", ({"eval/loss": 0.2, "eval/acc": 0.9}, None)),
    ("  7  | Test | loss 0.3 | acc 0.9", ({"test/loss": 0.3, "test/acc": 0.9}, None)),
    # Not a tag: a value first, a phase word inside a key, no phase named.
    ("12.5 Train loss 0.3 acc 0.9", ({"train/loss": 0.3, "acc": 0.9}, None)),
    ("[0]\ttrain-rmse:1.50\teval-rmse:2.34", ({"train-rmse": 1.5, "eval-rmse": 2.34}, 0)),
    ("7:\tlearn: 0.72\ttest: 1.03\tbest: 1.03 (7)\ttotal: 46ms",
     ({"learn": 0.72, "test": 1.03, "best": 1.03}, 7)),
    ("12 Train images: 6000", None),
    ("3 | loss 0.5 | acc 0.9", ({"loss": 0.5, "acc": 0.9}, None)),
    ("5/5 - 0s - 4ms/step - loss: 2.41 - val_loss: 1.31", ({"loss": 2.41, "val_loss": 1.31}, None)),
])
def test_a_tag_before_the_line_leaves_the_phase_after_it_the_lines(line, expected):
    assert parse(line) == expected
