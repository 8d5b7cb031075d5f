"""pytorch/examples vae/main.py: mnist-style train lines, then `====> Epoch: N Average loss:`
and `====> Test set loss:` per epoch."""
import math
import random

from _case import Case, printed

case = Case("pytorch/examples", "vae/main.py", "77f55b912142e11fcfdf5b530231fb9c52f181e8",
            either=["epoch"])
rnd = random.Random(2)
epochs, batch_size, log_interval = 3, 128, 10
n_train, n_test = 60000, 10000
n_batches = math.ceil(n_train / batch_size)
device = "cpu"
print(f"Using device: {device}")
for epoch in range(1, epochs + 1):
    train_loss = 0
    for batch_idx in range(n_batches):
        data_len = min(batch_size, n_train - batch_idx * batch_size)
        loss = (100 + 450 * math.exp(-(epoch - 1 + batch_idx / n_batches) * 4)
                + rnd.random() * 5) * data_len
        train_loss += loss
        if batch_idx % log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * data_len, n_train,
                100. * batch_idx / n_batches,
                loss / data_len))
            case.want(epoch, {"loss|train/loss": printed(loss / data_len, ".6f")})

    print('====> Epoch: {} Average loss: {:.4f}'.format(
          epoch, train_loss / n_train))
    case.want(epoch, {"average_loss|avg_loss|train/average_loss|train/avg_loss":
                      printed(train_loss / n_train, ".4f")})
    test_loss = 105 - epoch + rnd.random()
    print('====> Test set loss: {:.4f}'.format(test_loss))
    case.want(None, {"test/loss": printed(test_loss, ".4f")})
