"""tinygrad/tinygrad examples/hlb_cifar10.py (`EVAL_STEPS=250 TARGET_EVAL_ACC_PCT=93.0`): per
step `  7  221.74 ms run,    2.22 ms python,  219.52 ms CUDA,    2.31 loss, 0.000807 LR, 4.66
GB used,   3042.49 GFLOPS,    674.65 GOPS` (the step is the first number, and every value
comes BEFORE its name), `shuffling training dataset in 123.45 ms (epoch=0)` once per pass,
every 250 steps `eval     9385/9728 96.48%,    0.53 val_loss STEP=250 (in 1234.56 ms)`, and
at the end the target check in green: `eval_acc_pct=93.85 >= 93.0`."""
import random

from _case import Case, printed

case = Case("tinygrad/tinygrad", "examples/hlb_cifar10.py",
            "a9069c177a9da9cca18593edf55acd2e6073cca6",
            either=["lr", "step", "epoch", "run", "python", "cuda", "*ms*", "gb*", "*used",
                    "gflops", "gops"])


def colored(st, color):  # tinygrad.helpers.colored
  return f"\u001b[{30 + ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'].index(color)}m{st}\u001b[0m"


rnd = random.Random(75)
BS, STEPS, EVAL_STEPS, EVAL_BS = 512, 1000, 250, 512
n_train, n_test = 50000, 10000


def shuffles(n, BS, is_train):
  epoch = 0
  while True:
    print(f"shuffling {'training' if is_train else 'test'} dataset in {rnd.uniform(20, 200):.2f} ms ({epoch=})")
    for i in range(0, (n // BS) * BS, BS):
      yield i
    epoch += 1
    if not is_train: break


batcher = shuffles(n_train, BS, True)
eval_acc_pct = 0.0
i = 0
while i <= STEPS:
  if i % EVAL_STEPS == 0 and i > 1:
    corrects, losses = [], []
    for _ in shuffles(n_test, BS, False):
      corrects.extend([rnd.random() < 0.6 + 0.33 * i / STEPS for _ in range(EVAL_BS)])
      losses.append(1.6 - 1.1 * i / STEPS + rnd.random() * 0.05)
    correct_sum, correct_len = sum(corrects), len(corrects)
    eval_acc_pct = correct_sum/correct_len*100.0
    val_loss = sum(losses)/len(losses)
    print(f"eval     {correct_sum}/{correct_len} {eval_acc_pct:.2f}%, {val_loss:7.2f} val_loss STEP={i} (in {rnd.uniform(900, 1500):.2f} ms)")
    case.want(i, {"eval/accuracy|eval/acc|eval|accuracy|acc|eval_acc": correct_sum / correct_len,
                  "val_loss|eval/val_loss|eval/loss|val/loss": printed(val_loss, "7.2f")})
  if STEPS == 0 or i == STEPS: break
  next(batcher)
  run, python = rnd.uniform(200, 240), rnd.uniform(1.5, 3.0)
  loss_cpu = 2.4 * (1 - 0.7 * i / STEPS) + rnd.random() * 0.1
  lr = 0.0008 * min(1, i / 250) * (1 - i / (STEPS + 1)) + 1e-6
  ops = 674.65 + rnd.random()
  print(f"{i:3d} {run:7.2f} ms run, {python:7.2f} ms python, {run - python:7.2f} ms {'CUDA'}, {loss_cpu:7.2f} loss, {lr:.6f} LR, {4.66:.2f} GB used, {ops/(run/1000):9.2f} GFLOPS, {ops:9.2f} GOPS")
  case.want(i, {"loss|train/loss": printed(loss_cpu, "7.2f")})
  i += 1

target = 93.0
if eval_acc_pct >= target:
  print(colored(f"{eval_acc_pct=} >= {target}", "green"))
else:
  print(colored(f"{eval_acc_pct=} < {target}", "red"))
case.may(None, {"eval_acc_pct|eval/accuracy|eval/acc|eval|accuracy|acc|eval_acc": eval_acc_pct})
