"""The words the console grammar reads labels by: which labels name a metric, a step, a phase
of training, or a count of things. Data only, and the few functions that look words up in it;
the rules that use them are in scalars.py, and docs/console.md shows both with examples.

A label is read word by word, and a word part by part (`val_loss`, `train-rmse`, `Acc@1`,
`bestTest` are each two parts), in lower case, with trailing digits dropped (`acc1`, `top5`).
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional

# Labels that measure something: a label with one of these is a metric however it is
# punctuated (`loss 0.5`, `loss: 0.5`, `| loss 0.5 |`, `Test set loss: 0.5`).
METRIC_WORDS = frozenset("""
    loss losses nll bpd bpc elbo kl kld ce bce cost objective fitness likelihood
    acc accuracy accuracies err error errors precision prec recall f1 fscore f1score auc roc
    auroc aupr ap map miou iou dice jaccard bleu rouge rougel meteor cider wer cer mrr ndcg hit
    hits ppl perplexity psnr ssim lpips fid reward rewards return returns score scores metric
    mse mae rmse mape smape r2 corr entropy lr learning_rate grad gnorm norm top value
    spearman pearson mcc kappa chrf bpb em exact_match
    epsilon
""".split())

# Words written before a metric that say which one it is (`avg loss`, `best acc`): part of
# the key. Other words before it (`Training acc over epoch`) are not.
MODIFIER_WORDS = frozenset("""
    avg average mean best final total running overall min max median last top1 top5 batch
    epoch smoothed moving ema
""".split())

# Step keys, finest first: when a line names several, the finest is its step.
STEP_KEYS = ("global_step", "step", "iteration", "iter", "episode", "tick", "epoch", "trial")
_STEP_PLURALS = {"steps": "step", "iterations": "iteration", "iters": "iter",
                 "episodes": "episode", "ticks": "tick", "epochs": "epoch", "trials": "trial"}

# Phases of training, and the one name each is recorded under: `Test:` at the start of a line
# and `Validation acc` alike give keys under `test/` and `val/`.
PHASES: Dict[str, str] = {
    "train": "train", "training": "train", "val": "val", "valid": "val",
    "validation": "val", "validate": "val", "validating": "val", "test": "test",
    "testing": "test", "eval": "eval", "evaluation": "eval", "evaluate": "eval",
    "evaluating": "eval", "predict": "predict", "prediction": "predict",
    "inference": "predict", "trn": "train", "tst": "test",
}
# Words that name a measure when a percentage is written before them (`97.5% correct`, the
# share of samples right), though alone they are no measure (`correct: 9782` counts).
PERCENT_MEASURES = frozenset("correct".split())
# Words that open a summary line (`Averaged stats: loss: 14.0`, `average loss 3.58`): such a line
# printed right after lines of one phase (`Test: [49/50] loss: …`) closes that phase's block
# and takes its phase.
SUMMARY_WORDS = frozenset("average averaged averages avg mean overall summary total".split())
# Optimizers: a label naming one names a setting of it (`Adam epsilon: 1e-08`, `adam_beta2`,
# `sgd_momentum`), not a measure.
OPTIMIZER_WORDS = frozenset("""
    optimizer optim adam adamw sgd rmsprop adagrad adadelta adafactor lamb lars lion nadam
""".split())


def names_optimizer_setting(word: str) -> bool:
    """True when a word of a label names an optimizer (`Adam`, `adam_epsilon`)."""
    return any(p in OPTIMIZER_WORDS for p in parts(word))


# Words after a measure that make its name a setting of it, not a value of it: a dict of a
# run's arguments holds `loss_weight`, `score_threshold`, `entropy_coef` (lines.py).
SETTING_SUFFIXES = frozenset("""
    weight weights coef coeff coefficient threshold thresh factor penalty tol tolerance
    lambda clip margin target type fn function
