"""pytorch/tutorials beginner_source/basics/quickstart_tutorial.py: tensor shapes, the device,
`print(model)`, then per epoch a `Epoch N` header over `loss: 2.302585  [   64/60000]` lines
and `Test Error: \n Accuracy: 40.5%, Avg loss: 2.150000 \n`."""
import math
import random

from _case import Case, printed

case = Case("pytorch/tutorials", "beginner_source/basics/quickstart_tutorial.py",
            "afcd669d56554c2ef46f2da92edbfaf8c54043ec", either=["epoch"])
rnd = random.Random(12)
# What torch prints for the tutorial's tensors and its NeuralNetwork.
X_shape, y_shape, y_dtype = "torch.Size([64, 1, 28, 28])", "torch.Size([64])", "torch.int64"
MODEL = """NeuralNetwork(
  (flatten): Flatten(start_dim=1, end_dim=-1)
  (linear_relu_stack): Sequential(
    (0): Linear(in_features=784, out_features=512, bias=True)
    (1): ReLU()
    (2): Linear(in_features=512, out_features=512, bias=True)
    (3): ReLU()
    (4): Linear(in_features=512, out_features=10, bias=True)
  )
)"""
print(f"Shape of X [N, C, H, W]: {X_shape}")
print(f"Shape of y: {y_shape} {y_dtype}")
device = "cuda"
print(f"Using {device} device")
print(MODEL)

size, test_size, batch_size = 60000, 10000, 64
num_batches = math.ceil(size / batch_size)
epochs = 5
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    for batch in range(num_batches):
        if batch % 100 == 0:
            loss = 2.31 - 0.1 * (t + batch / num_batches) + rnd.random() * 0.02
            current = (batch + 1) * batch_size
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")
            case.want(t + 1, {"loss|train/loss": printed(loss, ">7f")})
    test_loss = 2.3 - 0.1 * (t + 1) + rnd.random() * 0.01
    correct = (0.3 + 0.07 * t + rnd.random() * 0.01)
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    case.want(t + 1, {"test/accuracy|test/acc": printed(100 * correct, ">0.1f"),
                      "test/loss|test/avg_loss": printed(test_loss, ">8f")})
print("Done!")
print("Saved PyTorch Model State to model.pth")
predicted, actual = "Ankle boot", "Ankle boot"
print(f'Predicted: "{predicted}", Actual: "{actual}"')
