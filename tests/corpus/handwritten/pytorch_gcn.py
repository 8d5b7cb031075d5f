"""pytorch/examples gcn/main.py: `Epoch: 0001 (0.0123s) loss_train: 1.9458 acc_train: 0.1429
loss_val: 1.9372 acc_val: 0.2133` per epoch and `Test set results: loss 0.6123 accuracy 0.8110`."""
import random

from _case import Case, printed

case = Case("pytorch/examples", "gcn/main.py", "77f55b912142e11fcfdf5b530231fb9c52f181e8", either=["epoch"])
rnd = random.Random(22)
device = "cuda"
print(f'Using {device} device')
print('Downloading dataset...')
print('Loading dataset...')
for epoch in range(200):
    loss_train = 1.95 / (1 + epoch / 30) + rnd.random() * 0.02
    acc_train = min(1.0, 0.14 + epoch / 100)
    loss_val, acc_val = loss_train + 0.1, acc_train * 0.9
    if epoch % 20 == 0 or epoch == 199:
        print(f'Epoch: {epoch:04d} ({0.0123 + rnd.random() * 0.001:.4f}s) loss_train: {loss_train:.4f} acc_train: {acc_train:.4f} loss_val: {loss_val:.4f} acc_val: {acc_val:.4f}')
        case.want(epoch, {"loss_train|train/loss": printed(loss_train, ".4f"),
                          "acc_train|train/acc": printed(acc_train, ".4f"),
                          "loss_val|val/loss": printed(loss_val, ".4f"),
                          "acc_val|val/acc": printed(acc_val, ".4f")})
loss_test, acc_test = 0.6123, 0.811
print(f'Test set results: loss {loss_test:.4f} accuracy {acc_test:.4f}')
case.want(None, {"test/loss": printed(loss_test, ".4f"), "test/accuracy|test/acc": printed(acc_test, ".4f")})
