"""The console grammar reads a label by what it means: metric words are metrics however they are
punctuated, count and device words never are, steps and phases are found the same way.
Lines are the print formats of public training scripts (tests/corpus/ replays whole ones)."""
from __future__ import annotations

import pytest

from runwrap.collectors.console.scalars import StreamRecords, default_parser

parse = default_parser().parse


@pytest.mark.parametrize("line, expected", [
    # `label value` with blanks alone, between pipes.
    ("| epoch   1 |   200/ 2983 batches | lr 20.00 | ms/batch 12.34 | loss  6.86 | ppl   950.63",
     ({"epoch": 1, "lr": 20.0, "loss": 6.86, "ppl": 950.63}, 1)),
    ("| end of epoch   1 | time:  5.12s | valid loss  5.84 | valid ppl   343.01",
     ({"epoch": 1, "val/loss": 5.84, "val/ppl": 343.01}, 1)),
    ("step 1/20 | train loss 4.400117 | norm 10.7360 | lr 1.00e-04 | (1234.56 ms | 5000 tok/s)",
     ({"step": 1, "train/loss": 4.400117, "norm": 10.736, "lr": 1e-4}, 1)),
    ("epoch 1, loss 0.478, train acc 0.831, test acc 0.795",
     ({"epoch": 1, "loss": 0.478, "train/acc": 0.831, "test/acc": 0.795}, 1)),
    ("Training set accuracy 0.93", ({"train/accuracy": 0.93}, None)),
    ("step 250: train loss 1.9800, val loss 2.0500",
     ({"step": 250, "train/loss": 1.98, "val/loss": 2.05}, 250)),
    ("iter 10: loss 3.2100, time 123.45ms, mfu 1.23%", ({"iter": 10, "loss": 3.21}, 10)),
    ("Epoch 1 Batch 200 Loss 4.5123", ({"Epoch": 1, "Loss": 4.5123}, 1)),
    ("[GPU0] Epoch 0 | Batchsize: 32 | Steps: 64", ({"Epoch": 0}, 0)),  # a header
    # Sentence and banner endings that name a metric.
    ("Test accuracy: 0.9913", ({"test/accuracy": 0.9913}, None)),
    ("Validation acc: 0.8873", ({"val/acc": 0.8873}, None)),
    ("train accuracy: 1.0000", ({"train/accuracy": 1.0}, None)),
    ("====> Test set loss: 120.9", ({"test/loss": 120.9}, None)),
    ("Training acc over epoch: 0.8251", ({"train/acc": 0.8251}, None)),
    ("Training loss (for one batch) at step 0: 123.4000", ({"step": 0, "train/loss": 123.4}, 0)),
    # A value followed by something that is no plain key.
    ("[1/5][0/469] Loss_D: 1.2345 Loss_G: 1.5158 D(x): 0.3961",
     ({"Loss_D": 1.2345, "Loss_G": 1.5158, "D(x)": 0.3961}, 1)),
    ("Epoch 1 – RMSE: 3.79 – 0:00:00.246", ({"Epoch": 1, "RMSE": 3.79}, 1)),
    # Steps.
    ("Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.300285", ({"Epoch": 1, "train/Loss": 2.300285}, 1)),
    ("Epoch: [0]  [  0/782]  eta: 0:10:00  lr: 0.1  loss: 6.9 (6.9)  acc1: 0.0 (0.0)",
     ({"Epoch": 0, "lr": 0.1, "loss": 6.9, "acc1": 0.0}, 0)),
    ("Epoch(train) [1][ 10/100]  lr: 1.0000e-04  eta: 0:00:30  loss: 0.8",
     ({"Epoch": 1, "lr": 1e-4, "train/loss": 0.8}, 1)),
    ("Epoch(val) [1][10/10]    accuracy/top1: 80.0000", ({"Epoch": 1, "val/accuracy/top1": 80.0}, 1)),
    ("[1,000] Accuracy: 86.69%", ({"Accuracy": 86.69}, 1000)),
    ("Train: 3 [   0/1000 (  0%)]  Loss: 6.912 (6.91)  LR: 1.000e-04",
     ({"train/Loss": 6.912, "LR": 1e-4}, 3)),
    # Of several counters of steps, the one that counted most is the step (litgpt).
    ("Epoch 1 | iter 16 step 1 | loss train: 1.646, val: n/a | iter time: 122.03 ms",
     ({"Epoch": 1, "iter": 16, "step": 1, "train/loss": 1.646}, 16)),
    # A phase after the measure, and a value a tensor holds.
    ("LOSS train 0.41 valid tensor(0.4523)", ({"train/loss": 0.41, "val/loss": 0.4523}, None)),
    # A label keeps its words (a generator's total loss is not "the" loss); a plural step
    # word opening a line is its step; numbers with thousands separators are one number.
    ("Steps : 0, Gen Loss Total : 150.039, Mel-Spec. Error : 2.307",
     ({"Steps": 0, "gen_loss_total": 150.039, "mel-spec_error": 2.307}, 0)),
    ("| lm loss: 1.012345E+01 | loss scale: 1.0 |", ({"lm_loss": 10.12345, "loss_scale": 1.0}, None)),
    ("Step 01000 | CORE metric: 0.1500", ({"Step": 1000, "core_metric": 0.15}, 1000)),
    ("step 00001 | loss: 12.904830 | tok/sec: 1,231,360",
     ({"step": 1, "loss": 12.90483, "tok/sec": 1231360}, 1)),
    ("epoch: [1/3], global_step: 10, 'loss': np.float64(27.366244)",
     ({"epoch": 1, "global_step": 10, "loss": 27.366244}, 10)),
    ("best metric, acc: 0.25, norm_edit_dis: 0.9", ({"best_acc": 0.25, "best_norm_edit_dis": 0.9}, None)),
    ("Student accuracy with CE + KD: 71.20%", ({"student_accuracy": 71.2}, None)),
    ("Accuracy of the network on the 10000 test images: 54 %", ({"test/accuracy": 54}, None)),
    # Phases at the start of a line prefix the keys.
    ("Test:  Acc@1 1.05 Acc@5 4.2", ({"test/Acc@1": 1.05, "test/Acc@5": 4.2}, None)),
    ("Test set: Average loss: 0.0335, Accuracy: 9782/10000 (98%)",
     ({"test/average_loss": 0.0335, "test/Accuracy": 0.9782}, None)),
    # Optuna: the trial's value, and the best so far apart from it.
    ("[I 2024-01-01 00:00:00,000] Trial 3 finished with value: 0.12 and parameters: "
     "{'x': 1.2, 'y': 3}. Best is trial 0 with value: 0.10.",
     ({"Trial": 3, "value": 0.12, "best_value": 0.1}, 3)),
])
def test_hand_written_training_lines(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line", [
    "Using device: cuda:0",
    "  (fc1): Linear(in_features=9216, out_features=128, bias=True)",
    "Namespace(batch_size=64, epochs=14, lr=1.0, seed=1)",
    "batch_size = 64",
    "param count:25557032",
    "number of parameters: 10.65M",
    "found vocab_size = 65 (inside data/shakespeare_char/meta.pkl)",
    "tokens per iteration will be: 16,384",
    "Seen so far: 64 samples",
    "train: 100% 50/50 [00:01<00:00, 40.1it/s]",  # tqdm without its bar on a narrow terminal
    "[LightGBM] [Info] Start training from score 0.033111",
    "Learning rate set to 0.5",
    "max_epochs: 10",
    "num_workers=8",
    "Train Data: 25000",
    "{'input_file': 'names.txt', 'work_dir': 'out', 'top_k': -1, 'learning_rate': 0.0005}",
    "Calculated number of iterations from target data:param ratio: 1,200",
    "Tokens / micro-batch: 65,536",
])
def test_counts_devices_settings_and_object_reprs_are_no_metrics(line):
    assert parse(line) is None


