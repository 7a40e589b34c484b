"""Page requests (6.1) and group-membership tasks (7) on the ``vigie`` CLI.

Registered by :mod:`vigie.cli.app`::

    vigie registry request --platform P --name N (--handle H | --url U) --purpose …
                           --unit … --manager EMAIL --mandate … --by WHO [--reply-to EMAIL]
    vigie registry requests [--status pending|approved|refused|all]
    vigie registry approve|refuse N --note "…" --by WHO
    vigie groups tasks [--status open|done|not_needed|all]
    vigie groups done N --note "…" --by WHO [--not-needed]
    vigie groups scan                      tasks for blocks that lack them (also after each
                                           ``vigie run`` round and each dashboard block)

Messages are worded from the dashboard's catalogue (``--lang fr``, the default, or ``en``);
refusals go through :class:`~vigie.errors.StoreError` (exit code 6). See
``docs/monitoring.md``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from vigie.cli.monitoring import LangOption, _open, _t
from vigie.cli.options import ByOption, DbOption, JsonFlag, err_console, out_console
from vigie.errors import StoreError

__all__ = ["groups_app", "groups_done", "groups_scan", "groups_tasks", "registry_approve",
           "registry_refuse", "registry_request", "registry_requests"]

groups_app = typer.Typer(help="Blocked members to remove from the institution's groups (7).",
                         no_args_is_help=True)

NoteOption = Annotated[str, typer.Option("--note", help="Why, in words (required).")]


def _refused(error: Any, t: Any, prefix: str) -> StoreError:
    fields = dict(error.fields)
    if "field" in fields:  # name the command's option, as typed
        fields["field"] = "--" + str(fields["field"]).replace("_", "-")
    return StoreError(t(f"{prefix}.error_{error.key}", **fields))


def _say(line: str) -> None:
    out_console.print(line, highlight=False, markup=False)


def _warn(line: str) -> None:
    err_console.print(line, style="yellow", highlight=False, markup=False)


def _printed(rows: list[Any], as_json: bool, none: str) -> bool:
    """Print ``rows`` as JSON, or say there are none; whether nothing is left to print."""
    if as_json:
        print(json.dumps([r.to_dict() for r in rows], ensure_ascii=False))
    elif not rows:
        _say(none)
    return as_json or not rows


# -- page requests ---------------------------------------------------------------------------

def registry_request(
    platform: Annotated[str, typer.Option(help="facebook, instagram, x, youtube, linkedin, "
                                               "threads, bluesky, tiktok or web.")],
    name: Annotated[str, typer.Option(help="The proposed display name.")],
    purpose: Annotated[str, typer.Option(help="What the page is for.")],
    unit: Annotated[str, typer.Option(help="The unit it will speak for.")],
    manager: Annotated[str, typer.Option(help="E-mail of the person who will manage it.")],
    mandate: Annotated[str, typer.Option(
        help="What it may say in the institution's name.")],
    by: ByOption,
    kind: Annotated[str, typer.Option(help="page (a page or an account) or group.")] = "page",
    handle: Annotated[str | None, typer.Option(help="The proposed handle.")] = None,
    url: Annotated[str | None, typer.Option(help="The proposed address.")] = None,
    reply_to: Annotated[str | None, typer.Option(
        help="E-mail for the decision (default: nobody is e-mailed).")] = None,
    db: DbOption = None,
    lang: LangOption = "fr",
) -> None:
    """Ask to create a page in the institution's name (6.1); the community manager decides."""
    from vigie.monitoring.page_requests import RequestError, submit_request
    from vigie.notify.escalation import tell_community_manager
    from vigie.web.notices import page_request_notice

    t = _t(lang)
    store = _open(db)
    try:
        asked = submit_request(store, requested_by=by, platform=platform, kind=kind,
                               name=name, handle=handle, url=url, purpose=purpose, unit=unit,
                               manager=manager, mandate=mandate, reply_to=reply_to)
    except RequestError as error:
        raise _refused(error, t, "pagereq") from None
    _say(t("pagereq.cli_submitted", pk=asked.pk, url=asked.url))
    settings = store.settings.escalation
    sent, errors = tell_community_manager(
        settings, lambda lang: page_request_notice(asked, lang, settings.dashboard_url))
    if sent:
        _say(t("pagereq.cli_told", n=sent))
    elif not errors:
        _warn(t("pagereq.cli_no_channel", pk=asked.pk))
    for why in errors:
        _warn(t("pagereq.cli_failed", error=why))


def registry_requests(
    status: Annotated[str, typer.Option(help="pending, approved, refused or all.")] = "all",
    db: DbOption = None,
    as_json: JsonFlag = False,
    lang: LangOption = "fr",
) -> None:
    """List the page requests, newest first."""
    from vigie.monitoring.page_requests import list_requests

    t = _t(lang)
    rows = list_requests(_open(db), None if status == "all" else status)
    if _printed(rows, as_json, t("pagereq.none")):
        return
    for r in rows:
        quoted = f"« {r.name} »" if lang == "fr" else f"“{r.name}”"
        _say(f"#{r.pk} [{t('pagereq.status_' + r.status)}] {r.platform} "
             f"{t('registry.kind_' + r.kind)} {quoted} {r.url}")
        _say(f"    {r.unit} — {t('pagereq.requested_by')} {r.requested_by}, "
             f"{r.requested_at:%Y-%m-%d %H:%M} UTC")
        if r.status != "pending":
            _say(f"    {t('pagereq.decided_by')} {r.decided_by}: {r.note}")