""".split())
# Keys whose value names the phase of the line or printed dict they are on: `{'step': 0,
# 'split': 'test', 'accuracy': 0.1}` (dm-haiku), `mode=eval loss=0.3` give `test/accuracy`,
# `eval/loss`.
PHASE_KEYS = frozenset("split mode phase stage subset partition".split())
# Words that say nothing about the metric after a phase (`Test set loss`, `train data acc`).
FILLER_WORDS = frozenset("set data dataset split results result stats on of the a".split())

# Words that say training has ended. A header that names one (`Early stopping at step 21`,
# Keras's `Epoch 7: early stopping`, `Training finished at epoch 9`) is no step for the
# lines after it: they report on the run as a whole (a test accuracy, a summary). A stop
# word says so alone; a finish word only about training, before `at`/`after` and the step
# (`End of epoch 3`, `Epoch 3 done`, `Training done for epoch 3` end an epoch, not the run).
STOP_WORDS = frozenset("""
    stop stops stopped stopping earlystopping halt halted halting abort aborted aborting
    terminate terminated terminating termination converged
""".split())
FINISH_WORDS = frozenset("finish finished finishing done complete completed end ended".split())
TRAIN_WORDS = frozenset(("train", "training"))
_AT_WORDS = frozenset(("at", "after"))


def ends_training(words: List[str]) -> bool:
    """True when the words of a line with a step (lower case, in order) say training has
    ended at that step."""
    if any(w in STOP_WORDS for w in words):
        return True
    for i, w in enumerate(words):
        if w in STEP_RANK or w in _STEP_PLURALS:
            return (i > 0 and words[i - 1] in _AT_WORDS
                    and any(v in FINISH_WORDS for v in words[:i])
                    and any(v in TRAIN_WORDS for v in words[:i]))
    return False


# Words that say the lines after them echo a configuration (`Saving config:`, `Arguments:`,
# `Overriding config with train.py:`, minGPT's `trainer:` section): settings, not metrics.
CONFIG_WORDS = frozenset("""
    config configuration configs cfg args arguments argv options opts flags hparams
    hyperparameters hyperparams settings overriding override overrides kwargs
""".split())
CONFIG_SECTIONS = frozenset("system data dataset model trainer optimizer optim scheduler env "
                            "environment training".split())

# Labels that count things or name a device, a setting or a size: never a metric, whatever
# their punctuation (`param count:25557032`, `cuda:0`, `batch_size = 64`, `num_workers=8`).
COUNT_WORDS = frozenset("""
    param params parameter parameters sample samples example examples image images img imgs
    token tokens word words sentence sentences doc docs document documents file files
    worker workers cores gpu gpus cpu cpus cuda mps device devices node nodes rank ranks
    world byte bytes kb mb gb tb kib mib gib count counts number num n size sizes dim dims
    layer layers head heads feature features class classes channel channels seed vocab
    interval intervals patience pid port id version batches warmup workers threads thread
    width height shape len length depth embd batch batchsize bsz bs instances instance labels
    targets boxes objects
""".split())

# A label whose parts say it is a rate (`train_samples_per_second`) is no count.
_RATE_WORDS = frozenset(("per", "sec", "second", "ps", "fps", "throughput", "speed"))

# Lines a tracking library prints about the records it keeps itself, and our own: wandb's
# `wandb: Run summary:` / `wandb:     score 22` footer, its history sparklines, its `Tracking
# run` and `Find logs at:` lines, runwrap's `runwrap: warning: ...` and `[runwrap: N lines not
# recorded ...]`. Their values are read from the library's own records (the wandb collector),
# not from the console; as console metrics they would overwrite them with a copy (a summary
# is a run's last values, not a point of its own). A line starting with one of these gives
# nothing, wherever it stands.
TRACKER_PREFIXES = ("wandb:", "runwrap:", "[runwrap:")

# The levels a logger writes before a message (logging, loguru, absl, log4j): with a time,
# a logger's name or a place in the code, they make a prefix that gives nothing (prefixes.py).
LOG_LEVELS = frozenset("""
    DEBUG INFO NOTICE WARNING WARN ERROR CRITICAL FATAL TRACE SUCCESS EXCEPTION
