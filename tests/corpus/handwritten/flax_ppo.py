"""google/flax examples/ppo (ppo_main.py and ppo_lib.py, Pong) through absl logging:
`Playing PongNoFrameskip-v4 with 6 actions`, `Start training from step: 0`, and every 40
steps one log record over several lines: `Step 40:` (behind absl's prefix), `frames seen
40960`, `score -20.0` and two blank lines — the value's name is on its own line, the step
two lines above it."""
import random

from absl import app, logging

from _case import Case

case = Case("google/flax", "examples/ppo/ppo_lib.py", "18f8f311c275d57f46d95e41b15aa97b454754c0",
            either=["step", "frames_seen", "frames"])


def main(argv):
  rnd = random.Random(85)
  game, num_actions = 'Pong' + 'NoFrameskip-v4', 6
  print(f'Playing {game} with {num_actions} actions')
  num_agents, actor_steps, log_frequency = 8, 128, 40
  start_step = 0
  logging.info('Start training from step: %s', start_step)
  for step in range(start_step, 1201):
    if step % log_frequency == 0:
      score = float(max(-21, min(21, -21 + step // 40 + rnd.randrange(-2, 3))))
      frames = step * num_agents * actor_steps
      logging.info(
          'Step %s:\nframes seen %s\nscore %s\n\n', step, frames, score
      )
      case.want([step, frames], {"score|game_score": score})


if __name__ == '__main__':
  app.run(main)
