"""XPixelGroup/BasicSR basicsr/train.py with utils/logger.py (MessageLogger), utils/options.py
(dict2str) and models/sr_model.py (`python basicsr/train.py -opt options/train/ESRGAN/
train_ESRGAN_x4.yml --force_yml train:total_iter=10000`): logging `%(asctime)s %(levelname)s:
%(message)s` on stderr; the ASCII banner and versions, the whole option tree (`lr: 0.0001`,
`loss_weight: 0.01`, …), the training statistics, the networks (class, parameter count with
separators, start and end of the repr), then every 100 iterations `[052_E..][epoch:  0, iter:
1,000, lr:(1.000e-04,)] [eta: 1:02:03, time (data): 0.512 (0.011)] l_g_pix: 2.1e-04 l_g_percep:
… out_d_fake: -5.1e+00` (iter with a thousands separator, losses as .4e), and at each validation
`Validation Set14` / `\t # psnr: 24.1234\tBest: 24.1234 @ 5000 iter`."""
import datetime
import logging
import math
import random

from _case import Case, printed

case = Case("XPixelGroup/BasicSR", "basicsr/utils/logger.py",
            "8d56e3a045f9fb3e1d8872f92ee4a4f07f886b0a",
            either=["epoch", "iter", "lr", "eta", "time*", "data*", "*best*"])
rnd = random.Random(405)

format_str = '%(asctime)s %(levelname)s: %(message)s'
logger = logging.getLogger('basicsr')
stream_handler = logging.StreamHandler()
stream_handler.setFormatter(logging.Formatter(format_str))
logger.addHandler(stream_handler)
logger.propagate = False
logger.setLevel(logging.INFO)


def dict2str(opt, indent_level=1):
    """dict to string for printing options.

    Args:
        opt (dict): Option dict.
        indent_level (int): Indent level. Default: 1.

    Return:
        (str): Option string for printing.
    """
    msg = '\n'
    for k, v in opt.items():
        if isinstance(v, dict):
            msg += ' ' * (indent_level * 2) + k + ':['
            msg += dict2str(v, indent_level + 1)
            msg += ' ' * (indent_level * 2) + ']\n'
        else:
            msg += ' ' * (indent_level * 2) + k + ': ' + str(v) + '\n'
    return msg


def get_env_info():
    msg = r"""
                ____                _       _____  ____
               / __ ) ____ _ _____ (_)_____/ ___/ / __ \
              / __  |/ __ `// ___// // ___/\__ \ / /_/ /
             / /_/ // /_/ /(__  )/ // /__ ___/ // _, _/
            /_____/ \__,_//____//_/ \___//____//_/ |_|
     ______                   __   __                 __      __
    / ____/____   ____   ____/ /  / /   __  __ _____ / /__   / /
   / / __ / __ \ / __ \ / __  /  / /   / / / // ___// //_/  / /
  / /_/ // /_/ // /_/ // /_/ /  / /___/ /_/ // /__ / /<    /_/
  \____/ \____/ \____/ \____/  /_____/\____/ \___//_/|_|  (_)
    """
    msg += ('\nVersion Information: '
            f'\n\tBasicSR: {"1.4.2"}'
            f'\n\tPyTorch: {"2.1.2+cu121"}'
            f'\n\tTorchVision: {"0.16.2+cu121"}')
    return msg


