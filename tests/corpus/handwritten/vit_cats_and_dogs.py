"""lucidrains/vit-pytorch examples/cats_and_dogs.ipynb, run as a script (tqdm.auto for
tqdm.notebook): the data counts, a tqdm bar per epoch, then `Epoch : 1 - loss : 0.6951 - acc:
0.4994 - val_loss : 0.6921 - val_acc: 0.5081` (blanks before some colons, ` - ` between)."""
import random

from tqdm.auto import tqdm

from _case import Case, printed

case = Case("lucidrains/vit-pytorch", "examples/cats_and_dogs.ipynb",
            "69d24fe9e3024c0d4b02761123b8583a24ebed1e", either=["epoch"])
rnd = random.Random(45)
print(f"Torch: {'2.4.0+cu121'}")
print(f"Train Data: {25000}")
print(f"Test Data: {12500}")
print(f"Train Data: {20000}")
print(f"Validation Data: {5000}")
print(f"Test Data: {12500}")
print(20000, 313)
print(5000, 79)
epochs = 20
for epoch in range(epochs):
    for _ in tqdm(range(313)):
        pass
    epoch_loss = 0.695 - 0.006 * epoch + rnd.random() * 0.003
    epoch_accuracy = 0.5 + 0.012 * epoch + rnd.random() * 0.005
    epoch_val_loss, epoch_val_accuracy = epoch_loss - 0.002, epoch_accuracy + 0.005
    print(
        f"Epoch : {epoch+1} - loss : {epoch_loss:.4f} - acc: {epoch_accuracy:.4f} - val_loss : {epoch_val_loss:.4f} - val_acc: {epoch_val_accuracy:.4f}\n"
    )
    case.want(epoch + 1, {"loss|train/loss": printed(epoch_loss, ".4f"),
                          "acc|train/acc": printed(epoch_accuracy, ".4f"),
                          "val_loss|val/loss": printed(epoch_val_loss, ".4f"),
                          "val_acc|val/acc": printed(epoch_val_accuracy, ".4f")})
