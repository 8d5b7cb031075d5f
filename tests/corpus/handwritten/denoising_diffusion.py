"""lucidrains/denoising-diffusion-pytorch denoising_diffusion_pytorch.py's Trainer: one real
tqdm bar over all steps, its description set to `loss: 0.1234` every step; sampling saves
images and prints nothing until `training complete`."""
import random

from tqdm.auto import tqdm

from _case import Case, printed

case = Case("lucidrains/denoising-diffusion-pytorch",
            "denoising_diffusion_pytorch/denoising_diffusion_pytorch.py",
            "faed4db28e724735323fa91c70aa9b28a6e1cbac")
rnd = random.Random(52)
train_num_steps, step = 300, 0
with tqdm(initial = step, total = train_num_steps, disable = False) as pbar:
    while step < train_num_steps:
        total_loss = 0.5 / (1 + step / 50) + rnd.random() * 0.01
        pbar.set_description(f'loss: {total_loss:.4f}')
        for _ in range(2):  # drawn by set_description, maybe again by update
            case.may(None, {"loss|train/loss": printed(total_loss, ".4f")})
        if step == train_num_steps - 1:
            case.want(None, {"loss|train/loss": printed(total_loss, ".4f")})
        step += 1
        pbar.update(1)
print('training complete')
