"""eriklindernoren/PyTorch-GAN implementations/acgan/acgan.py (MNIST, defaults, stopped after two
epochs): `print(opt)`, then every batch `[Epoch 0/200] [Batch 5/938] [D loss: 1.234567, acc: 23%]
[G loss: 0.987654]` (the discriminator's accuracy inside its bracket as a whole percent)."""
import argparse
import random

from _case import Case, printed

case = Case("eriklindernoren/PyTorch-GAN", "implementations/acgan/acgan.py",
            "36d3c77e5ff20ebe0aeefd322326a134a279b93e", either=["epoch", "batch"])
rnd = random.Random(406)

opt = argparse.Namespace(n_epochs=200, batch_size=64, lr=0.0002, b1=0.5, b2=0.999, n_cpu=8,
                         latent_dim=100, n_classes=10, img_size=32, channels=1,
                         sample_interval=400)
print(opt)

n_batches = 60000 // opt.batch_size + 1
for epoch in range(2):
    for i in range(n_batches):
        progress = epoch + i / n_batches
        d_loss = 1.45 - 0.2 * min(progress, 1) + rnd.random() * 0.1
        g_loss = 0.95 + 0.3 * min(progress, 1) + rnd.random() * 0.15
        d_acc = min(1.0, 0.1 + 0.7 * progress / 2 + rnd.random() * 0.1)
        print(
            "[Epoch %d/%d] [Batch %d/%d] [D loss: %f, acc: %d%%] [G loss: %f]"
            % (epoch, opt.n_epochs, i, n_batches, d_loss, 100 * d_acc, g_loss)
        )
        case.want([epoch, i], {"d_loss|d/loss|loss_d|discriminator/loss": printed(d_loss, "f"),
                               "d_acc|d/acc|acc|d_loss/acc|discriminator/acc": int(100 * d_acc),
                               "g_loss|g/loss|loss_g|generator/loss": printed(g_loss, "f")})
