"""Hooks that make a test's timing deterministic, for this process (as fixtures) or for an app under test
(``running_app(..., hooks=[...])`` starts ``python -m tests.hooks HOOK,... -- APP ARGUMENTS``)."""

from __future__ import annotations

import runpy
import sys
import time

HELD_EPOCHS = 20  # the most the Fine-tune tab allows


def held_before_the_last_step(train, applies=lambda settings: True):
    """``FineTuneBase.train`` whose run (when ``applies(settings)``) cannot finish by itself: before its last
    step it waits until its stop flag is set, so Stop (or a cancelled request) surely finds it running,
    however fast the machine trains. While it waits it reports its progress again every 0.2 s, as a running
    training does (a request streaming the progress keeps yielding, and can be cancelled)."""
    from models.fine_tune.trainer import StepDone

    def held(self, train_data, validation, settings, report, stop):
        def report_then_wait(item):
            report(item)
            if isinstance(item, StepDone) and item.step == item.total_steps - 1 and applies(settings):
                deadline = time.monotonic() + 300  # an upper bound: the test stops it long before
                while not stop.wait(0.2):
                    assert time.monotonic() < deadline, "the test never stopped the training"
                    report(item)

        return train(self, train_data, validation, settings, report_then_wait, stop)

    return held


def hold_long_trainings() -> None:
    """In the app: a training of HELD_EPOCHS epochs cannot finish by itself (shorter ones run through)."""
    from models.fine_tune.trainer import FineTuneBase

    FineTuneBase.train = held_before_the_last_step(FineTuneBase.train,
                                                   lambda settings: settings.epochs == HELD_EPOCHS)


def freeze_rate_limit_clock() -> None:
    """In the app: the rate limiter's clock stands still, so a test's requests all fall in one window
    however slowly the machine serves them (on a real clock, a minute-long run would reopen the window)."""
    from demos.server.access import RateLimiter

    init = RateLimiter.__init__

    def frozen(self, per_minute, clock=None):
        init(self, per_minute, clock=lambda: 0.0)

    RateLimiter.__init__ = frozen


HELD_STEPS = 4  # the most steps sd-turbo allows
HELD_AT_STEP = 2


def held_after_a_step(generate):
    """``DiffusersRunner._generate`` whose streamed generations of HELD_STEPS steps cannot finish by themselves:
    after step HELD_AT_STEP (and its preview) it reports that step again every 0.2 s until its stop flag ends
    it, so Stop surely finds it running, however fast the machine paints. Other generations run through."""

    def held(self, prompt, negative_prompt, steps, guidance, width, height, num_images, seed, on_step, watch=None):
        def holding(done, total, latents):
            watch(done, total, latents)
            deadline = time.monotonic() + 300  # an upper bound: the test stops it long before
            while done == HELD_AT_STEP:
                assert time.monotonic() < deadline, "the test never stopped the generation"
                time.sleep(0.2)
                watch(done, total, None)  # raises once the stop flag is set

        held_here = watch is not None and steps == HELD_STEPS
        return generate(self, prompt, negative_prompt, steps, guidance, width, height, num_images, seed, on_step,
                        holding if held_here else watch)

    return held


def hold_long_generations() -> None:
    """In the app: a generation of HELD_STEPS steps waits after step HELD_AT_STEP until it is stopped."""
    from models.families.runners.diffusers_t2i import DiffusersRunner

    DiffusersRunner._generate = held_after_a_step(DiffusersRunner._generate)


HOOKS = {"hold-long-trainings": hold_long_trainings, "freeze-rate-limit-clock": freeze_rate_limit_clock,
         "hold-long-generations": hold_long_generations}


def main(argv: list[str]) -> None:
    names, separator, *app_args = argv
    assert separator == "--", "usage: python -m tests.hooks HOOK[,HOOK] -- APP ARGUMENTS"
    for name in names.split(","):
        HOOKS[name]()
    from tests.conftest import ROOT

    sys.argv = [str(ROOT / "app.py"), *app_args]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
