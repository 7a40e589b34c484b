"""Monitoring commands of the ``vigie`` CLI: draft, mentions, registry.

Registered on the main app by :mod:`vigie.cli.app`::

    vigie draft TEXT --as ACCOUNT_OR_PERSON       pre-publication check (6.1, 6.3, 6.4)
    vigie draft TEXT --as WHO --ask EMAIL         ... and put it to a supervisor (6.3)
    vigie draft show|answer N                     a consultation; record the supervisor's answer
    vigie mentions add|feeds|poll|list|alert|eval  web monitoring of the name (section 7)
    vigie registry import|export|list|check|suspects|mandate   pages and mandates (6.1)

Every command that stores takes ``--db`` (a URL or an SQLite path; default
``VIGIE_DATABASE_URL``, else ``./vigie.sqlite``). Errors are
:class:`~vigie.errors.VigieError` subclasses, translated to exit codes by
:func:`vigie.cli.app`. See ``docs/monitoring.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table
from typer.core import TyperGroup

from vigie.cli.options import (
    DbOption,
    FormatOption,
    JsonFlag,
    PolicyOption,
    err_console,
    out_console,
)
from vigie.errors import StoreError, VigieError

__all__ = ["draft_app", "draft_command", "mandate_app", "mentions_app", "registry_app"]


class _DraftGroup(TyperGroup):
    """``vigie draft``: ``show`` and ``answer`` by name; anything else is a draft to check.

    So ``vigie draft "Mon brouillon" --as @me`` keeps working beside ``vigie draft show 3``
    (a draft that is literally ``show`` or ``answer`` goes through ``vigie draft check``).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Typer's own click Context
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["check", *args]
        return super().parse_args(ctx, args)


draft_app = typer.Typer(cls=_DraftGroup, no_args_is_help=True,
                        help="Check a draft before publishing (6.1, 6.3, 6.4); ask a "
                             "supervisor in case of doubt (6.3).")


mentions_app = typer.Typer(help="Web monitoring of the institution's name (directive 7).",
                           no_args_is_help=True)
registry_app = typer.Typer(help="Registry of the institution's pages and mandates (6.1).",
                           no_args_is_help=True)
mandate_app = typer.Typer(help="People mandated to speak in the institution's name.",
                          no_args_is_help=True)


def _open(db: str | None) -> Any:
    from vigie.store.store import open_store

    return open_store(None if db in (None, "", "default") else db)


def _format(value: str, path: Path | None) -> Literal["csv", "json"]:
    chosen = value or (path.suffix.lstrip(".").lower() if path else "") or "csv"
    if chosen not in ("csv", "json"):
        raise VigieError(f"unknown format {chosen!r}; valid: csv, json")
    return "json" if chosen == "json" else "csv"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise VigieError(f"{path}: cannot read: {error}") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


# -- draft -------------------------------------------------------------------------------------

LangOption = Annotated[str, typer.Option(
    "--lang", help="Language of the messages: fr (default) or en.")]


def _t(lang: str) -> Any:
    from vigie.web.i18n import LANGUAGES, translator

    if lang not in LANGUAGES:
        raise VigieError(f"unknown language {lang!r}; valid: {', '.join(LANGUAGES)}")
    return translator(lang)


def _refused(error: Any, t: Any) -> StoreError:
    # A refused consultation step, worded in the chosen language (the CLI prints "error:").
    return StoreError(t(f"consult.error_{error.key}", **error.fields))


def _ask(store: Any, report: Any, text: str, speaker: str, supervisor: str, asked_by: str,
         t: Any, as_json: bool) -> int:
    from vigie.monitoring.consultations import (
        ConsultationError,
        ask_supervisor,
        notify_supervisor,
        supervisor_lang,
    )
    from vigie.web.notices import consultation_notice

    try:
        asked = ask_supervisor(store, text, [f.to_dict() for f in report.findings],
                               supervisor=supervisor, asked_by=asked_by, speaker=speaker)
    except ConsultationError as error:
        raise _refused(error, t) from None
    settings = store.settings.escalation
    notice = consultation_notice(asked, supervisor_lang(settings), settings.dashboard_url)
    outcome, detail = notify_supervisor(store, asked, notice, settings)
    say = err_console.print if as_json else out_console.print
    say(t("consult.cli_asked", pk=asked.pk, supervisor=asked.supervisor), highlight=False)
    if outcome == "sent":
        say(t("consult.cli_sent", supervisor=asked.supervisor), highlight=False)
    elif outcome == "failed":
        err_console.print("[yellow]" + t("consult.cli_failed", error=detail) + "[/]",
                          highlight=False)
    else:
        err_console.print("[yellow]" + t("consult.cli_no_channel", pk=asked.pk) + "[/]",
                          highlight=False)
    return asked.pk


