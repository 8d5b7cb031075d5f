"""junyanz/pytorch-CycleGAN-and-pix2pix util/visualizer.py's print_current_losses, as train.py
(b621837) calls it every print_freq images: `(epoch: 1, iters: 100, time: 0.123, data: 0.456)
D_A: 0.251 G_A: 0.312 cycle_A: 1.234 idt_A: 0.567 D_B: … G_B: … cycle_B: … idt_B: … `, the
checkpoint lines and `End of epoch 1 / 200 \t Time Taken: 312 sec`."""
import random
from collections import OrderedDict

from _case import Case, printed

case = Case("junyanz/pytorch-CycleGAN-and-pix2pix", "util/visualizer.py",
            "003efc4c8819de47ff11b5a0af7ba09aee7f5fc1",
            either=["epoch", "iters", "time", "data"])
rnd = random.Random(49)


def print_current_losses(epoch, iters, losses, t_comp, t_data):
    message = '(epoch: %d, iters: %d, time: %.3f, data: %.3f) ' % (epoch, iters, t_comp, t_data)
    for k, v in losses.items():
        message += '%s: %.3f ' % (k, v)
    print(message)  # print the message


dataset_size, print_freq, save_latest_freq, total_steps = 1096, 100, 5000, 0
print('#training images = %d' % dataset_size)
for epoch in range(1, 4):
    epoch_iter = 0
    for i in range(dataset_size):
        total_steps += 1
        epoch_iter += 1
        if total_steps % print_freq == 0:
            losses = OrderedDict()
            for name, base in (("D_A", 0.25), ("G_A", 0.3), ("cycle_A", 1.2), ("idt_A", 0.55),
                               ("D_B", 0.24), ("G_B", 0.33), ("cycle_B", 1.1), ("idt_B", 0.5)):
                losses[name] = base / (1 + total_steps / 2000) * (0.8 + rnd.random() * 0.4)
            print_current_losses(epoch, epoch_iter, losses, 0.123 + rnd.random() * 0.01, 0.004)
            case.want([epoch, epoch_iter], {k: printed(v, ".3f") for k, v in losses.items()})
        if total_steps % save_latest_freq == 0:
            print('saving the latest model (epoch %d, total_steps %d)' %
                  (epoch, total_steps))
    print('saving the model at the end of epoch %d, iters %d' %
          (epoch, total_steps))
    print('End of epoch %d / %d \t Time Taken: %d sec' %
          (epoch, 100 + 100, 312 + epoch))