def feed(lines):
    records = StreamRecords(parse)
    return [r for line in lines for r in records.feed(line)]


def test_summary_after_a_test_section_takes_the_test_phase():
    got = feed([
        "Epoch: [0][ 0/5005]\tTime  1.234 ( 1.234)\tLoss 6.9e+00 (6.9e+00)\tAcc@1   0.00 (  0.00)",
        "Test: [ 0/79]\tTime  0.123 ( 0.123)\tLoss 1.2e+00 (1.2e+00)\tAcc@1  75.00 ( 75.00)",
        " * Acc@1 75.000 Acc@5 92.188",
        "Epoch: [1][ 0/5005]\tTime  1.234 ( 1.234)\tLoss 5.9e+00 (5.9e+00)\tAcc@1   1.00 (  1.00)",
    ])
    assert got == [
        ({"Epoch": 0, "Loss": 6.9, "Acc@1": 0.0}, 0),
        ({"test/Loss": 1.2, "test/Acc@1": 75.0}, None),
        ({"test/Acc@1": 75.0, "test/Acc@5": 92.188}, None),
        ({"Epoch": 1, "Loss": 5.9, "Acc@1": 1.0}, 1),
    ]


def test_a_heading_names_the_phase_of_its_block_until_a_blank_line():
    got = feed(["loss: 0.9", "Validation:", "loss: 0.3 acc: 0.9", "", "loss: 0.5"])
    assert got == [({"loss": 0.9}, None), ({"val/loss": 0.3, "val/acc": 0.9}, None),
                   ({"loss": 0.5}, None)]


def test_train_and_test_lines_with_the_same_key_never_share_a_series():
    got = feed(["Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.300285",
                "",
                "Test set: Average loss: 0.0335, Accuracy: 9782/10000 (98%)"])
    keys = [set(values) for values, _ in got]
    assert keys == [{"Epoch", "train/Loss"}, {"test/average_loss", "test/Accuracy"}]


def test_a_table_row_with_an_empty_cell_is_read_by_the_column_it_stands_under():
    # skorch: the `cp` column holds `+` where a checkpoint was saved, nothing elsewhere.
    got = feed(["  epoch    train_loss    valid_acc    valid_loss    cp     dur",
                "-------  ------------  -----------  ------------  ----  ------",
                "      1        0.6905       0.5250        0.6891        0.9322",
                "      2        0.6838       0.5917        0.6834     +  0.2309"])
    assert got == [
        ({"epoch": 1, "train_loss": 0.6905, "valid_acc": 0.525, "valid_loss": 0.6891,
          "dur": 0.9322}, 1),
        ({"epoch": 2, "train_loss": 0.6838, "valid_acc": 0.5917, "valid_loss": 0.6834,
          "dur": 0.2309}, 2)]


def test_a_table_under_a_bar_with_a_text_first_column_and_count_columns():
    # YOLOv5: the header and the training row are tqdm descriptions; counts are no metrics.
    got = feed([
        "      Epoch    GPU_mem   box_loss   obj_loss   cls_loss  Instances       Size",
        "        0/2      3.21G     0.1059    0.07523    0.03196         90        640: 100%|"
        "##########| 8/8 [00:00<00:00, 13.93it/s]",
        "                 Class     Images  Instances          P          R      mAP50   "
        "mAP50-95: 100%|##########| 4/4 [00:00<00:00, 22.88it/s]",
        "                   all        128        929       0.51        0.4      0.459       0.28",
    ])
    assert got == [
        ({"Epoch": 0, "box_loss": 0.1059, "obj_loss": 0.07523, "cls_loss": 0.03196}, 0),
        ({"all/P": 0.51, "all/R": 0.4, "all/mAP50": 0.459, "all/mAP50-95": 0.28}, None)]


