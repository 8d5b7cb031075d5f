"""patrick-kidger/equinox docs/examples/vision_transformer.ipynb (CIFAR-10): torchvision's
`Files already downloaded and verified` twice, every 1,000 steps `Step: 1000/100000, Loss:
1.711548089981079.` (a fraction for the step, a jax float32 with every digit, and a full
stop after it), and the test accuracy `Accuracy: 79.13661858974359%`."""
import random

import numpy as np

from _case import Case

case = Case("patrick-kidger/equinox", "docs/examples/vision_transformer.ipynb",
            "9336d820b2ef66b360fc6cb3611b3da5cefbb14d", either=["step"])
rnd = random.Random(81)
print("Files already downloaded and verified")
print("Files already downloaded and verified")
num_steps, print_every = 100000, 1000
for step in range(num_steps):
    if (step % print_every) == 0 or step == num_steps - 1:
        loss = float(np.float32(2.5 * np.exp(-step / 30000) + 0.2 + rnd.random() * 0.3))
        print(f"Step: {step}/{num_steps}, Loss: {loss}.")
        case.want(step, {"loss|train/loss": loss})

accuracies = [np.float32(0.75 + rnd.random() * 0.08) for _ in range(78)]
print(f"Accuracy: {np.sum(accuracies) / len(accuracies) * 100}%")
case.want(None, {"accuracy|test/accuracy": float(str(np.sum(accuracies) / len(accuracies) * 100))})
