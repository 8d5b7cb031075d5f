"""ml-explore/mlx-examples cifar/main.py (resnet20): `Number of params: 0.2703 M`, every 10
batches `Epoch 00 [010] | Train loss 2.123 | Train acc 0.234 | Throughput: 4567.89
images/second` (the batch in brackets after the epoch), per epoch `Epoch: 0 | avg. Train loss
1.876 | avg. Train acc 0.312 | Throughput: 4512.34 images/sec` and `Epoch: 0 | Test acc
0.412`."""
import random

from _case import Case, printed

case = Case("ml-explore/mlx-examples", "cifar/main.py", "7ddca42f4dc83ea70f4c53d1b6a917d335ab435d",
            either=["epoch", "throughput", "batch"])
rnd = random.Random(87)
print(f"Number of params: {272474 / 1e6:0.04f} M")
n_batches = 50000 // 256 + 1
for epoch in range(5):
    losses = accuracies = samples_per_sec = 0
    count = 0
    for batch_counter in range(n_batches):
        losses += 2.3 - 0.3 * (epoch + batch_counter / n_batches) + rnd.random() * 0.1
        accuracies += 0.1 + 0.12 * (epoch + batch_counter / n_batches) + rnd.random() * 0.02
        samples_per_sec += rnd.uniform(4000, 5000)
        count += 1
        if batch_counter % 10 == 0:
            l, a, s = losses / count, accuracies / count, samples_per_sec / count
            print(
                " | ".join(
                    (
                        f"Epoch {epoch:02d} [{batch_counter:03d}]",
                        f"Train loss {l:.3f}",
                        f"Train acc {a:.3f}",
                        f"Throughput: {s:.2f} images/second",
                    )
                ),
            )
            case.want([epoch, batch_counter], {"train/loss|train_loss": printed(l, ".3f"),
                                               "train/acc|train_acc": printed(a, ".3f")})
    tr_loss, tr_acc, throughput = losses / count, accuracies / count, samples_per_sec / count
    print(
        " | ".join(
            (
                f"Epoch: {epoch}",
                f"avg. Train loss {tr_loss:.3f}",
                f"avg. Train acc {tr_acc:.3f}",
                f"Throughput: {throughput:.2f} images/sec",
            )
        ),
    )
    case.want(epoch, {"train/loss|train_loss|avg_train_loss|train/avg_loss|avg._train_loss":
                      printed(tr_loss, ".3f"),
                      "train/acc|train_acc|avg_train_acc|train/avg_acc|avg._train_acc":
                      printed(tr_acc, ".3f")})
    test_acc = 0.1 + 0.13 * (epoch + 1) + rnd.random() * 0.01
    print(f"Epoch: {epoch} | Test acc {test_acc:.3f}")
    case.want(epoch, {"test/acc|test_acc": printed(test_acc, ".3f")})
