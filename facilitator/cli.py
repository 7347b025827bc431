"""`python run.py …`: serve, make a demo workshop, manage facilitator accounts, migrate."""
import io
import json
import shlex
import sys
import uuid
from datetime import date
from importlib import resources
from pathlib import Path

import click
from flask import url_for

from . import create_app, database, network
from .domain import facilitators, ideas, participants, workshops
from .domain.errors import DomainError
from .domain.workshops import BoardSpec, WorkshopSpec
from .extensions import db, socketio
from .models import Facilitator


# Until data/demo.json names one: the cover of the demo documentation shows an organiser.
DEMO_ORGANISER = "Landkreis Emsland, Stabsstelle Integration"


def _app(port: int | None = None):
    app = create_app()
    app.config["PUBLIC_URL_GIVEN"] = bool(app.config["PUBLIC_URL"])
    if not app.config["PUBLIC_URL"]:
        address = network.lan_address() or "127.0.0.1"
        app.config["PUBLIC_URL"] = f"http://{address}:{port or app.config['PORT']}"
    database.migrate(app.config["DATABASE_URL"])
    return app


def _warn_if_phones_cannot_reach(app, port: int) -> None:
    """Loud, because a loopback address on every QR code and poster stops the event at the door."""
    public_url = app.config["PUBLIC_URL"]
    if not network.is_loopback_url(public_url):
        return
    bar = "!" * 78
    for line in (bar,
                 f"!! PHONES CANNOT JOIN: {public_url} only works on this laptop (loopback).",
                 "!! PUBLIC_URL says so." if app.config.get("PUBLIC_URL_GIVEN") else
                 "!! No network address was found.",
                 "!! Connect the laptop to the venue Wi-Fi or network cable and restart,",
                 "!! or give the address phones must use, e.g.",
                 f"!!     PUBLIC_URL=http://192.168.1.20:{port} make run",
                 "!! (`ip -4 addr` shows this laptop's addresses.)",
                 bar):
        click.secho(line, fg="red", bold=True, err=True)


