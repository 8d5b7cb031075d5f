"""
=====================================
Visualization of MLP weights on MNIST
=====================================

Sometimes looking at the learned coefficients of a neural network can provide
insight into the learning behavior. For example if weights look unstructured,
maybe some were not used at all, or if very large coefficients exist, maybe
regularization was too low or the learning rate too high.

This example shows how to plot some of the first layer weights in a
MLPClassifier trained on the MNIST dataset.

The input data consists of 28x28 pixel handwritten digits, leading to 784
features in the dataset. Therefore the first layer weight matrix have the shape
(784, hidden_layer_sizes[0]).  We can therefore visualize a single column of
the weight matrix as a 28x28 pixel image.

To make the example run faster, we use very few hidden units, and train only
for a very short time. Training longer would result in weights with a much
smoother spatial appearance. The example will throw a warning because it
doesn't converge, in this case this is what we want because of CI's time
constraints.
"""
# scikit-learn/scikit-learn examples/neural_networks/plot_mnist_filters.py (its docstring
# above is what it prints first), with the real scikit-learn: the bundled 8x8 digits stand
# in for MNIST. `Iteration N, loss = x` from the verbose fit, then the two scores.
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from _case import Case

case = Case("scikit-learn/scikit-learn", "examples/neural_networks/plot_mnist_filters.py",
            "a9bc7b7ee8487ad9d89b8f1326eb778d07e5764e", either=["iteration"])
print(__doc__)
X, y = load_digits(return_X_y=True)
X = X / 16.
X_train, X_test = X[:1500], X[1500:]
y_train, y_test = y[:1500], y[1500:]

mlp = MLPClassifier(hidden_layer_sizes=(50,), max_iter=10, alpha=1e-4,
                    solver='sgd', verbose=10, random_state=1,
                    learning_rate_init=.1)
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=ConvergenceWarning,
                            module="sklearn")
    mlp.fit(X_train, y_train)

print("Training set score: %f" % mlp.score(X_train, y_train))
print("Test set score: %f" % mlp.score(X_test, y_test))
# The library's own record of what it printed.
for i, loss in enumerate(mlp.loss_curve_):
    case.want(i + 1, {"loss|train/loss": float("%.8f" % loss)})
case.want(None, {"train/score|training/score|training_set/score":
                 float("%f" % mlp.score(X_train, y_train)),
                 "test/score|test_set/score": float("%f" % mlp.score(X_test, y_test))})
