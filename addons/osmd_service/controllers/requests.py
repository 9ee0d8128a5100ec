import base64

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.fields import Domain
from odoo.http import request
from odoo.tools import plaintext2html
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk
from odoo.addons.osmd_billing.tools.formatting import fmt_number
from odoo.addons.osmd_billing.tools.money import to_decimal
from odoo.addons.osmd_portal.controllers.portal import OsmdResidentPortal, fmt_date

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/heic", "image/heif")
MAX_SUBJECT = 120
MAX_DESCRIPTION = 5000


def is_resident():
    return bool(OsmdResidentPortal._osmd_my_accounts())


class OsmdServiceRequests(CustomerPortalHelpdesk):
    """A resident's service requests in the cabinet: a new request for one of their personal accounts (category of
    its association, description, photos from the phone), the list of the requests they see (their own and their
    accounts'), each with its stage, photos and the conversation with the staff. OCA's ticket pages lead residents
    here; staff keep them."""

    @staticmethod
    def _osmd_categories(companies):
        return (
            request.env["helpdesk.ticket.category"]
            .sudo()
            .search(
                Domain("company_id", "in", companies.ids) & Domain("show_in_portal", "=", True),
                order="company_id, sequence, id",
            )
        )

    @staticmethod
    def _osmd_photos(errors):
        """[(name, bytes, mimetype)] of the photos sent, each an image within the size; errors named by file."""
        files = [file for file in request.httprequest.files.getlist("photos") if file and file.filename]
        if len(files) > MAX_PHOTOS:
            errors["photos"] = request.env._("At most %(count)s photos per request.", count=MAX_PHOTOS)
            return []
        photos = []
        for file in files:
            data = file.read(MAX_PHOTO_BYTES + 1)
            mimetype = guess_mimetype(data)
            if len(data) > MAX_PHOTO_BYTES:
                errors["photos"] = request.env._(
                    "%(name)s is larger than %(size)s MB.", name=file.filename, size=MAX_PHOTO_BYTES // 2**20
                )
            elif mimetype not in PHOTO_TYPES:
                errors["photos"] = request.env._("%(name)s is not a photo (JPEG, PNG, WebP, HEIC).", name=file.filename)
            else:
                photos.append((file.filename[:100], data, mimetype))
        return photos

    @http.route("/my/requests/new", type="http", auth="user", methods=["GET", "POST"], website=True, sitemap=False)
    def osmd_request_new(self, **post):
        accounts = OsmdResidentPortal._osmd_my_accounts()
        if not accounts:
            raise request.not_found()
        categories = self._osmd_categories(accounts.company_id)
        errors, typed = {}, {}
        if request.httprequest.method == "POST":
            typed = {
                key: str(post.get(key) or "")[:MAX_DESCRIPTION]
                for key in ("account", "category", "subject", "description")
            }
            account = accounts.filtered(lambda a: str(a.id) == typed["account"])
            if not account:
                errors["account"] = request.env._("Choose one of your personal accounts.")
            category = categories.filtered(
                lambda c: str(c.id) == typed["category"] and c.company_id == account.company_id
            )
            if not category:
                errors["category"] = request.env._("Choose what the request is about.")
            subject = typed["subject"].strip()[:MAX_SUBJECT]
            if not subject:
                errors["subject"] = request.env._("Say in a few words what happened.")
            description = typed["description"].strip()
            if not description:
                errors["description"] = request.env._("Describe the problem: where, since when, what you see.")
            photos = self._osmd_photos(errors)
            if not errors:
                ticket = self._osmd_create_request(account, category, subject, description, photos)
                return request.redirect(f"/my/requests/{ticket.id}?created=1")
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_request_new",
            accounts=accounts,
            categories=categories,
            errors=errors,
            typed=typed,
            photos_help=request.env._(
                "Up to %(count)s photos, %(size)s MB each: they help the engineer come with the right tools.",
                count=MAX_PHOTOS,
                size=MAX_PHOTO_BYTES // 2**20,
            ),
        )
        return request.render("osmd_service.request_new", values)

    @staticmethod
    def _osmd_create_request(account, category, subject, description, photos):
        partner = request.env.user.partner_id
        Ticket = request.env["helpdesk.ticket"].sudo()
        channel = request.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web", raise_if_not_found=False)
        ticket = Ticket.create(
            {
                "company_id": account.company_id.id,
                "category_id": category.id,
                "osmd_account_id": account.id,
                "name": subject,
                "description": plaintext2html(description),
                "channel_id": channel.id if channel else False,
                "partner_id": partner.id,
                "partner_name": partner.name,
                "partner_email": partner.email,
            }
        )
        ticket.message_subscribe(partner_ids=partner.ids)
        if photos:
            request.env["ir.attachment"].sudo().create(
                [
                    {
                        "name": name,
                        "datas": base64.b64encode(data),
                        "mimetype": mimetype,
                        "res_model": "helpdesk.ticket",
                        "res_id": ticket.id,
                    }
                    for name, data, mimetype in photos
                ]
            )
        return ticket

    @http.route(["/my/requests", "/my/requests/page/<int:page>"], type="http", auth="user", website=True, sitemap=False)
    def osmd_requests(self, page=1, **kw):
        if not is_resident():
            return request.redirect("/my/tickets")
        # the person's rights: their own requests and those of the personal accounts they see today
        tickets = request.env["helpdesk.ticket"].search([], order="create_date desc, id desc", limit=200)
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_requests",
            tickets=tickets.sudo(),
            fmt_date=fmt_date,
        )
        return request.render("osmd_service.requests", values)

    @http.route("/my/requests/<int:ticket_id>", type="http", auth="user", website=True, sitemap=False)
    def osmd_request(self, ticket_id, **kw):
        kw.pop("error", None)  # only ours, never a message typed into the address
        return self._osmd_render_request(ticket_id, None, **kw)

    def _osmd_render_request(self, ticket_id, error, **kw):
        partner = request.env.user.partner_id
        try:
            ticket = self._document_check_access("helpdesk.ticket", ticket_id)
        except (AccessError, MissingError):
            raise request.not_found() from None
        ticket._portal_ensure_token()
        photos = ticket.attachment_ids.filtered(lambda a: (a.mimetype or "").startswith("image/"))
        photos.generate_access_token()
        values = self._prepare_portal_layout_values()
        values = self._get_page_view_values(ticket, ticket.access_token, values, "my_tickets_history", False, **kw)
        values.update(
            page_name="osmd_request",
            ticket=ticket,
            photos=photos,
            created=bool(kw.get("created")),
            deadline_text=ticket._osmd_deadline_text() if not ticket.closed else "",
            fmt_date=fmt_date,
            partner=partner,
            price_text=fmt_number(to_decimal(ticket.sudo().osmd_price), 2),
            can_answer_price=ticket.osmd_price_state == "proposed" and ticket._osmd_can_answer_price(partner),
            price_answer_text=self._osmd_price_answer_text(ticket.sudo()),
            rating=ticket._osmd_rating(),
            can_rate=ticket.closed and ticket.partner_id == partner,
            error=error,
            done=kw.get("done"),
            rating_labels={
                5: request.env._("Satisfied"),
                3: request.env._("Okay"),
                1: request.env._("Dissatisfied"),
            },
        )
        return request.render("osmd_service.request", values)

    @staticmethod
    def _osmd_price_answer_text(ticket):
        if ticket.osmd_price_state == "accepted":
            return request.env._(
                "Accepted by %(name)s on %(date)s: it is added to the next invoice.",
                name=ticket.osmd_price_answered_by.name,
                date=fmt_date(ticket.osmd_price_answered_at.date()),
            )
        if ticket.osmd_price_state == "declined":
            return request.env._("Declined by %(name)s.", name=ticket.osmd_price_answered_by.name)
        return ""

    def _osmd_ticket_for_post(self, ticket_id):
        try:
            return self._document_check_access("helpdesk.ticket", ticket_id)
        except (AccessError, MissingError):
            raise request.not_found() from None

    @http.route("/my/requests/<int:ticket_id>/price", type="http", auth="user", methods=["POST"], website=True)
    def osmd_request_price(self, ticket_id, answer=None, **kw):
        """The resident accepts or declines the price of a paid service."""
        ticket = self._osmd_ticket_for_post(ticket_id)
        if answer not in ("accept", "decline"):
            return request.redirect(f"/my/requests/{ticket.id}")
        try:
            ticket._osmd_answer_price(request.env.user.partner_id, answer == "accept")
        except (UserError, AccessError) as exc:
            return self._osmd_render_request(ticket.id, exc.args[0])
        return request.redirect(f"/my/requests/{ticket.id}?done=price")

    @http.route("/my/requests/<int:ticket_id>/rate", type="http", auth="user", methods=["POST"], website=True)
    def osmd_request_rate(self, ticket_id, score=None, feedback=None, **kw):
        """The author rates the closed request."""
        ticket = self._osmd_ticket_for_post(ticket_id)
        try:
            score = int(score or 0)
        except ValueError:
            score = 0
        try:
            ticket._osmd_rate(request.env.user.partner_id, score, feedback)
        except (UserError, AccessError) as exc:
            return self._osmd_render_request(ticket.id, exc.args[0])
        return request.redirect(f"/my/requests/{ticket.id}?done=rated")

    # OCA's pages: residents use the cabinet's
    @http.route()
    def portal_my_tickets(self, *args, **kwargs):
        if is_resident():
            return request.redirect("/my/requests")
        return super().portal_my_tickets(*args, **kwargs)

    @http.route()
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        if is_resident():
            return request.redirect(f"/my/requests/{ticket_id}")
        return super().portal_my_ticket(ticket_id, access_token=access_token, **kw)


class OsmdHelpdeskTicketController(HelpdeskTicketController):
    """OCA's new-ticket form trusts the category it is sent (any association's) and takes any file: residents use
    the cabinet's form, which checks both."""

    @http.route()
    def create_new_ticket(self, **kw):
        if is_resident():
            return request.redirect("/my/requests/new")
        return super().create_new_ticket(**kw)

    @http.route()
    def submit_ticket(self, **kw):
        if is_resident():
            return request.redirect("/my/requests/new")
        return super().submit_ticket(**kw)

    def _prepare_submit_ticket_vals(self, **kw):
        vals = super()._prepare_submit_ticket_vals(**kw)
        # OCA takes the category's association as the request's: only one the person works for
        if vals.get("company_id") not in request.env.user.company_ids.ids:
            raise Forbidden()
        return vals
