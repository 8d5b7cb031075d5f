"""pytorch/examples time_sequence_prediction/train.py: LBFGS steps, `STEP:  i` then the
closure's `loss: 0.5123…` (several per step, full float repr) and `test loss: …`."""
import random

from _case import Case

case = Case("pytorch/examples", "time_sequence_prediction/train.py", "77f55b912142e11fcfdf5b530231fb9c52f181e8", either=["step"])
rnd = random.Random(21)
for i in range(15):  # --steps 15
    print('STEP: ', i)
    for _ in range(rnd.randrange(3, 20)):  # LBFGS calls the closure up to max_iter times
        loss = 0.5 / (1 + i) * (0.5 + rnd.random())
        print('loss:', loss)
        case.want(i, {"loss|train/loss": loss})
    test_loss = 0.4 / (1 + i) * (0.5 + rnd.random())
    print('test loss:', test_loss)
    case.want(i, {"test/loss|test_loss": test_loss})
