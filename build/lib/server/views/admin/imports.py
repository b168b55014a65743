"""CSV import (admin): upload, dry run, import — the same code as `shikaku members import`."""
from flask import g, render_template, request

from ...auth.staff_session import admin_required
from . import bp

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def import_page():
    report = error = None
    if request.method == "POST":
        from ...register.csv_import import import_members
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error = "CSVファイルを選んでください (choose a CSV file)"
        else:
            data = upload.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                error = "ファイルが大きすぎます（50MBまで） (file too large, 50 MB max)"
            else:
                encoding = request.form.get("encoding") or "auto"
                if encoding not in ("auto", "utf-8", "cp932"):
                    encoding = "auto"
                report = import_members(data, encoding=None if encoding == "auto" else encoding,
                                        dry_run=request.form.get("dry_run") == "1", actor=g.actor)
    return render_template("admin/import.html", report=report, error=error,
                           dry_run=request.form.get("dry_run") == "1"), \
        400 if error or (report and report.errors) else 200
