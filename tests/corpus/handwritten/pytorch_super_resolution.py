"""pytorch/examples super_resolution/main.py (`--upscale_factor 3`): the options echo, one
`===> Epoch[1](10/50): Loss: 0.0123` per batch, `===> Epoch 1 Complete: Avg. Loss: …` and
`===> Avg. PSNR: 21.1234 dB` per epoch."""
import argparse
import random

from _case import Case, printed

case = Case("pytorch/examples", "super_resolution/main.py", "77f55b912142e11fcfdf5b530231fb9c52f181e8", either=["epoch"])
opt = argparse.Namespace(upscale_factor=3, batchSize=64, testBatchSize=10, nEpochs=2, lr=0.01,
                         accel=False, threads=4, seed=123)
print(opt)
rnd = random.Random(opt.seed)
print('===> Loading datasets')
print('===> Building model')
n_batches = 200 // opt.batchSize + 1  # BSDS300's 200 training images
for epoch in range(1, opt.nEpochs + 1):
    epoch_loss = 0
    for iteration in range(1, n_batches + 1):
        loss = 0.02 / (epoch + iteration / n_batches) + rnd.random() * 0.002
        epoch_loss += loss
        print("===> Epoch[{}]({}/{}): Loss: {:.4f}".format(epoch, iteration, n_batches, loss))
        case.want(epoch, {"loss|train/loss": printed(loss, ".4f")})
    print("===> Epoch {} Complete: Avg. Loss: {:.4f}".format(epoch, epoch_loss / n_batches))
    case.want(epoch, {"avg_loss|train/avg_loss|avg._loss":
                      printed(epoch_loss / n_batches, ".4f")})
    avg_psnr = 20 + epoch + rnd.random()
    print("===> Avg. PSNR: {:.4f} dB".format(avg_psnr))
    case.want(None, {"avg_psnr|psnr|test/psnr|test/avg_psnr|avg._psnr": printed(avg_psnr, ".4f")})
    print("Checkpoint saved to {}".format("model_epoch_{}.pth".format(epoch)))
