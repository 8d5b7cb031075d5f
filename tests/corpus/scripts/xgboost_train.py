import numpy as np
import xgboost as xgb
from _expect import data, save
X, y, _ = data()
dtrain = xgb.DMatrix(np.array(X[:48]), label=np.array(y[:48]))
dval = xgb.DMatrix(np.array(X[48:]), label=np.array(y[48:]))
res = {}
xgb.train({"max_depth": 2, "eval_metric": ["rmse", "mae"]}, dtrain, 6,
          evals=[(dtrain, "train"), (dval, "eval")], evals_result=res, verbose_eval=True)
save([(i, {f"{ds}-{m}": res[ds][m][i] for ds in ("train", "eval") for m in ("rmse", "mae")})
      for i in range(6)])
