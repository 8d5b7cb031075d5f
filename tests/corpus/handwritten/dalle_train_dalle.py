"""lucidrains/DALLE-pytorch train_dalle.py (a folder of image-text pairs, batch size 4):
`8123 image-text pairs found for training`, then every 10 iterations `0 10 loss -
6.912345027923584` (epoch and iteration as two bare numbers, the value after `name -`), and
at every tenth iteration's end `0 9 sample_per_sec - 12.345678901234567`."""
import random

import numpy as np

from _case import Case

case = Case("lucidrains/DALLE-pytorch", "train_dalle.py", "58c1e1a4fef10725a79bd45cdb5581c03e3e59e7",
            either=["sample_per_sec", "epoch", "iter"])
rnd = random.Random(86)
n_pairs, BATCH_SIZE, EPOCHS = 8123, 4, 2
print(f'{n_pairs} image-text pairs found for training')
for epoch in range(0, EPOCHS):
    for i in range(n_pairs // BATCH_SIZE):
        avg_loss = float(np.float32(7.0 - 2.5 * (epoch + i / 2030) / 2 + rnd.random() * 0.1))
        if i % 10 == 0:
            print(epoch, i, f'loss - {avg_loss}')
            case.want(None, {"loss|train/loss": avg_loss})
        if i % 10 == 9:
            sample_per_sec = BATCH_SIZE * 10 / rnd.uniform(2.5, 3.5)
            print(epoch, i, f'sample_per_sec - {sample_per_sec}')
