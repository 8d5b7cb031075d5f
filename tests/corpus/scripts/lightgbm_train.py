import numpy as np
import lightgbm as lgb
from _expect import data, save
X, y, _ = data(200)
tr = lgb.Dataset(np.array(X[:150]), label=np.array(y[:150]))
va = lgb.Dataset(np.array(X[150:]), label=np.array(y[150:]), reference=tr)
res = {}
lgb.train({"objective": "regression", "verbose": 1, "num_leaves": 4, "metric": ["l2", "l1"]},
          tr, 5, valid_sets=[tr, va], callbacks=[lgb.log_evaluation(1), lgb.record_evaluation(res)])
save([(i + 1, {f"{ds}/{m}": res[ds][m][i] for ds in res for m in res[ds]}) for i in range(5)])
