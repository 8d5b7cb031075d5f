"""bentrevett/pytorch-seq2seq "1 - Sequence to Sequence Learning with Neural Networks.ipynb",
run as a script: the parameter count (`13,898,501`), a real tqdm bar over the epochs on stderr
while each epoch prints `\tTrain Loss:   5.035 | Train PPL: 153.632` and `\tValid Loss: … |
Valid PPL: …` on stdout (on a terminal they share lines with the bar), then `| Test Loss:
3.780 | Test PPL:  43.833 |`."""
import random

import numpy as np
import tqdm

from _case import Case, printed

case = Case("bentrevett/pytorch-seq2seq", "1 - Sequence to Sequence Learning with Neural Networks.ipynb",
            "b3cd54c72cd6e4e63f672d334c795b4fe744ef92")
rnd = random.Random(55)
print(f"The model has {13898501:,} trainable parameters")
n_epochs = 10
for epoch in tqdm.tqdm(range(n_epochs)):
    train_loss = 5.0 - 0.3 * epoch + rnd.random() * 0.05
    valid_loss = train_loss - 0.04
    print(f"\tTrain Loss: {train_loss:7.3f} | Train PPL: {np.exp(train_loss):7.3f}")
    print(f"\tValid Loss: {valid_loss:7.3f} | Valid PPL: {np.exp(valid_loss):7.3f}")
    case.want(None, {"train/loss": printed(train_loss, "7.3f"),
                     "train/ppl": printed(np.exp(train_loss), "7.3f"),
                     "valid/loss|val/loss": printed(valid_loss, "7.3f"),
                     "valid/ppl|val/ppl": printed(np.exp(valid_loss), "7.3f")})
test_loss = 3.78
print(f"| Test Loss: {test_loss:.3f} | Test PPL: {np.exp(test_loss):7.3f} |")
case.want(None, {"test/loss": printed(test_loss, ".3f"), "test/ppl": printed(np.exp(test_loss), "7.3f")})
