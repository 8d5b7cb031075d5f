"""Numbers in odd forms: a fraction whose denominator is zero (`5/00`) or huge, digits by the
thousand, leading zeros, signs, exponents. The grammar gives a number or nothing for each,
never an exception, and a fraction only where its denominator is a count above zero."""
from __future__ import annotations

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runwrap.collectors.console import lines as L
from runwrap.collectors.console.scalars import StreamRecords, default_parser

parse = default_parser().parse


@pytest.mark.parametrize("line", [
    "Accuracy: 5/0 (1%)", "Accuracy: 5/00 (1%)", "Accuracy: 5/000000 (1%)",
    "Test set: Average loss: 0.1, Accuracy: 5/00 (1%)", "acc=5/0000"])
def test_a_zero_denominator_gives_no_fraction_and_no_exception(line):
    for _ in range(3):  # the first reading of a shape, then its plan
        values, _ = parse(line)
        assert [v for k, v in values.items() if k.rpartition("/")[2] in ("Accuracy", "acc")
                ] == [5]


def test_a_fraction_beside_one_of_zeros_of_the_same_shape():
    assert parse("Accuracy: 5/10 (50%)")[0] == {"Accuracy": 0.5}
    assert parse("Accuracy: 5/00 (1%)")[0] == {"Accuracy": 5}
    assert parse("Accuracy: 7/10 (70%)")[0] == {"Accuracy": 0.7}
    assert parse("Accuracy: 5/01 (1%)")[0] == {"Accuracy": 5.0}


def test_a_denominator_too_long_to_count_gives_no_fraction():
    assert parse("Accuracy: 5/" + "1" * 5000)[0] == {"Accuracy": 5}


@pytest.mark.parametrize("line", [
    "Train: " + "1" * 5000 + " [0/100 (0%)]",  # int() refuses over 4300 digits
    "[" + "1," + ",".join(["234"] * 2000) + "] acc: 0.5",
    "loss: " + "9" * 4400, "loss: " + "9" * 4400 + ".5e-400", "loss: 1/" + "9" * 4400 + "e5",
    "Training loss at step 0: 1," + ",".join(["234"] * 1500) + ".5",
    "global_step = " + "1" * 4400, "{'loss': " + "1" * 4400 + "}",
    "eval " + "1" * 5000 + "/9728 68.50%", "eval 6664/" + "1" * 5000 + " 68.50%",
    "[" + "1" * 5000 + "/25][14/782] Loss_D: 0.5", "4 " + "2" * 4400 + " train_loss 2.45 val_loss",
    "Loss: 0.5 after " + "1" * 5000 + " batches"])
def test_numbers_of_thousands_of_digits_raise_nothing(line):
    records = StreamRecords(parse)
    for _ in range(2):
        found = parse(line)
        assert found is None or all(isinstance(v, (int, float)) for v in found[0].values())
        records.feed(line)


@pytest.mark.parametrize("line, values", [
    ("loss: 1,234.5", {"loss": 1234.5}),
    ("loss=1,234.5", {"loss": 1234.5}),
    ("loss 1,234.5", {"loss": 1234.5}),
    ("loss: 12,345,678.25", {"loss": 12345678.25}),
    ("loss: 1,234.5, acc: 0.5", {"loss": 1234.5, "acc": 0.5}),
    ("tok/sec: 1,243,389, mfu: 40.1", {"tok/sec": 1243389, "mfu": 40.1}),
    ("loss: -1,234e5", {"loss": -123400000.0}),
    ("Training loss at step 0: 1,234.5", {"step": 0, "train/loss": 1234.5}),
    ("Training loss at step 0: 1,234", {"step": 0, "train/loss": 1234}),
    ("Training loss at step 0: +1,243,389e-400", {"step": 0, "train/loss": 0.0}),
    ("Training loss at step 0: -1,243,389e2", {"step": 0, "train/loss": -124338900.0}),
    # Not a number by the thousand: the first digits (as before), never a merged number.
    ("loss: 1,2345", {"loss": 1}),
    ("loss: 1,234,5", {"loss": 1}),
])
def test_numbers_by_the_thousand_are_one_number(line, values):
    for _ in range(3):  # the first reading of a shape, then its plan
        assert parse(line)[0] == values


def test_a_thousands_separated_rate_is_whole_on_every_step_line():
    """nanochat's step line: `tok/sec` by the thousand, read through the cache of shapes."""
    records = StreamRecords(parse)
    rates = [1243389, 243389, 1243390, 9999999, 1000000, 12345]
    for i, rate in enumerate(rates * 2):
        line = (f"step {i:05d}/05000 ({i / 50:.2f}%) | loss: 3.{i:02d} | lrm: 1.00 | "
                f"dt: 523.1ms | tok/sec: {rate:,} | mfu: 41.2 | total time: 0.1m")
        [(values, step)] = records.feed(line)
        assert (values["tok/sec"], values["loss"], step) == (rate, float(f"3.{i:02d}"), i)


@pytest.mark.parametrize("line", [
    "{'lr': 0.001, 'wd': 0.1, 'epochs': 10, 'name': 'x'}",
    '{"lr": 0.001, "optimizer": "adam"}',
    "{'model': 'resnet18', 'lr': 0.1, 'weight_decay': 0.0005}",
    "{'lr': 0.1, 'amp': True, 'compile': False}",
    "{'learning_rate': 0.0005, 'top_k': -1, 'input_file': 'names.txt'}"])
def test_a_one_line_dict_of_arguments_gives_nothing(line):
    assert parse(line) is None


