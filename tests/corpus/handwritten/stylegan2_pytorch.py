"""lucidrains/stylegan2-pytorch `stylegan2_pytorch --data ./data --calculate-fid-every 200`
resumed from checkpoint 5 (cli.run_training and Trainer.print_log): `continuing from previous
epoch - 5`, `loading from version 1.9.0`, a real tqdm bar `default<./data>` refreshed every
step, and every 50 steps `G: 1.23 | D: 0.45 | GP: 0.12 | PL: 0.56 | FID: 45.12` (one-and
two-letter names, GP only when the last step applied the penalty, PL from step 5,000, FID
once calculated, no step on the line); the FID calculation shows two tqdm bars of its own."""
import random

from tqdm import tqdm

from _case import Case, printed

case = Case("lucidrains/stylegan2-pytorch", "stylegan2_pytorch/stylegan2_pytorch.py",
            "ce7f830bc10d037cddc75d6166904baf07945cf6", either=[])
rnd = random.Random(74)
name, data, save_every, num_train_steps, calculate_fid_every = 'default', './data', 1000, 5600, 200
print(f'continuing from previous epoch - {5}')
steps = 5 * save_every
print(f"loading from version {'1.9.0'}")
g_loss = d_loss = 0
last_gp_loss = pl_mean = last_cr_loss = q_loss = last_fid = None

progress_bar = tqdm(initial = steps, total = num_train_steps, mininterval=10., desc=f'{name}<{data}>')
while steps < num_train_steps:
    # Trainer.train: one step
    if steps % 4 == 0:
        last_gp_loss = rnd.random() * 0.5
    d_loss = 0.4 + rnd.random() * 0.8
    g_loss = 0.8 + rnd.random() * 1.5
    if steps > 5000 and steps % 32 == 0:
        pl_mean = 1.2 + rnd.random() * 0.3
    if calculate_fid_every and steps % calculate_fid_every == 0 and steps != 0:
        for batch_num in tqdm(range(40), desc='calculating FID - saving generated'):
            pass
        for batch_num in tqdm(range(79)):  # pytorch_fid's own bar over the two folders
            pass
        last_fid = 60.0 - (steps - 5000) / 100 + rnd.random()
    steps += 1

    progress_bar.n = steps
    progress_bar.refresh()
    if steps % 50 == 0:
        data_ = [
            ('G', g_loss),
            ('D', d_loss),
            ('GP', last_gp_loss),
            ('PL', pl_mean),
            ('CR', last_cr_loss),
            ('Q', q_loss),
            ('FID', last_fid)
        ]

        data_ = [d for d in data_ if d[1] is not None]
        log = ' | '.join(map(lambda n: f'{n[0]}: {n[1]:.2f}', data_))
        print(log)
        case.want(None, {k: printed(v, ".2f") for k, v in data_})
