from lightning.pytorch.callbacks import TQDMProgressBar
from _expect import save
from _lightning import fit
by_epoch = fit(TQDMProgressBar())  # the classic bar (RichProgressBar is the other)
# The bar shows the logger's version as v_num: the logger's own field, not a metric.
# The bar's description `Epoch N` is the step, and a value like any other.
save([(e, dict(by_epoch[e], Epoch=e)) for e in sorted(by_epoch)])
