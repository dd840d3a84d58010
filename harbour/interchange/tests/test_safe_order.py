"""whole_file._in_a_safe_order, against a register held in a dictionary that refuses two
records in one slot at every single write, as the database's unique index does."""

from hypothesis import given
from hypothesis import strategies as st

from harbour.interchange.reader import ValidRow
from harbour.interchange.whole_file import Change, _in_a_safe_order

SLOTS = st.one_of(st.none(), st.integers(0, 5))


class Register:
    """Record id -> slot (None: none), refusing a slot taken twice."""

    def __init__(self, stored: dict[str, int | None]) -> None:
        self.slot_of = dict(stored)

    def put(self, record_id: str, slot: int | None) -> None:
        if slot is not None:
            holders = [r for r, s in self.slot_of.items() if s == slot and r != record_id]
            assert not holders, f"{record_id} into slot {slot}, held by {holders}"
        self.slot_of[record_id] = slot

    def stored_in(self, slots: set[int]) -> dict[int, str]:
        return {s: r for r, s in self.slot_of.items() if s in slots}

    def parking(self, record_id: str):
        return lambda: self.put(record_id, None)

    def moving_in(self, record_id: str, slot: int):
        return lambda: self.put(record_id, slot)


@st.composite
def registers_and_folders(draw):
    """A register whose slots are all different, and a folder (some of its records and new
    ones) that leads to a register whose slots are all different too."""
    stored_slots = draw(st.lists(st.integers(0, 5), unique=True, max_size=6))
    stored = {f"S{i}": slot for i, slot in enumerate(stored_slots)}
    stored.update({f"N{i}": None for i in range(draw(st.integers(0, 2)))})
    in_folder = draw(st.lists(st.sampled_from(sorted(stored)), unique=True)) if stored else []
    in_folder += [f"F{i}" for i in range(draw(st.integers(0, 3)))]
    in_folder = draw(st.permutations(in_folder))
    kept = {stored[r] for r in stored if r not in in_folder} - {None}
    final: dict[str, int | None] = {}
    for record_id in in_folder:
        slot = draw(
            SLOTS.filter(lambda s: s is None or (s not in kept and s not in final.values()))
        )
        final[record_id] = slot
    return stored, final


@given(registers_and_folders())
def test_every_write_keeps_one_record_a_slot_and_the_register_ends_as_the_folder_says(case):
    stored, final = case
    register = Register(stored)
    rows = [
        (ValidRow(line, (record_id,), (), [], {}), slot)
        for line, (record_id, slot) in enumerate(final.items(), start=2)
    ]

    steps = _in_a_safe_order(rows, register.stored_in, register.parking, register.moving_in)

    for step in steps:
        if isinstance(step, Change):
            step.apply()
        else:
            for row in step:
                register.put(row.key[0], final[row.key[0]])
    assert register.slot_of == {**stored, **final}
    written = [row.key[0] for step in steps if not isinstance(step, Change) for row in step]
    assert sorted(written) == sorted(final)


def test_a_swap_parks_one_record_and_moves_it_in_after_the_other():
    register = Register({"A": 1, "B": 2})
    rows = [(ValidRow(2, ("A",), (), [], {}), 2), (ValidRow(3, ("B",), (), [], {}), 1)]

    steps = _in_a_safe_order(rows, register.stored_in, register.parking, register.moving_in)

    kinds = ["change" if isinstance(step, Change) else [r.key[0] for r in step] for step in steps]
    assert kinds == [[], "change", ["B"], "change", ["A"]]
