import tempfile
import numpy as np
from catboost import CatBoostRegressor
from _expect import data, save
X, y, _ = data(100)
m = CatBoostRegressor(iterations=8, depth=2, verbose=1, random_seed=0,
                      train_dir=tempfile.mkdtemp(), allow_writing_files=False)
m.fit(np.array(X[:80]), np.array(y[:80]), eval_set=(np.array(X[80:]), np.array(y[80:])))
r = m.get_evals_result()
learn, test = r["learn"]["RMSE"], r["validation"]["RMSE"]
recs = [(i, {"learn": learn[i], "test": test[i], "best": min(test[:i + 1])}) for i in range(8)]
# The summary after training: the best score and its iteration.
recs.append((None, {"bestTest": m.get_best_score()["validation"]["RMSE"]}))
recs.append((None, {"bestIteration": m.get_best_iteration()}))
save(recs)
