"""The stdout scalar parser: which console lines give which values (the default grammar and
`--scalars` patterns), and which patterns are refused."""
from __future__ import annotations

import math
import time

import pytest

from runwrap.collectors.console.scalars import MAX_LINE, compile_patterns, default_parser
from runwrap.errors import UsageError

parse = default_parser().parse


def values(line: str):
    found = parse(line)
    return None if found is None else found[0]


def step(line: str):
    found = parse(line)
    return None if found is None else found[1]


def test_epoch_loss_acc_line_gives_three_values_and_the_step():
    assert parse("epoch 3 loss: 0.41 acc=0.93") == ({"epoch": 3, "loss": 0.41, "acc": 0.93}, 3)


@pytest.mark.parametrize("line, expected", [
    ("loss: 0.5", {"loss": 0.5}),
    ("loss=0.5", {"loss": 0.5}),
    ("loss = 0.5", {"loss": 0.5}),
    ("loss :0.5", {"loss": 0.5}),
    ("a=1 b=2 c=3 d=4", {"a": 1, "b": 2, "c": 3, "d": 4}),
    ("a=1,b=2;c=3|d=4", {"a": 1, "b": 2, "c": 3, "d": 4}),
    ("train/loss=0.25 lr.head=3e-4 val-acc: 0.5", {"train/loss": 0.25, "lr.head": 3e-4,
                                                   "val-acc": 0.5}),
    ("[train] loss=0.3 (acc=0.9)", {"train/loss": 0.3, "train/acc": 0.9}),
    ("loss: 0.3.", {"loss": 0.3}),
    ("acc: 93.5%", {"acc": 93.5}),
    ("损失=0.5", {"损失": 0.5}),
])
def test_key_value_pairs_in_their_usual_spellings(line, expected):
    assert values(line) == expected


@pytest.mark.parametrize("text, number", [
    ("3", 3), ("-3", -3.0), ("+3", 3.0), ("0.41", 0.41), ("-0.41", -0.41), (".5", 0.5),
    ("3.", 3.0), ("1e-3", 1e-3), ("1E+3", 1000.0), ("-2.5e-07", -2.5e-07), ("inf", math.inf),
    ("-inf", -math.inf), ("+Infinity", math.inf), ("INF", math.inf),
])
def test_numbers_with_signs_decimals_exponents_and_infinities(text, number):
    assert values(f"x={text}") == {"x": number}


def test_nan_in_any_case_is_a_value():
    for text in ("nan", "NaN", "NAN", "-nan"):
        assert math.isnan(values(f"loss: {text}")["loss"])


def test_plain_digits_are_ints_and_everything_else_floats():
    found = values("a=3 b=3.0 c=-3 d=1e2")
    assert [type(found[k]) for k in "abcd"] == [int, float, float, float]


@pytest.mark.parametrize("line", [
    "Loading data from /data/train ...",
    "12:30:00 starting",
    "date: 2024-01-05",
    "version=1.2.3",
    "time: 0.4s elapsed",
    "eta: 0:01:23",
    "http://localhost/x",
    "loss: info",
    "loss:",
    "_step=5",
    "2026-11-27 16:50:28,123 INFO trainer.py:212 - saving checkpoint",
    "I1127 16:50:28.123456 140 model.cc:88] built",
    "",
])
def test_lines_without_a_clean_key_and_number_give_nothing(line):
    assert parse(line) is None


def test_a_key_glued_to_text_before_it_is_not_a_key():
    # Keras: `2ms/step - loss: 0.29`: `step` belongs to `2ms/step`, it is no step key.
    line = "1875/1875 [==========] - 3s 2ms/step - loss: 0.2960 - accuracy: 0.9140"
    assert parse(line) == ({"loss": 0.296, "accuracy": 0.914}, None)


