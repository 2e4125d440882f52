import pytest

from wellness.agency import chain
from wellness.agency.chain import UnitCycleError, ancestors, check_new_parent, supervisors_above

# 1 chief's office > 2 patrol > (3 north, 4 south); 1 > 5 investigations
PARENT = {1: None, 2: 1, 3: 2, 4: 2, 5: 1}
SUPERVISOR = {1: 100, 2: 200, 3: 300, 4: None, 5: 500}


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        (1, []),
        (2, [1]),
        (3, [2, 1]),
        (4, [2, 1]),
        (5, [1]),
        (99, []),
    ],
)
def test_ancestors_nearest_first(unit, expected):
    assert ancestors(unit, PARENT) == expected


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        (3, [300, 200, 100]),
        (4, [200, 100]),  # a unit with no supervisor is answered by those above it
        (5, [500, 100]),
        (1, [100]),
    ],
)
def test_supervisors_above_cover_the_whole_chain(unit, expected):
    assert supervisors_above(unit, PARENT, SUPERVISOR) == expected


def test_one_person_supervising_two_levels_is_listed_once():
    assert supervisors_above(3, PARENT, {1: 7, 2: 7, 3: 8}) == [8, 7]


@pytest.mark.parametrize(("unit", "new_parent"), [(2, 2), (2, 3), (1, 4), (2, 4)])
def test_a_unit_cannot_move_under_itself_or_its_descendants(unit, new_parent):
    with pytest.raises(UnitCycleError):
        check_new_parent(unit, new_parent, PARENT)


@pytest.mark.parametrize(("unit", "new_parent"), [(3, 5), (5, 3), (4, None), (3, 1)])
def test_legal_moves_pass(unit, new_parent):
    check_new_parent(unit, new_parent, PARENT)


def test_a_corrupt_tree_with_a_loop_is_reported_not_looped_forever():
    with pytest.raises(UnitCycleError):
        ancestors(1, {1: 2, 2: 1})


def test_descendants_and_the_units_someone_heads():
    parent = {1: None, 2: 1, 3: 1, 4: 2, 5: 4, 6: None}
    boss = {1: 100, 2: 200, 3: None, 4: 400, 5: None, 6: 200}
    assert chain.descendants(2, parent) == {2, 4, 5}
    assert chain.descendants(5, parent) == {5}
    assert chain.units_under(200, parent, boss) == {2, 4, 5, 6}
    assert chain.units_under(100, parent, boss) == {1, 2, 3, 4, 5}
    assert chain.units_under(999, parent, boss) == set()
