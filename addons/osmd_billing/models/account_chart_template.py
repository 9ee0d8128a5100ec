from odoo import fields, models
from odoo.fields import Domain

# the services revenue account of the Ukrainian chart (ПСБО): "Дохід від реалізації робіт і послуг", 703
# (703000 with the chart's six digits)
SERVICE_INCOME_ACCOUNT_XMLID = "ua_psbp_703"
SERVICE_INCOME_ACCOUNT_CODE = "703"


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        result = super()._post_load_data(template_code, company, template_data)
        company = company or self.env.company
        company._osmd_ensure_service_category()
        company._osmd_translate_payment_method_lines()
        return result


class ResCompany(models.Model):
    _inherit = "res.company"

    osmd_service_categ_id = fields.Many2one(
        "product.category",
        string="Category of the association's services",
        help="Default category of the association's services; its income account (703 of the Ukrainian chart "
        "by default) is where the accruals are posted unless a service names another one.",
    )

    def _osmd_service_income_account(self):
        """The association's services revenue account: 703 of its Ukrainian chart (by its chart's reference,
        else by its code), or nothing."""
        self.ensure_one()
        company = self.sudo()
        account = (
            company.env["account.chart.template"]
            .with_company(company)
            .ref(SERVICE_INCOME_ACCOUNT_XMLID, raise_if_not_found=False)
        )
        if account:
            return account
        Account = company.env["account.account"].with_company(company)
        return Account.search(
            Domain("code", "=like", f"{SERVICE_INCOME_ACCOUNT_CODE}%")
            & Domain("company_ids", "in", company.ids)
            & Domain("account_type", "=", "income"),
            order="code",
            limit=1,
        )

    def _osmd_translate_payment_method_lines(self):
        """Odoo names a journal's payment method lines once, in the language of whoever loaded the chart
        ("Manual Payment" in the payment wizard of a Ukrainian association): name the lines still carrying
        their method's English name in the association's language. Lines renamed by the accountant are kept."""
        lines = (
            self.env["account.payment.method.line"]
            .sudo()
            .search(Domain("journal_id.company_id", "in", self.filtered("chart_template").ids))
        )
        for line in lines:
            method = line.payment_method_id
            lang = line.journal_id.company_id.partner_id.lang or "uk_UA"
            if lang != "en_US" and line.name == method.with_context(lang="en_US").name:
                translated = method.with_context(lang=lang).name
                if translated and translated != line.name:
                    line.name = translated

    def _osmd_ensure_service_category(self):
        """Give each association with a chart of accounts its services category, whose income account is the
        services revenue account (703), and put its services without category of their own in it. Idempotent:
        an income account already chosen by the accountant is kept."""
        companies = self.filtered("chart_template")
        if not companies:
            return
        Category = self.env["product.category"].sudo()
        for company in companies:
            account = company._osmd_service_income_account()
            category = company.osmd_service_categ_id
            if not account and not category:
                continue  # not the Ukrainian chart: Odoo's income accounts apply
            if not category:
                lang = company.partner_id.lang or "uk_UA"
                name = self.with_context(lang=lang).env._("Services of %(association)s", association=company.name)
                category = Category.create({"name": name})
                company.sudo().osmd_service_categ_id = category
            category = category.with_company(company)
            # Odoo's default income account of the categories (701) is not a choice of the accountant
            current = category.property_account_income_categ_id
            if account and (not current or current == company.income_account_id):
                category.property_account_income_categ_id = account
            # the association's services without a category get theirs
            services = (
                self.env["product.template"]
                .sudo()
                .with_context(active_test=False)
                .search(
                    Domain("osmd_basis", "!=", False)
                    & Domain("company_id", "=", company.id)
                    & Domain("categ_id", "=", False)
                )
            )
            services.categ_id = category
