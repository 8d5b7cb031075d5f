import numpy as np
from sklearn.neural_network import MLPClassifier
from _expect import data, save
import warnings
X, y, c = data()
m = MLPClassifier(hidden_layer_sizes=(8,), max_iter=8, verbose=True, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    m.fit(np.array(X), np.array(c))
save([(i + 1, {"Iteration": i + 1, "loss": v}) for i, v in enumerate(m.loss_curve_)])
