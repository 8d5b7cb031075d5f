"""Where a hand-written loop puts what it prints around its metrics: a tag saying which
process printed the line (a pid, a rank), counters in brackets with no word, a phrase after
the value saying when it was measured. Lines from real programs (pytorch/examples run under
runwrap), then other wordings of the same class, then lines that must not change."""
from __future__ import annotations

import pytest

from runwrap.collectors.console.scalars import StreamRecords, default_parser

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
    # A process word and its number before `:` or `|`, a tag in angle brackets.
    ("rank 0: Train Epoch: 1 [0/2000 (0%)]\tLoss: 2.274640",
     ({"Epoch": 1, "train/Loss": 2.27464}, 1)),
    ("Rank 1 | Test set: Average loss: 1.8, Accuracy: 302/500 (60%)",
     ({"test/average_loss": 1.8, "test/Accuracy": 0.604}, None)),
    ("worker-1 | train loss 0.5 acc 0.9", ({"train/loss": 0.5, "train/acc": 0.9}, None)),
    ("local_rank 2 | Eval: loss 0.3", ({"eval/loss": 0.3}, None)),
    ("<rank 0> Validation loss: 0.3 acc: 0.8", ({"val/loss": 0.3, "val/acc": 0.8}, None)),
    ("Device 0: Training loss: 0.3 acc 0.8", ({"train/loss": 0.3, "train/acc": 0.8}, None)),
    ("process 3 test loss 0.5 acc 0.9", ({"test/loss": 0.5, "test/acc": 0.9}, None)),
    ("GPU 0 Validation loss: 0.3 acc: 0.8", ({"val/loss": 0.3, "val/acc": 0.8}, None)),
    # pytorch/examples distributed/rpc/parameter_server.
    ("Rank 1 training batch 12 loss 2.2841503620147705", ({"train/loss": 2.2841503620147705}, None)),
    # Not a tag: a value first, a phase word inside a key, no phase named.
    ("12.5 Train loss 0.3 acc 0.9", ({"train/loss": 0.3, "acc": 0.9}, None)),
    ("Worker 3 loss 0.5 acc 0.9", ({"loss": 0.5, "acc": 0.9}, None)),
    ("rank: 0 Train loss 0.5 acc 0.9", ({"train/loss": 0.5, "acc": 0.9}, None)),
    ("[0]\ttrain-rmse:1.50\teval-rmse:2.34", ({"train-rmse": 1.5, "eval-rmse": 2.34}, 0)),
    ("7:\tlearn: 0.72\ttest: 1.03\tbest: 1.03 (7)\ttotal: 46ms",
     ({"learn": 0.72, "test": 1.03, "best": 1.03}, 7)),
    ("12 Train images: 6000", None),
    ("3 | loss 0.5 | acc 0.9", ({"loss": 0.5, "acc": 0.9}, None)),
    ("5/5 - 0s - 4ms/step - loss: 2.41 - val_loss: 1.31", ({"loss": 2.41, "val_loss": 1.31}, None)),
])
def test_a_tag_before_the_line_leaves_the_phase_after_it_the_lines(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # pytorch/examples regression.
    ("Loss: 0.000767 after 721 batches", ({"Loss": 0.000767}, 721)),
    ("Validation accuracy 0.91 after 3 epochs", ({"val/accuracy": 0.91}, 3)),
    ("reached loss 0.01 in 1200 iterations", ({"loss": 0.01}, 1200)),
    ("Loss 0.25 after 100 steps", ({"Loss": 0.25}, 100)),
    ("loss=0.12 (after 40 updates)", ({"loss": 0.12}, 40)),
    ("Accuracy 0.91 at batch 300", ({"Accuracy": 0.91}, 300)),
    ("Test accuracy: 0.95 after 10 epochs of training", ({"test/accuracy": 0.95}, 10)),
    ("val acc 91.5% after 1 epoch", ({"val/acc": 91.5}, 1)),
    ("loss: 0.31 in 1,200 Iterations", ({"loss": 0.31}, 1200)),
    ("Train Loss: 0.2, Train Acc: 0.9 after 3 epochs", ({"train/loss": 0.2, "train/acc": 0.9}, 3)),
    # A finer counter than the line's epoch is the step, as `epoch 2 step 150` is 150.
    ("Epoch 2 | loss 0.3 after 500 steps | acc 0.8", ({"Epoch": 2, "loss": 0.3, "acc": 0.8}, 500)),
    # The phrase opening the line, or ending the label before its colon.
    ("After 721 batches, loss: 0.000767", ({"loss": 0.000767}, 721)),
    ("After 3 epochs: val acc 0.91", ({"val/acc": 0.91}, 3)),
    ("At 500 steps | loss 0.3 | acc 0.9", ({"loss": 0.3, "acc": 0.9}, 500)),
    ("Validation accuracy after 3 epochs: 0.91", ({"val/accuracy": 0.91}, 3)),
    ("Loss after 721 batches: 0.000767", ({"loss": 0.000767}, 721)),
    # No step phrase: a count of other things, a time, a window, a setting, a best so far.
    ("After 3 retries, loss: 0.5", ({"loss": 0.5}, None)),
    ("Average loss over 100 batches: 0.52", ({"average_loss": 0.52}, None)),
    ("Mean reward over the last 100 episodes: 12.5", ({"mean_reward": 12.5}, None)),
    ("loss: 0.5 after 3 retries", ({"loss": 0.5}, None)),
    ("loss 0.4 in 12 s", ({"loss": 0.4}, None)),
    ("avg loss 0.3 over the last 100 batches", ({"avg_loss": 0.3}, None)),
    ("lr: 0.1 for 30 epochs, then 0.01", ({"lr": 0.1}, None)),
    ("best acc 0.9 after 30 epochs", ({"best_acc": 0.9}, None)),
    ("Saved checkpoint after 3 epochs", None),
    ("Epoch 3 took 12 s", ({"Epoch": 3}, 3)),
    ("Start training from score 0.03", None),
])
def test_a_step_phrase_after_a_value_says_when_it_was_measured(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # pytorch/examples dcgan: the epoch, then the batch, in brackets with no word.
    ("[0/1][14/16] Loss_D: 0.8442 Loss_G: 1.1607 D(x): 0.7685 D(G(z)): 0.4301 / 0.3233",
     ({"Loss_D": 0.8442, "Loss_G": 1.1607, "D(x)": 0.7685, "D(G(z))": 0.4301}, 0)),
    ("[3/25][100/782] loss: 0.5 acc: 0.9", ({"loss": 0.5, "acc": 0.9}, 3)),
    ("[ 2/10][ 50/100] loss=0.5", ({"loss": 0.5}, 2)),
    ("[2/10] [50/100] loss 0.5", ({"loss": 0.5}, 2)),
    ("[2/10][50/100]\tLoss: 0.5", ({"Loss": 0.5}, 2)),
    ("[5/100] loss: 0.3", ({"loss": 0.3}, 5)),
    ("[ 5/100 ] loss: 0.3", ({"loss": 0.3}, 5)),
    ("[3/5]: loss 0.5", ({"loss": 0.5}, 3)),
    ("[7/10][50/100] Test loss: 0.5", ({"test/loss": 0.5}, 7)),
    # A step named on the line wins; a position is no counter; not at the start; no values.
    ("[2/10][50/100] step 1234 loss: 0.5", ({"step": 1234, "loss": 0.5}, 1234)),
    ("[0/60000 (0%)]\tLoss: 2.3", ({"Loss": 2.3}, None)),
    ("loss: 0.5 [3/10]", ({"loss": 0.5}, None)),
    ("[==>   ] 3/10 loss: 0.5", ({"loss": 0.5}, None)),
    ("[1,000] Accuracy: 86.69%", ({"Accuracy": 86.69}, 1000)),
    ("[0/1][14/16]", None),
    ("[12/30] files copied", None),
])
def test_counters_in_brackets_opening_a_line_give_the_outer_one_as_step(line, expected):
    assert parse(line) == expected


