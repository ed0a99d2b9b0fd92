"""Exercise checkers: run a learner's function against the reference on many cases.

Cases run smallest first, so the first failure is the smallest failing case; it is reported with its
input, the expected and the received answer, and a hint when the answer is a known ``Mistake``: one
whose value it shares (a flipped kernel, an off-by-one size), or one whose exception it raised. An
exercise left as ``raise NotImplementedError`` is reported as unanswered, not raised, so a notebook
still runs top to bottom; a function that loops forever is stopped after ``TIME_LIMIT`` seconds on a
case (or by the stop button) and reported with that case, not with a traceback. One module per
notebook holds its ``Exercise``s, as data; ``cases`` makes the numbers they share.
"""

import inspect
import itertools
import re
import signal
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

# seconds per case: the slowest worked solution takes about 40 ms on a case (notebook 03's forward
# pass on a 28 x 28 input, with 5 kernels), and so does a six-deep pure-Python loop; 5 s is 100x that
TIME_LIMIT = 5.0
_LOOP = (  # the hint for a function stopped on a case
    "look for a loop that never ends: a `while` whose condition stays true (a counter never "
    "increased), or a loop over far more positions than the output has."
)


@dataclass
class CheckResult:
    """The verdict on one exercise; true only when every case passed."""

    exercise: str
    status: str  # "passed", "failed" or "unanswered"
    message: str
    # the smallest failing case: "args", "expected", and what came back, "got", or the exception the
    # learner's code raised, "error" (None for what did not happen), and its first RuntimeWarning, "warning"
    case: dict | None = None

    def __bool__(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:
        mark = {"passed": "✅", "failed": "❌", "unanswered": "✏️"}[self.status]
        return f"{mark} {self.exercise}: {self.message}"


@dataclass
class Mistake:
    """A plausible wrong answer and the hint it earns, recognised by its value, which ``answer(*args)``
    computes, or by the exception the learner's code raises: of type ``raises``, its message holding
    ``match`` (a regular expression, as in ``pytest.raises``)."""

    hint: str
    answer: Callable | None = None
    raises: type[Exception] | None = None
    match: str = ""


@dataclass(repr=False)
class Exercise:
    """One exercise, as data: ``check(learner)`` is check_function on its reference, cases and mistakes."""

    name: str
    reference: Callable
    cases: Sequence[tuple]
    mistakes: Sequence[Mistake] = ()
    parts: Sequence[str] = ()
    must_not_warn: str = ""

    def __call__(self, learner: Callable) -> CheckResult:
        options = {"parts": self.parts, "must_not_warn": self.must_not_warn}
        return check_function(self.name, learner, self.reference, self.cases, self.mistakes, **options)


def check_function(
    exercise: str,
    learner: Callable,
    reference: Callable,
    cases: Sequence[tuple],
    mistakes: Sequence[Mistake] = (),
    parts: Sequence[str] = (),
    must_not_warn: str = "",
    time_limit: float | None = None,
) -> CheckResult:
    """Compare ``learner(*args)`` with ``reference(*args)`` on each case, smallest first.

    The learner's function must also leave its arguments as they came: a layer that changed
    its biases in place would drift a little with every call.
    parts: the names of the values the function returns, in order, when it returns several (a
    tuple). The first wrong one is named; a mistake (whose answer returns them all) is recognised
    when its first wrong value is that one, and equals the learner's.
    must_not_warn: the hint for a function that emits a RuntimeWarning (an overflow, a division by
    zero); given, such a function fails even with the right values, as it would in the course's tests,
    where warnings are errors. A warning is caught either way, and named beside a wrong answer.
    time_limit: the seconds the learner's function is given on each case (``TIME_LIMIT`` by default).
    """
    if not callable(learner):
        raise TypeError(f"{exercise}: expected your function, got {type(learner).__name__} {learner!r}")
    names = argument_names(learner)
    for args in sorted(cases, key=lambda args: sum(int(np.size(arg)) for arg in args)):
        expected, given = reference(*_copies(args)), _copies(args)
        got, error, warning = _call(learner, given, TIME_LIMIT if time_limit is None else time_limit)
        if isinstance(error, NotImplementedError):
            message = "not answered yet: write your function, then run this cell again."
            return CheckResult(exercise, "unanswered", message)
        case = {"args": args, "expected": expected, "got": got, "error": error, "warning": warning}
        if isinstance(error, _Stopped):
            return _report(
                exercise, f"your function did not return on this case ({error}):", names, case, _LOOP
            )
        changed = [
            n for n, a, b in zip(names, args, given) if isinstance(a, np.ndarray) and not np.array_equal(a, b)
        ]
        if changed:
            hint = (
                f"your function changed {', '.join(changed)} in place; work on a copy "
                f"(e.g. `out = {changed[0]}.copy()` or `out = {changed[0]} + ...`)."
            )
            return _wrong(exercise, names, case, (), must_not_warn, hint=hint)
        if parts and error is None and not (isinstance(got, tuple | list) and len(got) == len(parts)):
            got = case["got"] = f"{type(got).__name__} instead of {len(parts)} values: {', '.join(parts)}"
        if error is not None or not _same(got, expected):
            return _wrong(exercise, names, case, mistakes, must_not_warn, parts)
        if warning and must_not_warn:
            headline = f"right values, but your function warned {warning!r} on this case:"
            return _report(exercise, headline, names, case, must_not_warn)
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


def _wrong(exercise, names, case, mistakes, advice, parts=(), hint=None):
    """The report of a wrong answer, or an error; of several values, the first wrong one's."""
    args, expected, got, error = case["args"], case["expected"], case["got"], case["error"]
    several = parts and isinstance(got, tuple | list)  # else a string: not as many values as parts
    part = next(i for i, (g, e) in enumerate(zip(got, expected)) if not _same(g, e)) if several else None
    hint = hint or next((m.hint for m in mistakes if _recognised(m, args, got, error, part)), None)
    if part is not None:  # the case keeps the wrong value alone
        expected, got = case["expected"], case["got"] = expected[part], got[part]
    if _truncated(got, expected):  # certain, where a mistake's values may agree by chance
        hint = (
            f"your output holds whole numbers only (its dtype is {got.dtype}): an array made to hold "
            "integers (np.zeros(..., dtype=int), np.zeros_like of an integer array, .astype(int)) cuts the "
            "fraction off each value written into it. Make the output float, as np.zeros(shape) is."
        )
    if hint is None and error is None and not isinstance(got, str) and _shape(got) != _shape(expected):
        hint = f"the shape is wrong: expected {_shape(expected)}, got {_shape(got)}."
    got = got if error is None else f"raised {type(error).__name__}: {error}"
    shown = [f"  expected:\n{_indent(expected)}", f"  got:\n{_indent(got)}"]
    shown += [f"  your function also warned: {case['warning']!r}."] if case["warning"] else []
    headline = f"wrong on this case (the smallest that fails){'' if part is None else f', in {parts[part]}'}:"
    return _report(exercise, headline, names, case, hint or (advice if case["warning"] else None), shown)


def _report(exercise, headline, names, case, hint, shown=()):
    """A failure: the headline, the case's arguments by the learner's names, what else is shown, the hint."""
    lines = [headline, *(f"  {name}:\n{_indent(arg)}" for name, arg in zip(names, case["args"])), *shown]
    lines += [f"  hint: {hint}"] if hint else []
    return CheckResult(exercise, "failed", "\n".join(lines), case)


def _recognised(mistake, args, got, error, part=None) -> bool:
    """Whether the learner's error, or its answer (up to value ``part``, when given), is the mistake's."""
    if error is not None or mistake.raises is not None:
        return isinstance(error, mistake.raises or ()) and re.search(mistake.match, str(error)) is not None
    try:
        with np.errstate(all="ignore"):  # an unclipped log or a naive exp must not warn while we compare
            answer = mistake.answer(*_copies(args))
        if part is not None:  # a mistake must get the values before it right too, as the learner did
            got, answer = tuple(got[: part + 1]), tuple(answer[: part + 1])
    except Exception:  # e.g. a transposed product that does not fit this case's shapes
        return False
    return _same(got, answer)


def _call(learner, args, limit):
    """``learner(*args)`` -> (its answer, the exception it raised, its first RuntimeWarning's message), None
    for what did not happen. Its warnings are caught, never printed or raised."""
    got = error = None
    started = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            with _time_limit(limit):
                got = learner(*args)
        except KeyboardInterrupt:  # the notebook's stop button
            error = _Stopped(f"interrupted after {time.monotonic() - started:.1f} s")
        except (Exception, _Stopped) as raised:  # the learner's bug, or its time is up
            error = raised
    return got, error, next((str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)), None)


class _Stopped(BaseException):
    """Raised in the learner's code when its time is up (or it is interrupted): not an Exception, so that
    `except Exception` there lets it by."""


@contextmanager
def _time_limit(seconds):
    """Raise ``_Stopped`` after ``seconds``, then put back the SIGALRM handler and timer found.

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
        raise _Stopped(f"stopped after {seconds:g} s, the time a case is given")

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


def _truncated(got, expected) -> bool:
    """Whether ``got`` is an integer array (or number) where ``expected`` holds fractions."""
    try:
        expected = np.asarray(expected, dtype=float)
        return np.issubdtype(got.dtype, np.integer) and bool(np.any(expected != np.round(expected)))
    except (AttributeError, TypeError, ValueError):  # no array, or no numbers
        return False


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