@draft_app.command("check")
def draft_command(
    text: Annotated[str, typer.Argument(help="The draft post ('-': read standard input).")],
    speaker: Annotated[str, typer.Option(
        "--as", help="Who would publish it: @handle, platform:handle, page URL or e-mail.")],
    platform: Annotated[str, typer.Option(help="Where it would be published.")] = "facebook",
    db: DbOption = None,
    registry_file: Annotated[Path | None, typer.Option(
        "--registry", help="Registry file (CSV/JSON) instead of the database.")] = None,
    mandates_file: Annotated[Path | None, typer.Option(
        "--mandates", help="Mandates file (JSON list) instead of the database.")] = None,
    policy_file: PolicyOption = None,
    as_json: JsonFlag = False,
    ask: Annotated[str | None, typer.Option(
        "--ask", metavar="EMAIL", help="In case of doubt, put the draft and its findings to "
        "this supervisor (6.3): stored in --db, e-mailed when a relay is configured.")] = None,
    asked_by: Annotated[str | None, typer.Option(
        "--by", help="Who asks, with --ask (recorded in the audit; default: --as).")] = None,
    lang: LangOption = "fr",
) -> None:
    """Check a draft before publishing: mandate (6.1), confidential (6.3), 6.4 categories.

    Exits 0 when nothing must change, 3 when something must (advice alone exits 0), with or
    without ``--ask``.
    """
    import sys

    from vigie.monitoring.consultations import valid_email
    from vigie.monitoring.draft import DraftChecker
    from vigie.monitoring.registry import MandateBook, load_book, parse_entries, parse_mandates
    from vigie.pipeline import Pipeline
    from vigie.policy import load_policy

    t = _t(lang)
    if ask is not None and not valid_email(ask):  # before loading the detectors
        raise StoreError(t("consult.error_bad_email", email=ask))
    if text == "-":
        text = sys.stdin.read()
    if registry_file is not None or mandates_file is not None:
        entries = parse_entries(_read(registry_file), _format("", registry_file),
                                source=str(registry_file)) if registry_file else []
        mandates = parse_mandates(_read(mandates_file), source=str(mandates_file)) \
            if mandates_file else []
        book = MandateBook(entries, mandates)
    elif db is not None or os.environ.get("VIGIE_DATABASE_URL") or Path("vigie.sqlite").exists():
        store = _open(db)
        book = load_book(store)
        store.dispose()
    else:
        err_console.print("[yellow]warning[/]: no registry (--db, --registry): nobody is "
                          "mandated to speak in the institution's name")
        book = MandateBook()
    checker = DraftChecker(Pipeline.from_policy(load_policy(policy_file)), book)
    report = checker.check(text, speaker, platform=platform)
    if as_json:
        out = report.to_dict()
        if ask is not None:
            out["consultation"] = _ask(_open(db), report, text, speaker, ask,
                                       asked_by or speaker, t, as_json)
        print(json.dumps(out, ensure_ascii=False))
    else:
        verdict = "[green]ready to publish[/]" if report.ok else "[red]change before publishing[/]"
        out_console.print(f"[bold]Draft by {speaker}[/]: {verdict}")
        out_console.print(f"  mandate: {'yes' if report.mandate.mandated else 'no'} — "
                          f"{report.mandate.reason}", highlight=False)
        style = {"must_change": "red", "review": "yellow", "advice": "cyan"}
        for finding in report.findings:
            out_console.print(f"  [{style[finding.severity]}]{finding.severity}[/] "
                              f"[bold]{finding.clause}[/] {finding.explanation}", highlight=False)
            out_console.print(f"      → {finding.suggestion['fr']}\n      → "
                              f"{finding.suggestion['en']}", highlight=False)
        if ask is not None:  # after the findings: the request is the last thing said
            _ask(_open(db), report, text, speaker, ask, asked_by or speaker, t, as_json)
    if not report.ok:
        raise typer.Exit(3)


