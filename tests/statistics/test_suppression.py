"""Suppression against hand-computed tables."""

import itertools

import pytest

from wellness.statistics.suppression import suppress, suppress_value

H = None  # hidden


def test_no_small_cells_nothing_hidden():
    table = suppress(["Jan", "Feb"], ["a", "b"], [[5, 9], [0, 12]])
    assert table.cells == ((5, 9), (0, 12))
    assert table.row_totals == (14, 12)
    assert table.column_totals == (5, 21)
    assert table.total == 26


def test_a_lone_small_cell_gets_a_row_and_a_column_partner():
    # 3 is small. Row 0 then has one hidden cell: hide the smallest visible in it (7).
    # Column 0 has one hidden cell: hide the smallest visible in it (10). Column 1 now has
    # one hidden (7): hide 20. Row 1 now has two (10, 20). Every line has 0 or 2+ hidden.
    table = suppress(["r0", "r1"], ["c0", "c1"], [[3, 7], [10, 20]])
    assert table.cells == ((H, H), (H, H))
    assert table.row_totals == (10, 30)
    assert table.column_totals == (13, 27)
    assert table.total == 40


def test_complementary_cell_is_the_smallest_non_zero_visible_one():
    table = suppress(["r0", "r1", "r2"], ["c0", "c1", "c2"], [[2, 0, 9], [6, 8, 30], [7, 11, 40]])
    # 2 hidden; row 0 partner: 9 (non-zero before zero); col 0 partner: 6;
    # col 2 now has 9 hidden alone -> partner 30; row 1 has 6 and 30 hidden -> fine.
    assert table.cells == ((H, 0, H), (H, 8, H), (7, 11, 40))
    assert table.row_totals == (11, 44, 58)
    assert table.column_totals == (15, 19, 79)


def test_small_totals_are_hidden_too():
    table = suppress(["r0", "r1"], ["c0", "c1"], [[1, 2], [0, 0]])
    assert table.row_totals == (H, 0)
    assert table.column_totals == (H, H)
    assert table.total is H


def test_one_dimensional_series_hides_a_partner():
    table = suppress(["Jan", "Feb", "Mar"], ["referrals"], [[4], [12], [30]])
    assert [row[0] for row in table.cells] == [H, H, 30]
    assert table.total == 46


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_can_be_worked_out_from_its_row_or_column(seed):
    import random

    rng = random.Random(seed)
    counts = [[rng.choice([0, 1, 2, 3, 4, 5, 8, 13, 40]) for _ in range(4)] for _ in range(5)]
    table = suppress([str(i) for i in range(5)], list("abcd"), counts)
    for r, c in itertools.product(range(5), range(4)):
        if counts[r][c] and counts[r][c] < 5:
            assert table.cells[r][c] is None
    lines = [(row, total) for row, total in zip(table.cells, table.row_totals, strict=True)]
    lines += [
        (col, total)
        for col, total in zip(zip(*table.cells, strict=True), table.column_totals, strict=True)
    ]
    for line, total in lines:
        hidden = [i for i, v in enumerate(line) if v is None]
        if len(hidden) == 1:
            assert total is None  # a lone hidden cell only with its total hidden
        elif hidden and total is not None:
            # the remainder is spread over two or more cells, at least two of them non-zero
            assert sum(1 for i in hidden if counts_of(line, i, table, counts)) >= 2


def counts_of(line, i, table, counts):
    """The true count behind hidden position ``i`` of ``line`` (a row or a column)."""
    for r, row in enumerate(table.cells):
        if row is line:
            return counts[r][i]
    columns = list(zip(*table.cells, strict=True))
    c = columns.index(line)
    return counts[i][c]


def test_statistics_over_few_people_are_hidden():
    assert suppress_value(4, 12.5) is None
    assert suppress_value(5, 12.5) == 12.5


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="do not match"):
        suppress(["a"], ["x", "y"], [[1]])


def test_a_lone_hidden_total_is_covered_against_the_grand_total():
    # The reviewer's case: row totals 15, 3, 14 and a grand total of 32 would give 3 away.
    table = suppress(
        ["Jan", "Feb", "Mar"], ["a", "b", "c", "d"], [[10, 5, 0, 0], [3, 0, 0, 0], [8, 6, 0, 0]]
    )
    hidden_rows = [i for i, t in enumerate(table.row_totals) if t is None]
    assert 1 in hidden_rows
    assert len(hidden_rows) >= 2 or table.total is None


@pytest.mark.parametrize("seed", range(60))
def test_no_small_count_is_recoverable_from_visible_margins(seed):
    """Brute force: every table consistent with what is shown must allow more than one value
    for each hidden small cell, on small random tables."""
    import random

    rng = random.Random(1000 + seed)
    counts = [[rng.choice([0, 0, 1, 2, 3, 6, 9]) for _ in range(3)] for _ in range(3)]
    table = suppress(["r0", "r1", "r2"], ["a", "b", "c"], counts)
    hidden = [(r, c) for r in range(3) for c in range(3) if table.cells[r][c] is None]
    if not hidden:
        return
    values = {cell: set() for cell in hidden}
    span = range(0, 13)
    for guess in itertools.product(span, repeat=len(hidden)) if len(hidden) <= 4 else []:
        grid = [list(row) for row in table.cells]
        for (r, c), v in zip(hidden, guess, strict=True):
            grid[r][c] = v
        if any(t is not None and sum(grid[r]) != t for r, t in enumerate(table.row_totals)):
            continue
        cols = list(zip(*grid, strict=True))
        if any(t is not None and sum(cols[c]) != t for c, t in enumerate(table.column_totals)):
            continue
        if table.total is not None and sum(map(sum, grid)) != table.total:
            continue
        for cell, v in zip(hidden, guess, strict=True):
            values[cell].add(v)
    for (r, c), seen in values.items():
        if 0 < counts[r][c] < 5 and seen:
            assert len(seen) > 1, (counts, table)