def test_a_csv_header_and_row_on_two_log_lines_give_one_record():
    got = feed(["[12/07 05:37:19 d2.evaluation.testing]: copypaste: Task: bbox",
                "[12/07 05:37:19 d2.evaluation.testing]: copypaste: AP,AP50,AP75",
                "[12/07 05:37:19 d2.evaluation.testing]: copypaste: 40.4428,61.0000,43.6000",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.404"])
    assert got == [({"AP": 40.4428, "AP50": 61.0, "AP75": 43.6}, None)]


def test_a_configuration_echo_gives_nothing_and_training_lines_after_it_do():
    got = feed(["Overriding config with config/train_shakespeare_char.py:",
                "# baby GPT model :)",
                "n_layer = 6",
                "dropout = 0.2",
                "",
                "learning_rate = 1e-3 # with baby networks can afford to go a bit higher",
                "Overriding: max_iters = 100",
                "tokens per iteration will be: 16,384",
                "step 0: train loss 4.2874, val loss 4.2823"])
    assert got == [({"step": 0, "train/loss": 4.2874, "val/loss": 4.2823}, 0)]


# wandb 0.31.0's own output, verbatim, from a real offline run at tiny size (three
# `run.log({"score": 20 + i, "val/loss": 0.5 - i / 10, "train_acc": 0.9})`, a summary `best`,
# `run.finish()`). Its values are wandb's records, read by the wandb collector: none of its
# lines is a console metric, or the console's `score 22` would stand for the run's own.
WANDB_FOOTER = """\
wandb: Tracking run with wandb version 0.31.0
wandb: W&B syncing is set to `offline` in this directory. Run `wandb online` or set WANDB_MODE=online to enable cloud syncing.
wandb: Run data is saved locally in /tmp/grammar2/wandb/offline-run-20261207_064657-ck8xfay9
wandb: View this run in the terminal with `wandb leet`
wandb: 
wandb: Run history:
wandb:     score \u2581\u2585\u2588
wandb: train_acc \u2581\u2581\u2581
wandb:  val/loss \u2588\u2585\u2581
wandb: 
wandb: Run summary:
wandb:      best 2
wandb:     score 22
wandb: train_acc 0.9
wandb:  val/loss 0.3
wandb: 
wandb: You can sync this run to the cloud by running:
wandb: wandb sync /tmp/grammar2/wandb/offline-run-20261207_064657-ck8xfay9
wandb: Find logs at: ./wandb/offline-run-20261207_064657-ck8xfay9/logs
"""


def test_a_trackers_own_footer_is_no_console_metric():
    lines = WANDB_FOOTER.splitlines()
    assert [parse(line) for line in lines] == [None] * len(lines)
    assert feed(["epoch 1 score 0.5"] + lines + ["score 0.7"]) == [
        ({"epoch": 1, "score": 0.5}, 1), ({"score": 0.7}, None)]
    # A frame of wandb's upload spinner, and runwrap's own notices, alike.
    assert feed(["\x00wandb: \\ 0.012 MB of 0.012 MB uploaded (0.000 MB deduped)",
                 "runwrap: warning: disk full: 3 lines not recorded",
                 "[runwrap: 12 lines not recorded here: disk full]"]) == []


@pytest.mark.parametrize("notice", [
    "Early stopping at step 21 due to no improvement",
    "EARLY STOPPING at epoch 7",
    "Epoch 7: early stopping",  # Keras's EarlyStopping
    "early_stopping: stop at iter 300",
    "Stopping training at epoch 12 (patience exhausted)",
    "Training finished at epoch 9",
    "Finished training at step 500",
    "End of training at step 1000",
    "Training complete after epoch 5",
    "Converged at iteration 42",
])
def test_a_header_saying_training_ended_carries_no_step(notice):
    # What follows the end of training reports on the whole run, not on its last step.
    assert feed(["Epoch 4/10", "loss: 0.5", notice, "test_acc: 0.9"]) == [
        ({"loss": 0.5}, 4), ({"test_acc": 0.9}, None)]


@pytest.mark.parametrize("header, step", [
    ("Saving checkpoint at epoch 3", 3),
    ("Checkpoint saved at step 200", 200),
    ("Evaluating at step 250", 250),
    ("Reached step 500, evaluating", 500),
    ("End of epoch 3", 3),
    ("Epoch 3 finished", 3),
    ("Epoch 3 done", 3),
    ("Training done for epoch 3", 3),
    ("Warmup finished at step 100", 100),
])
def test_a_sentence_naming_a_step_of_training_is_a_header(header, step):
    assert feed(["Epoch 1/10", header, "val_loss: 0.4"]) == [({"val_loss": 0.4}, step)]


@pytest.mark.parametrize("line, expected", [
    # A plural step word counts the steps of a line that reports a measure and names no
    # other step, however it is written ...
    ("Steps : 0, Gen Loss Total : 150.039", ({"Steps": 0, "gen_loss_total": 150.039}, 0)),
    ("Train Steps: 100 | loss: 0.5", ({"Steps": 100, "train/loss": 0.5}, 100)),
    ("Global Steps: 500, Loss: 0.31", ({"Steps": 500, "Loss": 0.31}, 500)),
    ("| Steps 100 | loss 0.5 |", ({"Steps": 100, "loss": 0.5}, 100)),
    ("loss: 0.5 | steps: 100", ({"loss": 0.5, "steps": 100}, 100)),
    ("Epochs 3/10 - loss: 0.4", ({"Epochs": 3, "loss": 0.4}, 3)),
    ("Iterations: 40 | Error: 0.2", ({"Iterations": 40, "Error": 0.2}, 40)),
    ("Episodes 12 | return 3.5", ({"Episodes": 12, "return": 3.5}, 12)),
    # ... and is a setting beside another step, alone, with settings only, or qualified.
    ("[GPU0] Epoch 0 | Batchsize: 32 | Steps: 64", ({"Epoch": 0}, 0)),
    ("Epochs: 10", None),
    ("Steps: 1000, lr: 0.001", ({"lr": 0.001}, None)),
    ("Num Epochs = 3", None),
    ("Total steps: 1000", None),
    ("num_steps: 1000, lr: 0.001", ({"lr": 0.001}, None)),
    ("total steps 500 loss 0.3", ({"loss": 0.3}, None)),
    ("Steps per epoch: 100", None),  # a step word after `per` is no step either
])
def test_a_plural_step_word_is_the_step_of_a_line_that_reports_a_measure(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # A phase named as the value of a phase key puts the line's measures under it.
    ("{'step': 0, 'split': 'test', 'accuracy': '0.101'}",  # dm-haiku's mnist
     ({"step": 0, "test/accuracy": 0.101}, 0)),
    ("{'step': 100, 'split': 'valid', 'loss': 0.5}", ({"step": 100, "val/loss": 0.5}, 100)),
    ("{'epoch': 2, 'mode': 'eval', 'acc': 0.9}", ({"epoch": 2, "eval/acc": 0.9}, 2)),
    ("{'step': 5, 'phase': 'test', 'elbo': -102.3}", ({"step": 5, "test/elbo": -102.3}, 5)),
    ('{"Stage": "Train", "Loss": 0.41, "epoch": 3}', ({"train/Loss": 0.41, "epoch": 3}, 3)),
    ("step=10 split=train loss=0.5 acc=0.9",
     ({"step": 10, "train/loss": 0.5, "train/acc": 0.9}, 10)),
    ("split: test | loss: 0.3 | acc: 0.91", ({"test/loss": 0.3, "test/acc": 0.91}, None)),
    ("mode=eval epoch=2 loss=0.3 val_acc=0.9", ({"epoch": 2, "eval/loss": 0.3, "val_acc": 0.9}, 2)),
    # `model`, `eval_mode`, a mode that names no phase: no phase.
    ("model: resnet loss=0.5", ({"loss": 0.5}, None)),
    ("eval_mode=train loss=0.5", ({"loss": 0.5}, None)),
    ("mode: fp16 loss=0.5", ({"loss": 0.5}, None)),
])
def test_a_phase_key_names_the_phase_of_the_line(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # A one-line dict with word values is a point of training when it holds a measure and a
    # step (a whole number) or a phase named under a phase key ...
    ("{'epoch': 1, 'loss': 0.3, 'phase': 'train', 'model': 'resnet'}",
     ({"epoch": 1, "train/loss": 0.3}, 1)),
    ('{"epoch": 3, "stage": "val", "loss": 0.41, "run": "exp1", "device": "cuda"}',
     ({"epoch": 3, "val/loss": 0.41}, 3)),
    ("{'Epoch': 3, 'Phase': 'Train', 'Loss': 0.41, 'Model': 'vit', 'Optimizer': 'adam'}",
     ({"Epoch": 3, "train/Loss": 0.41}, 3)),
    ("{'iter': 50, 'loss': 1.2, 'status': 'ok', 'tag': 'baseline'}", ({"iter": 50, "loss": 1.2}, 50)),
    ("{'split': 'test', 'acc': 0.93, 'ckpt': 'best', 'model': 'vit'}", ({"test/acc": 0.93}, None)),
    # ... or when two measures or more make most of its numbers (a run's results).
    ("{'test_loss': 0.3, 'test_acc': 0.9, 'checkpoint': 'best.pt'}",
     ({"test_loss": 0.3, "test_acc": 0.9}, None)),
    ("{'bleu': 27.3, 'chrf': 55.1, 'lang': 'de-en'}", ({"bleu": 27.3, "chrf": 55.1}, None)),
    ("{'mAP': 0.41, 'AP50': 0.62, 'AP75': 0.44, 'dataset': 'coco'}",
     ({"mAP": 0.41, "AP50": 0.62, "AP75": 0.44}, None)),
    ("{'val_loss': 0.41, 'val_f1': 0.85, 'split_name': 'dev'}",
     ({"val_loss": 0.41, "val_f1": 0.85}, None)),
    # ... and arguments otherwise (no measure, only settings, an epoch that is no point).
    ("{'input_file': 'names.txt', 'lr': 0.1, 'device': 'cpu'}", None),
    ("{'model': 'resnet50', 'loss_weight': 0.5, 'label_smoothing': 0.1, 'dataset': 'cifar'}",
     None),
    ("{'arch': 'resnet18', 'epochs': 90, 'lr': 0.1, 'momentum': 0.9, 'dist_backend': 'nccl'}",
     None),
    ("{'start_epoch': 0, 'arch': 'resnet', 'dist_backend': 'nccl', 'lr': 0.1}", None),
    ("{'loss': 'cross_entropy', 'optimizer': 'adam', 'lr': 0.001}", None),
    ("{'split': 'train', 'batch_size': 32, 'shuffle': True}", None),
    ("{'epoch': 0.5, 'loss_weight': 0.5, 'name': 'x', 'opt': 'adam'}", None),
    ("{'lr': 0.001, 'wd': 0.1, 'epochs': 10, 'name': 'x'}", None),
    ("{'arch': 'x', 'score_threshold': 0.5, 'iou_threshold': 0.6, 'nms': True}", None),
    ("{'loss': 'ce', 'kl_coef': 0.1, 'entropy_coef': 0.01, 'gamma': 0.99}", None),
    ("{'optimizer': 'adam', 'lr': 0.001, 'max_grad_norm': 1.0, 'grad_clip': 1.0}", None),
    ("{'loss': 0.5, 'lr': 0.1, 'wd': 0.01, 'model': 'resnet'}", None),  # one measure of three
])
def test_a_dict_with_words_is_a_record_or_arguments_by_its_keys(line, expected):
    assert parse(line) == expected