def test_a_logging_prefix_with_a_source_line_leaves_the_message_values():
    line = "I1127 16:50:28.123456 140 trainer.py:212] step 100 loss=0.5"
    assert parse(line) == ({"step": 100, "loss": 0.5}, 100)


def test_printed_python_dicts_are_parsed():
    line = "{'loss': 0.4123, 'learning_rate': 4.5e-05, 'epoch': 0.5}"
    assert parse(line) == ({"loss": 0.4123, "learning_rate": 4.5e-05, "epoch": 0.5}, None)
    assert values('{"loss": 1.5, "step": 7}') == {"loss": 1.5, "step": 7}
    assert step('{"loss": 1.5, "step": 7}') == 7


@pytest.mark.parametrize("line, expected_step", [
    ("step 12 loss=1", 12),
    ("Step: 12 loss=1", 12),
    ("EPOCH 4 loss=1", 4),
    ("iter=99 loss=1", 99),
    ("iteration 7 loss=1", 7),
    ("global_step=1200 loss=1", 1200),
    ("Epoch 3/10 loss=1", 3),
    ("Epoch 2:  50%|#####     | 50/100 [00:01<00:01, 40.1it/s, v_num=0, train_loss=0.5]", 2),
    ("epoch 2 step 150 loss=1", 150),
    ("global_step: 1200 step=5 epoch=1", 1200),
    ("epoch: 0.5 loss=1", None),
    ("loss=1", None),
])
def test_step_keys_set_the_step_the_finest_winning(line, expected_step):
    assert step(line) == expected_step


def test_a_bare_number_after_a_word_that_is_no_step_key_is_ignored():
    assert parse("read 3 files") is None
    assert values("files 3 loss=1") == {"loss": 1}


def test_a_key_seen_twice_keeps_the_last_value():
    assert values("loss=1 loss=2") == {"loss": 2}
    assert parse("step=1 loss=1 step=2") == ({"step": 2, "loss": 1}, 2)


def test_a_ten_megabyte_line_is_cut_quickly_and_never_cut_inside_a_number():
    # (Filler that is no text: a long line of words with one pair is prose, and gives nothing.)
    line = "loss=0.5, " + "- " * (5 * 1024 * 1024) + "late=1"
    started = time.perf_counter()
    assert values(line) == {"loss": 0.5}
    assert time.perf_counter() - started < 1.0
    # A value straddling the cut is dropped rather than read as a shorter number.
    edge = "a" * (MAX_LINE - 8) + " x=0.123456789"
    assert parse(edge) is None


def test_very_long_digit_strings_do_not_raise():
    assert values("x=" + "9" * 5000) == {"x": math.inf}


# -- --scalars patterns ---------------------------------------------------------------------

def test_user_pattern_with_key_and_value_groups_replaces_the_defaults():
    parser = compile_patterns([r"(?P<key>\w+) is (?P<value>\S+)"])
    assert parser.parse("loss is 0.5, acc is 0.9") == ({"loss": 0.5, "acc": 0.9}, None)
    assert parser.parse("loss=0.5") is None  # the defaults are off


def test_user_pattern_with_a_fixed_key():
    parser = compile_patterns([r"val/loss:=validation loss (?P<value>[\d.]+)"])
    assert parser.parse("after epoch: validation loss 0.25") == ({"val/loss": 0.25}, None)


def test_user_pattern_groups_named_for_metrics_and_step():
    parser = compile_patterns([r"\[(?P<step>\d+)\] (?P<loss>\S+) (?P<acc>\S+)"])
    assert parser.parse("[40] 0.31 0.88") == ({"loss": 0.31, "acc": 0.88}, 40)


def test_several_user_patterns_all_apply():
    parser = compile_patterns([r"loss:=L(?P<value>\S+)", r"acc:=A(?P<value>\S+)"])
    assert parser.parse("L0.5 A0.9") == ({"loss": 0.5, "acc": 0.9}, None)


