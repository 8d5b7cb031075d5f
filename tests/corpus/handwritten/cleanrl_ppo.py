"""vwxyzjn/cleanrl cleanrl/ppo.py: `global_step=N, episodic_return=[R]` per finished episode
(the return is the numpy array gymnasium's RecordEpisodeStatistics gives) and `SPS: N` per
update; everything else goes to TensorBoard."""
import random
import time

import numpy as np

from _case import Case

case = Case("vwxyzjn/cleanrl", "cleanrl/ppo.py", "fe8d8a03c41a7ef5b523e2e354bd01c363e786bb",
            either=["sps", "global_step"])
rnd = random.Random(10)
num_envs, num_steps, total_timesteps = 4, 128, 20000
batch_size = num_envs * num_steps
num_iterations = total_timesteps // batch_size
global_step, start_time = 0, time.time() - 1.0
ep_len = [0] * num_envs
for iteration in range(1, num_iterations + 1):
    for step in range(0, num_steps):
        global_step += num_envs
        infos = {}
        for env in range(num_envs):
            ep_len[env] += 1
            if rnd.random() < 1 / (15 + global_step / 200):
                infos.setdefault("final_info", [None] * num_envs)[env] = {
                    "episode": {"r": np.array([ep_len[env]], dtype=np.float32),
                                "l": np.array([ep_len[env]], dtype=np.int32)}}
                ep_len[env] = 0
        if "final_info" in infos:
            for info in infos["final_info"]:
                if info and "episode" in info:
                    print(f"global_step={global_step}, episodic_return={info['episode']['r']}")
                    case.want(global_step, {"episodic_return": float(info['episode']['r'][0])})
    print("SPS:", int(global_step / (time.time() - start_time)))
