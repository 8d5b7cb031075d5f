"""The tiny Lightning training both Lightning transcripts run; they differ only in the bar."""
import csv, glob, os, tempfile, warnings
warnings.filterwarnings("ignore")
import torch
import lightning as L
from lightning.pytorch.loggers import CSVLogger
from _expect import data


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


def fit(progress_bar):
    """Three epochs with `progress_bar`; {epoch: {train_loss, val_loss}} from the CSVLogger's
    metrics.csv (the library's own record, not the console)."""
    X, y, _ = data(64)
    X, y = torch.tensor(X), torch.tensor(y).unsqueeze(1)
    ds = torch.utils.data.TensorDataset(X, y)
    torch.manual_seed(0)
    out = tempfile.mkdtemp()
    t = L.Trainer(max_epochs=3, logger=CSVLogger(out), accelerator="cpu",
                  enable_checkpointing=False, callbacks=[progress_bar])
    t.fit(M(), torch.utils.data.DataLoader(ds, batch_size=16),
          torch.utils.data.DataLoader(ds, batch_size=32))
    rows = list(csv.DictReader(open(glob.glob(os.path.join(out, "**", "metrics.csv"),
                                              recursive=True)[0])))
    by_epoch = {}
    for r in rows:
        e = int(r["epoch"])
        for k in ("train_loss", "val_loss"):
            if r.get(k):
                by_epoch.setdefault(e, {})[k] = float(r[k])
    return by_epoch
