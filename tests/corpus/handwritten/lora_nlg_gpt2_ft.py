"""microsoft/LoRA examples/NLG/src/gpt2_ft.py with gpu.py and exp_utils.py (the README's E2E
command on one GPU, stopped with Ctrl-C after two epochs): the rank line, every argument as
`        - lr : 0.0002`, the experiment dir, `set max_step: 26290`, then `| epoch   1 step      100 |
100 batches | lr 0.0002 | ms/batch 312.45 | loss  3.21 | avg loss  3.40 | ppl 29.96` every 100
steps, and every 2000 steps an evaluation: `eval samples: 0 loss: tensor(1.2345, device='cuda:0')`
every 100 batches, `average loss 1.2345…` and, between dashed rules, `| Eval   1 at step
2000 | time: 45.12s | valid loss  1.23 | valid ppl  3.43 | best ppl  3.43 `."""
import argparse
import math
import random

from _case import Case, printed

case = Case("microsoft/LoRA", "examples/NLG/src/gpt2_ft.py",
            "c4593f060e6a368d7bb5af5273b8e42810cdef90",
            either=["epoch", "step", "batches", "lr", "ms/batch", "time", "eval", "*best*"])
rnd = random.Random(408)

args = argparse.Namespace(
    platform='local', local_rank=0, rank=0, device=0, world_size=0, random_seed=110,
    lr=0.0002, weight_decay=0.01, correct_bias=True, adam_epislon=1e-06, no_decay_bias=False,
    adam_beta1=0.9, adam_beta2=0.999, scheduler='linear', max_step=None, max_epoch=5,
    warmup_step=500, i_steps='0', i_lrs='0.00025', train_data='./data/e2e/train.jsonl',
    valid_data='./data/e2e/valid.jsonl', train_batch_size=8, valid_batch_size=4, grad_acc=1,
    clip=0.0, seq_len=512, model_card='gpt2.md',
    init_checkpoint='./pretrained_checkpoints/gpt2-medium-pytorch_model.bin', fp16=False,
    log_interval=100, eval_interval=2000, save_interval=1000,
    work_dir='./trained_models/GPT2_M/e2e', lora_dim=4, lora_alpha=32, obj='clm',
    lora_dropout=0.1, label_smooth=0.1, roll_interval=-1, roll_lr=1e-05, roll_step=100,
    eval_epoch=1)
# parse_gpu (platform local)
args.rank, args.device, args.world_size = 0, "cuda:0", 1
args.dist = "<module 'torch.distributed' from '/usr/local/lib/python3.10/dist-packages/torch/distributed/__init__.py'>"
print(
    'myrank:', args.rank,
    'local_rank:', args.local_rank,
    'device_count:', 1,
    'world_size:', args.world_size
)


def print_args(args):
    if args.rank == 0:
        print('=' * 100)
        for k, v in args.__dict__.items():
            print(f'        - {k} : {v}')
        print('=' * 100)


class AverageMeter(object):
    def __init__(self):
        self.reset()

    def reset(self):
        self.val = 0
        self.avg = 0
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count


print_args(args)
print('Experiment dir : {}'.format(args.work_dir))
print('loading model pretrained weight.')
n_batches, n_valid_batches = 42061 // args.train_batch_size, 4672 // args.valid_batch_size
args.max_step = (args.max_epoch * n_batches + args.world_size - 1) // args.world_size
print('set max_step:', args.max_step)


def evaluate(progress):
    avg_lm_loss = AverageMeter()
    for idx in range(n_valid_batches):
        loss = 3.3 / (1 + 4 * progress) + 0.9 + rnd.random() * 0.3
        loss = float(format(loss, ".4f"))  # as the float32 tensor prints
        avg_lm_loss.update(loss)
        if idx % 100 == 0:
            print('eval samples:', idx, 'loss:', f"tensor({loss:.4f}, device='cuda:0')")
            case.want(None, {"eval/loss|eval_loss|eval_samples/loss|valid/loss|val/loss": loss})
    print('average loss', avg_lm_loss.avg)
    case.want(None, {"eval/average_loss|eval/avg_loss|eval_average_loss|valid/average_loss"
                     "|val/average_loss|eval/loss|valid/loss|val/loss": avg_lm_loss.avg})
    return avg_lm_loss.avg, math.exp(avg_lm_loss.avg)


def train_validate(train_step=0, epoch=0):
    avg_lm_loss = AverageMeter()
    print('start to train the model................', epoch)
    best_val_ppl = None
    for idx in range(n_batches):
        progress = (train_step + 1) / args.max_step
        train_step += 1
        avg_lm_loss.update(3.5 / (1 + 6 * progress) + 1.0 + rnd.random() * 0.4)
        if train_step % args.log_interval == 0:
            elapsed = args.log_interval * (0.31 + rnd.random() * 0.01)
            lr = args.lr * min(1.0, train_step / args.warmup_step) * (1 - train_step / args.max_step)
            log_str = f'| epoch {epoch:3d} step {train_step:>8d} | { idx + 1:>6d} batches | ' \
                      f'lr {lr:.3g} | ms/batch {elapsed * 1000 / args.log_interval:5.2f} | ' \
                      f'loss {avg_lm_loss.val:5.2f} | avg loss {avg_lm_loss.avg:5.2f} | ' \
                      f'ppl {math.exp(avg_lm_loss.avg):5.2f}'
            if args.rank == 0:
                print(log_str)
            case.want([epoch, train_step],
                      {"loss|train/loss": printed(avg_lm_loss.val, "5.2f"),
                       "avg_loss|train/avg_loss": printed(avg_lm_loss.avg, "5.2f"),
                       "ppl|train/ppl": printed(math.exp(avg_lm_loss.avg), "5.2f")})
            avg_lm_loss.reset()
        if train_step % args.save_interval == 0:
            print('saving checkpoint', f'{args.work_dir}/model.{train_step}.pt')
        if train_step % args.eval_interval == 0:
            valid_loss, valid_ppl = evaluate(progress)
            if best_val_ppl is None or valid_ppl < best_val_ppl:
                best_val_ppl = valid_ppl
            log_str = f'| Eval {train_step // args.eval_interval:3d} at step {train_step:>8d} | ' \
                      f'time: {44 + rnd.random() * 3:5.2f}s | valid loss {valid_loss:5.2f} | ' \
                      f'valid ppl {valid_ppl:5.2f} | best ppl {best_val_ppl:5.2f} '
            if args.rank == 0:
                print('-' * 100)
                print(log_str)
                print('-' * 100)
            case.want(train_step, {"valid/loss|val/loss|valid_loss": printed(valid_loss, "5.2f"),
                                   "valid/ppl|val/ppl|valid_ppl": printed(valid_ppl, "5.2f")})
    print('saving checkpoint', f'{args.work_dir}/model.{train_step}.pt')
    return train_step


train_step = 0
for epoch in range(1, 3):
    train_step = train_validate(train_step=train_step, epoch=epoch)
# Ctrl-C in the third epoch
print('-' * 100)
print('Exiting from training early')
print('cleanup dist ...')
