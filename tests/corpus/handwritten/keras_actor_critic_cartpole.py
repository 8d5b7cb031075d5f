"""keras-team/keras-io examples/rl/actor_critic_cartpole.py: every 10 episodes `running
reward: 23.45 at episode 10` (the value before its step), then `Solved at episode 312!`."""
import random

from _case import Case, printed

case = Case("keras-team/keras-io", "examples/rl/actor_critic_cartpole.py",
            "0df30d775727a6789b7bdb4028561f2026cc4d52", either=["episode"])
rnd = random.Random(47)
running_reward, episode_count = 0, 0
while True:
    episode_reward = min(500, 10 + episode_count * 0.9 + rnd.random() * 20)
    running_reward = 0.05 * episode_reward + (1 - 0.05) * running_reward
    episode_count += 1
    if episode_count % 10 == 0:
        template = "running reward: {:.2f} at episode {}"
        print(template.format(running_reward, episode_count))
        case.want(episode_count, {"running_reward": printed(running_reward, ".2f")})
    if running_reward > 195:  # Condition to consider the task solved
        print("Solved at episode {}!".format(episode_count))
        break
