"""pytorch/examples reinforcement_learning/reinforce.py (actor_critic.py prints the same):
`Episode N\tLast reward: R\tAverage reward: R` every log_interval episodes, a closing sentence."""
import random

from _case import Case, printed

case = Case("pytorch/examples", "reinforcement_learning/reinforce.py",
            "77f55b912142e11fcfdf5b530231fb9c52f181e8",
            either=["episode", "running_reward"])
rnd = random.Random(3)
log_interval, reward_threshold = 10, 475.0
running_reward = 10
for i_episode in range(1, 10000):
    t = min(499, int(10 + i_episode * 1.7 + rnd.random() * 30))
    ep_reward = float(t + 1)
    running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
    if i_episode % log_interval == 0:
        print(f'Episode {i_episode}\tLast reward: {ep_reward:.2f}\tAverage reward: {running_reward:.2f}')
        case.want(i_episode, {"last_reward": printed(ep_reward, ".2f"),
                              "average_reward|avg_reward": printed(running_reward, ".2f")})
    if running_reward > reward_threshold:
        print(f"Solved! Running reward is now {running_reward} and the last episode runs to {t} time steps!")
        break
