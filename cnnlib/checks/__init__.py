"""Exercise checkers: run a learner's function against the reference on many cases.

Cases run smallest first, so the first failure is the smallest failing case; it is reported
with its input, the expected and the received answer, and a hint when the answer matches a
known mistake (a flipped kernel, an off-by-one size). A function that returns several values
(e.g. two gradients) is checked value by value, and the report names the wrong one. An exercise
left as ``raise NotImplementedError`` is reported as unanswered, not raised, so a notebook still
runs top to bottom; a function that loops forever is stopped after ``TIME_LIMIT`` seconds on a
case (or by the stop button) and reported with that case, not with a traceback. One module per
notebook holds that notebook's checkers.
"""

import inspect
import itertools
import signal
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

# seconds per case: the slowest worked solution takes about 40 ms on a case (notebook 03's forward
# pass on a 28 x 28 input, with 5 kernels), and so does a six-deep pure-Python loop; 5 s is 100x that
TIME_LIMIT = 5.0


@dataclass
class CheckResult:
    """The verdict on one exercise; true only when every case passed."""

    exercise: str
    status: str  # "passed", "failed" or "unanswered"
    message: str
    case: dict | None = None  # the smallest failing case: its arguments, expected, got

    def __bool__(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:
        mark = {"passed": "✅", "failed": "❌", "unanswered": "✏️"}[self.status]
        return f"{mark} {self.exercise}: {self.message}"


@dataclass
class Mistake:
    """A plausible wrong answer: ``answer(*args)`` computes it, ``hint`` explains it."""

    hint: str
    answer: Callable


def check_function(
    exercise: str,
    learner: Callable,
    reference: Callable,
    cases: Sequence[tuple],
    mistakes: Sequence[Mistake] = (),
    parts: Sequence[str] = (),
    time_limit: float | None = None,
) -> CheckResult:
    """Compare ``learner(*args)`` with ``reference(*args)`` on each case, smallest first.

    The learner's function must also leave its arguments as they came: a layer that changed
    its biases in place would drift a little with every call.
    parts: the names of the values the function returns, in order, when it returns several (a
    tuple). The first wrong one is named; a mistake (whose answer returns them all) is recognised
    when its first wrong value is that one, and equals the learner's.
    time_limit: the seconds the learner's function is given on each case (``TIME_LIMIT`` by default).
    """
    if not callable(learner):
        raise TypeError(f"{exercise}: expected your function, got {type(learner).__name__} {learner!r}")
    names = argument_names(learner)
    cases = sorted(cases, key=_size)
    for args in cases:
        expected = reference(*_copies(args))
        given = _copies(args)
        limit, started = TIME_LIMIT if time_limit is None else time_limit, time.monotonic()
        try:
            with _time_limit(limit):
                got = learner(*given)
        except NotImplementedError:
            return CheckResult(
                exercise, "unanswered", "not answered yet: write your function, then run this cell again."
            )
        except _TimedOut:
            return _no_return(
                exercise, names, args, expected, f"stopped after {limit:g} s, the time a case is given"
            )
        except KeyboardInterrupt:  # the notebook's stop button
            return _no_return(
                exercise, names, args, expected, f"interrupted after {time.monotonic() - started:.1f} s"
            )
        except Exception as error:  # the learner's bug, reported with the case that raised it
            return _failure(
                exercise, names, args, expected, f"raised {type(error).__name__}: {error}", mistakes
            )
        changed = [
            name
            for name, before, after in zip(names, args, given)
            if isinstance(before, np.ndarray) and not np.array_equal(before, after)
        ]
        if changed:
            hint = (
                f"your function changed {', '.join(changed)} in place; work on a copy "
                f"(e.g. `out = {changed[0]}.copy()` or `out = {changed[0]} + ...`)."
            )
            return _failure(exercise, names, args, expected, got, [Mistake(hint, lambda *_: got)])
        if parts and not (isinstance(got, tuple | list) and len(got) == len(parts)):
            got = f"{type(got).__name__} instead of {len(parts)} values: {', '.join(parts)}"
        if parts and not isinstance(got, str):
            wrong = next(
                (i for i, (value, right) in enumerate(zip(got, expected)) if not _same(value, right)), None
            )
            if wrong is not None:
                return _failure(exercise, names, args, expected, got, mistakes, parts, wrong)
        elif not _same(got, expected):
            return _failure(exercise, names, args, expected, got, mistakes)
    return CheckResult(exercise, "passed", f"correct on all {len(cases)} cases, the awkward ones included.")


def argument_names(function) -> list[str]:
    """The names the learner gave the parameters, to label the failing case's arguments
    ("argument 3" where it has none: past a ``*args``)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        parameters = []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [parameter.name for parameter in itertools.takewhile(lambda p: p.kind in positional, parameters)]
    return names + [f"argument {i + 1}" for i in range(len(names), 64)]


def _failure(exercise, names, args, expected, got, mistakes, parts=(), wrong=None):
    """The report of a wrong answer; of several values, ``wrong`` is the index of the first wrong one."""
    if wrong is None:
        hint = next((m.hint for m in mistakes if _same(got, _answer(m, args))), None)
    else:  # a mistake must get the values before it right too, as the learner did
        hint = next(
            (m.hint for m in mistakes if _same(tuple(got[: wrong + 1]), _answer(m, args, wrong + 1))), None
        )
        expected, got = expected[wrong], got[wrong]
    if _truncated(got, expected):  # certain, where a mistake's values may agree by chance
        hint = (
            f"your output holds whole numbers only (its dtype is {got.dtype}): an array made to hold integers "
            "(np.zeros(..., dtype=int), np.zeros_like of an integer array, .astype(int)) cuts the fraction off "
            "each value written into it. Make the output float: np.zeros(shape) is float unless told otherwise."
        )
    if hint is None and not isinstance(got, str) and _shape(got) != _shape(expected):
        hint = f"the shape is wrong: expected {_shape(expected)}, got {_shape(got)}."
    lines = [
        f"wrong on this case (the smallest that fails){'' if wrong is None else f', in {parts[wrong]}'}:"
    ]
    lines += _argument_lines(names, args)
    lines += [f"  expected:\n{_indent(expected)}", f"  got:\n{_indent(got)}"]
    if hint:
        lines.append(f"  hint: {hint}")
    return CheckResult(exercise, "failed", "\n".join(lines), {"args": args, "expected": expected, "got": got})


def _no_return(exercise, names, args, expected, why):
    """The report of a function stopped on a case: the case, never a traceback."""
    lines = [
        f"your function did not return on this case ({why}):",
        *_argument_lines(names, args),
        "  hint: look for a loop that never ends: a `while` whose condition stays true (a counter never "
        "increased), or a loop over far more positions than the output has.",
    ]
    return CheckResult(
        exercise,
        "failed",
        "\n".join(lines),
        {"args": args, "expected": expected, "got": f"did not return ({why})"},
    )


def _argument_lines(names, args) -> list[str]:
    return [f"  {name}:\n{_indent(arg)}" for name, arg in zip(names, args)]


class _TimedOut(BaseException):
    """Raised in the learner's code when its time is up; not an Exception, so `except Exception` there lets it by."""


@contextmanager
def _time_limit(seconds):
    """Raise ``_TimedOut`` after ``seconds``, then put back the SIGALRM handler and timer found.

    Only a signal interrupts a running Python loop: where SIGALRM is missing (Windows) or cannot be
    set (outside the main thread, or a handler not set from Python), there is no limit.
    """
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGALRM) is None
    ):
        yield
        return

    def time_up(signum, frame):
        raise _TimedOut

    handler = signal.signal(signal.SIGALRM, time_up)
    outer, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:  # even if time ran out just now, in the line above
            signal.signal(signal.SIGALRM, handler)
            if outer:  # a timer set before ours: what is left of it (a tick at least, so that it still fires)
                signal.setitimer(
                    signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-6), interval
                )


