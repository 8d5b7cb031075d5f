"""pytorch/examples distributed/ddp-tutorial-series/single_gpu.py: per epoch `[GPU0] Epoch 0 |
Batchsize: 32 | Steps: 64` and, every save_every epochs, `Epoch 0 | Training checkpoint saved
at checkpoint.pt`. The lines hold a batch size and a count of steps, no metric: a careful
user expects no record but the epoch."""
from _case import Case

case = Case("pytorch/examples", "distributed/ddp-tutorial-series/single_gpu.py",
            "77f55b912142e11fcfdf5b530231fb9c52f181e8", either=["epoch"])
gpu_id, b_sz, steps, save_every, PATH = 0, 32, 64, 2, "checkpoint.pt"
for epoch in range(10):  # python single_gpu.py 10 2
    print(f"[GPU{gpu_id}] Epoch {epoch} | Batchsize: {b_sz} | Steps: {steps}")
    if epoch % save_every == 0:
        print(f"Epoch {epoch} | Training checkpoint saved at {PATH}")
