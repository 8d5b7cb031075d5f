"""NVIDIA/Megatron-LM megatron/training/training.py (pretrain_gpt.py, --log-interval 10
--eval-interval 100 --log-throughput): per log interval ` [date] iteration       10/     500 |
consumed samples:         5120 | elapsed time per iteration (ms): 1234.5 | throughput per GPU
(TFLOP/s/GPU): 123.4 | learning rate: 1.500000E-05 | global batch size:   512 | lm loss:
1.012345E+01 | loss scale: 1.0 | grad norm: 5.123 | number of skipped iterations:   0 | number
of nan iterations:   0 |`, and between dashes ` validation loss at iteration 100 | lm loss
value: 6.123456E+00 | lm loss PPL: 4.567890E+02 | `."""
import math
import random
from datetime import datetime

from _case import Case, printed

case = Case("NVIDIA/Megatron-LM", "megatron/training/training.py",
            "86df799dc4c78e4bd7fbae972b3ee743e8b14f02",
            either=["iteration", "elapsed_time*", "throughput*", "learning_rate", "loss_scale",
                    "lr"])
rnd = random.Random(35)
train_iters, log_interval, eval_interval, batch_size = 500, 10, 100, 512
consumed = 0
for iteration in range(1, train_iters + 1):
    consumed += batch_size
    if iteration % log_interval == 0:
        lm_loss = 10.5 / (1 + iteration / 100) + 2.5 + rnd.random() * 0.05
        grad_norm = 5.0 / (1 + iteration / 50) + rnd.random() * 0.1
        learning_rate = 1.5e-4 * min(1.0, iteration / 100)
        log_string = f" [{datetime.now().strftime('%Y-%m-%d %H:%M:%S')}]"
        log_string += ' iteration {:8d}/{:8d} |'.format(iteration, train_iters)
        log_string += ' consumed samples: {:12d} |'.format(consumed)
        log_string += ' elapsed time per iteration (ms): {:.1f} |'.format(1234.5 + rnd.random())
        log_string += f' throughput per GPU (TFLOP/s/GPU): {123.4 + rnd.random():.1f} |'
        log_string += ' learning rate: {:.6E} |'.format(learning_rate)
        log_string += ' global batch size: {:5d} |'.format(batch_size)
        log_string += ' {}: {:.6E} |'.format('lm loss', lm_loss)
        log_string += ' loss scale: {:.1f} |'.format(1.0)
        log_string += ' grad norm: {:.3f} |'.format(grad_norm)
        log_string += ' number of skipped iterations: {:3d} |'.format(0)
        log_string += ' number of nan iterations: {:3d} |'.format(0)
        print(log_string)
        case.want(iteration, {"lm_loss|loss|train/lm_loss|train/loss": printed(lm_loss, ".6E"),
                              "grad_norm": printed(grad_norm, ".3f")})
    if iteration % eval_interval == 0:
        loss = lm_loss + 0.05
        prefix = 'iteration {}'.format(iteration)
        string = ' validation loss at {} | '.format(prefix)
        string += '{} value: {:.6E} | '.format('lm loss', loss)
        ppl = math.exp(min(20, loss))
        string += '{} PPL: {:.6E} | '.format('lm loss', ppl)
        length = len(string) + 1
        print('-' * length)
        print(string)
        print('-' * length)
        case.want(iteration, {
            "validation/lm_loss|validation/lm_loss_value|validation/loss|validation/loss_value|"
            "val/lm_loss|val/lm_loss_value|val/loss|val/loss_value":
            printed(loss, ".6E"),
            "validation/lm_loss_ppl|validation/loss_ppl|validation/ppl|"
            "val/lm_loss_ppl|val/loss_ppl|val/ppl": printed(ppl, ".6E")})