def _absolute(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return app.config["PUBLIC_URL"] + url_for(endpoint, **values)


def _sign_in_url(app, facilitator: Facilitator, next_path: str | None = None) -> str:
    secret = facilitators.new_sign_in_link(db.session, facilitator)
    return _absolute(app, "console.sign_in_link", secret=secret, next=next_path)


def _first_facilitator(app) -> str | None:
    """On first start there is no account and no default password: make one, return its link."""
    if facilitators.has_any(db.session):
        return None
    return _sign_in_url(app, facilitators.create_facilitator(db.session, "Moderation"))


def _sign_in_hint() -> str:
    """How to get in after a restart: the first start's one-time link is spent by now."""
    accounts = facilitators.all_facilitators(db.session)
    without_password = [account.name for account in accounts if not account.password_hash]
    example = (without_password or [accounts[0].name])[0]
    command = f"python run.py sign-in-link {shlex.quote(example)}"
    if without_password:
        return (f"  Sign in:             run `{command}` for a one-time link "
                f"(no password yet: {', '.join(without_password)})")
    return (f"  Sign in:             with your password ({', '.join(a.name for a in accounts)}); "
            f"lost it? run `{command}`")


def server_options(command):
    command = click.option("--port", envvar="PORT", default=5000, show_default=True, type=int,
                           help="Port to listen on (PORT).")(command)
    return click.option("--host", envvar="HOST", default="0.0.0.0", show_default=True,
                        help="Address to listen on (HOST).")(command)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@server_options
@click.pass_context
def main(ctx, host: str, port: int):
    """Facilitator: live workshop facilitation. Without a command, starts the server.

    Settings come from environment variables: DATABASE_URL (default: SQLite in instance/),
    PUBLIC_URL (the address phones use; default: this machine's LAN address), SECRET_KEY
    (default: generated once into instance/), MESSAGE_QUEUE (Redis URL for several processes).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve, host=host, port=port)


@main.command()
@server_options
def serve(host: str, port: int):
    """Start the real-time server (gevent, WebSocket)."""
    app = _app(port)
    app.config["HOST"] = host
    with app.app_context():
        first_link = _first_facilitator(app)
        sign_in = (f"  First sign-in (one-time link, valid 24 h): {first_link}" if first_link
                   else _sign_in_hint())
    click.echo(f"Facilitator is running on {host}:{port} ({app.config['DATABASE_URL']})")
    click.echo(f"  Phones join at:      {_absolute(app, 'participant.start')}")
    click.echo(f"  Facilitator console: {_absolute(app, 'console.index')}")
    click.echo(sign_in)
    sys.stdout.flush()
    _warn_if_phones_cannot_reach(app, port)
    from . import retention_runner
    from .server import serve as serve_until_stopped
    serve_until_stopped(app, socketio, host, port, access_log=app.config["ACCESS_LOG"],
                        background=[lambda: retention_runner.run_periodically(app, socketio.sleep)])


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the links as one JSON object.")
@click.option("--with-results", is_flag=True,
              help="Also play the workshop through: clusters, votes, a consent check, measures, "
                   "phases and a photo, so the documentation can be tried at once.")
@click.option("--process", "as_process", is_flag=True,
              help="Instead: a demo participation process after the Emsland seed (kick-off, two "
                   "workshops, a closing event with carried-over measures and a steering-group "
                   "vote).")
@click.option("--port", envvar="PORT", type=int, default=None,
              help="Port the server runs on, for the links (PORT; default 5000).")
@click.pass_context
def demo(ctx, as_json: bool, with_results: bool, as_process: bool, port: int | None):
    """Create a ready-to-try demo workshop and print its links."""
    # `run.py --port 8000 demo` gives the port to the group, `run.py demo --port 8000` to demo.
    port = port or ctx.find_root().params["port"]
    app = _app(port)
    if as_process:
        _process_demo(app, as_json)
        return
    spec = json.loads(resources.files("facilitator").joinpath("data/demo.json").read_text("utf-8"))
    with app.app_context():
        owner = facilitators.find_by_name(db.session, "Moderation") or \
            facilitators.create_facilitator(db.session, "Moderation")
        workshop = workshops.create_workshop(db.session, owner.id, WorkshopSpec(
            title=spec["title"], event_date=date.today(), place=spec["place"],
            purpose=spec["purpose"], language=spec["language"],
            process_title=spec["process_title"],
            organiser=spec.get("organiser", DEMO_ORGANISER),
            stakeholder_groups=tuple(spec["stakeholder_groups"]),
            boards=tuple(BoardSpec(b["title"], b["question"], b["colour"])
                         for b in spec["boards"])))
        author, _token = participants.join(db.session, workshop)
        for board, board_spec in zip(workshop.boards, spec["boards"]):
            for text in board_spec["ideas"]:
                ideas.post_idea(db.session, author, board.id, uuid.uuid4().hex, text)
        if with_results:
            from .demo import add_results
            add_results(db.session, workshop, owner.id)
        links = {
            "join_code": workshop.join_code,
            "join_url": _absolute(app, "participant.join", code=workshop.join_code),
            "facilitator_url": _sign_in_url(app, owner, f"/console/{workshop.id}"),
            "screen_url": _absolute(app, "screen.wall", key=workshop.screen_key),
            "boards": [{"title": board.title,
                        "join_url": _absolute(app, "participant.join", code=workshop.join_code,
                                              board=board.id)}
                       for board in workshop.boards],
        }
    if as_json:
        click.echo(json.dumps(links, ensure_ascii=False))
        return
    _warn_if_phones_cannot_reach(app, port)
    click.echo(f"Demo workshop “{spec['title']}” — join code {links['join_code']}")
    click.echo(f"  Facilitator (one-time sign-in): {links['facilitator_url']}")
    click.echo(f"  Projector:                      {links['screen_url']}")
    click.echo(f"  Phones join:                    {links['join_url']}")
    for board in links["boards"]:
        click.echo(f"    {board['title']}: {board['join_url']}")


def _process_demo(app, as_json: bool) -> None:
    from .process_demo import create_process_demo
    with app.app_context():
        owner = facilitators.find_by_name(db.session, "Moderation") or \
            facilitators.create_facilitator(db.session, "Moderation")
        made = create_process_demo(db.session, owner.id)
        process = made["process"]
        links = {
            "process_id": process.id,
            "process_url": _sign_in_url(app, owner, f"/console/process/{process.id}"),
            "events": [{"title": event.title, "join_code": event.join_code,
                        "facilitator_url": _sign_in_url(app, owner, f"/console/{event.id}")}
                       for event in made["events"]],
            "steering_group": [{"name": member.name,
                                "url": _absolute(app, "process.steering", secret=secret)}
                               for member, secret in made["members"]],
        }
    if as_json:
        click.echo(json.dumps(links, ensure_ascii=False))
        return
    click.echo(f"Demo process “{process.title}” (id {process.id})")
    click.echo(f"  Process page (one-time sign-in): {links['process_url']}")
    for event in links["events"]:
        click.echo(f"  {event['title']} — join code {event['join_code']}")
    for member in links["steering_group"]:
        click.echo(f"  Steering group, {member['name']}: {member['url']}")


@main.command("add-facilitator")
@click.argument("name")
@click.option("--admin", is_flag=True,
              help="make the account an installation admin (manages accounts); the first "
                   "account always is one")
def add_facilitator(name: str, admin: bool):
    """Create a facilitator account and print its one-time sign-in link."""
    app = _app()
    with app.app_context():
        try:
            facilitator = facilitators.create_facilitator(db.session, name, admin=admin)
        except DomainError:
            if facilitators.find_by_name(db.session, name) is not None:
                raise click.ClickException(f"A facilitator named {name!r} exists already.")
            raise click.ClickException(f"Not a usable name: {name!r}.")
        click.echo(_sign_in_url(app, facilitator))


@main.command("sign-in-link")
@click.argument("name")
def sign_in_link(name: str):
    """Print a new one-time sign-in link for an existing facilitator (lost password)."""
    app = _app()
    with app.app_context():
        facilitator = facilitators.find_by_name(db.session, name)
        if facilitator is None:
            raise click.ClickException(f"No facilitator named {name!r}.")
        click.echo(_sign_in_url(app, facilitator))


@main.command()
def retention():
    """Delete the raw participation data of workshops whose retention period has passed (the
    server also does this every hour); prints what was deleted."""
    from . import retention_runner
    app = _app()
    deleted = retention_runner.run_once(app)
    for item in deleted:
        click.echo(f"Workshop {item.workshop_id}: deleted {item.participants} participants, "
                   f"{item.votes} votes, the authorship of {item.authored_cards} cards, "
                   f"{item.presence} presence rows, {item.undo_steps} undo steps.")
    click.echo(f"Retention: {len(deleted)} workshop(s) done "
               f"(period {app.config['RETENTION_DAYS']} days unless a workshop sets its own).")


@main.command()
def migrate():
    """Bring the database schema up to date (run once before starting several servers)."""
    app = create_app()
    database.migrate(app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


REPORT_FORMATS = ("pdf", "html", "csv", "json", "docx")


def _renderer(module: str, name: str):
    """A renderer of facilitator.reports by name; a clear error while it does not exist yet."""
    import importlib
    try:
        return getattr(importlib.import_module(f"facilitator.reports.{module}"), name)
    except (ImportError, AttributeError):
        raise click.ClickException(
            f"This installation cannot write this format yet: "
            f"facilitator.reports.{module}.{name}() is missing.") from None


@main.command()
@click.argument("join_code", required=False)
@click.option("--process", "process_id", type=int, default=None,
              help="Instead of a workshop: the compendium of this participation process "
                   "(pdf, html, docx; csv: every measure; json: the whole process, for "
                   "`import --process`).")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="pdf",
              show_default=True, help="pdf/html/docx: the documentation; csv: one row per card; "
                                      "json: the whole workshop, for `import`.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The file to write ('-' for standard output).")
@click.option("--names", is_flag=True,
              help="Show the names participants chose to show (pdf, html, docx, json).")
def report(join_code: str | None, process_id: int | None, fmt: str, output: str, names: bool):
    """Write a workshop's documentation or data to a file (for scripts and archiving)."""
    from .domain import archive, photos
    from .reports.record import build_record
    if (join_code is None) == (process_id is None):
        raise click.UsageError("Give a JOIN_CODE or --process PROCESS_ID.")
    app = _app()
    if process_id is not None:
        data = _compendium(app, process_id, fmt)
        _write_output(output, data, fmt)
        return
    with app.app_context():
        try:
            workshop = workshops.find_by_join_code(db.session, join_code)
        except DomainError:
            raise click.ClickException(f"There is no workshop with the join code {join_code!r}.")
        uploads = photos.upload_root(db.session)
        if fmt == "json":
            data = archive.dumps(archive.export_workshop(db.session, workshop.id, names))
        elif fmt == "csv":
            from .reports.csv_export import export_csv
            data = export_csv(db.session, workshop.id)
        elif fmt == "docx":
            from .reports.docx_export import export_docx
            data = export_docx(db.session, workshop.id, include_names=names)
        elif fmt == "html":
            standalone_html = _renderer("html", "standalone_html")
            data = standalone_html(build_record(db.session, workshop.id, include_names=names),
                                   uploads).encode("utf-8")
        else:
            render_pdf = _renderer("pdf", "render_pdf")
            out = io.BytesIO()
            render_pdf(build_record(db.session, workshop.id, include_names=names), out, uploads)
            data = out.getvalue()
    _write_output(output, data, fmt)


def _compendium(app, process_id: int, fmt: str) -> bytes:
    from .reports import compendium
    if fmt == "json":
        from .domain import process_archive
        with app.app_context():
            try:
                return process_archive.dumps(process_archive.export_process(db.session,
                                                                            process_id))
            except DomainError:
                raise click.ClickException(f"There is no process with the id {process_id}.")
    with app.app_context():
        try:
            built = compendium.build_compendium(db.session, process_id)
        except DomainError:
            raise click.ClickException(f"There is no process with the id {process_id}.")
    if fmt == "csv":
        return compendium.export_csv(built)
    if fmt == "docx":
        return compendium.export_docx(built)
    if fmt == "html":
        return compendium.compendium_html(built).encode("utf-8")
    if fmt == "pdf":
        out = io.BytesIO()
        compendium.render_pdf(built, out)
        return out.getvalue()
    raise click.ClickException("The compendium is written as pdf, html, docx or csv.")


def _write_output(output: str, data: bytes, fmt: str) -> None:
    if output == "-":
        click.get_binary_stream("stdout").write(data)
        return
    target = Path(output)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)
    click.echo(f"Wrote {target} ({len(data):,} bytes, {fmt}).", err=True)


