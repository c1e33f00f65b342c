"""Early stopping: when a run may end before its planned steps (Whetstone's extension).

The monitored loss is the validation loss of a fixed batch of the validation file, measured at
every periodic validation, or, without a validation file, an exponential moving average of the
training loss, after every step. The run stops at a check once `patience` optimizer steps have
passed since the monitored loss last fell by at least `min_delta` below its best. Pure Python
(no torch): the state is a few floats, saved in every checkpoint so that a resumed run decides
as the uninterrupted one would.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from service.training.hyperparameters import EarlyStopping

# Weight of the previous average in the smoothed training loss: about a five-step window. It
# evens out batch-to-batch differences; a longer one lags a falling loss so much (the first
# losses of a random model are ~7) that a 20-example emulator run stopped at step 79, not 55.
TRAINING_LOSS_SMOOTHING = 0.8


@dataclass
class EarlyStoppingState:
    """What the rule has seen so far; saved in checkpoints."""

    # The smoothed training loss (None before the first step, or when validation decides).
    smoothed: float | None = None
    best: float | None = None
    best_step: int = 0

    def state_dict(self) -> dict[str, float | int | None]:
        """A plain dict for torch.save."""
        return asdict(self)

    @classmethod
    def from_state_dict(cls, state: dict[str, float | int | None]) -> EarlyStoppingState:
        """The inverse of state_dict."""
        smoothed, best, best_step = state.get("smoothed"), state.get("best"), state.get("best_step")
        return cls(
            smoothed=None if smoothed is None else float(smoothed),
            best=None if best is None else float(best),
            best_step=int(best_step or 0),
        )


class EarlyStopper:
    """Decides, after a step, whether the run ends there."""

    def __init__(self, settings: EarlyStopping, *, on_validation: bool):
        self.settings = settings
        # Whether the monitored loss is the validation loss (else the smoothed training loss).
        self.on_validation = on_validation
        self.state = EarlyStoppingState()

    @property
    def monitored(self) -> str:
        """The monitored loss, in words."""
        return "validation loss" if self.on_validation else "smoothed training loss"

    def smooth(self, train_loss: float) -> float:
        """Fold one step's training loss into the moving average; the new average."""
        previous = self.state.smoothed
        smoothed = (
            train_loss
            if previous is None
            else TRAINING_LOSS_SMOOTHING * previous + (1 - TRAINING_LOSS_SMOOTHING) * train_loss
        )
        self.state.smoothed = smoothed
        return smoothed

    def check(self, step: int, loss: float) -> bool:
        """Record the monitored loss at `step`; whether the run should stop now."""
        best = self.state.best
        if best is None or loss < best - self.settings.min_delta:
            self.state.best, self.state.best_step = loss, step
            return False
        return step - self.state.best_step >= self.settings.patience

    def message(self, step: int, total_steps: int) -> str:
        """The job event of a run that stopped at `step`."""
        return (
            f"Stopped early at step {step} of {total_steps}: the {self.monitored} did not "
            f"improve by {self.settings.min_delta:g} for {step - self.state.best_step} steps "
            f"(best {self.state.best or 0.0:.4f} at step {self.state.best_step})."
        )
