"""Notebook 08's checkers: the worked solutions pass; each known mistake, written as a learner would, fails
with its hint; and the cases hold the awkward places that tell the mistakes apart."""

import numpy as np
import pytest
from notebook_tools import (
    assert_right_answers_pass_and_the_stub_is_unanswered,
    hint_of,
    load_solutions,
)

from cnnlib.checks.all_ten_digits import (
    IM2COL_CASES,
    MISTAKES_CASES,
    SOFTMAX_CASES,
    check_confident_mistakes,
    check_im2col,
    check_softmax_cross_entropy,
)

SOLUTIONS = load_solutions("08-all-ten-digits-fast.ipynb")
my_im2col, my_softmax_cross_entropy, my_confident_mistakes = (
    SOLUTIONS[name] for name in ("my_im2col", "my_softmax_cross_entropy", "my_confident_mistakes")
)


@pytest.mark.parametrize(
    "check, solution",
    [
        (check_im2col, my_im2col),
        (check_softmax_cross_entropy, my_softmax_cross_entropy),
        (check_confident_mistakes, my_confident_mistakes),
    ],
)
def test_the_reference_and_the_worked_solution_pass_and_the_stub_is_unanswered(check, solution):
    assert_right_answers_pass_and_the_stub_is_unanswered(check, solution)


# --- exercise 1: im2col ----------------------------------------------------------------------------------


def im2col_loops(image, kernel_size, rows_first=True, flatten=np.ravel, transposed=False, one_short=False):
    k = kernel_size
    out_h, out_w = image.shape[0] - k + 1 - one_short, image.shape[1] - k + 1 - one_short
    places = [(r, c) for r in range(out_h) for c in range(out_w)]
    if not rows_first:
        places = [(r, c) for c in range(out_w) for r in range(out_h)]
    columns = np.zeros((k * k, len(places)))
    for i, (r, c) in enumerate(places):
        columns[:, i] = flatten(image[r : r + k, c : c + k])
    return columns.T if transposed else columns


@pytest.mark.parametrize(
    "mistake, hint",
    [
        (lambda x, k: im2col_loops(x, k, transposed=True), "one column per window, not one row"),
        (
            lambda x, k: im2col_loops(x, k, flatten=lambda w: w.T.ravel()),
            "you read each window column by column",
        ),
        (lambda x, k: im2col_loops(x, k, rows_first=False), "your windows go down the columns first"),
        (lambda x, k: im2col_loops(x, k, one_short=True), "one window too few along a side"),
    ],
)
def test_im2col_mistakes_get_their_hint(mistake, hint):
    result = check_im2col(mistake)
    assert result.status == "failed" and hint_of(result).startswith(hint), result.message


def test_an_integer_im2col_is_told_about_its_dtype():
    def whole_numbers(image, kernel_size):
        return im2col_loops(image, kernel_size).astype(int)

    assert "whole numbers only" in hint_of(check_im2col(whole_numbers))


def test_im2col_cases_tell_the_mistakes_apart():
    """Distinct values, windows of several rows and columns: each slip changes some case's answer."""
    shapes = {(x.shape, k) for x, k in IM2COL_CASES}
    assert any(k == 1 for _, k in shapes) and any(k == min(s) for s, k in shapes)  # 1 x 1 and as large
    assert any(s[0] != s[1] for s, _ in shapes)
    for x, _ in IM2COL_CASES:
        assert len(np.unique(x)) == x.size and np.any(x != np.round(x))


# --- exercise 2: softmax with cross-entropy --------------------------------------------------------------


def naive_softmax_cross_entropy(logits, labels):
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    gradient = p.copy()
    gradient[rows, labels] -= 1
    return -np.mean(np.log(p[rows, labels])), gradient / len(labels)


def slipped(loss_sum=False, gradient_not_averaged=False, no_one_hot=False):
    def answer(logits, labels):
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        rows = np.arange(len(labels))
        losses = -np.log(p[rows, labels])
        gradient = p.copy()
        if not no_one_hot:
            gradient[rows, labels] -= 1
        return (losses.sum() if loss_sum else losses.mean()), gradient / (
            1 if gradient_not_averaged else len(labels)
        )

    return answer


@pytest.mark.parametrize(
    "mistake, part, hint",
    [
        (slipped(loss_sum=True), "the loss", "the loss is the mean over the batch"),
        (slipped(gradient_not_averaged=True), "dE/dlogits", "divide the gradient by N too"),
        (slipped(no_one_hot=True), "dE/dlogits", "subtract 1 at each row's label"),
    ],
)
def test_softmax_slips_are_named_with_the_wrong_part(mistake, part, hint):
    result = check_softmax_cross_entropy(mistake)
    assert result.status == "failed" and f"in {part}" in result.message, result.message
    assert hint_of(result).startswith(hint), result.message


def test_the_naive_softmax_fails_on_large_logits_and_is_told_to_shift_them():
    result = check_softmax_cross_entropy(naive_softmax_cross_entropy)
    assert result.status == "failed" and hint_of(result).startswith("subtract each row's largest logit")
    assert "overflow" in result.message  # the warning it raised is named beside the wrong answer
    assert any(np.abs(logits).max() >= 1000 for logits, _ in SOFTMAX_CASES)


def test_log_of_a_shifted_softmax_fails_where_a_probability_underflows():
    """log(softmax) from a shifted softmax is right until the label's probability is below float64's
    smallest: then it is 0, its log -inf, and np.log warns."""

    def log_of_zero(logits, labels):
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        rows = np.arange(len(labels))
        gradient = p.copy()
        gradient[rows, labels] -= 1
        return -np.mean(np.log(p[rows, labels])), gradient / len(labels)

    result = check_softmax_cross_entropy(log_of_zero)
    assert result.status == "failed" and "divide by zero encountered in log" in result.message, result.message
    assert hint_of(result).startswith("subtract each row's largest logit")


# --- exercise 3: the most confident mistakes -------------------------------------------------------------


def mistakes_by(key, wrong_only=True, reverse=False, positions=False):
    def answer(probabilities, labels, count):
        answers = probabilities.argmax(axis=1)
        candidates = np.flatnonzero(answers != labels) if wrong_only else np.arange(len(labels))
        order = np.argsort([key(probabilities, labels, answers, i) for i in candidates])
        order = order if reverse else order[::-1]
        return order[:count] if positions else candidates[order][:count]

    return answer


def confidence(p, labels, answers, i):
    return p[i, answers[i]]


@pytest.mark.parametrize(
    "mistake, hint",
    [
        (mistakes_by(confidence, reverse=True), "most confident first"),
        (mistakes_by(confidence, wrong_only=False), "only wrong answers count"),
        (
            mistakes_by(lambda p, labels, answers, i: p[i, labels[i]]),
            "the confidence of a mistake is the probability",
        ),
        (mistakes_by(confidence, positions=True), "return the images' indices"),
    ],
)
def test_confident_mistakes_slips_get_their_hint(mistake, hint):
    result = check_confident_mistakes(mistake)
    assert result.status == "failed" and hint_of(result).startswith(hint), result.message


def test_confident_mistakes_cases_hold_no_ties_and_a_case_without_mistakes():
    for probabilities, _, _ in MISTAKES_CASES:
        assert np.allclose(probabilities.sum(axis=1), 1)
        assert len(np.unique(probabilities)) == probabilities.size  # no tie: one right order
    assert any(np.all(p.argmax(axis=1) == labels) for p, labels, _ in MISTAKES_CASES)  # nothing wrong
    assert any(count > len(labels) for _, labels, count in MISTAKES_CASES)  # fewer mistakes than asked
