"""Background tasks of the finance app (django-tasks; run by `technopark db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_simulation(run_id: str) -> None:
    """Run the Monte Carlo simulation stored as `SimulationRun` `run_id`, with progress."""
    from technopark.finance.services import simulation_execute

    simulation_execute(run_id)
