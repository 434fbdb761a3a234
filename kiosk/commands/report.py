"""`kiosk report`: engagement figures for coordinators, as text, CSV, PDF or PNG charts; `--rebuild` recomputes
the session rollups from the journal."""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kiosk.errors import UserError

DEFAULT_DAYS = 30


def register(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="engagement report: text summary, CSV, PDF, PNG charts",
        description="Engagement report for coordinators. Without --csv/--pdf/--png it prints a summary. "
        f"Default period: the last {DEFAULT_DAYS} days up to today.",
    )
    p.add_argument(
        "--resident", metavar="ID", help="only this resident (the staff id, as in `kiosk residents list`)"
    )
    p.add_argument(
        "--from", dest="start", metavar="YYYY-MM-DD", help="first day (default: 30 days before --to)"
    )
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day, included (default: today)")
    p.add_argument("--csv", metavar="FILE", help="write sessions to FILE and song plays to FILE-plays.csv")
    p.add_argument("--pdf", metavar="FILE", help="write a printable PDF (home page + one page per resident)")
    p.add_argument("--png", metavar="DIR", help="write the charts as PNG pictures into DIR")
    p.add_argument(
        "--pseudonymise",
        "--pseudonymize",
        action="store_true",
        help="show residents as stable codes (R-XXXXXX), no names or notes: for sharing outside the home",
    )
    p.add_argument(
        "--idle-days", type=int, default=7, metavar="N", help="list residents with no session in N days"
    )
    p.add_argument(
        "--rebuild", action="store_true", help="recompute the session rollups from the journal first"
    )
    p.set_defaults(func=run)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(
            f"{option}: {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-06-01"
        ) from None


def _writable_file(value: str, option: str) -> Path:
    from kiosk.adapters.report_csv import plays_path
    from kiosk.adapters.safe_output import check_target

    path = Path(value).expanduser()
    if path.is_dir() and not path.is_symlink():
        raise UserError(f"{option}: {path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise UserError(f"{option}: the folder {path.parent} does not exist")
    check_target(path)  # a link or a device at the target: refused before any work (and again when writing)
    if option == "--csv":
        check_target(plays_path(path))
    return path


def run(args: argparse.Namespace, ctx: Any) -> int:

    problems = []
    end = start = None
    try:
        end = _date(args.end, "--to")
    except UserError as exc:
        problems += exc.problems
    try:
        start = _date(args.start, "--from")
    except UserError as exc:
        problems += exc.problems
    if args.idle_days < 1:
        problems.append(f"--idle-days: must be 1 or more (got {args.idle_days})")
    outputs: dict[str, Path] = {}
    for option, value in (("--csv", args.csv), ("--pdf", args.pdf)):
        if value:
            try:
                outputs[option] = _writable_file(value, option)
            except UserError as exc:
                problems += exc.problems
    if args.png:
        png = Path(args.png).expanduser()
        if png.exists() and not png.is_dir():
            problems.append(f"--png: {png} is a file; give a folder")
        elif not png.parent.is_dir():
            problems.append(f"--png: the folder {png.parent} does not exist")
        outputs["--png"] = png
    if problems:
        raise UserError(problems)
    end = end or date.today()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise UserError(f"--from {start} is after --to {end}")
    if not ctx.data_dir.is_dir():
        raise UserError(f"no data folder at {ctx.data_dir} (use --data-dir or KIOSK_DATA_DIR)")

    try:
        return _report(args, ctx, start, end, outputs)
    except PermissionError as exc:
        raise UserError(
            f"no permission to use {exc.filename or ctx.data_dir}: run the report as the user that owns "
            f"{ctx.data_dir} ({_owner(ctx.data_dir)}), e.g. sudo -u {_owner(ctx.data_dir)} kiosk report ..."
        ) from None


def _owner(path: Path) -> str:
    import pwd

    try:
        return pwd.getpwuid(path.stat().st_uid).pw_name
    except (KeyError, OSError):
        return "the kiosk's user"


def _report(args: argparse.Namespace, ctx: Any, start: date, end: date, outputs: dict[str, Path]) -> int:
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.report_build import compute, make_labels
    from kiosk.adapters.report_source import check_export_log, log_export, rebuild_rollups
    from kiosk.domain.report import Period

    data = DataFolder(ctx.data_dir)
    if args.rebuild:
        t0 = time.perf_counter()
        st = rebuild_rollups(data)
        print(
            f"Rebuilt {st.sessions} session rollups in {st.months} month(s) from {st.events} journal events "
            f"({time.perf_counter() - t0:.1f} s); {st.observations_added} observations and "
            f"{st.avoid_changes} avoid-list changes indexed"
            + (f"; {st.torn_lines} damaged journal line(s) skipped" if st.torn_lines else "")
        )
        if not outputs and args.resident is None and args.start is None and args.end is None:
            return 0

    labels = make_labels(data, args.pseudonymise)
    only = None
    if args.resident is not None:
        match = [r.resident_id for r in labels.known.values() if r.staff_id == args.resident]
        if not match:
            raise UserError(
                f"--resident: no resident with the staff id {args.resident!r} (see `kiosk residents list`)"
            )
        only = match
    period = Period(start, end)
    from kiosk.adapters.report_build import load_inputs

    inputs = load_inputs(data, period, args.idle_days)
    report = compute(data, period, labels, only=only, idle_days=args.idle_days, inputs=inputs)
    n_res = len(report.residents)
    span = f"{start.isoformat()}..{end.isoformat()}"

    if outputs:
        check_export_log(data)
    if not outputs:
        from kiosk.domain.report_text import summary_text

        names = {rid: labels.label(rid) for rid in report.home.not_recorded}
        print(
            summary_text(report, notes=not args.pseudonymise, one_resident=only is not None, names=names),
            end="",
        )
        return 0
    if "--csv" in outputs:
        from kiosk.adapters.report_csv import plays_path, write_csv_from_store

        path = outputs["--csv"]
        rows, plays = write_csv_from_store(
            path,
            data,
            period,
            label=labels.label,
            staff_id=labels.staff_id,
            only=set(only) if only else None,
            zone=report.home.time_zone,
        )
        log_export(data, "csv", n_res, args.pseudonymise, span)
        print(f"Wrote {path} ({rows} session rows) and {plays_path(path)} ({plays} song plays)")
    if "--pdf" in outputs:
        from kiosk.adapters.report_pdf import write_pdf
        from kiosk.domain.report_text import plural

        path = outputs["--pdf"]
        pages = write_pdf(
            path,
            report,
            pseudonymised=args.pseudonymise,
            one_resident=only is not None,
            names={rid: labels.label(rid) for rid in report.home.not_recorded},
        )
        log_export(data, "pdf", n_res, args.pseudonymise, span)
        print(f"Wrote {path} ({plural(pages, 'page')})")
    if "--png" in outputs:
        from kiosk.adapters.report_png import write_pngs

        folder = outputs["--png"]
        folder.mkdir(mode=0o700, exist_ok=True)
        written = write_pngs(folder, report, labels.slug, one_resident=only is not None)
        log_export(data, "png", n_res, args.pseudonymise, span)
        print(f"Wrote {len(written)} charts into {folder}")
    return 0
