"""pytorch/examples legacy/snli/train.py: a header `  Time Epoch Iteration Progress
(%Epoch)   Loss   Dev/Loss     Accuracy  Dev/Accuracy`, then fixed-width rows every
log_every iterations with the dev columns blank, and every dev_every iterations a row with
them filled."""
import random

from _case import Case, printed

case = Case("pytorch/examples", "legacy/snli/train.py", "77f55b912142e11fcfdf5b530231fb9c52f181e8",
            either=["time", "epoch", "iteration", "progress", "*epoch*"])
rnd = random.Random(31)
header = '  Time Epoch Iteration Progress    (%Epoch)   Loss   Dev/Loss     Accuracy  Dev/Accuracy'
dev_log_template = ' '.join('{:>6.0f},{:>5.0f},{:>9.0f},{:>5.0f}/{:<5.0f} {:>7.0f}%,{:>8.6f},{:8.6f},{:12.4f},{:12.4f}'.split(','))
log_template =     ' '.join('{:>6.0f},{:>5.0f},{:>9.0f},{:>5.0f}/{:<5.0f} {:>7.0f}%,{:>8.6f},{},{:12.4f},{}'.split(','))
print(header)
n_batches, log_every, dev_every, iterations, elapsed = 4292, 50, 1000, 0, 0.0
for epoch in range(2):
    n_correct, n_total = 0, 0
    for batch_idx in range(n_batches):
        iterations += 1
        elapsed += 0.02
        n_correct += int(128 * min(0.9, 0.4 + iterations / 20000 + rnd.random() * 0.05))
        n_total += 128
        train_acc = 100. * n_correct / n_total
        loss = 1.1 / (1 + iterations / 3000) + rnd.random() * 0.02
        if iterations % dev_every == 0:
            dev_loss = loss * 1.05
            dev_acc = train_acc * 0.98
            print(dev_log_template.format(elapsed,
                  epoch, iterations, 1+batch_idx, n_batches,
                  100. * (1+batch_idx) / n_batches, loss, dev_loss, train_acc, dev_acc))
            case.want(iterations, {"loss|train/loss": printed(loss, ">8.6f"),
                                   "dev/loss|dev_loss": printed(dev_loss, "8.6f"),
                                   "accuracy|train/accuracy": printed(train_acc, "12.4f"),
                                   "dev/accuracy|dev_accuracy": printed(dev_acc, "12.4f")})
        elif iterations % log_every == 0:
            print(log_template.format(elapsed,
                  epoch, iterations, 1+batch_idx, n_batches,
                  100. * (1+batch_idx) / n_batches, loss, ' '*8, n_correct/n_total*100, ' '*12))
            case.want(iterations, {"loss|train/loss": printed(loss, ">8.6f"),
                                   "accuracy|train/accuracy": printed(n_correct/n_total*100, "12.4f")})
