"""The checkers' framework: a function that never returns, or is stopped, gets a verdict naming its case; an
output of integers is named; every known mistake of every checker earns its own hint."""

import signal
import time
import warnings

import numpy as np
import pytest
from notebook_tools import hint_of

import cnnlib.checks
from cnnlib.checks import (
    Mistake,
    check_function,
    convolution,
    convolutional_layer,
    correlation,
    gradients,
    mnist,
    padding_stride_pooling,
    sigmoid_bce,
    xor,
)
from cnnlib.layers import Convolutional

CASES = [(np.arange(6.0).reshape(2, 3), np.ones((1, 2)))]
needs_alarm = pytest.mark.skipif(
    not hasattr(signal, "setitimer"), reason="no SIGALRM here: no time limit either"
)


def forever(*args):
    while True:
        pass


def interrupted(*args):
    raise KeyboardInterrupt  # what the notebook's stop button raises in the running code


def raising(error):
    def learner(*args):
        raise error

    return learner


def reference(image, kernel):
    return image[:, 1:] + image[:, :-1]


@needs_alarm
def test_a_function_that_never_returns_is_stopped_and_its_case_named():
    started = time.monotonic()
    result = check_function("sum", forever, reference, CASES, time_limit=0.05)
    assert time.monotonic() - started < 0.5
    assert result.status == "failed"
    assert "did not return on this case" in result.message and "0.05 s" in result.message
    assert "argument 1:" in result.message and "argument 2:" in result.message  # forever names none
    assert result.case["args"] is CASES[0]


@needs_alarm
def test_the_case_is_labelled_with_the_learners_own_names():
    def never(image, kernel):
        while True:
            pass

    result = check_function("sum", never, reference, CASES, time_limit=0.05)
    assert "  image:" in result.message and "  kernel:" in result.message


def test_the_stop_button_gives_a_verdict_not_a_traceback():
    result = check_function("sum", interrupted, reference, CASES)
    assert result.status == "failed" and "did not return on this case (interrupted" in result.message


@needs_alarm
def test_except_exception_in_the_learners_loop_does_not_swallow_the_time_limit():
    def stubborn(image, kernel):
        while True:
            try:
                pass
            except Exception:
                pass

    assert check_function("sum", stubborn, reference, CASES, time_limit=0.05).status == "failed"


@needs_alarm
def test_the_previous_alarm_handler_and_timer_are_put_back_after_each_call():
    def outer(signum, frame):
        raise AssertionError("the outer timer fired during the test")

    previous = signal.signal(signal.SIGALRM, outer)
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        for learner in (forever, reference, forever):  # several calls in a row, as a checker may make
            check_function("sum", learner, reference, CASES, time_limit=0.05)
            assert signal.getsignal(signal.SIGALRM) is outer
            assert 29 < signal.getitimer(signal.ITIMER_REAL)[0] <= 30
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


@needs_alarm
def test_a_right_function_leaves_no_timer_behind():
    handler = signal.getsignal(signal.SIGALRM)
    assert check_function("sum", reference, reference, CASES)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0 and signal.getsignal(signal.SIGALRM) is handler


class ForeverLayer(Convolutional):
    def gradients(self, output_gradient):
        forever()


CHECKERS = [
    xor.check_dense_gradients,
    xor.check_mse_prime,
    xor.check_tanh_prime,
    correlation.check_output_shape,
    correlation.check_output_element,
    correlation.check_correlate2d,
    convolution.check_rotate180,
    convolution.check_full_output_size,
    convolution.check_pad_full,
    convolution.check_convolve2d,
    convolutional_layer.check_layer_output_shape,
    convolutional_layer.check_parameter_count,
    convolutional_layer.check_forward,
    gradients.check_bias_gradient,
    gradients.check_kernel_gradient,
    gradients.check_input_gradient,
    sigmoid_bce.check_sigmoid_prime,
    sigmoid_bce.check_bce_prime,
    sigmoid_bce.check_reshape_backward,
    sigmoid_bce.check_sigmoid_bce_gradient,
    mnist.check_one_hot,
    mnist.check_confusion_matrix,
    padding_stride_pooling.check_output_size,
    padding_stride_pooling.check_correlate2d_padded_strided,
    padding_stride_pooling.check_maxpool_backward,
]


