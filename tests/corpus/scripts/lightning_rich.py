import csv, glob, os, tempfile, warnings
warnings.filterwarnings("ignore")
import torch
import lightning as L
from lightning.pytorch.loggers import CSVLogger
from _expect import data, save
X, y, _ = data(64)
X, y = torch.tensor(X), torch.tensor(y).unsqueeze(1)
ds = torch.utils.data.TensorDataset(X, y)

class M(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(4, 1)
    def training_step(self, b, i):
        loss = torch.nn.functional.mse_loss(self.l1(b[0]), b[1])
        self.log("train_loss", loss, on_step=False, on_epoch=True, prog_bar=True)
        return loss
    def validation_step(self, b, i):
        self.log("val_loss", torch.nn.functional.mse_loss(self.l1(b[0]), b[1]), prog_bar=True)
    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.05)

torch.manual_seed(0)
out = tempfile.mkdtemp()
from lightning.pytorch.callbacks import RichProgressBar
t = L.Trainer(max_epochs=3, logger=CSVLogger(out), accelerator="cpu", enable_checkpointing=False,
              callbacks=[RichProgressBar()])  # what Lightning picks when rich is installed
t.fit(M(), torch.utils.data.DataLoader(ds, batch_size=16), torch.utils.data.DataLoader(ds, batch_size=32))
rows = list(csv.DictReader(open(glob.glob(os.path.join(out, "**", "metrics.csv"), recursive=True)[0])))
by_epoch = {}
for r in rows:
    e = int(r["epoch"])
    for k in ("train_loss", "val_loss"):
        if r.get(k):
            by_epoch.setdefault(e, {})[k] = float(r[k])
# The bar shows the logger's version as v_num: the logger's own field, not a metric.
# On a terminal the live display shows every epoch (its last state before the next epoch's);
# on pipes rich draws it once, at the end: the last epoch.
import sys
epochs = sorted(by_epoch) if sys.stdout.isatty() else [max(by_epoch)]
save([(e, dict(by_epoch[e], Epoch=e)) for e in epochs])
