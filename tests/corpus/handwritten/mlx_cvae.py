"""ml-explore/mlx-examples cvae/main.py (MNIST): an `Options:` block (`  Seed: 0`, `  Batch
size: 128`, `  Learning rate: 0.001`, `  Number of latent dimensions: 8` …), `Number of
trainable params: 0.1234 M`, a hand-drawn progress line rewritten in place every 10 batches
(`Epoch    1 | Loss   12345.67 | Throughput  5432.10 im/s | Batch    10`, ended by `\r`),
and per epoch the same line's final form ending in `Time      4.3 (s)`."""
import random

from _case import Case, printed

case = Case("ml-explore/mlx-examples", "cvae/main.py", "7ddca42f4dc83ea70f4c53d1b6a917d335ab435d",
            either=["epoch", "throughput", "batch", "time*"])
rnd = random.Random(88)
args = {"cpu": False, "seed": 0, "batch_size": 128, "max_filters": 64, "epochs": 10,
        "lr": 1e-3, "latent_dims": 8}
print("Options: ")
print(f"  Device: {'GPU' if not args['cpu'] else 'CPU'}")
print(f"  Seed: {args['seed']}")
print(f"  Batch size: {args['batch_size']}")
print(f"  Max number of filters: {args['max_filters']}")
print(f"  Number of epochs: {args['epochs']}")
print(f"  Learning rate: {args['lr']}")
print(f"  Number of latent dimensions: {args['latent_dims']}")
num_params = 123456
print("Number of trainable params: {:0.04f} M".format(num_params / 1e6))
n_batches = 60000 // 128
for e in range(1, args["epochs"] + 1):
    loss_acc = 0.0
    throughput_acc = 0.0
    for batch_count in range(n_batches):
        loss_acc += 20000 / (1 + e + batch_count / n_batches) + rnd.random() * 300
        throughput_acc += rnd.uniform(5000, 6000)
        if batch_count > 0 and (batch_count % 10 == 0):
            print(
                " | ".join(
                    [
                        f"Epoch {e:4d}",
                        f"Loss {(loss_acc / batch_count):10.2f}",
                        f"Throughput {(throughput_acc / batch_count):8.2f} im/s",
                        f"Batch {batch_count:5d}",
                    ]
                ),
                end="\r",
            )
    print(
        " | ".join(
            [
                f"Epoch {e:4d}",
                f"Loss {(loss_acc / batch_count):10.2f}",
                f"Throughput {(throughput_acc / batch_count):8.2f} im/s",
                f"Time {rnd.uniform(4, 5):8.1f} (s)",
            ]
        )
    )
    case.want(e, {"loss|train/loss": printed(loss_acc / batch_count, "10.2f")})
