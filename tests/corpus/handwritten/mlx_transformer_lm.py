"""ml-explore/mlx-examples transformer_lm/main.py (`--num_iters 3000 --eval_test`, PTB):
`Training a transformer with 151.234 M parameters`, every 10 iterations `Iter 10: Train loss
8.123, It/sec 5.123`, every 1,000 `Iter 1000: Val loss 6.512, Val ppl 673.210, Val took
3.123s, ` (a trailing comma and blank), and at the end `Test loss 5.123, Test ppl 167.890.`
(a full stop after the last number)."""
import math
import random

from _case import Case, printed

case = Case("ml-explore/mlx-examples", "transformer_lm/main.py",
            "7ddca42f4dc83ea70f4c53d1b6a917d335ab435d", either=["iter", "it/sec", "val_took", "val/took"])
rnd = random.Random(76)
nparams = 12 * 12 * 1024 * 1024 + 1024 * 10000
print(f"Training a transformer with {nparams / 1024**2:.3f} M parameters")
num_iters, steps_per_report, steps_per_eval = 3000, 10, 1000
losses = []
for it in range(num_iters):
    losses.append(9.2 * math.exp(-it / 800) + 4.6 + rnd.random() * 0.2)
    if (it + 1) % steps_per_report == 0:
        train_loss = sum(losses) / len(losses)
        print(
            f"Iter {it + 1}: Train loss {train_loss:.3f}, "
            f"It/sec {steps_per_report / rnd.uniform(1.8, 2.2):.3f}"
        )
        case.want(it + 1, {"train/loss|train_loss": printed(train_loss, ".3f")})
        losses = []
    if (it + 1) % steps_per_eval == 0:
        val_loss = 9.2 * math.exp(-it / 800) + 4.8 + rnd.random() * 0.05
        print(
            f"Iter {it + 1}: "
            f"Val loss {val_loss:.3f}, "
            f"Val ppl {math.exp(val_loss):.3f}, "
            f"Val took {rnd.uniform(2.5, 3.5):.3f}s, "
        )
        case.want(it + 1, {"val/loss|val_loss": printed(val_loss, ".3f"),
                           "val/ppl|val_ppl": printed(math.exp(val_loss), ".3f")})

test_loss = 4.95 + rnd.random() * 0.05
test_ppl = math.exp(test_loss)
print(f"Test loss {test_loss:.3f}, Test ppl {test_ppl:.3f}.")
case.want(None, {"test/loss|test_loss": printed(test_loss, ".3f"),
                 "test/ppl|test_ppl": printed(test_ppl, ".3f")})
