"""pytorch/tutorials beginner_source/introyt/trainingyt.py ("Training with PyTorch"): the set
sizes, `EPOCH 1:`, every 1000 batches `  batch 1000 loss: 1.6334228584356607` (full float
repr), then `LOSS train 0.41 valid tensor(0.4523)`: the validation loss is a tensor, printed
as torch prints one (four decimals)."""
import random

from _case import Case, printed

case = Case("pytorch/tutorials", "beginner_source/introyt/trainingyt.py",
            "db77dcf6e3637924f43852c014f2af9978b0f891", either=["epoch", "batch"])
rnd = random.Random(27)
print('Training set has {} instances'.format(60000))
print('Validation set has {} instances'.format(10000))
n_batches, EPOCHS = 15000, 5  # FashionMNIST at batch_size 4
for epoch_number in range(EPOCHS):
    print('EPOCH {}:'.format(epoch_number + 1))
    running_loss, last_loss = 0., 0.
    for i in range(n_batches):
        running_loss += 1.6 / (1 + epoch_number + i / n_batches) + rnd.random() * 0.1
        if i % 1000 == 999:
            last_loss = running_loss / 1000  # loss per batch
            print('  batch {} loss: {}'.format(i + 1, last_loss))
            case.want(None, {"loss|train/loss": last_loss})
            running_loss = 0.
    avg_loss = last_loss
    avg_vloss = avg_loss * 1.1
    print('LOSS train {} valid {}'.format(avg_loss, f"tensor({avg_vloss:.4f})"))
    case.want(epoch_number + 1, {"train/loss|loss_train": avg_loss,
                                 "valid/loss|val/loss|loss_valid": printed(avg_vloss, ".4f")})