@draft_app.command("show")
def draft_show(
    number: Annotated[int, typer.Argument(help="The consultation's number.")],
    db: DbOption = None,
    as_json: JsonFlag = False,
    lang: LangOption = "fr",
) -> None:
    """Show a draft put to a supervisor: the draft, its findings, the answer if any."""
    from vigie.monitoring.consultations import ConsultationError, get_consultation

    t = _t(lang)
    try:
        item = get_consultation(_open(db), number)
    except ConsultationError as error:
        raise _refused(error, t) from None
    if as_json:
        print(json.dumps(item.to_dict(), ensure_ascii=False))
        return
    out_console.print(f"[bold]{t('consult.title_one', pk=item.pk)}[/] — "
                      f"{t('consult.status_' + item.status)}", highlight=False)
    for label, value in (("consult.asked_at", f"{item.asked_at:%Y-%m-%d %H:%M} UTC"),
                         ("consult.asked_by", item.asked_by), ("consult.speaker", item.speaker),
                         ("consult.supervisor", item.supervisor),
                         ("consult.notice", t("consult.notice_" + item.notice))):
        out_console.print(f"  {t(label)} : {value}" if lang == "fr" else f"  {t(label)}: {value}",
                          highlight=False, markup=False)
    out_console.print(f"  {t('draft.text')} :" if lang == "fr" else f"  {t('draft.text')}:")
    out_console.print("    " + item.text.replace("\n", "\n    "), highlight=False, markup=False)
    for finding in item.findings:
        suggestion = finding.get("suggestion", {}).get(lang, "")
        out_console.print(f"  {finding.get('clause')} {finding.get('severity')}: "
                          f"{finding.get('explanation')}\n      → {suggestion}",
                          highlight=False, markup=False)
    if not item.findings:
        out_console.print("  " + t("consult.no_findings"), highlight=False)
    if item.status == "answered":
        out_console.print(t("consult.cli_answer", by=item.answered_by,
                            at=f"{item.answered_at:%Y-%m-%d %H:%M} UTC"), highlight=False,
                          markup=False)
        out_console.print("    " + str(item.answer).replace("\n", "\n    "), highlight=False,
                          markup=False)
    else:
        out_console.print(t("consult.cli_waiting", pk=item.pk), highlight=False, markup=False)


@draft_app.command("answer")
def draft_answer(
    number: Annotated[int, typer.Argument(help="The consultation's number.")],
    answer: Annotated[str, typer.Option("--text", help="The supervisor's answer.")],
    by: Annotated[str | None, typer.Option(
        "--by", help="Who answered (recorded in the audit; default: the supervisor).")] = None,
    db: DbOption = None,
    lang: LangOption = "fr",
) -> None:
    """Record the supervisor's answer to a consultation (once: an answer is never replaced)."""
    from vigie.monitoring.consultations import ConsultationError, answer_consultation

    t = _t(lang)
    try:
        done = answer_consultation(_open(db), number, answer, answered_by=by or "")
    except ConsultationError as error:
        raise _refused(error, t) from None
    out_console.print(t("consult.cli_answered", pk=done.pk, by=done.answered_by),
                      highlight=False, markup=False)


# -- mentions ----------------------------------------------------------------------------------

@mentions_app.command("add")
def mentions_add(
    url: Annotated[str, typer.Argument(help="Feed or page URL, or an X search query.")],
    name: Annotated[str | None, typer.Option(help="Short name shown in alerts.")] = None,
    kind: Annotated[str, typer.Option(help="feed, page or x_search.")] = "feed",
    every: Annotated[int, typer.Option(help="Minutes between polls (at least 5).")] = 60,
    bias: Annotated[float, typer.Option(
        help="Log-odds toward the institution for this source (a Québec outlet: 1).")] = 0.0,
    db: DbOption = None,
) -> None:
    """Register a source of mentions."""
    from vigie.monitoring.feeds import SourceKind
    from vigie.monitoring.poll import add_feed

    try:
        source_kind = SourceKind(kind)
    except ValueError:
        raise VigieError(f"unknown kind {kind!r}; valid: "
                         f"{', '.join(k.value for k in SourceKind)}") from None
    pk = add_feed(_open(db), url, name=name, kind=source_kind, interval_minutes=every, bias=bias)
    out_console.print(f"source {pk} added; due now")


