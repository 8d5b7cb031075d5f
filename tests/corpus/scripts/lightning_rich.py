import sys
from lightning.pytorch.callbacks import RichProgressBar
from _expect import save
from _lightning import fit
by_epoch = fit(RichProgressBar())  # what Lightning picks when rich is installed
# On a terminal the live display shows every epoch (its last state before the next epoch's);
# on pipes rich draws it once, at the end: the last epoch.
epochs = sorted(by_epoch) if sys.stdout.isatty() else [max(by_epoch)]
save([(e, dict(by_epoch[e], Epoch=e)) for e in epochs])
