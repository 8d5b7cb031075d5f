"""google/flax examples/mnist/main.py and train.py, with the real absl logging (app.run, as
main.py runs it): `I1207 05:40:00.123456 140123 flax_mnist.py:40] epoch:  1, train_loss:
0.2341, train_accuracy: 93.12, test_loss: 0.0612, test_accuracy: 98.01` per epoch."""
import random

from absl import app, logging

from _case import Case

case = Case("google/flax", "examples/mnist/train.py", "18f8f311c275d57f46d95e41b15aa97b454754c0",
            either=["epoch"])


def main(argv):
  logging.info('JAX process: %d / %d', 0, 1)
  logging.info('JAX local devices: %r', ["CudaDevice(id=0)"])
  rnd = random.Random(25)
  for epoch in range(1, 11):
    train_metrics = {"loss": 0.3 / epoch + rnd.random() * 0.01,
                     "accuracy": min(0.999, 0.9 + 0.01 * epoch)}
    eval_metrics = {"loss": 0.08 / epoch + rnd.random() * 0.01,
                    "accuracy": min(0.999, 0.95 + 0.004 * epoch)}
    logging.info(  # pylint: disable=logging-not-lazy
        'epoch:% 3d, train_loss: %.4f, train_accuracy: %.2f, test_loss: %.4f,'
        ' test_accuracy: %.2f'
        % (
            epoch,
            train_metrics['loss'],
            train_metrics['accuracy'] * 100,
            eval_metrics['loss'],
            eval_metrics['accuracy'] * 100,
        )
    )
    case.want(epoch, {
        "train_loss|train/loss": float('%.4f' % train_metrics['loss']),
        "train_accuracy|train/accuracy": float('%.2f' % (train_metrics['accuracy'] * 100)),
        "test_loss|test/loss": float('%.4f' % eval_metrics['loss']),
        "test_accuracy|test/accuracy": float('%.2f' % (eval_metrics['accuracy'] * 100))})


if __name__ == '__main__':
  app.run(main)