@mentions_app.command("feeds")
def mentions_feeds(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """List the sources and their polling state."""
    from vigie.monitoring.poll import list_feeds

    rows = list_feeds(_open(db))
    if as_json:
        print(json.dumps(rows, default=_json_default, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} sources")
    for column in ("name", "kind", "every", "last status", "failures", "next poll", "url"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["name"], r["kind"], f"{r['interval_minutes']} min",
                      str(r["last_status"] or "—"), str(r["failures"]),
                      f"{r['next_poll_at']:%Y-%m-%d %H:%M}", r["url"])
    out_console.print(table)


def _x_search(connectors: Path | None, account: str | None) -> Any:
    if connectors is None:
        return None
    from vigie.connectors.config import Secrets, load_config
    from vigie.connectors.factory import build_connector
    from vigie.monitoring.feeds import XSearch

    config = load_config(connectors)
    chosen = config.account(account) if account else next(
        (a for a in config.accounts if a.platform == "x"), None)
    if chosen is None or chosen.platform != "x":
        raise VigieError(f"{connectors}: no X account to search with; name one with --x-account")
    return XSearch(build_connector(chosen, Secrets(config)).api)  # type: ignore[attr-defined]


@mentions_app.command("poll")
def mentions_poll(
    db: DbOption = None,
    all_sources: Annotated[bool, typer.Option("--all", help="Ignore the schedule.")] = False,
    loop: Annotated[bool, typer.Option(help="Keep polling; stop with Ctrl-C.")] = False,
    every_s: Annotated[int, typer.Option(help="Seconds between rounds with --loop.")] = 60,
    alert: Annotated[bool, typer.Option(
        help="Send pending alerts after each round (channels from the store settings).")] = False,
    connectors: Annotated[Path | None, typer.Option(
        help="Connectors file, for x_search sources.")] = None,
    x_account: Annotated[str | None, typer.Option(help="X account of that file.")] = None,
    timeout_s: Annotated[float, typer.Option(help="HTTP timeout per request.")] = 20.0,
    policy_file: PolicyOption = None,
) -> None:
    """Poll the sources that are due; store new mentions; optionally send alerts.

    The institution's names are the policy's (``monitoring.names_file``, else ``institution``
    and ``aliases``).
    """
    import httpx

    from vigie.monitoring.names import matcher_for
    from vigie.monitoring.poll import list_feeds, poll
    from vigie.policy import load_policy

    matcher = matcher_for(load_policy(policy_file))
    store = _open(db)
    if not list_feeds(store):
        err_console.print("[red]error:[/] no source configured: add one with `vigie mentions "
                          "add URL` (a feed, a page, or --kind x_search QUERY)", highlight=False)
        raise typer.Exit(1)
    search = _x_search(connectors, x_account)
    with httpx.Client(timeout=timeout_s) as client:
        while True:
            report = poll(store, client, only_due=not all_sources, x_search=search,
                          matcher=matcher)
            if not report.outcomes and not loop:
                out_console.print("no source is due yet; `vigie mentions feeds` shows when "
                                  "each is, `--all` polls them now", highlight=False)
            for o in report.outcomes:
                line = (f"{o.name}: {o.status}, {o.items} items, {o.new_mentions} new, "
                        f"{o.alerts} alerts")
                if o.error:
                    err_console.print(f"[red]{o.name}[/]: {o.error}", highlight=False)
                else:
                    out_console.print(line, highlight=False)
            if alert:
                _send_alerts(store, digest=True, institution=matcher.institution)
            if not loop:
                break
            time.sleep(every_s)
    if report.failed and not loop:
        raise typer.Exit(1)


@mentions_app.command("list")
def mentions_list(
    db: DbOption = None,
    tone: Annotated[str | None, typer.Option(help="negative, neutral or positive.")] = None,
    doubtful: Annotated[bool, typer.Option(
        help="Include mentions that may be a homonym.")] = False,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List stored mentions, newest first."""
    from vigie.monitoring.poll import list_mentions

    rows = list_mentions(_open(db), about_min=0.0 if doubtful else 0.5, tone=tone, limit=limit)
    if as_json:
        print(json.dumps(rows, default=_json_default, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} mentions")
    for column in ("seen", "source", "about", "tone", "alert", "title / link"):
        table.add_column(column)
    for r in rows:
        table.add_row(f"{r['seen_at']:%Y-%m-%d %H:%M}", r["source"], f"{r['about']:.2f}",
                      r["tone_label"], r["alert_status"],
                      f"{r['title'] or (r['snippet'] or '')[:80]}\n{r['url'] or ''}")
    out_console.print(table)


def _send_alerts(store: Any, *, digest: bool, institution: str) -> None:
    from vigie.monitoring.alerts import send_mention_alerts
    from vigie.notify.escalation import notifiers_from_settings

    notifiers = notifiers_from_settings(store.settings.escalation)
    if not notifiers:
        raise StoreError("no alert channel configured: set VIGIE_SMTP_HOST (with "
                         "VIGIE_SMTP_FROM, VIGIE_SMTP_TO) and/or VIGIE_WEBHOOK_URL")
    report = send_mention_alerts(store, notifiers, digest=digest,
                                 institution=institution)
    out_console.print(f"{report.sent} mention alerts sent in {report.messages} messages")
    for error in report.errors:
        err_console.print(f"[red]failed[/]: {error}", highlight=False)


@mentions_app.command("alert")
def mentions_alert(
    db: DbOption = None,
    digest: Annotated[bool, typer.Option(help="One message for all (default).")] = True,
    policy_file: PolicyOption = None,
) -> None:
    """Send the pending alerts about negative mentions to the community manager."""
    from vigie.policy import load_policy

    _send_alerts(_open(db), digest=digest, institution=load_policy(policy_file).institution)


@mentions_app.command("eval")
def mentions_eval(
    labeled: Annotated[Path | None, typer.Argument(
        help="Labeled mentions (JSONL; default: the bundled set).")] = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.5,
    errors: Annotated[Path | None, typer.Option(help="Write misjudged rows here.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Precision and recall of name disambiguation and of negative tone on a labeled set."""
    from vigie.quality.mentions import evaluate_mentions, load_labeled

    report = evaluate_mentions(load_labeled(labeled), threshold=threshold)
    if errors is not None:
        errors.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n"
                                  for e in report.errors), encoding="utf-8")
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"mentions: {report.about.n} labeled, threshold {threshold}")
    for column in ("measure", "rows", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    table.add_row("about the institution", str(report.about.n),
                  f"{report.about.precision:.3f}", f"{report.about.recall:.3f}",
                  f"{report.about.f1:.3f}")
    for group, scores in report.about_by_group.items():
        table.add_row(f"  {group}", str(scores.n), f"{scores.precision:.3f}",
                      f"{scores.recall:.3f}", f"{scores.f1:.3f}")
    table.add_row("negative tone (alerts)", str(report.negative.n),
                  f"{report.negative.precision:.3f}", f"{report.negative.recall:.3f}",
                  f"{report.negative.f1:.3f}")
    out_console.print(table)
    out_console.print(f"three-way tone accuracy {report.tone_accuracy:.3f} on the rows about "
                      f"the institution; {len(report.errors)} rows misjudged")


# -- registry ----------------------------------------------------------------------------------

@registry_app.command("import")
def registry_import(
    file: Annotated[Path, typer.Argument(help="CSV or JSON registry file.")],
    fmt: FormatOption = "",
    db: DbOption = None,
) -> None:
    """Add or update pages from a file (keyed by URL)."""
    from vigie.monitoring.registry import parse_entries, upsert_entries

    entries = parse_entries(_read(file), _format(fmt, file), source=str(file))
    added, updated = upsert_entries(_open(db), entries)
    out_console.print(f"{added} pages added, {updated} updated")


@registry_app.command("export")
def registry_export(
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="File (default: stdout).")] = None,
    fmt: FormatOption = "",
    db: DbOption = None,
) -> None:
    """Write the registry as CSV or JSON (the import format)."""
    from vigie.monitoring.registry import export_entries, list_entries

    text = export_entries(list_entries(_open(db)), _format(fmt, output))
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, encoding="utf-8")