@pytest.mark.parametrize("line, values", [
    ("{'loss': 0.5, 'acc': 0.9}", {"loss": 0.5, "acc": 0.9}),
    ("{'epoch': 1, 'train_loss': 0.3}", {"epoch": 1, "train_loss": 0.3}),
    ("{'loss': 0.5, 'is_best': True}", {"loss": 0.5}),  # one flag beside metrics
    ("{'loss': '0.6935', 'epoch': '1'}", {"loss": 0.6935, "epoch": 1}),  # quoted numbers
    ("{'eval_loss': 0.41, 'eval_accuracy': 0.88, 'epoch': 2.0}",
     {"eval_loss": 0.41, "eval_accuracy": 0.88, "epoch": 2.0})])
def test_a_one_line_dict_of_metrics_gives_its_metrics(line, values):
    assert parse(line)[0] == values


def _cost(line: str, repeats: int = 7) -> float:
    """The least CPU time of reading `line` in full (not through the cache of shapes)."""
    best = math.inf
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(20):
            L._parse(line, None)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("form", [
    "Accuracy: 1e5/{d}e-400 (1%)",  # a denominator followed by what ends no number
    "acc={d}x", "loss: 1,{g}.5.5", "Training loss at step 0: 1,{g}x", "[1,{g}] acc: {d}e",
    "loss {d}.{d}e{d}", "Epoch {d}/{d}x loss: {d}", "Steps : {d}, Gen Loss : {d}x",
    "  7  {d} ms run, {d}.{d} loss, {d}x", "eval {d}/{d} {d}.{d}%x"])
def test_the_cost_of_a_line_grows_no_faster_than_its_digits(form):
    """Twice the digits cost about as much at small sizes, four times the digits at most
    about four times as much at large ones (8x allowed for noise; quadratic would be 16x).
    A pattern that backtracks over every way of cutting the digits (`(\\d+)+` before a
    letter) doubled the time with each digit: seconds from 24 digits on."""
    def line(n):
        return form.format(d="9" * n, g=",".join(["234"] * (n // 3)))
    small, large = _cost(line(8)), _cost(line(16))
    assert large < 4 * small + 0.002, (small, large)
    small, large = _cost(line(500), 3), _cost(line(2000), 3)
    assert large < 8 * small + 0.002, (small, large)


DIGITS = st.text("0123456789", min_size=1, max_size=30) | st.sampled_from(
    ["0", "00", "000", "0" * 25, "9" * 19, "9" * 40, "1,234", "1,234.5", "1,243,389", "01,234"])
NUMBER = st.tuples(st.sampled_from(["", "-", "+"]), DIGITS,
                   st.sampled_from(["", ".", ".5", ".00", "e5", "e-400", "e400", "E+0", "x"])
                   ).map("".join)
FORM = st.sampled_from([
    "Accuracy: {a}/{b} ({a}%)", "acc={a}/{b}", "loss: {a}", "loss={a}, step {b}", "loss {a}",
    "Epoch {a}/{b} loss: {a}", "Train: {a} [{b}/100 (0%)]", "[{a}] train-rmse:{b}",
    "{a}:\tlearn: {b}", "Steps : {a}, Gen Loss : {b}", "iter {a} step {b} loss {a}",
    "Training loss at step {a}: {b}", "tok/sec: {a}", "| epoch {a} | lr {b} | ppl {a}",
    "{{'loss': {a}, 'step': {b}}}", "global_step = {a}", "eval {a}/{b} 68.50%",
    "  7  {a} ms run,    2.22 ms python, {b} loss", "[{a}/25][{b}/782] Loss_D: 0.5",
    "Loss: 0.5 after {a} batches", "Episode * {a} * Avg Reward is ==> {b}"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORM, NUMBER, NUMBER)
def test_odd_numbers_in_every_form_give_numbers_and_never_raise(form, a, b):
    line = form.format(a=a, b=b)
    records = StreamRecords(parse)
    for _ in range(2):  # read in full, then (for a cacheable shape) by its plan
        found = parse(line)
        if found is not None:
            values, step = found
            assert all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       for v in values.values())
            assert step is None or isinstance(step, int)
            assert not any(isinstance(v, float) and math.isnan(v) and "nan" not in line.lower()
                           for v in values.values())
        for values, step in records.feed(line):
            assert step is None or isinstance(step, int)
        assert repr(L.parse_line(line)) == repr(L._parse(line, None))


@pytest.mark.parametrize("form", ["a: 1, {names} x", "Epoch {names}: 1/2", "x: 1, {names}, "])
def test_the_cost_of_a_line_grows_no_faster_than_its_listed_names(form):
    """Four times the names listed (`loss, acc, ...` as before `: (0.5, 0.9)`) cost at most
    about four times as much (8x allowed for noise; looking for the list from every word to
    the line's end was quadratic: two seconds for 7,000 characters)."""
    def line(n):
        return form.format(names="loss, acc" * n)
    small, large = _cost(line(100), 3), _cost(line(400), 3)
    assert large < 8 * small + 0.002, (small, large)


@pytest.mark.parametrize("unit", ["(pid=1) ", '": {', "{'a': 'x', ", "{'a': True, 'b': False"])
def test_the_cost_of_a_line_grows_no_faster_than_its_brackets(unit):
    """Four times the calls or dicts on a line cost at most about four times as much (8x
    allowed for noise): a masked call's blanks were matched twice over (0.35 s for an 8 KiB
    line of `(pid=1) ` after `x(`), and each `{` looked for word values to the line's end."""
    def line(n):
        return "x(" + unit * n + "e"
    small, large = _cost(line(120), 3), _cost(line(480), 3)
    assert large < 8 * small + 0.002, (small, large)
