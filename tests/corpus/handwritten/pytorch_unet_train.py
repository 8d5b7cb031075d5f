"""milesial/Pytorch-UNet train.py with evaluate.py (`python train.py -e 2 -b 8`, Carvana):
logging (`%(levelname)s: %(message)s`, on stderr) of the device, the network and a multi-line
`Starting training:` block of settings; per epoch a real tqdm bar `Epoch 1/2` whose postfix is
`loss (batch)=0.123`; five times an epoch a `Validation round` bar (leave=False) and then
`INFO: Validation Dice score: 0.8731…` (a 0-d tensor formatted with `{}`: the float32's repr),
and `Checkpoint 1 saved!`. wandb's own lines are left out (no hand-written line)."""
import logging

import numpy as np
from tqdm import tqdm

from _case import Case

case = Case("milesial/Pytorch-UNet", "train.py", "21d7850f2af30a9695bbeea75f3136aa538cfc4a",
            either=["epoch", "*/s"])
rng = np.random.default_rng(404)


def tqdm_num(n):
    """How tqdm's set_postfix shows a float (tqdm.format_num)."""
    f = '{0:.3g}'.format(n).replace('+0', '+').replace('-0', '-')
    n = str(n)
    return f if len(f) < len(n) else n


def evaluate(num_val_batches, progress):
    dice_score = 0
    for _ in tqdm(range(num_val_batches), total=num_val_batches, desc='Validation round', unit='batch', leave=False):
        dice_score += np.float32(0.55 + 0.35 * progress + rng.random() * 0.05)
    return np.float32(dice_score / max(num_val_batches, 1))


logging.basicConfig(level=logging.INFO, format='%(levelname)s: %(message)s')
device_type = 'cuda'
logging.info(f'Using device {device_type}')
n_channels, n_classes, bilinear = 3, 2, False
logging.info(f'Network:\n'
             f'\t{n_channels} input channels\n'
             f'\t{n_classes} output channels (classes)\n'
             f'\t{"Bilinear" if bilinear else "Transposed conv"} upscaling')

epochs, batch_size, learning_rate, val_percent = 2, 8, 1e-5, 0.1
save_checkpoint, img_scale, amp = True, 0.5, False
dataset_len = 5088
n_val = int(dataset_len * val_percent)
n_train = dataset_len - n_val
logging.info(f'''Starting training:
        Epochs:          {epochs}
        Batch size:      {batch_size}
        Learning rate:   {learning_rate}
        Training size:   {n_train}
        Validation size: {n_val}
        Checkpoints:     {save_checkpoint}
        Device:          {device_type}
        Images scaling:  {img_scale}
        Mixed Precision: {amp}
    ''')

global_step = 0
n_batches, n_val_batches = n_train // batch_size + (n_train % batch_size > 0), n_val // batch_size
for epoch in range(1, epochs + 1):
    epoch_loss = 0
    with tqdm(total=n_train, desc=f'Epoch {epoch}/{epochs}', unit='img') as pbar:
        for b in range(n_batches):
            images = min(batch_size, n_train - b * batch_size)
            progress = (epoch - 1 + b / n_batches) / epochs
            loss = float(np.float32(1.3 * np.exp(-4 * progress) + 0.02 + rng.random() * 0.02))
            pbar.update(images)
            global_step += 1
            epoch_loss += loss
            pbar.set_postfix(**{'loss (batch)': loss})
            shown = {"loss_(batch)|loss_batch|loss|train/loss|train/loss_(batch)":
                     float(tqdm_num(loss))}
            # The bar's last state in an epoch stays on screen; earlier ones are drawn over.
            (case.want if b == n_batches - 1 else case.may)(epoch, shown)

            # Evaluation round
            division_step = (n_train // (5 * batch_size))
            if division_step > 0:
                if global_step % division_step == 0:
                    val_score = evaluate(n_val_batches, progress)
                    logging.info('Validation Dice score: {}'.format(float(val_score)))
                    case.want(None, {"validation_dice_score|validation/dice_score|val/dice_score"
                                     "|validation/dice|val/dice|validation_dice|dice_score":
                                     float(val_score)})

    if save_checkpoint:
        logging.info(f'Checkpoint {epoch} saved!')