@needs_alarm
@pytest.mark.parametrize(
    "check, learner",
    [(check, forever) for check in CHECKERS]
    + [(check, interrupted) for check in CHECKERS]
    + [(gradients.check_fixed_layer, ForeverLayer)],
)
def test_every_checker_turns_a_hang_or_an_interrupt_into_a_verdict(monkeypatch, check, learner):
    monkeypatch.setattr(cnnlib.checks, "TIME_LIMIT", 0.02)
    result = check(learner)
    assert result.status == "failed" and "did not return on this case" in result.message, result


def test_a_mistake_is_recognised_by_the_type_and_message_of_the_exception_raised():
    mistakes = [
        Mistake("not this one: another type", raises=ValueError),
        Mistake("not this one: another message", raises=IndexError, match="too many indices"),
        Mistake("row 5 is past the end", raises=IndexError, match="out of bounds"),
    ]
    result = check_function("sum", lambda image, kernel: image[5], reference, CASES, mistakes)
    assert result.status == "failed" and "raised IndexError: index 5 is out of bounds" in result.message
    assert hint_of(result) == "row 5 is past the end"
    result = check_function("sum", lambda image, kernel: image[0, 0, 0], reference, CASES, mistakes[2:])
    assert "raised IndexError" in result.message and hint_of(result) == ""


def test_the_learners_exception_is_kept_in_the_case():
    error = ZeroDivisionError("the learner's own")
    result = check_function("sum", raising(error), reference, CASES)
    assert result.case["error"] is error and result.case["got"] is None
    assert "got:\n    raised ZeroDivisionError: the learner's own" in result.message


def noisy(image, kernel):
    warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
    return reference(image, kernel)


def test_a_warning_fails_right_values_only_where_the_function_must_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes from the checker, even so
        assert check_function("sum", noisy, reference, CASES)
        result = check_function("sum", noisy, reference, CASES, must_not_warn="compute it without overflow.")
    assert result.status == "failed"
    assert "right values, but your function warned 'overflow encountered in exp'" in result.message
    assert hint_of(result) == "compute it without overflow." and result.case["warning"] == (
        "overflow encountered in exp"
    )


def test_a_wrong_answer_names_its_warning_and_earns_the_advice_where_no_mistake_matches():
    def wrong(image, kernel):
        return noisy(image, kernel) + 1

    advice = "compute it without overflow."
    result = check_function("sum", wrong, reference, CASES, must_not_warn=advice)
    assert "your function also warned: 'overflow encountered in exp'" in result.message
    assert hint_of(result) == advice
    known = [Mistake("one too many", lambda image, kernel: reference(image, kernel) + 1)]
    result = check_function("sum", wrong, reference, CASES, known, must_not_warn=advice)
    assert "also warned" in result.message and hint_of(result) == "one too many"


def test_integers_are_right_where_the_answer_is_whole_and_named_where_it_is_not():
    def doubled(x):
        return x * 2

    def integers(x):
        return (x * 2).astype(int)

    assert check_function("double", integers, doubled, [(np.array([1.0, 2.0]),)])
    result = check_function("double", integers, doubled, [(np.array([1.0, 2.0]),), (np.array([0.25]),)])
    assert result.status == "failed" and "whole numbers only" in result.message and "int64" in result.message


# a known mistake whose answer, where it first fails, is another's: (exercise, the start of its hint); here
# kh - 1 zeros on both axes, a valid pass on a 1 x 2 kernel
SHARED = {("input gradient", "the padding is wrong")}


@pytest.mark.parametrize(
    "check, right", [(check, None) for check in CHECKERS] + [(gradients.check_fixed_layer, Convolutional)]
)
def test_every_known_mistake_submitted_as_an_answer_earns_its_own_hint(monkeypatch, check, right):
    """Cases where no two mistakes agree where they first fail: a hint then describes the answer it gets."""
    calls = []

    # the checker's calls, answered rightly
    def capture(exercise, _, reference, cases, mistakes=(), **options):
        calls.append((exercise, reference, cases, mistakes, options))
        return check_function(exercise, reference, reference, cases, mistakes, **options)

    monkeypatch.setattr(cnnlib.checks, "check_function", capture)  # what each Exercise calls
    check(right or forever)  # never called: capture answers with the checker's reference
    assert calls
    for exercise, reference, cases, mistakes, options in calls:
        for mistake in mistakes:
            answer = mistake.answer or raising(
                mistake.raises(f"as the learner's code raises it: {mistake.match}")
            )
            result = check_function(exercise, answer, reference, cases, mistakes, **options)
            hint = result.message.partition("hint: ")[2]
            if not any(exercise == name and mistake.hint.startswith(start) for name, start in SHARED):
                assert result.status == "failed" and hint.startswith(mistake.hint), (
                    mistake.hint,
                    result.message,
                )