def test_a_dict_taken_for_arguments_printed_again_with_other_numbers_is_a_record():
    dict_of = "{{'loss': {}, 'lr': {}, 'wd': 0.01, 'model': 'resnet', 'opt': 'adam'}}".format
    assert feed([dict_of(0.5, 0.1), "Epoch 2/3", dict_of(0.4, 0.05), "Epoch 3/3",
                 dict_of(0.3, 0.01)]) == [({"loss": 0.5, "lr": 0.1, "wd": 0.01}, None),
                                          ({"loss": 0.4, "lr": 0.05, "wd": 0.01}, 2),
                                          ({"loss": 0.3, "lr": 0.01, "wd": 0.01}, 3)]
    # Arguments printed twice alike are still arguments.
    args = "{'model': 'resnet50', 'loss_weight': 0.5, 'label_smoothing': 0.1, 'data': 'cifar'}"
    assert feed([args, args]) == []


@pytest.mark.parametrize("line, expected", [
    # An arrow joins a label to its value as `: ` does ...
    ("Episode * 0 * Avg Reward is ==> -813.8529098283171",  # keras-io's DDPG
     ({"Episode": 0, "avg_reward": -813.8529098283171}, 0)),
    ("Episode 4 Reward ==> 12.0", ({"Episode": 4, "Reward": 12.0}, 4)),
    ("episode: 3 return -> 45.0", ({"episode": 3, "return": 45.0}, 3)),
    ("Mean reward => 3.5", ({"mean_reward": 3.5}, None)),
    ("loss --> 0.3", ({"loss": 0.3}, None)),
    ("Loss \u2192 0.3", ({"Loss": 0.3}, None)),
    ("Epoch 3: train loss => 0.25, val loss => 0.31",
     ({"Epoch": 3, "train/loss": 0.25, "val/loss": 0.31}, 3)),
    # ... for labels that name a measure: sizes, bounds and counts stay nothing.
    ("Size of State Space ->  3", None),
    ("Max Value of Action ->  2.0", None),
    ("Min Value of Action ->  -2.0", None),
    ("Reading data -> 120 files", None),
    # A step word's number set off by a fence is still the step.
    ("Epoch -- 3 -- loss: 0.4", ({"Epoch": 3, "loss": 0.4}, 3)),
    ("Epoch #3: loss 0.5", ({"Epoch": 3, "loss": 0.5}, 3)),
    ("Step * 100 * loss = 0.2", ({"Step": 100, "loss": 0.2}, 100)),
    ("Epoch ~ 2 ~ acc: 0.9", ({"Epoch": 2, "acc": 0.9}, 2)),
    ("Iteration # 40, loss: 0.1", ({"Iteration": 40, "loss": 0.1}, 40)),
    ("lr * 10", None),  # a fence only sets off a step
])
def test_arrows_join_labels_and_fences_set_off_steps(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # After a value, a comparison with a threshold is no second value.
    ("eval_acc_pct=93.84868421052632 >= 93.0", {"eval_acc_pct": 93.84868421052632}),  # tinygrad
    ("acc=0.93 >= 0.9", {"acc": 0.93}),
    ("val_acc=93.85 >= 93", {"val_acc": 93.85}),
    ("val_loss=0.52 <= 0.6", {"val_loss": 0.52}),
    ("loss = 0.41 != 0.5", {"loss": 0.41}),
    ("acc=0.93 == 0.93", {"acc": 0.93}),
    ("best_acc=0.91 > 0.9", {"best_acc": 0.91}),
    ("eval_acc_pct=93.85 < 95.0", {"eval_acc_pct": 93.85}),
    ("acc: 0.9 (>= 0.85)", {"acc": 0.9}),
])
def test_a_threshold_compared_with_a_value_is_not_its_value(line, expected):
    assert parse(line) == (expected, None)


@pytest.mark.parametrize("line, expected", [
    # Values written before their names, in parts set apart by commas or bars ...
    ("  7  221.74 ms run,    2.22 ms python,  219.52 ms CUDA,    2.31 loss, 0.000807 LR, "
     "4.66 GB used,   3042.49 GFLOPS,    674.65 GOPS",  # tinygrad's hlb_cifar10
     ({"loss": 2.31, "LR": 0.000807}, 7)),
    ("  12   0.53 loss,  0.91 acc", ({"loss": 0.53, "acc": 0.91}, 12)),
    ("step 5: 1.234 loss, 0.12 s", ({"step": 5, "loss": 1.234}, 5)),
    ("   4 2.31 train_loss 2.45 val_loss", ({"train_loss": 2.31, "val_loss": 2.45}, 4)),
    ("Epoch 3 | 0.5 train loss | 0.4 val loss",
     ({"Epoch": 3, "train/loss": 0.5, "val/loss": 0.4}, 3)),
    ("Epoch 3, 0.5 loss", ({"Epoch": 3, "loss": 0.5}, 3)),
    # ... and before a `KEY=N` pair, which stays a pair of its own.
    ("1.35 val_loss STEP=250 (in 1314.59 ms)", ({"val_loss": 1.35, "STEP": 250}, 250)),
    ("eval 0.41 loss ITER=300", ({"eval/loss": 0.41, "ITER": 300}, 300)),
    ("val 0.5 acc EPOCH=3", ({"val/acc": 0.5, "EPOCH": 3}, 3)),
    # A phase, a count and the percentage it makes (with decimals) is the phase's accuracy.
    ("eval     6664/9728 68.50%,    1.35 val_loss STEP=250 (in 1314.59 ms)",
     ({"eval/accuracy": 6664 / 9728, "val_loss": 1.35, "STEP": 250}, 250)),
    ("eval  300/400 75.00%", ({"eval/accuracy": 0.75}, None)),
    ("test 9432/10000 94.32%, 0.21 loss", ({"test/accuracy": 0.9432, "test/loss": 0.21}, None)),
    ("eval  300/400 75%", None),  # a progress display's position
    ("eval  300/400 60.00%", None),  # not the count's percentage
    # Counts, sizes, units and sentences give nothing; a name after a pair is no item.
    ("Loaded 50000 images, 10 classes", None),
    ("Found 3 files, 2 errors", None),
    ("Memory: 3.2 GB, 12 GB free", None),
    ("loss: 0.5 acc", ({"loss": 0.5}, None)),
    ("lr: 0.001 warmup", ({"lr": 0.001}, None)),
    ("0  0.466536    0.425456  0.468750  00:00", None),
])
def test_values_written_before_their_names(line, expected):
    assert parse(line) == expected


