"""A logger's or launcher's prefix (logging, loguru, absl, glog, hydra, DeepSpeed, torchrun)
says when and where a line was written: it gives no key, no step and no phase, and the
message after it is read as if it stood alone, in the line grammar and in the stream's
context (headers, headings, tables, configuration echoes)."""
from __future__ import annotations

import pytest

from runwrap.collectors.console.prefixes import prefix_end
from runwrap.collectors.console.scalars import StreamRecords, default_parser

parse = default_parser().parse

# Prefixes as the common formats write them (format strings in the comments).
PREFIXES = [
    "INFO:root:",  # logging.basicConfig(): %(levelname)s:%(name)s:%(message)s
    "INFO:__main__:",
    "WARNING:lightning.pytorch.utilities.rank_zero:",
    "DEBUG:trainer:",
    "INFO root:15 ",  # %(levelname)s %(name)s:%(lineno)d %(message)s
    "2024-01-01 12:00:00,123 - INFO - train.py:42 - ",  # asctime - levelname - file:line -
    "2024-01-01 12:00:00,123 - root - INFO - ",  # asctime - name - levelname -
    "12/07/2024 10:00:00 - INFO - __main__ - ",  # Hugging Face examples
    "2024-01-01 12:00:00 | INFO | fairseq_cli.train | ",  # fairseq
    "2024-01-01 12:00:00.123 | INFO     | __main__:train:42 - ",  # loguru
    "[2024-01-01 12:00:00,123][__main__][INFO] - ",  # hydra
    "[2024-01-07 10:00:00,123] [INFO] [logging.py:96:log_dist] [Rank 0] ",  # DeepSpeed
    "[titan] 2026-12-07 05:40:00,123 - root - INFO - ",  # torchtitan
    "[2026/12/07 05:40:00] ppocr INFO: ",  # PaddleOCR
    "12/07 05:34:46 - mmengine - INFO - ",  # MMEngine
    "I1207 10:00:00.123456 140 train.py:55] ",  # absl / glog
    "W1207 10:00:00.123 train.py:55] ",
    "[rank0]: ",  # torchrun
    "[default0]:INFO:root:",  # torchrun --tee, then logging
    "[1,0]<stdout>:",  # mpirun --tag-output
    "2024-05-01T10:00:00Z INFO ",
    "[10:00:00] INFO     ",  # rich's logging handler
    "[INFO] ",
]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("message, expected", [
    ("loss=0.5 acc=0.9", ({"loss": 0.5, "acc": 0.9}, None)),
    ("step=3 loss=0.5", ({"step": 3, "loss": 0.5}, 3)),
    ("Epoch 1: loss 0.25, acc 0.75", ({"Epoch": 1, "loss": 0.25, "acc": 0.75}, 1)),
    ("Test: loss=0.5", ({"test/loss": 0.5}, None)),
])
def test_a_prefix_gives_nothing_and_the_message_is_read_alone(prefix, message, expected):
    assert prefix_end(prefix + message) == len(prefix)
    assert parse(prefix + message) == expected


# A terminal's echo of keys pressed while the program ran (caret notation), glued to the
# program's next print: `script` sends a NUL (`^@`), a user presses ^C, ^Z or an arrow key.
ECHOES = ["^@", "^C", "^C^C", "^[[A", "^@^[[A", "^[[1;5C", "^[OP", "^\\", "^Z[rank0]: ",
          "^[[AINFO:root:", "^D2024-01-01 12:00:00,123 - INFO - train.py:42 - "]


@pytest.mark.parametrize("echo", ECHOES)
@pytest.mark.parametrize("message, expected", [
    ("loss=0.5 acc=0.9", ({"loss": 0.5, "acc": 0.9}, None)),
    ("step=3 loss=0.5", ({"step": 3, "loss": 0.5}, 3)),
    ("Train Epoch: 1 [0/2000 (0%)]\tLoss: 2.27", ({"Epoch": 1, "train/Loss": 2.27}, 1)),
    ("Validation loss: 0.5", ({"val/loss": 0.5}, None)),
    ("val_loss: 0.3", ({"val_loss": 0.3}, None)),
])
def test_an_echoed_control_key_gives_nothing_and_the_message_is_read_alone(echo, message,
                                                                           expected):
    assert prefix_end(echo + message) == len(echo)
    assert parse(echo + message) == expected


def test_a_heading_after_an_echoed_control_key_heads_its_block():
    assert feed(["^C" + line for line in ["Test:", "acc: 0.8"]]) == [({"test/acc": 0.8}, None)]


@pytest.mark.parametrize("line", [
    "ERROR: 0.05",  # a metric named like a level: the number is its value
    "^2 loss 0.5",  # no control key
    "^x: 0.5",
    "INFO: 3",
    "root: 15",  # a name alone is no prefix
    "[0]\ttrain-rmse:0.5",  # XGBoost's step
    "[1,000] Accuracy: 86.69%",
    "12: learn: 0.5",  # CatBoost's step
    "1875/1875 [====] - 3s 2ms/step - loss: 0.29",
    "Epoch 1 - INFO - x",
    "[train] loss=0.5",
])
def test_text_that_only_looks_like_a_prefix_is_the_message(line):
    assert prefix_end(line) == 0


def test_the_phase_a_logger_is_named_for_stays_the_messages():
    # fairseq names its validation logger `valid`: the name is the phase of the message.
    line = "2024-01-01 12:00:00 | INFO | valid | epoch 001 | valid on 'valid' subset | loss 8.1"
    assert parse(line) == ({"epoch": 1, "val/loss": 8.1}, 1)


def feed(lines):
    records = StreamRecords(parse)
    return [r for line in lines for r in records.feed(line)]


@pytest.mark.parametrize("prefix", ["INFO:__main__:", "I1207 10:00:00.123456 140 train.py:55] ",
                                    "2024-01-01 12:00:00,123 - root - INFO - "])
def test_headers_headings_tables_and_echoes_are_read_after_a_prefix(prefix):
    assert feed([prefix + line for line in [
        "Config:",
        "  lr: 0.1",
        "  batch_size: 32",
        "Epoch 3/10",
        "loss=0.5",
        "Test:",
        "acc: 0.8",
        "",
        "epoch     train_loss  valid_loss",
        "4         0.466536    0.425456",
    ]]) == [({"loss": 0.5}, 3), ({"test/acc": 0.8}, 3),
            ({"epoch": 4, "train_loss": 0.466536, "valid_loss": 0.425456}, 4)]
