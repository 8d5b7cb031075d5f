"""patrick-kidger/equinox docs/examples/mnist.ipynb: the batch's shapes and labels
(`(64, 1, 28, 28)`, a numpy array of labels over two lines), `print(model)` (the CNN's
PyTree repr: `weight=f32[3,1,4,4]`, `in_channels=1`, `kernel_size=(4, 4)`, `init=-inf`,
`in_features=1728` …), the example loss printed bare (`2.3000908`), then every 30 steps
`step=0, train_loss=2.32609486579895, test_loss=2.299288749694824,
test_accuracy=0.10161226242780685` (an f-string's `{step=}`, float32 `.item()`s)."""
import random

import numpy as np

from _case import Case

case = Case("patrick-kidger/equinox", "docs/examples/mnist.ipynb",
            "9336d820b2ef66b360fc6cb3611b3da5cefbb14d", either=["step"])
rnd = random.Random(79)
dummy_y = np.array([rnd.randrange(10) for _ in range(64)])
print((64, 1, 28, 28))  # 64x1x28x28
print(dummy_y.shape)  # 64
print(dummy_y)
# print(model): equinox's repr of the notebook's CNN
print("""CNN(
  layers=[
    Conv2d(
      num_spatial_dims=2,
      weight=f32[3,1,4,4],
      bias=f32[3,1,1],
      in_channels=1,
      out_channels=3,
      kernel_size=(4, 4),
      stride=(1, 1),
      padding=((0, 0), (0, 0)),
      dilation=(1, 1),
      groups=1,
      use_bias=True
    ),
    MaxPool2d(
      init=-inf,
      operation=<function max>,
      num_spatial_dims=2,
      kernel_size=(2, 2),
      stride=(1, 1),
      padding=((0, 0), (0, 0)),
      use_ceil=False
    ),
    <wrapped function relu>,
    <wrapped function ravel>,
    Linear(
      weight=f32[512,1728],
      bias=f32[512],
      in_features=1728,
      out_features=512,
      use_bias=True
    ),
    <wrapped function sigmoid>,
    Linear(
      weight=f32[64,512],
      bias=f32[64],
      in_features=512,
      out_features=64,
      use_bias=True
    ),
    <wrapped function relu>,
    Linear(
      weight=f32[10,64],
      bias=f32[10],
      in_features=64,
      out_features=10,
      use_bias=True
    ),
    <wrapped function log_softmax>
  ]
)""")
loss_value = np.float32(2.3 + rnd.random() * 0.01)
print(loss_value.shape)  # scalar loss
print((64, 10))  # batch of predictions
print(loss_value)
print(loss_value)

steps, print_every = 300, 30
for step in range(steps):
    train_loss = np.float32(2.3 * (1 - step / 350) + 0.1 + rnd.random() * 0.05)
    if (step % print_every) == 0 or (step == steps - 1):
        test_loss = np.float32(2.3 * (1 - step / 350) + 0.08 + rnd.random() * 0.05)
        test_accuracy = np.float32(0.1 + 0.8 * step / steps + rnd.random() * 0.01)
        print(
            f"{step=}, train_loss={train_loss.item()}, "
            f"test_loss={test_loss.item()}, test_accuracy={test_accuracy.item()}"
        )
        case.want(step, {"train_loss|train/loss": train_loss.item(),
                         "test_loss|test/loss": test_loss.item(),
                         "test_accuracy|test/accuracy": test_accuracy.item()})
