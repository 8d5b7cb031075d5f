"""karpathy/makemore makemore.py (`python makemore.py -i names.txt -o names`): the arguments as
a dict, the dataset summary, the parameter count, every 10 steps `step 10 | loss 2.9832 | step
time 12.34ms`, every 500 steps `step 500 train loss: 2.2237… test loss: 2.2456…` (full
floats) and the best-so-far sentence, every 200 steps the samples."""
import random

from _case import Case, printed

case = Case("karpathy/makemore", "makemore.py", "988aa59e4d8fefa526d06f3b453ad116258398d4",
            either=["step", "step_time", "time"])
rnd = random.Random(40)
args = {'input_file': 'names.txt', 'work_dir': 'names', 'resume': False, 'sample_only': False,
        'num_workers': 4, 'max_steps': -1, 'device': 'cpu', 'seed': 3407, 'top_k': -1,
        'type': 'transformer', 'n_layer': 4, 'n_head': 4, 'n_embd': 64, 'n_embd2': 64,
        'batch_size': 32, 'learning_rate': 0.0005, 'weight_decay': 0.01}
words = 32033
print(f"number of examples in the dataset: {words}")
print(f"max word length: {15}")
print(f"number of unique characters in the vocabulary: {26}")
print("vocabulary:")
print("abcdefghijklmnopqrstuvwxyz")
print(f"split up the dataset into {31033} training examples and {1000} test examples")
print(args)
vocab_size, block_size = 27, 16
print(f"dataset determined that: {vocab_size=}, {block_size=}")
print("number of parameters: %.2fM" % (0.20,))
print(f"model #params: {204544}")
best_loss = None
for step in range(0, 1501):
    loss = 3.3 / (1 + step / 400) + 1.9 + rnd.random() * 0.05
    if step % 10 == 0:
        print(f"step {step} | loss {loss:.4f} | step time {(0.012 + rnd.random() * 0.002)*1000:.2f}ms")
        case.want(step, {"loss|train/loss": printed(loss, ".4f")})
    if step > 0 and step % 500 == 0:
        train_loss = loss - 0.02 * rnd.random()
        test_loss = train_loss + 0.03
        print(f"step {step} train loss: {train_loss} test loss: {test_loss}")
        case.want(step, {"train/loss|train_loss": train_loss, "test/loss|test_loss": test_loss})
        if best_loss is None or test_loss < best_loss:
            out_path = "names/model.pt"
            print(f"test loss {test_loss} is the best so far, saving model to {out_path}")
            case.may(None, {"test/loss|test_loss": test_loss})
            best_loss = test_loss
    if step > 0 and step % 200 == 0:
        print('-'*80)
        for n, desc in ((3, 'in train'), (1, 'in test'), (6, 'new')):
            print(f"{n} samples that are {desc}:")
            for _ in range(n):
                print("".join(rnd.choice("aeilnorsty") for _ in range(rnd.randrange(3, 8))))
        print('-'*80)