@pytest.mark.parametrize("line, expected", [
    # stylegan2-pytorch on a terminal: print_log() continues the row refresh() left.
    ("default<./data>:  90%|█████████ | 5050/5600 [00:00<00:00, 14928.47it/s]G: 1.17 | D: 0.48"
     " | GP: 0.08 | PL: 1.31 | FID: 60.12",
     [({"G": 1.17, "D": 0.48, "GP": 0.08, "PL": 1.31, "FID": 60.12}, None)]),
    ("100%|##########| 10/10 [00:01<00:00,  9.50it/s]loss: 0.5 | acc: 0.9",
     [({"loss": 0.5, "acc": 0.9}, None)]),
    ("train:  50%|#####     | 5/10 [00:00<?, ?it/s]Epoch 3 loss 0.2",
     [({"Epoch": 3, "loss": 0.2}, 3)]),
    ("Epoch 2: 100%|##########| 10/10 [00:01<00:00,  9.50it/s, loss=0.41]val_loss: 0.52",
     [({"Epoch": 2, "loss": 0.41}, 2), ({"val_loss": 0.52}, None)]),
    (" 30%|###       | 3/10 [00:03<00:07,  1.20s/it]Test accuracy: 0.91",
     [({"test/accuracy": 0.91}, None)]),
    ("5050it [00:00, 14928.47it/s]reward: 12.5", [({"reward": 12.5}, None)]),
    # The bar's description is the bar's, as on pipes, where the bar goes to stderr.
    ("eval: 100%|██████████| 79/79 [00:02<00:00, 35.1batch/s] acc=0.93 f1=0.88",
     [({"acc": 0.93, "f1": 0.88}, None)]),
    # Nothing after the bar, a postfix inside it, a time in brackets that is no bar.
    (" 12%|█▏        | 12/100 [00:01<00:08, 10.5it/s]", []),
    ("Epoch 2: 100%|##########| 10/10 [00:01<00:00,  9.50it/s, loss=0.41]",
     [({"Epoch": 2, "loss": 0.41}, 2)]),
    ("loss: 0.5 [00:01<00:00] acc: 0.9", [({"loss": 0.5, "acc": 0.9}, None)]),
])
def test_a_print_continuing_a_progress_bars_row_is_read_apart_from_the_bar(line, expected):
    assert StreamRecords(parse).feed(line) == expected


