"""pytorch/tutorials beginner_source/blitz/cifar10_tutorial.py: `[1,  2000] loss: 2.193`
every 2000 mini-batches, then `Accuracy of the network on the 10000 test images: 54 %`, the
accuracy of each class, and `print(device)` (`cuda:0`)."""
import random

from _case import Case, printed

classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')
case = Case("pytorch/tutorials", "beginner_source/blitz/cifar10_tutorial.py",
            "c53e7d4efc0e39e455c531d21ec7db28ba220214",
            # A class's accuracy may be recorded under a name of its own.
            either=["epoch"] + [f"*{c}*" for c in classes])
rnd = random.Random(13)
n_batches = 50000 // 4  # batch_size = 4
for epoch in range(2):  # loop over the dataset multiple times
    running_loss = 0.0
    for i in range(n_batches):
        running_loss += 2.3 - 0.5 * (epoch + i / n_batches) + rnd.random() * 0.2
        if i % 2000 == 1999:    # print every 2000 mini-batches
            print(f'[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 2000:.3f}')
            case.want(None, {"loss|train/loss": printed(running_loss / 2000, ".3f")})
            running_loss = 0.0
print('Finished Training')
truth, guess = ['cat', 'ship', 'ship', 'plane'], ['cat', 'ship', 'car', 'plane']
print('GroundTruth: ', ' '.join(f'{truth[j]:5s}' for j in range(4)))
print('Predicted: ', ' '.join(f'{guess[j]:5s}' for j in range(4)))
correct, total = 5437, 10000
print(f'Accuracy of the network on the 10000 test images: {100 * correct // total} %')
case.want(None, {"accuracy|test/accuracy|test/acc": 100 * correct // total})
for classname in classes:
    correct_count = rnd.randrange(300, 800)
    accuracy = 100 * float(correct_count) / 1000
    print(f'Accuracy for class: {classname:5s} is {accuracy:.1f} %')
device = 'cuda:0'
print(device)
