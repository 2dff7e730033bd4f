"""``flask --app wsgi demo ...``: realistic demonstration data, encrypted like real cases."""

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demonstration data (never in production).")


@demo_cli.command("seed")
@click.option("--cases", "count", type=click.IntRange(min=1), default=100, show_default=True)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Cases written and committed together.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes generating and writing batches  [default: one per CPU]",
)
@click.option("--seed", "random_seed", type=int, default=None, help="Make the content repeatable.")
@click.option(
    "--documents", is_flag=True, help="Give each case a few small generated files (slower)."
)
@click.option("--every-stage", is_flag=True, help="Begin with one case in every status.")
def seed_demo(
    count: int,
    batch_size: int,
    workers: int | None,
    random_seed: int | None,
    documents: bool,
    every_stage: bool,
) -> None:
    """Create realistic demo cases (development only).

    Every demo case opens with one access code, printed at the end with some references.
    """
    from portal.demo.seeder import seed

    seed(
        count,
        batch_size=batch_size,
        workers=workers,
        random_seed=random_seed,
        documents=documents,
        every_stage=every_stage,
    )
