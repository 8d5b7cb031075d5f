import tempfile
from torch.utils.tensorboard import SummaryWriter
from _expect import save
w = SummaryWriter(tempfile.mkdtemp())
for i in range(5):
    w.add_scalar("train/loss", 1.0 / (i + 1), i)
w.close()
save([])  # it prints nothing: the console must give no record