@pytest.mark.parametrize("line, expected", [
    # micrograd's demo: `print(total_loss, acc)`, the loss a Value.
    ("Value(data=0.8958441028683222, grad=0) 0.5", None),
    ("Value(data=-1.25, grad=0.0) 0.75", None),
    ("Point(x=1.0, y=2.0) 3.5", None),
    ("Namespace(lr=0.1, epochs=3) 5", None),
    ("torch.Size(n=3) 12", None),
    ("MyObj(a=1) score 7", ({"score": 7}, None)),
    ("Value(data=0.89, grad=0) loss: 0.5", ({"loss": 0.5}, None)),
    # A name with its conditions before `:` or `=` is a label; no arguments, no object.
    ("acc(top=1): 0.9", ({"acc": 0.9}, None)),
    ("MulticlassAccuracy(num_classes=10): 0.9", ({"MulticlassAccuracy": 0.9}, None)),
    ("AP(iou=0.5) = 0.404", ({"AP": 0.404}, None)),
    ("D(G(z)): 0.4301", ({"D(G(z))": 0.4301}, None)),
    ("Best value 0.1", ({"best_value": 0.1}, None)),
    ("loss tensor(0.4523, grad_fn=<NllLossBackward0>)", ({"loss": 0.4523}, None)),
])
def test_an_objects_repr_names_no_value_after_it(line, expected):
    assert parse(line) == expected


def _stream(lines):
    records = StreamRecords(parse)
    out = [r for line in lines for r in records.feed(line)]
    return out + records.finish()


@pytest.mark.parametrize("lines, expected", [
    # BERT's run_classifier through TF1's logging: the results sorted by key.
    (["INFO:tensorflow:***** Eval results *****", "INFO:tensorflow:  eval_accuracy = 0.8455882",
      "INFO:tensorflow:  eval_loss = 0.49312", "INFO:tensorflow:  global_step = 343",
      "INFO:tensorflow:  loss = 0.49312"],
     [({"eval_accuracy": 0.8455882}, 343), ({"eval_loss": 0.49312}, 343),
      ({"eval/loss": 0.49312}, 343)]),
    (["***** Eval results *****", "  accuracy = 0.84", "  global_step = 343", "  loss = 0.49"],
     [({"eval/accuracy": 0.84}, 343), ({"eval/loss": 0.49}, 343)]),
    (["Eval results:", "  accuracy: 0.91", "  loss: 0.3", "  step: 500", "done"],
     [({"eval/accuracy": 0.91}, 500), ({"eval/loss": 0.3}, 500)]),
    (["=== Validation ===", "  acc = 0.9", "  num_examples = 408", "  epoch = 3"],
     [({"val/acc": 0.9}, 3)]),
    (["***** Eval results *****", "  global_step = 343", "  eval_loss = 0.4"],
     [({"eval_loss": 0.4}, 343)]),
    # No step row: the rows as they were read, when the block or the stream ends.
    (["epoch 2", "Results:", "  acc = 0.9", "Training done"], [({"acc": 0.9}, 2)]),
    (["***** Eval results *****", "  eval_loss = 0.4"], [({"eval_loss": 0.4}, None)]),
    # Not a block of rows under a heading: unchanged.
    (["step = 100", "loss = 0.5", "step = 200", "loss = 0.4"],
     [({"loss": 0.5}, 100), ({"loss": 0.4}, 200)]),
    (["step = 100", "  loss = 0.5", "  step = 200", "  loss = 0.4"],
     [({"loss": 0.5}, 100), ({"loss": 0.4}, 200)]),
    (["Saving config:", "  lr = 0.1", "  global_step = 3"], []),
    (["***** Eval *****", "eval loss 0.4 acc 0.9 step 12"],
     [({"eval/loss": 0.4, "eval/acc": 0.9, "step": 12}, 12)]),
])
def test_a_step_row_in_a_block_of_rows_under_a_heading_is_the_step_of_them_all(lines, expected):
    assert _stream(lines) == expected