ROMEO = ("ROMEO: But soft, what light through yonder window breaks? It is the east, and Juliet "
         "is the sun. Arise, fair sun, and kill the envious moon, who is already sick and pale "
         "with grief, that thou her maid art far more fair than she. ")
WIKI = ("'''Austin''' is a [[city]] in [[Alabama]] with a population of 4412 at the [[1900]] "
        "census. == History == The first Austin was founded in 1832 by [[John Smith]] (born "
        "1790, died 1861). [[Category:Cities in Alabama]] [[de:Austin]] [[fr:Austin]] ")


@pytest.mark.parametrize("line", [
    # A long line of text (a model's sample, a data set's record echoed) holds pairs by chance.
    WIKI + "{{Infobox City | name = Austin | population_total = 313121 | area_total_km2 = 35.2"
    " | elevation_m = 12 | latd = 33 | longd = 3 }} " + WIKI * 3,
    ROMEO * 2 + "his score: 12, and all the rest " + ROMEO * 2,
    "<page> <title>Foo</title> <id>12</id> " + WIKI * 2 + "{{Infobox | elevation_m = 12 }} " + WIKI,
    WIKI + "| year = 1987 | population = 4412 " + WIKI * 2,
    ROMEO * 4 + "loss: 3",
    "\u5e8a\u524d\u660e\u6708\u5149\uff0c\u7591\u662f\u5730\u4e0a\u971c\u3002" * 30 + " score: 12 " +
    "\u4e3e\u5934\u671b\u660e\u6708\uff0c\u4f4e\u5934\u601d\u6545\u4e61\u3002" * 30,
])
def test_pairs_in_a_long_line_of_text_are_no_metrics(line):
    assert len(line) >= 400
    assert parse(line) is None


@pytest.mark.parametrize("line", [
    # Long reports stay: they give a value every few letters.
    str({f"eval_metric_{i}": i / 7 for i in range(14)}),
    " iteration      100/  500000 | consumed samples:        51200 | elapsed time per iteration "
    "(ms): 1234.5 | learning rate: 1.500E-04 | global batch size:   512 | lm loss: 7.123E+00 | "
    "loss scale: 65536.0 | grad norm: 1.234 | number of skipped iterations:   0 | number of nan "
    "iterations:   0 | validation lm loss: 6.9 | validation ppl: 1000.1 | throughput: 12.5 | "
    "num zeros: 0.0 | params norm: 245.678 | mem-allocated-bytes: 1.2E+10 | loss scale: 1.0 |",
    "Epoch 3 finished: training loss 0.5123, validation loss 0.4234, validation accuracy 0.9123, "
    "training accuracy 0.9345, test loss 0.4456, test accuracy 0.9012, best validation accuracy "
    "0.9200, learning rate 0.0010, gradient norm 1.2345, weight norm 45.678, epoch time 123.4 "
    "seconds, total time 1234.5 seconds, samples per second 456.7, tokens per second 12345.6, "
    "validation perplexity 1.5678, test perplexity 1.5789",
])
def test_long_reports_are_not_text(line):
    assert len(line) >= 400
    assert len(parse(line)[0]) >= 8


@pytest.mark.parametrize("line, expected", [
    ("val_f1 0.85", {"val_f1": 0.85}),  # a metric word with digits, inside a longer word
    ("test_r2 0.7", {"test_r2": 0.7}),
    ("eval_f1 0.9 eval_loss 0.3", {"eval_f1": 0.9, "eval_loss": 0.3}),
])
def test_a_metric_word_holding_digits_names_a_measure_inside_a_word(line, expected):
    assert parse(line) == (expected, None)


@pytest.mark.parametrize("line", [
    # A whole number followed by a word naming things counted is a count of them, even
    # after a metric word.
    "Error: 3 files missing",
    "Errors: 12 images failed to load",
    "loss: 2 batches skipped (nan)",
    "score: 40 tokens generated",
    "acc: 5 samples",
])
def test_a_count_of_things_after_a_metric_word_is_no_value(line):
    assert parse(line) is None


@pytest.mark.parametrize("line, expected", [
    ("Epoch 1 loss 3 batch 3", ({"Epoch": 1, "loss": 3}, 1)),  # `batch 3` is a pair
    ("acc: 95 %", ({"acc": 95}, None)),
    ("accuracy: 54 images/sec", ({"accuracy": 54}, None)),  # a rate, no count
    ("Error: 0.5 files", ({"Error": 0.5}, None)),  # not a whole number
])
def test_a_value_before_a_word_that_counts_nothing_stays(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # A step's whole number ending a sentence keeps its point out: it is the step.
    ("Saving checkpoint at step 100.", ({"step": 100}, 100)),
    ("Training finished at epoch 9.", ({"epoch": 9}, 9)),
    ("Epoch 3. Loss: 0.5", ({"Epoch": 3, "Loss": 0.5}, 3)),
    ("Reached step 500. Evaluating...", ({"step": 500}, 500)),
    ("episodic_return=[23.]", ({"episodic_return": 23.0}, None)),  # a numpy float, no step
])
def test_a_step_number_ending_a_sentence_is_the_step(line, expected):
    assert parse(line) == expected


def test_a_step_after_best_is_carried_to_nothing():
    assert feed(["Epoch 7/10", "loss: 0.3", "Epoch 7: early stopping",
                 "Restoring model weights from the end of the best epoch: 4.",
                 "test loss: 0.25"]) == [({"loss": 0.3}, 7), ({"test/loss": 0.25}, None)]
    assert feed(["Epoch 5/10", "Best model so far at epoch 3", "val_loss: 0.4"]) == [
        ({"val_loss": 0.4}, 5)]


@pytest.mark.parametrize("line, expected", [
    # DALLE-pytorch: print(epoch, i, f'loss - {avg_loss.item()}'); its train_vae.py
    ("0 10 loss - 7.0802202224731445", ({"loss": 7.0802202224731445}, None)),
    ("0 10 lr - 0.001000 loss - 0.0123", ({"lr": 0.001, "loss": 0.0123}, None)),
    ("loss - 0.5", ({"loss": 0.5}, None)),
    ("epoch 3 loss - 0.25", ({"epoch": 3, "loss": 0.25}, 3)),
    ("train loss - 0.41 - val loss - 0.45", ({"train/loss": 0.41, "val/loss": 0.45}, None)),
    ("Epoch 2 - loss - 0.3 - acc - 0.9", ({"Epoch": 2, "loss": 0.3, "acc": 0.9}, 2)),
    ("step - 100 loss - 2.5", ({"step": 100, "loss": 2.5}, 100)),
    ("loss -0.5", ({"loss": -0.5}, None)),  # a minus sign, against its number
    # Names no measure takes with a bare value give nothing, as with blanks alone.
    ("x - 3", None), ("Foo Bar - 3", None), ("Size of State Space - 3", None),
    ("batch size - 32", None), ("time - 12.5", None),
])
def test_a_dash_between_blanks_sets_a_value_apart_as_blanks_do(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # Plain words before a measure ending the label name it, with blanks alone too ...
    ("best development model score 0.5226", {"best_development_model_score": 0.5226}),  # flax
    ("best model accuracy 0.9", {"best_model_accuracy": 0.9}),
    ("dev score 0.5", {"dev_score": 0.5}),
    ("final model score 0.8", {"final_model_score": 0.8}),
    ("best model loss 0.3", {"best_model_loss": 0.3}),
    # ... but a verb, a joining word or a count makes a sentence.
    ("Start training from score 0.03", None),
    ("reward is now 9", None),
    ("Model reached accuracy 0.9", None),
    ("We got accuracy 0.9", None),
    ("Seed everything loss 0.3", None),
])
def test_plain_words_before_a_measure_name_it(line, expected):
    assert parse(line) == (None if expected is None else (expected, None))