""".split())


def printed_by_tracker(line: str) -> bool:
    """True when a library that keeps its own records printed `line` about them."""
    return line.startswith(TRACKER_PREFIXES)


_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[^\W\d_]+", re.ASCII)


def parts(word: str) -> List[str]:
    """The parts of one word, in lower case: `val_loss` -> [val, loss], `bestTest` ->
    [best, test], `Acc@1` -> [acc], `top5` -> [top], `mAP50-95` -> [m, ap]."""
    found = _PARTS.findall(word)
    if not found:  # a word in another script (`损失`): itself
        return [word.lower()]
    return [p.lower() for p in found]


def step_key(word: str) -> Optional[str]:
    """The step key a word names (`Epoch`, `ITER`, `global_step`), or None; a plural
    (`Steps: 64`, `Num Epochs = 3`) names a number of steps, a setting."""
    low = word.lower()
    if low in STEP_RANK:
        return low
    return None


STEP_RANK: Dict[str, int] = {word: rank for rank, word in enumerate(STEP_KEYS)}

# Words that name the process that printed a line, before its number at the line's start
# (`rank 0: Train Epoch: 1 ...`, `Worker-1 | train loss 0.5`): a tag, not a measure.
# Prefixes glued to a count word in one part (`myrank`, `ngpus`, `numworkers`, `worldsize`):
# the part names that count.
GLUED_COUNT_PREFIXES = ("my", "local", "global", "world", "num", "n")

PROCESS_WORDS = frozenset("""
    rank local_rank global_rank worker process proc pid gpu device node host thread replica
    shard machine
""".split())

# Words that count steps in a phrase after a value saying when it was measured (`Loss:
# 0.0007 after 721 batches`, `accuracy 0.91 after 3 epochs`, `loss 0.01 in 1200 iterations`,
# `acc 0.91 at batch 300`), each with the step key it counts like.
STEP_COUNT_WORDS: Dict[str, str] = {
    "step": "step", "steps": "step", "iteration": "iteration", "iterations": "iteration",
    "iter": "iter", "iters": "iter", "batch": "step", "batches": "step", "minibatch": "step",
    "minibatches": "step", "update": "step", "updates": "step", "episode": "episode",
    "episodes": "episode", "epoch": "epoch", "epochs": "epoch", "trial": "trial",
    "trials": "trial",
}


def phase_of(word: str) -> Optional[str]:
    """The phase a word names (`Validation` -> `val`), or None."""
    return PHASES.get(word.lower())


_PIECES = re.compile(r"[_\-/.@]")


def names_metric(word: str) -> bool:
    """True when a word of a label names a measure (`loss`, `val_acc`, `Acc@1`, `mAP50`,
    `val_f1`: a piece between `_` `-` `/` `.` `@` is tried with its digits too)."""
    low = word.lower()
    if low in METRIC_WORDS:
        return True
    return any(p in METRIC_WORDS for p in parts(word)) or any(
        p in METRIC_WORDS for p in _PIECES.split(low))


def names_count(word: str) -> bool:
    """True when a word names a count of things, a device or a setting (`params`,
    `num_workers`, `cuda`, `batch_size`), and no measure or rate."""
    ps = parts(word)
    if not any(p in COUNT_WORDS or _glued_count(p) for p in ps):
        return False
    if any(p in _RATE_WORDS for p in ps):
        return False
    # `batch_loss`, `lr.head`: a measure named with a count word is still a measure.
    return not any(p in METRIC_WORDS for p in ps)


def _glued_count(part: str) -> bool:
    """`myrank`, `ngpus`, `worldsize`: a count word with a prefix glued before it."""
    return any(part.startswith(g) and len(part) - len(g) >= 3 and part[len(g):] in COUNT_WORDS
               for g in GLUED_COUNT_PREFIXES)


def names_setting(word: str) -> bool:
    """True when a word names a number of steps (`epochs`, `max_iters`, `num_steps`): a
    setting, not a measure; `eval_steps_per_second` is a rate, and no setting."""
    ps = parts(word)
    return (any(p in _STEP_PLURALS for p in ps)
            and not any(p in _RATE_WORDS or p in METRIC_WORDS for p in ps))


def plural_step(word: str) -> Optional[str]:
    """The step key a plural names (`Steps` -> `step`), or None."""
    return _STEP_PLURALS.get(word.lower())
