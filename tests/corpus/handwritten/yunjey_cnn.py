"""yunjey/pytorch-tutorial tutorials/02-intermediate/convolutional_neural_network/main.py:
every 100 steps `Epoch [1/5], Step [100/600], Loss: 0.1234`, then `Test Accuracy of the model
on the 10000 test images: 98.93 %` (the final test accuracy, in a sentence)."""
import random

from _case import Case, printed

case = Case("yunjey/pytorch-tutorial",
            "tutorials/02-intermediate/convolutional_neural_network/main.py",
            "0500d3df5a2a8080ccfccbc00aca0eacc21818db", either=["epoch", "step"])
rnd = random.Random(54)
num_epochs, total_step = 5, 600  # MNIST at batch_size 100
for epoch in range(num_epochs):
    for i in range(total_step):
        if (i+1) % 100 == 0:
            loss = 0.5 / (1 + epoch + i / total_step) + rnd.random() * 0.05
            print ('Epoch [{}/{}], Step [{}/{}], Loss: {:.4f}'
                   .format(epoch+1, num_epochs, i+1, total_step, loss))
            case.want([epoch + 1, i + 1], {"loss|train/loss": printed(loss, ".4f")})
correct, total = 9893, 10000
print('Test Accuracy of the model on the 10000 test images: {} %'.format(100 * correct / total))
case.want(None, {"test/accuracy|test_accuracy|accuracy|test/acc": 100 * correct / total})