name = '052_ESRGAN_x4_f64b23_DIV2K_400k_B16G1_051pretrain_wandb'
root = f'/home/user/BasicSR/experiments/{name}'
opt = {
    'name': name, 'model_type': 'ESRGANModel', 'scale': 4, 'num_gpu': 1, 'manual_seed': 0,
    'datasets': {
        'train': {'name': 'DIV2K', 'type': 'PairedImageDataset',
                  'dataroot_gt': 'datasets/DIV2K/DIV2K_train_HR_sub',
                  'dataroot_lq': 'datasets/DIV2K/DIV2K_train_LR_bicubic/X4_sub',
                  'filename_tmpl': '{}', 'io_backend': {'type': 'disk'}, 'gt_size': 128,
                  'use_hflip': True, 'use_rot': True, 'num_worker_per_gpu': 6,
                  'batch_size_per_gpu': 16, 'dataset_enlarge_ratio': 100, 'prefetch_mode': None,
                  'phase': 'train', 'scale': 4},
        'val': {'name': 'Set14', 'type': 'PairedImageDataset',
                'dataroot_gt': 'datasets/Set14/GTmod12', 'dataroot_lq': 'datasets/Set14/LRbicx4',
                'io_backend': {'type': 'disk'}, 'phase': 'val', 'scale': 4}},
    'network_g': {'type': 'RRDBNet', 'num_in_ch': 3, 'num_out_ch': 3, 'num_feat': 64,
                  'num_block': 23},
    'network_d': {'type': 'VGGStyleDiscriminator', 'num_in_ch': 3, 'num_feat': 64},
    'path': {'pretrain_network_g': 'experiments/051_RRDBNet_PSNR_x4_f64b23_DIV2K_1000k_B16G1_'
                                   'wandb/models/net_g_1000000.pth',
             'strict_load_g': True, 'resume_state': None, 'experiments_root': root,
             'models': f'{root}/models', 'training_states': f'{root}/training_states',
             'log': root, 'visualization': f'{root}/visualization'},
    'train': {'ema_decay': 0.999,
              'optim_g': {'type': 'Adam', 'lr': 0.0001, 'weight_decay': 0, 'betas': [0.9, 0.99]},
              'optim_d': {'type': 'Adam', 'lr': 0.0001, 'weight_decay': 0, 'betas': [0.9, 0.99]},
              'scheduler': {'type': 'MultiStepLR', 'milestones': [50000, 100000, 200000, 300000],
                            'gamma': 0.5},
              'total_iter': 10000, 'warmup_iter': -1,
              'pixel_opt': {'type': 'L1Loss', 'loss_weight': 0.01, 'reduction': 'mean'},
              'perceptual_opt': {'type': 'PerceptualLoss', 'layer_weights': {'conv5_4': 1},
                                 'vgg_type': 'vgg19', 'use_input_norm': True,
                                 'range_norm': False, 'perceptual_weight': 1.0,
                                 'style_weight': 0, 'criterion': 'l1'},
              'gan_opt': {'type': 'GANLoss', 'gan_type': 'vanilla', 'real_label_val': 1.0,
                          'fake_label_val': 0.0, 'loss_weight': 0.005},
              'net_d_iters': 1, 'net_d_init_iters': 0},
    'val': {'val_freq': 5000.0, 'save_img': True,
            'metrics': {'psnr': {'type': 'calculate_psnr', 'crop_border': 4,
                                 'test_y_channel': False}}},
    'logger': {'print_freq': 100, 'save_checkpoint_freq': 5000.0, 'use_tb_logger': True,
               'wandb': {'project': None, 'resume_id': None}},
    'dist_params': {'backend': 'nccl', 'port': 29500},
    'dist': False, 'rank': 0, 'world_size': 1, 'auto_resume': False, 'is_train': True,
}

print('Disable distributed.', flush=True)
logger.info(get_env_info())
logger.info(dict2str(opt))
train_set_len, dataset_enlarge_ratio = 32208, 100
dataset_opt = opt['datasets']['train']
logger.info(f'Dataset [PairedImageDataset] - DIV2K is built.')
num_iter_per_epoch = math.ceil(
    train_set_len * dataset_enlarge_ratio / (dataset_opt['batch_size_per_gpu'] * opt['world_size']))
total_iters = int(opt['train']['total_iter'])
total_epochs = math.ceil(total_iters / (num_iter_per_epoch))
logger.info('Training statistics:'
            f'\n\tNumber of train images: {train_set_len}'
            f'\n\tDataset enlarge ratio: {dataset_enlarge_ratio}'
            f'\n\tBatch size per gpu: {dataset_opt["batch_size_per_gpu"]}'
            f'\n\tWorld size (gpu number): {opt["world_size"]}'
            f'\n\tRequire iter number per epoch: {num_iter_per_epoch}'
            f'\n\tTotal epochs: {total_epochs}; iters: {total_iters}.')
