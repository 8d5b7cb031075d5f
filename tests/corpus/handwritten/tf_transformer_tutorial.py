"""tensorflow/text docs/tutorials/transformer.ipynb (the custom-loop version, Portuguese to
English): `Latest checkpoint restored!!` is not printed on a fresh run; every 50 batches
`Epoch 1 Batch 50 Loss 8.8617 Accuracy 0.0234` (two counters written as `Word N`), every 5
epochs `Saving checkpoint for epoch 5 at ./checkpoints/train/ckpt-1`, and per epoch
`Epoch 1 Loss 6.5432 Accuracy 0.1234` and `Time taken for 1 epoch: 57.13 secs` then a blank
line."""
import random

import numpy as np

from _case import Case, printed

case = Case("tensorflow/text", "docs/tutorials/transformer.ipynb",
            "963d7461e1f86c76712c5425131012a66cfe015c",
            either=["epoch", "batch", "time*"])
rnd = random.Random(80)
EPOCHS, n_batches = 20, 810
ckpts = 0
for epoch in range(EPOCHS):
  total, count, correct = 0.0, 0, 0.0
  for batch in range(n_batches):
    total += 9.0 * np.exp(-(epoch + batch / n_batches) / 4) + 1.5 + rnd.random() * 0.2
    count += 1
    correct += min(0.9, 0.05 + 0.04 * (epoch + batch / n_batches)) + rnd.random() * 0.01
    loss, accuracy = np.float32(total / count), np.float32(correct / count)

    if batch % 50 == 0:
      print(f'Epoch {epoch + 1} Batch {batch} Loss {loss:.4f} Accuracy {accuracy:.4f}')
      case.want([epoch + 1, batch], {"loss|train/loss": printed(loss, ".4f"),
                                     "accuracy|train/accuracy": printed(accuracy, ".4f")})

  if (epoch + 1) % 5 == 0:
    ckpts += 1
    ckpt_save_path = f'./checkpoints/train/ckpt-{ckpts}'
    print(f'Saving checkpoint for epoch {epoch+1} at {ckpt_save_path}')

  print(f'Epoch {epoch + 1} Loss {loss:.4f} Accuracy {accuracy:.4f}')
  case.want(epoch + 1, {"loss|train/loss": printed(loss, ".4f"),
                        "accuracy|train/accuracy": printed(accuracy, ".4f")})

  print(f'Time taken for 1 epoch: {rnd.uniform(45, 70):.2f} secs\n')
