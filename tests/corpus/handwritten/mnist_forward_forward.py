"""pytorch/examples mnist_forward_forward/main.py: for each layer `training layer:  0`, then
every log_interval epochs `Loss:  0.6931…` (full float), and at the end `train error:
0.067…` and `test error: 0.071…`."""
import random

from _case import Case

case = Case("pytorch/examples", "mnist_forward_forward/main.py",
            "77f55b912142e11fcfdf5b530231fb9c52f181e8", either=["layer", "training_layer"])
rnd = random.Random(53)
num_epochs, log_interval = 1000, 10
for i in range(2):  # Net([784, 500, 500]): two layers
    print("training layer: ", i)
    for e in range(num_epochs):
        loss = 0.69 / (1 + e / 100) + 0.1 + rnd.random() * 0.01
        if e % log_interval == 0:
            print("Loss: ", loss)
            case.want(None, {"loss|train/loss": loss})
train_err = 1.0 - 0.9327
print("train error:", train_err)
test_err = 1.0 - 0.9286
print("test error:", test_err)
case.want(None, {"train/error|train_error": train_err, "test/error|test_error": test_err})