def test_user_pattern_value_that_is_no_number_is_ignored():
    parser = compile_patterns([r"(?P<key>\w+)=(?P<value>\w+)"])
    assert parser.parse("mode=train lr=3") == ({"lr": 3}, None)


def test_empty_pattern_list_means_the_default_grammar():
    assert compile_patterns([]).parse("a=1") == ({"a": 1}, None)


@pytest.mark.parametrize("pattern, words", [
    ("loss=(", "not a valid regular expression"),
    ("(?P<key>\\w+)", "no (?P<value>...)"),
    ("loss (?P<value>\\S+)", "name the key"),
    ("x:=(?P<key>a)(?P<value>b)", "keep one of the two"),
    ("loss \\S+", "no named group"),
    ("x:=", "empty"),
])
def test_bad_patterns_are_usage_errors_naming_the_pattern(pattern, words):
    with pytest.raises(UsageError) as caught:
        compile_patterns([r"(?P<key>\w+)=(?P<value>\S+)", pattern])
    message = str(caught.value)
    assert repr(pattern) in message and words in message
    assert "\n" not in message


# -- what real libraries print (tests/test_corpus.py replays whole transcripts) -------------

@pytest.mark.parametrize("line, expected", [
    # LightGBM: a data set's own metric keeps the data set's name.
    ("[3]\ttraining's l2: 3.42\tvalid_1's l2: 3.22", ({"training/l2": 3.42, "valid_1/l2": 3.22}, 3)),
    # XGBoost: `train-rmse` and `eval-rmse` stay apart; `[N]` first is the step.
    ("[0]\ttrain-rmse:1.5\teval-rmse:2.3", ({"train-rmse": 1.5, "eval-rmse": 2.3}, 0)),
    # CatBoost: `N:` first is the step; `46ms` is a time with its unit.
    ("7:\tlearn: 0.72\ttest: 1.03\tbest: 1.03 (7)\ttotal: 46.2ms\tremaining: 0us",
     ({"learn": 0.72, "test": 1.03, "best": 1.03}, 7)),
    # scikit-learn SGD: a two-word label is one key.
    ("Norm: 6.3, NNZs: 4, Bias: 0.1, T: 48, Avg. loss: 0.57",
     ({"Norm": 6.3, "NNZs": 4, "Bias": 0.1, "T": 48, "avg_loss": 0.57}, None)),
    # PyTorch Ignite's examples.
    ("Epoch[1] Iteration[2] Loss: 3.1861", ({"Epoch": 1, "Iteration": 2, "Loss": 3.1861}, 2)),
    ("Validation Results - Epoch: 1  Avg mae: 1.2 Avg loss: 2.25",
     ({"Epoch": 1, "val/avg_mae": 1.2, "val/avg_loss": 2.25}, 1)),
    # transformers 5 quotes its numbers.
    ("{'loss': '0.6935', 'learning_rate': '8.333e-05', 'epoch': '1'}",
     ({"loss": 0.6935, "learning_rate": 8.333e-05, "epoch": 1}, 1)),
    # Lightning's bar: the logger's version is no metric.
    ("Epoch 2: 100%|###| 4/4 [00:00<00:00, 140.90it/s, v_num=0, val_loss=0.520]",
     ({"Epoch": 2, "val_loss": 0.52}, 2)),
])
def test_library_lines(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line", [
    "TPU available: False, using: 0 TPU cores",  # a count with its noun
    "Total params: 1.2 K",  # a magnitude
    "Trainable params: 5",  # a label alone on its line: a banner, not a metric
    "Modules in train mode: 1",  # a sentence
    "[LightGBM] [Info] Number of data points in the train set: 150, number of used features: 4",
    "GPU memory: 12 GB",
    "validate:  40%|####      | 2/5 [00:00<00:00, 66825.84it/s]",  # a bar's position
    "2026-11-28 08:00:00,123 INFO trainer.py:212 - saving",
])
def test_banners_units_and_sentences_are_no_metrics(line):
    assert parse(line) is None
