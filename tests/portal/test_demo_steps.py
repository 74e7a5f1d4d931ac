"""The demo loader runs every app's declared steps in an order that respects ``after``."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from gis_portal.demo import DemoStep, demo_steps, demo_steps_order


def step(name, *after):
    return DemoStep(name=name, version="1", files=list, load=dict, after=after)


def test_each_step_runs_after_the_steps_it_names_ties_keep_their_order():
    steps = [step("b", "a"), step("c"), step("a"), step("d", "b", "c")]
    assert [s.name for s in demo_steps_order(steps)] == ["c", "a", "b", "d"]


def test_a_step_after_an_unknown_step_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="unknown step"):
        demo_steps_order([step("a", "nope")])


def test_steps_waiting_on_each_other_are_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="cycle"):
        demo_steps_order([step("a", "b"), step("b", "a"), step("c")])


def test_every_app_contributes_its_steps_and_they_run_in_a_valid_order():
    names = [s.name for s in demo_steps()]
    expected = (
        "areas accounts geonames placenames culture addresses boundary_versions boundary_lines"
        " township_polygons neighbour_lines facilities indicators"
    )
    assert sorted(names) == sorted(expected.split())
    assert names[0] == "areas"
    position = {n: i for i, n in enumerate(names)}
    for s in demo_steps():
        assert all(position[a] < position[s.name] for a in s.after)
    assert position["facilities"] > max(position[n] for n in ("addresses", "placenames"))
