"""facebookresearch/DiT train.py (`--model DiT-XL/2 --ckpt-every 5000`): logging through
`create_logger` (a StreamHandler on stderr whose format puts the time in blue: `[\\033[34m%(asctime)s
\\033[0m] %(message)s`), the rank/seed print, parameter and image counts with thousands separators,
`Beginning epoch N...`, every log_every steps `(step=0000100) Train Loss: 0.1523, Train Steps/Sec:
0.85`, the checkpoint lines and `Done!`."""
import logging
import os
import random

from _case import Case, printed

case = Case("facebookresearch/DiT", "train.py", "ed81ce2229091fd4ecc9a223645f95cf379d582b",
            either=["step", "epoch", "*steps/sec*"])
rnd = random.Random(401)


def create_logger(logging_dir):
    """
    Create a logger that writes to a log file and stdout.
    """
    logging.basicConfig(
        level=logging.INFO,
        format='[\033[34m%(asctime)s\033[0m] %(message)s',
        datefmt='%Y-%m-%d %H:%M:%S',
        handlers=[logging.StreamHandler(), logging.FileHandler(f"{logging_dir}/log.txt")]
    )
    logger = logging.getLogger(__name__)
    return logger


rank, seed, world_size = 0, 0, 1
print(f"Starting rank={rank}, seed={seed}, world_size={world_size}.")
results_dir, model_string_name = "results", "DiT-XL-2"
experiment_index = 0
experiment_dir = f"{results_dir}/{experiment_index:03d}-{model_string_name}"
checkpoint_dir = f"{experiment_dir}/checkpoints"
os.makedirs(checkpoint_dir, exist_ok=True)
logger = create_logger(experiment_dir)
logger.info(f"Experiment directory created at {experiment_dir}")
logger.info(f"DiT Parameters: {675129632:,}")
data_path, n_images = "/data/imagenet/train", 1281167
logger.info(f"Dataset contains {n_images:,} images ({data_path})")

epochs, log_every, ckpt_every, global_batch_size = 2, 100, 5000, 256
steps_per_epoch = n_images // global_batch_size
train_steps = log_steps = 0
running_loss = 0
logger.info(f"Training for {epochs} epochs...")
for epoch in range(epochs):
    logger.info(f"Beginning epoch {epoch}...")
    for _ in range(steps_per_epoch):
        running_loss += 0.16 + 0.1 / (1 + train_steps / 500) + rnd.random() * 0.01
        log_steps += 1
        train_steps += 1
        if train_steps % log_every == 0:
            steps_per_sec = log_steps / (log_steps * (1.15 + rnd.random() * 0.05))
            avg_loss = running_loss / log_steps
            logger.info(f"(step={train_steps:07d}) Train Loss: {avg_loss:.4f}, Train Steps/Sec: {steps_per_sec:.2f}")
            case.want(train_steps, {"train_loss|train/loss|loss": printed(avg_loss, ".4f")})
            running_loss = 0
            log_steps = 0
        if train_steps % ckpt_every == 0 and train_steps > 0:
            checkpoint_path = f"{checkpoint_dir}/{train_steps:07d}.pt"
            logger.info(f"Saved checkpoint to {checkpoint_path}")
logger.info("Done!")
