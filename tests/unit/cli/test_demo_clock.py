from parcelsync.cli.demo import DemoClock


def test_demo_clock_catches_up_in_steps_and_never_passes_the_wall_clock() -> None:
    clock = DemoClock(start=1_000.0, step_s=100.0)
    assert clock.next_step(1_250.0) == 100.0
    assert clock.next_step(1_250.0) == 100.0
    assert clock.next_step(1_250.0) == 50.0
    assert clock.next_step(1_250.0) == 0.0
    assert clock.next_step(1_260.0) == 10.0
    assert clock.simulated == 1_260.0
