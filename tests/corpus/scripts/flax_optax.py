import jax.numpy as jnp
import optax
from flax import nnx
from _expect import data, save
X, y, _ = data(64)
X, y = jnp.array(X), jnp.array(y)[:, None]
model = nnx.Linear(4, 1, rngs=nnx.Rngs(0))
opt = nnx.Optimizer(model, optax.adam(0.05), wrt=nnx.Param)
def loss_fn(m, x, t):
    return jnp.mean((m(x) - t) ** 2)
@nnx.jit
def step(m, o, x, t):
    l, g = nnx.value_and_grad(loss_fn)(m, x, t)
    o.update(m, g)
    return l
recs = []
for epoch in range(1, 4):
    for i in range(0, 48, 16):
        train_loss = step(model, opt, X[i:i + 16], y[i:i + 16])
    test_loss = loss_fn(model, X[48:], y[48:])
    # The format of flax's MNIST example.
    print(f"epoch:{epoch:3}, train_loss: {float(train_loss):.4f}, test_loss: {float(test_loss):.4f}")
    recs.append((epoch, {"epoch": epoch, "train_loss": round(float(train_loss), 4), "test_loss": round(float(test_loss), 4)}))
save(recs)
