"""NVlabs/stylegan2-ada-pytorch train.py, training/training_loop.py and metrics/metric_main.py
(`python train.py --outdir=~/training-runs --data=~/datasets/ffhq256.zip --gpus=1 --cfg=paper256
--mirror=1 --kimg=120 --snap=10`): the training options as indented JSON, the run summary, the
dataset shapes, the module summary tables of G and D (torch_utils/misc.print_module_summary:
parameter and buffer counts per layer), then per tick the status line `tick 0     kimg 0.1
time 1m 02s       sec/tick 14.6    sec/kimg 228.35  maintenance 47.2   cpumem 4.86   gpumem
11.26  augment 0.000` and at each snapshot `Evaluating metrics...` and the metric as one JSON line
(`{"results": {"fid50k_full": 296.58}, "metric": …, "num_gpus": 1, …, "timestamp": …}`)."""
import json
import random

from _case import Case, printed

case = Case("NVlabs/stylegan2-ada-pytorch", "training/training_loop.py",
            "d72cc7d041b42ec8e806021a205ed9349f87c6a4",
            either=["tick", "kimg", "*time*", "sec/tick", "sec/kimg", "maintenance", "cpumem",
                    "gpumem"])
rnd = random.Random(407)


def format_time(seconds):
    """dnnlib.util.format_time."""
    s = int(round(seconds))
    if s < 60:
        return "{0}s".format(s)
    elif s < 60 * 60:
        return "{0}m {1:02}s".format(s // 60, s % 60)
    elif s < 24 * 60 * 60:
        return "{0}h {1:02}m {2:02}s".format(s // (60 * 60), (s // 60) % 60, s % 60)
    else:
        return "{0}d {1:02}h {2:02}m".format(s // (24 * 60 * 60), (s // (60 * 60)) % 24, (s // 60) % 60)


def print_module_summary(type_name, entries):
    """misc.print_module_summary's table for entries (name, params, buffers, shape, dtype)."""
    rows = [[type_name, 'Parameters', 'Buffers', 'Output shape', 'Datatype']]
    rows += [['---'] * len(rows[0])]
    param_total = 0
    buffer_total = 0
    for name, param_size, buffer_size, shape, dtype in entries:
        rows += [[
            name,
            str(param_size) if param_size else '-',
            str(buffer_size) if buffer_size else '-',
            shape,
            dtype,
        ]]
        param_total += param_size
        buffer_total += buffer_size
    rows += [['---'] * len(rows[0])]
    rows += [['Total', str(param_total), str(buffer_total), '-', '-']]

    # Print table.
    widths = [max(len(cell) for cell in column) for column in zip(*rows)]
    print()
    for row in rows:
        print('  '.join(cell + ' ' * (width - len(cell)) for cell, width in zip(row, widths)))
    print()


run_dir = '~/training-runs/00000-ffhq256-mirror-paper256-kimg120'
args = {
    "num_gpus": 1, "image_snapshot_ticks": 10, "network_snapshot_ticks": 10,
    "metrics": ["fid50k_full"], "random_seed": 0,
    "training_set_kwargs": {"class_name": "training.dataset.ImageFolderDataset",
                            "path": "~/datasets/ffhq256.zip", "use_labels": False,
                            "max_size": 70000, "xflip": True, "resolution": 256},
    "data_loader_kwargs": {"pin_memory": True, "num_workers": 3, "prefetch_factor": 2},
    "G_kwargs": {"class_name": "training.networks.Generator", "z_dim": 512, "w_dim": 512,
                 "mapping_kwargs": {"num_layers": 8},
                 "synthesis_kwargs": {"channel_base": 16384, "channel_max": 512,
                                      "num_fp16_res": 4, "conv_clamp": 256}},
    "D_kwargs": {"class_name": "training.networks.Discriminator",
                 "block_kwargs": {}, "mapping_kwargs": {},
                 "epilogue_kwargs": {"mbstd_group_size": 8}, "channel_base": 16384,
                 "channel_max": 512, "num_fp16_res": 4, "conv_clamp": 256},
    "G_opt_kwargs": {"class_name": "torch.optim.Adam", "lr": 0.0025, "betas": [0, 0.99],
                     "eps": 1e-08},
    "D_opt_kwargs": {"class_name": "torch.optim.Adam", "lr": 0.0025, "betas": [0, 0.99],
                     "eps": 1e-08},
    "loss_kwargs": {"class_name": "training.loss.StyleGAN2Loss", "r1_gamma": 1},
    "total_kimg": 120, "batch_size": 64, "batch_gpu": 8, "ema_kimg": 20, "ema_rampup": None,
    "ada_target": 0.6,
    "augment_kwargs": {"class_name": "training.augment.AugmentPipe", "xflip": 1, "rotate90": 1,
                       "xint": 1, "scale": 1, "rotate": 1, "aniso": 1, "xfrac": 1,
                       "brightness": 1, "contrast": 1, "lumaflip": 1, "hue": 1,
                       "saturation": 1},
    "run_dir": run_dir,
}
print()
print('Training options:')
print(json.dumps(args, indent=2))
print()
print(f'Output directory:   {run_dir}')
print(f'Training data:      {args["training_set_kwargs"]["path"]}')
print(f'Training duration:  {args["total_kimg"]} kimg')
print(f'Number of GPUs:     {args["num_gpus"]}')
print(f'Number of images:   {args["training_set_kwargs"]["max_size"]}')
print(f'Image resolution:   {args["training_set_kwargs"]["resolution"]}')
print(f'Conditional model:  {args["training_set_kwargs"]["use_labels"]}')
print(f'Dataset x-flips:    {args["training_set_kwargs"]["xflip"]}')
print()
print('Creating output directory...')
print('Launching processes...')

print('Loading training set...')
print()
print('Num images: ', 140000)
print('Image shape:', [3, 256, 256])
print('Label shape:', [0])
print()
print('Constructing networks...')
print_module_summary('Generator', [
    ('mapping.fc0', 262656, 0, '[8, 512]', 'float32'),
    ('mapping.fc1', 262656, 0, '[8, 512]', 'float32'),
    ('mapping', 0, 512, '[8, 14, 512]', 'float32'),
    ('synthesis.b4.conv1', 2622465, 32, '[8, 512, 4, 4]', 'float32'),
    ('synthesis.b4.torgb', 264195, 0, '[8, 3, 4, 4]', 'float32'),
    ('synthesis.b4:0', 8192, 16, '[8, 512, 4, 4]', 'float32'),
    ('synthesis.b4:1', 0, 0, '[8, 3, 4, 4]', 'float32'),
    ('synthesis.b128.conv0', 1313282, 4112, '[8, 128, 128, 128]', 'float16'),
    ('synthesis.b256.conv1', 165697, 65552, '[8, 64, 256, 256]', 'float16'),
    ('synthesis.b256.torgb', 33027, 0, '[8, 3, 256, 256]', 'float16'),
    ('synthesis.b256:0', 0, 16, '[8, 64, 256, 256]', 'float16'),
    ('synthesis.b256:1', 0, 0, '[8, 3, 256, 256]', 'float32'),
])
print_module_summary('Discriminator', [
    ('b256.fromrgb', 256, 16, '[8, 64, 256, 256]', 'float16'),
    ('b256.skip', 8192, 16, '[8, 128, 128, 128]', 'float16'),
    ('b256.conv0', 36928, 16, '[8, 64, 256, 256]', 'float16'),
    ('b256', 0, 16, '[8, 128, 128, 128]', 'float16'),
    ('b4.mbstd', 0, 0, '[8, 513, 4, 4]', 'float32'),
    ('b4.fc', 4194816, 0, '[8, 512]', 'float32'),
    ('b4.out', 513, 0, '[8, 1]', 'float32'),
])
print('Setting up augmentation...')
print(f'Distributing across {1} GPUs...')
print('Setting up training phases...')
print('Exporting sample images...')
print('Initializing logs...')
total_kimg, batch_size, kimg_per_tick = args["total_kimg"], args["batch_size"], 4
print(f'Training for {total_kimg} kimg...')
print()

cur_nimg = cur_tick = tick_start_nimg = 0
start_time = tick_start_time = 0.0
maintenance_time, augment_p, fid = 47.2, 0.0, 320.0
done = False
while True:
    cur_nimg += batch_size
    done = (cur_nimg >= total_kimg * 1000)
    if (not done) and (cur_tick != 0) and (cur_nimg < tick_start_nimg + kimg_per_tick * 1000):
        continue
    tick_end_time = tick_start_time + (cur_nimg - tick_start_nimg) / 1e3 * (225 + rnd.random() * 5)
    augment_p = max(0.0, augment_p + rnd.random() * 0.012 - 0.002)
    fields = []
    fields += [f"tick {cur_tick:<5d}"]
    fields += [f"kimg {cur_nimg / 1e3:<8.1f}"]
    fields += [f"time {format_time(tick_end_time - start_time):<12s}"]
    fields += [f"sec/tick {tick_end_time - tick_start_time:<7.1f}"]
    fields += [f"sec/kimg {(tick_end_time - tick_start_time) / (cur_nimg - tick_start_nimg) * 1e3:<7.2f}"]
    fields += [f"maintenance {maintenance_time:<6.1f}"]
    fields += [f"cpumem {4.86 + rnd.random() * 0.02:<6.2f}"]
    fields += [f"gpumem {11.26 + rnd.random() * 0.5:<6.2f}"]
    fields += [f"augment {augment_p:.3f}"]
    print(' '.join(fields))
    case.want(cur_tick, {"augment|progress/augment": printed(augment_p, ".3f")})

    if done or cur_tick % args["network_snapshot_ticks"] == 0:
        snapshot_pkl = f'network-snapshot-{cur_nimg//1000:06d}.pkl'
        print('Evaluating metrics...')
        fid = fid * (0.45 + rnd.random() * 0.1) + 20
        total_time = 1180 + rnd.random() * 40
        result_dict = dict(results={"fid50k_full": fid}, metric="fid50k_full",
                           total_time=total_time, total_time_str=format_time(total_time),
                           num_gpus=1)
        jsonl_line = json.dumps(dict(result_dict, snapshot_pkl=snapshot_pkl,
                                     timestamp=1765101600.0 + tick_end_time))
        print(jsonl_line)
        case.want(None, {"fid50k_full|results/fid50k_full|metrics/fid50k_full": fid})
        maintenance_time = 1200.0 + rnd.random() * 40
    else:
        maintenance_time = 1.5 + rnd.random() * 0.5
    cur_tick += 1
    tick_start_nimg = cur_nimg
    tick_start_time = tick_end_time + maintenance_time
    if done:
        break

print()
print('Exiting...')