@registry_app.command("list")
def registry_list(
    status: Annotated[str | None, typer.Option(help="official, affiliated or pending.")] = None,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """List the registered pages."""
    from vigie.monitoring.registry import PageStatus, list_entries

    try:
        chosen = PageStatus(status) if status else None
    except ValueError:
        raise VigieError(f"unknown status {status!r}; valid: "
                         f"{', '.join(s.value for s in PageStatus)}") from None
    entries = list_entries(_open(db), chosen)
    if as_json:
        print(json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False))
        return
    table = Table(title=f"{len(entries)} pages")
    for column in ("platform", "handle", "name", "unit", "contact", "status", "url"):
        table.add_column(column)
    for e in entries:
        table.add_row(e.platform, e.handle or "", e.name, e.unit, e.contact, e.status.value,
                      e.url)
    out_console.print(table)


@registry_app.command("check")
def registry_check(
    candidates: Annotated[Path | None, typer.Option(
        help="Accounts to check (CSV platform,url,handle,name,bio or JSON lines).")] = None,
    from_authors: Annotated[bool, typer.Option(
        help="Check every comment author the store has seen.")] = False,
    save: Annotated[bool, typer.Option(help="Keep the suspects for review.")] = True,
    floor: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.5,
    db: DbOption = None,
    as_json: JsonFlag = False,
    policy_file: PolicyOption = None,
) -> None:
    """Find accounts that use the institution's name (the policy's) but are not registered."""
    from vigie.monitoring.impersonation import (
        candidates_from_authors,
        find_suspects,
        parse_candidates,
        save_suspects,
    )
    from vigie.monitoring.names import matcher_for
    from vigie.monitoring.registry import load_book
    from vigie.policy import load_policy

    if candidates is None and not from_authors:
        raise VigieError("give --candidates FILE and/or --from-authors")
    matcher = matcher_for(load_policy(policy_file))
    store = _open(db)
    pool = parse_candidates(_read(candidates), source=str(candidates)) if candidates else []
    if from_authors:
        pool += candidates_from_authors(store)
    suspects = find_suspects(pool, load_book(store), matcher=matcher, floor=floor)
    new = save_suspects(store, suspects) if save else 0
    if as_json:
        print(json.dumps([{"platform": s.candidate.platform, "url": s.candidate.url,
                           "handle": s.candidate.handle, "name": s.candidate.name,
                           "score": s.score, "reasons": list(s.reasons)} for s in suspects],
                         ensure_ascii=False))
        return
    out_console.print(f"{len(pool)} accounts checked, {len(suspects)} suspects "
                      f"({new} new) for review")
    for s in suspects:
        out_console.print(f"  {s.score:.2f} {s.candidate.platform} {s.candidate.url} "
                          f"({s.candidate.name}): {'; '.join(s.reasons)}", highlight=False)


