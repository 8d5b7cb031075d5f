import warnings
warnings.filterwarnings("ignore")
import pandas as pd
from fastai.tabular.all import TabularDataLoaders, tabular_learner, Normalize, accuracy
from _expect import data, save
X, y, c = data(128)
df = pd.DataFrame(X, columns=["a", "b", "c", "d"]); df["t"] = c
dls = TabularDataLoaders.from_df(df, y_names="t", cont_names=["a", "b", "c", "d"], procs=[Normalize],
                                 y_block=None, bs=32, valid_idx=list(range(96, 128)))
import torch; torch.manual_seed(0)
learn = tabular_learner(dls, layers=[8], metrics=accuracy)
learn.fit(3, 1e-2)
v = learn.recorder.values  # per epoch: [train_loss, valid_loss, accuracy]
names = learn.recorder.metric_names[1:-1]  # without 'epoch' and 'time'
save([(e, dict({"epoch": e}, **{n: x for n, x in zip(names, row)})) for e, row in enumerate(v)])