def _answer(mistake, args, values=None):
    """The mistake's answer on this case (its first ``values`` values only, when given), or None where
    that mistake cannot even be computed."""
    try:
        answer = mistake.answer(*_copies(args))
        return answer if values is None else tuple(answer[:values])
    except Exception:  # e.g. a transposed product that does not fit this case's shapes
        return None


def _truncated(got, expected) -> bool:
    """Whether ``got`` is an integer array (or number) where ``expected`` holds fractions."""
    if not np.issubdtype(getattr(got, "dtype", np.dtype(object)), np.integer):
        return False
    try:
        expected = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    return bool(np.any(expected != np.round(expected)))


def _same(got, expected) -> bool:
    """Equal shapes and close values; a tuple (e.g. several gradients) is compared part by part."""
    if expected is None or isinstance(got, str):
        return False
    if isinstance(expected, tuple) and isinstance(got, (tuple, list)):
        return len(got) == len(expected) and all(map(_same, got, expected))
    try:
        got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):  # not numbers, or ragged
        return False
    return got.shape == expected.shape and bool(np.allclose(got, expected))


def _shape(value):
    """The array shape of ``value``; for several arrays (a tuple of gradients), a tuple of shapes."""
    if isinstance(value, (tuple, list)) and any(isinstance(v, np.ndarray) for v in value):
        return tuple(np.shape(v) for v in value)
    return np.shape(value)


def _size(args) -> int:
    return sum(int(np.size(arg)) for arg in args)


def _copies(args) -> tuple:
    return tuple(np.copy(arg) if isinstance(arg, np.ndarray) else arg for arg in args)


def _indent(value) -> str:
    if isinstance(value, (str, tuple)) and not any(isinstance(v, np.ndarray) for v in value):
        text = str(value)  # a message, or a shape such as (3, 3)
    elif isinstance(value, tuple):  # several arrays, e.g. gradients
        text = "\n".join(np.array2string(np.asarray(v), precision=3) for v in value)
    else:
        text = np.array2string(np.asarray(value), precision=3)
    return "\n".join("    " + line for line in text.splitlines())