def _decide(number: int, approve: bool, note: str, by: str, db: str | None,
            lang: str) -> None:
    from vigie.monitoring.page_requests import RequestError, decide_request, notify_requester
    from vigie.notify.escalation import mail_lang
    from vigie.web.notices import page_decision_notice

    t = _t(lang)
    store = _open(db)
    try:
        done = decide_request(store, number, approve, decided_by=by, note=note)
    except RequestError as error:
        raise _refused(error, t, "pagereq") from None
    _say(t("pagereq.cli_approved" if approve else "pagereq.cli_refused", pk=done.pk,
           by=done.decided_by, url=done.url))
    settings = store.settings.escalation
    outcome, detail = notify_requester(store, done, page_decision_notice(
        done, mail_lang(settings), settings.dashboard_url), settings)
    if outcome == "sent":
        _say(t("pagereq.cli_mailed", to=done.reply_to))
    elif outcome == "failed":
        _warn(t("pagereq.cli_mail_failed", to=done.reply_to, error=detail))
    else:
        _warn(t("pagereq.cli_mail_none"))


def registry_approve(
    number: Annotated[int, typer.Argument(help="The request's number.")],
    note: NoteOption,
    by: ByOption,
    db: DbOption = None,
    lang: LangOption = "fr",
) -> None:
    """Approve a page request: the page is listed in the registry as official."""
    _decide(number, True, note, by, db, lang)


def registry_refuse(
    number: Annotated[int, typer.Argument(help="The request's number.")],
    note: NoteOption,
    by: ByOption,
    db: DbOption = None,
    lang: LangOption = "fr",
) -> None:
    """Refuse a page request (the note says why)."""
    _decide(number, False, note, by, db, lang)


# -- group-membership tasks ------------------------------------------------------------------

@groups_app.command("scan")
def groups_scan(db: DbOption = None, lang: LangOption = "fr") -> None:
    """Open a task for each active block and official group of its platform that lacks one."""
    from vigie.monitoring.group_tasks import open_group_tasks
    from vigie.web.notices import group_tasks_composer

    t = _t(lang)
    store = _open(db)
    report = open_group_tasks(store, compose=group_tasks_composer(
        store.settings.escalation.dashboard_url))
    _say(t("grouptask.cli_opened", n=len(report.opened)))
    if report.closed:
        _say(t("grouptask.cli_lifted", n=len(report.closed)))
    for why in report.errors:
        _warn(t("pagereq.cli_failed", error=why))


@groups_app.command("tasks")
def groups_tasks(
    status: Annotated[str, typer.Option(help="open, done, not_needed or all.")] = "open",
    db: DbOption = None,
    as_json: JsonFlag = False,
    lang: LangOption = "fr",
) -> None:
    """List the group-membership tasks: who to remove from which group, and why."""
    from vigie.monitoring.group_tasks import list_tasks
    from vigie.web.explain import block_reason

    t = _t(lang)
    rows = list_tasks(_open(db), None if status == "all" else status)
    if _printed(rows, as_json, t("grouptask.cli_none")):
        return
    for r in rows:
        member = r.member_name or t("grouptask.erased")
        handle = f" @{r.member_handle}" if r.member_handle else ""
        _say(f"#{r.pk} [{t('grouptask.status_' + r.status)}] {member}{handle} "
             f"({r.platform}, {r.member_id}) → {r.group_name} {r.group_url}")
        colon = " :" if lang == "fr" else ":"
        _say(f"    {t('grouptask.reason')}{colon} {block_reason(r.reason, t)}")
        for d in r.grounds.get("decisions", []):
            _say("    " + t("grouptask.decision_line", comment=d["comment_id"],
                            decision=d["decision"] or "—",
                            clauses=", ".join(d["clauses"]) or "—"))
        if r.block_lifted and r.status == "open":
            _say("    " + t("grouptask.block_lifted"))
        if r.status != "open":
            _say("    " + t("grouptask.closed_by", by=r.closed_by, at=f"{r.closed_at:%Y-%m-%d}")
                 + f" — {r.note}")


@groups_app.command("done")
def groups_done(
    number: Annotated[int, typer.Argument(help="The task's number.")],
    note: NoteOption,
    by: ByOption,
    not_needed: Annotated[bool, typer.Option(
        "--not-needed", help="Nothing to do (not a member, block lifted...).")] = False,
    db: DbOption = None,
    lang: LangOption = "fr",
) -> None:
    """Close a task: the member was removed from the group (or, --not-needed, nothing to do)."""
    from vigie.monitoring.group_tasks import GroupTaskError, close_task

    t = _t(lang)
    try:
        done = close_task(_open(db), number, "not_needed" if not_needed else "done",
                          closed_by=by, note=note)
    except GroupTaskError as error:
        raise _refused(error, t, "grouptask") from None
    _say(t("grouptask.cli_closed", pk=done.pk, outcome=t("grouptask.status_" + done.status),
           by=done.closed_by))
