"""pyg-team/pytorch_geometric examples/gcn.py through torch_geometric.logging.log:
`Epoch: 001, Loss: 1.9463, Train: 0.3000, Val: 0.2000, Test: 0.2210` (ints as %03d, floats
as %.4f; the phase names alone label the accuracies), then the median time per epoch."""
import random

from _case import Case, printed

case = Case("pyg-team/pytorch_geometric", "examples/gcn.py",
            "5c6461b2305ad068a6d61165b3c55852a11aaa41", either=["epoch"])


def log(**kwargs):  # torch_geometric/logging.py
    def _map(value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f'{value:03d}'
        if isinstance(value, float):
            return f'{value:.4f}'
        return value

    print(', '.join(f'{key}: {_map(value)}' for key, value in kwargs.items()))


rnd = random.Random(24)
times = []
for epoch in range(1, 200 + 1):
    loss = 1.95 / (1 + epoch / 20) + rnd.random() * 0.01
    train_acc = min(1.0, 0.3 + epoch / 50)
    val_acc, test_acc = train_acc * 0.78, train_acc * 0.8
    times.append(0.004 + rnd.random() * 0.001)
    log(Epoch=epoch, Loss=loss, Train=train_acc, Val=val_acc, Test=test_acc)
    case.want(epoch, {"loss|train/loss": printed(loss, ".4f"),
                      "train|train/acc|train_acc": printed(train_acc, ".4f"),
                      "val|val/acc|val_acc": printed(val_acc, ".4f"),
                      "test|test/acc|test_acc": printed(test_acc, ".4f")})
print(f'Median time per epoch: {sorted(times)[(len(times) - 1) // 2]:.4f}s')
