"""microsoft/Swin-Transformer main.py with logger.py (`--cfg configs/swin/swin_tiny_patch4_window7_224
.yaml --batch-size 128`, 8 GPUs, AMP): the logger on stdout colours its `[time name](file line):`
prefix (termcolor as it was then: always), the yacs config dump (YAML: BASE_LR, WEIGHT_DECAY, …),
the args as JSON, `print(model)` (start and end), `number of params:`, `number of GFLOPs:`, then
`Train: [0/300][10/1251]\teta 0:20:51 lr 0.000001\t wd 0.0500\ttime 0.4 (0.4)\tloss 6.9 (6.9)\t
grad_norm 3.1 (3.2)\tloss_scale 65536.0000 (65536.0000)\tmem 8541MB`, `Test: [0/49]\tTime …\tLoss
…\tAcc@1 …\tAcc@5 …\tMem …MB`, ` * Acc@1 … Acc@5 …`, `Accuracy of the network on the 50000 test
images: 81.2%`, `Max accuracy: 81.20%` and the times."""
import datetime
import json
import logging
import os
import random
import sys

import yaml

from _case import Case, printed

case = Case("microsoft/Swin-Transformer", "main.py", "f82860bfb5225915aca09c3227159ee9e1df874d",
            either=["epoch", "eta", "lr", "wd", "time", "mem", "*avg*", "*max_accuracy*",
                    "*gflops*"])
rnd = random.Random(403)


def colored(text, color):  # termcolor 1.1.0: always escape codes
    return {'green': '\033[32m', 'yellow': '\033[33m'}[color] + text + '\033[0m'


def create_logger(output_dir, dist_rank=0, name=''):
    # create logger
    logger = logging.getLogger(name)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False

    # create formatter
    fmt = '[%(asctime)s %(name)s] (%(filename)s %(lineno)d): %(levelname)s %(message)s'
    color_fmt = colored('[%(asctime)s %(name)s]', 'green') + \
                colored('(%(filename)s %(lineno)d)', 'yellow') + ': %(levelname)s %(message)s'

    # create console handlers for master process
    if dist_rank == 0:
        console_handler = logging.StreamHandler(sys.stdout)
        console_handler.setLevel(logging.DEBUG)
        console_handler.setFormatter(
            logging.Formatter(fmt=color_fmt, datefmt='%Y-%m-%d %H:%M:%S'))
        logger.addHandler(console_handler)

    # create file handlers
    file_handler = logging.FileHandler(os.path.join(output_dir, f'log_rank{dist_rank}.txt'), mode='a')
    file_handler.setLevel(logging.DEBUG)
    file_handler.setFormatter(logging.Formatter(fmt=fmt, datefmt='%Y-%m-%d %H:%M:%S'))
    logger.addHandler(file_handler)

    return logger


class AverageMeter:
    """timm.utils.AverageMeter."""
    def __init__(self):
        self.val = self.avg = self.sum = self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count


world_size, batch_size = 8, 128
config = {
    'AMP_ENABLE': True, 'AMP_OPT_LEVEL': '',
    'AUG': {'AUTO_AUGMENT': 'rand-m9-mstd0.5-inc1', 'COLOR_JITTER': 0.4, 'CUTMIX': 1.0,
            'CUTMIX_MINMAX': None, 'MIXUP': 0.8, 'MIXUP_MODE': 'batch', 'MIXUP_PROB': 1.0,
            'MIXUP_SWITCH_PROB': 0.5, 'RECOUNT': 1, 'REMODE': 'pixel', 'REPROB': 0.25},
    'BASE': [''],
    'DATA': {'BATCH_SIZE': batch_size, 'CACHE_MODE': 'part', 'DATASET': 'imagenet',
             'DATA_PATH': '/data/imagenet', 'IMG_SIZE': 224, 'INTERPOLATION': 'bicubic',
             'MASK_PATCH_SIZE': 32, 'MASK_RATIO': 0.6, 'NUM_WORKERS': 8, 'PIN_MEMORY': True,
             'ZIP_MODE': False},
    'ENABLE_AMP': False, 'EVAL_MODE': False, 'FUSED_LAYERNORM': False,
    'FUSED_WINDOW_PROCESS': False, 'LOCAL_RANK': 0,
    'MODEL': {'DROP_PATH_RATE': 0.2, 'DROP_RATE': 0.0, 'LABEL_SMOOTHING': 0.1,
              'NAME': 'swin_tiny_patch4_window7_224', 'NUM_CLASSES': 1000, 'PRETRAINED': '',
              'RESUME': '',
              'SWIN': {'APE': False, 'DEPTHS': [2, 2, 6, 2], 'EMBED_DIM': 96, 'IN_CHANS': 3,
                       'MLP_RATIO': 4.0, 'NUM_HEADS': [3, 6, 12, 24], 'PATCH_NORM': True,
                       'PATCH_SIZE': 4, 'QKV_BIAS': True, 'QK_SCALE': None, 'WINDOW_SIZE': 7},
              'TYPE': 'swin'},
    'OUTPUT': 'output/swin_tiny_patch4_window7_224/default', 'PRINT_FREQ': 10, 'SAVE_FREQ': 1,
    'SEED': 0, 'TAG': 'default',
    'TEST': {'CROP': True, 'SEQUENTIAL': False, 'SHUFFLE': False},
    'THROUGHPUT_MODE': False,
    'TRAIN': {'ACCUMULATION_STEPS': 1, 'AUTO_RESUME': True,
              'BASE_LR': 5e-4 * batch_size * world_size / 512.0, 'CLIP_GRAD': 5.0, 'EPOCHS': 300,
              'LAYER_DECAY': 1.0,
              'LR_SCHEDULER': {'DECAY_EPOCHS': 30, 'DECAY_RATE': 0.1, 'GAMMA': 0.1,
                               'MULTISTEPS': [], 'NAME': 'cosine', 'WARMUP_PREFIX': True},
              'MIN_LR': 5e-6 * batch_size * world_size / 512.0, 'MOE': {'SAVE_MASTER': False},
              'OPTIMIZER': {'BETAS': (0.9, 0.999), 'EPS': 1e-08, 'MOMENTUM': 0.9,
                            'NAME': 'adamw'},
              'START_EPOCH': 0, 'USE_CHECKPOINT': False,
              'WARMUP_EPOCHS': 20, 'WARMUP_LR': 5e-7 * batch_size * world_size / 512.0,
              'WEIGHT_DECAY': 0.05},
}
args = {"cfg": "configs/swin/swin_tiny_patch4_window7_224.yaml", "opts": None,
        "batch_size": batch_size, "data_path": "/data/imagenet", "zip": False,
        "cache_mode": "part", "pretrained": None, "resume": None, "accumulation_steps": None,
        "use_checkpoint": False, "disable_amp": False, "amp_opt_level": None,
        "output": "output", "tag": None, "eval": False, "throughput": False, "local_rank": 0,
        "fused_window_process": False, "fused_layernorm": False, "optim": None}

