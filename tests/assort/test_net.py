"""The net's budget projection: probabilities in (0, 1) that sum to each segment's K, with exact gradients."""

import pytest
import torch

from skulab.assort.net import project

SEGMENTS = torch.tensor([0] * 10 + [1] * 25 + [2] * 15)
BUDGETS = torch.tensor([2.0, 5.5, 10.0])


def _sums(p: torch.Tensor, segment: torch.Tensor) -> torch.Tensor:
    return torch.zeros(int(segment.max()) + 1, dtype=p.dtype).scatter_add_(0, segment, p)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_projection_meets_every_segment_budget_with_probabilities_inside_0_1(seed: int, dtype: torch.dtype) -> None:
    logits = (torch.randn(len(SEGMENTS), generator=torch.Generator().manual_seed(seed)) * 2).to(dtype)

    p = project(logits, BUDGETS, SEGMENTS)

    assert p.dtype == dtype
    assert torch.allclose(_sums(p, SEGMENTS), BUDGETS.to(dtype), atol=1e-4)
    assert bool(((p > 0) & (p < 1)).all())


def test_projection_keeps_the_order_of_the_logits_within_a_segment() -> None:
    logits = torch.randn(len(SEGMENTS), generator=torch.Generator().manual_seed(1), dtype=torch.float64)

    p = project(logits, BUDGETS, SEGMENTS)

    for s in range(3):
        inside = SEGMENTS == s
        assert torch.equal(torch.argsort(p[inside]), torch.argsort(logits[inside]))


def test_one_budget_without_segments_and_a_budget_above_the_segment_size() -> None:
    logits = torch.linspace(-2, 2, 8, dtype=torch.float64)

    assert float(project(logits, 3.0).sum()) == pytest.approx(3.0, abs=1e-4)
    assert float(project(logits, 20.0).sum()) == pytest.approx(8 - 1e-3, abs=1e-4)  # capped just below all 8


def test_projection_gradients_match_finite_differences() -> None:
    logits = torch.randn(len(SEGMENTS), generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    logits.requires_grad_()

    assert torch.autograd.gradcheck(lambda x: project(x, BUDGETS.double(), SEGMENTS), (logits,), eps=1e-6,
                                    atol=1e-6)


def test_raising_one_logit_lowers_only_the_others_of_its_segment_and_keeps_its_budget() -> None:
    logits = torch.randn(len(SEGMENTS), generator=torch.Generator().manual_seed(3), dtype=torch.float64)

    jac = torch.autograd.functional.jacobian(lambda x: project(x, BUDGETS.double(), SEGMENTS), logits)

    i = 12  # a SKU of segment 1
    column = jac[:, i]
    same = SEGMENTS == SEGMENTS[i]
    assert float(column[i]) > 0
    assert bool((column[same & (torch.arange(len(SEGMENTS)) != i)] < 0).all())
    assert bool((column[~same] == 0).all())
    assert float(column[same].sum()) == pytest.approx(0.0, abs=1e-9)  # the segment still sums to its budget
