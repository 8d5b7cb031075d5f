"""jik876/hifi-gan train.py (config_v1.json): the batch size, `print(generator)`, the
checkpoint directory, `Epoch: 1`, every stdout_interval steps `Steps : 100, Gen Loss Total :
45.123, Mel-Spec. Error : 0.823, s/b : 0.312` (a blank before each colon, labels of three
words and an abbreviation), and the time per epoch."""
import random

from _case import Case, printed

case = Case("jik876/hifi-gan", "train.py", "4769534d45265d52a904b850da5a622601885777",
            either=["steps", "step", "s/b", "s_b", "epoch"])
rnd = random.Random(43)
print('Initializing Training Process..')
print('Batch size per GPU :', 16)
# What torch prints for the start of the V1 generator (weight-normed convolutions).
print("""Generator(
  (conv_pre): Conv1d(80, 512, kernel_size=(7,), stride=(1,), padding=(3,))
  (ups): ModuleList(
    (0): ConvTranspose1d(512, 256, kernel_size=(16,), stride=(8,), padding=(4,))
    (1): ConvTranspose1d(256, 128, kernel_size=(16,), stride=(8,), padding=(4,))
    (2): ConvTranspose1d(128, 64, kernel_size=(4,), stride=(2,), padding=(1,))
    (3): ConvTranspose1d(64, 32, kernel_size=(4,), stride=(2,), padding=(1,))
  )
  (conv_post): Conv1d(32, 1, kernel_size=(7,), stride=(1,), padding=(3,))
)""")
print("checkpoints directory : ", "cp_hifigan")
steps, stdout_interval = 0, 5
for epoch in range(0, 3):
    print("Epoch: {}".format(epoch+1))
    for i in range(40):
        if steps % stdout_interval == 0:
            loss_gen_all = 120 / (1 + steps / 20) + 30 + rnd.random()
            mel_error = 2.0 / (1 + steps / 30) + 0.3 + rnd.random() * 0.01
            print('Steps : {:d}, Gen Loss Total : {:4.3f}, Mel-Spec. Error : {:4.3f}, s/b : {:4.3f}'.
                  format(steps, loss_gen_all, mel_error, 0.3 + rnd.random() * 0.02))
            case.want(steps, {"gen_loss_total|gen/loss_total|loss_total|gen_loss":
                              printed(loss_gen_all, "4.3f"),
                              "mel-spec._error|mel_spec_error|mel_spec._error|mel-spec_error":
                              printed(mel_error, "4.3f")})
        steps += 1
    print('Time taken for epoch {} is {} sec\n'.format(epoch + 1, 312 + epoch))
