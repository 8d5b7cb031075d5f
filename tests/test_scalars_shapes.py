"""The console grammar reads the first line of each shape in full and keeps a plan for the
next lines of that shape (lines.py, parse_line): every line must read exactly as the reading
in full reads it, whatever its numbers, and the cache stays bounded."""
import random

import pytest

from runwrap.collectors.console import lines as L

LINES = [
    "epoch 3 step 120 loss: 0.4123 acc=0.8812 lr=3.00e-04",
    "12/1875 [==============================] - 3s 2ms/step - loss: 0.4123 - accuracy: 0.9",
    "{'loss': 0.4123, 'learning_rate': 4.123e-05, 'epoch': 0.12}",
    "iter 16 step 1 loss 2.5",  # two counters of steps: the larger is the step
    "Accuracy: 9782/10000 (98%)",  # a fraction (and a denominator of 0)
    "Test set: Average loss: 0.0330, Accuracy: 9891/10000 (99%)",
    "loss 5, 5",  # whether the line ends with the number a pair took
    "Training loss (for one batch) at step 12: 123.4",
    "Sample 3 of the set: {'a': 1, 'b': 2}",  # a digit in the label of a printed dict
    "Acc@1 75.123 Acc@5 92.5 top5 0.9 f1 0.3",  # digits in labels
    "[1,000] Accuracy: 86.69%",
    "12:\tlearn: 0.69\ttest: 0.71",
    "Train: 3 [  0/100 (0%)]  Loss: 0.41 (0.45)",
    "Trial 3 finished with value: 0.12 and parameters: {'x': 1}. Best is trial 0 with value: 0.1.",
    "valid tensor(0.4523) loss np.float64(26.59)",
    "step 1,000 loss 0.5 acc 1,234",
    "loss: 1,234.5, acc: 0.5 | tok/sec: 1,243,389 | mfu: 41.2",  # numbers by the thousand
    "Training loss at step 0: 1,234.5",
    "{'lr': 0.001, 'wd': 0.1, 'epochs': 10, 'name': 'x'}",  # arguments
    "Loading dataset from /data/imagenet/train with 8 workers",
    "18257\tTrain Epoch: 1 [0/2000 (0%)]\tLoss: 2.274640",  # a pid before the phase
    "Epoch 2 | loss 0.3 after 500 steps | acc 0.8",  # a step phrase after a value
    "reached loss 0.01 in 1,200 iterations",
    "After 1,721 batches, loss: 0.000767 acc 0.5",
    "[0/25][14/782] Loss_D: 0.8442 Loss_G: 1.1607 D(x): 0.7685",  # counters with no word
]


def read(parse, text):
    try:
        return repr(parse(text))
    except Exception as e:  # both readings fail alike (`9782/0000`: a division by zero)
        return type(e).__name__


def variants(line, rnd):
    yield line
    for digits in ("0123456789", "01", "0", "19", "0123456789"):
        yield "".join(rnd.choice(digits) if c.isdigit() else c for c in line)


@pytest.mark.parametrize("line", LINES)
def test_each_line_of_a_shape_reads_as_in_full(line):
    rnd = random.Random(line)
    for _ in range(4):
        for text in variants(line, rnd):
            assert read(L.parse_line, text) == read(lambda t: L._parse(t, None), text), text


def test_the_cache_stays_bounded_and_still_reads_right(monkeypatch):
    monkeypatch.setattr(L, "_SHAPES_LIMIT", 50)
    monkeypatch.setattr(L, "_BYPASS", 30)
    rnd = random.Random(0)
    for i in range(400):
        text = f"{'x' * (i % 97)} loss: {rnd.random():.{i % 7 + 1}f} step {i}"
        assert repr(L.parse_line(text)) == repr(L._parse(text, None))
        assert len(L._shapes) <= 50 and len(L._word_spans) <= 51
