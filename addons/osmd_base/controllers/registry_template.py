from odoo import http
from odoo.http import request

from ..tools.registry_import import build_template

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OsmdRegistryTemplate(http.Controller):
    @http.route(
        "/osmd_base/registry_template",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def registry_template(self):
        """The registry import workbook, in the language of the user."""
        user = request.env.user
        if not (user.has_group("osmd_base.group_osmd_chairman") or user.has_group("base.group_system")):
            raise request.not_found()
        env = request.env
        content = build_template(translate=lambda text: env._(text))
        filename = "osmd_registry_template.xlsx"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", str(len(content))),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )
