"""pytorch/tutorials beginner_source/transfer_learning_tutorial.py: per epoch `Epoch 3/24`,
dashes, then `train Loss: 0.5123 Acc: 0.7541` and `val Loss: … Acc: …`; at the end the
training time and `Best val Acc: 0.941176`. Trained twice (finetuning, fixed features)."""
import random

from _case import Case, printed

case = Case("pytorch/tutorials", "beginner_source/transfer_learning_tutorial.py",
            "74ba612b95095bf8f77828989e9cdac609d2bd1b", either=["epoch", "best*"])
rnd = random.Random(14)
dataset_sizes = {"train": 244, "val": 153}  # hymenoptera_data


def train_model(num_epochs=25):
    best_acc = 0.0
    for epoch in range(num_epochs):
        print(f'Epoch {epoch}/{num_epochs - 1}')
        print('-' * 10)
        for phase in ['train', 'val']:
            epoch_loss = 0.7 / (1 + epoch / 5) + rnd.random() * 0.05
            running_corrects = int(dataset_sizes[phase] * min(0.98, 0.6 + 0.03 * epoch
                                                              + rnd.random() * 0.05))
            epoch_acc = running_corrects / dataset_sizes[phase]
            print(f'{phase} Loss: {epoch_loss:.4f} Acc: {epoch_acc:.4f}')
            case.want(epoch, {f"{phase}/loss": printed(epoch_loss, ".4f"),
                              f"{phase}/acc": printed(epoch_acc, ".4f")})
            if phase == 'val' and epoch_acc > best_acc:
                best_acc = epoch_acc
        print()
    time_elapsed = 83.4 + rnd.random()
    print(f'Training complete in {time_elapsed // 60:.0f}m {time_elapsed % 60:.0f}s')
    print(f'Best val Acc: {best_acc:4f}')


train_model(num_epochs=25)
train_model(num_epochs=25)
