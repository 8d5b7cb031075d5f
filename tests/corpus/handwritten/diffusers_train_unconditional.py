"""huggingface/diffusers examples/unconditional_image_generation/train_unconditional.py: per
epoch a real tqdm bar described `Epoch 0`, whose postfix is set every step to the logs
`loss=0.0123, lr=1e-5, step=12, ema_decay=0.9`; nothing else is printed. The bar shows each
step's values (tqdm's own number format); the last of each epoch must be recorded."""
import random

from tqdm.auto import tqdm

from _case import Case

case = Case("huggingface/diffusers", "examples/unconditional_image_generation/train_unconditional.py",
            "c2076599848a86fc5d215326fb441a956176e3ed", either=["step", "lr", "ema_decay", "epoch"])
rnd = random.Random(48)
num_update_steps_per_epoch, num_epochs, global_step = 50, 3, 0
for epoch in range(num_epochs):
    progress_bar = tqdm(total=num_update_steps_per_epoch, disable=False)
    progress_bar.set_description(f"Epoch {epoch}")
    for step in range(num_update_steps_per_epoch):
        loss = 0.2 / (1 + global_step / 30) + rnd.random() * 0.01
        progress_bar.update(1)
        global_step += 1
        logs = {"loss": loss, "lr": 1e-4 * min(1, global_step / 500), "step": global_step}
        logs["ema_decay"] = 1 - (1 + global_step) ** -0.75
        progress_bar.set_postfix(**logs)
        shown = float(tqdm.format_num(loss))
        for _ in range(2):  # a frame drawn by set_postfix, maybe one more by the next update
            case.may(global_step, {"loss|train/loss": shown})
        if step == num_update_steps_per_epoch - 1:
            case.want(global_step, {"loss|train/loss": shown})
    progress_bar.close()
