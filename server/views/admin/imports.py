"""CSV imports (admin): members, and losses (資格喪失届) in batches — upload, dry run, import;
the same code as `shikaku members import` and `shikaku members lose`."""
from flask import g, render_template, request

from ...auth.staff_session import requires
from ...documents.printing import recent_imports
from ...models import Member
from . import bp, records

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _scope_numbers() -> set[str]:
    """The 保険者番号 whose rows the signed-in admin may import (others are row errors)."""
    return {i.number for i in records.insurers()}


def _upload() -> tuple[bytes | None, str | None, str | None]:
    """The posted file's bytes and the chosen encoding (None = auto), or an error for people."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, None, "CSVファイルを選んでください (choose a CSV file)"
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return None, None, "ファイルが大きすぎます（50MBまで） (file too large, 50 MB max)"
    encoding = request.form.get("encoding") or "auto"
    return data, None if encoding not in ("utf-8", "cp932") else encoding, None


def _page(template: str, run, **context):
    """GET: the form; POST: ``run(data, encoding, dry_run)`` on the upload, then its report."""
    report = error = None
    dry_run = request.form.get("dry_run") == "1"
    if request.method == "POST":
        data, encoding, error = _upload()
        if error is None:
            report = run(data, encoding, dry_run)
    return render_template(template, report=report, error=error, dry_run=dry_run,
                           **{k: v() for k, v in context.items()}), \
        400 if error or (report and report.errors) else 200


@bp.route("/import", methods=["GET", "POST"])
@requires("import")
def import_page():
    from ...register.csv_import import import_members
    return _page("admin/import.html", lambda data, encoding, dry_run: import_members(
        data, encoding=encoding, dry_run=dry_run, actor=g.actor, allowed_insurers=_scope_numbers()),
        batches=lambda: recent_imports(g.scope.where(Member.insurer_id)))


@bp.route("/import/losses", methods=["GET", "POST"])
@requires("import")
def losses_page():
    from ...register.loss_import import import_losses
    return _page("admin/losses.html", lambda data, encoding, dry_run: import_losses(
        data, encoding=encoding, dry_run=dry_run, allowed_insurers=_scope_numbers()))
