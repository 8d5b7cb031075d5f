"""CS231n assignment 2 PyTorch.ipynb (Spring 2022), run as a script (a student's copy of the
course's notebook, its print statements unchanged): `using device: cuda`, the flatten test's
tensors and shape checks, then three trainings that each count iterations from 0: Part II
(`Iteration 100, loss = 2.0981` / `Checking accuracy on the val set` / `Got 338 / 1000 correct
(33.80%)`), Part III (`Checking accuracy on validation set` / `Got 295 / 1000 correct (29.50)`,
no % sign) and Part V over 10 epochs, then `Checking accuracy on test set` / `Got 7012 / 10000
correct (70.12)`."""
import random

from _case import Case, printed

case = Case("Haim-Segal/CS231n-2022-assignments", "assignment2/PyTorch.ipynb",
            "b0c0dbdf53091694259cceca60f60df2a646d8df", either=["iteration"])
rnd = random.Random(410)

print_every = 100
print('using device:', 'cuda')
print('Before flattening: ', """tensor([[[[ 0,  1],
          [ 2,  3],
          [ 4,  5]]],


        [[[ 6,  7],
          [ 8,  9],
          [10, 11]]]])""")
print('After flattening: ', """tensor([[ 0,  1,  2,  3,  4,  5],
        [ 6,  7,  8,  9, 10, 11]])""")
print('torch.Size([64, 10])')  # print(scores.size()), two_layer_fc_test
print('torch.Size([64, 10])')  # three_layer_convnet_test
NUM_TRAIN, n_val, n_test, batch_size = 49000, 1000, 10000, 64
n_batches = NUM_TRAIN // batch_size + 1
state = {"acc": 0.1}


def want_accuracy(split, num_correct, num_samples, acc):
    names = {"val": "val/accuracy|val/acc|val/correct|validation/accuracy|validation/acc"
                    "|validation/correct",
             "test": "test/accuracy|test/acc|test/correct"}[split]
    case.want(None, {names: num_correct / num_samples})
    case.may(None, {names: printed(100 * acc, ".2f")})  # the percent in brackets


def check_accuracy_part2(split, num_samples):
    print('Checking accuracy on the %s set' % split)
    num_correct = int(num_samples * state["acc"])
    acc = float(num_correct) / num_samples
    print('Got %d / %d correct (%.2f%%)' % (num_correct, num_samples, 100 * acc))
    want_accuracy(split, num_correct, num_samples, acc)


def train_part2(ceiling):
    state["acc"] = 0.1
    for t in range(n_batches):
        state["acc"] = min(ceiling, state["acc"] + rnd.random() * 0.003)
        loss = 3.2 - 3 * state["acc"] + rnd.random() * 0.3
        if t % print_every == 0:
            print('Iteration %d, loss = %.4f' % (t, loss))
            case.want(t, {"loss|train/loss": printed(loss, ".4f")})
            check_accuracy_part2('val', n_val)
            print()


def check_accuracy_part34(split, num_samples):
    if split == 'val':
        print('Checking accuracy on validation set')
    else:
        print('Checking accuracy on test set')
    num_correct = int(num_samples * state["acc"])
    acc = float(num_correct) / num_samples
    print('Got %d / %d correct (%.2f)' % (num_correct, num_samples, 100 * acc))
    want_accuracy(split, num_correct, num_samples, acc)


def train_part34(ceiling, epochs=1):
    state["acc"] = 0.1
    for e in range(epochs):
        for t in range(n_batches):
            state["acc"] = min(ceiling, state["acc"] + rnd.random() * 0.002)
            loss = 2.7 - 2.4 * state["acc"] + rnd.random() * 0.3
            if t % print_every == 0:
                print('Iteration %d, loss = %.4f' % (t, loss))
                case.want(t, {"loss|train/loss": printed(loss, ".4f")})
                check_accuracy_part34('val', n_val)
                print()


train_part2(0.45)  # two_layer_fc
train_part2(0.47)  # three_layer_convnet
train_part34(0.45)  # TwoLayerFC
train_part34(0.48)  # ThreeLayerConvNet
train_part34(0.44)  # Sequential two-layer
train_part34(0.76, epochs=10)  # Part V, your own network
state["acc"] = 0.7012
check_accuracy_part34('test', n_test)
