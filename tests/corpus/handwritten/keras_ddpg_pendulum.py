"""keras-team/keras-io examples/rl/ddpg_pendulum.py: the environment's sizes and bounds
(`Size of State Space ->  3`, `Max Value of Action ->  2.0`, `Min Value of Action ->  -2.0`),
then per episode `Episode * 0 * Avg Reward is ==> -1412.3728613453245` (the mean of the last
40 episodes' rewards, a numpy float64 formatted with `{}`: every digit; the step word set off
by stars, the label a sentence ending in an arrow)."""
import random

import numpy as np

from _case import Case

case = Case("keras-team/keras-io", "examples/rl/ddpg_pendulum.py",
            "8bda227c08adf855a8b9ec579840e2a7171fff60", either=["episode"])
rnd = random.Random(77)
num_states, num_actions, upper_bound, lower_bound = 3, 1, np.float32(2.0), np.float32(-2.0)
print("Size of State Space ->  {}".format(num_states))
print("Size of Action Space ->  {}".format(num_actions))
print("Max Value of Action ->  {}".format(upper_bound))
print("Min Value of Action ->  {}".format(lower_bound))

total_episodes = 100
ep_reward_list = []
avg_reward_list = []
for ep in range(total_episodes):
    episodic_reward = 0
    for _ in range(200):  # Pendulum's 200 steps, each reward in [-16.27, 0]
        episodic_reward += -rnd.random() * 8.0 * max(0.05, 1 - ep / 40)
    ep_reward_list.append(episodic_reward)

    # Mean of last 40 episodes
    avg_reward = np.mean(ep_reward_list[-40:])
    print("Episode * {} * Avg Reward is ==> {}".format(ep, avg_reward))
    avg_reward_list.append(avg_reward)
    case.want(ep, {"avg_reward|avg._reward|reward": float(str(avg_reward))})
