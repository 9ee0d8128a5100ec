from odoo.tests import new_test_user


def resident_user(env, login, partner, company, **extra):
    """A resident with cabinet access, signed in as ``partner`` of ``company``; the password is the login + "_pwd_1"."""
    return new_test_user(
        env,
        login=login,
        name=extra.pop("name", partner.name),  # the person's own name (the helper's default would rename them)
        password=f"{login}_pwd_1",
        groups="osmd_base.group_osmd_resident",
        partner_id=partner.id,
        company_id=company.id,
        company_ids=[company.id],
        **extra,
    )
