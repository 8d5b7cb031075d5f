"""pytorch/tutorials beginner_source/dcgan_faces_tutorial.py: `Random Seed:  999`, the two
networks printed (BatchNorm2d's `eps=1e-05, momentum=0.1`, LeakyReLU's `negative_slope=0.2`),
then every 50 batches a tab-separated `[0/5][50/1583]\tLoss_D: …\tLoss_G: …\tD(x): …\tD(G(z)): … / …`."""
import math
import random

from _case import Case, printed

case = Case("pytorch/tutorials", "beginner_source/dcgan_faces_tutorial.py",
            "7d4b657ab2f03a756b525b7b174fc01f41f2e379",
            either=["epoch", "d(g(z))*", "d_g_z*"])
manualSeed = 999
print("Random Seed: ", manualSeed)
rnd = random.Random(manualSeed)
BN = "eps=1e-05, momentum=0.1, affine=True, track_running_stats=True"
K4 = "kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False"
# What torch prints for the tutorial's Generator and Discriminator (ngf = ndf = 64, nz = 100).
print(f"""Generator(
  (main): Sequential(
    (0): ConvTranspose2d(100, 512, kernel_size=(4, 4), stride=(1, 1), bias=False)
    (1): BatchNorm2d(512, {BN})
    (2): ReLU(inplace=True)
    (3): ConvTranspose2d(512, 256, {K4})
    (4): BatchNorm2d(256, {BN})
    (5): ReLU(inplace=True)
    (6): ConvTranspose2d(256, 128, {K4})
    (7): BatchNorm2d(128, {BN})
    (8): ReLU(inplace=True)
    (9): ConvTranspose2d(128, 64, {K4})
    (10): BatchNorm2d(64, {BN})
    (11): ReLU(inplace=True)
    (12): ConvTranspose2d(64, 3, {K4})
    (13): Tanh()
  )
)""")
print(f"""Discriminator(
  (main): Sequential(
    (0): Conv2d(3, 64, {K4})
    (1): LeakyReLU(negative_slope=0.2, inplace=True)
    (2): Conv2d(64, 128, {K4})
    (3): BatchNorm2d(128, {BN})
    (4): LeakyReLU(negative_slope=0.2, inplace=True)
    (5): Conv2d(128, 256, {K4})
    (6): BatchNorm2d(256, {BN})
    (7): LeakyReLU(negative_slope=0.2, inplace=True)
    (8): Conv2d(256, 512, {K4})
    (9): BatchNorm2d(512, {BN})
    (10): LeakyReLU(negative_slope=0.2, inplace=True)
    (11): Conv2d(512, 1, kernel_size=(4, 4), stride=(1, 1), bias=False)
    (12): Sigmoid()
  )
)""")
num_epochs, n_batches = 5, math.ceil(202599 / 128)  # CelebA, batch_size 128
print("Starting Training Loop...")
for epoch in range(num_epochs):
    for i in range(n_batches):
        if i % 50 == 0:
            errD, errG = 0.2 + rnd.random(), 1.5 + rnd.random() * 4
            D_x, D_G_z1 = 0.5 + rnd.random() * 0.45, rnd.random() * 0.4
            D_G_z2 = D_G_z1 * 0.3
            print('[%d/%d][%d/%d]\tLoss_D: %.4f\tLoss_G: %.4f\tD(x): %.4f\tD(G(z)): %.4f / %.4f'
                  % (epoch, num_epochs, i, n_batches,
                     errD, errG, D_x, D_G_z1, D_G_z2))
            case.want(None, {"Loss_D": printed(errD, ".4f"), "Loss_G": printed(errG, ".4f"),
                             "D(x)|D_x": printed(D_x, ".4f")})