@main.command("import")
@click.argument("archive_file", metavar="FILE.json", type=click.File("rb"))
@click.option("--facilitator", "facilitator_name", default="Moderation", show_default=True,
              help="Who runs the imported workshop (made if missing).")
@click.option("--process", "as_process", is_flag=True,
              help="The file is a whole participation process (`report --process ID --format "
                   "json`).")
def import_(archive_file, facilitator_name: str, as_process: bool):
    """Restore a workshop exported as JSON (here or on another server) as a new workshop, with a
    new join code; prints its links."""
    from .domain import archive
    app = _app()
    with app.app_context():
        owner = facilitators.find_by_name(db.session, facilitator_name) or \
            facilitators.create_facilitator(db.session, facilitator_name)
        if as_process:
            from .domain import process_archive
            try:
                process = process_archive.import_process(db.session, owner.id,
                                                         archive_file.read())
            except DomainError as error:
                raise click.ClickException(
                    f"{archive_file.name} is not a process export this installation can read "
                    f"({error}). Nothing was imported.") from None
            click.echo(f"Imported the process “{process.title}” (id {process.id})")
            click.echo(f"  Process page (one-time sign-in for {owner.name}): "
                       f"{_sign_in_url(app, owner, f'/console/process/{process.id}')}")
            return
        try:
            workshop = archive.import_workshop(db.session, owner.id, archive_file.read())
        except DomainError as error:
            raise click.ClickException(
                f"{archive_file.name} is not a workshop export this installation can read "
                f"({error}). Nothing was imported.") from None
        click.echo(f"Imported “{workshop.title}” — join code {workshop.join_code}")
        click.echo(f"  Facilitator (one-time sign-in for {owner.name}): "
                   f"{_sign_in_url(app, owner, f'/console/{workshop.id}')}")
        click.echo(f"  Projector: {_absolute(app, 'screen.wall', key=workshop.screen_key)}")
