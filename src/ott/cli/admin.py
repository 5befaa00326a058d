"""`ott migrate`, `ott seed` and `ott create-admin`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import typer
from email_validator import EmailNotValidError, validate_email

from ott.cli.common import DataDir, console, prepare, run_with_context
from ott.cms.schemas import BulkResult
from ott.core.app_context import AppContext
from ott.core.errors import AppError

EXIT_USAGE = 2  # what Typer answers for a bad argument


def migrate(data_dir: DataDir = None) -> None:
    """Apply every database migration (Alembic upgrade to head)."""
    prepare(data_dir)
    console.print("[green]✓[/green] database is at the latest migration")


def seed(
    count: Annotated[int, typer.Option(min=1, max=100_000, help="How many titles.")] = 240,
    random_seed: Annotated[int, typer.Option("--seed", help="Seed of the generator.")] = 7,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            help="Give a few demo titles a short generated video, and make the demo ads (an "
            "advertiser, a campaign, two generated creatives), queued for transcoding.",
        ),
    ] = True,
    data_dir: DataDir = None,
) -> None:
    """Load (or refresh) the generated demo catalog: films, series and sports in English and
    Hindi, published. Running it again updates the same titles instead of adding copies.
    A few titles get a short generated video (test patterns with a tone), queued for the
    transcoding worker of `ott serve` or `ott worker`; titles that have one are left alone.
    The demo ads (a pre-roll for free viewers) are made once, with their advertiser."""
    from ott.cli.demo import ads_line, queue_with_progress, seed_ads, summary
    from ott.seed.load import seed_demo_catalog

    settings = prepare(data_dir).settings

    async def work(context: AppContext) -> BulkResult:
        return await seed_demo_catalog(context, count=count, seed=random_seed)

    with console.status(f"Generating and importing {count} titles…"):
        result = run_with_context(settings, work)
    console.print(
        f"[green]✓[/green] {result.total} titles: {result.created} created, "
        f"{result.updated} updated, {result.unchanged} unchanged"
    )
    if demo:
        console.print(ads_line(seed_ads(settings)))
        videos = queue_with_progress(settings)
        console.print(f"[green]✓[/green] {summary(videos)}")


def _valid_email(value: str) -> str:
    # Registration validates addresses the same way (pydantic's EmailStr uses this library).
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise typer.BadParameter(f"{value!r} is not a valid email address: {error}") from None


def create_admin(
    email: Annotated[
        str, typer.Argument(help="Email of the admin account.", callback=_valid_email)
    ],
    password: Annotated[
        str | None,
        typer.Option(
            envvar="OTT_ADMIN_PASSWORD",
            show_default=False,
            help="Password of a new account; asked for when the account does not exist yet "
            "(an existing account keeps its password).",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create an admin account, or give an existing account the admin role."""
    from ott.auth import service as auth_service

    settings = prepare(data_dir).settings
    if password is None and not run_with_context(settings, _account_exists(email)):
        password = typer.prompt(
            f"Password for the new account {email}", hide_input=True, confirmation_prompt=True
        )

    async def work(context: AppContext) -> str:
        async with context.sessionmaker() as db, db.begin():
            user = await auth_service.create_admin(
                db=db, settings=settings, email=email, password=password
            )
            return str(user.id)

    try:
        user_id = run_with_context(settings, work)
    except AppError as error:
        console.print(f"[red]{error.message}[/red]")
        for detail in error.details or []:
            console.print(f"  · {detail.get('message', detail)}")
        raise typer.Exit(code=1) from error
    console.print(f"[green]✓[/green] {email} is an admin (user id {user_id})")


def _account_exists(email: str) -> Callable[[AppContext], Awaitable[bool]]:
    from ott.auth.service import find_user_by_email

    async def work(context: AppContext) -> bool:
        async with context.sessionmaker() as db:
            return await find_user_by_email(db=db, email=email) is not None

    return work
