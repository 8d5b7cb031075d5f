"""optuna/optuna-examples pytorch/pytorch_simple.py, with the real optuna: its log line per
trial on stderr (`Trial 3 finished with value: 0.71 and parameters: {...}. Best is trial 1
with value: 0.78.`, `Trial 5 pruned.`), then the study statistics and the best trial printed.
The model's accuracy is synthetic, a function of the suggested parameters."""
import math

import optuna
from optuna.trial import TrialState

from _case import Case

case = Case("optuna/optuna-examples", "pytorch/pytorch_simple.py",
            "2e0b10bc54501e801687e114de3cbe1b6d2407dc",
            # A trial's parameters, printed as a dict beside its value, may be recorded.
            either=["n_layers", "n_units_l*", "dropout_l*", "lr", "trial", "best*"])
EPOCHS = 10


def objective(trial):
    n_layers = trial.suggest_int("n_layers", 1, 3)
    units = []
    for i in range(n_layers):
        units.append(trial.suggest_int("n_units_l{}".format(i), 4, 128))
        trial.suggest_float("dropout_l{}".format(i), 0.2, 0.5)
    optimizer_name = trial.suggest_categorical("optimizer", ["Adam", "RMSprop", "SGD"])
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    ceiling = 0.8 - 0.05 * abs(math.log10(lr) + 3) + 0.0005 * sum(units)
    for epoch in range(EPOCHS):
        accuracy = ceiling * (1 - math.exp(-(epoch + 1) / 3)) + (optimizer_name == "Adam") * 0.01
        trial.report(accuracy, epoch)
        if trial.should_prune():
            raise optuna.exceptions.TrialPruned()
    return accuracy


if __name__ == "__main__":
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=30, timeout=600)

    pruned_trials = study.get_trials(deepcopy=False, states=[TrialState.PRUNED])
    complete_trials = study.get_trials(deepcopy=False, states=[TrialState.COMPLETE])

    print("Study statistics: ")
    print("  Number of finished trials: ", len(study.trials))
    print("  Number of pruned trials: ", len(pruned_trials))
    print("  Number of complete trials: ", len(complete_trials))

    print("Best trial:")
    trial = study.best_trial

    print("  Value: ", trial.value)

    print("  Params: ")
    for key, value in trial.params.items():
        print("    {}: {}".format(key, value))

    # What the study's own API says each finished trial's line gave; the closing summary
    # repeats the best trial's value.
    for t in complete_trials:
        case.want(t.number, {"value": t.value})
    case.may(None, {"value|best_trial/value": trial.value})
