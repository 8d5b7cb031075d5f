"""Project-MONAI/tutorials 3d_segmentation/torch/unet_training_dict.py: per epoch dashes,
`epoch 1/5`, per batch `3/10, train_loss: 0.5123`, then `epoch 1 average loss: 0.5034`; every
val_interval epochs `saved new best metric model` and `current epoch: 2 current mean dice:
0.1234 best mean dice: 0.1234 at epoch 2`; at the end `train completed, best_metric: …`."""
import random

from _case import Case, printed

case = Case("Project-MONAI/tutorials", "3d_segmentation/torch/unet_training_dict.py",
            "28630e738fd49be2bcf04907c312b8ff6794d6aa", either=["epoch", "best*"])
rnd = random.Random(46)
val_interval, best_metric, best_metric_epoch = 2, -1, -1
n_train, batch_size = 20, 2
for epoch in range(5):
    print("-" * 10)
    print(f"epoch {epoch + 1}/{5}")
    epoch_loss, step = 0, 0
    for _ in range(n_train // batch_size):
        step += 1
        loss = 0.6 - 0.08 * epoch - 0.005 * step + rnd.random() * 0.02
        epoch_loss += loss
        epoch_len = n_train // batch_size
        print(f"{step}/{epoch_len}, train_loss: {loss:.4f}")
        case.want(None, {"train_loss|train/loss|loss": printed(loss, ".4f")})
    epoch_loss /= step
    print(f"epoch {epoch + 1} average loss: {epoch_loss:.4f}")
    case.want(epoch + 1, {"average_loss|avg_loss|train/average_loss|train/avg_loss":
                          printed(epoch_loss, ".4f")})
    if (epoch + 1) % val_interval == 0:
        metric = 0.2 + 0.15 * epoch + rnd.random() * 0.02
        if metric > best_metric:
            best_metric = metric
            best_metric_epoch = epoch + 1
            print("saved new best metric model")
        print(
            "current epoch: {} current mean dice: {:.4f} best mean dice: {:.4f} at epoch {}".format(
                epoch + 1, metric, best_metric, best_metric_epoch
            )
        )
        case.want(epoch + 1, {"mean_dice|current_mean_dice|val/mean_dice|val_mean_dice|dice":
                              printed(metric, ".4f")})
print(f"train completed, best_metric: {best_metric:.4f} at epoch: {best_metric_epoch}")
