"""pytorch/examples word_language_model/main.py: `| label value |` boxes per log interval,
an end-of-epoch validation box and the final test box."""
import math
import random
import time

from _case import Case, printed

case = Case("pytorch/examples", "word_language_model/main.py",
            "77f55b912142e11fcfdf5b530231fb9c52f181e8",
            either=["epoch", "lr", "ms/batch", "time", "batches"])
rnd = random.Random(1)
epochs, log_interval, bptt = 3, 200, 35
n_rows = 2088628 // 20  # wikitext-2 train tokens over batch_size 20
lr = 20.0
best_val_loss = None
print("Using device:", "cuda")
for epoch in range(1, epochs + 1):
    epoch_start_time = time.time()
    total_loss = 0.
    start_time = time.time()
    for batch, i in enumerate(range(0, n_rows - 1, bptt)):
        total_loss += 7.0 - 1.5 * math.log1p(epoch - 1 + batch / 3000) + rnd.random() * 0.1
        if batch % log_interval == 0 and batch > 0:
            cur_loss = total_loss / log_interval
            elapsed = time.time() - start_time
            print('| epoch {:3d} | {:5d}/{:5d} batches | lr {:02.2f} | ms/batch {:5.2f} | '
                    'loss {:5.2f} | ppl {:8.2f}'.format(
                epoch, batch, n_rows // bptt, lr,
                elapsed * 1000 / log_interval, cur_loss, math.exp(cur_loss)))
            case.want(epoch, {"loss|train/loss": printed(cur_loss, "5.2f"),
                              "ppl|train/ppl": printed(math.exp(cur_loss), "8.2f")})
            total_loss = 0
            start_time = time.time()
    val_loss = 5.5 - 0.2 * epoch + rnd.random() * 0.05
    print('-' * 89)
    print('| end of epoch {:3d} | time: {:5.2f}s | valid loss {:5.2f} | '
            'valid ppl {:8.2f}'.format(epoch, (time.time() - epoch_start_time),
                                       val_loss, math.exp(val_loss)))
    case.want(epoch, {"valid/loss|val/loss": printed(val_loss, "5.2f"),
                      "valid/ppl|val/ppl": printed(math.exp(val_loss), "8.2f")})
    print('-' * 89)
    if not best_val_loss or val_loss < best_val_loss:
        best_val_loss = val_loss
    else:
        lr /= 4.0

test_loss = best_val_loss - 0.03
print('=' * 89)
print('| End of training | test loss {:5.2f} | test ppl {:8.2f}'.format(
    test_loss, math.exp(test_loss)))
case.want(None, {"test/loss": printed(test_loss, "5.2f"),
                 "test/ppl": printed(math.exp(test_loss), "8.2f")})
print('=' * 89)
