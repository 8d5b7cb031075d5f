"""keras-team/keras-io guides/writing_a_custom_training_loop_in_torch.py (the loop with
metrics): `Start of epoch N`, every 100 batches `Training loss (for 1 batch) at step S: x`
and `Seen so far: N samples`, then `Training acc over epoch: x` and `Validation acc: x`."""
import math
import random

from _case import Case, printed

case = Case("keras-team/keras-io", "guides/writing_a_custom_training_loop_in_torch.py",
            "2faba87a9d8e30103405c2788bd32e8e84e5eff7", either=["epoch", "step"])
rnd = random.Random(15)
batch_size, n_train, epochs = 32, 50000, 3
n_steps = math.ceil(n_train / batch_size)
for epoch in range(epochs):
    print(f"\nStart of epoch {epoch}")
    for step in range(n_steps):
        loss = 2.3 * math.exp(-(epoch + step / n_steps) * 2) + rnd.random() * 0.2
        if step % 100 == 0:
            print(
                f"Training loss (for 1 batch) at step {step}: {loss:.4f}"
            )
            print(f"Seen so far: {(step + 1) * batch_size} samples")
            case.want(step, {"training_loss|train/loss|loss": printed(loss, ".4f")})
    train_acc = 0.8 + 0.05 * epoch + rnd.random() * 0.01
    print(f"Training acc over epoch: {float(train_acc):.4f}")
    val_acc = train_acc + 0.02
    print(f"Validation acc: {float(val_acc):.4f}")
    case.want(None, {"train/acc|training_acc|train_acc": printed(train_acc, ".4f"),
                     "val/acc|validation/acc|validation_acc": printed(val_acc, ".4f")})
