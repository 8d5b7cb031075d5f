"""jax-ml/jax examples/differentially_private_sgd.py (`--dpsgd`): `Starting training...`
after a blank line, then per epoch `Epoch 1 in 12.34 sec`, `Test set loss, accuracy (%):
(0.35, 91.23)` (two names before the colon, two values in a tuple after it) and `For
delta=1e-05, the current epsilon is: 1.23` (the privacy spent so far)."""
import random

from _case import Case, printed

case = Case("jax-ml/jax", "examples/differentially_private_sgd.py",
            "cec06d116c05f0d52adfceee3d3b730fdbcb0ce5", either=["epoch", "delta", "time*", "sec"])
rnd = random.Random(82)
print('\nStarting training...')
for epoch in range(1, 61):
    epoch_time = rnd.uniform(8, 14)
    print(f'Epoch {epoch} in {epoch_time:0.2f} sec')

    test_acc = min(0.97, 0.8 + 0.004 * epoch + rnd.random() * 0.005)
    test_loss = 0.6 - 0.004 * epoch + rnd.random() * 0.01
    print('Test set loss, accuracy (%): ({:.2f}, {:.2f})'.format(
        test_loss, 100 * test_acc))
    case.want(epoch, {"test/loss|test_set_loss|test_loss": printed(test_loss, ".2f"),
                      "test/accuracy|test_set_accuracy|test_accuracy": printed(100 * test_acc, ".2f")})

    delta = 1e-5
    eps = 0.3 * epoch ** 0.5 + rnd.random() * 0.01
    print(
        f'For delta={delta:.0e}, the current epsilon is: {eps:.2f}')
    case.want(epoch, {"epsilon|current_epsilon": printed(eps, ".2f")})
