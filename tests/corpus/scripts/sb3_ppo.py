import csv, os, tempfile, warnings
warnings.filterwarnings("ignore")
from stable_baselines3 import PPO
from stable_baselines3.common.logger import configure
from _expect import save
out = tempfile.mkdtemp()
model = PPO("MlpPolicy", "CartPole-v1", n_steps=64, batch_size=32, n_epochs=1, seed=0, verbose=1,
            device="cpu")
model.set_logger(configure(out, ["stdout", "csv"]))  # the same table, and a CSV of it
model.learn(total_timesteps=192)
recs = []
for row in csv.DictReader(open(os.path.join(out, "progress.csv"))):
    recs.append((None, {k: float(v) for k, v in row.items() if v != ""}))
save(recs)