@registry_app.command("suspects")
def registry_suspects(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """List the impersonation suspects waiting for review."""
    from vigie.monitoring.impersonation import list_suspects

    rows = list_suspects(_open(db))
    if as_json:
        print(json.dumps(rows, default=_json_default, ensure_ascii=False))
        return
    for r in rows:
        out_console.print(f"{r['score']:.2f} {r['platform']} {r['url']} ({r['name']}): "
                          f"{'; '.join(r['reasons'])}", highlight=False)


@mandate_app.command("add")
def mandate_add(
    person: Annotated[str, typer.Argument(help="E-mail address or handle.")],
    name: Annotated[str, typer.Option(help="The person's name.")],
    granted_by: Annotated[str, typer.Option(help="Who grants the mandate.")],
    scope: Annotated[str | None, typer.Option(help="What it covers.")] = None,
    expires: Annotated[str | None, typer.Option(help="ISO date or time it ends.")] = None,
    db: DbOption = None,
) -> None:
    """Grant (or renew) a mandate to speak in the institution's name."""
    from vigie.monitoring.registry import Mandate, add_mandate

    until = None
    if expires:
        try:
            until = dt.datetime.fromisoformat(expires)
        except ValueError:
            raise VigieError(f"--expires: not an ISO date: {expires!r}") from None
        if until.tzinfo is None:
            until = until.replace(tzinfo=dt.UTC)
    add_mandate(_open(db), Mandate(person=person, name=name, granted_by=granted_by, scope=scope,
                                   expires_at=until))
    out_console.print(f"mandate granted to {person}")


@mandate_app.command("revoke")
def mandate_revoke(person: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Revoke a mandate."""
    from vigie.monitoring.registry import revoke_mandate

    if not revoke_mandate(_open(db), person):
        raise VigieError(f"no mandate for {person!r}")
    out_console.print(f"mandate of {person} revoked")


@mandate_app.command("list")
def mandate_list(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """List the mandates."""
    from vigie.monitoring.registry import list_mandates

    mandates = list_mandates(_open(db))
    if as_json:
        print(json.dumps([m.model_dump(mode="json") for m in mandates], ensure_ascii=False))
        return
    for m in mandates:
        until = f", until {m.expires_at:%Y-%m-%d}" if m.expires_at else ""
        out_console.print(f"{m.person} — {m.name}, granted by {m.granted_by}{until}"
                          + (f" ({m.scope})" if m.scope else ""), highlight=False)
