"""pytorch/tutorials beginner_source/knowledge_distillation_tutorial.py: three trainings
(teacher, student, student with distillation) of `Epoch 1/10, Loss: 1.3849…` (full repr) and
`Test Accuracy: 59.25%` each, the first layers' norms, the parameter counts, and the closing
comparison `Teacher accuracy: 75.31%` / `Student accuracy without teacher: 70.25%` / …"""
import random

from _case import Case, printed

case = Case("pytorch/tutorials", "beginner_source/knowledge_distillation_tutorial.py",
            "c53e7d4efc0e39e455c531d21ec7db28ba220214",
            either=["epoch", "norm*", "*teacher*", "*student*"])
rnd = random.Random(32)
n_batches = 391  # CIFAR-10 at batch_size 128


def train(epochs, start, end):
    for epoch in range(epochs):
        running_loss = sum(start - (start - end) * (epoch + rnd.random()) / epochs
                           for _ in range(n_batches))
        print(f"Epoch {epoch+1}/{epochs}, Loss: {running_loss / n_batches}")
        case.want(epoch + 1, {"loss|train/loss": running_loss / n_batches})


def test(level):
    accuracy = 100 * (int(10000 * level) + rnd.randrange(50)) / 10000
    print(f"Test Accuracy: {accuracy:.2f}%")
    case.want(None, {"test/accuracy|test_accuracy": printed(accuracy, ".2f")})
    return accuracy


train(10, 1.33, 0.1)
test_accuracy_deep = test(0.75)
print("Norm of 1st layer of nn_light:", 2.327361822128296)
print("Norm of 1st layer of new_nn_light:", 2.327361822128296)
print(f"DeepNN parameters: {'{:,}'.format(1186986)}")
print(f"LightNN parameters: {'{:,}'.format(267738)}")
train(10, 1.47, 0.45)
test_accuracy_light_ce = test(0.70)
print(f"Teacher accuracy: {test_accuracy_deep:.2f}%")
print(f"Student accuracy: {test_accuracy_light_ce:.2f}%")
train(10, 2.4, 1.3)
test_accuracy_light_ce_and_kd = test(0.71)
print(f"Teacher accuracy: {test_accuracy_deep:.2f}%")
print(f"Student accuracy without teacher: {test_accuracy_light_ce:.2f}%")
print(f"Student accuracy with CE + KD: {test_accuracy_light_ce_and_kd:.2f}%")
