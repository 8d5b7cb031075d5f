"""pytorch/torchtune recipes/full_finetune_single_device.py: one real tqdm bar per epoch whose
description, set after every optimizer step, is `1|25|Loss: 1.2345678901234`
(epoch|global step|loss, the loss a full float). The last description of each epoch must be
recorded; any frame's loss may be."""
import random

from tqdm import tqdm

from _case import Case

case = Case("pytorch/torchtune", "recipes/full_finetune_single_device.py",
            "56bfafa9011fd4d8a0464fc01470af2b20228e31", either=["epoch", "step"])
rnd = random.Random(37)
steps_per_epoch, epochs, global_step = 40, 3, 0
for curr_epoch in range(epochs):
    pbar = tqdm(total=steps_per_epoch)
    for idx in range(steps_per_epoch):
        global_step += 1
        loss_to_log = 1.8 / (1 + global_step / 40) + rnd.random() * 0.05
        pbar.update(1)
        pbar.set_description(f"{curr_epoch + 1}|{global_step}|Loss: {loss_to_log}")
        for _ in range(2):  # drawn by set_description, maybe again by the next update
            case.may(None, {"loss|train/loss": loss_to_log})
        if idx == steps_per_epoch - 1:
            case.want(None, {"loss|train/loss": loss_to_log})
    pbar.close()
