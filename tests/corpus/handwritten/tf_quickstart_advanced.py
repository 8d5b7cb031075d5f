"""tensorflow/docs site/en/tutorials/quickstart/advanced.ipynb: per epoch `Epoch 1, Loss:
0.13854913, Accuracy: 95.84833, Test Loss: 0.06069632, Test Accuracy: 97.99` (the metrics'
results are float32 tensors, formatted as their numpy values)."""
import random

import numpy as np

from _case import Case

case = Case("tensorflow/docs", "site/en/tutorials/quickstart/advanced.ipynb",
            "c87655c34ba7674564721d944a32fbf550189a26", either=["epoch"])
rnd = random.Random(29)
EPOCHS = 5
for epoch in range(EPOCHS):
    train_loss = np.float32(0.14 / (epoch + 1) + rnd.random() * 0.01)
    train_accuracy = np.float32(min(0.999, 0.958 + 0.01 * epoch + rnd.random() * 0.001))
    test_loss = np.float32(0.06 + rnd.random() * 0.01)
    test_accuracy = np.float32(0.979 + rnd.random() * 0.005)
    print(
      f'Epoch {epoch + 1}, '
      f'Loss: {train_loss}, '
      f'Accuracy: {train_accuracy * 100}, '
      f'Test Loss: {test_loss}, '
      f'Test Accuracy: {test_accuracy * 100}'
    )
    case.want(epoch + 1, {"loss|train/loss": float(str(train_loss)),
                          "accuracy|train/accuracy": float(str(train_accuracy * 100)),
                          "test/loss|test_loss": float(str(test_loss)),
                          "test/accuracy|test_accuracy": float(str(test_accuracy * 100))})
