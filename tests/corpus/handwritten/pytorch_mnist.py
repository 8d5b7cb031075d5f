"""pytorch/examples mnist/main.py: a train line every log_interval batches, a test summary
after each epoch with the accuracy as correct/total (percent)."""
import math
import random

from _case import Case, printed

case = Case("pytorch/examples", "mnist/main.py", "77f55b912142e11fcfdf5b530231fb9c52f181e8",
            either=["epoch"])
rnd = random.Random(0)
epochs, batch_size, log_interval = 3, 64, 10
n_train, n_test = 60000, 10000
n_batches = math.ceil(n_train / batch_size)

for epoch in range(1, epochs + 1):
    for batch_idx in range(n_batches):
        data_len = min(batch_size, n_train - batch_idx * batch_size)
        loss = 2.3 * math.exp(-(epoch - 1 + batch_idx / n_batches) * 3) + rnd.random() * 0.05
        if batch_idx % log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * data_len, n_train,
                100. * batch_idx / n_batches, loss))
            case.want(epoch, {"loss|train/loss": printed(loss, ".6f")})
    test_loss = 0.1 / epoch + rnd.random() * 0.01
    correct = int(n_test * (0.97 + 0.01 * epoch / epochs))
    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, n_test,
        100. * correct / n_test))
    case.want(None, {"test/loss|test/average_loss": printed(test_loss, ".4f"),
                     "test/accuracy|test/acc": correct / n_test})
