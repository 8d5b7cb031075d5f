"""pytorch/examples dcgan/main.py: the options echo, then one line per batch with the GAN
losses and the discriminator's mean outputs: `Loss_D: 1.2 Loss_G: 2.3 D(x): 0.5 D(G(z)): 0.4 / 0.3`."""
import argparse
import math
import random

from _case import Case, printed

case = Case("pytorch/examples", "dcgan/main.py", "77f55b912142e11fcfdf5b530231fb9c52f181e8",
            # D(G(z)) is printed before / after the generator's update: the second number
            # has no name of its own.
            either=["epoch", "d(g(z))*", "d_g_z*"])
# The options as argparse parses `--dataset cifar10 --dataroot data --niter 2`.
opt = argparse.Namespace(dataset='cifar10', dataroot='data', workers=2, batchSize=64,
                         imageSize=64, nz=100, ngf=64, ndf=64, niter=2, lr=0.0002, beta1=0.5,
                         dry_run=False, ngpu=1, netG='', netD='', outf='.', manualSeed=None,
                         classes='bedroom', accel=False)
print(opt)
opt.manualSeed = random.randint(1, 10000)
print("Random Seed: ", opt.manualSeed)
rnd = random.Random(opt.manualSeed)
device = "cuda"
print(f"Using device: {device}")
n_batches = math.ceil(50000 / opt.batchSize)
for epoch in range(opt.niter):
    for i in range(n_batches):
        errD = 0.5 + rnd.random() * 1.5
        errG = 1.0 + rnd.random() * 4
        D_x = rnd.random()
        D_G_z1 = rnd.random() * 0.5
        D_G_z2 = D_G_z1 * 0.8
        print('[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
              % (epoch, opt.niter, i, n_batches,
                 errD, errG, D_x, D_G_z1, D_G_z2))
        case.want(None, {"Loss_D": printed(errD, ".4f"), "Loss_G": printed(errG, ".4f"),
                         "D(x)|D_x": printed(D_x, ".4f")})