os.makedirs(config['OUTPUT'], exist_ok=True)
logger = create_logger(output_dir=config['OUTPUT'], dist_rank=0, name=f"{config['MODEL']['NAME']}")
path = os.path.join(config['OUTPUT'], "config.json")
logger.info(f"Full config saved to {path}")
# print config
logger.info(yaml.safe_dump(config))
logger.info(json.dumps(args))

logger.info(f"Creating model:{'swin'}/{config['MODEL']['NAME']}")
block = ("      ({i}): SwinTransformerBlock(\n"
         "        dim=96, input_resolution=(56, 56), num_heads=3, window_size=7, shift_size={s}, mlp_ratio=4.0\n"
         "        (norm1): LayerNorm((96,), eps=1e-05, elementwise_affine=True)\n"
         "        (attn): WindowAttention(\n"
         "          dim=96, window_size=(7, 7), num_heads=3\n"
         "          (qkv): Linear(in_features=96, out_features=288, bias=True)\n"
         "          (attn_drop): Dropout(p=0.0, inplace=False)\n"
         "          (proj): Linear(in_features=96, out_features=96, bias=True)\n"
         "          (proj_drop): Dropout(p=0.0, inplace=False)\n"
         "          (softmax): Softmax(dim=-1)\n"
         "        )\n"
         "        (drop_path): {dp}\n"
         "        (norm2): LayerNorm((96,), eps=1e-05, elementwise_affine=True)\n"
         "        (mlp): Mlp(\n"
         "          (fc1): Linear(in_features=96, out_features=384, bias=True)\n"
         "          (act): GELU(approximate='none')\n"
         "          (fc2): Linear(in_features=384, out_features=96, bias=True)\n"
         "          (drop): Dropout(p=0.0, inplace=False)\n"
         "        )\n"
         "      )\n")
logger.info(str(
    "SwinTransformer(\n"
    "  (patch_embed): PatchEmbed(\n"
    "    (proj): Conv2d(3, 96, kernel_size=(4, 4), stride=(4, 4))\n"
    "    (norm): LayerNorm((96,), eps=1e-05, elementwise_affine=True)\n"
    "  )\n"
    "  (pos_drop): Dropout(p=0.0, inplace=False)\n"
    "  (layers): ModuleList(\n"
    "    (0): BasicLayer(\n"
    "      dim=96, input_resolution=(56, 56), depth=2\n"
    "      (blocks): ModuleList(\n"
    + block.format(i=0, s=0, dp="Identity()")
    + block.format(i=1, s=3, dp="DropPath(drop_prob=0.018)") +
    "      )\n"
    "      (downsample): PatchMerging(\n"
    "        input_resolution=(56, 56), dim=96\n"
    "        (reduction): Linear(in_features=384, out_features=192, bias=False)\n"
    "        (norm): LayerNorm((384,), eps=1e-05, elementwise_affine=True)\n"
    "      )\n"
    "    )\n"
    "  )\n"
    "  (norm): LayerNorm((768,), eps=1e-05, elementwise_affine=True)\n"
    "  (avgpool): AdaptiveAvgPool1d(output_size=1)\n"
    "  (head): Linear(in_features=768, out_features=1000, bias=True)\n"
    ")"))
