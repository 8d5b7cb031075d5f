"""keras-team/keras-io examples/rl/deep_q_network_breakout.py: `model_target.predict(...)`
every fourth frame shows Keras 2's progress bar for one batch (`1/1 [======…] - 0s
17ms/step`), and every 10,000 frames `running reward: 0.23 at episode 123, frame count 10000`
(the step word AFTER the value: `at episode N`), with `Solved at episode N!` at the end."""
import random

from _case import Case, printed

case = Case("keras-team/keras-io", "examples/rl/deep_q_network_breakout.py",
            "8bda227c08adf855a8b9ec579840e2a7171fff60",
            either=["episode", "frame_count", "frame count"])
rnd = random.Random(83)
update_after_actions, update_target_network, batch_size = 4, 10000, 32
running_reward, episode_count, frame_count = 0, 0, 0
episode_reward_history = []
while True:
    episode_reward = 0
    for timestep in range(1, 10000):
        frame_count += 1
        done = rnd.random() < 1 / 180
        episode_reward += 1.0 if rnd.random() < 0.02 + frame_count / 4e6 else 0.0
        if frame_count % update_after_actions == 0 and frame_count > batch_size:
            print(f"1/1 [==============================] - 0s {rnd.randrange(14, 30)}ms/step")
        if frame_count % update_target_network == 0:
            template = "running reward: {:.2f} at episode {}, frame count {}"
            print(template.format(running_reward, episode_count, frame_count))
            case.want(episode_count, {"running_reward|reward": printed(running_reward, ".2f")})
        if done:
            break
    episode_reward_history.append(episode_reward)
    if len(episode_reward_history) > 100:
        del episode_reward_history[:1]
    running_reward = sum(episode_reward_history) / len(episode_reward_history)
    episode_count += 1
    if running_reward > 40 or frame_count > 60000:  # the run is cut short here
        print("Solved at episode {}!".format(episode_count))
        break
