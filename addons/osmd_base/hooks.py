def post_init_hook(env):
    """Give existing associations (companies of kind set) their account numbering."""
    for company in env["res.company"].search([("osmd_kind", "!=", False)]):
        company._osmd_get_account_sequence()