logger.info(f'Dataset [PairedImageDataset] - Set14 is built.')
logger.info(f'Number of val images/folders in {"Set14"}: {14}')
logger.info(f'Network [RRDBNet] is created.')
logger.info(f'Network: {"RRDBNet"}, with parameters: {16697987:,d}')
logger.info("RRDBNet(\n"
            "  (conv_first): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "  (body): Sequential(\n"
            "    (0): RRDB(\n"
            "      (rdb1): ResidualDenseBlock(\n"
            "        (conv1): Conv2d(64, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "        (conv2): Conv2d(96, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "        (lrelu): LeakyReLU(negative_slope=0.2, inplace=True)\n"
            "      )\n"
            "    )\n"
            "  )\n"
            "  (conv_hr): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "  (conv_last): Conv2d(64, 3, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "  (lrelu): LeakyReLU(negative_slope=0.2, inplace=True)\n"
            ")")
logger.info(f'Loading RRDBNet model from {opt["path"]["pretrain_network_g"]}, with param key: [params_ema].')
logger.info(f'Use Exponential Moving Average with decay: {opt["train"]["ema_decay"]}')
logger.info(f'Network [VGGStyleDiscriminator] is created.')
logger.info(f'Network: {"VGGStyleDiscriminator"}, with parameters: {14502281:,d}')
logger.info(f'Loss [L1Loss] is created.')
logger.info(f'Loss [PerceptualLoss] is created.')
logger.info(f'Loss [GANLoss] is created.')
logger.info(f'Model [ESRGANModel] is created.')

start_epoch = current_iter = 0
logger.info(f'Start training from epoch: {start_epoch}, iter: {current_iter}')
exp_name, interval, start_iter = opt['name'], opt['logger']['print_freq'], 1
best = {}


def msg_logger(log_vars):
    # epoch, iter, learning rates
    epoch = log_vars.pop('epoch')
    current_iter = log_vars.pop('iter')
    lrs = log_vars.pop('lrs')

    message = (f'[{exp_name[:5]}..][epoch:{epoch:3d}, iter:{current_iter:8,d}, lr:(')
    for v in lrs:
        message += f'{v:.3e},'
    message += ')] '

    # time and estimated time
    if 'time' in log_vars.keys():
        iter_time = log_vars.pop('time')
        data_time = log_vars.pop('data_time')

        time_sec_avg = 0.52 + rnd.random() * 0.01
        eta_sec = time_sec_avg * (total_iters - current_iter - 1)
        eta_str = str(datetime.timedelta(seconds=int(eta_sec)))
        message += f'[eta: {eta_str}, '
        message += f'time (data): {iter_time:.3f} ({data_time:.3f})] '

    # other items, especially losses
    for k, v in log_vars.items():
        message += f'{k}: {v:.4e} '
    logger.info(message)


def validation(current_iter):
    dataset_name, metric = 'Set14', 'psnr'
    value = 24.0 + 2.0 * current_iter / total_iters + rnd.random() * 0.2
    if metric not in best or value > best[metric]["val"]:
        best[metric] = {"val": value, "iter": current_iter}
    log_str = f'Validation {dataset_name}\n'
    log_str += f'\t # {metric}: {value:.4f}'
    log_str += (f'\tBest: {best[metric]["val"]:.4f} @ '
                f'{best[metric]["iter"]} iter')
    log_str += '\n'
    logger.info(log_str)
    case.want(None, {"psnr|val/psnr|validation/psnr|set14/psnr|validation_set14/psnr"
                     "|val_set14/psnr|metrics/set14/psnr": printed(value, ".4f")})


for epoch in range(start_epoch, total_epochs + 1):
    while current_iter < num_iter_per_epoch * (epoch + 1):
        current_iter += 1
        if current_iter > total_iters:
            break
        if current_iter % opt['logger']['print_freq'] == 0:
            p = current_iter / total_iters
            losses = {'l_g_pix': 3e-4 / (1 + p) + rnd.random() * 1e-5,
                      'l_g_percep': 2.2 - 0.4 * p + rnd.random() * 0.1,
                      'l_g_gan': 0.005 * (3 + rnd.random() * 2),
                      'l_d_real': 0.3 + rnd.random() * 0.2,
                      'out_d_real': 5 + rnd.random() * 2,
                      'l_d_fake': 0.25 + rnd.random() * 0.2,
                      'out_d_fake': -5 - rnd.random() * 2}
            log_vars = {'epoch': epoch, 'iter': current_iter}
            log_vars.update({'lrs': [opt['train']['optim_g']['lr']]})
            log_vars.update({'time': 0.5 + rnd.random() * 0.05, 'data_time': 0.01 + rnd.random() * 0.005})
            log_vars.update(losses)
            msg_logger(log_vars)
            case.want([epoch, current_iter],
                      {f"{k}|train/{k}|losses/{k}": printed(v, ".4e") for k, v in losses.items()})
        if current_iter % opt['logger']['save_checkpoint_freq'] == 0:
            logger.info('Saving models and training states.')
        if current_iter % opt['val']['val_freq'] == 0:
            validation(current_iter)

consumed_time = str(datetime.timedelta(seconds=int(5212.4)))
logger.info(f'End of training. Time consumed: {consumed_time}')
logger.info('Save the latest model.')
validation(current_iter)