@pytest.mark.parametrize("line, expected", [
    # epsilon is a measure (a privacy budget spent, an exploration rate) ...
    ("For delta=1e-05, the current epsilon is: 0.31",  # jax's differentially_private_sgd
     ({"delta": 1e-05, "current_epsilon": 0.31}, None)),
    ("current epsilon: 0.31", ({"current_epsilon": 0.31}, None)),
    ("Episode 3 epsilon 0.95 reward 12", ({"Episode": 3, "epsilon": 0.95, "reward": 12}, 3)),
    ("Test: epsilon 0.3 loss 0.2", ({"epsilon": 0.3, "test/loss": 0.2}, None)),  # no phase's
    # ... but an optimizer's epsilon, or anything named for an optimizer, is a setting.
    ("Adam epsilon: 1e-08", None),
    ("adam_epsilon=1e-08 loss=0.3", ({"loss": 0.3}, None)),
    ("sgd momentum: 0.9", None),
])
def test_epsilon_is_a_measure_unless_an_optimizer_names_it(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # Names listed together, then their values in the same order.
    ("Test set loss, accuracy (%): (0.60, 80.64)",  # jax's differentially_private_sgd
     ({"test/loss": 0.6, "test/accuracy": 80.64}, None)),
    ("loss, acc: (0.5, 0.9)", ({"loss": 0.5, "acc": 0.9}, None)),
    ("val (loss, acc) = (0.41, 0.88)", ({"val/loss": 0.41, "val/acc": 0.88}, None)),
    ("Train loss/acc: 0.5 / 0.9", ({"train/loss": 0.5, "train/acc": 0.9}, None)),
    ("Epoch 3: train loss, acc: 0.5, 0.9", ({"Epoch": 3, "train/loss": 0.5, "train/acc": 0.9}, 3)),
    # Counts that differ, names that are no measures, a fraction: not a list.
    ("loss, acc: (0.5, 0.9, 0.1)", None),
    ("x, y: (1, 2)", None),
    ("Accuracy: 9782/10000 (98%)", ({"Accuracy": 0.9782}, None)),
    ("tok/sec: 1,234", ({"tok/sec": 1234}, None)),
])
def test_names_listed_then_values_listed_pair_up(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("lines, expected", [
    # transformers' run_qa_no_trainer: the prediction set's scores after the evaluation's
    (["Evaluation metrics: {'exact_match': 81.9, 'f1': 87.7}",
      "Predict metrics: {'exact_match': 81.99545570103523, 'f1': 87.78117348766746}"],
     [({"eval/exact_match": 81.9, "eval/f1": 87.7}, None),
      ({"predict/exact_match": 81.99545570103523, "predict/f1": 87.78117348766746}, None)]),
    (["Prediction: accuracy 0.9"], [({"predict/accuracy": 0.9}, None)]),
    (["predict: loss 0.5"], [({"predict/loss": 0.5}, None)]),
    (["Inference metrics: {'f1': 0.9}"], [({"predict/f1": 0.9}, None)]),
    (["Prediction accuracy: 0.91"], [({"predict/accuracy": 0.91}, None)]),
    (["prediction loss 0.4 step 3"], [({"predict/loss": 0.4, "step": 3}, 3)]),
    (["Prediction:", "accuracy: 0.9"], [({"predict/accuracy": 0.9}, None)]),
    (["predict_loss: 0.3"], [({"predict_loss": 0.3}, None)]),  # a phase of its own
    # A prediction's output and a time taken are no measures of the phase.
    (["prediction: 3"], []), (["Inference time: 12.3 ms"], []),
    (["Predicted: 5, Actual: 3"], [({"Predicted": 5, "Actual": 3}, None)]),
    (["Pretraining loss: 0.5"], [({"pretraining_loss": 0.5}, None)]),
])
def test_prediction_and_inference_name_a_phase(lines, expected):
    records = StreamRecords(parse)
    assert [r for line in lines for r in records.feed(line)] == expected


@pytest.mark.parametrize("lines, expected", [
    (["Test:  [49/50]  eta: 0:00:00  class_error: 62.55  loss: 14.0079 (14.0559)",
      "Test: Total time: 0:00:26 (0.5257 s / it)",
      "Averaged stats: class_error: 62.55  loss: 14.0079 (14.0559)"],
     {"test/class_error": 62.55, "test/loss": 14.0079}),
    (["eval samples: 0 loss: tensor(3.6491, device='cuda:0')", "average loss 3.5806859589041107"],
     {"eval/average_loss": 3.5806859589041107}),
    (["Validation: [10/10] loss 0.4", "Mean loss: 0.41"], {"val/mean_loss": 0.41}),
    (["INFO:root:Test [5/5] acc 0.9", "INFO:root:Overall acc 0.91"], {"test/overall_acc": 0.91}),
    (["val batch 3 loss 0.2", "Avg loss: 0.21 | acc: 0.5"], {"val/avg_loss": 0.21, "val/acc": 0.5}),
    (["Evaluating: loss 0.3", "Total loss: 0.9"], {"eval/total_loss": 0.9}),
    (["[rank 0] Test: loss 0.3", "Averaged stats: loss: 0.31"], {"test/loss": 0.31}),
    (["Test: [1/2] loss 0.3", "Test: [2/2] loss 0.2", "Summary: loss 0.25 acc 0.5"],
     {"test/loss": 0.25, "test/acc": 0.5}),
])
def test_a_summary_line_after_lines_of_a_phase_takes_their_phase(lines, expected):
    assert feed(lines)[-1] == (expected, None)


@pytest.mark.parametrize("lines, expected", [
    # after training lines (no phase), after a step header, with no line before, not opening
    # with a summary word, naming its own phase
    (["Epoch: [0]  [199/200]  lr: 0.000100  loss: 2.0 (2.1)",
      "Averaged stats: lr: 0.000100  loss: 2.0 (2.1)"], ({"lr": 0.0001, "loss": 2.0}, None)),
    (["Test: loss 0.3", "Epoch 2", "Average loss 0.3"], ({"average_loss": 0.3}, 2)),
    (["Test: loss 0.3", "step 5 loss 0.2", "Average loss 0.3"], ({"average_loss": 0.3}, None)),
    (["Averaged stats: loss: 1.0"], ({"loss": 1.0}, None)),
    (["Test: loss 0.3", "lr: 0.1"], ({"lr": 0.1}, None)),
    (["Test: loss 0.3", "loss 0.2 average 0.1"], ({"loss": 0.2}, None)),
    (["Test: loss 0.3", "Train average loss: 0.4"], ({"train/average_loss": 0.4}, None)),
])
def test_a_summary_line_takes_no_phase_the_line_before_did_not_have(lines, expected):
    assert feed(lines)[-1] == expected


@pytest.mark.parametrize("line, expected", [
    # A one-word qualifier in parentheses is part of the label (tqdm's postfix of
    # `set_postfix(**{'loss (batch)': loss})`, Pytorch-UNet).
    ("Epoch 1/2: 100%|██████████| 4580/4580 [00:00<00:00, 68650.96img/s, loss (batch)=0.202]",
     ({"Epoch": 1, "loss_batch": 0.202}, 1)),
    ("loss (batch)=0.202", ({"loss_batch": 0.202}, None)),
    ("train: 100%|#####| 50/50 [00:03<00:00, 15.2it/s, loss (avg)=0.41, acc (top1)=0.873]",
     ({"train/loss_avg": 0.41, "train/acc_top1": 0.873}, None)),
    ("step 10 loss (batch)=0.5 lr=0.001", ({"step": 10, "loss_batch": 0.5, "lr": 0.001}, 10)),
    ("Valid: 100%|████| 10/10 [00:01<00:00, 9.1it/s, dice (mean)=0.77]",
     ({"val/dice_mean": 0.77}, None)),
    ("loss (batch): 0.202, acc (top1): 0.9", ({"loss_batch": 0.202, "acc_top1": 0.9}, None)),
    # Near misses: no single word, no blank before it, a one-letter name, no number after.
    ("Accuracy (%): 93.1", ({"Accuracy": 93.1}, None)),
    ("Validation loss (avg over 10 batches): 0.3", ({"val/loss_avg": 0.3}, None)),
    ("[rank0] (main) loss=0.3", ({"loss": 0.3}, None)),
    ("model (resnet50) loaded", None),
    ("f (x)=0.5", None),
    ("loss (batch)=nan_value", None),
])
def test_a_label_qualified_by_a_word_in_parentheses(line, expected):
    assert parse(line) == expected


def feed_all(lines):
    records = StreamRecords(parse)
    return [r for line in lines for r in records.feed(line)] + records.finish()


RULE = "=" * 100


@pytest.mark.parametrize("lines", [
    [RULE, "        - platform : local", "        - lr : 0.0002", "        - weight_decay : 0.01",
     "        - clip : 0.0", "        - fp16 : False", RULE],
    [RULE, "- lr : 0.1", "- epochs : 10", "- optimizer : adam", RULE],
    ["-" * 40, "* batch_size: 32", "* dropout: 0.1", "* name: run1", "-" * 40],
    ["INFO:root:" + RULE, "INFO:root:  - lr : 0.1", "INFO:root:  - seed : 42",
     "INFO:root:  - device : cuda:0", "INFO:root:" + RULE],
    ["#" * 20, "+ lr : 0.1", "+ label_smooth : 0.1", "+ init_checkpoint : ./gpt2.bin"],
    [RULE, "  - lr : 0.1", "  - max_step : None"],  # the stream ends in the listing
])
def test_an_arguments_listing_under_a_rule_is_configuration(lines):
    assert feed_all(lines) == []


@pytest.mark.parametrize("lines, expected", [
    # every value a number: read as printed; no rule before the rows; no listed row
    ([RULE, "  - loss : 0.5", "  - acc : 0.9", RULE],
     [({"loss": 0.5}, None), ({"acc": 0.9}, None)]),
    (["  - lr : 0.1", "  - name : x"], [({"lr": 0.1}, None)]),
    ([RULE, "loss: 0.5", "name: x"], [({"loss": 0.5}, None)]),
    ([RULE, "- loss : 0.5", "step 3 acc 0.9"],
     [({"loss": 0.5}, None), ({"step": 3, "acc": 0.9}, 3)]),
])
def test_rows_under_a_rule_with_numbers_only_are_read_as_printed(lines, expected):
    assert feed_all(lines) == expected


@pytest.mark.parametrize("line, expected", [
    ("myrank: 0 local_rank: 0 device_count: 1 world_size: 1", None),
    ("myrank: 1 loss: 0.5", ({"loss": 0.5}, None)),
    ("numworkers=4 acc=0.9", ({"acc": 0.9}, None)),
    ("localrank: 2 step 5 loss 0.1", ({"step": 5, "loss": 0.1}, 5)),
    ("ngpus: 8 loss 0.3", ({"loss": 0.3}, None)),
    ("worldsize 8 lr 0.1", ({"lr": 0.1}, None)),
    # near misses: a measure, or no count word after the glued letters
    ("nll: 0.5", ({"nll": 0.5}, None)),
    ("mydice: 0.8", ({"mydice": 0.8}, None)),
    ("mrank: 0.5", ({"mrank": 0.5}, None)),
    ("nodes_loss: 0.2", ({"nodes_loss": 0.2}, None)),
])
def test_a_count_word_with_a_glued_prefix_is_a_count(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # Values before their names after a step and a phase word (dlwpt p2ch12's logMetrics).
    ("2026-12-07 12:06:49,892 INFO     pid:13637 __main__:123:logMetrics E1 trn      0.0748 "
     "loss,  97.5% correct, 0.9755 precision, 0.9750 recall, 0.9752 f1 score",
     ({"train/loss": 0.0748, "train/correct": 97.5, "train/precision": 0.9755,
       "train/recall": 0.975, "train/f1_score": 0.9752}, None)),
    ("E1 trn_neg  0.0706 loss,  97.5% correct (97547 of 100000)",
     ({"train_neg/loss": 0.0706, "train_neg/correct": 97.5}, None)),
    ("E3 val      0.0701 loss,  98.0% correct, 0.0965 precision",
     ({"val/loss": 0.0701, "val/correct": 98.0, "val/precision": 0.0965}, None)),
    ("E12 val_pos  0.2706 loss,  87.3% correct (117 of 134)",
     ({"val_pos/loss": 0.2706, "val_pos/correct": 87.3}, None)),
    ("E2 test 0.41 loss, 0.88 accuracy", ({"test/loss": 0.41, "test/accuracy": 0.88}, None)),
    ("ep5 train 1.23 loss", ({"train/loss": 1.23}, None)),
    ("E1 tst 0.5 loss, 91.0% correct", ({"test/loss": 0.5, "test/correct": 91.0}, None)),
    ("0.07 loss, 97.5% correct, 0.9 precision",
     ({"loss": 0.07, "correct": 97.5, "precision": 0.9}, None)),
    # Near misses: no phase word after the step, text after it, `correct` with no percentage.
    ("E1 LunaTrainingApp", None),
    ("E1 Training 64/6250, done at 2020-12-28 16:38:16, 0:36:02", None),
    ("E1 model 0.5 loss", None),
    ("E1 LunaTrainingApp 3 files", None),
    ("Got 97 correct", None),
    ("97.5 correct", None),
    ("correct: 9782", ({"correct": 9782}, None)),
])
def test_values_before_their_names_after_a_step_and_a_phase_word(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("lines, expected", [
    # A count `a / b` before `correct` is the share; a sentence naming a data set gives the
    # next line its phase (CS231n's check_accuracy).
    (["Checking accuracy on the val set", "Got 101 / 1000 correct (10.10%)"],
     [({"val/correct": 0.101}, None)]),
    (["Checking accuracy on validation set", "Got 295 / 1000 correct (29.50)"],
     [({"val/correct": 0.295}, None)]),
    (["Checking accuracy on test set", "Got 7012 / 10000 correct (70.12)"],
     [({"test/correct": 0.7012}, None)]),
    (["Evaluating on the test set...", "Got 70/100 correct"], [({"test/correct": 0.7}, None)]),
    (["Got 3 / 4 correct"], [({"correct": 0.75}, None)]),
    (["INFO: Checking accuracy on the val set", "INFO: Got 3 / 4 correct (75%)"],
     [({"val/correct": 0.75}, None)]),
    # Near misses: a line with its own step, the sentence not right before, other words,
    # a zero count, no data set named.
    (["Checking accuracy on the val set", "Iteration 300, loss = 1.8"],
     [({"Iteration": 300, "loss": 1.8}, 300)]),
    (["Checking accuracy on the val set", "Epoch 2", "Got 3 / 4 correct"],
     [({"correct": 0.75}, 2)]),
    (["Got 12 / 50 images (24%)"], []),
    (["Reading 10 / 20 correct answers"], []),
    (["Got 0 / 0 correct"], []),
    (["Checking the set", "Got 3 / 4 correct"], [({"correct": 0.75}, None)]),
    (["Loaded data on the train set", "step 5 loss 0.3"], [({"step": 5, "loss": 0.3}, 5)]),
])
def test_a_count_before_correct_and_the_sentence_naming_its_set(lines, expected):
    assert feed_all(lines) == expected


@pytest.mark.parametrize("line, expected", [
    ("tick 2     kimg 8.1      time 51m 27s      sec/tick 925.6   sec/kimg 229.57  maintenance "
     "2.0    cpumem 4.87   gpumem 11.37  augment 0.004",
     ({"tick": 2, "kimg": 8.1, "sec/tick": 925.6, "sec/kimg": 229.57, "maintenance": 2.0,
       "cpumem": 4.87, "gpumem": 11.37, "augment": 0.004}, 2)),
    ("tick 2 kimg 8.1 augment 0.004", ({"tick": 2, "kimg": 8.1, "augment": 0.004}, 2)),
    ("tick 3     kimg 12.2     time 1h 06m 44s   augment 0.005",
     ({"tick": 3, "kimg": 12.2, "augment": 0.005}, 3)),
    ("step 2 time 51m 27s loss 0.3", ({"step": 2, "loss": 0.3}, 2)),
    ("iter 40  ema 0.998  beta 0.5  elapsed 3m 2s", ({"iter": 40, "ema": 0.998, "beta": 0.5}, 40)),
    ("[12:00:01] INFO: round 3 gain 0.12 cover 40.5", ({"round": 3, "gain": 0.12,
                                                        "cover": 40.5}, None)),
    # near misses: two fields, a word among them, a label twice, an `=` (the fields are
    # read as before; `tick` is a step word)
    ("kimg 8.1 augment 0.004", None),
    ("read 3 files in 2 dirs", None),
    ("foo 1 bar 2 foo 3", None),
    ("tick 2 kimg 8.1 augment=0.004", ({"tick": 2, "augment": 0.004}, 2)),
    ("Saving 3 checkpoints to /tmp/x", None),
    ("Epoch 3 took 12 s", ({"Epoch": 3}, 3)),
])
def test_a_line_of_label_value_fields_apart_by_blanks_reads_field_by_field(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    ("synthesis.b4:0        8192        16       [8, 512, 4, 4]      float32", None),
    ("synthesis.b256:1      -           -        [8, 3, 256, 256]    float32", None),
    ("mapping.fc0:0  1024  -  [8, 512]  float32", None),
    ("layer1.out:2    64    (8, 64)", None),
    ("enc:1  12  3  float16", None),
    # near misses: pairs in cells, a step or a measure named, a label before a number
    ("loss:0.5  acc:0.9  lr:0.1", ({"loss": 0.5, "acc": 0.9, "lr": 0.1}, None)),
    ("epoch:3  train", ({"epoch": 3}, 3)),
    ("acc:1  -  float32", ({"acc": 1}, None)),
    ("epoch:3  loss  0.5", ({"epoch": 3, "loss": 0.5}, 3)),
    ("epoch:1   0.52   0.31", ({"epoch": 1}, 1)),
])
def test_a_table_row_opening_with_an_output_index_gives_no_pair(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # Swin-Transformer's logger prefix, `[time name](file line): LEVEL `, and a phase word
    # before two counters `[epoch/epochs][batch/batches]`.
    ("Train: [0/300][10/1251]\teta 0:09:07 lr 0.000001\t wd 0.0500\ttime 0.4397 (0.4412)\t"
     "loss 6.8931 (6.9522)\tgrad_norm 4.3545 (4.3622)\tmem 8541MB",
     ({"lr": 1e-06, "train/loss": 6.8931, "grad_norm": 4.3545}, 0)),
    ("[2026-12-07 12:00:06 swin_tiny_patch4_window7_224](main.py 191): INFO Train: "
     "[3/300][10/1251]\tloss 6.8931 (6.9522)", ({"train/loss": 6.8931}, 3)),
    ("INFO Train: [7/300][100/1251]\tloss 6.8931 (6.9522)", ({"train/loss": 6.8931}, 7)),
    ("Validation: [2/10][5/50] loss 0.3", ({"val/loss": 0.3}, 2)),
    ("train [4/10][5/50] loss 0.3", ({"train/loss": 0.3}, 4)),
    ("[2026-12-07 12:00:06 swin](main.py 191): INFO Accuracy of the network on the 50000 test "
     "images: 49.4%", ({"test/accuracy": 49.4}, None)),
    # Near misses: one counter (a batch of the test), no phase word, no line in the parentheses.
    ("Test: [0/49]\tTime 0.328 (0.328)\tLoss 2.5013 (2.5013)", ({"test/Loss": 2.5013}, None)),
    ("Model: [3/4][1/2] loss 0.3", ({"loss": 0.3}, None)),
    ("[2026-12-07 12:00:06 swin](main.py): INFO loss 0.5", ({"info_loss": 0.5}, None)),
    ("(main.py 191) loss 0.5", ({"loss": 0.5}, None)),
])
def test_a_file_and_line_in_parentheses_and_a_phase_before_two_counters(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("lines", [
    # yacs' config.dump() (Swin-Transformer logs it after one line): sections in capitals,
    # then their indented keys, and keys of the top level, are configuration.
    ["INFO AMP_ENABLE: true", "AMP_OPT_LEVEL: ''", "AUG:", "  COLOR_JITTER: 0.4", "  MIXUP: 0.8",
     "PRINT_FREQ: 10", "TRAIN:", "  BASE_LR: 0.000125", "  WEIGHT_DECAY: 0.05"],
    ["MODEL:", "  DROP_PATH_RATE: 0.2", "  SWIN:", "    MLP_RATIO: 4.0", "SEED: 0"],
    ["SOLVER:", "  BASE_LR: 0.02", "  MAX_ITER: 90000", "  MOMENTUM: 0.9"],
    ["DATA:", "  BATCH_SIZE: 128", "  IMG_SIZE: 224", "SAVE_FREQ: 1", "LOCAL_RANK: 0"],
    ["OPTIMIZER:", "  EPS: 1.0e-08", "  BETAS:", "  - 0.9", "  - 0.999"],
])
def test_a_yaml_dump_in_capitals_is_configuration(lines):
    assert feed_all(lines) == []


@pytest.mark.parametrize("lines, expected", [
    # Near misses: a phase heading, a heading of results, a metric key ends the dump.
    (["TEST:", "  acc: 0.9"], [({"test/acc": 0.9}, None)]),
    (["RESULTS:", "  ACC: 0.9"], [({"ACC": 0.9}, None)]),
    (["AUG:", "  MIXUP: 0.8", "LOSS: 0.5"], [({"LOSS": 0.5}, None)]),
    (["LOSS:", "  0.5"], []),
    # (a key of the top level naming a measure ends the dump, `BASE_LR` among them: a limit)
    (["AUG:", "  MIXUP: 0.8", "BASE_LR: 0.1"], [({"BASE_LR": 0.1}, None)]),
])
def test_a_yaml_dump_does_not_take_phases_results_or_metrics(lines, expected):
    assert feed_all(lines) == expected