n_parameters = 28288354
logger.info(f"number of params: {n_parameters}")
flops = 4.49439744e9
logger.info(f"number of GFLOPs: {flops / 1e9}")
logger.info(f'no checkpoint found in {config["OUTPUT"]}, ignoring auto resume')

n_val_images, num_steps, n_val_steps, EPOCHS = 50000, 1251, 49, config['TRAIN']['EPOCHS']
PRINT_FREQ = config['PRINT_FREQ']
max_accuracy = 0.0
logger.info("Start training")
for epoch in range(0, 2):
    batch_time, loss_meter, norm_meter, scaler_meter = (AverageMeter(), AverageMeter(),
                                                        AverageMeter(), AverageMeter())
    for idx in range(num_steps):
        progress = epoch + idx / num_steps
        loss_meter.update(6.9 - 0.9 * progress + rnd.random() * 0.1, batch_size)
        norm_meter.update(3.0 + rnd.random() * 2)
        scaler_meter.update(65536.0 if idx < 700 else 32768.0)
        batch_time.update(0.4 + rnd.random() * 0.05)
        if idx % PRINT_FREQ == 0:
            lr = config['TRAIN']['WARMUP_LR'] + 2e-6 * (epoch * num_steps + idx) / num_steps
            wd = config['TRAIN']['WEIGHT_DECAY']
            memory_used = 8956346368 / (1024.0 * 1024.0)
            etas = batch_time.avg * (num_steps - idx)
            logger.info(
                f'Train: [{epoch}/{EPOCHS}][{idx}/{num_steps}]\t'
                f'eta {datetime.timedelta(seconds=int(etas))} lr {lr:.6f}\t wd {wd:.4f}\t'
                f'time {batch_time.val:.4f} ({batch_time.avg:.4f})\t'
                f'loss {loss_meter.val:.4f} ({loss_meter.avg:.4f})\t'
                f'grad_norm {norm_meter.val:.4f} ({norm_meter.avg:.4f})\t'
                f'loss_scale {scaler_meter.val:.4f} ({scaler_meter.avg:.4f})\t'
                f'mem {memory_used:.0f}MB')
            case.want(epoch, {"loss|train/loss": printed(loss_meter.val, ".4f"),
                              "grad_norm|train/grad_norm": printed(norm_meter.val, ".4f"),
                              "loss_scale|train/loss_scale": printed(scaler_meter.val, ".4f")})
    epoch_time = batch_time.sum
    logger.info(f"EPOCH {epoch} training takes {datetime.timedelta(seconds=int(epoch_time))}")
    logger.info(f"{config['OUTPUT']}/ckpt_epoch_{epoch}.pth saving......")
    logger.info(f"{config['OUTPUT']}/ckpt_epoch_{epoch}.pth saved !!!")

    batch_time, loss_meter, acc1_meter, acc5_meter = (AverageMeter(), AverageMeter(),
                                                      AverageMeter(), AverageMeter())
    for idx in range(n_val_steps):
        loss_meter.update(2.4 - 0.5 * epoch + rnd.random() * 0.3, batch_size)
        acc1_meter.update(45 + 10 * epoch + rnd.random() * 10, batch_size)
        acc5_meter.update(70 + 8 * epoch + rnd.random() * 10, batch_size)
        batch_time.update(0.3 + rnd.random() * 0.05)
        if idx % PRINT_FREQ == 0:
            memory_used = 8956346368 / (1024.0 * 1024.0)
            logger.info(
                f'Test: [{idx}/{n_val_steps}]\t'
                f'Time {batch_time.val:.3f} ({batch_time.avg:.3f})\t'
                f'Loss {loss_meter.val:.4f} ({loss_meter.avg:.4f})\t'
                f'Acc@1 {acc1_meter.val:.3f} ({acc1_meter.avg:.3f})\t'
                f'Acc@5 {acc5_meter.val:.3f} ({acc5_meter.avg:.3f})\t'
                f'Mem {memory_used:.0f}MB')
            case.want(None, {"test/loss": printed(loss_meter.val, ".4f"),
                             "test/acc@1": printed(acc1_meter.val, ".3f"),
                             "test/acc@5": printed(acc5_meter.val, ".3f")})
    logger.info(f' * Acc@1 {acc1_meter.avg:.3f} Acc@5 {acc5_meter.avg:.3f}')
    case.want(None, {"test/acc@1": printed(acc1_meter.avg, ".3f"),
                     "test/acc@5": printed(acc5_meter.avg, ".3f")})
    acc1 = acc1_meter.avg
    logger.info(f"Accuracy of the network on the {n_val_images} test images: {acc1:.1f}%")
    case.want(None, {"accuracy|test/accuracy|test/acc": printed(acc1, ".1f")})
    max_accuracy = max(max_accuracy, acc1)
    logger.info(f'Max accuracy: {max_accuracy:.2f}%')

total_time_str = str(datetime.timedelta(seconds=int(1102.7)))
logger.info('Training time {}'.format(total_time_str))
