import click


@click.command("seed")
@click.option("--cases", "count", type=int, default=100, show_default=True)
def seed_demo(count: int) -> None:
    """Create COUNT realistic demo cases."""
    from portal.demo.seeder import seed

    seed(count)
