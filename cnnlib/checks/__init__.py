"""Exercise checkers: run a learner's function against the reference on many cases.

Cases run smallest first, so the first failure is the smallest failing case; it is reported
with its input, the expected and the received answer, and a hint when the answer matches a
known mistake (a flipped kernel, an off-by-one size). A function that returns several values
(e.g. two gradients) is checked value by value, and the report names the wrong one. An exercise left as
``raise NotImplementedError`` is reported as unanswered, not raised, so a notebook still
runs top to bottom. One module per notebook holds that notebook's checkers.
"""
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


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
) -> CheckResult:
    """Compare ``learner(*args)`` with ``reference(*args)`` on each case, smallest first.

    The learner's function must also leave its arguments as they came: a layer that changed
    its biases in place would drift a little with every call.
    parts: the names of the values the function returns, in order, when it returns several (a
    tuple). The first wrong one is named; a mistake (whose answer returns them all) is recognised
    when its first wrong value is that one, and equals the learner's.
    """
    if not callable(learner):
        raise TypeError(f"{exercise}: expected your function, got {type(learner).__name__} {learner!r}")
    names = argument_names(learner)
    cases = sorted(cases, key=_size)
    for args in cases:
        expected = reference(*_copies(args))
        given = _copies(args)
        try:
            got = learner(*given)
        except NotImplementedError:
            return CheckResult(exercise, "unanswered", "not answered yet: write your function, then run this cell again.")
        except Exception as error:  # the learner's bug, reported with the case that raised it
            return _failure(exercise, names, args, expected, f"raised {type(error).__name__}: {error}", mistakes)
        changed = [name for name, before, after in zip(names, args, given)
                   if isinstance(before, np.ndarray) and not np.array_equal(before, after)]
        if changed:
            hint = (f"your function changed {', '.join(changed)} in place; work on a copy "
                    f"(e.g. `out = {changed[0]}.copy()` or `out = {changed[0]} + ...`).")
            return _failure(exercise, names, args, expected, got, [Mistake(hint, lambda *_: got)])
        if parts and not (isinstance(got, tuple | list) and len(got) == len(parts)):
            got = f"{type(got).__name__} instead of {len(parts)} values: {', '.join(parts)}"
        if parts and not isinstance(got, str):
            wrong = next((i for i, (value, right) in enumerate(zip(got, expected)) if not _same(value, right)), None)
            if wrong is not None:
                return _failure(exercise, names, args, expected, got, mistakes, parts, wrong)
        elif not _same(got, expected):
            return _failure(exercise, names, args, expected, got, mistakes)
    return CheckResult(exercise, "passed", f"correct on all {len(cases)} cases, the awkward ones included.")


def argument_names(function) -> list[str]:
    """The names the learner gave the parameters, to label the failing case's arguments."""
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        names = []
    return names + [f"argument {i + 1}" for i in range(len(names), 64)]


def _failure(exercise, names, args, expected, got, mistakes, parts=(), wrong=None):
    """The report of a wrong answer; of several values, ``wrong`` is the index of the first wrong one."""
    if wrong is None:
        hint = next((m.hint for m in mistakes if _same(got, _answer(m, args))), None)
    else:  # a mistake must get the values before it right too, as the learner did
        hint = next((m.hint for m in mistakes if _same(tuple(got[: wrong + 1]), _answer(m, args, wrong + 1))), None)
        expected, got = expected[wrong], got[wrong]
    if hint is None and not isinstance(got, str) and _shape(got) != _shape(expected):
        hint = f"the shape is wrong: expected {_shape(expected)}, got {_shape(got)}."
    lines = [f"wrong on this case (the smallest that fails){'' if wrong is None else f', in {parts[wrong]}'}:"]
    lines += [f"  {name}:\n{_indent(arg)}" for name, arg in zip(names, args)]
    lines += [f"  expected:\n{_indent(expected)}", f"  got:\n{_indent(got)}"]
    if hint:
        lines.append(f"  hint: {hint}")
    return CheckResult(exercise, "failed", "\n".join(lines), {"args": args, "expected": expected, "got": got})


def _answer(mistake, args, values=None):
    """The mistake's answer on this case (its first ``values`` values only, when given), or None where
    that mistake cannot even be computed."""
    try:
        answer = mistake.answer(*_copies(args))
        return answer if values is None else tuple(answer[:values])
    except Exception:  # e.g. a transposed product that does not fit this case's shapes
        return None


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
