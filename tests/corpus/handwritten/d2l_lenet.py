"""d2l-ai/d2l-zh chapter_convolutional-neural-networks/lenet.md (PyTorch tab): the layer
shapes (`Conv2d output shape: \t torch.Size([1, 6, 28, 28])`), `training on cuda:0`, then,
after training, `loss 0.469, train acc 0.823, test acc 0.779` and the throughput."""
import random

from _case import Case, printed

case = Case("d2l-ai/d2l-zh", "chapter_convolutional-neural-networks/lenet.md",
            "63ce8ed6ba5b4254cb47859e07327cbfed5de0b3", either=["examples/sec", "examples_sec"])
rnd = random.Random(16)
# net(X) for X of shape (1, 1, 28, 28), layer by layer, as torch prints the shapes.
shapes = [("Conv2d", [1, 6, 28, 28]), ("Sigmoid", [1, 6, 28, 28]), ("AvgPool2d", [1, 6, 14, 14]),
          ("Conv2d", [1, 16, 10, 10]), ("Sigmoid", [1, 16, 10, 10]), ("AvgPool2d", [1, 16, 5, 5]),
          ("Flatten", [1, 400]), ("Linear", [1, 120]), ("Sigmoid", [1, 120]),
          ("Linear", [1, 84]), ("Sigmoid", [1, 84]), ("Linear", [1, 10])]
for name, shape in shapes:
    print(name, 'output shape: \t', f"torch.Size({shape})")
device = "cuda:0"
print('training on', device)
num_epochs, n_examples = 10, 60000
train_l = 0.469 + rnd.random() * 0.01
train_acc = 0.823 + rnd.random() * 0.01
test_acc = 0.779 + rnd.random() * 0.01
print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, '
      f'test acc {test_acc:.3f}')
print(f'{n_examples * num_epochs / 16.7:.1f} examples/sec '
      f'on {str(device)}')
case.want(None, {"loss|train/loss": printed(train_l, ".3f"),
                 "train/acc|train_acc": printed(train_acc, ".3f"),
                 "test/acc|test_acc": printed(test_acc, ".3f")})
